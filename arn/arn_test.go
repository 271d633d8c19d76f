package arn

import (
	"errors"
	"strings"
	"testing"
)

var (
	iamScope = Scope{Partition: "aws", Account: "123456789012"}
	govScope = Scope{Partition: "aws-us-gov", Region: "us-gov-west-1", Account: "123456789012"}
	regional = Scope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}
)

// Every builder renders the documented format, and what it renders parses back to the same
// fields (formats: "IAM identifiers"; the resource types of internal/awsdata/service-authorization).
func TestBuildersRoundTrip(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		got  ARN
		want string
	}{
		{"root", iamScope.Root(), "arn:aws:iam::123456789012:root"},
		{"user", iamScope.User("/", "bob"), "arn:aws:iam::123456789012:user/bob"},
		{"user with path", iamScope.User("/division_abc/subdivision_xyz/", "Bob"), "arn:aws:iam::123456789012:user/division_abc/subdivision_xyz/Bob"},
		{"user empty path", iamScope.User("", "bob"), "arn:aws:iam::123456789012:user/bob"},
		{"user path prefix", iamScope.User("/a/", ""), "arn:aws:iam::123456789012:user/a/"},
		{"group", iamScope.Group("/g/", "admins"), "arn:aws:iam::123456789012:group/g/admins"},
		{"role", iamScope.Role("/", "R"), "arn:aws:iam::123456789012:role/R"},
		{"role gov", govScope.Role("/app/", "R"), "arn:aws-us-gov:iam::123456789012:role/app/R"},
		{"policy", iamScope.Policy("/", "P"), "arn:aws:iam::123456789012:policy/P"},
		{"instance profile", iamScope.InstanceProfile("/", "ip"), "arn:aws:iam::123456789012:instance-profile/ip"},
		{"server certificate", iamScope.ServerCertificate("/c/", "cert"), "arn:aws:iam::123456789012:server-certificate/c/cert"},
		{"mfa", iamScope.MFA("/", "dev"), "arn:aws:iam::123456789012:mfa/dev"},
		{"oidc provider", iamScope.OIDCProvider("token.actions.githubusercontent.com"), "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
		{"saml provider", iamScope.SAMLProvider("okta"), "arn:aws:iam::123456789012:saml-provider/okta"},
		{"access report", iamScope.AccessReport("o-1/r-2"), "arn:aws:iam::123456789012:access-report/o-1/r-2"},
		{"delegation request", iamScope.DelegationRequest("d1"), "arn:aws:iam::123456789012:delegation-request/d1"},
		{"aws managed policy", AWSManagedPolicy("aws", "/", "AdministratorAccess"), "arn:aws:iam::aws:policy/AdministratorAccess"},
		{"aws managed policy cn", AWSManagedPolicy("aws-cn", "/service-role/", "AWSLambdaBasicExecutionRole"), "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		{"assumed role", iamScope.AssumedRole("R", "s1"), "arn:aws:sts::123456789012:assumed-role/R/s1"},
		{"federated user", iamScope.FederatedUser("bob"), "arn:aws:sts::123456789012:federated-user/bob"},
		{"function", regional.Function("f"), "arn:aws:lambda:us-east-1:123456789012:function:f"},
		{"function version", regional.FunctionVersion("f", "7"), "arn:aws:lambda:us-east-1:123456789012:function:f:7"},
		{"function unqualified", regional.FunctionVersion("f", ""), "arn:aws:lambda:us-east-1:123456789012:function:f"},
		{"function gov", govScope.Function("f"), "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f"},
		{"layer", regional.Layer("lib"), "arn:aws:lambda:us-east-1:123456789012:layer:lib"},
		{"layer version", regional.LayerVersion("lib", 3), "arn:aws:lambda:us-east-1:123456789012:layer:lib:3"},
		{"event source mapping", regional.EventSourceMapping("a1b2"), "arn:aws:lambda:us-east-1:123456789012:event-source-mapping:a1b2"},
		{"code signing config", regional.CodeSigningConfig("csc-0123"), "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123"},
		{"capacity provider", regional.CapacityProvider("cp"), "arn:aws:lambda:us-east-1:123456789012:capacity-provider:cp"},
		{"runtime version", RuntimeVersion("aws", "us-east-1", "ab12"), "arn:aws:lambda:us-east-1::runtime:ab12"},
		{"log group", regional.LogGroup("/aws/lambda/f"), "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f"},
		{"log group wildcard", regional.LogGroupWildcard("/aws/lambda/f"), "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*"},
		{"log stream", regional.LogStream("g", "s"), "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s"},
		{"log group actions", regional.LogStream("g", ""), "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:"},
		{"alarm", regional.Alarm("high"), "arn:aws:cloudwatch:us-east-1:123456789012:alarm:high"},
		{"every alarm", regional.Alarm("*"), "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if s := c.got.String(); s != c.want {
				t.Fatalf("String() = %q, want %q", s, c.want)
			}
			back, err := Parse(c.want)
			if err != nil || back != c.got {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v", c.want, back, err, c.got)
			}
		})
	}
}

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		in   string
		want ARN
		ok   bool
	}{
		{"arn:aws:s3:::bucket", ARN{Partition: "aws", Service: "s3", Resource: "bucket"}, true},
		{"arn:aws:lambda:us-east-1:123456789012:function:f:prod", ARN{"aws", "lambda", "us-east-1", "123456789012", "function:f:prod"}, true},
		{"arn:aws-cn:iam::123456789012:user/a/b", ARN{"aws-cn", "iam", "", "123456789012", "user/a/b"}, true},
		{"arn:aws:iam::123456789012:", ARN{"aws", "iam", "", "123456789012", ""}, true},
		{"arn:aws:iam::123456789012", ARN{}, false},
		{"arn::iam::123456789012:root", ARN{}, false},
		{"arn:aws:::123456789012:root", ARN{}, false},
		{"urn:aws:iam::123456789012:root", ARN{}, false},
		{"", ARN{}, false},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			t.Parallel()
			got, err := Parse(c.in)
			if (err == nil) != c.ok || got != c.want {
				t.Fatalf("Parse(%q) = %+v, %v; want %+v ok=%v", c.in, got, err, c.want, c.ok)
			}
			if err != nil && !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v does not wrap ErrMalformed", err)
			}
		})
	}
}

func TestIsAccountIDAndPartition(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in      string
		account bool
	}{{"123456789012", true}, {"12345678901", false}, {"1234567890123", false}, {"12345678901a", false}, {"", false}} {
		if got := IsAccountID(c.in); got != c.account {
			t.Errorf("IsAccountID(%q) = %v", c.in, got)
		}
	}
	for _, c := range []struct {
		in        string
		partition bool
	}{{"aws", true}, {"aws-us-gov", true}, {"aws-eusc", true}, {"aws-iso-f", true}, {"AWS", false}, {"aws-gov", false}, {"", false}} {
		if got := IsPartition(c.in); got != c.partition {
			t.Errorf("IsPartition(%q) = %v", c.in, got)
		}
	}
}

func TestIAMHelpers(t *testing.T) {
	t.Parallel()
	splits := []struct {
		in               string
		kind, path, name string
		ok               bool
	}{
		{"user/bob", "user", "/", "bob", true},
		{"role/a/b/R", "role", "/a/b/", "R", true},
		{"mfa/", "mfa", "/", "", true},
		{"user/a/", "user", "/a/", "", true},
		{"root", "", "", "", false},
	}
	for _, c := range splits {
		kind, path, name, ok := SplitIAMResource(c.in)
		if kind != c.kind || path != c.path || name != c.name || ok != c.ok {
			t.Errorf("SplitIAMResource(%q) = %q %q %q %v", c.in, kind, path, name, ok)
		}
	}
	ins := []struct {
		in   string
		want bool
	}{
		{"arn:aws:iam::123456789012:user/bob", true},
		{"arn:aws-cn:iam::123456789012:user/bob", false},
		{"arn:aws:iam::210987654321:user/bob", false},
		{"arn:aws:iam:us-east-1:123456789012:user/bob", false},
		{"arn:aws:sts::123456789012:federated-user/bob", false},
	}
	for _, c := range ins {
		a, err := Parse(c.in)
		if err != nil || a.InIAM(iamScope) != c.want {
			t.Errorf("InIAM(%q) = %v, %v", c.in, !c.want, err)
		}
	}
}

func TestParseRole(t *testing.T) {
	t.Parallel()
	cases := []struct {
		partition, in string
		want          RoleRef
		ok            bool
	}{
		{"aws", "arn:aws:iam::123456789012:role/R", RoleRef{Scope: iamScope, Path: "/", Name: "R"}, true},
		{"aws", "arn:aws:iam::210987654321:role/a/b/R", RoleRef{Scope: Scope{Partition: "aws", Account: "210987654321"}, Path: "/a/b/", Name: "R"}, true},
		{"aws-us-gov", "arn:aws-us-gov:iam::123456789012:role/R", RoleRef{Scope: Scope{Partition: "aws-us-gov", Account: "123456789012"}, Path: "/", Name: "R"}, true},
		{"aws", "arn:aws-us-gov:iam::123456789012:role/R", RoleRef{}, false},
		{"aws", "arn:aws:iam::123456789012:user/R", RoleRef{}, false},
		{"aws", "arn:aws:iam::123456789012:role/R/", RoleRef{}, false},
		{"aws", "arn:aws:iam::123456789012:role/", RoleRef{}, false},
		{"aws", "arn:aws:iam::aws:role/R", RoleRef{}, false},
		{"aws", "arn:aws:iam:us-east-1:123456789012:role/R", RoleRef{}, false},
		{"aws", "arn:aws:sts::123456789012:role/R", RoleRef{}, false},
		{"aws", "R", RoleRef{}, false},
	}
	for _, c := range cases {
		got, ok := ParseRole(c.partition, c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseRole(%s, %q) = %+v, %v", c.partition, c.in, got, ok)
		}
		if ok && got.Scope.Role(got.Path, got.Name).String() != c.in {
			t.Errorf("ParseRole(%s, %q) does not rebuild the ARN", c.partition, c.in)
		}
	}
}

func TestLogGroupNameAndLambdaID(t *testing.T) {
	t.Parallel()
	groups := []struct {
		in   string
		name string
		ok   bool
	}{
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f", "/aws/lambda/f", true},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*", "/aws/lambda/f", true},
		{"arn:aws:logs:us-east-1:123456789012:log-group:", "", false},
		{"arn:aws:logs:us-east-1:123456789012:destination:d", "", false},
		{"arn:aws:lambda:us-east-1:123456789012:log-group:g", "", false},
	}
	for _, c := range groups {
		a, _ := Parse(c.in)
		if name, ok := LogGroupName(a); name != c.name || ok != c.ok {
			t.Errorf("LogGroupName(%q) = %q, %v", c.in, name, ok)
		}
	}
	identifiers := []struct{ in, want string }{
		{"/aws/lambda/f", "/aws/lambda/f"},
		{"arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f:*", "/aws/lambda/f"},
		{"arn:aws-cn:logs:cn-north-1:123456789012:log-group:g", "g"},
		{"arn:aws:logs:us-east-1:123456789012:destination:d", "arn:aws:logs:us-east-1:123456789012:destination:d"},
	}
	for _, c := range identifiers {
		if got := LogGroupOf(c.in); got != c.want {
			t.Errorf("LogGroupOf(%q) = %q", c.in, got)
		}
	}
	ids := []struct {
		in, kind, want string
	}{
		{"arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1", "code-signing-config", "csc-1"},
		{"arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1", "event-source-mapping", ""},
		{"arn:aws:lambda:eu-west-1:123456789012:code-signing-config:csc-1", "code-signing-config", ""},
		{"arn:aws:lambda:us-east-1:210987654321:code-signing-config:csc-1", "code-signing-config", ""},
		{"arn:aws-cn:lambda:us-east-1:123456789012:code-signing-config:csc-1", "code-signing-config", ""},
	}
	for _, c := range ids {
		a, _ := Parse(c.in)
		if got := LambdaID(a, regional, c.kind); got != c.want {
			t.Errorf("LambdaID(%q, %s) = %q", c.in, c.kind, got)
		}
	}
}

// FuzzParse: any text parses or fails with ErrMalformed, never panics, and what parses renders
// back to exactly the text.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"arn:aws:iam::123456789012:root", "arn:aws:lambda:us-east-1:123456789012:function:f:1",
		"arn:aws:s3:::b/k:with:colons", "arn:::::", "arn:a:b:::", "arn:aws:iam", "", strings.Repeat(":", 9)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("Parse(%q): untyped error %v", s, err)
			}
			return
		}
		if a.String() != s {
			t.Fatalf("Parse(%q).String() = %q", s, a.String())
		}
		if again, err := Parse(a.String()); err != nil || again != a {
			t.Fatalf("re-parse of %q: %+v, %v", s, again, err)
		}
	})
}
