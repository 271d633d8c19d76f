package authz

import (
	"fmt"
	"strings"
	"testing"
)

// benchSet is a principal with 10 managed policies of 20 statements each:
// exact actions, service wildcards, prefix and infix wildcards, ARN
// patterns, NotAction/NotResource and a few conditions.
func benchSet(tb testing.TB) PolicySet {
	services := []string{"states", "ec2", "dynamodb", "sqs", "sns", "kms", "logs", "cloudwatch", "events", "lambda"}
	var set PolicySet
	for p := 0; p < 10; p++ {
		var stmts []string
		for s := 0; s < 20; s++ {
			svc := services[(p+s)%len(services)]
			var st string
			switch s % 10 {
			case 0:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":["%s:Get%d","%s:List%d"],"Resource":"arn:aws:%s:us-east-1:123456789012:thing/%d/*"}`, svc, s, svc, s, svc, p)
			case 1:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":"%s:Describe*","Resource":"*"}`, svc)
			case 2:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":"%s:*Item%d*","Resource":"arn:aws:%s:*:123456789012:table/t%d"}`, svc, s, svc, p)
			case 3:
				st = fmt.Sprintf(`{"Effect":"Deny","Action":"%s:Delete*","Resource":"arn:aws:%s:*:*:prod-*","Condition":{"StringNotEquals":{"aws:RequestedRegion":"us-east-1"}}}`, svc, svc)
			case 4:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":["%s:Put%d","%s:Update%d","%s:Create%d"],"Resource":["arn:aws:%s:us-east-1:123456789012:a/%d","arn:aws:%s:us-east-1:123456789012:b/%d"]}`, svc, s, svc, s, svc, s, svc, p, svc, p)
			case 5:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":"%s:Tag*","Resource":"*","Condition":{"StringEquals":{"aws:RequestTag/team":"t%d"},"Bool":{"aws:SecureTransport":"true"}}}`, svc, p)
			case 6:
				st = fmt.Sprintf(`{"Effect":"Allow","NotAction":"%s:*","Resource":"arn:aws:none:::x%d"}`, svc, p)
			case 7:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":"%s:Start%d","NotResource":"arn:aws:%s:*:*:secret/*"}`, svc, s, svc)
			case 8:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":"%s:Invoke?%d","Resource":"arn:aws:%s:us-east-1:123456789012:function:f%d*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","192.168.%d.0/24"]}}}`, svc, s, svc, p, p)
			default:
				st = fmt.Sprintf(`{"Effect":"Allow","Action":"%s:Read%d","Resource":"arn:aws:%s:::bucket-%d/${aws:username}/*"}`, svc, s, svc, p)
			}
			stmts = append(stmts, st)
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		pol, err := ParseManaged(doc)
		if err != nil {
			tb.Fatalf("policy %d: %v", p, err)
		}
		set.Identity = append(set.Identity, Named{fmt.Sprintf("arn:aws:iam::123456789012:policy/p%d", p), pol})
	}
	return set
}

var benchReq = Request{
	Principal: bob,
	Action:    "lambda:InvokeFunction",
	Resource:  "arn:aws:lambda:us-east-1:123456789012:function:f1-prod",
	Context: map[string][]string{
		"aws:username":        {"bob"},
		"aws:SourceIp":        {"10.1.2.3"},
		"aws:SecureTransport": {"true"},
		"aws:RequestedRegion": {"us-east-1"},
		"aws:CurrentTime":     {"2024-05-01T12:00:00Z"},
	},
}

// BenchmarkEvaluate: 10 managed policies of 20 statements (200 statements).
// The target is under 10µs/op.
func BenchmarkEvaluate(b *testing.B) {
	set := benchSet(b)
	req := benchReq
	req.Action = "lambda:InvokeF18" // matches "lambda:Invoke?18" in one policy
	if r := Evaluate(req, set); r.Decision != Allow {
		b.Fatalf("benchmark request not allowed: %+v", r)
	}
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(req, set)
	}
}

// BenchmarkEvaluateDenied walks every statement without a match.
func BenchmarkEvaluateDenied(b *testing.B) {
	set := benchSet(b)
	req := benchReq
	req.Action = "iam:CreateAccessKey"
	b.ReportAllocs()
	for b.Loop() {
		Evaluate(req, set)
	}
}

func TestBenchSetDecisions(t *testing.T) {
	t.Parallel()
	set := benchSet(t)
	req := benchReq
	req.Action = "lambda:InvokeF18"
	if r := Evaluate(req, set); r.Decision != Allow || r.DecidedBy != KindIdentity {
		t.Fatalf("got %+v", r)
	}
	req.Action = "lambda:DeleteFunction"
	req.Resource = "arn:aws:lambda:eu-west-1:123456789012:prod-x"
	req.Context = map[string][]string{"aws:RequestedRegion": {"eu-west-1"}}
	if r := Evaluate(req, set); r.Decision != ExplicitDeny {
		t.Fatalf("got %+v", r)
	}
}
