package accessanalyzer

import (
	"slices"
	"testing"

	"github.com/iamlocal/iamlocal/authz"
)

// A probe's context meets the statement's condition, as the engine judges it.
func TestSatisfyMeetsConditions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		operator, key, value string
	}{
		{"StringEquals", "aws:RequestedRegion", "eu-west-1"},
		{"StringLike", "s3:prefix", "home/*"},
		{"StringNotEquals", "aws:RequestedRegion", "eu-west-1"},
		{"ForAnyValue:StringEquals", "aws:TagKeys", "team"},
		{"ForAllValues:StringLike", "aws:TagKeys", "team-*"},
		{"StringEqualsIfExists", "aws:RequestedRegion", "eu-west-1"},
		{"NumericLessThan", "aws:MultiFactorAuthAge", "3600"},
		{"NumericGreaterThan", "s3:max-keys", "10"},
		{"DateLessThan", "aws:CurrentTime", "2030-01-01T00:00:00Z"},
		{"DateGreaterThan", "aws:EpochTime", "1700000000"},
		{"Bool", "aws:SecureTransport", "true"},
		{"IpAddress", "aws:SourceIp", "203.0.113.0/24"},
		{"NotIpAddress", "aws:SourceIp", "192.0.2.0/24"},
		{"ArnLike", "aws:SourceArn", "arn:aws:s3:::bucket*"},
		{"Null", "aws:TokenIssueTime", "true"},
		{"Null", "aws:TokenIssueTime", "false"},
	}
	for _, tt := range tests {
		t.Run(tt.operator+" "+tt.key, func(t *testing.T) {
			t.Parallel()
			policy := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"` +
				tt.operator + `": {"` + tt.key + `": "` + tt.value + `"}}}]}`
			p, err := readPolicy(policy, "IDENTITY_POLICY")
			if err != nil {
				t.Fatal(err)
			}
			ctx := satisfy(p.stmts[0].conditions, nil, nil)
			if ok, _ := p.allows(authz.Request{Principal: probeCaller(), Action: "s3:GetObject", Resource: "*", Context: ctx}); !ok {
				t.Errorf("context %v does not meet the condition", ctx)
			}
		})
	}
}

func TestCandidates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		listed, patterns []string
		not              bool
		want             []string
	}{
		{"own values", nil, []string{"s3:GetObject", "s3:List*"}, false, []string{"s3:GetObject", "s3:List", "s3:ListIAMLOCALPROBE"}},
		{"all but", nil, []string{"s3:*"}, true, []string{"outside"}},
		{"listed", []string{"iam:PassRole"}, []string{"iam:*"}, false, []string{"iam:PassRole"}},
		{"listed wildcard", []string{"s3:Get*"}, []string{"s3:GetObject", "s3:PutObject"}, false, []string{"s3:GetObject", "s3:Get", "s3:GetIAMLOCALPROBE"}},
	}
	for _, tt := range tests {
		if got := candidates(tt.listed, tt.patterns, tt.not, "outside", true); !slices.Equal(got, tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestPrincipalsOf(t *testing.T) {
	t.Parallel()
	st := stmtSpec{principals: map[string][]string{"AWS": {"111122223333", "arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:user/bob"},
		"Service": {"lambda.amazonaws.com"}}}
	got := principalsOf(st, outsider(nil))
	want := []authz.Principal{{ARN: "arn:aws:iam::111122223333:user/IAMLOCALPROBE", Account: "111122223333"},
		{ARN: "arn:aws:iam::111122223333:user/bob", Account: "111122223333"},
		{ARN: "arn:aws:sts::111122223333:assumed-role/app/IAMLOCALPROBE", Account: "111122223333", RoleARN: "arn:aws:iam::111122223333:role/app"},
		{Service: "lambda.amazonaws.com"}}
	if !slices.Equal(got, want) {
		t.Errorf("principals\n %+v\nwant\n %+v", got, want)
	}
}
