package authz

import (
	"fmt"
	"slices"
	"testing"
)

type condCase struct {
	name   string
	op     string
	key    string
	values string   // JSON value in the policy
	ctx    []string // nil: key absent
	want   bool
}

func runCondCases(t *testing.T, version string, cases []condCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc := fmt.Sprintf(`{"Version":%q,"Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{%q:{%q:%s}}}]}`,
				version, tc.op, tc.key, tc.values)
			p := mustParse(t, KindIdentity, doc)
			ctx := map[string][]string{"aws:username": {"bob"}, "aws:PrincipalTag/team": {"blue"}}
			if tc.ctx != nil {
				ctx[tc.key] = tc.ctx
			}
			r := Evaluate(Request{Principal: bob, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/k", Context: ctx},
				PolicySet{Identity: []Named{{"p", p}}})
			if got := r.Decision == Allow; got != tc.want {
				t.Fatalf("%s %s=%s with %v: allow = %v, want %v", tc.op, tc.key, tc.values, tc.ctx, got, tc.want)
			}
		})
	}
}

// TestStringOperators follows "Condition operators", "String condition
// operators" and "Conditions with multiple context keys or values".
func TestStringOperators(t *testing.T) {
	t.Parallel()
	runCondCases(t, Version2012, []condCase{
		{"StringEquals match", "StringEquals", "s3:prefix", `"home"`, []string{"home"}, true},
		{"StringEquals case-sensitive", "StringEquals", "s3:prefix", `"home"`, []string{"Home"}, false},
		{"StringEquals values OR", "StringEquals", "s3:prefix", `["a","home"]`, []string{"home"}, true},
		{"StringEquals missing key false", "StringEquals", "s3:prefix", `"home"`, nil, false},
		{"StringEquals star is literal", "StringEquals", "s3:prefix", `"ho*"`, []string{"home"}, false},
		{"StringNotEquals no match", "StringNotEquals", "s3:prefix", `"home"`, []string{"work"}, true},
		{"StringNotEquals match", "StringNotEquals", "s3:prefix", `"home"`, []string{"home"}, false},
		{"StringNotEquals values NOR", "StringNotEquals", "s3:prefix", `["a","home"]`, []string{"home"}, false},
		{"StringNotEquals missing key true", "StringNotEquals", "s3:prefix", `"home"`, nil, true},
		{"StringEqualsIgnoreCase", "StringEqualsIgnoreCase", "s3:prefix", `"HOME"`, []string{"home"}, true},
		{"StringNotEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "s3:prefix", `"HOME"`, []string{"home"}, false},
		{"StringNotEqualsIgnoreCase other", "StringNotEqualsIgnoreCase", "s3:prefix", `"HOME"`, []string{"work"}, true},
		{"StringLike star", "StringLike", "s3:prefix", `"home/*"`, []string{"home/bob/x"}, true},
		{"StringLike question", "StringLike", "s3:prefix", `"h?me"`, []string{"home"}, true},
		{"StringLike case-sensitive", "StringLike", "s3:prefix", `"H*"`, []string{"home"}, false},
		{"StringLike star spans colon", "StringLike", "aws:PrincipalArn", `"arn:*"`, []string{"arn:aws:iam::1:user/x"}, true},
		{"StringNotLike", "StringNotLike", "s3:prefix", `"home/*"`, []string{"work/x"}, true},
		{"StringNotLike match", "StringNotLike", "s3:prefix", `"home/*"`, []string{"home/x"}, false},
		{"StringNotLike missing key true", "StringNotLike", "s3:prefix", `"home/*"`, nil, true},
		{"IfExists missing key true", "StringEqualsIfExists", "s3:prefix", `"home"`, nil, true},
		{"IfExists present key evaluated", "StringEqualsIfExists", "s3:prefix", `"home"`, []string{"work"}, false},
		{"key name case-insensitive", "StringEquals", "S3:PREFIX", `"home"`, []string{"home"}, true},
		{"multivalued key without set operator any", "StringEquals", "aws:TagKeys", `"a"`, []string{"b", "a"}, true},
		{"multivalued key negated without set operator", "StringNotEquals", "aws:TagKeys", `"a"`, []string{"b", "a"}, false},
	})
}

// TestSetOperators follows "Set operators for multivalued context keys".
func TestSetOperators(t *testing.T) {
	t.Parallel()
	runCondCases(t, Version2012, []condCase{
		{"ForAnyValue one matches", "ForAnyValue:StringEquals", "aws:TagKeys", `["env","team"]`, []string{"cost", "env"}, true},
		{"ForAnyValue none matches", "ForAnyValue:StringEquals", "aws:TagKeys", `["env"]`, []string{"cost"}, false},
		{"ForAnyValue missing key false", "ForAnyValue:StringEquals", "aws:TagKeys", `["env"]`, nil, false},
		{"ForAnyValue empty key false", "ForAnyValue:StringEquals", "aws:TagKeys", `["env"]`, []string{}, false},
		{"ForAllValues all match", "ForAllValues:StringEquals", "aws:TagKeys", `["env","team"]`, []string{"env", "team"}, true},
		{"ForAllValues one outside", "ForAllValues:StringEquals", "aws:TagKeys", `["env","team"]`, []string{"env", "cost"}, false},
		{"ForAllValues missing key true", "ForAllValues:StringEquals", "aws:TagKeys", `["env"]`, nil, true},
		{"ForAllValues empty key true", "ForAllValues:StringEquals", "aws:TagKeys", `["env"]`, []string{}, true},
		{"ForAllValues StringLike", "ForAllValues:StringLike", "aws:TagKeys", `["env*"]`, []string{"env1", "env2"}, true},
		{"ForAnyValue StringNotEquals", "ForAnyValue:StringNotEquals", "aws:TagKeys", `["env"]`, []string{"env", "cost"}, true},
		{"ForAnyValue StringNotEquals all excluded", "ForAnyValue:StringNotEquals", "aws:TagKeys", `["env"]`, []string{"env"}, false},
		{"ForAllValues StringNotEquals", "ForAllValues:StringNotEquals", "aws:TagKeys", `["env"]`, []string{"cost", "team"}, true},
		{"ForAllValues StringNotEquals one excluded", "ForAllValues:StringNotEquals", "aws:TagKeys", `["env"]`, []string{"cost", "env"}, false},
		{"ForAnyValue IfExists missing", "ForAnyValue:StringEqualsIfExists", "aws:TagKeys", `["env"]`, nil, true},
	})
}

// TestNumericDateBoolOperators follows "Numeric condition operators", "Date
// condition operators", "Boolean condition operators" and "Binary
// condition operators".
func TestNumericDateBoolOperators(t *testing.T) {
	t.Parallel()
	runCondCases(t, Version2012, []condCase{
		{"NumericEquals", "NumericEquals", "s3:max-keys", `"10"`, []string{"10"}, true},
		{"NumericEquals float", "NumericEquals", "s3:max-keys", `10`, []string{"10.0"}, true},
		{"NumericNotEquals", "NumericNotEquals", "s3:max-keys", `"10"`, []string{"11"}, true},
		{"NumericNotEquals equal", "NumericNotEquals", "s3:max-keys", `"10"`, []string{"10"}, false},
		{"NumericLessThan", "NumericLessThan", "s3:max-keys", `"10"`, []string{"9"}, true},
		{"NumericLessThan equal", "NumericLessThan", "s3:max-keys", `"10"`, []string{"10"}, false},
		{"NumericLessThanEquals", "NumericLessThanEquals", "s3:max-keys", `"10"`, []string{"10"}, true},
		{"NumericGreaterThan", "NumericGreaterThan", "s3:max-keys", `"10"`, []string{"11"}, true},
		{"NumericGreaterThan less", "NumericGreaterThan", "s3:max-keys", `"10"`, []string{"9"}, false},
		{"NumericGreaterThanEquals", "NumericGreaterThanEquals", "s3:max-keys", `"10"`, []string{"10"}, true},
		{"Numeric not a number", "NumericEquals", "s3:max-keys", `"10"`, []string{"ten"}, false},
		{"Numeric missing false", "NumericLessThan", "s3:max-keys", `"10"`, nil, false},
		{"NumericNotEquals missing true", "NumericNotEquals", "s3:max-keys", `"10"`, nil, true},
		{"DateGreaterThan", "DateGreaterThan", "aws:CurrentTime", `"2020-01-01T00:00:00Z"`, []string{"2024-05-01T12:00:00Z"}, true},
		{"DateGreaterThan before", "DateGreaterThan", "aws:CurrentTime", `"2020-01-01T00:00:00Z"`, []string{"2019-05-01T12:00:00Z"}, false},
		{"DateLessThan date only", "DateLessThan", "aws:CurrentTime", `"2020-01-01"`, []string{"2019-12-31T23:59:59Z"}, true},
		{"DateLessThanEquals", "DateLessThanEquals", "aws:CurrentTime", `"2020-01-01T00:00:00Z"`, []string{"2020-01-01T00:00:00Z"}, true},
		{"DateGreaterThanEquals offset", "DateGreaterThanEquals", "aws:CurrentTime", `"2020-01-01T01:00:00+01:00"`, []string{"2020-01-01T00:00:00Z"}, true},
		{"DateEquals", "DateEquals", "aws:CurrentTime", `"2020-01-01T00:00:00Z"`, []string{"2020-01-01T00:00:00.000Z"}, true},
		{"DateNotEquals", "DateNotEquals", "aws:CurrentTime", `"2020-01-01T00:00:00Z"`, []string{"2021-01-01T00:00:00Z"}, true},
		{"Date epoch policy value", "DateLessThan", "aws:EpochTime", `"1700000000"`, []string{"1600000000"}, true},
		{"Date epoch against ISO", "DateLessThan", "aws:CurrentTime", `1700000000`, []string{"2020-09-13T12:26:40Z"}, true},
		{"Date bad request value", "DateLessThan", "aws:CurrentTime", `"2020-01-01"`, []string{"yesterday"}, false},
		{"Bool true", "Bool", "aws:SecureTransport", `"true"`, []string{"true"}, true},
		{"Bool unquoted false", "Bool", "aws:SecureTransport", `false`, []string{"false"}, true},
		{"Bool mismatch", "Bool", "aws:SecureTransport", `"true"`, []string{"false"}, false},
		{"Bool missing false", "Bool", "aws:MultiFactorAuthPresent", `"false"`, nil, false},
		{"BoolIfExists missing true", "BoolIfExists", "aws:MultiFactorAuthPresent", `"false"`, nil, true},
		{"BinaryEquals base64 request", "BinaryEquals", "k:bin", `"QmluYXJ5VmFsdWU="`, []string{"QmluYXJ5VmFsdWU="}, true},
		{"BinaryEquals raw request", "BinaryEquals", "k:bin", `"QmluYXJ5VmFsdWU="`, []string{"BinaryValue"}, true},
		{"BinaryEquals mismatch", "BinaryEquals", "k:bin", `"QmluYXJ5VmFsdWU="`, []string{"b3RoZXI="}, false},
	})
}

// TestIPAndArnOperators follows "IP address condition operators" and
// "Amazon Resource Name (ARN) condition operators".
func TestIPAndArnOperators(t *testing.T) {
	t.Parallel()
	runCondCases(t, Version2012, []condCase{
		{"IpAddress CIDR", "IpAddress", "aws:SourceIp", `"203.0.113.0/24"`, []string{"203.0.113.7"}, true},
		{"IpAddress outside", "IpAddress", "aws:SourceIp", `"203.0.113.0/24"`, []string{"198.51.100.1"}, false},
		{"IpAddress bare IP", "IpAddress", "aws:SourceIp", `"203.0.113.7"`, []string{"203.0.113.7"}, true},
		{"IpAddress list", "IpAddress", "aws:SourceIp", `["10.0.0.0/8","203.0.113.0/24"]`, []string{"10.1.2.3"}, true},
		{"IpAddress IPv6", "IpAddress", "aws:SourceIp", `"2001:DB8:1234:5678::/64"`, []string{"2001:db8:1234:5678::1"}, true},
		{"IpAddress IPv6 outside", "IpAddress", "aws:SourceIp", `"2001:DB8:1234:5678::/64"`, []string{"2001:db8:1234:5679::1"}, false},
		{"IpAddress v4 mapped request", "IpAddress", "aws:SourceIp", `"203.0.113.0/24"`, []string{"::ffff:203.0.113.9"}, true},
		{"IpAddress bad request", "IpAddress", "aws:SourceIp", `"203.0.113.0/24"`, []string{"example.com"}, false},
		{"IpAddress unmasked CIDR", "IpAddress", "aws:SourceIp", `"203.0.113.9/24"`, []string{"203.0.113.200"}, true},
		{"NotIpAddress", "NotIpAddress", "aws:SourceIp", `"203.0.113.0/24"`, []string{"198.51.100.1"}, true},
		{"NotIpAddress inside", "NotIpAddress", "aws:SourceIp", `"203.0.113.0/24"`, []string{"203.0.113.1"}, false},
		{"NotIpAddress missing true", "NotIpAddress", "aws:SourceIp", `"203.0.113.0/24"`, nil, true},
		{"ArnEquals", "ArnEquals", "aws:SourceArn", `"arn:aws:sns:us-east-1:123456789012:t"`, []string{"arn:aws:sns:us-east-1:123456789012:t"}, true},
		{"ArnLike wildcard account", "ArnLike", "aws:SourceArn", `"arn:aws:sns:*:*:t"`, []string{"arn:aws:sns:us-east-1:123456789012:t"}, true},
		{"ArnLike case-sensitive", "ArnLike", "aws:PrincipalArn", `"arn:aws:iam::*:role/Admin"`, []string{"arn:aws:iam::123456789012:role/admin"}, false},
		{"ArnLike resource part", "ArnLike", "aws:PrincipalArn", `"arn:aws:iam::123456789012:role/*"`, []string{"arn:aws:iam::123456789012:role/a/b"}, true},
		{"ArnNotEquals", "ArnNotEquals", "aws:SourceArn", `"arn:aws:sns:us-east-1:123456789012:t"`, []string{"arn:aws:sns:us-east-1:123456789012:u"}, true},
		{"ArnNotLike match", "ArnNotLike", "aws:PrincipalArn", `"arn:aws:iam::*:role/*"`, []string{"arn:aws:iam::123456789012:role/x"}, false},
		{"ArnNotLike missing true", "ArnNotLike", "aws:PrincipalArn", `"arn:aws:iam::*:role/*"`, nil, true},
		{"Null true missing", "Null", "aws:TokenIssueTime", `"true"`, nil, true},
		{"Null true present", "Null", "aws:TokenIssueTime", `"true"`, []string{"2020-01-01T00:00:00Z"}, false},
		{"Null false present", "Null", "aws:TokenIssueTime", `"false"`, []string{"2020-01-01T00:00:00Z"}, true},
		{"Null false missing", "Null", "aws:TokenIssueTime", `false`, nil, false},
	})
}

// TestConditionBlockLogic follows "Conditions with multiple context keys
// or values": operators AND, keys AND, values OR.
func TestConditionBlockLogic(t *testing.T) {
	t.Parallel()
	p := mustParse(t, KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*",
		"Condition":{"StringEquals":{"s3:prefix":["a","b"],"aws:RequestedRegion":"us-east-1"},"Bool":{"aws:SecureTransport":"true"}}}]}`)
	cases := []struct {
		ctx  map[string][]string
		want bool
	}{
		{map[string][]string{"s3:prefix": {"b"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"true"}}, true},
		{map[string][]string{"s3:prefix": {"c"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"true"}}, false},
		{map[string][]string{"s3:prefix": {"a"}, "aws:RequestedRegion": {"eu-west-1"}, "aws:SecureTransport": {"true"}}, false},
		{map[string][]string{"s3:prefix": {"a"}, "aws:RequestedRegion": {"us-east-1"}, "aws:SecureTransport": {"false"}}, false},
	}
	for i, tc := range cases {
		r := Evaluate(Request{Principal: bob, Action: "s3:ListBucket", Resource: "*", Context: tc.ctx}, PolicySet{Identity: []Named{{"p", p}}})
		if got := r.Decision == Allow; got != tc.want {
			t.Errorf("case %d: allow = %v, want %v", i, got, tc.want)
		}
	}
}

// TestMissingContextValues: keys referenced by conditions of otherwise
// matching statements and absent from the request, as the policy simulator
// reports them (SimulatePrincipalPolicy MissingContextValues).
func TestMissingContextValues(t *testing.T) {
	t.Parallel()
	p := mustParse(t, KindIdentity, `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"s3:prefix":"a"},"Bool":{"aws:SecureTransport":"true"}}},
		{"Effect":"Allow","Action":"iam:*","Resource":"*","Condition":{"StringEquals":{"iam:PassedToService":"x"}}},
		{"Effect":"Deny","Action":"s3:*","Resource":"*","Condition":{"Null":{"aws:MultiFactorAuthPresent":"false"},"NumericLessThan":{"S3:Max-Keys":"5"}}}]}`)
	r := Evaluate(Request{Principal: bob, Action: "s3:GetObject", Resource: "*", Context: map[string][]string{"aws:SecureTransport": {"true"}}},
		PolicySet{Identity: []Named{{"p", p}}})
	want := []string{"s3:prefix", "S3:Max-Keys"}
	if !slices.Equal(r.Missing, want) || r.Decision != ImplicitDeny {
		t.Fatalf("got %v %v, want %v", r.Decision, r.Missing, want)
	}
}
