package integration

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// CORS configured on a URL is answered by Lambda: a preflight without invoking the function,
// and the configured headers on every answer, over any the function sets ("Creating and
// managing Lambda function URLs", "Cross-origin resource sharing (CORS)").
func TestFunctionURLCORS(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newURLFixture(t)
	f.python("answer", "answer")
	f.grantPublic("answer", true)
	u := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("answer"), AuthType: lambdatypes.FunctionUrlAuthTypeNone,
		Cors: &lambdatypes.Cors{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"},
			AllowHeaders: []string{"content-type", "x-custom"}, ExposeHeaders: []string{"x-answer"}, MaxAge: aws.Int32(600),
			AllowCredentials: aws.Bool(true)}})
	invocations := func() int {
		n := 0
		for _, d := range f.srv.Decisions() {
			if d.Operation == "InvokeFunctionUrl" && d.Action == "lambda:InvokeFunction" {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name       string
		origin     string
		method     string
		wantHeader map[string]string
	}{
		{name: "allowed origin and method", origin: "https://app.example.com", method: "POST", wantHeader: map[string]string{
			"Access-Control-Allow-Origin": "https://app.example.com", "Access-Control-Allow-Methods": "GET,POST",
			"Access-Control-Allow-Headers": "content-type,x-custom", "Access-Control-Max-Age": "600", "Access-Control-Allow-Credentials": "true"}},
		{name: "another origin", origin: "https://evil.example", method: "POST", wantHeader: map[string]string{
			"Access-Control-Allow-Origin": "", "Access-Control-Allow-Methods": ""}},
		{name: "a method not allowed", origin: "https://app.example.com", method: "DELETE", wantHeader: map[string]string{
			"Access-Control-Allow-Origin": ""}},
	}
	for _, tc := range tests {
		t.Run("preflight, "+tc.name, func(t *testing.T) {
			status, h, body := f.call(f.request("OPTIONS", u, "", map[string]string{"Origin": tc.origin,
				"Access-Control-Request-Method": tc.method, "Access-Control-Request-Headers": "x-custom"}))
			if status != http.StatusOK || body != "" {
				t.Fatalf("got %d %q", status, body)
			}
			for k, v := range tc.wantHeader {
				if h.Get(k) != v {
					t.Errorf("%s = %q, want %q", k, h.Get(k), v)
				}
			}
		})
	}
	if n := invocations(); n != 0 {
		t.Fatalf("preflight requests invoked the function %d times", n)
	}
	// A request with an Origin gets the configured headers; the function's own CORS header is
	// replaced.
	answer := `{"statusCode":200,"headers":{"Access-Control-Allow-Origin":"*","x-answer":"42"},"body":"ok"}`
	status, h, body := f.call(f.request("POST", u, answer, map[string]string{"Origin": "https://app.example.com", "Content-Type": "application/json"}))
	if status != 200 || body != "ok" || h.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		h.Get("Access-Control-Expose-Headers") != "x-answer" || h.Get("Access-Control-Allow-Credentials") != "true" || h.Get("X-Answer") != "42" {
		t.Fatalf("simple request: %d %q %v", status, body, h)
	}
	status, h, _ = f.call(f.request("POST", u, answer, map[string]string{"Origin": "https://evil.example", "Content-Type": "application/json"}))
	if status != 200 || h.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("request from another origin: %d %v", status, h)
	}
	// Without CORS configured, OPTIONS reaches the function like any method.
	f.python("plain", "echo")
	f.grantPublic("plain", true)
	plain := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("plain"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	status, _, body = f.call(f.request("OPTIONS", plain, "", map[string]string{"Origin": "https://app.example.com", "Access-Control-Request-Method": "GET"}))
	var ev map[string]any
	if err := json.Unmarshal([]byte(body), &ev); status != 200 || err != nil || ev["requestContext"].(map[string]any)["http"].(map[string]any)["method"] != "OPTIONS" {
		t.Fatalf("OPTIONS without CORS: %d %s", status, body)
	}
}

// The host form, http://<url-id>.lambda-url.<region>.localhost:<port>/, reaches the same URL:
// a Go client resolving *.localhost to loopback itself (Go's resolver does not), and curl.
func TestFunctionURLHostForm(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newURLFixture(t)
	f.python("echo", "echo")
	f.grantPublic("echo", true)
	u := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("echo"), AuthType: lambdatypes.FunctionUrlAuthTypeNone})
	f.python("private", "echo")
	private := f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("private"), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam})
	port := strings.TrimPrefix(f.srv.URL, "http://127.0.0.1:")
	hostOf := func(functionURL, region string) string {
		return localURL.FindStringSubmatch(functionURL)[1] + ".lambda-url." + region + ".localhost:" + port
	}
	dialer := &net.Dialer{}
	f.client = &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, p, err := net.SplitHostPort(addr); err == nil && strings.HasSuffix(host, ".localhost") {
			addr = net.JoinHostPort("127.0.0.1", p)
		}
		return dialer.DialContext(ctx, network, addr)
	}}}
	host := hostOf(u, "us-east-1")
	status, _, body := f.call(f.request("GET", "http://"+host+"/some/path?q=1", "", nil))
	var ev map[string]any
	if err := json.Unmarshal([]byte(body), &ev); status != 200 || err != nil {
		t.Fatalf("host form: %d %s", status, body)
	}
	rc := ev["requestContext"].(map[string]any)
	if ev["rawPath"] != "/some/path" || ev["rawQueryString"] != "q=1" || rc["domainName"] != strings.TrimSuffix(host, ":"+port) ||
		ev["headers"].(map[string]any)["host"] != host {
		t.Fatalf("event: %s", body)
	}
	// The region in the name must be the URL's.
	status, _, body = f.call(f.request("GET", "http://"+hostOf(u, "eu-west-1")+"/", "", nil))
	if status != http.StatusForbidden || body != `{"Message":null}` {
		t.Fatalf("another region: %d %s", status, body)
	}
	// A signed request signs the host it names.
	req := f.request("GET", "http://"+hostOf(private, "us-east-1")+"/", "", nil)
	signV4(t, req, "", f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, "lambda", "us-east-1")
	if status, _, body := f.call(req); status != 200 {
		t.Fatalf("signed host form: %d %s", status, body)
	}
	curl := needCurl(t)
	target := "http://" + host + "/from/curl"
	out, err := exec.Command(curl, "-sS", "--resolve", strings.TrimSuffix(host, ":"+port)+":"+port+":127.0.0.1", target).CombinedOutput()
	if err != nil || !strings.Contains(string(out), `"rawPath": "/from/curl"`) && !strings.Contains(string(out), `"rawPath":"/from/curl"`) {
		t.Fatalf("curl --resolve %s: %v\n%s", target, err, out)
	}
}
