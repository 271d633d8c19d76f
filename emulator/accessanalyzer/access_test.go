package accessanalyzer

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/accessanalyzerapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// doc is a 2012 policy of the statements given.
func doc(statements ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ",") + `]}`
}

type wantResult struct {
	result  string
	message string
	reasons []string // descriptions
}

func checkResult(t *testing.T, result, message *string, reasons []accessanalyzerapi.ReasonSummary, want wantResult) {
	t.Helper()
	if protocol.Val(result) != want.result || (want.message != "" && protocol.Val(message) != want.message) {
		t.Errorf("result %s %q, want %s %q", protocol.Val(result), protocol.Val(message), want.result, want.message)
	}
	var got []string
	for _, r := range reasons {
		got = append(got, protocol.Val(r.Description))
		if r.StatementIndex == nil {
			t.Errorf("reason %q without its statement index", protocol.Val(r.Description))
		}
	}
	if !equal(got, want.reasons) {
		t.Errorf("reasons %q, want %q", got, want.reasons)
	}
}

const bucketReader = `{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]}`

func TestCheckAccessNotGranted(t *testing.T) {
	t.Parallel()
	johnDoe := func(action, resource string) string {
		return `{"Version":"2012-10-17","Id":"123","Statement":[{"Sid":"AllowJohnDoe","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/JohnDoe"},"Action":"` + action + `","Resource":"` + resource + `"}]}`
	}
	tests := []struct {
		name       string
		policy     string
		policyType string
		access     accessanalyzerapi.Access
		want       wantResult
	}{
		// The AWS CLI reference's example.
		{"not granted", doc(bucketReader), "IDENTITY_POLICY", accessanalyzerapi.Access{Actions: []string{"s3:DeleteBucket", "s3:GetBucketLocation"}},
			wantResult{"PASS", "The policy document does not grant access to perform the listed actions.", nil}},
		{"granted in the second statement", doc(bucketReader, `{"Effect": "Allow", "Action": "iam:Put*Policy", "Resource": "*"}`), "IDENTITY_POLICY",
			accessanalyzerapi.Access{Actions: []string{"iam:PutUserPolicy", "iam:PutGroupPolicy"}},
			wantResult{"FAIL", "The policy document grants access to perform one or more of the listed actions.", []string{"One or more of the listed actions in the statement with index: 1."}}},
		{"a listed wildcard", doc(bucketReader), "IDENTITY_POLICY", accessanalyzerapi.Access{Actions: []string{"s3:*"}},
			wantResult{"FAIL", "", []string{"One or more of the listed actions in the statement with index: 0."}}},
		{"conditions might be met", doc(`{"Effect": "Allow", "Action": "iam:CreateAccessKey", "Resource": "*", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}`), "IDENTITY_POLICY",
			accessanalyzerapi.Access{Actions: []string{"iam:CreateAccessKey"}}, wantResult{"FAIL", "", []string{"One or more of the listed actions in the statement with index: 0."}}},
		{"denied", doc(`{"Effect": "Allow", "Action": "iam:*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "iam:CreateAccessKey", "Resource": "*"}`), "IDENTITY_POLICY",
			accessanalyzerapi.Access{Actions: []string{"iam:CreateAccessKey"}}, wantResult{"PASS", "", nil}},
		{"NotAction", doc(`{"Sid": "AllButS3", "Effect": "Allow", "NotAction": "s3:*", "Resource": "*"}`), "IDENTITY_POLICY",
			accessanalyzerapi.Access{Actions: []string{"iam:CreateAccessKey"}}, wantResult{"FAIL", "", []string{"One or more of the listed actions in the statement with sid: AllButS3."}}},
		{"listed resources elsewhere", doc(bucketReader), "IDENTITY_POLICY", accessanalyzerapi.Access{Actions: []string{"s3:GetObject"}, Resources: []string{"arn:aws:s3:::other/*"}},
			wantResult{"PASS", "", nil}},
		// The AWS SDK references' resource policy examples.
		{"resource policy, another action", johnDoe("s3:GetObject", "*"), "RESOURCE_POLICY", accessanalyzerapi.Access{Actions: []string{"s3:PutObject"}},
			wantResult{"PASS", "The policy document does not grant access to perform the listed actions or resources.", nil}},
		{"resource policy, another bucket", johnDoe("s3:PutObject", "arn:aws:s3:::non-sensitive-bucket/*"), "RESOURCE_POLICY", accessanalyzerapi.Access{Resources: []string{"arn:aws:s3:::sensitive-bucket/*"}},
			wantResult{"PASS", "", nil}},
		{"resource policy, the bucket", johnDoe("s3:PutObject", "arn:aws:s3:::my-bucket/*"), "RESOURCE_POLICY", accessanalyzerapi.Access{Resources: []string{"arn:aws:s3:::my-bucket/*"}},
			wantResult{"FAIL", "The policy document grants access to perform one or more of the listed actions or resources.",
				[]string{"One or more of the listed actions or resources in the statement with sid: AllowJohnDoe."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := New().CheckAccessNotGranted(context.Background(), &accessanalyzerapi.CheckAccessNotGrantedRequest{
				PolicyDocument: protocol.Ptr(tt.policy), PolicyType: protocol.Ptr(tt.policyType), Access: []accessanalyzerapi.Access{tt.access}})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, out.Result, out.Message, out.Reasons, tt.want)
		})
	}
}

func TestCheckNoNewAccess(t *testing.T) {
	t.Parallel()
	mfa := `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole", "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}`
	noMFA := `{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "sts:AssumeRole"}`
	tests := []struct {
		name, newPolicy, existing, policyType string
		want                                  wantResult
	}{
		// The AWS CLI reference's example: s3:GetObjectAcl is new.
		{"an action added", doc(`{"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectAcl", "s3:ListBucket"], "Resource": ["arn:aws:s3:::DOC-EXAMPLE-BUCKET", "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"]}`),
			doc(bucketReader), "IDENTITY_POLICY",
			wantResult{"FAIL", "The modified permissions grant new access compared to your existing policy.", []string{"New access in the statement with index: 0."}}},
		{"the same", doc(bucketReader), doc(bucketReader), "IDENTITY_POLICY",
			wantResult{"PASS", "The modified permissions do not grant new access compared to your existing policy.", nil}},
		{"less", doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET/*"}`), doc(bucketReader), "IDENTITY_POLICY", wantResult{"PASS", "", nil}},
		{"an action within a wildcard", doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`), doc(`{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}`),
			"IDENTITY_POLICY", wantResult{"PASS", "", nil}},
		{"a wildcard wider than an action", doc(`{"Effect": "Allow", "Action": "s3:Get*", "Resource": "*"}`), doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`),
			"IDENTITY_POLICY", wantResult{"FAIL", "", []string{"New access in the statement with index: 0."}}},
		{"a resource wildcard wider", doc(`{"Sid": "Everything", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::DOC-EXAMPLE-BUCKET*"}`), doc(bucketReader),
			"IDENTITY_POLICY", wantResult{"FAIL", "", []string{"New access in the statement with sid: Everything."}}},
		{"a condition added", doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}`),
			doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`), "IDENTITY_POLICY", wantResult{"PASS", "", nil}},
		{"a condition removed", doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`),
			doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}}`), "IDENTITY_POLICY",
			wantResult{"FAIL", "", []string{"New access in the statement with index: 0."}}},
		{"a deny removed", doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`),
			doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}`), "IDENTITY_POLICY",
			wantResult{"FAIL", "", []string{"New access in the statement with index: 0."}}},
		{"a deny kept", doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}`),
			doc(`{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}`, `{"Effect": "Deny", "Action": "s3:DeleteBucket", "Resource": "*"}`), "IDENTITY_POLICY",
			wantResult{"PASS", "", nil}},
		{"an allow narrowed to a bucket", doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`),
			doc(`{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::*"}`), "IDENTITY_POLICY",
			wantResult{"FAIL", "", []string{"New access in the statement with index: 0."}}},
		// A trust policy without its MFA condition lets more callers assume the role.
		{"trust policy without MFA", doc(noMFA), doc(mfa), "RESOURCE_POLICY", wantResult{"FAIL", "", []string{"New access in the statement with index: 0."}}},
		{"trust policy with MFA", doc(mfa), doc(noMFA), "RESOURCE_POLICY", wantResult{"PASS", "", nil}},
		{"trust policy for another account", doc(`{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "sts:AssumeRole"}`), doc(noMFA), "RESOURCE_POLICY",
			wantResult{"FAIL", "", []string{"New access in the statement with index: 0."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := New().CheckNoNewAccess(context.Background(), &accessanalyzerapi.CheckNoNewAccessRequest{
				NewPolicyDocument: protocol.Ptr(tt.newPolicy), ExistingPolicyDocument: protocol.Ptr(tt.existing), PolicyType: protocol.Ptr(tt.policyType)})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, out.Result, out.Message, out.Reasons, tt.want)
		})
	}
}

func TestCheckNoPublicAccess(t *testing.T) {
	t.Parallel()
	function := "arn:aws:lambda:us-east-1:123456789012:function:f"
	fnStatement := func(principal, condition string) string {
		s := `{"Sid": "invoke", "Effect": "Allow", "Principal": ` + principal + `, "Action": "lambda:InvokeFunction", "Resource": "` + function + `"`
		if condition != "" {
			s += `, "Condition": ` + condition
		}
		return s + "}"
	}
	public := wantResult{"FAIL", "The resource policy grants public access for the given resource type.", []string{"Public access granted in the following statement with sid: invoke."}}
	private := wantResult{"PASS", "The resource policy does not grant public access for the given resource type.", nil}
	tests := []struct {
		name, policy, resourceType string
		want                       wantResult
	}{
		// The AWS SDK references' S3 examples, whose statements have no Resource.
		{"bucket for anyone", `{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":"*","Action":["s3:GetObject"]}]}`, "AWS::S3::Bucket",
			wantResult{"FAIL", "", []string{"Public access granted in the following statement with sid: Bob."}}},
		{"bucket for a user", `{"Version":"2012-10-17","Statement":[{"Sid":"Bob","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:user/JohnDoe"},"Action":["s3:GetObject"]}]}`,
			"AWS::S3::Bucket", private},
		// Function policies as Lambda's AddPermission writes them.
		{"function for anyone", doc(fnStatement(`"*"`, "")), "AWS::Lambda::Function", public},
		{"function for every AWS principal", doc(fnStatement(`{"AWS": "*"}`, "")), "AWS::Lambda::Function", public},
		{"function for a service on a source", doc(fnStatement(`{"Service": "s3.amazonaws.com"}`, `{"ArnLike": {"AWS:SourceArn": "arn:aws:s3:::bucket"}}`)), "AWS::Lambda::Function", private},
		{"function for anyone of an account", doc(fnStatement(`"*"`, `{"StringEquals": {"aws:SourceAccount": "123456789012"}}`)), "AWS::Lambda::Function", private},
		{"function for an organization", doc(fnStatement(`{"AWS": "*"}`, `{"StringEquals": {"aws:PrincipalOrgID": "o-abc123"}}`)), "AWS::Lambda::Function", private},
		{"function for all but an account", doc(fnStatement(`{"AWS": "*"}`, `{"StringNotEquals": {"aws:PrincipalAccount": "123456789012"}}`)), "AWS::Lambda::Function", public},
		{"function URL without auth", doc(fnStatement(`"*"`, `{"StringEquals": {"lambda:FunctionUrlAuthType": "NONE"}}`)), "AWS::Lambda::Function", public},
		{"function from every address", doc(fnStatement(`"*"`, `{"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}`)), "AWS::Lambda::Function", public},
		{"function from a network", doc(fnStatement(`"*"`, `{"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}`)), "AWS::Lambda::Function", private},
		{"function for its account", doc(fnStatement(`{"AWS": "arn:aws:iam::123456789012:root"}`, "")), "AWS::Lambda::Function", private},
		{"denied to anyone", doc(fnStatement(`"*"`, ""), `{"Effect": "Deny", "Principal": "*", "Action": "lambda:*", "Resource": "*"}`), "AWS::Lambda::Function", private},
		{"role anyone may assume", doc(`{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}`), "AWS::IAM::AssumeRolePolicyDocument",
			wantResult{"FAIL", "", []string{"Public access granted in the following statement with index: 0."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out, err := New().CheckNoPublicAccess(context.Background(), &accessanalyzerapi.CheckNoPublicAccessRequest{
				PolicyDocument: protocol.Ptr(tt.policy), ResourceType: protocol.Ptr(tt.resourceType)})
			if err != nil {
				t.Fatal(err)
			}
			checkResult(t, out.Result, out.Message, out.Reasons, tt.want)
		})
	}
}

func TestAccessChecksRefuseMalformedPolicies(t *testing.T) {
	t.Parallel()
	s, ctx := New(), context.Background()
	for name, call := range map[string]func() error{
		"not JSON": func() error {
			_, err := s.CheckNoPublicAccess(ctx, &accessanalyzerapi.CheckNoPublicAccessRequest{PolicyDocument: protocol.Ptr("{"), ResourceType: protocol.Ptr("AWS::S3::Bucket")})
			return err
		},
		"no statement": func() error {
			_, err := s.CheckNoNewAccess(ctx, &accessanalyzerapi.CheckNoNewAccessRequest{NewPolicyDocument: protocol.Ptr(`{"Version": "2012-10-17"}`),
				ExistingPolicyDocument: protocol.Ptr(doc(bucketReader)), PolicyType: protocol.Ptr("IDENTITY_POLICY")})
			return err
		},
		"empty access": func() error {
			_, err := s.CheckAccessNotGranted(ctx, &accessanalyzerapi.CheckAccessNotGrantedRequest{PolicyDocument: protocol.Ptr(doc(bucketReader)),
				PolicyType: protocol.Ptr("IDENTITY_POLICY"), Access: []accessanalyzerapi.Access{{}}})
			return err
		},
		"principal in an identity policy": func() error {
			_, err := s.CheckAccessNotGranted(ctx, &accessanalyzerapi.CheckAccessNotGrantedRequest{PolicyDocument: protocol.Ptr(doc(`{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": "*"}`)),
				PolicyType: protocol.Ptr("IDENTITY_POLICY"), Access: []accessanalyzerapi.Access{{Actions: []string{"s3:GetObject"}}}})
			return err
		},
	} {
		var e *awserr.Error
		if err := call(); !errors.As(err, &e) || e.Code != "InvalidParameterException" {
			t.Errorf("%s: %v, want InvalidParameterException", name, err)
		}
	}
}
