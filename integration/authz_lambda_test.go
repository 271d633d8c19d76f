package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A Lambda function policy (built by AddPermission) that names a user of the same account
// allows on its own, without any identity-based policy ("Using resource-based policies in
// Lambda"; IAM User Guide, "Policy evaluation logic"); removing it denies again.
func TestFunctionPolicyGrantsSameAccountUser(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	rootLambda := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "fn-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	if _, err := rootLambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("shared-fn"), Role: aws.String(role),
		Runtime: "python3.12", Handler: aws.String("app.handler"), Code: &lambdaTypesFunctionCode}); err != nil {
		t.Fatal(err)
	}
	user := lambda.NewFromConfig(newUser(t, srv, admin, "max"))
	get := func() error {
		_, err := user.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("shared-fn")})
		return err
	}
	assertDenied(t, get(), "AccessDeniedException", "lambda:GetFunctionConfiguration on resource: arn:aws:lambda:us-east-1:123456789012:function:shared-fn because no identity-based policy allows")
	if _, err := rootLambda.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: aws.String("shared-fn"), StatementId: aws.String("max"),
		Action: aws.String("lambda:GetFunctionConfiguration"), Principal: aws.String("arn:aws:iam::123456789012:user/max")}); err != nil {
		t.Fatal(err)
	}
	if err := get(); err != nil {
		t.Fatalf("function policy naming the user: %v", err)
	}
	if _, err := rootLambda.RemovePermission(ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("shared-fn"), StatementId: aws.String("max")}); err != nil {
		t.Fatal(err)
	}
	assertCode(t, get(), "AccessDeniedException")
}
