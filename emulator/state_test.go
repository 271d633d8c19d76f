package emulator_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

func zipFiles(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// noErr returns a function that fails t on an error and passes the value through: wrap an
// SDK call in it, and type-assert the value where it is needed.
func noErr(t testing.TB) func(any, error) any {
	return func(v any, err error) any {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// fixture is what populate made that a test needs to reach again.
type fixture struct {
	aliceKey, aliceSecret string
}

// populate gives the server one of most things a suite sets up: a user in a group with an
// access key, a login profile, managed and inline policies; a customer managed policy with
// three versions; a role with a trust policy, tags and an instance profile; an OIDC provider;
// a layer and a function using it, with code, two published versions, an alias and a
// permission.
func populate(t testing.TB, srv *emulatortest.Server) fixture {
	t.Helper()
	ok := noErr(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	s := aws.String
	doc := func(action string) *string {
		return s(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`)
	}
	ok(admin.CreateUser(ctx, &iam.CreateUserInput{UserName: s("alice"), Path: s("/eng/"),
		Tags: []iamtypes.Tag{{Key: s("team"), Value: s("platform")}}}))
	key := ok(admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: s("alice")})).(*iam.CreateAccessKeyOutput)
	ok(admin.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: s("alice"), Password: s("Passw0rd!Passw0rd")}))
	ok(admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: s("devs")}))
	ok(admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: s("devs"), UserName: s("alice")}))
	pol := ok(admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: s("app"), Path: s("/app/"), PolicyDocument: doc("s3:GetObject"),
		Description: s("what the app reads")})).(*iam.CreatePolicyOutput)
	ok(admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: doc("s3:*"), SetAsDefault: true}))
	ok(admin.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: pol.Policy.Arn, PolicyDocument: doc("s3:List*")}))
	ok(admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: s("alice"), PolicyArn: pol.Policy.Arn}))
	ok(admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: s("devs"), PolicyArn: s("arn:aws:iam::aws:policy/ReadOnlyAccess")}))
	ok(admin.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: s("alice"), PolicyName: s("self"), PolicyDocument: doc("iam:GetUser")}))
	role := ok(admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: s("app-role"), AssumeRolePolicyDocument: s(lambdaTrust),
		Description: s("runs the app"), MaxSessionDuration: aws.Int32(7200), Tags: []iamtypes.Tag{{Key: s("env"), Value: s("test")}}})).(*iam.CreateRoleOutput)
	ok(admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: s("app-role"), PolicyArn: pol.Policy.Arn}))
	ok(admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: s("app-role"), PolicyName: s("logs"), PolicyDocument: doc("logs:*")}))
	ok(admin.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: s("app-profile")}))
	ok(admin.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: s("app-profile"), RoleName: s("app-role")}))
	ok(admin.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: s("https://token.actions.githubusercontent.com"),
		ClientIDList: []string{"sts.amazonaws.com"}, ThumbprintList: []string{strings.Repeat("a", 40)}}))

	layer := ok(fns.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: s("greeting"),
		Content:            &lambdatypes.LayerVersionContentInput{ZipFile: zipFiles(t, map[string]string{"python/greeting.py": "WORD = 'hello'\n"})},
		CompatibleRuntimes: []lambdatypes.Runtime{lambdatypes.RuntimePython312}})).(*lambda.PublishLayerVersionOutput)
	code := zipFiles(t, map[string]string{"app.py": "from greeting import WORD\n\ndef handler(event, context):\n    return {'word': WORD, 'event': event}\n"})
	ok(fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: s("greeter"), Role: role.Role.Arn, Runtime: lambdatypes.RuntimePython312,
		Handler: s("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code}, Layers: []string{aws.ToString(layer.LayerVersionArn)},
		Environment: &lambdatypes.Environment{Variables: map[string]string{"MODE": "one"}}, Tags: map[string]string{"app": "greeter"}}))
	ok(fns.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: s("greeter")}))
	ok(fns.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: s("greeter"),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"MODE": "two"}}}))
	ok(fns.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: s("greeter"), Description: s("second")}))
	ok(fns.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: s("greeter"), Name: s("live"), FunctionVersion: s("1")}))
	ok(fns.AddPermission(ctx, &lambda.AddPermissionInput{FunctionName: s("greeter"), StatementId: s("s3"), Action: s("lambda:InvokeFunction"),
		Principal: s("s3.amazonaws.com"), SourceArn: s("arn:aws:s3:::bucket")}))
	return fixture{aliceKey: aws.ToString(key.AccessKey.AccessKeyId), aliceSecret: aws.ToString(key.AccessKey.SecretAccessKey)}
}

// observe is what a suite can see of the state through Get* and List* calls, as JSON with the
// per-server parts (request ids, code download URLs) left out.
func observe(t *testing.T, srv *emulatortest.Server) string {
	t.Helper()
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	s := aws.String
	policyARN := "arn:aws:iam::123456789012:policy/app/app"
	layerARN := "arn:aws:lambda:us-east-1:123456789012:layer:greeting"
	calls := []struct {
		name string
		call func() (any, error)
	}{
		{"GetUser", func() (any, error) { return admin.GetUser(ctx, &iam.GetUserInput{UserName: s("alice")}) }},
		{"ListUsers", func() (any, error) { return admin.ListUsers(ctx, &iam.ListUsersInput{}) }},
		{"ListAccessKeys", func() (any, error) { return admin.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: s("alice")}) }},
		{"GetLoginProfile", func() (any, error) {
			return admin.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: s("alice")})
		}},
		{"ListGroupsForUser", func() (any, error) {
			return admin.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: s("alice")})
		}},
		{"GetGroup", func() (any, error) { return admin.GetGroup(ctx, &iam.GetGroupInput{GroupName: s("devs")}) }},
		{"GetPolicy", func() (any, error) { return admin.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: s(policyARN)}) }},
		{"ListPolicies", func() (any, error) {
			return admin.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: iamtypes.PolicyScopeTypeLocal})
		}},
		{"ListPolicyVersions", func() (any, error) {
			return admin.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: s(policyARN)})
		}},
		{"GetPolicyVersion v3", func() (any, error) {
			return admin.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: s(policyARN), VersionId: s("v3")})
		}},
		{"ListAttachedUserPolicies", func() (any, error) {
			return admin.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: s("alice")})
		}},
		{"ListAttachedGroupPolicies", func() (any, error) {
			return admin.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: s("devs")})
		}},
		{"GetUserPolicy", func() (any, error) {
			return admin.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: s("alice"), PolicyName: s("self")})
		}},
		{"GetRole", func() (any, error) { return admin.GetRole(ctx, &iam.GetRoleInput{RoleName: s("app-role")}) }},
		{"ListRoleTags", func() (any, error) { return admin.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: s("app-role")}) }},
		{"GetRolePolicy", func() (any, error) {
			return admin.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: s("app-role"), PolicyName: s("logs")})
		}},
		{"ListInstanceProfilesForRole", func() (any, error) {
			return admin.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: s("app-role")})
		}},
		{"ListOpenIDConnectProviders", func() (any, error) {
			return admin.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
		}},
		{"GetAccountAuthorizationDetails", func() (any, error) {
			return admin.GetAccountAuthorizationDetails(ctx, &iam.GetAccountAuthorizationDetailsInput{
				Filter: []iamtypes.EntityType{iamtypes.EntityTypeUser, iamtypes.EntityTypeGroup, iamtypes.EntityTypeRole, iamtypes.EntityTypeLocalManagedPolicy}})
		}},
		{"GetFunction", func() (any, error) { return fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: s("greeter")}) }},
		{"GetFunction 1", func() (any, error) {
			return fns.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: s("greeter"), Qualifier: s("1")})
		}},
		{"ListVersionsByFunction", func() (any, error) {
			return fns.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: s("greeter")})
		}},
		{"ListAliases", func() (any, error) { return fns.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: s("greeter")}) }},
		{"GetPolicy (function)", func() (any, error) { return fns.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: s("greeter")}) }},
		{"ListLayerVersions", func() (any, error) {
			return fns.ListLayerVersions(ctx, &lambda.ListLayerVersionsInput{LayerName: s("greeting")})
		}},
		{"GetLayerVersionByArn", func() (any, error) {
			return fns.GetLayerVersionByArn(ctx, &lambda.GetLayerVersionByArnInput{Arn: s(layerARN + ":1")})
		}},
		{"ListTags", func() (any, error) {
			return fns.ListTags(ctx, &lambda.ListTagsInput{Resource: s("arn:aws:lambda:us-east-1:123456789012:function:greeter")})
		}},
	}
	var out strings.Builder
	for _, c := range calls {
		v, err := c.call()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		raw, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var tree any
		if err := json.Unmarshal(raw, &tree); err != nil {
			t.Fatal(err)
		}
		raw, _ = json.MarshalIndent(stripPerServer(tree), "", " ")
		out.WriteString(c.name + ": " + string(raw) + "\n")
	}
	return out.String()
}

// stripPerServer blanks what differs between two servers holding the same state: the SDK's
// result metadata and the code download URLs, which carry the server's address and key.
func stripPerServer(v any) any {
	switch v := v.(type) {
	case map[string]any:
		delete(v, "ResultMetadata")
		for k, child := range v {
			if k == "Location" {
				v[k] = "(per server)"
				continue
			}
			v[k] = stripPerServer(child)
		}
	case []any:
		for i := range v {
			v[i] = stripPerServer(v[i])
		}
	}
	return v
}

func adminCall(t testing.TB, method, url string, body io.Reader, headers map[string]string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	for name := range resp.Header {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			t.Errorf("%s %s answered with CORS header %s", method, url, name)
		}
	}
	return resp.StatusCode, string(raw)
}

// A state file exported from one server and imported into another gives the same answers to
// the Get and List calls of every kind populate makes, the same state file again, working
// credentials (the secrets travel in the file) and a function whose code and layer run.
func TestStateExportImportRoundTrip(t *testing.T) {
	t.Parallel()
	ok := noErr(t)
	src := emulatortest.New(t)
	fx := populate(t, src)
	want := observe(t, src)
	status, file := adminCall(t, "GET", src.URL+"/_iamlocal/state", nil, nil)
	if status != 200 {
		t.Fatalf("GET state = %d %s", status, file)
	}

	dst := emulatortest.New(t)
	ok(iam.NewFromConfig(dst.AWSConfig(context.Background())).CreateUser(context.Background(),
		&iam.CreateUserInput{UserName: aws.String("replaced")}))
	if status, body := adminCall(t, "PUT", dst.URL+"/_iamlocal/state", strings.NewReader(file), nil); status != 200 {
		t.Fatalf("PUT state = %d %s", status, body)
	}
	if got := observe(t, dst); got != want {
		t.Errorf("after import the answers differ:\n%s\nwant\n%s", got, want)
	}
	if _, again := adminCall(t, "GET", dst.URL+"/_iamlocal/state", nil, nil); again != file {
		t.Error("the imported state exports to another file")
	}
	ctx := context.Background()
	if _, err := iam.NewFromConfig(dst.AWSConfig(ctx)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("replaced")}); err == nil {
		t.Error("a user of the state before the import survived it: import must replace everything")
	}
	id := ok(sts.NewFromConfig(dst.ConfigFor(fx.aliceKey, fx.aliceSecret, "")).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})).(*sts.GetCallerIdentityOutput)
	if got := aws.ToString(id.Arn); got != "arn:aws:iam::123456789012:user/eng/alice" {
		t.Errorf("alice's imported key signs as %s", got)
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Fatal("python3 is needed to run the imported function")
	}
	out := ok(lambda.NewFromConfig(dst.AWSConfig(ctx)).Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("greeter"),
		Qualifier: aws.String("live"), Payload: []byte(`{"n":1}`)})).(*lambda.InvokeOutput)
	if out.FunctionError != nil || string(out.Payload) != `{"word": "hello", "event": {"n": 1}}` {
		t.Errorf("Invoke after import = %s %s", aws.ToString(out.FunctionError), out.Payload)
	}
}

// A file that is not a state file is refused with 400 and changes nothing.
func TestImportRefusesBadFiles(t *testing.T) {
	t.Parallel()
	ok := noErr(t)
	srv := emulatortest.New(t)
	ctx := context.Background()
	client := iam.NewFromConfig(srv.AWSConfig(ctx))
	ok(client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("kept")}))
	for _, body := range []string{"", "{}", `{"format":"iamlocal-state","version":9,"schema":3,"tables":{}}`,
		`{"format":"iamlocal-state","version":1,"schema":3,"tables":{"meta":{}}}`} {
		if status, answer := adminCall(t, "PUT", srv.URL+"/_iamlocal/state", strings.NewReader(body), nil); status != 400 || !strings.Contains(answer, "state file") {
			t.Errorf("PUT %q = %d %s, want 400 naming the state file", body, status, answer)
		}
	}
	if _, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("kept")}); err != nil {
		t.Errorf("a refused import changed the state: %v", err)
	}
}

// Named snapshots over HTTP: save, list, restore (the state written since is gone), delete;
// unknown names are 404, bad names 400.
func TestSnapshotEndpoints(t *testing.T) {
	t.Parallel()
	ok := noErr(t)
	srv := emulatortest.New(t)
	ctx := context.Background()
	client := iam.NewFromConfig(srv.AWSConfig(ctx))
	exists := func(name string) bool {
		_, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String(name)})
		return err == nil
	}
	ok(client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("kept")}))
	steps := []struct {
		method, path string
		status       int
		answer       string // in the body
		before       func()
	}{
		{"POST", "/_iamlocal/snapshots/base", 200, `"name":"base"`, nil},
		{"GET", "/_iamlocal/snapshots", 200, `"snapshots":[{"name":"base"`, func() {
			ok(client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("later")}))
		}},
		{"POST", "/_iamlocal/snapshots/base/restore", 200, `"status":"restored"`, nil},
		{"POST", "/_iamlocal/snapshots/missing/restore", 404, "no snapshot named missing", func() {
			if exists("later") || !exists("kept") {
				t.Error("restore did not bring back the state of the snapshot")
			}
		}},
		{"POST", "/_iamlocal/snapshots/.hidden", 400, "snapshot names have", nil},
		{"POST", "/_iamlocal/snapshots/base", 200, `"status":"saved"`, nil}, // replaces
		{"DELETE", "/_iamlocal/snapshots/base", 200, `"status":"deleted"`, nil},
		{"DELETE", "/_iamlocal/snapshots/base", 404, "no snapshot named base", nil},
		{"GET", "/_iamlocal/snapshots", 200, `{"snapshots":[]}`, nil},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		status, body := adminCall(t, st.method, srv.URL+st.path, nil, nil)
		if status != st.status || !strings.Contains(body, st.answer) {
			t.Errorf("%s %s = %d %s, want %d with %s", st.method, st.path, status, body, st.status, st.answer)
		}
	}
}

// The authorizer caches a principal's policies until its account's storage generation moves:
// a restore moves it, so permissions granted after the snapshot are gone at once.
func TestRestoreDropsCachedPermissions(t *testing.T) {
	t.Parallel()
	ok := noErr(t)
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	ok(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	key := ok(root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).(*iam.CreateAccessKeyOutput)
	bob := iam.NewFromConfig(srv.ConfigFor(aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey), ""))
	srv.Snapshot(t, "no-permissions")
	ok(root.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("bob"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}))
	if _, err := bob.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("bob with IAMReadOnlyAccess: %v", err)
	}
	srv.Restore(t, "no-permissions")
	if _, err := bob.ListUsers(ctx, &iam.ListUsersInput{}); err == nil || !strings.Contains(err.Error(), "AccessDenied") {
		t.Errorf("bob after the restore: %v, want AccessDenied", err)
	}
}

// Requests in flight during restores see one state or the other, never a failure: the user
// is in both.
func TestRestoreUnderLoad(t *testing.T) {
	t.Parallel()
	ok := noErr(t)
	srv := emulatortest.New(t)
	ctx := context.Background()
	client := iam.NewFromConfig(srv.AWSConfig(ctx))
	ok(client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("steady")}))
	srv.Snapshot(t, "a")
	ok(client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("extra")}))
	srv.Snapshot(t, "b")
	var wg sync.WaitGroup
	stop := make(chan struct{})
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if _, err := client.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("steady")}); err != nil {
					t.Errorf("GetUser during restores: %v", err)
					return
				}
			}
		})
	}
	for i := range 20 {
		srv.Restore(t, map[bool]string{true: "a", false: "b"}[i%2 == 0])
	}
	close(stop)
	wg.Wait()
}

// Every new admin endpoint is behind the guard: no page of another origin changes state, no
// rebound name reaches any of them, and beyond loopback each needs the token.
func TestStateEndpointsGuarded(t *testing.T) {
	t.Parallel()
	ok := noErr(t)
	endpoints := []struct{ method, path string }{
		{"GET", "/_iamlocal/state"},
		{"PUT", "/_iamlocal/state"},
		{"GET", "/_iamlocal/snapshots"},
		{"POST", "/_iamlocal/snapshots/x"},
		{"POST", "/_iamlocal/snapshots/x/restore"},
		{"DELETE", "/_iamlocal/snapshots/x"},
	}
	cases := []struct {
		name    string
		access  emulator.AdminAccess
		headers map[string]string
		status  int
		onlyIf  func(method string) bool
	}{
		{name: "cross-origin page", headers: map[string]string{"Origin": "https://evil.example"}, status: 403,
			onlyIf: func(m string) bool { return m != "GET" }},
		{name: "cross-site fetch", headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 403,
			onlyIf: func(m string) bool { return m != "GET" }},
		{name: "DNS rebinding", headers: map[string]string{"Host": "evil.example"}, status: 403},
		{name: "beyond loopback unsigned", access: emulator.AdminAuthenticated, status: 401},
		{name: "beyond loopback wrong token", access: emulator.AdminAuthenticated, headers: map[string]string{"Authorization": "Bearer nope"}, status: 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, func(o *emulator.Options) { o.AdminAccess, o.AdminToken = tc.access, "sesame" })
			ctx := context.Background()
			ok(iam.NewFromConfig(srv.AWSConfig(ctx)).CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("survivor")}))
			if _, err := srv.SaveSnapshot("x"); err != nil {
				t.Fatal(err)
			}
			for _, ep := range endpoints {
				if tc.onlyIf != nil && !tc.onlyIf(ep.method) {
					continue
				}
				body := strings.NewReader(`{"format":"iamlocal-state","version":1,"schema":3,"tables":{}}`)
				if status, answer := adminCall(t, ep.method, srv.URL+ep.path, body, tc.headers); status != tc.status {
					t.Errorf("%s %s = %d %s, want %d", ep.method, ep.path, status, answer, tc.status)
				}
			}
			if _, err := iam.NewFromConfig(srv.AWSConfig(ctx)).GetUser(ctx, &iam.GetUserInput{UserName: aws.String("survivor")}); err != nil {
				t.Errorf("a refused request changed the state: %v", err)
			}
			if len(srv.Snapshots()) != 1 {
				t.Errorf("a refused request changed the snapshots: %v", srv.Snapshots())
			}
			if tc.access == emulator.AdminAuthenticated {
				if status, _ := adminCall(t, "GET", srv.URL+"/_iamlocal/state", nil, map[string]string{"Authorization": "Bearer sesame"}); status != 200 {
					t.Errorf("GET state with the token = %d, want 200", status)
				}
			}
		})
	}
}

// Restoring a snapshot of ~300 entities (100 users with an access key and an inline policy,
// 100 roles, 100 customer managed policies attached to them) over HTTP. The time is the
// commit's fsync plus under a millisecond of work (storage's BenchmarkRestore300).
func BenchmarkRestoreSnapshotHTTP(b *testing.B) {
	ok := noErr(b)
	srv := emulatortest.New(b)
	ctx := context.Background()
	client := iam.NewFromConfig(srv.AWSConfig(ctx))
	doc := aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	for i := range 100 {
		n := aws.String(fmt.Sprintf("entity%03d", i))
		ok(client.CreateUser(ctx, &iam.CreateUserInput{UserName: n}))
		ok(client.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: n}))
		ok(client.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: n, PolicyName: n, PolicyDocument: doc}))
		ok(client.CreateRole(ctx, &iam.CreateRoleInput{RoleName: n, AssumeRolePolicyDocument: aws.String(lambdaTrust)}))
		pol := ok(client.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: n, PolicyDocument: doc})).(*iam.CreatePolicyOutput)
		ok(client.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: n, PolicyArn: pol.Policy.Arn}))
	}
	srv.Snapshot(b, "fixture")
	for b.Loop() {
		if status, body := adminCall(b, "POST", srv.URL+"/_iamlocal/snapshots/fixture/restore", nil, nil); status != 200 {
			b.Fatalf("restore = %d %s", status, body)
		}
	}
}
