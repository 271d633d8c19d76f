package ui

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

func errorsAs(err error, target any) bool { return errors.As(err, target) }

// failingLambda answers ListFunctions and GetFunction with a fixed error.
type failingLambda struct {
	Lambda
	err error
}

func (f failingLambda) ListFunctions(context.Context, *lambdaapi.ListFunctionsRequest) (*lambdaapi.ListFunctionsResponse, error) {
	return nil, f.err
}

func (f failingLambda) GetFunction(context.Context, *lambdaapi.GetFunctionRequest) (*lambdaapi.GetFunctionResponse, error) {
	return nil, f.err
}

func allow(h http.Handler) http.Handler { return h }

// The page and its assets are served to anyone (they hold no state) with headers that keep
// other pages from framing it or running script in it; the API is behind Restrict, and
// without one it refuses everything.
func TestDashboardServing(t *testing.T) {
	t.Parallel()
	accounts := []Account{{ID: "111111111111", AccessKeyID: "test"}}
	notFound := &awserr.Error{Code: "ResourceNotFoundException", Message: "Function not found: f", Status: 404}
	cases := []struct {
		name, method, path, body string
		opts                     Options
		status                   int
		contentType, contains    string
	}{
		{name: "index", method: "GET", path: Prefix, status: 200, contentType: "text/html", contains: `<script type="module" src="app/main.js">`},
		{name: "a script", method: "GET", path: Prefix + "app/main.js", status: 200, contentType: "text/javascript", contains: "import"},
		{name: "no such asset", method: "GET", path: Prefix + "app/nothing.js", status: 404},
		{name: "no such page", method: "GET", path: Prefix + "other", status: 404},
		{name: "API without an access check", method: "GET", path: Prefix + "api/accounts", status: 403, contentType: "application/json", contains: `"Forbidden"`},
		{name: "accounts", method: "GET", path: Prefix + "api/accounts", opts: Options{Restrict: allow, Version: "1.2.3"}, status: 200,
			contains: `"accounts":[{"id":"111111111111","rootAccessKeyId":"test"}]`},
		{name: "unknown API", method: "GET", path: Prefix + "api/nothing", opts: Options{Restrict: allow}, status: 404, contains: `"NotFound"`},
		{name: "an AWS error keeps its status and code", method: "GET", path: Prefix + "api/functions/f",
			opts: Options{Restrict: allow, Lambda: failingLambda{err: notFound}}, status: 404, contains: `"code":"ResourceNotFoundException"`},
		{name: "another failure is internal", method: "GET", path: Prefix + "api/functions",
			opts: Options{Restrict: allow, Lambda: failingLambda{err: errors.New("disk on fire")}}, status: 500, contains: `"InternalFailure"`},
		{name: "an unknown account", method: "GET", path: Prefix + "api/functions?account=999999999999", opts: Options{Restrict: allow}, status: 400,
			contains: "no configured account 999999999999"},
		{name: "a function name beyond the model's constraints", method: "GET", path: Prefix + "api/functions/" + strings.Repeat("x", 300),
			opts: Options{Restrict: allow}, status: 400, contains: `"BadRequest"`},
		{name: "the simulator takes only JSON", method: "POST", path: Prefix + "api/simulate", body: "actions=iam:CreateUser",
			opts: Options{Restrict: allow}, status: 400, contains: "Content-Type: application/json"},
		{name: "the simulator's form", method: "POST", path: Prefix + "api/simulate", body: `{"actions":"not a list"}`,
			opts: Options{Restrict: allow}, status: 400, contains: "not its form"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.opts.Accounts, tc.opts.Region = accounts, "us-east-1"
			req := httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body))
			if strings.HasPrefix(tc.body, "actions=") {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			} else if tc.body != "" {
				req.Header.Set("Content-Type", "application/json")
			}
			rec := httptest.NewRecorder()
			New(tc.opts).ServeHTTP(rec, req)
			if rec.Code != tc.status {
				t.Errorf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); tc.contentType != "" && !strings.HasPrefix(ct, tc.contentType) {
				t.Errorf("Content-Type %q, want %s", ct, tc.contentType)
			}
			if !strings.Contains(rec.Body.String(), tc.contains) {
				t.Errorf("body %s\nwants %s", rec.Body, tc.contains)
			}
			if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") && !json.Valid(rec.Body.Bytes()) {
				t.Errorf("not JSON: %s", rec.Body)
			}
			for k, want := range map[string]string{"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer"} {
				if got := rec.Header().Get(k); got != want {
					t.Errorf("%s: %q, want %q", k, got, want)
				}
			}
			if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy %q", csp)
			}
		})
	}
}
