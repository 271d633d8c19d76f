package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// Runtime API misuse: an unknown request id is 400 InvalidRequestID, a
// second /next or a late /init/error while an invocation is out is 403, and
// the invocation is still answered by the right response.
func TestRuntimeAPIRefusesMisuse(t *testing.T) {
	t.Parallel()
	statuses := make(chan string, 1)
	l := &mockLauncher{runtime: func(ctx context.Context, api string, _ io.Writer) int {
		base := "http://" + api + rapiPrefix
		call := func(method, path, body string) (*http.Response, string) {
			req, _ := http.NewRequestWithContext(ctx, method, base+path, strings.NewReader(body))
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				return &http.Response{StatusCode: -1, Header: http.Header{}}, err.Error()
			}
			defer resp.Body.Close()
			b, _ := io.ReadAll(resp.Body)
			return resp, string(b)
		}
		next, _ := call("GET", "/invocation/next", "")
		id := next.Header.Get("Lambda-Runtime-Aws-Request-Id")
		var got []string
		for _, c := range []struct{ method, path string }{
			{"POST", "/invocation/not-" + id + "/response"},
			{"POST", "/invocation/not-" + id + "/error"},
			{"POST", "/init/error"},
			{"GET", "/invocation/next"},
			{"POST", "/invocation/" + id + "/response"},
			{"POST", "/invocation/" + id + "/response"},
		} {
			resp, body := call(c.method, c.path, `"answer"`)
			got = append(got, fmt.Sprintf("%d %s", resp.StatusCode, body))
		}
		statuses <- strings.Join(got, "\n")
		<-ctx.Done()
		return 0
	}}
	e := newTestExecutor(t, Options{Launcher: l})
	res := invoke(t, e, mockFunction(t, "misuse", ""), `{}`)
	if res.FunctionError != "" || string(res.Payload) != `"answer"` {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	want := strings.Join([]string{
		`400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`,
		`400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`,
		`403 {"errorMessage":"The init phase is over.","errorType":"InvalidStateTransition"}`,
		`403 {"errorMessage":"The runtime asked for the next invocation before answering the current one.","errorType":"InvalidStateTransition"}`,
		`202 {"status":"OK"}`,
		`400 {"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"}`,
	}, "\n")
	if got := <-statuses; got != want {
		t.Errorf("Runtime API answers\n got:\n%s\nwant:\n%s", got, want)
	}
}

// An error posted without a JSON body is wrapped in an error document named
// by Lambda-Runtime-Function-Error-Type.
func TestErrorBodyWrapping(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ errType, body, want string }{
		{"Custom.Error", `{"errorMessage":"m","errorType":"T"}`, `{"errorMessage":"m","errorType":"T"}`},
		{"Custom.Error", "plain text", `{"errorMessage":"plain text","errorType":"Custom.Error"}`},
		{"", "", `{"errorMessage":"","errorType":"Runtime.Unknown"}`},
	} {
		if got := string(errorBody(tc.errType, []byte(tc.body))); got != tc.want {
			t.Errorf("errorBody(%q, %q) = %s, want %s", tc.errType, tc.body, got, tc.want)
		}
	}
}

// FuzzRuntimeAPIRouter: whatever a runtime sends, the Runtime API answers
// without panicking and never with a 5xx, and always in JSON when it
// answers with an error.
func FuzzRuntimeAPIRouter(f *testing.F) {
	for _, seed := range []struct{ method, path, body string }{
		{"GET", "/2018-06-01/runtime/invocation/next", ""},
		{"POST", "/2018-06-01/runtime/invocation/id-1/response", `{"ok":true}`},
		{"POST", "/2018-06-01/runtime/invocation/id-1/error", `{"errorType":"X"}`},
		{"POST", "/2018-06-01/runtime/init/error", "not json"},
		{"PUT", "/2018-06-01/runtime/invocation/%2e%2e/response", ""},
		{"POST", "/2018-06-01/runtime/invocation//response", ""},
	} {
		f.Add(seed.method, seed.path, []byte(seed.body), uint8(0))
	}
	f.Fuzz(func(t *testing.T, method, path string, body []byte, stateSel uint8) {
		if !strings.HasPrefix(path, "/") || strings.ContainsAny(method, " \t\r\n") || method == "" {
			return
		}
		e := &Executor{opts: Options{Clock: time.Now}}
		sb := &sandbox{e: e, fn: Function{Version: "$LATEST"}, wake: make(chan struct{}, 1)}
		lc, err := newLogCapture(time.Now, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer lc.close(time.Second)
		sb.logs = lc
		sb.state = []sandboxState{stateInitializing, stateIdle, stateInvoking, stateFailed}[stateSel%4]
		if sb.state == stateInvoking {
			sb.inflight = &invocation{Invocation: Invocation{RequestID: "id-1"}, done: make(chan outcome, 1), delivered: make(chan struct{})}
		}
		ctx, cancel := context.WithCancel(context.Background())
		cancel() // a /next with nothing to hand out returns at once
		req, err := http.NewRequestWithContext(ctx, method, "http://127.0.0.1"+path, bytes.NewReader(body))
		if err != nil {
			return
		}
		rec := httptest.NewRecorder()
		sb.routes().ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s answered %d", method, path, rec.Code)
		}
		if rec.Code >= 400 && rec.Header().Get("Content-Type") == "application/json" && !json.Valid(rec.Body.Bytes()) {
			t.Fatalf("invalid JSON error body %q", rec.Body.Bytes())
		}
	})
}
