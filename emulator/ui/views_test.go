package ui

import (
	"net/http/httptest"
	"reflect"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/emulator/authorize"
)

// Decisions name policies as the authorizer does (emulator/policyset): an inline policy by
// kind/entity/name, a managed policy and a trust or resource policy by ARN; the account a
// statement is counted for is the policy's, else the principal's.
func TestStatementUses(t *testing.T) {
	t.Parallel()
	at := func(s int) time.Time { return time.Date(2026, 1, 2, 3, 4, s, 0, time.UTC) }
	alice, bob := "arn:aws:iam::111111111111:user/alice", "arn:aws:iam::222222222222:user/bob"
	decisions := []authorize.Decision{
		{Time: at(1), Principal: alice, Action: "iam:ListUsers", Resource: "*", Decision: "Allow",
			Matched: []authorize.MatchedStatement{{Policy: "user/alice/p", Type: "identity", Index: 0, Effect: "Allow"}}},
		{Time: at(2), Principal: alice, Action: "iam:GetUser", Resource: alice, Decision: "Allow",
			Matched: []authorize.MatchedStatement{{Policy: "user/alice/p", Type: "identity", Index: 0, Effect: "Allow"},
				{Policy: "arn:aws:iam::aws:policy/ReadOnlyAccess", Type: "identity", Index: 0, Effect: "Allow"}}},
		{Time: at(3), Principal: bob, Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:111111111111:function:f",
			Decision: "ExplicitDeny", Matched: []authorize.MatchedStatement{
				{Policy: "arn:aws:lambda:us-east-1:111111111111:function:f", Type: "resource", Index: 1, Effect: "Deny"},
				{Policy: "user/bob/p", Type: "identity", Index: 0, Effect: "Allow"}}},
	}
	got := statementUses(decisions, "111111111111")
	want := map[statementRef]*statementUse{
		{policy: "user/alice/p", typ: "identity", index: 0}: {Count: 2, Last: at(2), Principal: alice, Action: "iam:GetUser", Resource: alice, Decision: "Allow"},
		{policy: "arn:aws:iam::aws:policy/ReadOnlyAccess", typ: "identity", index: 0}: {Count: 1, Last: at(2), Principal: alice,
			Action: "iam:GetUser", Resource: alice, Decision: "Allow"},
		{policy: "arn:aws:lambda:us-east-1:111111111111:function:f", typ: "resource", index: 1}: {Count: 1, Last: at(3), Principal: bob,
			Action: "lambda:InvokeFunction", Resource: "arn:aws:lambda:us-east-1:111111111111:function:f", Decision: "ExplicitDeny"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("uses of 111111111111:")
		for k, v := range got {
			t.Errorf("  %+v: %+v", k, *v)
		}
	}
	if got := statementUses(decisions, "222222222222"); len(got) != 1 || got[statementRef{"user/bob/p", "identity", 0}] == nil {
		t.Errorf("uses of 222222222222: %v", got)
	}
}

func TestLatestNotes(t *testing.T) {
	t.Parallel()
	const pol = "arn:aws:iam::111111111111:policy/p"
	at := func(s int) time.Time { return time.Date(2026, 1, 2, 3, 4, s, 0, time.UTC) }
	f := func(code string) []Finding { return []Finding{{Type: "WARNING", IssueCode: code}} }
	notes := []PolicyNote{
		{Time: at(1), Account: "111111111111", Operation: "PutUserPolicy", Policy: "user/alice/p", Findings: f("OLD")},
		{Time: at(2), Account: "111111111111", Operation: "PutUserPolicy", Policy: "user/alice/p", Findings: f("NEW")},
		{Time: at(3), Account: "111111111111", Operation: "CreatePolicy", Policy: pol, Findings: f("V1")},
		{Time: at(4), Account: "111111111111", Operation: "CreatePolicyVersion", Policy: pol + " v2", Findings: f("V2")},
		{Time: at(5), Account: "222222222222", Operation: "PutUserPolicy", Policy: "user/alice/p", Findings: f("OTHER")},
	}
	want := map[noteKey]noteView{
		{label: "user/alice/p"}:     {Time: at(2), Operation: "PutUserPolicy", Findings: f("NEW")},
		{label: pol, version: "v1"}: {Time: at(3), Operation: "CreatePolicy", Findings: f("V1")},
		{label: pol, version: "v2"}: {Time: at(4), Operation: "CreatePolicyVersion", Findings: f("V2")},
	}
	if got := latestNotes(notes, "111111111111"); !reflect.DeepEqual(got, want) {
		t.Errorf("got %+v\nwant %+v", got, want)
	}
}

// A statement is numbered as the engine numbers it (authz.StmtRef.Index): a lone Statement
// object is 0; documents arrive URL-encoded as IAM returns them (RFC 3986: + stays +).
func TestDocuments(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, encoded string
		statements    []string
		pretty        string
	}{
		{name: "array", encoded: `%7B%22Statement%22%3A%5B%7B%22Sid%22%3A%22a%2Bb%22%7D%2C%7B%7D%5D%7D`,
			statements: []string{`{"Sid":"a+b"}`, `{}`}, pretty: "{\n  \"Statement\": [\n    {\n      \"Sid\": \"a+b\"\n    },\n    {}\n  ]\n}"},
		{name: "single object", encoded: `{"Statement":{"Effect":"Allow"}}`, statements: []string{`{"Effect":"Allow"}`},
			pretty: "{\n  \"Statement\": {\n    \"Effect\": \"Allow\"\n  }\n}"},
		{name: "not JSON", encoded: `not json`, pretty: "not json"},
		{name: "bad escape", encoded: `%zz`, pretty: "%zz"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := decodeDocument(tc.encoded)
			var got []string
			for _, s := range statements(doc) {
				got = append(got, string(s))
			}
			if !reflect.DeepEqual(got, tc.statements) {
				t.Errorf("statements %q, want %q", got, tc.statements)
			}
			if p := pretty(doc); p != tc.pretty {
				t.Errorf("pretty %q, want %q", p, tc.pretty)
			}
		})
	}
}

// A graph's window ends at the period after now and keeps GetMetricStatistics under its
// 1,440 datapoints.
func TestWindowOf(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		query  string
		want   window
		refuse bool
	}{
		{query: "", want: window{Start: time.Date(2026, 1, 2, 2, 5, 0, 0, time.UTC), End: time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), Period: 60}},
		{query: "?minutes=180", want: window{Start: time.Date(2026, 1, 2, 0, 5, 0, 0, time.UTC), End: time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), Period: 60}},
		{query: "?minutes=1440", want: window{Start: time.Date(2026, 1, 1, 3, 5, 0, 0, time.UTC), End: time.Date(2026, 1, 2, 3, 5, 0, 0, time.UTC), Period: 300}},
		{query: "?minutes=61", refuse: true},
		{query: "?minutes=x", refuse: true},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			got, err := windowOf(httptest.NewRequest("GET", "/x"+tc.query, nil), now)
			if tc.refuse != (err != nil) || got != tc.want {
				t.Errorf("got %+v, %v; want %+v, refused %v", got, err, tc.want, tc.refuse)
			}
		})
	}
}

func TestScopeOf(t *testing.T) {
	t.Parallel()
	d := New(Options{Accounts: []Account{{ID: "111111111111"}, {ID: "222222222222"}}, Region: "eu-west-1"})
	cases := []struct {
		query string
		want  scope
		bad   bool
	}{
		{query: "", want: scope{account: "111111111111", region: "eu-west-1"}},
		{query: "?account=222222222222&region=us-gov-west-1", want: scope{account: "222222222222", region: "us-gov-west-1"}},
		{query: "?account=333333333333", bad: true},
		{query: "?region=../etc", bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			t.Parallel()
			got, err := d.scopeOf(httptest.NewRequest("GET", "/x"+tc.query, nil))
			var bad *badRequest
			if got != tc.want || tc.bad != (err != nil) || (err != nil && !errorsAs(err, &bad)) {
				t.Errorf("got %+v, %v; want %+v, bad %v", got, err, tc.want, tc.bad)
			}
		})
	}
}
