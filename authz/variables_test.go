package authz

import (
	"fmt"
	"reflect"
	"testing"
)

// TestPolicyVariables follows "IAM policy elements: Variables and tags":
// variables in the resource part of Resource and in string and ARN
// condition values, defaults, the ${*} ${?} ${$} escapes, no expansion in
// Version 2008-10-17, and "not present" values that make the match fail.
func TestPolicyVariables(t *testing.T) {
	t.Parallel()
	userCtx := map[string][]string{
		"aws:username":          {"bob"},
		"aws:userid":            {"AIDAEXAMPLE"},
		"aws:PrincipalTag/team": {"blue"},
		"aws:TagKeys":           {"a", "b"},
	}
	cases := []struct {
		name     string
		version  string
		resource string // Resource element (JSON string)
		notRes   bool
		cond     string // optional Condition element JSON
		reqRes   string
		ctx      map[string][]string
		want     bool
	}{
		{name: "username in resource", version: Version2012, resource: "arn:aws:s3:::b/${aws:username}/*", reqRes: "arn:aws:s3:::b/bob/x", ctx: userCtx, want: true},
		{name: "username other user", version: Version2012, resource: "arn:aws:s3:::b/${aws:username}/*", reqRes: "arn:aws:s3:::b/alice/x", ctx: userCtx, want: false},
		{name: "variable key case-insensitive", version: Version2012, resource: "arn:aws:s3:::b/${AWS:UserName}", reqRes: "arn:aws:s3:::b/bob", ctx: userCtx, want: true},
		{name: "userid", version: Version2012, resource: "arn:aws:s3:::b/${aws:userid}", reqRes: "arn:aws:s3:::b/AIDAEXAMPLE", ctx: userCtx, want: true},
		{name: "principal tag", version: Version2012, resource: "arn:aws:s3:::b/${aws:PrincipalTag/team}/*", reqRes: "arn:aws:s3:::b/blue/k", ctx: userCtx, want: true},
		{name: "iam user self", version: Version2012, resource: "arn:aws:iam::123456789012:user/${aws:username}", reqRes: "arn:aws:iam::123456789012:user/bob", ctx: userCtx, want: true},
		{name: "missing key no match", version: Version2012, resource: "arn:aws:s3:::b/${aws:username}", reqRes: "arn:aws:s3:::b/", ctx: nil, want: false},
		{name: "missing key with default", version: Version2012, resource: "arn:aws:s3:::b/${aws:username, 'anonymous'}", reqRes: "arn:aws:s3:::b/anonymous", ctx: nil, want: true},
		{name: "default unused when present", version: Version2012, resource: "arn:aws:s3:::b/${aws:username, 'anonymous'}", reqRes: "arn:aws:s3:::b/bob", ctx: userCtx, want: true},
		{name: "multivalued key cannot be a variable", version: Version2012, resource: "arn:aws:s3:::b/${aws:TagKeys}", reqRes: "arn:aws:s3:::b/a", ctx: userCtx, want: false},
		{name: "escape star is literal", version: Version2012, resource: "arn:aws:s3:::b/${*}", reqRes: "arn:aws:s3:::b/x", ctx: userCtx, want: false},
		{name: "escape star matches star", version: Version2012, resource: "arn:aws:s3:::b/${*}", reqRes: "arn:aws:s3:::b/*", ctx: userCtx, want: true},
		{name: "escape question", version: Version2012, resource: "arn:aws:s3:::b/${?}", reqRes: "arn:aws:s3:::b/?", ctx: userCtx, want: true},
		{name: "escape dollar", version: Version2012, resource: "arn:aws:s3:::b/${$}{x}", reqRes: "arn:aws:s3:::b/${x}", ctx: userCtx, want: true},
		{name: "value wildcards are literal", version: Version2012, resource: "arn:aws:s3:::b/${aws:username}", reqRes: "arn:aws:s3:::b/bob", ctx: map[string][]string{"aws:username": {"*"}}, want: false},
		{name: "2008 keeps text literal", version: Version2008, resource: "arn:aws:s3:::b/${aws:username}", reqRes: "arn:aws:s3:::b/bob", ctx: userCtx, want: false},
		{name: "2008 literal text matches", version: Version2008, resource: "arn:aws:s3:::b/${aws:username}", reqRes: "arn:aws:s3:::b/${aws:username}", ctx: userCtx, want: true},
		{name: "unterminated variable is literal", version: Version2012, resource: "arn:aws:s3:::b/${aws:username", reqRes: "arn:aws:s3:::b/${aws:username", ctx: userCtx, want: true},
		{name: "NotResource missing variable: statement invalid", version: Version2012, resource: "arn:aws:s3:::b/${aws:username}", notRes: true, reqRes: "arn:aws:s3:::other", ctx: nil, want: false},
		{name: "NotResource with value", version: Version2012, resource: "arn:aws:s3:::b/${aws:username}", notRes: true, reqRes: "arn:aws:s3:::other", ctx: userCtx, want: true},
		{name: "condition StringEquals variable", version: Version2012, resource: "*", cond: `{"StringEquals":{"s3:prefix":"${aws:username}"}}`, reqRes: "*", ctx: map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"bob"}}, want: true},
		{name: "condition StringLike variable", version: Version2012, resource: "*", cond: `{"StringLike":{"s3:prefix":"home/${aws:username}/*"}}`, reqRes: "*", ctx: map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"home/bob/docs"}}, want: true},
		{name: "condition ArnLike variable", version: Version2012, resource: "*", cond: `{"ArnLike":{"aws:PrincipalArn":"arn:aws:iam::*:user/${aws:username}"}}`, reqRes: "*", ctx: map[string][]string{"aws:username": {"bob"}, "aws:PrincipalArn": {"arn:aws:iam::123456789012:user/bob"}}, want: true},
		{name: "condition variable missing", version: Version2012, resource: "*", cond: `{"StringEquals":{"s3:prefix":"${aws:username}"}}`, reqRes: "*", ctx: map[string][]string{"s3:prefix": {"bob"}}, want: false},
		{name: "condition variable default", version: Version2012, resource: "*", cond: `{"StringEquals":{"s3:prefix":"${aws:username,'anon'}"}}`, reqRes: "*", ctx: map[string][]string{"s3:prefix": {"anon"}}, want: true},
		{name: "negated condition with missing variable: statement invalid", version: Version2012, resource: "*", cond: `{"StringNotEquals":{"s3:prefix":"${aws:username}"}}`, reqRes: "*", ctx: map[string][]string{"s3:prefix": {"bob"}}, want: false},
		{name: "resource tag equals principal tag", version: Version2012, resource: "*", cond: `{"StringEquals":{"aws:ResourceTag/team":"${aws:PrincipalTag/team}"}}`, reqRes: "*", ctx: map[string][]string{"aws:PrincipalTag/team": {"blue"}, "aws:ResourceTag/team": {"blue"}}, want: true},
		{name: "condition variable in 2008 is literal", version: Version2008, resource: "*", cond: `{"StringEquals":{"s3:prefix":"${aws:username}"}}`, reqRes: "*", ctx: map[string][]string{"aws:username": {"bob"}, "s3:prefix": {"${aws:username}"}}, want: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			elem := "Resource"
			if tc.notRes {
				elem = "NotResource"
			}
			body := fmt.Sprintf(`{"Effect":"Allow","Action":"s3:*",%q:%q`, elem, tc.resource)
			if tc.cond != "" {
				body += `,"Condition":` + tc.cond
			}
			body += "}"
			doc := fmt.Sprintf(`{"Version":%q,"Statement":[%s]}`, tc.version, body)
			p := mustParse(t, KindIdentity, doc)
			r := Evaluate(Request{Principal: bob, Action: "s3:GetObject", Resource: tc.reqRes, Context: tc.ctx}, PolicySet{Identity: []Named{{"p", p}}})
			if got := r.Decision == Allow; got != tc.want {
				t.Fatalf("allow = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestTokenize(t *testing.T) {
	t.Parallel()
	toks := tokenize("a${ aws:username , 'x y' }b${bad var}${}", true)
	if len(toks) != 3 || toks[0].lit != "a" || toks[1].kind != tokVar || toks[1].key != "aws:username" || toks[1].def != "x y" ||
		toks[2].lit != "b${bad var}${}" {
		t.Fatalf("%+v", toks)
	}
	if _, ok := parseVariable("k, nodefault"); ok {
		t.Fatal("unquoted default accepted")
	}
}

// TestPolicyVariableKeys follows "IAM policy elements: Variables and tags": a variable is
// ${key} or ${key, 'default'}; ${*}, ${?} and ${$} are escapes; anything else between ${ and }
// is literal text. Keys keep their spelling (GetContextKeysFor* answers them as written).
func TestPolicyVariableKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"no variable", "arn:aws:s3:::b/*", nil},
		{"one", "arn:aws:s3:::b/${aws:username}/*", []string{"aws:username"}},
		{"spelling kept", "arn:aws:s3:::b/${AWS:UserName}", []string{"AWS:UserName"}},
		{"tag key", "${aws:PrincipalTag/team}", []string{"aws:PrincipalTag/team"}},
		{"default", "${aws:username, 'anonymous'}", []string{"aws:username"}},
		{"default without space", "${aws:username,'anon'}", []string{"aws:username"}},
		{"spaces trimmed", "${ aws:username , 'x y' }", []string{"aws:username"}},
		{"empty default", "${aws:username, ''}", []string{"aws:username"}},
		{"unquoted default is text", "${aws:username, anon}", nil},
		{"half-quoted default is text", "${aws:username, '}", nil},
		{"escapes are text", "${*}${?}${$}", nil},
		{"escaped dollar before braces", "${$}{aws:username}", nil},
		{"dollar before a variable", "$${aws:username}", []string{"aws:username"}},
		{"space in key is text", "${aws user}", nil},
		{"quote in key is text", `${aws'x}${aws"y}`, nil},
		{"empty", "${}", nil},
		{"unterminated", "${aws:username", nil},
		{"unterminated after one", "${aws:userid}/${aws:username", []string{"aws:userid"}},
		{"text then variable", "${bad var}${aws:userid}", []string{"aws:userid"}},
		{"wildcards around", "*${aws:username}?", []string{"aws:username"}},
		{"order and repeats", "${aws:userid}/${aws:username}/${aws:userid}", []string{"aws:userid", "aws:username", "aws:userid"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := PolicyVariables(tt.in); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("PolicyVariables(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
