package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A server of the aws-us-gov partition names everything arn:aws-us-gov:..., in its answers and
// in AccessDenied texts; its IAM takes policies naming that partition's resources (and AWS
// managed policies under that partition's ARNs), and they allow ("Amazon Resource Names
// (ARNs)": each account is scoped to one partition).
func TestGovCloudPartition(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) { o.Partition, o.Region = "aws-us-gov", "us-gov-west-1" })
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	want := func(what, got, want string) {
		t.Helper()
		if got != want {
			t.Errorf("%s = %s, want %s", what, got, want)
		}
	}

	id := must[*sts.GetCallerIdentityOutput](t)(sts.NewFromConfig(srv.AWSConfig(ctx)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	want("root caller", aws.ToString(id.Arn), "arn:aws-us-gov:iam::123456789012:root")
	role := createRole(t, admin, "exec", `{"Version":"2012-10-17","Statement":[`+
		`{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"},`+
		`{"Effect":"Allow","Principal":{"AWS":"arn:aws-us-gov:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)
	want("CreateRole", role, "arn:aws-us-gov:iam::123456789012:role/exec")
	policy := must[*iam.CreatePolicyOutput](t)(admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("fn-read"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[` +
			`{"Effect":"Allow","Action":"lambda:GetFunction","Resource":"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:fn"},` +
			`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws-us-gov:iam::123456789012:role/exec"}]}`)}))
	want("CreatePolicy", aws.ToString(policy.Policy.Arn), "arn:aws-us-gov:iam::123456789012:policy/fn-read")
	fn := must[*lambda.CreateFunctionOutput](t)(lambda.NewFromConfig(srv.AWSConfig(ctx)).CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String("fn"), Role: aws.String(role), Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &lambdatypes.FunctionCode{ZipFile: lambdaZip(t, "def handler(e, c):\n    return 1\n")}}))
	want("CreateFunction", aws.ToString(fn.FunctionArn), "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:fn")

	cfg := newUser(t, srv, admin, "alice")
	user := must[*iam.GetUserOutput](t)(admin.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice")}))
	want("CreateUser", aws.ToString(user.User.Arn), "arn:aws-us-gov:iam::123456789012:user/alice")
	id = must[*sts.GetCallerIdentityOutput](t)(sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	want("user caller", aws.ToString(id.Arn), "arn:aws-us-gov:iam::123456789012:user/alice")

	alice, aliceLambda := iam.NewFromConfig(cfg), lambda.NewFromConfig(cfg)
	_, err := alice.ListRoles(ctx, &iam.ListRolesInput{})
	assertDenied(t, err, "AccessDenied", "User: arn:aws-us-gov:iam::123456789012:user/alice is not authorized to perform: iam:ListRoles on resource: arn:aws-us-gov:iam::123456789012:role/ because no identity-based policy allows the iam:ListRoles action")
	_, err = aliceLambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("fn")})
	assertDenied(t, err, "AccessDeniedException", "User: arn:aws-us-gov:iam::123456789012:user/alice is not authorized to perform: lambda:GetFunction on resource: arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:fn because no identity-based policy allows the lambda:GetFunction action")

	_, err = admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("commercial"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:*","Resource":"arn:aws:lambda:us-gov-west-1:123456789012:function:fn"}]}`)})
	assertDenied(t, err, "MalformedPolicyDocument", `Partition "aws" is not valid for resource "arn:aws:lambda:us-gov-west-1:123456789012:function:fn".`)
	for _, arn := range []string{aws.ToString(policy.Policy.Arn), "arn:aws-us-gov:iam::aws:policy/IAMReadOnlyAccess"} {
		if _, err := admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: aws.String(arn)}); err != nil {
			t.Fatalf("attach %s: %v", arn, err)
		}
	}
	if _, err := aliceLambda.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:fn")}); err != nil {
		t.Errorf("GetFunction allowed by a policy naming the partition's function: %v", err)
	}
	if _, err := alice.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("ListRoles allowed by the partition's AWS managed policy: %v", err)
	}
	creds := must[*sts.AssumeRoleOutput](t)(sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("s1")}))
	want("AssumeRole", aws.ToString(creds.AssumedRoleUser.Arn), "arn:aws-us-gov:sts::123456789012:assumed-role/exec/s1")
	_, err = sts.NewFromConfig(cfg).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::123456789012:role/exec"), RoleSessionName: aws.String("s2")})
	assertDenied(t, err, "AccessDenied", "User: arn:aws-us-gov:iam::123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::123456789012:role/exec")
}
