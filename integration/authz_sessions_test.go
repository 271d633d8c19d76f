package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

func createRole(t *testing.T, admin *iam.Client, name, trust string) string {
	t.Helper()
	out, err := admin.CreateRole(context.Background(), &iam.CreateRoleInput{RoleName: aws.String(name), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Role.Arn)
}

func sessionConfig(srv *emulatortest.Server, c *sts.AssumeRoleOutput) aws.Config {
	return srv.ConfigFor(aws.ToString(c.Credentials.AccessKeyId), aws.ToString(c.Credentials.SecretAccessKey), aws.ToString(c.Credentials.SessionToken))
}

// Trust policies follow AWS's same-account rule ("IAM roles" and "Policy evaluation logic" in
// the IAM User Guide): a trust policy naming the user allows AssumeRole on its own; one naming
// the account's root delegates to the account, so the caller also needs an identity policy.
func TestAssumeRoleTrustRules(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	dana := sts.NewFromConfig(newUser(t, srv, admin, "dana"))
	byUser := createRole(t, admin, "by-user", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/dana"},"Action":"sts:AssumeRole"}]}`)
	byAccount := createRole(t, admin, "by-account", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`)
	if _, err := dana.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(byUser), RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatalf("trust naming the user: %v", err)
	}
	_, err := dana.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(byAccount), RoleSessionName: aws.String("s1")})
	assertDenied(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/dana is not authorized to perform: sts:AssumeRole on resource: "+byAccount)
	putUserPolicy(t, admin, "dana", "assume", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"`+byAccount+`"}]}`)
	if _, err := dana.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(byAccount), RoleSessionName: aws.String("s1")}); err != nil {
		t.Fatalf("trust naming the account plus an identity allow: %v", err)
	}
	// The root user may not assume roles at all.
	_, err = sts.NewFromConfig(srv.AWSConfig(ctx)).AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(byUser), RoleSessionName: aws.String("s1")})
	assertDenied(t, err, "AccessDenied", "Roles may not be assumed by root accounts.")
}

// A role session acts with the role's policies narrowed by its session policy, and denials
// name the assumed-role session ARN.
func TestSessionPolicyNarrowsRole(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	erin := sts.NewFromConfig(newUser(t, srv, admin, "erin"))
	role := createRole(t, admin, "reader", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/erin"},"Action":"sts:AssumeRole"}]}`)
	if _, err := admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("reader"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	full, err := erin.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("full")})
	if err != nil {
		t.Fatal(err)
	}
	asRole := iam.NewFromConfig(sessionConfig(srv, full))
	if _, err := asRole.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("role session ListRoles: %v", err)
	}
	_, err = asRole.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("x")})
	assertDenied(t, err, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/reader/full is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/x because no identity-based policy allows the iam:CreateUser action")

	narrow, err := erin.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("narrow"),
		Policy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	asNarrow := iam.NewFromConfig(sessionConfig(srv, narrow))
	if _, err := asNarrow.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("within the session policy: %v", err)
	}
	_, err = asNarrow.ListRoles(ctx, &iam.ListRolesInput{})
	assertDenied(t, err, "AccessDenied", "User: arn:aws:sts::123456789012:assumed-role/reader/narrow is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no session policy allows the iam:ListRoles action")
}

// GetSessionToken credentials obtained without MFA cannot call IAM (IAM answers
// InvalidClientTokenId), but work elsewhere with the user's permissions.
func TestSessionTokenCannotCallIAMWithoutMFA(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	frank := newUser(t, srv, admin, "frank")
	putUserPolicy(t, admin, "frank", "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	tok, err := sts.NewFromConfig(frank).GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	cfg := srv.ConfigFor(aws.ToString(tok.Credentials.AccessKeyId), aws.ToString(tok.Credentials.SecretAccessKey), aws.ToString(tok.Credentials.SessionToken))
	_, err = iam.NewFromConfig(cfg).ListUsers(ctx, &iam.ListUsersInput{})
	assertCode(t, err, "InvalidClientTokenId")
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/frank" {
		t.Fatalf("GetCallerIdentity with session token = %v, %v", id, err)
	}
}

// Cross-account AssumeRole needs both the trust policy of the role's account and the caller's
// own identity policy ("Cross-account policy evaluation logic").
func TestCrossAccountAssumeRole(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) {
		o.Accounts = []emulator.Account{{ID: "111111111111", AccessKeyID: "k1", SecretAccessKey: "s1"},
			{ID: "222222222222", AccessKeyID: "k2", SecretAccessKey: "s2"}}
	})
	ctx := context.Background()
	a := iam.NewFromConfig(srv.ConfigFor("k1", "s1", ""))
	b := iam.NewFromConfig(srv.ConfigFor("k2", "s2", ""))
	role := createRole(t, b, "shared", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111111111111:root"},"Action":"sts:AssumeRole"}]}`)
	if _, err := a.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gus")}); err != nil {
		t.Fatal(err)
	}
	key, err := a.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("gus")})
	if err != nil {
		t.Fatal(err)
	}
	gus := sts.NewFromConfig(srv.ConfigFor(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	_, err = gus.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("x1")})
	assertCode(t, err, "AccessDenied")
	if _, err := a.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("gus"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::222222222222:role/*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	out, err := gus.AssumeRole(ctx, &sts.AssumeRoleInput{RoleArn: aws.String(role), RoleSessionName: aws.String("x1")})
	if err != nil {
		t.Fatalf("cross-account with both allows: %v", err)
	}
	if got := aws.ToString(out.AssumedRoleUser.Arn); got != "arn:aws:sts::222222222222:assumed-role/shared/x1" {
		t.Errorf("assumed role ARN = %s", got)
	}
}
