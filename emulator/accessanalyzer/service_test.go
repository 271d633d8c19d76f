package accessanalyzer

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/iamlocal/iamlocal/api/accessanalyzerapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// The seed page's step 3 policy, whose lambda:ListEventSourceMapping does not exist.
const seedStep3 = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "DisplayFunctionDetailsPermissions", "Effect": "Allow", "Action": [ "lambda:ListVersionsByFunction", "lambda:ListAliases", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListEventSourceMapping", "lambda:GetPolicy" ], "Resource": "*" } ] }`

func TestValidatePolicy(t *testing.T) {
	t.Parallel()
	s := New()
	ctx := context.Background()
	out, err := s.ValidatePolicy(ctx, &accessanalyzerapi.ValidatePolicyRequest{PolicyDocument: protocol.Ptr(seedStep3), PolicyType: protocol.Ptr("IDENTITY_POLICY")})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out.Findings)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"FindingDetails":"The action lambda:ListEventSourceMapping does not exist. Did you mean lambda:ListEventSourceMappings?","FindingType":"ERROR","IssueCode":"INVALID_ACTION",` +
		`"LearnMoreLink":"https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html#access-analyzer-reference-policy-checks-error-invalid-action",` +
		`"Locations":[{"Path":[{"Index":null,"Key":null,"Substring":null,"Value":"Statement"},{"Index":0,"Key":null,"Substring":null,"Value":null},{"Index":null,"Key":null,"Substring":null,"Value":"Action"},{"Index":4,"Key":null,"Substring":null,"Value":null}],` +
		`"Span":{"End":{"Column":262,"Line":1,"Offset":262},"Start":{"Column":231,"Line":1,"Offset":231}}}]}]`
	if string(b) != want {
		t.Errorf("findings\n %s\nwant\n %s", b, want)
	}
	if out.NextToken != nil {
		t.Errorf("NextToken %q for one page", *out.NextToken)
	}
}

// iamlocal's own checks are not ValidatePolicy's: a policy AWS finds nothing in gives nothing.
func TestValidatePolicyReportsAWSChecksOnly(t *testing.T) {
	t.Parallel()
	doc := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*"}]}`
	out, err := New().ValidatePolicy(context.Background(), &accessanalyzerapi.ValidatePolicyRequest{PolicyDocument: &doc, PolicyType: protocol.Ptr("IDENTITY_POLICY")})
	if err != nil || out.Findings == nil || len(out.Findings) != 0 {
		t.Errorf("findings %+v, %v; want an empty list", out, err)
	}
}

func TestValidatePolicyPages(t *testing.T) {
	t.Parallel()
	doc := `{"Statement": [{"Sid": "", "Effect": "Allow", "Action": ["s3:GetObjects", "s3:PutObjects"], "Resource": "*"}]}`
	s, ctx := New(), context.Background()
	var codes []string
	var token *string
	for range 5 {
		out, err := s.ValidatePolicy(ctx, &accessanalyzerapi.ValidatePolicyRequest{PolicyDocument: &doc, PolicyType: protocol.Ptr("IDENTITY_POLICY"),
			MaxResults: protocol.Ptr(int32(2)), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		if len(out.Findings) > 2 {
			t.Fatalf("%d findings on a page of 2", len(out.Findings))
		}
		for _, f := range out.Findings {
			codes = append(codes, *f.IssueCode)
		}
		if token = out.NextToken; token == nil {
			break
		}
	}
	if want := []string{"MISSING_VERSION", "EMPTY_SID_VALUE", "INVALID_ACTION", "INVALID_ACTION"}; !equal(codes, want) {
		t.Errorf("pages gave %v, want %v", codes, want)
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestValidatePolicyInvalidInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   *accessanalyzerapi.ValidatePolicyRequest
		msg  string
	}{
		{"resource type of an identity policy", &accessanalyzerapi.ValidatePolicyRequest{PolicyDocument: protocol.Ptr(seedStep3), PolicyType: protocol.Ptr("IDENTITY_POLICY"),
			ValidatePolicyResourceType: protocol.Ptr("AWS::S3::Bucket")}, "InvalidInput"},
		{"page token not ours", &accessanalyzerapi.ValidatePolicyRequest{PolicyDocument: protocol.Ptr(seedStep3), PolicyType: protocol.Ptr("IDENTITY_POLICY"),
			NextToken: protocol.Ptr("bm9wZQ")}, "Invalid nextToken"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := New().ValidatePolicy(context.Background(), tt.in)
			var e *awserr.Error
			if !errors.As(err, &e) || e.Code != "ValidationException" || e.Message != tt.msg || e.Fields["reason"] != "other" {
				t.Errorf("error %v (%+v), want ValidationException %q with a reason", err, e, tt.msg)
			}
		})
	}
}
