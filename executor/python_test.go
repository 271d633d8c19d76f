package executor

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Python functions, built as zips here and run on the python3 on the PATH.
// The handler, context and error shapes follow "Define Lambda function
// handler in Python", "Using the Lambda context object to retrieve Python
// function information" and "Lambda function errors in Python".

const pyApp = `
import json, logging, os, sys, time

COUNT = 0
logger = logging.getLogger()
logger.setLevel(logging.INFO)

def hello(event, context):
    return {"event": event, "requestId": context.aws_request_id, "name": context.function_name,
            "version": context.function_version, "arn": context.invoked_function_arn,
            "memory": context.memory_limit_in_mb, "group": context.log_group_name,
            "stream": context.log_stream_name, "remaining": context.get_remaining_time_in_millis()}

def counter(event, context):
    global COUNT
    COUNT += 1
    return {"pid": os.getpid(), "count": COUNT, "stream": context.log_stream_name}

def env(event, context):
    return dict(os.environ)

def fail(event, context):
    raise ValueError("boom: " + event.get("why", ""))

def sleepy(event, context):
    print("going to sleep")
    time.sleep(30)

def chatty(event, context):
    print("printed line")
    print("to stderr", file=sys.stderr)
    logger.info("info %s", "logged")
    logger.warning("careful")
    return "ok"

def leave(event, context):
    sys.exit(7)

def notjson(event, context):
    return {1, 2}

not_callable_either = 3
`

func pythonFunction(t *testing.T, name, handler string) Function {
	t.Helper()
	requireTool(t, "python3")
	return testFunction(name, "python3.12", handler, codeOf(t, "app.py", pyApp, "pkg/__init__.py", "", "pkg/mod.py", "def h(e, c):\n    return 'nested'\n"))
}

func TestPythonHelloReturnsEventAndContext(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := pythonFunction(t, "py-hello", "app.hello")
	res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "py-req-1", Payload: []byte(`{"key1":"value1","n":[1,2]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" {
		t.Fatalf("FunctionError %q: %s\n%s", res.FunctionError, res.Payload, res.Log)
	}
	got := decode(t, res.Payload)
	if fmt.Sprint(got["event"]) != "map[key1:value1 n:[1 2]]" {
		t.Errorf("event = %v", got["event"])
	}
	for k, v := range map[string]any{"requestId": "py-req-1", "name": "py-hello", "version": "$LATEST", "arn": fn.ARN,
		"memory": "256", "group": "/aws/lambda/py-hello"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if r, _ := got["remaining"].(float64); r <= 0 || r > 5000 {
		t.Errorf("get_remaining_time_in_millis() = %v, want in (0, 5000]", got["remaining"])
	}
	if s, _ := got["stream"].(string); !strings.Contains(s, "/[$LATEST]") {
		t.Errorf("log_stream_name = %q", s)
	}
	// json.dumps' default separators, as the Python runtime answers.
	if !strings.Contains(string(res.Payload), `"requestId": "py-req-1"`) {
		t.Errorf("payload %s", res.Payload)
	}
	checkFrame(t, res, "py-req-1", true)
}

func TestPythonNestedModuleHandler(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	for _, h := range []string{"pkg.mod.h", "pkg/mod.h"} {
		if res := invoke(t, e, pythonFunction(t, "py-nested", h), `{}`); string(res.Payload) != `"nested"` {
			t.Errorf("%s: %s %s", h, res.FunctionError, res.Payload)
		}
	}
}

func TestPythonEnvironmentAndCredentials(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := pythonFunction(t, "py-env", "app.env")
	fn.Env = map[string]string{"TABLE": "orders", "AWS_LAMBDA_FUNCTION_NAME": "spoofed"}
	env := envMap(t, decode(t, invoke(t, e, fn, `{}`).Payload))
	for k, v := range map[string]string{
		"TABLE": "orders", "AWS_LAMBDA_FUNCTION_NAME": "py-env", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
		"_HANDLER": "app.env", "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE01", "AWS_SECRET_ACCESS_KEY": "secret/example",
		"AWS_SESSION_TOKEN": "token-example", "AWS_REGION": "eu-west-1", "TZ": ":UTC", "LANG": "en_US.UTF-8",
		"AWS_ENDPOINT_URL": "http://127.0.0.1:4566",
		// the search path, then the emulated /opt/bin, as Lambda ends PATH with /opt/bin
		"PATH": os.Getenv("PATH") + ":" + optOf(env["LAMBDA_TASK_ROOT"]) + "/bin",
	} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	for _, k := range []string{"HOME", "GOPATH", "PYENV_ROOT", "PYENV_VERSION", "USER"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s=%q leaked into the function's environment", k, v)
		}
	}
	if env["LAMBDA_TASK_ROOT"] == "" || env["LAMBDA_RUNTIME_DIR"] == "" || env["AWS_LAMBDA_RUNTIME_API"] == "" {
		t.Errorf("missing runtime variables: %v", env)
	}
}

// "Lambda function errors in Python": errorType is the exception's class
// name, stackTrace its frames, and the call answers X-Amz-Function-Error.
func TestPythonErrorDocument(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res, err := e.Invoke(context.Background(), pythonFunction(t, "py-fail", "app.fail"), Invocation{RequestID: "py-err", Payload: []byte(`{"why":"because"}`)})
	if err != nil {
		t.Fatal(err)
	}
	doc := decode(t, res.Payload)
	if res.FunctionError != "Unhandled" || doc["errorType"] != "ValueError" || doc["errorMessage"] != "boom: because" || doc["requestId"] != "py-err" {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	stack, _ := doc["stackTrace"].([]any)
	if len(stack) != 1 || !strings.Contains(fmt.Sprint(stack[0]), `app.py", line 23, in fail`) {
		t.Errorf("stackTrace = %q", stack)
	}
	if !strings.Contains(string(res.Log), "[ERROR] ValueError: boom: because\nTraceback (most recent call last):\n") {
		t.Errorf("log:\n%s", res.Log)
	}
	// The sandbox survives a function error.
	if res := invoke(t, e, pythonFunction(t, "py-fail", "app.fail"), `{}`); res.InitDuration != 0 {
		t.Error("a function error should not cost the sandbox")
	}
}

func TestPythonInitErrors(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	for _, tc := range []struct{ handler, errType, msg string }{
		{"missing.handler", "Runtime.ImportModuleError", "Unable to import module 'missing': No module named 'missing'"},
		{"app.nothere", "Runtime.HandlerNotFound", "Handler 'nothere' missing on module 'app'"},
		{"nodot", "Runtime.MalformedHandlerName", "Bad handler 'nodot': not enough values to unpack (expected 2, got 1)"},
	} {
		res := invoke(t, e, pythonFunction(t, "py-init-"+tc.errType, tc.handler), `{}`)
		doc := decode(t, res.Payload)
		if res.FunctionError != "Unhandled" || doc["errorType"] != tc.errType || doc["errorMessage"] != tc.msg {
			t.Errorf("%s: FunctionError %q payload %s", tc.handler, res.FunctionError, res.Payload)
		}
	}
	syntax := testFunction("py-syntax", "python3.11", "bad.handler", codeOf(t, "bad.py", "def handler(:\n"))
	doc := decode(t, invoke(t, e, syntax, `{}`).Payload)
	if doc["errorType"] != "Runtime.UserCodeSyntaxError" || !strings.HasPrefix(doc["errorMessage"].(string), "Syntax error in module 'bad': ") {
		t.Errorf("syntax error document %v", doc)
	}
}

func TestPythonMarshalError(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	doc := decode(t, invoke(t, e, pythonFunction(t, "py-set", "app.notjson"), `{}`).Payload)
	if doc["errorType"] != "Runtime.MarshalError" || !strings.HasPrefix(doc["errorMessage"].(string), "Unable to marshal response: ") {
		t.Errorf("document %v", doc)
	}
}

// Sandbox.Timedout at the deadline; the process is killed and the next call
// starts a new sandbox.
func TestPythonTimeout(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{StopTimeout: 200 * time.Millisecond})
	fn := pythonFunction(t, "py-sleep", "app.sleepy")
	fn.Timeout = time.Second
	started := time.Now()
	res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "py-timeout"})
	if err != nil {
		t.Fatal(err)
	}
	// The handler sleeps 30 s: returning well before that shows the timeout cut it off (the
	// margin is wide because a loaded machine delays cold starts, not the timeout).
	if d := time.Since(started); d > 20*time.Second {
		t.Errorf("the timeout took %v", d)
	}
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"RequestId: py-timeout Error: Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"}` {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	log := string(res.Log)
	if !strings.Contains(log, "going to sleep\n") || !strings.Contains(log, " py-timeout Task timed out after 1.00 seconds\nEND RequestId: py-timeout\n") ||
		!strings.HasSuffix(log, "Status: timeout\n") {
		t.Errorf("log:\n%s", log)
	}
	if res.Duration < time.Second {
		t.Errorf("Duration %v", res.Duration)
	}
	fn.Handler = "app.counter"
	if r := invoke(t, e, fn, `{}`); r.InitDuration == 0 {
		t.Error("the timed-out sandbox was reused")
	}
}

func TestPythonLogs(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res, err := e.Invoke(context.Background(), pythonFunction(t, "py-logs", "app.chatty"), Invocation{RequestID: "py-log"})
	if err != nil {
		t.Fatal(err)
	}
	lines := logLines(res)
	if len(lines) != 7 {
		t.Fatalf("log:\n%s", res.Log)
	}
	if lines[0] != "START RequestId: py-log Version: $LATEST" || lines[1] != "printed line" || lines[2] != "to stderr" {
		t.Errorf("log:\n%s", res.Log)
	}
	// The Python runtime's logging format: [LEVEL]\ttimestamp\trequest id\tmessage.
	for i, want := range map[int]string{3: "[INFO]\t", 4: "[WARNING]\t"} {
		f := strings.Split(lines[i], "\t")
		if len(f) != 4 || f[0]+"\t" != want || f[2] != "py-log" || !strings.HasSuffix(f[1], "Z") {
			t.Errorf("line %q", lines[i])
		}
	}
	checkFrame(t, res, "py-log", true)
}

func TestPythonExit(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res, err := e.Invoke(context.Background(), pythonFunction(t, "py-exit", "app.leave"), Invocation{RequestID: "py-exit"})
	if err != nil {
		t.Fatal(err)
	}
	if doc := decode(t, res.Payload); doc["errorType"] != "Runtime.ExitError" || doc["errorMessage"] != "RequestId: py-exit Error: Runtime exited with error: exit status 7" {
		t.Fatalf("payload %s", res.Payload)
	}
}

// Warm reuse: the same process (pid) and module state serve later
// invocations; concurrent ones get a second sandbox.
func TestPythonWarmReuseAndConcurrency(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := pythonFunction(t, "py-count", "app.counter")
	first := invoke(t, e, fn, `{}`)
	second := invoke(t, e, fn, `{}`)
	a, b := withHostPIDs(t, e, decode(t, first.Payload), "pid"), withHostPIDs(t, e, decode(t, second.Payload), "pid")
	if a["pid"] != b["pid"] || a["count"] != 1.0 || b["count"] != 2.0 {
		t.Fatalf("first %v, second %v", a, b)
	}
	if first.InitDuration == 0 || second.InitDuration != 0 {
		t.Errorf("InitDuration %v then %v", first.InitDuration, second.InitDuration)
	}
	// Same code, different configuration: a new sandbox.
	other := fn
	other.MemoryMB = 512
	if c := withHostPIDs(t, e, decode(t, invoke(t, e, other, `{}`).Payload), "pid"); c["pid"] == a["pid"] {
		t.Error("a different configuration reused the sandbox")
	}
	slow := pythonFunction(t, "py-slow", "app.sleepy")
	slow.Timeout = 500 * time.Millisecond
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() { invoke(t, e, slow, `{}`) })
	}
	wg.Wait()
	if running, _ := e.Sandboxes(); running < 2 {
		t.Errorf("%d sandboxes running", running)
	}
	pid := int(a["pid"].(float64))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
}
