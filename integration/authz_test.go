package integration

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// newUser creates an IAM user with an access key (as root) and returns an IAM client signed
// with the user's key.
func newUser(t *testing.T, srv *emulatortest.Server, admin *iam.Client, name string) aws.Config {
	t.Helper()
	ctx := context.Background()
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	return srv.ConfigFor(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), "")
}

func putUserPolicy(t *testing.T, admin *iam.Client, user, name, doc string) {
	t.Helper()
	if _, err := admin.PutUserPolicy(context.Background(), &iam.PutUserPolicyInput{UserName: aws.String(user),
		PolicyName: aws.String(name), PolicyDocument: aws.String(doc)}); err != nil {
		t.Fatal(err)
	}
}

func assertDenied(t *testing.T, err error, code, message string) {
	t.Helper()
	assertCode(t, err, code)
	if !strings.Contains(err.Error(), message) {
		t.Errorf("message:\n got %v\nwant %s", err, message)
	}
}

// An IAM user with no policy can do nothing but sts:GetCallerIdentity, and every denial uses
// AWS's wording (IAM User Guide, "Troubleshoot access denied error messages").
func TestUserWithoutPolicyIsDenied(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	cfg := newUser(t, srv, admin, "alice")
	id, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:iam::123456789012:user/alice" {
		t.Fatalf("GetCallerIdentity = %v, %v", id, err)
	}
	alice := iam.NewFromConfig(cfg)
	_, err = alice.ListRoles(ctx, &iam.ListRolesInput{})
	assertDenied(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no identity-based policy allows the iam:ListRoles action")
	_, err = alice.GetUser(ctx, &iam.GetUserInput{})
	assertDenied(t, err, "AccessDenied", "is not authorized to perform: iam:GetUser on resource: user alice because no identity-based policy allows the iam:GetUser action")
	_, err = alice.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("mallory"), Path: aws.String("/ops/")})
	assertDenied(t, err, "AccessDenied", "iam:CreateUser on resource: arn:aws:iam::123456789012:user/ops/mallory because")
	_, err = lambda.NewFromConfig(cfg).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	assertDenied(t, err, "AccessDeniedException", "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: lambda:ListFunctions on resource: * because no identity-based policy allows the lambda:ListFunctions action")
}

// Each kind of grant unlocks exactly its calls; a boundary narrows them; an explicit deny wins.
func TestGrantsBoundariesAndDenies(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	cfg := newUser(t, srv, admin, "bob")
	bob := iam.NewFromConfig(cfg)

	// Inline policy: ListUsers only.
	putUserPolicy(t, admin, "bob", "list-users", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)
	if _, err := bob.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("inline grant: %v", err)
	}
	_, err := bob.ListGroups(ctx, &iam.ListGroupsInput{})
	assertCode(t, err, "AccessDenied")

	// Group with a customer managed policy: ListGroups.
	if _, err := admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("readers")}); err != nil {
		t.Fatal(err)
	}
	pol, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("list-groups"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListGroups","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("readers"), PolicyArn: pol.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("readers"), UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListGroups(ctx, &iam.ListGroupsInput{}); err != nil {
		t.Fatalf("group grant: %v", err)
	}

	// AWS managed IAMReadOnlyAccess: reads everywhere, writes nowhere.
	if _, err := admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("IAMReadOnlyAccess ListRoles: %v", err)
	}
	_, err = bob.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("nope")})
	assertDenied(t, err, "AccessDenied", "iam:CreateGroup on resource: arn:aws:iam::123456789012:group/nope because no identity-based policy allows the iam:CreateGroup action")

	// A permissions boundary allowing only ListUsers narrows the grants.
	bnd, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("boundary"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("bob"), PermissionsBoundary: bnd.Policy.Arn}); err != nil {
		t.Fatal(err)
	}
	if _, err := bob.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("within boundary: %v", err)
	}
	_, err = bob.ListRoles(ctx, &iam.ListRolesInput{})
	assertDenied(t, err, "AccessDenied", "iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no permissions boundary allows the iam:ListRoles action")
	if _, err := admin.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}

	// An explicit deny wins over every allow.
	putUserPolicy(t, admin, "bob", "deny-roles", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:ListRoles","Resource":"*"}]}`)
	_, err = bob.ListRoles(ctx, &iam.ListRolesInput{})
	assertDenied(t, err, "AccessDenied", "iam:ListRoles on resource: arn:aws:iam::123456789012:role/ with an explicit deny in an identity-based policy")

	// The decision log explains it.
	resp, err := http.Get(srv.URL + "/_iamlocal/decisions")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var log struct{ Decisions []authorize.Decision }
	if err := json.Unmarshal(body, &log); err != nil {
		t.Fatal(err)
	}
	last := log.Decisions[len(log.Decisions)-1]
	denyMatched := false
	for _, m := range last.Matched {
		denyMatched = denyMatched || (m.Policy == "user/bob/deny-roles" && m.Effect == "Deny")
	}
	if last.Decision != "ExplicitDeny" || last.Action != "iam:ListRoles" || last.DecidedBy != "identity" || !denyMatched {
		t.Errorf("last decision = %+v", last)
	}
}

// Soft enforcement evaluates and records but never denies.
func TestSoftEnforcement(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) { o.Enforce = authorize.Soft })
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	cfg := newUser(t, srv, admin, "carol")
	if _, err := iam.NewFromConfig(cfg).ListRoles(ctx, &iam.ListRolesInput{}); err != nil {
		t.Fatalf("soft mode denied: %v", err)
	}
	ds := srv.Decisions()
	if d := ds[len(ds)-1]; d.Decision != "ImplicitDeny" || d.Mode != "soft" || !strings.Contains(d.Message, "iam:ListRoles") {
		t.Errorf("recorded = %+v", d)
	}
}
