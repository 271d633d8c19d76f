package executor

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// providedFunction is a `provided.al2023` function whose bootstrap re-executes
// this test binary as a fake runtime in the given mode.
func providedFunction(t *testing.T, name, mode string) Function {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	script := "#!/bin/sh\nexec '" + strings.ReplaceAll(self, "'", `'\''`) + "'\n"
	fn := testFunction(name, "provided.al2023", "unused.handler", buildZip(t, zipEntry{name: "bootstrap", body: script, mode: 0o755}))
	fn.Env = map[string]string{"IAMLOCAL_FAKE_RUNTIME": mode}
	return fn
}

// Runtime API: "Next invocation" response headers carry the request id,
// deadline, function ARN, trace id, client context and Cognito identity.
func TestProvidedRuntimeAPINextHeaders(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := providedFunction(t, "echo", "echo")
	before := time.Now()
	res, err := e.Invoke(context.Background(), fn, Invocation{
		RequestID:       "11111111-2222-3333-4444-555555555555",
		Payload:         []byte(`{"hello":"world"}`),
		TraceID:         "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
		ClientContext:   `{"custom":{"k":"v"}}`,
		CognitoIdentity: `{"cognitoIdentityId":"id"}`,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" {
		t.Fatalf("FunctionError %q, payload %s", res.FunctionError, res.Payload)
	}
	got := decode(t, res.Payload)
	if ev, _ := json.Marshal(got["event"]); string(ev) != `{"hello":"world"}` {
		t.Errorf("event = %s", ev)
	}
	want := map[string]string{
		"requestId":     "11111111-2222-3333-4444-555555555555",
		"arn":           fn.ARN,
		"trace":         "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
		"clientContext": `{"custom":{"k":"v"}}`,
		"cognito":       `{"cognitoIdentityId":"id"}`,
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	deadline, _ := strconv.ParseInt(got["deadlineMs"].(string), 10, 64)
	if d := time.UnixMilli(deadline).Sub(before); d < 4*time.Second || d > 6*time.Second+time.Second {
		t.Errorf("Lambda-Runtime-Deadline-Ms is %v after the call, want about the 5s timeout", d)
	}
	checkFrame(t, res, "11111111-2222-3333-4444-555555555555", true)
	if res.InitDuration <= 0 || res.ExecutedVersion != "$LATEST" {
		t.Errorf("InitDuration %v, ExecutedVersion %q", res.InitDuration, res.ExecutedVersion)
	}
}

// "Defined runtime environment variables": exactly the AWS-defined variables
// plus the function's own, the reserved ones not overridable, nothing from
// the executor's environment but PATH.
func TestProvidedEnvironmentIsExactlyTheDefinedVariables(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := providedFunction(t, "envcheck", "env")
	fn.Env["MY_SETTING"] = "mine"
	fn.Env["AWS_REGION"] = "xx-hacked-1" // reserved: ignored
	fn.Env["LANG"] = "C.UTF-8"           // unreserved: allowed
	env := envMap(t, decode(t, invoke(t, e, fn, `{}`).Payload))
	delete(env, "PWD") // exported by /bin/sh, which runs the bootstrap script
	wantKeys := []string{
		"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
		"AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION", "AWS_LAMBDA_INITIALIZATION_TYPE",
		"AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "AWS_LAMBDA_RUNTIME_API", "AWS_REGION",
		"AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS",
		"IAMLOCAL_FAKE_RUNTIME", "LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT", "LANG", "LD_LIBRARY_PATH", "MY_SETTING",
		"PATH", "TZ", "_AWS_XRAY_DAEMON_ADDRESS", "_AWS_XRAY_DAEMON_PORT", "_HANDLER",
	}
	if got := sortedKeys(env); strings.Join(got, " ") != strings.Join(wantKeys, " ") {
		t.Errorf("environment keys\n got %v\nwant %v", got, wantKeys)
	}
	for k, v := range map[string]string{
		"AWS_REGION": "eu-west-1", "AWS_DEFAULT_REGION": "eu-west-1", "LANG": "C.UTF-8", "MY_SETTING": "mine",
		"TZ": ":UTC", "AWS_LAMBDA_FUNCTION_NAME": "envcheck", "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "256", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/envcheck",
		"AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE01", "AWS_SECRET_ACCESS_KEY": "secret/example",
		"AWS_SESSION_TOKEN": "token-example", "AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
		"PATH": os.Getenv("PATH") + ":" + optOf(env["LAMBDA_TASK_ROOT"]) + "/bin", // Lambda ends PATH with /opt/bin
	} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !strings.HasPrefix(env["AWS_LAMBDA_RUNTIME_API"], "127.0.0.1:") {
		t.Errorf("AWS_LAMBDA_RUNTIME_API = %q", env["AWS_LAMBDA_RUNTIME_API"])
	}
	if !strings.HasPrefix(env["AWS_LAMBDA_LOG_STREAM_NAME"], time.Now().UTC().Format("2006/01/02")+"/[$LATEST]") {
		t.Errorf("AWS_LAMBDA_LOG_STREAM_NAME = %q", env["AWS_LAMBDA_LOG_STREAM_NAME"])
	}
	if fi, err := os.Stat(hostPath(t, e, env["AWS_LAMBDA_LOG_STREAM_NAME"], env["LAMBDA_TASK_ROOT"]) + "/bootstrap"); err != nil || fi.Mode()&0o100 == 0 {
		t.Errorf("LAMBDA_TASK_ROOT %q has no executable bootstrap: %v", env["LAMBDA_TASK_ROOT"], err)
	}
}

// A runtime-reported error is answered with its own document and
// X-Amz-Function-Error: Unhandled (Invoke API, FunctionError).
func TestProvidedFunctionErrorIsUnhandled(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res := invoke(t, e, providedFunction(t, "fails", "error"), `{}`)
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"fake failure","errorType":"FakeError"}` {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
}

// Runtime API "Initialization error": the invocation gets the posted error.
func TestProvidedInitError(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res := invoke(t, e, providedFunction(t, "initfails", "initerror"), `{}`)
	if res.FunctionError != "Unhandled" || decode(t, res.Payload)["errorType"] != "Fake.InitError" {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	if running, _ := e.Sandboxes(); running != 0 {
		t.Errorf("%d sandboxes still running after an init error", running)
	}
}

// Troubleshooting: "Runtime exited with error: exit status N" (Runtime.ExitError).
func TestProvidedExitDuringInvocation(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res, err := e.Invoke(context.Background(), providedFunction(t, "dies", "exit"), Invocation{RequestID: "req-exit", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, res.Payload)
	if res.FunctionError != "Unhandled" || doc["errorType"] != "Runtime.ExitError" ||
		doc["errorMessage"] != "RequestId: req-exit Error: Runtime exited with error: exit status 3" {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	log := string(res.Log)
	if !strings.Contains(log, "exiting with 3\n") || !strings.Contains(log, "RequestId: req-exit Error: Runtime exited with error: exit status 3\nRuntime.ExitError\n") {
		t.Errorf("log:\n%s", log)
	}
}

// Troubleshooting "Couldn't find valid bootstrap (Runtime.InvalidEntrypoint)".
func TestProvidedWithoutBootstrap(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := testFunction("nobootstrap", "provided.al2", "", codeOf(t, "main.sh", "echo hi"))
	res := invoke(t, e, fn, `{}`)
	doc := decode(t, res.Payload)
	if res.FunctionError != "Unhandled" || doc["errorType"] != "Runtime.InvalidEntrypoint" ||
		!strings.Contains(doc["errorMessage"].(string), "Couldn't find valid bootstrap(s): [") {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
}

// Stdout and stderr of the runtime are one stream; every line printed before
// the response is in this invocation's log, between START and END.
func TestProvidedLogsBetweenStartAndEnd(t *testing.T) {
	t.Parallel()
	sink := &memSink{}
	e := newTestExecutor(t, Options{Logs: sink})
	res, err := e.Invoke(context.Background(), providedFunction(t, "logs", "log"), Invocation{RequestID: "req-log"})
	if err != nil {
		t.Fatal(err)
	}
	lines := logLines(res)
	want := []string{"START RequestId: req-log Version: $LATEST", "handling req-log", "line one", "line two on stderr", "partial line without newline", "END RequestId: req-log"}
	var got []string
	for _, l := range lines {
		if l != "fake runtime starting in mode log" && !strings.HasPrefix(l, "REPORT ") {
			got = append(got, l)
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log lines\n got %q\nwant %q", got, want)
	}
	if lines[0] != "fake runtime starting in mode log" {
		t.Errorf("the init output should come first, before START: %q", lines)
	}
	if s := sink.all(); len(s) < len(lines) || !strings.HasPrefix(s[0], "/aws/lambda/logs|") {
		t.Errorf("sink got %q", s)
	}
	if tail := res.LogTail(); tail == "" {
		t.Error("empty LogTail")
	}
}

// A response over 6291556 bytes: the runtime gets 413, the caller gets
// Function.ResponseSizeTooLarge.
func TestProvidedResponseTooLarge(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res := invoke(t, e, providedFunction(t, "big", "big"), `{}`)
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"Response payload size exceeded maximum allowed payload size (6291556 bytes).","errorType":"Function.ResponseSizeTooLarge"}` {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
}

// Close stops the whole process group: the runtime and what it started.
func TestProvidedCloseKillsProcessGroup(t *testing.T) {
	t.Parallel()
	e, err := New(Options{WorkDir: t.TempDir(), StopTimeout: 300 * time.Millisecond, ReadOnlyPaths: []string{testBinary(t)}})
	if err != nil {
		t.Fatal(err)
	}
	a := withHostPIDs(t, e, decode(t, invoke(t, e, providedFunction(t, "child", "child"), `{}`).Payload), "pid", "childPid")
	b := withHostPIDs(t, e, decode(t, invoke(t, e, providedFunction(t, "stubborn", "ignoreterm"), `{}`).Payload), "pid")
	pids := []int{int(a["pid"].(float64)), int(a["childPid"].(float64)), int(b["pid"].(float64))}
	for _, pid := range pids {
		if !alive(pid) {
			t.Fatalf("process %d is not running before Close", pid)
		}
	}
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	for _, pid := range pids {
		waitGone(t, pid)
	}
	if _, err := e.Invoke(context.Background(), providedFunction(t, "late", "echo"), Invocation{}); !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke after Close: %v", err)
	}
}
