package integration

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The walkthrough of the AWS Lambda Developer Guide page "Using Identity-Based Policies (IAM
// Policies) for AWS Lambda" (shared/seed), with its policies verbatim (account-id filled in).
// The page's own slips are kept: "lambda:ListEventSourceMapping" and "cloudwatchlog:*" are
// accepted as AWS accepts unknown actions, and grant nothing.
func TestSeedWalkthroughIAMAndLambda(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	acct := "123456789012"
	fill := func(doc string) string { return strings.ReplaceAll(doc, "account-id", acct) }
	attach := func(user, name, doc string) {
		t.Helper()
		putUserPolicy(t, root, user, name, fill(doc))
	}

	// Step 1: an IAM user in an administrators group.
	if _, err := root.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("Administrators")}); err != nil {
		t.Fatal(err)
	}
	if _, err := root.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("Administrators"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	adminCfg := newUser(t, srv, root, "Administrator")
	if _, err := root.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("Administrators"), UserName: aws.String("Administrator")}); err != nil {
		t.Fatal(err)
	}
	admin := iam.NewFromConfig(adminCfg)
	adminLambda := lambda.NewFromConfig(adminCfg)
	// The administrator sets up an execution role and a function for the steps below.
	role := createRole(t, admin, "lambda-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	code := zipOf(t, map[string]string{"app.py": "def handler(event, context):\n    return {'ok': True}\n"})
	if _, err := adminLambda.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("existing"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code}}); err != nil {
		t.Fatal(err)
	}
	// The user the steps grant permissions to, one policy at a time: at first it can do nothing.
	cfg := newUser(t, srv, root, "walker")
	fns := lambda.NewFromConfig(cfg)
	_, err := fns.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	assertCode(t, err, "AccessDeniedException")

	// Step 2: list functions.
	attach("walker", "ListExistingFunctions", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "ListExistingFunctions", "Effect": "Allow", "Action": [ "lambda:ListFunctions" ], "Resource": "*" } ] }`)
	list, err := fns.ListFunctions(ctx, &lambda.ListFunctionsInput{})
	if err != nil || len(list.Functions) != 1 {
		t.Fatalf("step 2: %v %v", list, err)
	}
	_, err = fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("existing")})
	assertCode(t, err, "AccessDeniedException")

	// Step 3: view details (the page's "lambda:ListEventSourceMapping" matches no real action).
	attach("walker", "DisplayFunctionDetailsPermissions", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "DisplayFunctionDetailsPermissions", "Effect": "Allow", "Action": [ "lambda:ListVersionsByFunction", "lambda:ListAliases", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListEventSourceMapping", "lambda:GetPolicy" ], "Resource": "*" } ] }`)
	for name, call := range map[string]func() error{
		"GetFunction": func() error {
			_, e := fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("existing")})
			return e
		},
		"GetFunctionConfiguration": func() error {
			_, e := fns.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("existing")})
			return e
		},
		"ListVersionsByFunction": func() error {
			_, e := fns.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("existing")})
			return e
		},
		"ListAliases": func() error {
			_, e := fns.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("existing")})
			return e
		},
	} {
		if err := call(); err != nil {
			t.Errorf("step 3 %s: %v", name, err)
		}
	}
	// GetPolicy is allowed; the function has no policy yet, which Lambda answers with 404.
	_, err = fns.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String("existing")})
	assertCode(t, err, "ResourceNotFoundException")
	_, err = fns.ListEventSourceMappings(ctx, &lambda.ListEventSourceMappingsInput{})
	assertDenied(t, err, "AccessDeniedException", "lambda:ListEventSourceMappings on resource: * because no identity-based policy allows")

	// Step 4: invoke.
	_, err = fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("existing")})
	assertCode(t, err, "AccessDeniedException")
	attach("walker", "InvokePermission", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "InvokePermission", "Effect": "Allow", "Action": [ "lambda:InvokeFunction" ], "Resource": "*" } ] }`)
	out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("existing")})
	if err != nil || string(out.Payload) != `{"ok": true}` {
		t.Fatalf("step 4: %v %v", out, err)
	}

	// Step 6: create a function, which needs iam:PassRole on the execution role.
	walkerIAM := iam.NewFromConfig(cfg)
	create := func(name string) error {
		_, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code}})
		return err
	}
	assertCode(t, create("mine"), "AccessDeniedException")
	attach("walker", "CreateFunction", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "ListExistingRolesAndPolicies", "Effect": "Allow", "Action": [ "iam:ListRolePolicies", "iam:ListRoles" ], "Resource": "*" }, { "Sid": "CreateFunctionPermissions", "Effect": "Allow", "Action": [ "lambda:CreateFunction" ], "Resource": "*" }, { "Sid": "PermissionToPassAnyRole", "Effect": "Allow", "Action": [ "iam:PassRole" ], "Resource": "arn:aws:iam::account-id:role/*" } ] }`)
	if _, err := walkerIAM.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Errorf("step 6 ListRoles: %v", err)
	}
	if _, err := walkerIAM.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("lambda-exec")}); err != nil {
		t.Errorf("step 6 ListRolePolicies: %v", err)
	}
	if err := create("mine"); err != nil {
		t.Fatalf("step 6 CreateFunction: %v", err)
	}
	// Creating a role as well needs the page's "CreateARole" statement (here as its own policy).
	_, err = walkerIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("walker-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	assertCode(t, err, "AccessDenied")
	attach("walker", "CreateARole", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CreateARole", "Effect": "Allow", "Action": [ "iam:CreateRole", "iam:CreatePolicy", "iam:AttachRolePolicy" ], "Resource": "arn:aws:iam::account-id:role/*" } ] }`)
	if _, err := walkerIAM.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("walker-role"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)}); err != nil {
		t.Fatalf("CreateARole: %v", err)
	}
}
