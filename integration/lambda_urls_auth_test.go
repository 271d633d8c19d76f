package integration

import (
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
)

// Function URLs are authorized as "Control access to Lambda function URLs" says since October
// 2025: an AWS_IAM URL takes a SigV4 request of a caller allowed lambda:InvokeFunctionUrl and
// lambda:InvokeFunction, by its identity policies or the function's; a NONE URL takes anyone
// once the function policy grants both to Principal "*". Anything else is 403 with AWS's body.
func TestFunctionURLAuthorization(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newURLFixture(t)
	for _, name := range []string{"private", "closed", "halfway", "public"} {
		f.python(name, "echo")
	}
	private := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("private"), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
	closed := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("closed"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	halfway := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("halfway"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	public := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("public"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	f.grantPublic("halfway", false)
	// boto3 adds the console's two statements to the public function.
	runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3
c = boto3.client("lambda")
c.add_permission(FunctionName="public", StatementId="url", Action="lambda:InvokeFunctionUrl", Principal="*", FunctionUrlAuthType="NONE")
c.add_permission(FunctionName="public", StatementId="invoke", Action="lambda:InvokeFunction", Principal="*", InvokedViaFunctionUrl=True)`)

	nobody := newUser(t, f.srv, f.admin, "nobody")
	urlOnly := newUser(t, f.srv, f.admin, "url-only")
	putUserPolicy(t, f.admin, "url-only", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunctionUrl","Resource":"*"}]}`)
	both := newUser(t, f.srv, f.admin, "both")
	putUserPolicy(t, f.admin, "both", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["lambda:InvokeFunctionUrl","lambda:InvokeFunction"],"Resource":"*"}]}`)
	viaPolicy := newUser(t, f.srv, f.admin, "via-policy")
	userARN := "arn:aws:iam::123456789012:user/via-policy"
	f.permission("private", "url", "lambda:InvokeFunctionUrl", userARN, &lambda.AddPermissionInput{FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
	f.permission("private", "invoke", "lambda:InvokeFunction", userARN, &lambda.AddPermissionInput{InvokedViaFunctionUrl: aws.Bool(true)})

	keyOf := func(c aws.Config) [2]string {
		creds, err := c.Credentials.Retrieve(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return [2]string{creds.AccessKeyID, creds.SecretAccessKey}
	}
	root := [2]string{f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey}
	tests := []struct {
		name   string
		url    string
		signer *[2]string
		want   int
	}{
		{"IAM url, unsigned", private, nil, http.StatusForbidden},
		{"IAM url, root", private, &root, http.StatusOK},
		{"IAM url, user without policies", private, ptrTo(keyOf(nobody)), http.StatusForbidden},
		{"IAM url, user allowed the url only", private, ptrTo(keyOf(urlOnly)), http.StatusForbidden},
		{"IAM url, user allowed both", private, ptrTo(keyOf(both)), http.StatusOK},
		{"IAM url, user the function policy allows", private, ptrTo(keyOf(viaPolicy)), http.StatusOK},
		{"NONE url, no permission", closed, nil, http.StatusForbidden},
		{"NONE url, lambda:InvokeFunctionUrl only", halfway, nil, http.StatusForbidden},
		{"NONE url, both permissions", public, nil, http.StatusOK},
		{"NONE url, signed by a user without policies", public, ptrTo(keyOf(nobody)), http.StatusOK},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			req := f.request("POST", tc.url+"x", `{"a":1}`, map[string]string{"Content-Type": "application/json"})
			if tc.signer != nil {
				signV4(t, req, `{"a":1}`, tc.signer[0], tc.signer[1], "lambda", "us-east-1")
			}
			status, h, body := f.call(req)
			if status != tc.want {
				t.Fatalf("status %d %s, want %d", status, body, tc.want)
			}
			if tc.want == http.StatusForbidden && (body != urlForbidden || h.Get("X-Amzn-Errortype") != "AccessDeniedException") {
				t.Fatalf("denial %q %v", body, h)
			}
		})
	}
	t.Run("IAM url, bad signature", func(t *testing.T) {
		t.Parallel()
		req := f.request("GET", private, "", nil)
		signV4(t, req, "", root[0], "wrong", "lambda", "us-east-1")
		status, h, body := f.call(req)
		if status != http.StatusForbidden || h.Get("X-Amzn-Errortype") != "InvalidSignatureException" || !strings.Contains(body, "signature") {
			t.Fatalf("got %d %v %s", status, h, body)
		}
	})
	t.Run("IAM url, curl --aws-sigv4", func(t *testing.T) {
		t.Parallel()
		curl := needCurl(t)
		out, err := exec.Command(curl, "-sS", "-w", "\n%{http_code}", "--aws-sigv4", "aws:amz:us-east-1:lambda", "--user", root[0]+":"+root[1],
			"-H", "Content-Type: application/json", "-d", `{"via":"curl"}`, private+"signed").CombinedOutput()
		if err != nil || !strings.HasSuffix(string(out), "\n200") || !strings.Contains(string(out), `"rawPath": "/signed"`) &&
			!strings.Contains(string(out), `"rawPath":"/signed"`) {
			t.Fatalf("curl: %v\n%s", err, out)
		}
	})
}

// The decision log names both checks of a URL request.
func TestFunctionURLDecisions(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newURLFixture(t)
	f.python("logged", "echo")
	u := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("logged"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	f.grantPublic("logged", true)
	if status, _, body := f.call(f.request("GET", u, "", nil)); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	seen := map[string]string{}
	for _, d := range f.srv.Decisions() {
		if d.Operation == "InvokeFunctionUrl" {
			seen[d.Action] = d.Decision + " " + d.Resource + " " + d.Principal
		}
	}
	fn := "arn:aws:lambda:us-east-1:123456789012:function:logged"
	if seen["lambda:InvokeFunctionUrl"] != "Allow "+fn+" anonymous" || seen["lambda:InvokeFunction"] != "Allow "+fn+" anonymous" {
		t.Fatalf("decisions = %v", seen)
	}
}

// IAMLOCAL_URL_AUTH=legacy restores the rule before October 2025: lambda:InvokeFunctionUrl
// alone opens a URL.
func TestFunctionURLLegacyAuthorization(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newURLFixture(t, func(o *emulator.Options) { o.URLAuth = emulator.URLAuthLegacy })
	f.python("halfway", "echo")
	u := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("halfway"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if status, _, body := f.call(f.request("GET", u, "", nil)); status != http.StatusForbidden || body != urlForbidden {
		t.Fatalf("no permission: %d %s", status, body)
	}
	f.grantPublic("halfway", false)
	if status, _, body := f.call(f.request("GET", u, "", nil)); status != http.StatusOK {
		t.Fatalf("lambda:InvokeFunctionUrl alone: %d %s", status, body)
	}
	// An IAM user allowed lambda:InvokeFunctionUrl alone gets in too.
	f.python("private", "echo")
	private := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("private"), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
	user := newUser(t, f.srv, f.admin, "url-only")
	putUserPolicy(t, f.admin, "url-only", "p", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunctionUrl","Resource":"*"}]}`)
	creds, _ := user.Credentials.Retrieve(f.ctx)
	req := f.request("GET", private, "", nil)
	signV4(t, req, "", creds.AccessKeyID, creds.SecretAccessKey, "lambda", "us-east-1")
	if status, _, body := f.call(req); status != http.StatusOK {
		t.Fatalf("IAM user: %d %s", status, body)
	}
}

func ptrTo[T any](v T) *T { return &v }

func needCurl(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Fatal("this test calls function URLs with curl, and `curl` is not on PATH: install curl and rerun")
	}
	return path
}
