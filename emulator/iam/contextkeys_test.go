package iam

import (
	"reflect"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
)

// Tests of GetContextKeysForCustomPolicy and GetContextKeysForPrincipalPolicy (IAM API
// Reference) and of the document outline behind them and behind the simulator's positions.

// TestGetContextKeysForCustomPolicy starts from the AWS CLI reference example of
// get-context-keys-for-custom-policy: [aws:username, aws:CurrentTime], variables of Resource
// included, spelling kept, document order.
func TestGetContextKeysForCustomPolicy(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t)
	tests := []struct {
		name string
		docs []string
		want []string
	}{
		{"AWS CLI reference example", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}`},
			[]string{"aws:username", "aws:CurrentTime"}},
		{"no conditions", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}, []string{}},
		{"set operators, IfExists and Null keep the bare key", []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{
			"ForAnyValue:StringLike":{"aws:TagKeys":"env*"},"StringEqualsIfExists":{"s3:prefix":"home/"},"Null":{"aws:MultiFactorAuthAge":"false"}}}]}`},
			[]string{"aws:TagKeys", "s3:prefix", "aws:MultiFactorAuthAge"}},
		{"variables in NotResource and condition values; repeats once", []string{`{"Version":"2012-10-17","Statement":[
			{"Effect":"Deny","Action":"s3:*","NotResource":["arn:aws:s3:::home/${aws:userid}/*","arn:aws:s3:::x/${aws:username, 'anon'}"]},
			{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*","Condition":{"StringLike":{"s3:prefix":["${aws:username}/*","${*}x"]}}}]}`,
			`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:userid":"x","aws:UserId":"y"}}}}`},
			[]string{"aws:userid", "aws:username", "s3:prefix", "aws:UserId"}},
		{"2008-10-17: variables are text", []string{`{"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}}`},
			[]string{"aws:SecureTransport"}},
		{"Version after Statement", []string{`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::${aws:username}/*"},"Version":"2012-10-17"}`},
			[]string{"aws:username"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.s.GetContextKeysForCustomPolicy(e.ctx, &iamapi.GetContextKeysForCustomPolicyRequest{PolicyInputList: tt.docs})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.ContextKeyNames, tt.want) {
				t.Errorf("keys = %q, want %q", out.ContextKeyNames, tt.want)
			}
		})
	}
	_, err := e.s.GetContextKeysForCustomPolicy(e.ctx, &iamapi.GetContextKeysForCustomPolicyRequest{PolicyInputList: []string{`{"Statement":[]}`}})
	if simCode(t, err) != "MalformedPolicyDocument" {
		t.Errorf("malformed: %v", err)
	}
}

// TestGetContextKeysForPrincipalPolicy: a user's own, group and managed policies, then the
// PolicyInputList; not the boundary.
func TestGetContextKeysForPrincipalPolicy(t *testing.T) {
	t.Parallel()
	e := simWorld(t)
	s, ctx := e.s, e.ctx
	e.ok(s.PutGroupPolicy(ctx, &iamapi.PutGroupPolicyRequest{GroupName: simStr("devs"), PolicyName: simStr("mfa"), PolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"BoolIfExists":{"aws:MultiFactorAuthPresent":"false"}}}}`)}))
	e.ok(s.CreatePolicy(ctx, &iamapi.CreatePolicyRequest{PolicyName: simStr("ip-boundary"), PolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`)}))
	e.ok(s.PutUserPermissionsBoundary(ctx, &iamapi.PutUserPermissionsBoundaryRequest{UserName: simStr("alice"), PermissionsBoundary: simStr("arn:aws:iam::" + simAcct + ":policy/ip-boundary")}))
	tests := []struct {
		source string
		input  []string
		want   []string
	}{
		{"arn:aws:iam::" + simAcct + ":user/alice", nil, []string{"aws:username", "aws:MultiFactorAuthPresent"}},
		{"arn:aws:iam::" + simAcct + ":user/alice", []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}}`},
			[]string{"aws:username", "aws:MultiFactorAuthPresent", "aws:RequestedRegion"}},
		{"arn:aws:iam::" + simAcct + ":group/devs", nil, []string{"aws:MultiFactorAuthPresent"}},
		{"arn:aws:iam::" + simAcct + ":role/app", nil, []string{}},
	}
	for _, tt := range tests {
		out, err := s.GetContextKeysForPrincipalPolicy(ctx, &iamapi.GetContextKeysForPrincipalPolicyRequest{PolicySourceArn: simStr(tt.source), PolicyInputList: tt.input})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(out.ContextKeyNames, tt.want) {
			t.Errorf("%s: keys = %q, want %q", tt.source, out.ContextKeyNames, tt.want)
		}
	}
	for arn, code := range map[string]string{
		"arn:aws:iam::" + simAcct + ":user/nobody":        "NoSuchEntity",
		"arn:aws:iam::" + simAcct + ":policy/ip-boundary": "InvalidInput",
		"arn:aws:iam::210987654321:user/alice":            "InvalidInput",
	} {
		_, err := s.GetContextKeysForPrincipalPolicy(ctx, &iamapi.GetContextKeysForPrincipalPolicyRequest{PolicySourceArn: simStr(arn)})
		if got := simCode(t, err); got != code {
			t.Errorf("%s: %s, want %s", arn, got, code)
		}
	}
	_, err := s.GetContextKeysForPrincipalPolicy(ctx, &iamapi.GetContextKeysForPrincipalPolicyRequest{
		PolicySourceArn: simStr("arn:aws:iam::" + simAcct + ":user/alice"), PolicyInputList: []string{"not json"}})
	if simCode(t, err) != "MalformedPolicyDocument" {
		t.Errorf("malformed input: %v", err)
	}
}

// TestOutlinePositions: statement spans as AWS reports them (see stmtSpan): the AWS CLI
// reference example, the public capture of AdministratorAccess as AWS formats it (Line 3 Column
// 17 to Line 8 Column 6), line breaks of every kind, tabs and non-ASCII characters counted as
// one column.
func TestOutlinePositions(t *testing.T) {
	t.Parallel()
	admin := "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n    {\n      \"Effect\": \"Allow\",\n      \"Action\": \"*\",\n      \"Resource\": \"*\"\n    }\n  ]\n}"
	tests := []struct {
		name, doc string
		want      []stmtSpan
	}{
		{"AWS CLI reference example", `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`,
			[]stmtSpan{{docPosition{1, 38}, docPosition{1, 167}}}},
		{"AdministratorAccess", admin, []stmtSpan{{docPosition{3, 17}, docPosition{8, 6}}}},
		{"CRLF counts once", "{\r\n\"Statement\": [\r\n{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"},\r\n{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
			[]stmtSpan{{docPosition{2, 15}, docPosition{3, 47}}, {docPosition{3, 47}, docPosition{4, 46}}}},
		{"lone CR", "{\"Statement\":\r[{\"Effect\":\"Allow\",\"Action\":\"*\",\"Resource\":\"*\"}]}",
			[]stmtSpan{{docPosition{2, 2}, docPosition{2, 48}}}},
		{"tab and é", "{\"Statement\":[\t{\"Sid\":\"\",\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"arn:aws:s3:::é\"}]}",
			[]stmtSpan{{docPosition{1, 15}, docPosition{1, 87}}}},
		{"last Statement wins", `{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"},"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`,
			[]stmtSpan{{docPosition{1, 74}, docPosition{1, 119}}}},
		{"not a document", `[1]`, nil},
	}
	for _, tt := range tests {
		if got := outlineDocument(tt.doc).spans; !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s: spans = %v, want %v", tt.name, got, tt.want)
		}
	}
}
