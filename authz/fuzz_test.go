package authz

import (
	"errors"
	"testing"
)

var fuzzSeedDocs = []string{
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`,
	`{"Statement":{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/${aws:username}/*"}}`,
	`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Principal":{"AWS":["123456789012","arn:aws:iam::123456789012:user/x"],"Service":"lambda.amazonaws.com"},"Action":"lambda:*","Resource":"*"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"ForAllValues:StringLike":{"aws:TagKeys":["a*"]},"DateLessThan":{"aws:CurrentTime":"2030-01-01"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"NumericLessThanEquals":{"s3:max-keys":10},"Bool":{"aws:SecureTransport":true},"Null":{"x:y":"true"},"BinaryEquals":{"k:b":"QQ=="},"ArnLike":{"aws:SourceArn":"arn:aws:sns:*:*:t"}}}]}`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"allow","Action":"ec2:ec2:x","Resource":"arn:aws:iam:us-east-1::user/x"}]}`,
	`{"Version":"2012-10-17","Statement":[]}`,
	`[1,2,3]`,
	`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username, 'x'}${*}${?}${$}${"}]}`,
	``,
}

// FuzzParse: Parse never panics, every error is a *MalformedError with a
// message, and a parsed policy evaluates without panicking.
func FuzzParse(f *testing.F) {
	for _, d := range fuzzSeedDocs {
		for k := KindIdentity; k <= KindSession; k++ {
			f.Add(d, uint8(k))
		}
	}
	f.Fuzz(func(t *testing.T, doc string, kind uint8) {
		p, err := Parse(doc, Kind(kind%6))
		if err != nil {
			var me *MalformedError
			if !errors.As(err, &me) || me.Message == "" {
				t.Fatalf("error %v is not a *MalformedError with a message", err)
			}
			return
		}
		req := Request{Principal: bob, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/bob/k",
			Context: map[string][]string{"aws:username": {"bob"}, "aws:SourceIp": {"10.1.1.1"}}}
		Evaluate(req, PolicySet{Identity: []Named{{"p", p}}, Resource: []Named{{"r", p}}, Boundary: &Named{"b", p}})
	})
}

// FuzzEvaluate evaluates random requests against the corpus policies: it
// never panics, and an ExplicitDeny always comes with a matched Deny.
func FuzzEvaluate(f *testing.F) {
	var sets []PolicySet
	for _, file := range loadCorpus(f) {
		for _, c := range file.Cases {
			sets = append(sets, c.policySet(f))
		}
	}
	f.Add(uint16(0), uint8(0), "s3:GetObject", "arn:aws:s3:::b/k", "aws:SourceIp", "10.0.0.1")
	f.Add(uint16(7), uint8(3), "iam:CreateUser", "*", "aws:CurrentTime", "2020-01-01T00:00:00Z")
	f.Add(uint16(99), uint8(5), "sts:AssumeRole", "arn:aws:iam::123456789012:role/Target", "aws:TagKeys", "")
	f.Add(uint16(200), uint8(1), "lambda:InvokeFunction", "arn:aws:lambda:us-east-1:123456789012:function:f", "aws:username", "${aws:username}")
	names := []string{"bob", "root", "session", "fed", "lambda", "web", "carlos", "s3svc"}
	f.Fuzz(func(t *testing.T, setIdx uint16, who uint8, action, resource, key, val string) {
		t.Parallel()
		set := sets[int(setIdx)%len(sets)]
		req := Request{
			Principal: corpusPrincipals[names[int(who)%len(names)]],
			Action:    action, Resource: resource,
			Context: map[string][]string{key: {val}, "aws:username": {val}},
		}
		r := Evaluate(req, set)
		if r.Decision == ExplicitDeny {
			found := false
			for _, m := range r.Matched {
				found = found || m.Effect == "Deny"
			}
			if !found {
				t.Fatalf("ExplicitDeny without a matched Deny: %+v", r)
			}
		}
		_ = DenialMessage(req.Principal.ARN, action, resource, r)
	})
}
