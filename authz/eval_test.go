package authz

import (
	"fmt"
	"slices"
	"testing"
)

const acct = "123456789012"

var (
	bob     = Principal{ARN: "arn:aws:iam::123456789012:user/bob", Account: acct}
	root    = Principal{ARN: "arn:aws:iam::123456789012:root", Account: acct, IsRoot: true}
	session = Principal{ARN: "arn:aws:sts::123456789012:assumed-role/R/s1", Account: acct, RoleARN: "arn:aws:iam::123456789012:role/R"}
	fedUser = Principal{ARN: "arn:aws:sts::123456789012:federated-user/f", Account: acct}
	lambdaP = Principal{Service: "lambda.amazonaws.com"}
)

func mustParse(t testing.TB, kind Kind, doc string) *Policy {
	t.Helper()
	p, err := Parse(doc, kind)
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

// stmt builds a one-statement 2012-10-17 document.
func stmt(body string) string {
	return `{"Version":"2012-10-17","Statement":[` + body + `]}`
}

func allowAll(action string) string {
	return stmt(fmt.Sprintf(`{"Effect":"Allow","Action":%q,"Resource":"*"}`, action))
}

// TestActionMatching follows "IAM JSON policy elements: Action": matching
// is case-insensitive, * and ? are wildcards, NotAction matches every other
// action.
func TestActionMatching(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, action string
		want            bool
	}{
		{"iam:CreateUser", "iam:CreateUser", true},
		{"iam:createuser", "IAM:CreateUser", true},
		{"iam:CreateUser", "iam:CreateUsers", false},
		{"iam:*", "iam:CreateUser", true},
		{"iam:*", "sts:AssumeRole", false},
		{"*", "lambda:InvokeFunction", true},
		{"iam:Get*", "iam:GetUser", true},
		{"iam:Get*", "iam:ListUsers", false},
		{"iam:*User", "iam:DeleteUser", true},
		{"iam:*User", "iam:DeleteUserPolicy", false},
		{"iam:*User*", "iam:DeleteUserPolicy", true},
		{"iam:?etUser", "iam:GetUser", true},
		{"iam:?etUser", "iam:GGetUser", false},
		{"*:Get*", "s3:GetObject", true},
		{"lambda:Invoke*", "lambda:InvokeFunctionUrl", true},
	}
	for _, tc := range cases {
		t.Run(tc.pattern+"/"+tc.action, func(t *testing.T) {
			t.Parallel()
			p := mustParse(t, KindIdentity, allowAll(tc.pattern))
			r := Evaluate(Request{Principal: bob, Action: tc.action, Resource: "*"}, PolicySet{Identity: []Named{{"p", p}}})
			if got := r.Decision == Allow; got != tc.want {
				t.Fatalf("allow = %v, want %v", got, tc.want)
			}
			n := mustParse(t, KindIdentity, stmt(fmt.Sprintf(`{"Effect":"Allow","NotAction":%q,"Resource":"*"}`, tc.pattern)))
			r = Evaluate(Request{Principal: bob, Action: tc.action, Resource: "*"}, PolicySet{Identity: []Named{{"n", n}}})
			if got := r.Decision == Allow; got == tc.want {
				t.Fatalf("NotAction allow = %v, want %v", got, !tc.want)
			}
		})
	}
}

// TestResourceMatching follows "IAM JSON policy elements: Resource", "Using
// wildcards in resource ARNs": case-sensitive; * and ? within segments; a *
// at the end of a segment may cross colons; in the resource segment * spans
// "/" and ":".
func TestResourceMatching(t *testing.T) {
	t.Parallel()
	cases := []struct {
		pattern, resource string
		want              bool
	}{
		{"*", "arn:aws:iam::123456789012:user/bob", true},
		{"*", "*", true},
		{"arn:aws:iam::123456789012:user/bob", "*", false},
		{"arn:aws:iam::123456789012:user/bob", "arn:aws:iam::123456789012:user/bob", true},
		{"arn:aws:iam::123456789012:user/Bob", "arn:aws:iam::123456789012:user/bob", false},
		{"arn:aws:iam::123456789012:user/*", "arn:aws:iam::123456789012:user/path/bob", true},
		{"arn:aws:iam::123456789012:user/accounting/*", "arn:aws:iam::123456789012:user/bob", false},
		{"arn:aws:iam::*:user/bob", "arn:aws:iam::123456789012:user/bob", true},
		{"arn:aws:iam::1234567890?2:user/bob", "arn:aws:iam::123456789012:user/bob", true},
		{"arn:aws:iam::123456789012:user/b?b", "arn:aws:iam::123456789012:user/bob", true},
		{"arn:aws:lambda:*:123456789012:function:f", "arn:aws:lambda:us-east-1:123456789012:function:f", true},
		{"arn:aws:lambda:us-*-1:123456789012:function:f", "arn:aws:lambda:us-east-1:123456789012:function:f", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:*", "arn:aws:lambda:us-east-1:123456789012:function:f:PROD", true},
		{"arn:aws:lambda:us-east-1:123456789012:function:f", "arn:aws:lambda:us-east-1:123456789012:function:f:PROD", false},
		{"arn:aws:lambda:us-east-1:123456789012:function:f*", "arn:aws:lambda:us-east-1:123456789012:function:f:1", true},
		{"arn:aws:lambda:*", "arn:aws:lambda:us-east-1:123456789012:function:f", true},
		{"arn:aws:s3:::b*t", "arn:aws:s3:::b:x:t", true},
		{"arn:aws:lambda:us*1:123456789012:function:f", "arn:aws:lambda:us:x:1:123456789012:function:f", false},
	}
	for _, tc := range cases {
		t.Run(tc.pattern+"/"+tc.resource, func(t *testing.T) {
			t.Parallel()
			doc := stmt(fmt.Sprintf(`{"Effect":"Allow","Action":"*","Resource":%q}`, tc.pattern))
			p := mustParse(t, KindIdentity, doc)
			r := Evaluate(Request{Principal: bob, Action: "lambda:GetFunction", Resource: tc.resource}, PolicySet{Identity: []Named{{"p", p}}})
			if got := r.Decision == Allow; got != tc.want {
				t.Fatalf("allow = %v, want %v", got, tc.want)
			}
			doc = stmt(fmt.Sprintf(`{"Effect":"Allow","Action":"*","NotResource":%q}`, tc.pattern))
			n := mustParse(t, KindIdentity, doc)
			r = Evaluate(Request{Principal: bob, Action: "lambda:GetFunction", Resource: tc.resource}, PolicySet{Identity: []Named{{"n", n}}})
			if got := r.Decision == Allow; got == tc.want {
				t.Fatalf("NotResource allow = %v, want %v", got, !tc.want)
			}
		})
	}
}

// TestPrincipalMatching follows "IAM JSON policy elements: Principal" and
// "IAM JSON policy elements: NotPrincipal".
func TestPrincipalMatching(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		principal string // JSON value of Principal
		caller    Principal
		want      bool
	}{
		{"star", `"*"`, bob, true},
		{"aws star", `{"AWS":"*"}`, session, true},
		{"user arn", `{"AWS":"arn:aws:iam::123456789012:user/bob"}`, bob, true},
		{"other user", `{"AWS":"arn:aws:iam::123456789012:user/alice"}`, bob, false},
		{"account id", `{"AWS":"123456789012"}`, bob, true},
		{"account root arn", `{"AWS":"arn:aws:iam::123456789012:root"}`, bob, true},
		{"other account", `{"AWS":"111122223333"}`, bob, false},
		{"role arn matches session", `{"AWS":"arn:aws:iam::123456789012:role/R"}`, session, true},
		{"session arn", `{"AWS":"arn:aws:sts::123456789012:assumed-role/R/s1"}`, session, true},
		{"other session", `{"AWS":"arn:aws:sts::123456789012:assumed-role/R/s2"}`, session, false},
		{"service", `{"Service":"lambda.amazonaws.com"}`, lambdaP, true},
		{"other service", `{"Service":"ec2.amazonaws.com"}`, lambdaP, false},
		{"service does not match aws account", `{"AWS":"123456789012"}`, lambdaP, false},
		{"federated", `{"Federated":"accounts.google.com"}`, Principal{Federated: "accounts.google.com"}, true},
		{"list", `{"AWS":["arn:aws:iam::123456789012:user/alice","arn:aws:iam::123456789012:user/bob"]}`, bob, true},
		{"unique id never matches", `{"AWS":"AIDAJQABLZS4A3QDU576Q"}`, bob, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := stmt(fmt.Sprintf(`{"Effect":"Allow","Principal":%s,"Action":"lambda:InvokeFunction","Resource":"*"}`, tc.principal))
			p := mustParse(t, KindResource, doc)
			r := Evaluate(Request{Principal: tc.caller, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:123456789012:function:f"},
				PolicySet{Resource: []Named{{"fn", p}}})
			if got := r.Decision == Allow; got != tc.want {
				t.Fatalf("allow = %v, want %v (%+v)", got, tc.want, r)
			}
			doc = stmt(fmt.Sprintf(`{"Effect":"Deny","NotPrincipal":%s,"Action":"lambda:InvokeFunction","Resource":"*"}`, tc.principal))
			n := mustParse(t, KindResource, doc)
			r = Evaluate(Request{Principal: tc.caller, Action: "lambda:InvokeFunction", Resource: "*"},
				PolicySet{Resource: []Named{{"fn", n}}})
			if got := r.Decision == ExplicitDeny; got == tc.want {
				t.Fatalf("NotPrincipal deny = %v, want %v", got, !tc.want)
			}
		})
	}
}

// TestEvaluationLogic follows "Policy evaluation logic", "Policy evaluation
// for requests within a single account", "Permissions boundaries for IAM
// entities" (evaluating effective permissions) and "Session policies".
func TestEvaluationLogic(t *testing.T) {
	t.Parallel()
	allowS3 := allowAll("s3:*")
	denyS3 := stmt(`{"Effect":"Deny","Action":"s3:*","Resource":"*"}`)
	allowIAM := allowAll("iam:*")
	resUser := stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"s3:*","Resource":"*"}`)
	resSession := stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:sts::123456789012:assumed-role/R/s1"},"Action":"s3:*","Resource":"*"}`)
	resRole := stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/R"},"Action":"s3:*","Resource":"*"}`)
	resAccount := stmt(`{"Effect":"Allow","Principal":{"AWS":"123456789012"},"Action":"s3:*","Resource":"*"}`)
	resDeny := stmt(`{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"*"}`)
	trustUser := stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/bob"},"Action":"sts:AssumeRole"}`)
	trustAccount := stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}`)
	trustRole := stmt(`{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/R"},"Action":"sts:AssumeRole"}`)
	trustLambda := stmt(`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}`)
	allowAssume := allowAll("sts:AssumeRole")

	type tc struct {
		name       string
		caller     Principal
		action     string
		identity   []string
		boundary   string
		session    []string
		hasSession bool
		resource   []string
		trust      string
		want       Decision
		by         Kind
	}
	cases := []tc{
		{name: "no policies: implicit deny", caller: bob, action: "s3:GetObject", want: ImplicitDeny, by: KindIdentity},
		{name: "identity allows", caller: bob, action: "s3:GetObject", identity: []string{allowS3}, want: Allow, by: KindIdentity},
		{name: "identity allows other service", caller: bob, action: "s3:GetObject", identity: []string{allowIAM}, want: ImplicitDeny, by: KindIdentity},
		{name: "explicit deny beats allow", caller: bob, action: "s3:GetObject", identity: []string{allowS3, denyS3}, want: ExplicitDeny, by: KindIdentity},
		{name: "boundary intersects", caller: bob, action: "s3:GetObject", identity: []string{allowS3}, boundary: allowIAM, want: ImplicitDeny, by: KindBoundary},
		{name: "boundary alone grants nothing", caller: bob, action: "iam:GetUser", boundary: allowIAM, want: ImplicitDeny, by: KindIdentity},
		{name: "boundary and identity allow", caller: bob, action: "iam:GetUser", identity: []string{allowIAM}, boundary: allowIAM, want: Allow, by: KindIdentity},
		{name: "boundary deny", caller: bob, action: "s3:GetObject", identity: []string{allowS3}, boundary: denyS3, want: ExplicitDeny, by: KindBoundary},
		{name: "session policy intersects", caller: session, action: "s3:GetObject", identity: []string{allowS3}, session: []string{allowIAM}, hasSession: true, want: ImplicitDeny, by: KindSession},
		{name: "session policy allows", caller: session, action: "s3:GetObject", identity: []string{allowS3}, session: []string{allowS3}, hasSession: true, want: Allow, by: KindIdentity},
		{name: "session policy deny", caller: session, action: "s3:GetObject", identity: []string{allowS3}, session: []string{denyS3}, hasSession: true, want: ExplicitDeny, by: KindSession},
		{name: "no session policy: role session allowed", caller: session, action: "s3:GetObject", identity: []string{allowS3}, want: Allow, by: KindIdentity},
		{name: "federated user without session policy denied", caller: fedUser, action: "s3:GetObject", identity: []string{allowS3}, want: ImplicitDeny, by: KindSession},
		{name: "resource policy names user: allowed without identity", caller: bob, action: "s3:GetObject", resource: []string{resUser}, want: Allow, by: KindResource},
		{name: "resource policy names user: boundary does not limit", caller: bob, action: "s3:GetObject", boundary: allowIAM, resource: []string{resUser}, want: Allow, by: KindResource},
		{name: "resource policy names session: session policy does not limit", caller: session, action: "s3:GetObject", session: []string{allowIAM}, hasSession: true, boundary: allowIAM, resource: []string{resSession}, want: Allow, by: KindResource},
		{name: "resource policy names role: allowed", caller: session, action: "s3:GetObject", resource: []string{resRole}, want: Allow, by: KindResource},
		{name: "resource policy names role: boundary limits", caller: session, action: "s3:GetObject", boundary: allowIAM, resource: []string{resRole}, want: ImplicitDeny, by: KindBoundary},
		{name: "resource policy names role: session policy limits", caller: session, action: "s3:GetObject", session: []string{allowIAM}, hasSession: true, resource: []string{resRole}, want: ImplicitDeny, by: KindSession},
		{name: "resource policy names account: boundary limits", caller: bob, action: "s3:GetObject", boundary: allowIAM, resource: []string{resAccount}, want: ImplicitDeny, by: KindBoundary},
		{name: "resource policy names account: allowed", caller: bob, action: "s3:GetObject", resource: []string{resAccount}, want: Allow, by: KindResource},
		{name: "resource deny beats identity allow", caller: bob, action: "s3:GetObject", identity: []string{allowS3}, resource: []string{resDeny}, want: ExplicitDeny, by: KindResource},
		{name: "resource policy not matching: identity decides", caller: bob, action: "iam:GetUser", resource: []string{resUser}, want: ImplicitDeny, by: KindIdentity},
		{name: "root allowed without policies", caller: root, action: "iam:CreateUser", want: Allow, by: 0},
		{name: "root ignores identity deny", caller: root, action: "s3:GetObject", identity: []string{denyS3}, want: Allow, by: 0},
		{name: "root ignores boundary", caller: root, action: "s3:GetObject", boundary: allowIAM, want: Allow, by: 0},
		{name: "root denied by resource policy", caller: root, action: "s3:GetObject", resource: []string{resDeny}, want: ExplicitDeny, by: KindResource},
		{name: "trust names user: allowed without identity", caller: bob, action: "sts:AssumeRole", trust: trustUser, want: Allow, by: KindTrust},
		{name: "trust names account: identity needed", caller: bob, action: "sts:AssumeRole", trust: trustAccount, want: ImplicitDeny, by: KindIdentity},
		{name: "trust names account: identity allows", caller: bob, action: "sts:AssumeRole", identity: []string{allowAssume}, trust: trustAccount, want: Allow, by: KindIdentity},
		{name: "trust names account: boundary limits", caller: bob, action: "sts:AssumeRole", identity: []string{allowAssume}, boundary: allowIAM, trust: trustAccount, want: ImplicitDeny, by: KindBoundary},
		{name: "trust does not name caller: identity allow is not enough", caller: bob, action: "sts:AssumeRole", identity: []string{allowAssume}, trust: trustLambda, want: ImplicitDeny, by: KindTrust},
		{name: "trust does not name caller and no identity allow", caller: bob, action: "sts:AssumeRole", trust: trustLambda, want: ImplicitDeny, by: KindIdentity},
		{name: "trust names role: role chaining", caller: session, action: "sts:AssumeRole", trust: trustRole, want: Allow, by: KindTrust},
		{name: "trust names role: session policy limits", caller: session, action: "sts:AssumeRole", trust: trustRole, session: []string{allowIAM}, hasSession: true, want: ImplicitDeny, by: KindSession},
		{name: "trust names service", caller: lambdaP, action: "sts:AssumeRole", trust: trustLambda, want: Allow, by: KindTrust},
		{name: "root needs trust", caller: root, action: "sts:AssumeRole", trust: trustLambda, want: ImplicitDeny, by: KindTrust},
		{name: "root named by trust", caller: root, action: "sts:AssumeRole", trust: trustAccount, want: Allow, by: KindTrust},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			var set PolicySet
			for i, d := range c.identity {
				set.Identity = append(set.Identity, Named{fmt.Sprintf("id%d", i), mustParse(t, KindIdentity, d)})
			}
			if c.boundary != "" {
				set.Boundary = &Named{"boundary", mustParse(t, KindBoundary, c.boundary)}
			}
			for i, d := range c.session {
				set.Session = append(set.Session, Named{fmt.Sprintf("s%d", i), mustParse(t, KindSession, d)})
			}
			set.HasSession = c.hasSession
			for i, d := range c.resource {
				set.Resource = append(set.Resource, Named{fmt.Sprintf("r%d", i), mustParse(t, KindResource, d)})
			}
			res := "arn:aws:s3:::b/k"
			if c.trust != "" {
				set.Resource = append(set.Resource, Named{"trust", mustParse(t, KindTrust, c.trust)})
				res = "arn:aws:iam::123456789012:role/Target"
			}
			r := Evaluate(Request{Principal: c.caller, Action: c.action, Resource: res}, set)
			if r.Decision != c.want || r.DecidedBy != c.by {
				t.Fatalf("got %v by %v, want %v by %v (matched %+v)", r.Decision, r.DecidedBy, c.want, c.by, r.Matched)
			}
		})
	}
}

func TestMatchedStatements(t *testing.T) {
	t.Parallel()
	p := mustParse(t, KindIdentity, `{"Version":"2012-10-17","Statement":[
		{"Sid":"A","Effect":"Allow","Action":"s3:*","Resource":"*"},
		{"Sid":"B","Effect":"Allow","Action":"iam:*","Resource":"*"},
		{"Sid":"C","Effect":"Deny","Action":"s3:Get*","Resource":"*"}]}`)
	r := Evaluate(Request{Principal: bob, Action: "s3:GetObject", Resource: "*"}, PolicySet{Identity: []Named{{"arn:aws:iam::123456789012:policy/P", p}}})
	want := []StmtRef{
		{Policy: "arn:aws:iam::123456789012:policy/P", Kind: KindIdentity, Index: 0, Sid: "A", Effect: "Allow"},
		{Policy: "arn:aws:iam::123456789012:policy/P", Kind: KindIdentity, Index: 2, Sid: "C", Effect: "Deny"},
	}
	if r.Decision != ExplicitDeny || !slices.Equal(r.Matched, want) {
		t.Fatalf("got %+v", r)
	}
	if r.Decision.String() != "ExplicitDeny" || Allow.String() != "Allow" || ImplicitDeny.String() != "ImplicitDeny" {
		t.Fatal("Decision.String")
	}
}

// TestDenialMessage follows "Troubleshoot access denied error messages".
func TestDenialMessage(t *testing.T) {
	t.Parallel()
	const u, a, r = "arn:aws:iam::123456789012:user/bob", "iam:CreateUser", "arn:aws:iam::123456789012:user/alice"
	prefix := "User: " + u + " is not authorized to perform: " + a + " on resource: " + r
	cases := []struct {
		res  Result
		text string
		want string
	}{
		{Result{Decision: ImplicitDeny, DecidedBy: KindIdentity}, r, prefix + " because no identity-based policy allows the iam:CreateUser action"},
		{Result{Decision: ExplicitDeny, DecidedBy: KindIdentity}, r, prefix + " with an explicit deny in an identity-based policy"},
		{Result{Decision: ExplicitDeny, DecidedBy: KindBoundary}, r, prefix + " with an explicit deny in a permissions boundary"},
		{Result{Decision: ImplicitDeny, DecidedBy: KindBoundary}, r, prefix + " because no permissions boundary allows the iam:CreateUser action"},
		{Result{Decision: ImplicitDeny, DecidedBy: KindSession}, r, prefix + " because no session policy allows the iam:CreateUser action"},
		{Result{Decision: ExplicitDeny, DecidedBy: KindSession}, r, prefix + " with an explicit deny in a sessions policy"},
		{Result{Decision: ImplicitDeny, DecidedBy: KindResource}, r, prefix + " because no resource-based policy allows the iam:CreateUser action"},
		{Result{Decision: ImplicitDeny, DecidedBy: KindTrust}, r, prefix + " because no resource-based policy allows the iam:CreateUser action"},
		{Result{Decision: ExplicitDeny, DecidedBy: KindResource}, r, prefix + " with an explicit deny in a resource-based policy"},
		{Result{Decision: ImplicitDeny, DecidedBy: KindIdentity}, "", "User: " + u + " is not authorized to perform: " + a + " because no identity-based policy allows the iam:CreateUser action"},
		{Result{Decision: ImplicitDeny}, r, prefix},
		{Result{Decision: Allow, DecidedBy: KindIdentity}, r, ""},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			if got := DenialMessage(u, a, tc.text, tc.res); got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
