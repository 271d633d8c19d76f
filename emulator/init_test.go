package emulator_test

import (
	"context"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The YAML init file (a function whose code is a directory beside the file) creates what it
// names, through the handlers: the user's known key signs, its policies apply, the function
// runs. A second application creates nothing and says so.
func TestInitFileYAML(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	ok := noErr(t)
	report, err := srv.ApplyInit(ctx, filepath.Join("initfile", "testdata", "init.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	acct := " (account 123456789012)"
	want := []string{
		`policy "app-read"`, `group "developers"`, `inline policy "lambda-read" of group "developers"`,
		`user "dev"`, `membership of user "dev" in group "developers"`,
		`policy arn:aws:iam::aws:policy/ReadOnlyAccess attached to user "dev"`,
		`policy arn:aws:iam::123456789012:policy/app-read attached to user "dev"`,
		`inline policy "self" of user "dev"`, `access key AKIAINITDEV000000001 of user "dev"`,
		`role "hello-exec"`, `policy arn:aws:iam::123456789012:policy/app-read attached to role "hello-exec"`,
		`function "hello" in us-east-1`,
	}
	for i := range want {
		want[i] += acct
	}
	if !slices.Equal(report.Created, want) || report.Present != 0 {
		t.Errorf("first application created\n%s\n(%d present), want\n%s", strings.Join(report.Created, "\n"), report.Present, strings.Join(want, "\n"))
	}

	dev := srv.ConfigFor("AKIAINITDEV000000001", "dev-secret", "")
	id := ok(sts.NewFromConfig(dev).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).(*sts.GetCallerIdentityOutput)
	if got := aws.ToString(id.Arn); got != "arn:aws:iam::123456789012:user/team/dev" {
		t.Errorf("dev's key signs as %s", got)
	}
	ok(iam.NewFromConfig(dev).ListRoles(ctx, &iam.ListRolesInput{})) // ReadOnlyAccess
	pol := ok(iam.NewFromConfig(srv.AWSConfig(ctx)).GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
		PolicyArn: aws.String("arn:aws:iam::123456789012:policy/app-read"), VersionId: aws.String("v1")})).(*iam.GetPolicyVersionOutput)
	if doc, _ := url.QueryUnescape(aws.ToString(pol.PolicyVersion.Document)); !strings.Contains(doc, `"Version":"2012-10-17"`) || !strings.Contains(doc, `"aws:SecureTransport":true`) {
		t.Errorf("YAML policy document became %s; want the version as written and the boolean kept", doc)
	}
	out := ok(lambda.NewFromConfig(srv.AWSConfig(ctx)).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("hello"),
		Payload: []byte(`{"name":"init"}`)})).(*lambda.InvokeOutput)
	if out.FunctionError != nil || string(out.Payload) != `{"greeting": "Hello, init"}` {
		t.Errorf("Invoke = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}

	again, err := srv.ApplyInit(ctx, filepath.Join("initfile", "testdata", "init.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(again.Created) != 0 || again.Present != len(want) {
		t.Errorf("second application created %q with %d present, want nothing created and %d present", again.Created, again.Present, len(want))
	}
}

// A state export is an init file: another server given it as one has the exported users
// (with their keys), roles, policies and functions, and the report lists what an init file
// does not carry over.
func TestInitFromStateExport(t *testing.T) {
	t.Parallel()
	src := emulatortest.New(t)
	fx := populate(t, src)
	path := filepath.Join(t.TempDir(), "fixture.json")
	file, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := src.ExportState(file); err != nil {
		t.Fatal(err)
	}
	file.Close()

	dst := emulatortest.New(t)
	ctx := context.Background()
	ok := noErr(t)
	report, err := dst.ApplyInit(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`user "alice"`, `access key ` + fx.aliceKey + ` of user "alice"`, `role "app-role"`,
		`policy "app"`, `role "app-role" in instance profile "app-profile"`, `OIDC provider "https://token.actions.githubusercontent.com"`,
		`layer "greeting" in us-east-1`, `function "greeter" in us-east-1`} {
		if !slices.Contains(report.Created, want+" (account 123456789012)") {
			t.Errorf("created lacks %s:\n%s", want, strings.Join(report.Created, "\n"))
		}
	}
	for _, want := range []string{"published function versions: 2", "policy versions other than the default: 2",
		"records of table iam.loginprofiles: 1", "records of table lambda.fn/aliases: 1", "records of table lambda.fn/policies: 1"} {
		if !slices.Contains(report.LeftOut, want) {
			t.Errorf("left out lacks %q: %q", want, report.LeftOut)
		}
	}
	id := ok(sts.NewFromConfig(dst.ConfigFor(fx.aliceKey, fx.aliceSecret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).(*sts.GetCallerIdentityOutput)
	if got := aws.ToString(id.Arn); got != "arn:aws:iam::123456789012:user/eng/alice" {
		t.Errorf("alice's key signs as %s", got)
	}
	v := ok(iam.NewFromConfig(dst.AWSConfig(ctx)).GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{
		PolicyArn: aws.String("arn:aws:iam::123456789012:policy/app/app"), VersionId: aws.String("v1")})).(*iam.GetPolicyVersionOutput)
	if doc, _ := url.QueryUnescape(aws.ToString(v.PolicyVersion.Document)); !strings.Contains(doc, `"s3:*"`) {
		t.Errorf("policy app's document = %s, want the exported default version's", doc)
	}
	out := ok(lambda.NewFromConfig(dst.AWSConfig(ctx)).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("greeter"),
		Payload: []byte(`{"n":2}`)})).(*lambda.InvokeOutput)
	if out.FunctionError != nil || string(out.Payload) != `{"word": "hello", "event": {"n": 2}}` {
		t.Errorf("Invoke = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
	again, err := dst.ApplyInit(ctx, path)
	if err != nil || len(again.Created) != 0 {
		t.Errorf("second application of the export = %q, %v; want nothing created", again.Created, err)
	}
}

// A file that cannot be applied fails with a message naming what, in AWS's words where a
// handler refused it.
func TestInitFileRefused(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, file, want string
	}{
		{"unknown field", "users:\n  - name: a\n    passwd: x\n", "field passwd not found"},
		{"no code", "functions:\n  - name: f\n    runtime: python3.12\n    handler: a.b\n    role: r\n", `function f: "code" names no directory`},
		{"missing code", "functions:\n  - name: f\n    code: nowhere\n", "nowhere: no such file"},
		{"unconfigured account", "accounts:\n  \"999999999999\":\n    users: [{name: a}]\n", "account 999999999999 is in the file but not configured"},
		{"invalid name", "users:\n  - name: \"a b\"\n", `user "a b": GetUser: ValidationError: 1 validation error detected: Value 'a b' at 'userName'`},
		{"malformed trust", "roles:\n  - name: r\n    trustPolicy: nope\n", `role "r": CreateRole: MalformedPolicyDocument`},
		{"short key id", "users:\n  - name: a\n    accessKeys: [{id: AKIA, secret: s}]\n", `access key id "AKIA": want 16 to 128`},
		{"root key id", "users:\n  - name: a\n    accessKeys: [{id: test00000000000000, secret: s}]\n", "is the root access key id of account 123456789012"},
		{"unknown policy", "users:\n  - name: a\n    managedPolicies: [nothing]\n", `AttachUserPolicy: NoSuchEntity`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, func(o *emulator.Options) {
				o.Accounts = []emulator.Account{{ID: "123456789012", AccessKeyID: "test00000000000000", SecretAccessKey: "test"}}
			})
			path := filepath.Join(t.TempDir(), "init.yaml")
			if err := os.WriteFile(path, []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := srv.ApplyInit(context.Background(), path); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ApplyInit = %v, want an error saying %q", err, tc.want)
			}
		})
	}
}
