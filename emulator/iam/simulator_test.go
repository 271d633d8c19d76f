package iam

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Tests of SimulatePrincipalPolicy and SimulateCustomPolicy (IAM API Reference; IAM User Guide,
// "Testing IAM policies with the IAM policy simulator").

const simAcct = "123456789012"

var simNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

type simEnv struct {
	t   *testing.T
	s   *Service
	ctx context.Context
}

func newSimEnv(t *testing.T) *simEnv {
	t.Helper()
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return simNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)}})
	ctx := reqctx.With(context.Background(), &reqctx.Info{Now: simNow, Region: "us-east-1",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: simAcct, ARN: "arn:aws:iam::" + simAcct + ":root", UserID: simAcct}})
	return &simEnv{t: t, s: s, ctx: ctx}
}

func (e *simEnv) ok(_ any, err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatalf("unexpected error: %v", err)
	}
}

func simStr(s string) *string { return protocol.Ptr(s) }

func simCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	ae, ok := awserr.As(err)
	if !ok {
		t.Fatalf("not an AWS error: %v", err)
	}
	return ae.Code
}

// simPretty is alice's inline policy, indented as the console writes documents.
const simPretty = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadBuckets",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": "*"
        },
        {
            "Sid": "DeleteOwnPrefix",
            "Effect": "Allow",
            "Action": "s3:DeleteObject",
            "Resource": "arn:aws:s3:::data/${aws:username}/*"
        }
    ]
}`

// simWorld: alice (in group devs, with an inline policy, a customer managed deny and the
// group's inline and AWS managed policies), bob (bounded to s3) and the role app.
func simWorld(t *testing.T) *simEnv {
	e := newSimEnv(t)
	s, ctx := e.s, e.ctx
	e.ok(s.CreateUser(ctx, &iamapi.CreateUserRequest{UserName: simStr("alice")}))
	e.ok(s.PutUserPolicy(ctx, &iamapi.PutUserPolicyRequest{UserName: simStr("alice"), PolicyName: simStr("s3-read"), PolicyDocument: simStr(simPretty)}))
	e.ok(s.CreatePolicy(ctx, &iamapi.CreatePolicyRequest{PolicyName: simStr("deny-delete"), PolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":[{"Sid":"NoBucketDelete","Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`)}))
	e.ok(s.AttachUserPolicy(ctx, &iamapi.AttachUserPolicyRequest{UserName: simStr("alice"), PolicyArn: simStr("arn:aws:iam::" + simAcct + ":policy/deny-delete")}))
	e.ok(s.CreateGroup(ctx, &iamapi.CreateGroupRequest{GroupName: simStr("devs")}))
	e.ok(s.PutGroupPolicy(ctx, &iamapi.PutGroupPolicyRequest{GroupName: simStr("devs"), PolicyName: simStr("invoke"), PolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"*"}}`)}))
	e.ok(s.AttachGroupPolicy(ctx, &iamapi.AttachGroupPolicyRequest{GroupName: simStr("devs"), PolicyArn: simStr("arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess")}))
	e.ok(s.AddUserToGroup(ctx, &iamapi.AddUserToGroupRequest{GroupName: simStr("devs"), UserName: simStr("alice")}))

	e.ok(s.CreatePolicy(ctx, &iamapi.CreatePolicyRequest{PolicyName: simStr("s3-only"), PolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"},{"Effect":"Deny","Action":"s3:PutBucketPolicy","Resource":"*"}]}`)}))
	e.ok(s.CreateUser(ctx, &iamapi.CreateUserRequest{UserName: simStr("bob"), Path: simStr("/eng/")}))
	e.ok(s.PutUserPolicy(ctx, &iamapi.PutUserPolicyRequest{UserName: simStr("bob"), PolicyName: simStr("broad"), PolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*","iam:*"],"Resource":"*"}]}`)}))
	e.ok(s.PutUserPermissionsBoundary(ctx, &iamapi.PutUserPermissionsBoundaryRequest{UserName: simStr("bob"), PermissionsBoundary: simStr("arn:aws:iam::" + simAcct + ":policy/s3-only")}))

	e.ok(s.CreateRole(ctx, &iamapi.CreateRoleRequest{RoleName: simStr("app"), AssumeRolePolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}))
	e.ok(s.PutRolePolicy(ctx, &iamapi.PutRolePolicyRequest{RoleName: simStr("app"), PolicyName: simStr("logs"), PolicyDocument: simStr(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"logs:PutLogEvents","Resource":"*"}]}`)}))
	return e
}

// stmt renders a matched statement as "id|type|line:col-line:col".
func simStmt(s iamapi.Statement) string {
	pos := func(p *iamapi.Position) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%d:%d", *p.Line, *p.Column)
	}
	return fmt.Sprintf("%s|%s|%s-%s", *s.SourcePolicyId, *s.SourcePolicyType, pos(s.StartPosition), pos(s.EndPosition))
}

func simStmts(list []iamapi.Statement) []string {
	out := []string{}
	for _, s := range list {
		out = append(out, simStmt(s))
	}
	return out
}

func simBoundary(d *iamapi.PermissionsBoundaryDecisionDetail) string {
	if d == nil {
		return ""
	}
	return fmt.Sprint(*d.AllowedByPermissionsBoundary)
}

// TestSimulatePrincipalPolicy: the decisions and matched statements of stored policies (a user's
// own, its groups', managed and inline, its boundary; a role's; a group's), each with the
// SourcePolicyId and SourcePolicyType IAM reports.
func TestSimulatePrincipalPolicy(t *testing.T) {
	t.Parallel()
	e := simWorld(t)
	alice := "arn:aws:iam::" + simAcct + ":user/alice"
	bob := "arn:aws:iam::" + simAcct + ":user/eng/bob"
	tests := []struct {
		name, source, action string
		boundary             []string // PermissionsBoundaryPolicyInputList
		input                []string // PolicyInputList
		want                 string
		matched              []string
		bounded              string // PermissionsBoundaryDecisionDetail, "" when absent
	}{
		{name: "inline allow", source: alice, action: "s3:GetObject", want: "allowed",
			matched: []string{"user_alice_s3-read|IAM Policy|3:19-9:10"}},
		{name: "customer managed explicit deny", source: alice, action: "s3:DeleteBucket", want: "explicitDeny",
			matched: []string{"deny-delete|IAM Policy|1:38-1:120"}},
		{name: "no policy allows", source: alice, action: "ec2:RunInstances", want: "implicitDeny", matched: []string{}},
		{name: "group inline", source: alice, action: "lambda:InvokeFunction", want: "allowed",
			matched: []string{"group_devs_invoke|IAM Policy|1:38-1:103"}},
		{name: "group AWS managed", source: alice, action: "sqs:ListQueues", want: "allowed",
			matched: []string{"AmazonSQSReadOnlyAccess|IAM Policy|1:38-1:254"}},
		{name: "PolicyInputList joins the entity's", source: alice, action: "ec2:RunInstances", want: "allowed",
			input:   []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"ec2:*","Resource":"*"}}`},
			matched: []string{"PolicyInputList.1|IAM Policy|1:38-1:87"}},
		{name: "allowed within the boundary", source: bob, action: "s3:ListBucket", want: "allowed", bounded: "true",
			matched: []string{"user_bob_broad|IAM Policy|1:38-1:97", "s3-only|Permissions Boundary Policy|1:38-1:87"}},
		{name: "outside the boundary", source: bob, action: "iam:ListUsers", want: "implicitDeny", bounded: "false", matched: []string{}},
		{name: "boundary deny", source: bob, action: "s3:PutBucketPolicy", want: "explicitDeny", bounded: "false",
			matched: []string{"s3-only|Permissions Boundary Policy|1:87-1:150"}},
		{name: "boundary replaced by the input one", source: bob, action: "iam:ListUsers", want: "allowed", bounded: "true",
			boundary: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:List*","Resource":"*"}]}`},
			matched:  []string{"user_bob_broad|IAM Policy|1:38-1:97", "PermissionsBoundaryPolicyInputList.1|Permissions Boundary Policy|1:38-1:92"}},
		{name: "role inline", source: "arn:aws:iam::" + simAcct + ":role/app", action: "logs:PutLogEvents", want: "allowed",
			matched: []string{"role_app_logs|IAM Policy|1:38-1:100"}},
		{name: "group alone", source: "arn:aws:iam::" + simAcct + ":group/devs", action: "s3:GetObject", want: "implicitDeny", matched: []string{}},
		{name: "group's own policy", source: "arn:aws:iam::" + simAcct + ":group/devs", action: "lambda:InvokeFunction", want: "allowed",
			matched: []string{"group_devs_invoke|IAM Policy|1:38-1:103"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.s.SimulatePrincipalPolicy(e.ctx, &iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: simStr(tt.source),
				ActionNames: []string{tt.action}, PolicyInputList: tt.input, PermissionsBoundaryPolicyInputList: tt.boundary})
			if err != nil {
				t.Fatal(err)
			}
			if len(out.EvaluationResults) != 1 || *out.IsTruncated || out.Marker != nil {
				t.Fatalf("results = %+v", out)
			}
			r := out.EvaluationResults[0]
			if *r.EvalActionName != tt.action || *r.EvalResourceName != "*" || *r.EvalDecision != tt.want {
				t.Errorf("result = %s on %s: %s, want %s", *r.EvalActionName, *r.EvalResourceName, *r.EvalDecision, tt.want)
			}
			if got := simStmts(r.MatchedStatements); !reflect.DeepEqual(got, tt.matched) {
				t.Errorf("matched = %q, want %q", got, tt.matched)
			}
			if got := simBoundary(r.PermissionsBoundaryDecisionDetail); got != tt.bounded {
				t.Errorf("boundary detail = %q, want %q", got, tt.bounded)
			}
			if r.MissingContextValues == nil || r.EvalDecisionDetails != nil || r.ResourceSpecificResults != nil || r.OrganizationsDecisionDetail != nil {
				t.Errorf("shape = %+v", r)
			}
		})
	}
}

// TestSimulatePolicyVariable: ${aws:username} is not filled in from the simulated user; the
// simulator reports it missing until ContextEntries supplies it.
func TestSimulatePolicyVariable(t *testing.T) {
	t.Parallel()
	e := simWorld(t)
	run := func(entries []iamapi.ContextEntry) iamapi.ResourceSpecificResult {
		out, err := e.s.SimulatePrincipalPolicy(e.ctx, &iamapi.SimulatePrincipalPolicyRequest{
			PolicySourceArn: simStr("arn:aws:iam::" + simAcct + ":user/alice"), ActionNames: []string{"s3:DeleteObject"},
			ResourceArns: []string{"arn:aws:s3:::data/alice/report.csv"}, ContextEntries: entries})
		if err != nil {
			t.Fatal(err)
		}
		return out.EvaluationResults[0].ResourceSpecificResults[0]
	}
	r := run(nil)
	if *r.EvalResourceDecision != "implicitDeny" || !reflect.DeepEqual(r.MissingContextValues, []string{"aws:username"}) {
		t.Errorf("without context: %s, missing %q", *r.EvalResourceDecision, r.MissingContextValues)
	}
	r = run([]iamapi.ContextEntry{{ContextKeyName: simStr("aws:username"), ContextKeyType: simStr("string"), ContextKeyValues: []string{"alice"}}})
	if *r.EvalResourceDecision != "allowed" || r.MissingContextValues != nil {
		t.Errorf("with aws:username: %s, missing %q", *r.EvalResourceDecision, r.MissingContextValues)
	}
	if got := simStmts(r.MatchedStatements); !reflect.DeepEqual(got, []string{"user_alice_s3-read|IAM Policy|9:10-15:10"}) {
		t.Errorf("matched = %q", got)
	}
}

// TestSimulateCustomPolicyCLIExample replays the AWS CLI reference example of
// simulate-custom-policy: same positions (Line 1 Column 38 to Line 1 Column 167), same decisions
// for an aws:CurrentTime after and before the policy's date.
func TestSimulateCustomPolicyCLIExample(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t)
	doc := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}`
	for _, tt := range []struct{ when, want string }{{"2019-04-25T11:00:00Z", "allowed"}, {"2014-04-25T11:00:00Z", "implicitDeny"}} {
		out, err := e.s.SimulateCustomPolicy(e.ctx, &iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{doc},
			ActionNames:    []string{"dynamodb:CreateBackup"},
			ContextEntries: []iamapi.ContextEntry{{ContextKeyName: simStr("aws:CurrentTime"), ContextKeyValues: []string{tt.when}, ContextKeyType: simStr("date")}}})
		if err != nil {
			t.Fatal(err)
		}
		r := out.EvaluationResults[0]
		want := []string{}
		if tt.want == "allowed" {
			want = []string{"PolicyInputList.1|IAM Policy|1:38-1:167"}
		}
		if *r.EvalDecision != tt.want || !reflect.DeepEqual(simStmts(r.MatchedStatements), want) || len(r.MissingContextValues) != 0 {
			t.Errorf("%s: %s %q missing %q", tt.when, *r.EvalDecision, simStmts(r.MatchedStatements), r.MissingContextValues)
		}
	}
}

// TestSimulateContextEntries: ContextEntries of every type family reach the conditions, and a
// key the policies need but the request lacks is reported in MissingContextValues, as written
// in the policy.
func TestSimulateContextEntries(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t)
	cond := func(op, key string, val any) string {
		v, _ := simJSON(val)
		return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"` +
			op + `":{"` + key + `":` + v + `}}}]}`
	}
	entry := func(key, typ string, vals ...string) []iamapi.ContextEntry {
		return []iamapi.ContextEntry{{ContextKeyName: simStr(key), ContextKeyType: simStr(typ), ContextKeyValues: vals}}
	}
	tests := []struct {
		name, doc string
		entries   []iamapi.ContextEntry
		want      string
		missing   []string
	}{
		{"string", cond("StringEquals", "aws:PrincipalTag/team", "blue"), entry("aws:PrincipalTag/team", "string", "blue"), "allowed", nil},
		{"string mismatch", cond("StringEquals", "aws:PrincipalTag/team", "blue"), entry("aws:PrincipalTag/team", "string", "red"), "implicitDeny", nil},
		{"string missing", cond("StringEquals", "aws:PrincipalTag/team", "blue"), nil, "implicitDeny", []string{"aws:PrincipalTag/team"}},
		{"key names are case-insensitive", cond("StringEquals", "aws:PrincipalTag/team", "blue"), entry("AWS:principaltag/team", "string", "blue"), "allowed", nil},
		{"stringList", cond("ForAnyValue:StringEquals", "aws:TagKeys", []string{"env", "owner"}), entry("aws:TagKeys", "stringList", "cost", "owner"), "allowed", nil},
		{"stringList none", cond("ForAnyValue:StringEquals", "aws:TagKeys", []string{"env"}), entry("aws:TagKeys", "stringList", "cost", "owner"), "implicitDeny", nil},
		{"numeric", cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600"), entry("aws:MultiFactorAuthAge", "numeric", "120"), "allowed", nil},
		{"numeric too old", cond("NumericLessThan", "aws:MultiFactorAuthAge", "3600"), entry("aws:MultiFactorAuthAge", "numeric", "7200"), "implicitDeny", nil},
		{"numericList", cond("ForAllValues:NumericLessThan", "s3:max-keys", "100"), entry("s3:max-keys", "numericList", "5", "10"), "allowed", nil},
		{"boolean", cond("Bool", "aws:SecureTransport", "true"), entry("aws:SecureTransport", "boolean", "true"), "allowed", nil},
		{"boolean false", cond("Bool", "aws:SecureTransport", "true"), entry("aws:SecureTransport", "boolean", "false"), "implicitDeny", nil},
		{"ip", cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"), entry("aws:SourceIp", "ip", "203.0.113.9"), "allowed", nil},
		{"ip outside", cond("IpAddress", "aws:SourceIp", "203.0.113.0/24"), entry("aws:SourceIp", "ip", "198.51.100.1"), "implicitDeny", nil},
		{"ipList", cond("ForAnyValue:IpAddress", "aws:SourceIp", "10.0.0.0/8"), entry("aws:SourceIp", "ipList", "192.0.2.1", "10.1.2.3"), "allowed", nil},
		{"date", cond("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"), entry("aws:CurrentTime", "date", "2025-03-01T12:00:00Z"), "allowed", nil},
		{"date missing: not filled in from the clock", cond("DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"), nil, "implicitDeny", []string{"aws:CurrentTime"}},
		{"dateList", cond("ForAllValues:DateGreaterThan", "aws:TokenIssueTime", "2020-01-01"), entry("aws:TokenIssueTime", "dateList", "2021-05-05", "2022-06-06"), "allowed", nil},
		{"binary", cond("BinaryEquals", "aws:UserAgentBlob", "aGVsbG8="), entry("aws:UserAgentBlob", "binary", "aGVsbG8="), "allowed", nil},
		{"booleanList", cond("ForAnyValue:Bool", "aws:ViaAWSService", "true"), entry("aws:ViaAWSService", "booleanList", "false", "true"), "allowed", nil},
		{"IfExists with the key absent", cond("StringEqualsIfExists", "s3:prefix", "home/"), nil, "allowed", []string{"s3:prefix"}},
		{"Null", cond("Null", "aws:TokenIssueTime", "true"), nil, "allowed", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.s.SimulateCustomPolicy(e.ctx, &iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{tt.doc},
				ActionNames: []string{"s3:GetObject"}, ContextEntries: tt.entries})
			if err != nil {
				t.Fatal(err)
			}
			r := out.EvaluationResults[0]
			missing := tt.missing
			if missing == nil {
				missing = []string{}
			}
			if *r.EvalDecision != tt.want || !reflect.DeepEqual(r.MissingContextValues, missing) {
				t.Errorf("decision %s missing %q, want %s %q", *r.EvalDecision, r.MissingContextValues, tt.want, missing)
			}
		})
	}
}

func simJSON(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return `"` + v + `"`, nil
	case []string:
		return `["` + strings.Join(v, `","`) + `"]`, nil
	}
	return "", fmt.Errorf("unsupported %T", v)
}

// TestSimulateResources: several ResourceArns give one EvaluationResult per action with one
// ResourceSpecificResult per resource; one resource is repeated at the top; the top decision is
// the most restrictive one; EvalDecisionDetails is present and empty within one account.
func TestSimulateResources(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Good","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::good/*"},` +
		`{"Sid":"Bad","Effect":"Deny","Action":"s3:GetObject","Resource":"arn:aws:s3:::bad/*"}]}`
	good, bad, other := "arn:aws:s3:::good/example", "arn:aws:s3:::bad/example", "arn:aws:s3:::other/example"
	run := func(resources ...string) iamapi.EvaluationResult {
		out, err := e.s.SimulateCustomPolicy(e.ctx, &iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{doc},
			ActionNames: []string{"s3:GetObject"}, ResourceArns: resources})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.EvaluationResults) != 1 {
			t.Fatalf("%d results", len(out.EvaluationResults))
		}
		return out.EvaluationResults[0]
	}
	r := run(good, bad, other)
	if *r.EvalDecision != "explicitDeny" || *r.EvalResourceName != "*" || len(r.MatchedStatements) != 0 ||
		r.MissingContextValues == nil || r.EvalDecisionDetails == nil || len(r.EvalDecisionDetails) != 0 {
		t.Errorf("top = %+v", r)
	}
	var got []string
	for _, rs := range r.ResourceSpecificResults {
		got = append(got, *rs.EvalResourceName+" "+*rs.EvalResourceDecision+" "+strings.Join(simStmts(rs.MatchedStatements), ","))
		if rs.EvalDecisionDetails != nil || rs.MissingContextValues != nil {
			t.Errorf("resource result = %+v", rs)
		}
	}
	// The second statement starts where the first ends (Column 126), after the "," between.
	want := []string{
		good + " allowed PolicyInputList.1|IAM Policy|1:38-1:126",
		bad + " explicitDeny PolicyInputList.1|IAM Policy|1:126-1:212",
		other + " implicitDeny ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("resources =\n%q\nwant\n%q", got, want)
	}

	r = run(good)
	if *r.EvalDecision != "allowed" || *r.EvalResourceName != good || !reflect.DeepEqual(simStmts(r.MatchedStatements), []string{"PolicyInputList.1|IAM Policy|1:38-1:126"}) ||
		len(r.ResourceSpecificResults) != 1 || len(r.EvalDecisionDetails) != 0 || r.EvalDecisionDetails == nil {
		t.Errorf("single resource = %+v", r)
	}
	r = run(other, good)
	if *r.EvalDecision != "implicitDeny" {
		t.Errorf("implicit and allowed = %s", *r.EvalDecision)
	}
	r = run("*")
	if *r.EvalResourceName != "*" || r.ResourceSpecificResults != nil || r.EvalDecisionDetails != nil {
		t.Errorf(`ResourceArns ["*"] = %+v`, r)
	}
}

// TestSimulateResourcePolicy: a ResourcePolicy is evaluated for each resource with the caller
// (CallerArn, else the simulated user) as principal; a ResourceOwner of another account makes it
// cross-account, where both sides must allow and EvalDecisionDetails tells each side.
func TestSimulateResourcePolicy(t *testing.T) {
	t.Parallel()
	e := simWorld(t)
	caller := "arn:aws:iam::" + simAcct + ":user/carol"
	bucketPolicy := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"CarolReads","Effect":"Allow","Principal":{"AWS":"` + caller + `"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/*"},` +
		`{"Sid":"NoDeletes","Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"arn:aws:s3:::shared/*"}]}`
	identity := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	obj := "arn:aws:s3:::shared/x"
	tests := []struct {
		name     string
		input    []string
		action   string
		owner    *string
		want     string
		matched  []string
		details  map[string]string
		resource string
	}{
		{name: "resource policy naming the caller allows alone", action: "s3:GetObject", want: "allowed",
			matched: []string{"ResourcePolicy|Resource Policy|1:38-1:193"}, details: map[string]string{}},
		{name: "resource policy deny", input: []string{identity}, action: "s3:DeleteObject", want: "explicitDeny",
			matched: []string{"ResourcePolicy|Resource Policy|1:193-1:307"}, details: map[string]string{}},
		{name: "neither allows", action: "s3:PutObject", want: "implicitDeny", matched: []string{}, details: map[string]string{}},
		{name: "cross-account: both allow", input: []string{identity}, action: "s3:GetObject", owner: simStr("arn:aws:iam::999999999999:root"),
			want: "allowed", matched: []string{"PolicyInputList.1|IAM Policy|1:38-1:87", "ResourcePolicy|Resource Policy|1:38-1:193"},
			details: map[string]string{"IAM Policy": "allowed", "Resource Policy": "allowed"}},
		{name: "cross-account: identity side missing", action: "s3:GetObject", owner: simStr("999999999999"), want: "implicitDeny",
			matched: []string{}, details: map[string]string{"IAM Policy": "implicitDeny", "Resource Policy": "allowed"}},
		{name: "cross-account: resource side missing", input: []string{identity}, action: "s3:PutObject", owner: simStr("999999999999"),
			want: "implicitDeny", matched: []string{}, details: map[string]string{"IAM Policy": "allowed", "Resource Policy": "implicitDeny"}},
		{name: "same owner is not cross-account", action: "s3:GetObject", owner: simStr(simAcct), want: "allowed",
			matched: []string{"ResourcePolicy|Resource Policy|1:38-1:193"}, details: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := tt.input
			if input == nil { // PolicyInputList is required: a policy unrelated to S3
				input = []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`}
			}
			out, err := e.s.SimulateCustomPolicy(e.ctx, &iamapi.SimulateCustomPolicyRequest{
				PolicyInputList: input,
				ActionNames:     []string{tt.action}, ResourceArns: []string{obj}, ResourcePolicy: simStr(bucketPolicy),
				CallerArn: simStr(caller), ResourceOwner: tt.owner})
			if err != nil {
				t.Fatal(err)
			}
			r := out.EvaluationResults[0]
			rs := r.ResourceSpecificResults[0]
			if *r.EvalDecision != tt.want || *rs.EvalResourceDecision != tt.want {
				t.Errorf("decision = %s / %s, want %s", *r.EvalDecision, *rs.EvalResourceDecision, tt.want)
			}
			if got := simStmts(rs.MatchedStatements); !reflect.DeepEqual(got, tt.matched) {
				t.Errorf("matched = %q, want %q", got, tt.matched)
			}
			if !reflect.DeepEqual(r.EvalDecisionDetails, tt.details) {
				t.Errorf("details = %v, want %v", r.EvalDecisionDetails, tt.details)
			}
			if len(tt.details) == 0 && rs.EvalDecisionDetails != nil {
				t.Errorf("resource details within one account = %v", rs.EvalDecisionDetails)
			}
		})
	}

	// SimulatePrincipalPolicy of a user: the user is the caller the resource policy sees.
	out, err := e.s.SimulatePrincipalPolicy(e.ctx, &iamapi.SimulatePrincipalPolicyRequest{
		PolicySourceArn: simStr("arn:aws:iam::" + simAcct + ":user/alice"), ActionNames: []string{"s3:PutObject"},
		ResourceArns: []string{obj}, ResourcePolicy: simStr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow",` +
			`"Principal":{"AWS":"arn:aws:iam::` + simAcct + `:user/alice"},"Action":"s3:PutObject","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if d := *out.EvaluationResults[0].EvalDecision; d != "allowed" {
		t.Errorf("alice PutObject through the resource policy = %s", d)
	}
	// CallerArn simulates another user with the source's policies.
	out, err = e.s.SimulatePrincipalPolicy(e.ctx, &iamapi.SimulatePrincipalPolicyRequest{
		PolicySourceArn: simStr("arn:aws:iam::" + simAcct + ":role/app"), CallerArn: simStr(caller), ActionNames: []string{"s3:GetObject", "logs:PutLogEvents"},
		ResourceArns: []string{obj}, ResourcePolicy: simStr(bucketPolicy)})
	if err != nil {
		t.Fatal(err)
	}
	if a, b := *out.EvaluationResults[0].EvalDecision, *out.EvaluationResults[1].EvalDecision; a != "allowed" || b != "allowed" {
		t.Errorf("role policies as carol = %s, %s", a, b)
	}
}

// TestSimulatePagination: MaxItems and Marker page over the EvaluationResults (one per action).
func TestSimulatePagination(t *testing.T) {
	t.Parallel()
	e := newSimEnv(t)
	doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	actions := []string{"s3:GetObject", "ec2:RunInstances", "s3:PutObject"}
	var got []string
	var marker *string
	for page := 0; ; page++ {
		out, err := e.s.SimulateCustomPolicy(e.ctx, &iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{doc},
			ActionNames: actions, MaxItems: protocol.Ptr(int32(2)), Marker: marker})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.EvaluationResults {
			got = append(got, *r.EvalActionName+"="+*r.EvalDecision)
		}
		if !*out.IsTruncated {
			if out.Marker != nil || page != 1 {
				t.Errorf("last page %d, marker %v", page, out.Marker)
			}
			break
		}
		marker = out.Marker
	}
	want := []string{"s3:GetObject=allowed", "ec2:RunInstances=implicitDeny", "s3:PutObject=allowed"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("pages = %q", got)
	}
	_, err := e.s.SimulateCustomPolicy(e.ctx, &iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{doc}, ActionNames: actions, Marker: simStr("garbage")})
	if simCode(t, err) != "ValidationError" {
		t.Errorf("bad marker: %v", err)
	}
}

// TestSimulateErrors: invalid inputs answer InvalidInput, NoSuchEntity or
// MalformedPolicyDocument with IAM's texts where they are known.
func TestSimulateErrors(t *testing.T) {
	t.Parallel()
	e := simWorld(t)
	okDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`
	rp := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`
	principal := func(arn string, mod func(*iamapi.SimulatePrincipalPolicyRequest)) error {
		in := &iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: simStr(arn), ActionNames: []string{"s3:GetObject"}}
		if mod != nil {
			mod(in)
		}
		_, err := e.s.SimulatePrincipalPolicy(e.ctx, in)
		return err
	}
	custom := func(mod func(*iamapi.SimulateCustomPolicyRequest)) error {
		in := &iamapi.SimulateCustomPolicyRequest{PolicyInputList: []string{okDoc}, ActionNames: []string{"s3:GetObject"}}
		mod(in)
		_, err := e.s.SimulateCustomPolicy(e.ctx, in)
		return err
	}
	alice := "arn:aws:iam::" + simAcct + ":user/alice"
	tests := []struct {
		name      string
		err       error
		code, msg string
	}{
		{"session ARN", principal("arn:aws:sts::"+simAcct+":assumed-role/app/s1", nil), "InvalidInput",
			"Invalid Entity Arn: arn:aws:sts::" + simAcct + ":assumed-role/app/s1 does not clearly define entity type and name."},
		{"policy ARN", principal("arn:aws:iam::"+simAcct+":policy/deny-delete", nil), "InvalidInput", ""},
		{"other account", principal("arn:aws:iam::111122223333:user/alice", nil), "InvalidInput",
			"Invalid Policy Source Arn: caller's account " + simAcct + " does not have access to policies in account 111122223333"},
		{"missing user", principal("arn:aws:iam::"+simAcct+":user/nobody", nil), "NoSuchEntity", "The user with name nobody cannot be found."},
		{"wrong path", principal("arn:aws:iam::"+simAcct+":user/eng/alice", nil), "NoSuchEntity", "The user with name alice cannot be found."},
		{"missing role", principal("arn:aws:iam::"+simAcct+":role/nope", nil), "NoSuchEntity", "The role with name nope cannot be found."},
		{"missing group", principal("arn:aws:iam::"+simAcct+":group/nope", nil), "NoSuchEntity", "The group with name nope cannot be found."},
		{"malformed input", principal(alice, func(in *iamapi.SimulatePrincipalPolicyRequest) { in.PolicyInputList = []string{"{"} }),
			"MalformedPolicyDocument", "Syntax errors in policy."},
		{"principal in an identity policy", custom(func(in *iamapi.SimulateCustomPolicyRequest) { in.PolicyInputList = []string{rp} }),
			"MalformedPolicyDocument", "Policy document should not specify a principal."},
		{"resource policy without principal", custom(func(in *iamapi.SimulateCustomPolicyRequest) {
			in.ResourcePolicy, in.CallerArn = simStr(okDoc), simStr(alice)
		}), "MalformedPolicyDocument", ""},
		{"two boundaries", custom(func(in *iamapi.SimulateCustomPolicyRequest) {
			in.PermissionsBoundaryPolicyInputList = []string{okDoc, okDoc}
		}), "InvalidInput", ""},
		{"bad resource ARN", custom(func(in *iamapi.SimulateCustomPolicyRequest) {
			in.ResourceArns = []string{"14a050d4-021e-4efe-84bb-0871bf6d0fda"}
		}), "InvalidInput", "ResourceNames are not in a valid ARN format: 14a050d4-021e-4efe-84bb-0871bf6d0fda."},
		{"bad resource owner", custom(func(in *iamapi.SimulateCustomPolicyRequest) { in.ResourceOwner = simStr("1234-5678-9012") }),
			"InvalidInput", "'1234-5678-9012' is not a valid as a Resource Owner."},
		{"caller is a role", custom(func(in *iamapi.SimulateCustomPolicyRequest) {
			in.CallerArn = simStr("arn:aws:iam::" + simAcct + ":role/app")
		}),
			"InvalidInput", "Invalid caller - Caller must be an IAM user in this context."},
		{"resource policy without caller", custom(func(in *iamapi.SimulateCustomPolicyRequest) { in.ResourcePolicy = simStr(rp) }),
			"InvalidInput", "Invalid caller - Caller must be an IAM user in this context."},
		{"role source with a resource policy", principal("arn:aws:iam::"+simAcct+":role/app", func(in *iamapi.SimulatePrincipalPolicyRequest) {
			in.ResourcePolicy = simStr(rp)
		}), "InvalidInput", "Invalid caller - Caller must be an IAM user in this context."},
	}
	for _, tt := range tests {
		ae, ok := awserr.As(tt.err)
		if !ok || ae.Code != tt.code || tt.msg != "" && ae.Message != tt.msg {
			t.Errorf("%s: error = %v, want %s %q", tt.name, tt.err, tt.code, tt.msg)
		}
	}
}
