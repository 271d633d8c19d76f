package authz

import (
	"errors"
	"strings"
	"testing"
)

// Each case cites where the behaviour or the text comes from: the IAM User
// Guide page ("IAM JSON policy elements reference", "Validating IAM
// policies") or the public capture listed in messages.go.
func TestParse(t *testing.T) {
	t.Parallel()
	const ok = ""
	cases := []struct {
		name string
		kind Kind
		doc  string
		want string // "" when the document is valid
	}{
		// Grammar: "IAM JSON policy elements reference", "Grammar of the IAM JSON policy language".
		{"grammar/minimal", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`, ok},
		{"grammar/statement object", KindIdentity, `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, ok},
		{"grammar/id and sid", KindIdentity, `{"Version":"2012-10-17","Id":"p1","Statement":[{"Sid":"A1","Effect":"Deny","NotAction":["iam:*"],"NotResource":"*"}]}`, ok},
		{"version/absent is 2008-10-17", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, ok},
		{"version/2008", KindIdentity, `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, ok},
		{"version/unknown is syntax error (moto)", KindIdentity, `{"Version":"2012-10-18","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		{"version/number", KindIdentity, `{"Version":2012,"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		{"json/invalid identity: ec2-spot-labs#25", KindIdentity, `ec2-permissions.json`, msgSyntax},
		{"json/null identity: iamy#74", KindIdentity, `null`, msgSyntax},
		{"json/trailing comma trust: LocalStack snapshot", KindTrust, `{"Version":"2012-10-17","Statement":[{"Action":"sts:AssumeRole","Principal":"*","Effect":"Allow",}]}`, msgInvalidJSON},
		{"json/trailing data", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]} {}`, msgSyntax},
		{"top/unknown key", KindIdentity, `{"Version":"2012-10-17","Condition":{},"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		{"top/missing statement", KindIdentity, `{"Version":"2012-10-17"}`, msgSyntax},
		{"top/empty statement list", KindIdentity, `{"Version":"2012-10-17","Statement":[]}`, msgSyntax},
		{"top/id not string", KindIdentity, `{"Id":1,"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		{"statement/not object", KindIdentity, `{"Statement":["x"]}`, msgSyntax},
		{"statement/unknown key", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Foo":1}]}`, msgSyntax},
		{"statement/lower-case key", KindIdentity, `{"Statement":[{"effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		{"statement/action and notaction", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]}`, msgSyntax},
		{"statement/resource and notresource", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","NotResource":"*"}]}`, msgSyntax},
		{"statement/action number", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":5,"Resource":"*"}]}`, msgSyntax},
		{"statement/action list with number", KindIdentity, `{"Statement":[{"Effect":"Allow","Action":["s3:*",5],"Resource":"*"}]}`, msgSyntax},
		{"statement/sid number", KindIdentity, `{"Statement":[{"Sid":1,"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		// Effect: "IAM JSON policy elements: Effect".
		{"effect/missing", KindIdentity, `{"Statement":[{"Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		{"effect/bad value", KindIdentity, `{"Statement":[{"Effect":"Permit","Action":"s3:*","Resource":"*"}]}`, msgSyntax},
		{"effect/lower case fails legacy parsing", KindIdentity, `{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, msgLegacy},
		// Principal: "IAM JSON policy elements: Principal" — not allowed in identity-based policies.
		{"principal/in identity policy: terraform#13449", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"s3:*","Resource":"*"}]}`, msgPrincipalForbidden},
		{"principal/in boundary", KindBoundary, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, msgPrincipalForbidden},
		{"principal/notprincipal in session policy", KindSession, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":"*","Action":"s3:*","Resource":"*"}]}`, msgPrincipalForbidden},
		{"principal/missing in resource policy", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}]}`, msgMissingPrincipal},
		{"principal/bare string other than *", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"arn:aws:iam::123456789012:root","Action":"lambda:*","Resource":"*"}]}`, msgSyntax},
		{"principal/unknown type", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Users":"x"},"Action":"lambda:*","Resource":"*"}]}`, msgSyntax},
		{"principal/empty list: terraform-aws-iam#47", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":[]},"Action":"lambda:*","Resource":"*"}]}`, msgNoPrincipals},
		{"principal/bad AWS value: access-key-auto-rotation#26 form", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"bob"},"Action":"lambda:*","Resource":"*"}]}`, `Invalid principal in policy: "AWS":"bob"`},
		{"principal/wildcard inside ARN", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/*"},"Action":"lambda:*","Resource":"*"}]}`, `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:role/*"`},
		{"principal/bad service: aws-cdk-examples#801", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"amazonaws.com"},"Action":"sts:AssumeRole"}]}`, `Invalid principal in policy: "SERVICE":"amazonaws.com"`},
		{"principal/valid forms", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":["*","123456789012","arn:aws:iam::123456789012:root","arn:aws:iam::123456789012:user/a/b","arn:aws:iam::123456789012:role/R","arn:aws:sts::123456789012:assumed-role/R/s","arn:aws:sts::123456789012:federated-user/f","AIDAJQABLZS4A3QDU576Q"],"Service":["lambda.amazonaws.com","states.us-east-1.amazonaws.com"],"Federated":"accounts.google.com","CanonicalUser":"79a59df900b949e55d96a1e698fbaced"},"Action":"lambda:*","Resource":"*"}]}`, ok},
		{"principal/deny with notprincipal", KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::123456789012:user/a"},"Action":"lambda:*","Resource":"*"}]}`, ok},
		// Trust policies: "IAM JSON policy elements: Principal", "Role trust policies".
		{"trust/lambda service", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`, ok},
		{"trust/resource: external-dns#3085", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`, msgTrustResource},
		{"trust/notresource", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole","NotResource":"*"}]}`, "Has prohibited field NotResource"},
		{"trust/missing principal", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole"}]}`, msgMissingPrincipal},
		{"trust/missing effect", KindTrust, `{"Version":"2012-10-17","Statement":[{"Principal":"*","Action":"sts:AssumeRole"}]}`, msgMissingEffect},
		{"trust/missing action", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*"}]}`, msgMissingAction},
		{"trust/non-sts action", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}]}`, msgTrustActions},
		{"trust/action star", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"*"}]}`, msgTrustActions},
		{"trust/web identity and tag session", KindTrust, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],"Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"}}}]}`, ok},
		{"trust/sid with spaces accepted", KindTrust, `{"Version":"2012-10-17","Statement":[{"Sid":"","Effect":"Allow","Principal":"*","Action":"sts:AssumeRole"}]}`, ok},
		// Actions: "IAM JSON policy elements: Action"; unknown actions are accepted.
		{"action/unknown accepted", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:ListEventSourceMapping","cloudwatchlog:GetLogEvents"],"Resource":"*"}]}`, ok},
		{"action/missing: aws-cdk#7615", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Resource":"*"}]}`, msgNeedActions},
		{"action/empty list", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]}`, msgNeedActions},
		{"action/two colons: kappa#111", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ec2:ec2:CreateNetworkInterface","Resource":"*"}]}`, msgActionColon},
		{"action/no vendor", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, msgActionVendor},
		{"action/bad vendor", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3_x:GetObject","Resource":"*"}]}`, "Vendor s3_x is not valid"},
		{"action/wildcards", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["*","*:Get*","iam:*User?","s3:*"],"Resource":"*"}]}`, ok},
		// Resources: "IAM JSON policy elements: Resource".
		{"resource/missing: terraform-aws-iam#364", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*"}]}`, msgNeedResources},
		{"resource/empty list", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":[]}]}`, msgNeedResources},
		{"resource/not an ARN: s3-anti-virus#21", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sns:Publish","Resource":"sns-topic-name"}]}`, `Resource sns-topic-name must be in ARN format or "*".`},
		{"resource/empty string: notify-slack#20", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kms:*","Resource":""}]}`, `Resource  must be in ARN format or "*".`},
		{"resource/iam with region: cloud-gov#1838", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetRole","Resource":"arn:aws:iam:us-east-1:123456789012:role/x"}]}`, "IAM resource arn:aws:iam:us-east-1:123456789012:role/x cannot contain region information."},
		{"resource/iam bad type: parliament#177", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListRoleTags","Resource":"arn:aws:iam::123456789012:*/*"}]}`, msgIAMPath},
		{"resource/iam star", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":["arn:aws:iam::123456789012:*","arn:aws:iam::*:role/*","arn:aws:iam::aws:policy/*"]}]}`, ok},
		{"resource/wildcard vendor", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3*:::b"}]}`, msgResourceVendor},
		{"resource/bad partition", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:foo:s3:::b"}]}`, `Partition "foo" is not valid for resource "arn:foo:s3:::b".`},
		{"resource/short ARN fails legacy parsing", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"arn:aws:lambda::fn"}]}`, msgLegacy},
		{"resource/variable with colon", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:*","Resource":"arn:aws:iam::${aws:PrincipalAccount}:user/${aws:username}"}]}`, ok},
		// Sid: "IAM JSON policy elements: Sid".
		{"sid/not alphanumeric: carthage_cache#22", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Sid":"autogenerated-id","Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgSidAlnum},
		{"sid/duplicate", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},{"Sid":"A","Effect":"Deny","Action":"s3:*","Resource":"*"}]}`, msgSidUnique},
		{"sid/spaces accepted in resource policies", KindResource, `{"Version":"2012-10-17","Statement":[{"Sid":"Allow use","Effect":"Allow","Principal":"*","Action":"lambda:*","Resource":"*"}]}`, ok},
		// Conditions: "IAM JSON policy elements: Condition operators".
		{"condition/all operators", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualsIfExists":{"a:b":"x"},"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"ForAllValues:NumericLessThan":{"s3:max-keys":[10]},"Bool":{"aws:SecureTransport":false},"DateGreaterThan":{"aws:CurrentTime":"2020-01-01T00:00:00Z"},"IpAddress":{"aws:SourceIp":["10.0.0.0/8","2001:db8::/32"]},"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:role/x"},"Null":{"aws:TokenIssueTime":"true"},"BinaryEquals":{"k:b":"QmluYXJ5"}}}]}`, ok},
		{"condition/unknown operator", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{"a:b":"x"}}}]}`, msgSyntax},
		{"condition/unknown operator with empty body (moto)", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqualz":{}}}]}`, ok},
		{"condition/missing operator: cfn-lint#3751", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"servicecatalog:accountLevel":"self"}}]}`, msgSyntax},
		{"condition/array: aws-cdk#25826", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":[{"StringEquals":{"a:b":"x"}}]}]}`, msgSyntax},
		{"condition/null value", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a:b":null}}}]}`, msgSyntax},
		{"condition/bad date fails legacy parsing", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}]}`, msgLegacy},
		{"condition/epoch date", KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:EpochTime":"1700000000"}}}]}`, ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(tc.doc, tc.kind)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if p == nil || len(p.Statements) == 0 {
					t.Fatalf("Parse returned no statements")
				}
				return
			}
			var me *MalformedError
			if !errors.As(err, &me) {
				t.Fatalf("Parse error = %v, want *MalformedError %q", err, tc.want)
			}
			if me.Message != tc.want {
				t.Fatalf("message = %q, want %q", me.Message, tc.want)
			}
			if !strings.HasPrefix(me.Error(), "MalformedPolicyDocument: ") {
				t.Fatalf("Error() = %q", me.Error())
			}
		})
	}
}

// CreatePolicy requires Version 2012-10-17
// (Meteor-Community-Packages/Meteor-CollectionFS#630).
func TestParseManaged(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, doc, want string
	}{
		{"2012", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, ""},
		{"absent", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgManagedVersion},
		{"2008", `{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, msgManagedVersion},
		{"syntax first", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","X":1}]}`, msgSyntax},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := ParseManaged(tc.doc)
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

func TestParseCompiledFields(t *testing.T) {
	t.Parallel()
	p, err := Parse(`{"Version":"2012-10-17","Id":"x","Statement":[{"Sid":"S","Effect":"Deny","NotAction":"iam:*","NotResource":["arn:aws:s3:::b"],"Principal":{"AWS":"123456789012"}}]}`, KindResource)
	if err != nil {
		t.Fatal(err)
	}
	st := p.Statements[0]
	if p.ID != "x" || p.Kind != KindResource || st.Sid != "S" || st.Effect != EffectDeny || !st.NotAction || !st.NotResource ||
		st.Principals["AWS"][0] != "123456789012" || st.Effect.String() != "Deny" {
		t.Fatalf("unexpected statement %+v", st)
	}
	if k := Kind(99); k.String() != "none" {
		t.Fatal(k.String())
	}
	if _, err := Parse(`{"Statement":{"Effect":"Allow","Action":"s3:*","Resource":"*"}}`, Kind(0)); err != nil {
		t.Fatalf("unknown kind should parse as identity: %v", err)
	}
}

func TestKindString(t *testing.T) {
	t.Parallel()
	want := map[Kind]string{KindIdentity: "identity", KindResource: "resource", KindTrust: "trust",
		KindBoundary: "boundary", KindSession: "session", 0: "none"}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("%d: %q", k, k.String())
		}
	}
}
