package authz

import (
	"fmt"
	"testing"
)

// An account lives in one partition, and its IAM takes only that partition's ARNs
// ("Amazon Resource Names (ARNs)": "Each AWS account is scoped to one partition"); the
// rejection text is the one IAM gives for another partition's resource (messages.go).
func TestParserPartition(t *testing.T) {
	t.Parallel()
	identity := func(resource string) string {
		return stmt(fmt.Sprintf(`{"Effect":"Allow","Action":"s3:*","Resource":%q}`, resource))
	}
	trust := func(principal string) string {
		return stmt(fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"sts:AssumeRole"}`, principal))
	}
	gov, anyPartition := Parser{Partition: "aws-us-gov"}, Parser{AnyPartition: true}
	cases := []struct {
		name   string
		parser Parser
		kind   Kind
		doc    string
		want   string // "" when valid
	}{
		{"aws takes aws", Parser{}, KindIdentity, identity("arn:aws:s3:::b"), ""},
		{"aws refuses gov", Parser{}, KindIdentity, identity("arn:aws-us-gov:s3:::b"), `Partition "aws-us-gov" is not valid for resource "arn:aws-us-gov:s3:::b".`},
		{"explicit aws is the zero value", Parser{Partition: "aws"}, KindIdentity, identity("arn:aws-cn:s3:::b"), `Partition "aws-cn" is not valid for resource "arn:aws-cn:s3:::b".`},
		{"gov takes gov", gov, KindIdentity, identity("arn:aws-us-gov:s3:::b"), ""},
		{"gov takes a wildcard partition", gov, KindIdentity, identity("arn:aws*:s3:::b"), ""},
		{"gov refuses aws", gov, KindIdentity, identity("arn:aws:s3:::b"), `Partition "aws" is not valid for resource "arn:aws:s3:::b".`},
		{"gov trust takes a gov principal", gov, KindTrust, trust("arn:aws-us-gov:iam::123456789012:root"), ""},
		{"gov trust refuses an aws principal", gov, KindTrust, trust("arn:aws:iam::123456789012:root"), `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:root"`},
		{"aws trust refuses a gov principal", Parser{}, KindTrust, trust("arn:aws-us-gov:iam::123456789012:role/R"), `Invalid principal in policy: "AWS":"arn:aws-us-gov:iam::123456789012:role/R"`},
		{"any partition takes aws", anyPartition, KindIdentity, identity("arn:aws:s3:::b"), ""},
		{"any partition takes eusc", anyPartition, KindTrust, trust("arn:aws-eusc:iam::123456789012:root"), ""},
		{"any partition still refuses an unknown one", anyPartition, KindIdentity, identity("arn:foo:s3:::b"), `Partition "foo" is not valid for resource "arn:foo:s3:::b".`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := tc.parser.Parse(tc.doc, tc.kind)
			got := ""
			if err != nil {
				got = err.(*MalformedError).Message
			}
			if got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A principal element naming an account root delegates to the account in the partition of
// the caller's own ARN, and only there.
func TestPrincipalRootPartition(t *testing.T) {
	t.Parallel()
	govBob := Principal{ARN: "arn:aws-us-gov:iam::123456789012:user/bob", Account: acct}
	cases := []struct {
		name   string
		root   string
		caller Principal
		want   bool
	}{
		{"gov root, gov caller", "arn:aws-us-gov:iam::123456789012:root", govBob, true},
		{"aws root, gov caller", "arn:aws:iam::123456789012:root", govBob, false},
		{"gov root, aws caller", "arn:aws-us-gov:iam::123456789012:root", bob, false},
		{"aws root, caller without ARN", "arn:aws:iam::123456789012:root", Principal{Account: acct}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parser{AnyPartition: true}.Parse(stmt(fmt.Sprintf(`{"Effect":"Allow","Principal":{"AWS":%q},"Action":"lambda:InvokeFunction","Resource":"*"}`, tc.root)), KindResource)
			if err != nil {
				t.Fatal(err)
			}
			r := Evaluate(Request{Principal: tc.caller, Action: "lambda:InvokeFunction", Resource: "*"}, PolicySet{Resource: []Named{{"fn", p}}})
			if got := r.Decision == Allow; got != tc.want {
				t.Fatalf("allow = %v, want %v (%+v)", got, tc.want, r)
			}
		})
	}
}
