package integration

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

func TestRootGetCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	out, err := sts.NewFromConfig(srv.AWSConfig(ctx)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := aws.ToString(out.Arn), "arn:aws:iam::123456789012:root"; got != want {
		t.Errorf("Arn = %q, want %q", got, want)
	}
	if aws.ToString(out.Account) != "123456789012" || aws.ToString(out.UserId) != "123456789012" {
		t.Errorf("Account/UserId = %q/%q", aws.ToString(out.Account), aws.ToString(out.UserId))
	}
}

func TestWrongSecretIsSignatureDoesNotMatch(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	cfg := srv.ConfigFor(srv.Root.AccessKeyID, "wrong", "")
	_, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assertCode(t, err, "SignatureDoesNotMatch")
	_, err = iam.NewFromConfig(srv.ConfigFor("AKIAUNKNOWN000000000", "x", "")).ListUsers(ctx, &iam.ListUsersInput{})
	assertCode(t, err, "InvalidClientTokenId")
	_, err = lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	assertCode(t, err, "InvalidSignatureException")
}

func assertCode(t *testing.T, err error, code string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want API error %s", err, code)
	}
	if ae.ErrorCode() != code {
		t.Fatalf("code = %s (%s), want %s", ae.ErrorCode(), ae.ErrorMessage(), code)
	}
}
