package integration

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// dashboardSeed is what seedDashboard made: a user whose policies allowed one call and
// stopped another, a group, a role and a function invoked a few times, once failing.
type dashboardSeed struct {
	alice       *iam.Client // alice's own client
	aliceARN    string
	function    string
	invocations int // of function, failed included
	failures    int
}

const dashboardAlicePolicy = `{"Version":"2012-10-17","Statement":[
{"Sid":"ReadUsers","Effect":"Allow","Action":["iam:ListUsers","iam:GetUser"],"Resource":"*"},
{"Sid":"NoDeletes","Effect":"Deny","Action":"iam:DeleteUser","Resource":"*"}]}`

const dashboardDeployPolicy = `{"Version":"2012-10-17","Statement":[
{"Sid":"Deploy","Effect":"Allow","Action":["lambda:UpdateFunctionCod","iam:PassRole"],"Resource":"*"}]}`

const dashboardFunctionCode = `
def handler(event, context):
    print("greeting", event.get("name"))
    if event.get("fail"):
        raise ValueError("asked to fail")
    return {"hello": event.get("name")}
`

func seedDashboard(t *testing.T, srv *emulatortest.Server) dashboardSeed {
	t.Helper()
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	seed := dashboardSeed{alice: iam.NewFromConfig(newUser(t, srv, admin, "alice")), function: "greeter"}
	seed.aliceARN = "arn:aws:iam::" + srv.Root.ID + ":user/alice"
	putUserPolicy(t, admin, "alice", "read-users", dashboardAlicePolicy)
	mustDo(t, "CreateGroup", func() error {
		_, err := admin.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
		return err
	})
	mustDo(t, "AddUserToGroup", func() error {
		_, err := admin.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")})
		return err
	})
	mustDo(t, "PutGroupPolicy", func() error {
		_, err := admin.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("read-functions"),
			PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:List*","Resource":"*"}]}`)})
		return err
	})
	// The lint notes what AWS stores without a word: an action that does not exist, and
	// iam:PassRole on every role.
	mustDo(t, "CreatePolicy and AttachGroupPolicy", func() error {
		p, err := admin.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("deploy"), PolicyDocument: aws.String(dashboardDeployPolicy)})
		if err != nil {
			return err
		}
		_, err = admin.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: p.Policy.Arn})
		return err
	})
	role := createRole(t, admin, "greeter-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	mustDo(t, "CreateFunction", func() error {
		_, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(seed.function), Role: aws.String(role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Timeout: aws.Int32(30), Publish: true,
			Description: aws.String("says hello"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": dashboardFunctionCode})}})
		return err
	})
	mustDo(t, "CreateAlias", func() error {
		_, err := fns.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(seed.function), Name: aws.String("live"), FunctionVersion: aws.String("1")})
		return err
	})
	mustDo(t, "CreateFunctionUrlConfig", func() error {
		_, err := fns.CreateFunctionUrlConfig(ctx, &lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String(seed.function), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
		return err
	})
	for _, payload := range []string{`{"name":"ana"}`, `{"name":"bo"}`, `{"name":"cy","fail":true}`} {
		out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(seed.function), Payload: []byte(payload)})
		if err != nil {
			t.Fatalf("Invoke %s: %v", payload, err)
		}
		seed.invocations++
		if out.FunctionError != nil {
			seed.failures++
		}
	}
	if seed.failures != 1 {
		t.Fatalf("%d of the invocations failed, want 1", seed.failures)
	}
	if _, err := seed.alice.ListUsers(ctx, &iam.ListUsersInput{}); err != nil {
		t.Fatalf("alice ListUsers: %v", err)
	}
	if _, err := seed.alice.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice")}); err == nil {
		t.Fatal("alice DeleteUser went through")
	}
	return seed
}

func mustDo(t *testing.T, what string, f func() error) {
	t.Helper()
	if err := f(); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// dashboardGet reads one API answer of the dashboard into out.
func dashboardGet(t *testing.T, srv *emulatortest.Server, path string, out any) {
	t.Helper()
	resp, body := rawDo(t, adminReq(t, "GET", srv.URL+"/_iamlocal/ui/api/"+path, "", nil))
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), out); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, body)
	}
}

// The parts of the API's answers the tests read.
type (
	dashIAM struct {
		Users, Groups, Roles []dashEntity
	}
	dashEntity struct {
		Name, ARN string
		Members   []string
		Trust     *dashPolicy
		Policies  []dashPolicy
	}
	dashPolicy struct {
		Name, Kind string
		Matches    int
		Notes      *struct {
			Operation string
			Findings  []struct{ Type, IssueCode, Details string }
		}
		Statements []struct {
			Sid       string
			Effect    string
			RecentUse *struct {
				Count            int
				Action, Decision string
			}
		}
	}
	dashFunction struct {
		Configuration struct{ FunctionName, Description string }
		Versions      []struct{ Version string }
		Aliases       []struct{ Name, FunctionVersion string }
		URLs          []struct{ AuthType string }
		Invocations   []struct {
			RequestID  string
			DurationMs *float64
			Lines      []struct{ Message string }
		}
		Metrics struct {
			Invocations, Errors, Duration []struct{ Value float64 }
		}
	}
)

func sum(samples []struct{ Value float64 }) float64 {
	total := 0.0
	for _, s := range samples {
		total += s.Value
	}
	return total
}

func entity(list []dashEntity, name string) dashEntity {
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	return dashEntity{}
}

// The dashboard's API answers what the services answer: alice's inline policy shows which of
// its statements the decisions matched (ReadUsers allowed ListUsers, NoDeletes denied
// DeleteUser), and the function page gathers versions, aliases, URLs, the invocations from the
// function's log group and its AWS/Lambda metrics.
func TestDashboardAPI(t *testing.T) {
	t.Parallel()
	needBoto3(t) // the function's runtime is the machine's python3
	srv := emulatortest.New(t)
	seed := seedDashboard(t, srv)

	var view dashIAM
	dashboardGet(t, srv, "iam", &view)
	alice := entity(view.Users, "alice")
	if alice.ARN != seed.aliceARN || len(alice.Policies) != 1 || alice.Policies[0].Name != "read-users" {
		t.Fatalf("alice: %+v", alice)
	}
	stmts := alice.Policies[0].Statements
	if len(stmts) != 2 || stmts[0].RecentUse == nil || stmts[0].RecentUse.Action != "iam:ListUsers" || stmts[0].RecentUse.Decision != "Allow" {
		t.Errorf("ReadUsers statement: %+v", stmts)
	}
	if len(stmts) == 2 && (stmts[1].RecentUse == nil || stmts[1].RecentUse.Decision != "ExplicitDeny" || stmts[1].RecentUse.Action != "iam:DeleteUser") {
		t.Errorf("NoDeletes statement: %+v", stmts[1])
	}
	devs := entity(view.Groups, "devs")
	if len(devs.Members) != 1 || devs.Members[0] != "alice" || len(devs.Policies) != 2 {
		t.Fatalf("devs: %+v", devs)
	}
	if inline := devs.Policies[0]; inline.Name != "read-functions" || inline.Notes != nil {
		t.Errorf("devs' inline policy: %+v", inline)
	}
	deploy := devs.Policies[1]
	var codes []string
	if deploy.Notes != nil {
		for _, f := range deploy.Notes.Findings {
			codes = append(codes, f.Type+" "+f.IssueCode)
		}
	}
	if deploy.Name != "deploy" || deploy.Kind != "managed" || deploy.Notes == nil || deploy.Notes.Operation != "CreatePolicy" ||
		strings.Join(codes, ", ") != "ERROR INVALID_ACTION, SECURITY_WARNING PASS_ROLE_WITH_STAR_IN_RESOURCE" {
		t.Errorf("deploy: %+v, findings %q", deploy, codes)
	}
	if role := entity(view.Roles, "greeter-exec"); role.Trust == nil || len(role.Trust.Statements) != 1 {
		t.Errorf("greeter-exec: %+v", role)
	}

	fn := waitForInvocations(t, srv, seed)
	if fn.Configuration.FunctionName != seed.function || fn.Configuration.Description != "says hello" {
		t.Errorf("configuration: %+v", fn.Configuration)
	}
	if len(fn.Versions) != 2 || len(fn.Aliases) != 1 || fn.Aliases[0].FunctionVersion != "1" || len(fn.URLs) != 1 || fn.URLs[0].AuthType != "AWS_IAM" {
		t.Errorf("versions %+v, aliases %+v, URLs %+v", fn.Versions, fn.Aliases, fn.URLs)
	}
	greeted := 0
	for _, inv := range fn.Invocations {
		for _, l := range inv.Lines {
			if strings.HasPrefix(l.Message, "greeting ") {
				greeted++
			}
		}
		if inv.DurationMs == nil {
			t.Errorf("invocation %s has no REPORT", inv.RequestID)
		}
	}
	if greeted != seed.invocations {
		t.Errorf("%d invocations show their output, want %d: %+v", greeted, seed.invocations, fn.Invocations)
	}
	if got := sum(fn.Metrics.Invocations); got != float64(seed.invocations) {
		t.Errorf("Invocations metric %v, want %d", got, seed.invocations)
	}
	if got := sum(fn.Metrics.Errors); got != float64(seed.failures) {
		t.Errorf("Errors metric %v, want %d", got, seed.failures)
	}
	if len(fn.Metrics.Duration) == 0 {
		t.Error("no Duration datapoints")
	}

	resp, body := rawDo(t, adminReq(t, "GET", srv.URL+"/_iamlocal/ui/api/functions/nothing", "", nil))
	if resp.StatusCode != 404 || !strings.Contains(body, "ResourceNotFoundException") {
		t.Errorf("a function that does not exist: %d %s", resp.StatusCode, body)
	}
}

// waitForInvocations reads the function's page until its log group holds every invocation:
// function output reaches CloudWatch Logs off the invocation's path.
func waitForInvocations(t *testing.T, srv *emulatortest.Server, seed dashboardSeed) dashFunction {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		var fn dashFunction
		dashboardGet(t, srv, "functions/"+seed.function, &fn)
		if len(fn.Invocations) >= seed.invocations || time.Now().After(deadline) {
			return fn
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// The simulator runs IAM's SimulatePrincipalPolicy on alice's policies, and a custom policy
// alone without a principal; the decisions are IAM's (allowed, explicitDeny, implicitDeny).
func TestDashboardSimulator(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	newUser(t, srv, admin, "alice")
	putUserPolicy(t, admin, "alice", "read-users", dashboardAlicePolicy)
	aliceARN := "arn:aws:iam::" + srv.Root.ID + ":user/alice"
	cases := []struct {
		name, form string
		want       map[string]string // action -> decision
		status     int
	}{
		{name: "principal", status: 200, form: `{"principal":"` + aliceARN + `","actions":["iam:ListUsers","iam:DeleteUser","iam:CreateUser"]}`,
			want: map[string]string{"iam:ListUsers": "allowed", "iam:DeleteUser": "explicitDeny", "iam:CreateUser": "implicitDeny"}},
		{name: "custom policy", status: 200, form: `{"policies":[` + jsonString(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`) +
			`],"actions":["s3:GetObject","iam:ListUsers"]}`, want: map[string]string{"s3:GetObject": "allowed", "iam:ListUsers": "implicitDeny"}},
		{name: "no such principal", status: 404, form: `{"principal":"arn:aws:iam::` + srv.Root.ID + `:user/nobody","actions":["iam:ListUsers"]}`},
		{name: "no actions", status: 400, form: `{"principal":"` + aliceARN + `"}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := rawDo(t, adminReq(t, "POST", srv.URL+"/_iamlocal/ui/api/simulate", tc.form, map[string]string{"Content-Type": "application/json"}))
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			if tc.want == nil {
				return
			}
			var out struct {
				Results []struct{ EvalActionName, EvalDecision string }
			}
			if err := json.Unmarshal([]byte(body), &out); err != nil {
				t.Fatal(err)
			}
			got := map[string]string{}
			for _, r := range out.Results {
				got[r.EvalActionName] = r.EvalDecision
			}
			if len(got) != len(tc.want) {
				t.Errorf("results %v, want %v", got, tc.want)
			}
			for action, decision := range tc.want {
				if got[action] != decision {
					t.Errorf("%s: %q, want %q", action, got[action], decision)
				}
			}
		})
	}
}

func jsonString(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The dashboard follows the admin endpoints' rules: its API and the decision stream answer a
// loopback name, the token or a root signature, never a rebound name, and its one write (the
// simulator) is refused from another site's page. The page and its assets hold no state and
// are served to anyone: the page is where the token is entered.
func TestDashboardAccess(t *testing.T) {
	t.Parallel()
	const token = "dashboard-token"
	simulate := `{"actions":["iam:ListUsers"],"policies":["{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:*\",\"Resource\":\"*\"}]}"]}`
	cases := []struct {
		name, method, path, body string
		access                   emulator.AdminAccess
		headers                  map[string]string
		rootSigned               bool
		status                   int
	}{
		{name: "loopback API", method: "GET", path: "/_iamlocal/ui/api/accounts", status: 200},
		{name: "loopback page", method: "GET", path: "/_iamlocal/ui/", status: 200},
		{name: "the dashboard's bare path", method: "GET", path: "/_iamlocal/ui", status: 307},
		{name: "rebound name API", method: "GET", path: "/_iamlocal/ui/api/iam", headers: map[string]string{"Host": "evil.example"}, status: 403},
		{name: "rebound name event stream", method: "GET", path: "/_iamlocal/decisions",
			headers: map[string]string{"Host": "evil.example", "Accept": "text/event-stream"}, status: 403},
		{name: "same-origin simulator", method: "POST", path: "/_iamlocal/ui/api/simulate", body: simulate,
			headers: map[string]string{"Content-Type": "application/json", "Origin": "SELF", "Sec-Fetch-Site": "same-origin"}, status: 200},
		{name: "cross-site simulator", method: "POST", path: "/_iamlocal/ui/api/simulate", body: simulate,
			headers: map[string]string{"Content-Type": "application/json", "Sec-Fetch-Site": "cross-site"}, status: 403},
		{name: "cross-origin simulator", method: "POST", path: "/_iamlocal/ui/api/simulate", body: simulate,
			headers: map[string]string{"Content-Type": "text/plain", "Origin": "https://evil.example"}, status: 403},
		{name: "simulator form post", method: "POST", path: "/_iamlocal/ui/api/simulate", body: "actions=iam:ListUsers",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, status: 400},
		{name: "off loopback, unsigned API", method: "GET", path: "/_iamlocal/ui/api/accounts", access: emulator.AdminAuthenticated, status: 401},
		{name: "off loopback, unsigned event stream", method: "GET", path: "/_iamlocal/decisions", access: emulator.AdminAuthenticated,
			headers: map[string]string{"Accept": "text/event-stream"}, status: 401},
		{name: "off loopback, page", method: "GET", path: "/_iamlocal/ui/app/main.js", access: emulator.AdminAuthenticated, status: 200},
		{name: "off loopback, token", method: "GET", path: "/_iamlocal/ui/api/iam", access: emulator.AdminAuthenticated,
			headers: map[string]string{"Authorization": "Bearer " + token}, status: 200},
		{name: "off loopback, wrong token", method: "GET", path: "/_iamlocal/ui/api/iam", access: emulator.AdminAuthenticated,
			headers: map[string]string{"Authorization": "Bearer nope"}, status: 403},
		{name: "off loopback, root signature", method: "GET", path: "/_iamlocal/ui/api/functions", access: emulator.AdminAuthenticated, rootSigned: true, status: 200},
		{name: "off loopback, signed simulator", method: "POST", path: "/_iamlocal/ui/api/simulate", body: simulate, access: emulator.AdminAuthenticated,
			headers: map[string]string{"Content-Type": "application/json"}, rootSigned: true, status: 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, func(o *emulator.Options) { o.AdminAccess, o.AdminToken = tc.access, token })
			headers := map[string]string{}
			for k, v := range tc.headers {
				headers[k] = strings.ReplaceAll(v, "SELF", srv.URL)
			}
			req := adminReq(t, tc.method, srv.URL+tc.path, tc.body, headers)
			if tc.rootSigned {
				signV4(t, req, tc.body, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, "iamlocal", "us-east-1")
			}
			resp, body := rawDoNoRedirect(t, req)
			assertAdminAnswer(t, resp, body, tc.status)
		})
	}
}

// rawDoNoRedirect is rawDo without following redirects.
func rawDoNoRedirect(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

// The dashboard suggests, for a user, the policy iamlocal policy suggest prints: the calls that
// went through (alice's ListUsers), not the one her policy denied.
func TestDashboardSuggestsAPolicy(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	srv := emulatortest.New(t)
	seed := seedDashboard(t, srv)
	var got struct {
		Principal string
		Calls     int
		Policy    struct {
			Version   string
			Statement []struct{ Effect, Action, Resource any }
		}
	}
	dashboardGet(t, srv, "suggest?principal="+url.QueryEscape(seed.aliceARN), &got)
	doc, _ := json.Marshal(got.Policy)
	if got.Principal != seed.aliceARN || got.Calls == 0 || got.Policy.Version != "2012-10-17" ||
		!strings.Contains(string(doc), "iam:ListUsers") || strings.Contains(string(doc), "iam:DeleteUser") {
		t.Errorf("suggestion for alice: %d calls, %s", got.Calls, doc)
	}
	resp, body := rawDo(t, adminReq(t, "GET", srv.URL+"/_iamlocal/ui/api/suggest", "", nil))
	if resp.StatusCode != 400 || !strings.Contains(body, "want ?principal=") {
		t.Errorf("without a principal: %d %s", resp.StatusCode, body)
	}
}
