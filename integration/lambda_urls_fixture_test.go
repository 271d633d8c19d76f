package integration

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Python handlers behind the function URLs of these tests: echo returns the event it got,
// answer returns the JSON its request's body holds (so a test chooses the answer the URL maps
// to HTTP), fail raises.
const pythonURLHandlers = `
import json

def echo(event, context):
    return event

def answer(event, context):
    return json.loads(event["body"])

def fail(event, context):
    raise RuntimeError("nope")
`

// The forbidden answer of a URL, as recorded against AWS (November 2025).
const urlForbidden = `{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`

type urlFixture struct {
	t      *testing.T
	srv    *emulatortest.Server
	ctx    context.Context
	admin  *iam.Client
	fns    *lambda.Client
	role   string
	client *http.Client
}

func newURLFixture(t *testing.T, opts ...func(*emulator.Options)) *urlFixture {
	t.Helper()
	srv := emulatortest.New(t, opts...)
	ctx := context.Background()
	f := &urlFixture{t: t, srv: srv, ctx: ctx, admin: iam.NewFromConfig(srv.AWSConfig(ctx)), fns: lambda.NewFromConfig(srv.AWSConfig(ctx)),
		client: &http.Client{}}
	f.role = createRole(t, f.admin, "url-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	return f
}

// function creates a function with the handlers of files (python3.12 unless runtime says).
func (f *urlFixture) function(name, runtime, handler string, files map[string]string) {
	f.t.Helper()
	if _, err := f.fns.CreateFunction(f.ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(f.role),
		Runtime: lambdatypes.Runtime(runtime), Handler: aws.String(handler), Timeout: aws.Int32(30),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(f.t, files)}}); err != nil {
		f.t.Fatal(err)
	}
}

func (f *urlFixture) python(name, handler string) {
	f.t.Helper()
	f.function(name, string(lambdatypes.RuntimePython312), "app."+handler, map[string]string{"app.py": pythonURLHandlers})
}

// url gives the function a URL and returns it.
func (f *urlFixture) url(in *lambda.CreateFunctionUrlConfigInput) string {
	f.t.Helper()
	out, err := f.fns.CreateFunctionUrlConfig(f.ctx, in)
	if err != nil {
		f.t.Fatal(err)
	}
	return aws.ToString(out.FunctionUrl)
}

// grantPublic adds the statements the console adds for a NONE URL: lambda:InvokeFunctionUrl
// with lambda:FunctionUrlAuthType NONE and, unless only the first is asked for,
// lambda:InvokeFunction with lambda:InvokedViaFunctionUrl.
func (f *urlFixture) grantPublic(function string, both bool) {
	f.t.Helper()
	f.permission(function, "url", "lambda:InvokeFunctionUrl", "*", &lambda.AddPermissionInput{FunctionUrlAuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if both {
		f.permission(function, "invoke", "lambda:InvokeFunction", "*", &lambda.AddPermissionInput{InvokedViaFunctionUrl: aws.Bool(true)})
	}
}

func (f *urlFixture) permission(function, sid, action, principal string, in *lambda.AddPermissionInput) {
	f.t.Helper()
	in.FunctionName, in.StatementId, in.Action, in.Principal = aws.String(function), aws.String(sid), aws.String(action), aws.String(principal)
	if _, err := f.fns.AddPermission(f.ctx, in); err != nil {
		f.t.Fatal(err)
	}
}

// call sends a request to a URL and returns the status, headers and body.
func (f *urlFixture) call(req *http.Request) (int, http.Header, string) {
	f.t.Helper()
	resp, err := f.client.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		f.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, string(b)
}

func (f *urlFixture) request(method, url, body string, header map[string]string) *http.Request {
	f.t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader([]byte(body)))
	if err != nil {
		f.t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	return req
}
