package integration

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// The URL the API returns is served by iamlocal itself, by path, under its own address; the
// url id has AWS's shape.
var localURL = regexp.MustCompile(`^http://127\.0\.0\.1:\d+/_iamlocal/urls/([a-z0-9]{32})/$`)

// A function's answer becomes the HTTP response as "Invoking Lambda function URLs" ("Response
// payload format") says; a function error is 502 "Internal Server Error".
func TestFunctionURLResponses(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newURLFixture(t)
	f.python("answer", "answer")
	f.python("broken", "fail")
	for _, fn := range []string{"answer", "broken"} {
		f.grantPublic(fn, true)
	}
	answer := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("answer"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	if !localURL.MatchString(answer) {
		t.Fatalf("FunctionUrl = %s", answer)
	}
	// boto3 configures the other URL and reads back the same local form.
	broken := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3
c = boto3.client("lambda")
u = c.create_function_url_config(FunctionName="broken", AuthType="NONE")["FunctionUrl"]
assert c.get_function_url_config(FunctionName="broken")["FunctionUrl"] == u
print(u)`)
	if !localURL.MatchString(broken) {
		t.Fatalf("boto3 FunctionUrl = %s", broken)
	}
	tests := []struct {
		name       string
		answer     string
		wantStatus int
		wantHeader map[string]string
		wantCookie []string
		wantBody   string
	}{
		{name: "string", answer: `"Hello, world!"`, wantStatus: 200, wantHeader: map[string]string{"Content-Type": "application/json"}, wantBody: "Hello, world!"},
		{name: "object", answer: `{"message": "Hello, world!"}`, wantStatus: 200, wantHeader: map[string]string{"Content-Type": "application/json"},
			wantBody: `{"message": "Hello, world!"}`},
		{name: "number", answer: `3`, wantStatus: 200, wantBody: "3"},
		{name: "custom", answer: `{"statusCode": 201, "headers": {"Content-Type": "text/plain", "My-Custom-Header": "Custom Value"},
			"cookies": ["Cookie_1=Value1; Max-Age=78000", "Cookie_2=Value2"], "body": "created", "isBase64Encoded": false}`,
			wantStatus: 201, wantHeader: map[string]string{"Content-Type": "text/plain", "My-Custom-Header": "Custom Value"},
			wantCookie: []string{"Cookie_1=Value1; Max-Age=78000", "Cookie_2=Value2"}, wantBody: "created"},
		{name: "status as a string", answer: `{"statusCode": "418", "body": "i'm a teapot"}`, wantStatus: 418,
			wantHeader: map[string]string{"Content-Type": "application/json"}, wantBody: "i'm a teapot"},
		{name: "base64 body", answer: `{"statusCode": 200, "headers": {"content-type": "application/octet-stream"}, "body": "` +
			base64.StdEncoding.EncodeToString([]byte{0, 1, 2, 255}) + `", "isBase64Encoded": true}`,
			wantStatus: 200, wantHeader: map[string]string{"Content-Type": "application/octet-stream"}, wantBody: "\x00\x01\x02\xff"},
		{name: "status out of range", answer: `{"statusCode": 1000}`, wantStatus: 502, wantBody: "Internal Server Error"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, h, body := f.call(f.request("POST", answer, tc.answer, map[string]string{"Content-Type": "application/json"}))
			if status != tc.wantStatus || body != tc.wantBody {
				t.Fatalf("got %d %q, want %d %q", status, body, tc.wantStatus, tc.wantBody)
			}
			for k, v := range tc.wantHeader {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
			if got := h.Values("Set-Cookie"); strings.Join(got, "|") != strings.Join(tc.wantCookie, "|") {
				t.Errorf("Set-Cookie = %q, want %q", got, tc.wantCookie)
			}
			if h.Get("X-Amzn-Requestid") == "" {
				t.Error("no x-amzn-RequestId")
			}
		})
	}
	t.Run("function error", func(t *testing.T) {
		t.Parallel()
		status, _, body := f.call(f.request("GET", broken, "", nil))
		if status != http.StatusBadGateway || body != "Internal Server Error" {
			t.Fatalf("got %d %q", status, body)
		}
	})
	t.Run("unknown url", func(t *testing.T) {
		t.Parallel()
		m := localURL.FindStringSubmatch(answer)
		status, h, body := f.call(f.request("GET", strings.Replace(answer, m[1], strings.Repeat("a", 32), 1), "", nil))
		if status != http.StatusForbidden || body != `{"Message":null}` || h.Get("X-Amzn-Errortype") != "AccessDeniedException" {
			t.Fatalf("got %d %q %v", status, body, h)
		}
	})
}

// The event follows payload format 2.0 ("Request payload format"); a python function that
// returns its event shows what it got.
func TestFunctionURLEvent(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newURLFixture(t)
	f.python("echo", "echo")
	f.grantPublic("echo", true)
	u := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("echo"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	id := localURL.FindStringSubmatch(u)[1]
	req := f.request("POST", u+"my/path?parameter1=value1&parameter1=value2&parameter2=value", "Hello from client!",
		map[string]string{"Content-Type": "text/plain", "User-Agent": "agent", "Cookie": "cookie1=a; cookie2=b", "Header1": "value1"})
	req.Header.Add("Header2", "value1")
	req.Header.Add("Header2", "value2")
	status, h, body := f.call(req)
	if status != 200 || h.Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %s", status, body)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		t.Fatalf("%s: %v", body, err)
	}
	rc := ev["requestContext"].(map[string]any)
	httpCtx := rc["http"].(map[string]any)
	headers := ev["headers"].(map[string]any)
	for k, v := range map[string]any{
		"version": "2.0", "routeKey": "$default", "rawPath": "/my/path", "rawQueryString": "parameter1=value1&parameter1=value2&parameter2=value",
		"body": "Hello from client!", "isBase64Encoded": false, "pathParameters": nil, "stageVariables": nil,
	} {
		if ev[k] != v {
			t.Errorf("%s = %#v, want %#v", k, ev[k], v)
		}
	}
	if got, _ := json.Marshal(ev["cookies"]); string(got) != `["cookie1=a","cookie2=b"]` {
		t.Errorf("cookies = %s", got)
	}
	if got, _ := json.Marshal(ev["queryStringParameters"]); string(got) != `{"parameter1":"value1,value2","parameter2":"value"}` {
		t.Errorf("queryStringParameters = %s", got)
	}
	for k, v := range map[string]any{"header1": "value1", "header2": "value1,value2", "user-agent": "agent", "content-type": "text/plain",
		"x-forwarded-proto": "http", "x-forwarded-for": "127.0.0.1"} {
		if headers[k] != v {
			t.Errorf("headers[%s] = %#v, want %#v", k, headers[k], v)
		}
	}
	if _, ok := headers["cookie"]; ok || headers["host"] == nil {
		t.Errorf("headers = %v", headers)
	}
	for k, v := range map[string]any{"accountId": "anonymous", "apiId": id, "domainPrefix": id, "domainName": id + ".lambda-url.us-east-1.on.aws",
		"routeKey": "$default", "stage": "$default", "requestId": h.Get("X-Amzn-Requestid"), "authorizer": nil, "authentication": nil} {
		if rc[k] != v {
			t.Errorf("requestContext.%s = %#v, want %#v", k, rc[k], v)
		}
	}
	if _, ok := rc["timeEpoch"].(float64); !ok || !regexp.MustCompile(`^\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d \+0000$`).MatchString(rc["time"].(string)) {
		t.Errorf("time = %v %v", rc["time"], rc["timeEpoch"])
	}
	for k, v := range map[string]any{"method": "POST", "path": "/my/path", "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "agent"} {
		if httpCtx[k] != v {
			t.Errorf("requestContext.http.%s = %#v, want %#v", k, httpCtx[k], v)
		}
	}
	// A binary body is base64-encoded; a request without a body has none.
	_, _, body = f.call(f.request("PUT", u, "\x00\x01binary", map[string]string{"Content-Type": "application/octet-stream"}))
	_ = json.Unmarshal([]byte(body), &ev)
	if ev["isBase64Encoded"] != true || ev["body"] != base64.StdEncoding.EncodeToString([]byte("\x00\x01binary")) || ev["rawPath"] != "/" {
		t.Errorf("binary event: %s", body)
	}
	_, _, body = f.call(f.request("GET", u, "", nil))
	ev = map[string]any{}
	_ = json.Unmarshal([]byte(body), &ev)
	if _, ok := ev["body"]; ok || ev["isBase64Encoded"] != false || ev["queryStringParameters"] != nil {
		t.Errorf("event without body: %s", body)
	}
}
