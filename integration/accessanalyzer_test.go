package integration

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/accessanalyzer"
	aatypes "github.com/aws/aws-sdk-go-v2/service/accessanalyzer/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The seed page's step 3 policy (integration/seed_test.go), whose lambda:ListEventSourceMapping
// does not exist, and its step 6 one, which passes any role.
const (
	seedDisplayDetails = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "DisplayFunctionDetailsPermissions", "Effect": "Allow", "Action": [ "lambda:ListVersionsByFunction", "lambda:ListAliases", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListEventSourceMapping", "lambda:GetPolicy" ], "Resource": "*" } ] }`
	seedCreateFunction = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "ListExistingRolesAndPolicies", "Effect": "Allow", "Action": [ "iam:ListRolePolicies", "iam:ListRoles" ], "Resource": "*" }, { "Sid": "CreateFunctionPermissions", "Effect": "Allow", "Action": [ "lambda:CreateFunction" ], "Resource": "*" }, { "Sid": "PermissionToPassAnyRole", "Effect": "Allow", "Action": [ "iam:PassRole" ], "Resource": "arn:aws:iam::123456789012:role/*" } ] }`
)

// ValidatePolicy through aws-sdk-go-v2: AWS's finding, its location, and the seed's PassRole.
func TestAccessAnalyzerValidatePolicySDK(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	aa := accessanalyzer.NewFromConfig(srv.AWSConfig(ctx))
	out, err := aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(seedDisplayDetails), PolicyType: aatypes.PolicyTypeIdentityPolicy})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) != 1 {
		t.Fatalf("findings %+v", out.Findings)
	}
	f := out.Findings[0]
	if f.IssueCode == nil || *f.IssueCode != "INVALID_ACTION" || f.FindingType != aatypes.ValidatePolicyFindingTypeError ||
		aws.ToString(f.FindingDetails) != "The action lambda:ListEventSourceMapping does not exist. Did you mean lambda:ListEventSourceMappings?" ||
		!strings.HasSuffix(aws.ToString(f.LearnMoreLink), "#access-analyzer-reference-policy-checks-error-invalid-action") {
		t.Errorf("finding %+v", f)
	}
	loc := f.Locations[0]
	idx, ok := loc.Path[3].(*aatypes.PathElementMemberIndex)
	if len(loc.Path) != 4 || !ok || idx.Value != 4 || aws.ToInt32(loc.Span.Start.Column) != 231 || aws.ToInt32(loc.Span.End.Offset) != 262 {
		t.Errorf("location %+v", loc)
	}
	if v, ok := loc.Path[0].(*aatypes.PathElementMemberValue); !ok || v.Value != "Statement" {
		t.Errorf("path starts with %+v", loc.Path[0])
	}
	second, err := aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(seedCreateFunction), PolicyType: aatypes.PolicyTypeIdentityPolicy})
	if err != nil || len(second.Findings) != 1 || aws.ToString(second.Findings[0].IssueCode) != "PASS_ROLE_WITH_STAR_IN_RESOURCE" ||
		second.Findings[0].FindingType != aatypes.ValidatePolicyFindingTypeSecurityWarning {
		t.Errorf("step 6 policy: %+v, %v", second, err)
	}
	// A value the model does not allow is AWS's ValidationException with its field.
	_, err = aa.ValidatePolicy(ctx, &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(seedDisplayDetails), PolicyType: "USER_POLICY"})
	var ve *aatypes.ValidationException
	if !errors.As(err, &ve) || ve.Reason != aatypes.ValidationExceptionReasonFieldValidationFailed || len(ve.FieldList) != 1 || aws.ToString(ve.FieldList[0].Name) != "policyType" {
		t.Errorf("invalid policy type: %v (%+v)", err, ve)
	}
	// The operations iamlocal does not serve say so.
	_, err = aa.ListAnalyzers(ctx, &accessanalyzer.ListAnalyzersInput{})
	assertCode(t, err, "NotImplemented")
}

// A caller needs access-analyzer:ValidatePolicy, as on AWS; its denial is Access Analyzer's.
func TestAccessAnalyzerIsAuthorized(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	aa := accessanalyzer.NewFromConfig(newUser(t, srv, root, "ci"))
	in := &accessanalyzer.ValidatePolicyInput{PolicyDocument: aws.String(seedDisplayDetails), PolicyType: aatypes.PolicyTypeIdentityPolicy}
	_, err := aa.ValidatePolicy(ctx, in)
	assertDenied(t, err, "AccessDeniedException", "is not authorized to perform: access-analyzer:ValidatePolicy on resource: *")
	putUserPolicy(t, root, "ci", "validate", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "access-analyzer:ValidatePolicy", "Resource": "*"}]}`)
	if _, err := aa.ValidatePolicy(ctx, in); err != nil {
		t.Fatal(err)
	}
}

// The custom policy checks through aws-sdk-go-v2, CheckNoPublicAccess on the policy Lambda
// writes for a function.
func TestAccessAnalyzerCustomChecksSDK(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	cfg := srv.AWSConfig(ctx)
	aa, fns := accessanalyzer.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	role := createRole(t, iam.NewFromConfig(cfg), "fn-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("f"), Role: aws.String(role), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})}}); err != nil {
		t.Fatal(err)
	}
	publicOf := func() string {
		t.Helper()
		p, err := fns.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("f")})
		if err != nil {
			t.Fatal(err)
		}
		out, err := aa.CheckNoPublicAccess(ctx, &accessanalyzer.CheckNoPublicAccessInput{PolicyDocument: p.Policy, ResourceType: aatypes.AccessCheckResourceTypeLambdaFunction})
		if err != nil {
			t.Fatal(err)
		}
		return string(out.Result)
	}
	if _, err := fns.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("f"), StatementId: aws.String("s3"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("s3.amazonaws.com"), SourceArn: aws.String("arn:aws:s3:::bucket"), SourceAccount: aws.String("123456789012")}); err != nil {
		t.Fatal(err)
	}
	if got := publicOf(); got != "PASS" {
		t.Errorf("a service on a source: %s, want PASS", got)
	}
	if _, err := fns.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("f"), StatementId: aws.String("anyone"), Action: aws.String("lambda:InvokeFunction"),
		Principal: aws.String("*")}); err != nil {
		t.Fatal(err)
	}
	if got := publicOf(); got != "FAIL" {
		t.Errorf("anyone: %s, want FAIL", got)
	}
	granted, err := aa.CheckAccessNotGranted(ctx, &accessanalyzer.CheckAccessNotGrantedInput{PolicyDocument: aws.String(seedCreateFunction),
		PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy, Access: []aatypes.Access{{Actions: []string{"iam:PassRole"}}}})
	if err != nil || granted.Result != aatypes.CheckAccessNotGrantedResultFail || len(granted.Reasons) != 1 ||
		aws.ToString(granted.Reasons[0].StatementId) != "PermissionToPassAnyRole" || aws.ToInt32(granted.Reasons[0].StatementIndex) != 2 {
		t.Errorf("CheckAccessNotGranted: %+v, %v", granted, err)
	}
	newer, err := aa.CheckNoNewAccess(ctx, &accessanalyzer.CheckNoNewAccessInput{NewPolicyDocument: aws.String(seedCreateFunction),
		ExistingPolicyDocument: aws.String(seedDisplayDetails), PolicyType: aatypes.AccessCheckPolicyTypeIdentityPolicy})
	if err != nil || newer.Result != aatypes.CheckNoNewAccessResultFail || len(newer.Reasons) != 3 {
		t.Errorf("CheckNoNewAccess: %+v, %v", newer, err)
	}
}

// `aws accessanalyzer validate-policy --policy-document file://... --policy-type IDENTITY_POLICY`
// as a CI step runs it, through the AWS CLI v1.
func TestAccessAnalyzerValidatePolicyCLI(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	file := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(file, []byte(seedDisplayDetails), 0o600); err != nil {
		t.Fatal(err)
	}
	stdout, stderr, err := runCLI(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey,
		"accessanalyzer", "validate-policy", "--policy-document", "file://"+file, "--policy-type", "IDENTITY_POLICY")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var out struct {
		Findings []struct {
			FindingType, IssueCode, FindingDetails string
			Locations                              []struct {
				Path []map[string]any
				Span struct {
					Start, End struct{ Line, Column, Offset int }
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(stdout), &out); err != nil {
		t.Fatalf("%v:\n%s", err, stdout)
	}
	if len(out.Findings) != 1 || out.Findings[0].IssueCode != "INVALID_ACTION" || out.Findings[0].FindingType != "ERROR" ||
		out.Findings[0].Locations[0].Span.Start.Offset != 231 || out.Findings[0].Locations[0].Path[2]["value"] != "Action" {
		t.Errorf("validate-policy:\n%s", stdout)
	}
	// A policy type of the API's that the CLI lets through is refused with its field named.
	_, stderr, err = runCLI(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey,
		"accessanalyzer", "validate-policy", "--policy-document", "file://"+file, "--policy-type", "USER_POLICY")
	if err == nil || !strings.Contains(stderr, "ValidationException") || !strings.Contains(stderr, "policyType") {
		t.Errorf("bad policy type: %v\n%s", err, stderr)
	}
}

// boto3's validate_policy and check_no_public_access, as Python CI tools call them.
func TestAccessAnalyzerBoto3(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	script := `
import boto3, json
aa = boto3.client("accessanalyzer")
doc = ` + "'''" + seedCreateFunction + "'''" + `
findings = aa.validate_policy(policyDocument=doc, policyType="IDENTITY_POLICY")["findings"]
public = aa.check_no_public_access(policyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
    {"Sid": "anyone", "Effect": "Allow", "Principal": "*", "Action": "lambda:InvokeFunction",
     "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f"}]}), resourceType="AWS::Lambda::Function")
try:
    aa.validate_policy(policyDocument=doc, policyType="NOT_A_TYPE")
    reason = "accepted"
except aa.exceptions.ValidationException as e:
    reason = e.response["reason"] + " " + e.response["fieldList"][0]["name"]
print(json.dumps({"codes": [f["issueCode"] for f in findings], "public": public["result"], "reason": public["reasons"][0]["description"], "invalid": reason}))
`
	var got struct {
		Codes                   []string
		Public, Reason, Invalid string
	}
	if err := json.Unmarshal([]byte(runBoto3(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, script)), &got); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got.Codes, ",") != "PASS_ROLE_WITH_STAR_IN_RESOURCE" || got.Public != "FAIL" ||
		got.Reason != "Public access granted in the following statement with sid: anyone." || got.Invalid != "fieldValidationFailed policyType" {
		t.Errorf("boto3: %+v", got)
	}
}

// The seed page's policies are stored as AWS stores them, and iamlocal notes their slips.
func TestSeedPoliciesAreStoredAndNoted(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	newUser(t, srv, root, "walker")
	putUserPolicy(t, root, "walker", "DisplayFunctionDetailsPermissions", seedDisplayDetails)
	putUserPolicy(t, root, "walker", "CloudWatchLogsPerms", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchLogsPerms", "Effect": "Allow", "Action": [ "cloudwatchlog:DescribeLogGroups", "cloudwatchlog:DescribeLogStreams", "cloudwatchlog:GetLogEvents" ], "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*" } ] }`)
	if _, err := root.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("walker"), PolicyName: aws.String("CloudWatchLogsPerms")}); err != nil {
		t.Fatalf("the policy is not stored: %v", err)
	}
	notes := srv.PolicyNotes()
	if len(notes) != 2 {
		t.Fatalf("notes %+v", notes)
	}
	want := map[string]string{
		"user/walker/DisplayFunctionDetailsPermissions": "The action lambda:ListEventSourceMapping does not exist. Did you mean lambda:ListEventSourceMappings?",
		"user/walker/CloudWatchLogsPerms":               "The service cloudwatchlog:DescribeLogGroups specified in the action does not exist. Did you mean logs:DescribeLogGroups?",
	}
	for _, n := range notes {
		if n.Operation != "PutUserPolicy" || len(n.Findings) == 0 || n.Findings[0].Details != want[n.Policy] {
			t.Errorf("note %s: %s %+v", n.Policy, n.Operation, n.Findings)
		}
	}
}
