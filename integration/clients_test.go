package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The AWS CLI v1 signs differently from the Go SDK (its own header set, and Lambda GET/DELETE
// with empty bodies); every request must verify, and errors must parse into the CLI's messages.
func TestAWSCLISmoke(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	key, secret := srv.Root.AccessKeyID, srv.Root.SecretAccessKey
	out, stderr, err := runCLI(t, srv, key, secret, "sts", "get-caller-identity")
	if err != nil || !strings.Contains(out, `"Arn": "arn:aws:iam::123456789012:root"`) {
		t.Fatalf("get-caller-identity: %v\n%s\n%s", err, out, stderr)
	}
	if out, stderr, err = runCLI(t, srv, key, secret, "iam", "create-user", "--user-name", "cli-user", "--path", "/cli/",
		"--tags", "Key=team,Value=blue"); err != nil {
		t.Fatalf("create-user: %v\n%s", err, stderr)
	}
	var created struct {
		User struct{ Arn, UserName, Path string }
	}
	if err := json.Unmarshal([]byte(out), &created); err != nil || created.User.Arn != "arn:aws:iam::123456789012:user/cli/cli-user" {
		t.Fatalf("create-user output: %v %s", err, out)
	}
	if _, stderr, err = runCLI(t, srv, key, secret, "iam", "put-user-policy", "--user-name", "cli-user", "--policy-name", "p",
		"--policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`); err != nil {
		t.Fatalf("put-user-policy: %v\n%s", err, stderr)
	}
	out, stderr, err = runCLI(t, srv, key, secret, "iam", "get-user-policy", "--user-name", "cli-user", "--policy-name", "p")
	if err != nil || !strings.Contains(out, `"Action": "iam:Get*"`) {
		t.Fatalf("get-user-policy (the CLI URL-decodes the document): %v\n%s\n%s", err, out, stderr)
	}
	out, _, _ = runCLI(t, srv, key, secret, "iam", "list-users", "--path-prefix", "/cli/")
	if !strings.Contains(out, "cli-user") {
		t.Fatalf("list-users: %s", out)
	}
	_, stderr, err = runCLI(t, srv, key, secret, "iam", "get-user", "--user-name", "nobody")
	if err == nil || !strings.Contains(stderr, "An error occurred (NoSuchEntity) when calling the GetUser operation: The user with name nobody cannot be found.") {
		t.Fatalf("get-user missing: %v\n%s", err, stderr)
	}
	// Lambda GET and DELETE with empty bodies verify: the answer is the operation's own result
	// or NotImplemented, never a signature error.
	for _, args := range [][]string{{"lambda", "get-function", "--function-name", "f"}, {"lambda", "delete-function", "--function-name", "f"}} {
		_, stderr, _ = runCLI(t, srv, key, secret, args...)
		if strings.Contains(stderr, "Signature") || strings.Contains(stderr, "InvalidSignature") {
			t.Errorf("%v: %s", args, stderr)
		}
	}
	_, stderr, err = runCLI(t, srv, key, "wrong-secret", "iam", "list-users")
	if err == nil || !strings.Contains(stderr, "SignatureDoesNotMatch") {
		t.Fatalf("wrong secret: %v\n%s", err, stderr)
	}
}

// boto3 signs with botocore; a small script exercises IAM, STS and an error path.
func TestBoto3Smoke(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	out := runBoto3(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, `
import boto3, botocore, json
iam = boto3.client("iam")
sts = boto3.client("sts")
print(sts.get_caller_identity()["Arn"])
iam.create_user(UserName="py-user", Tags=[{"Key": "k", "Value": "v"}])
iam.create_role(RoleName="py-role", AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}))
role = iam.get_role(RoleName="py-role")["Role"]
print(role["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]["Service"])
iam.attach_role_policy(RoleName="py-role", PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
print(len(iam.list_attached_role_policies(RoleName="py-role")["AttachedPolicies"]))
key = iam.create_access_key(UserName="py-user")["AccessKey"]
user = boto3.client("sts", aws_access_key_id=key["AccessKeyId"], aws_secret_access_key=key["SecretAccessKey"])
print(user.get_caller_identity()["Arn"])
try:
    iam.get_role(RoleName="missing")
except botocore.exceptions.ClientError as e:
    print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"])
paginator = iam.get_paginator("list_policies")
print(sum(len(p["Policies"]) for p in paginator.paginate(Scope="AWS")))
`)
	want := []string{"arn:aws:iam::123456789012:root", "lambda.amazonaws.com", "1",
		"arn:aws:iam::123456789012:user/py-user", "NoSuchEntity 404", "1628"}
	if got := strings.Split(out, "\n"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("boto3 output:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
}

// Every configured account has its own root key and fully isolated state.
func TestAccountsAreIsolated(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) {
		o.Accounts = []emulator.Account{{ID: "111111111111", AccessKeyID: "k1", SecretAccessKey: "s1"},
			{ID: "222222222222", AccessKeyID: "k2", SecretAccessKey: "s2"}}
	})
	ctx := context.Background()
	a := iam.NewFromConfig(srv.ConfigFor("k1", "s1", ""))
	b := iam.NewFromConfig(srv.ConfigFor("k2", "s2", ""))
	if _, err := a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("shared-name")}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("shared-name")}); err == nil {
		t.Fatal("account 2 sees account 1's user")
	}
	out, err := b.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("shared-name")})
	if err != nil || aws.ToString(out.User.Arn) != "arn:aws:iam::222222222222:user/shared-name" {
		t.Fatalf("account 2 CreateUser = %v, %v", out, err)
	}
	// Reset returns both accounts to their initial state.
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	users, err := a.ListUsers(ctx, &iam.ListUsersInput{})
	if err != nil || len(users.Users) != 0 {
		t.Fatalf("after reset: %v, %v", users, err)
	}
}
