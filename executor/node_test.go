package executor

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"
)

// Node.js functions, built as zips here and run on the node on the PATH.
// Handler styles, context and error shapes follow "Define Lambda function
// handler in Node.js", "Using the Lambda context object to retrieve Node.js
// function information" and "Lambda function errors in Node.js".

const nodeIndex = `
let count = 0;
exports.hello = async (event, context) => ({
  event, requestId: context.awsRequestId, name: context.functionName, version: context.functionVersion,
  arn: context.invokedFunctionArn, memory: context.memoryLimitInMB, group: context.logGroupName,
  stream: context.logStreamName, remaining: context.getRemainingTimeInMillis(),
});
exports.counter = async () => ({ pid: process.pid, count: ++count, stream: process.env.AWS_LAMBDA_LOG_STREAM_NAME });
exports.env = async () => process.env;
exports.fail = async () => { throw new Error('node boom'); };
exports.failType = async () => { throw new TypeError('bad input'); };
exports.throwString = async () => { throw 'plain'; };
exports.cb = (event, context, callback) => { setTimeout(() => callback(null, { via: 'callback', event }), 10); };
exports.cbErr = (event, context, callback) => callback(new RangeError('out of range'));
exports.sleepy = async () => { console.log('sleeping'); await new Promise((r) => setTimeout(r, 30000)); };
exports.chatty = async () => { console.log('hello %s', 'world'); console.error('bad'); process.stdout.write('raw\n'); return 'ok'; };
exports.notfn = 3;
exports.nested = { inner: async () => 'nested' };
`

const nodeESM = `
export const handler = async (event, context) => ({ esm: true, id: context.awsRequestId, remaining: context.getRemainingTimeInMillis(), event });
`

func nodeFunction(t *testing.T, name, handler string) Function {
	t.Helper()
	requireTool(t, "node")
	return testFunction(name, "nodejs22.x", handler, codeOf(t,
		"index.js", nodeIndex,
		"esm.mjs", nodeESM,
		"legacy.cjs", "module.exports.handler = async () => 'cjs';\n",
		"typed/package.json", `{"type":"module"}`,
		"typed/app.js", "export const handler = async () => 'module-typed js';\n",
	))
}

func TestNodeAsyncHandlerReturnsEventAndContext(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := nodeFunction(t, "node-hello", "index.hello")
	res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "node-req-1", Payload: []byte(`{"a":[1,"b"]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" {
		t.Fatalf("FunctionError %q: %s\n%s", res.FunctionError, res.Payload, res.Log)
	}
	got := decode(t, res.Payload)
	for k, v := range map[string]any{"requestId": "node-req-1", "name": "node-hello", "version": "$LATEST",
		"arn": fn.ARN, "memory": "256", "group": "/aws/lambda/node-hello"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %v", k, got[k], v)
		}
	}
	if r, _ := got["remaining"].(float64); r <= 0 || r > 5000 {
		t.Errorf("getRemainingTimeInMillis() = %v", got["remaining"])
	}
	checkFrame(t, res, "node-req-1", true)
}

func TestNodeModuleFormatsAndHandlerStyles(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	for _, tc := range []struct{ handler, want string }{
		{"esm.handler", `"esm":true`},
		{"legacy.handler", `"cjs"`},
		{"typed/app.handler", `"module-typed js"`},
		{"index.cb", `{"via":"callback","event":{"x":1}}`},
		{"index.nested.inner", `"nested"`},
	} {
		res := invoke(t, e, nodeFunction(t, "node-styles", tc.handler), `{"x":1}`)
		if res.FunctionError != "" || !strings.Contains(string(res.Payload), tc.want) {
			t.Errorf("%s: FunctionError %q payload %s\n%s", tc.handler, res.FunctionError, res.Payload, res.Log)
		}
	}
}

func TestNodeEnvironmentAndCredentials(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := nodeFunction(t, "node-env", "index.env")
	fn.Env = map[string]string{"STAGE": "test", "_HANDLER": "spoofed.handler"}
	env := envMap(t, decode(t, invoke(t, e, fn, `{}`).Payload))
	for k, v := range map[string]string{
		"STAGE": "test", "_HANDLER": "index.env", "AWS_EXECUTION_ENV": "AWS_Lambda_nodejs22.x",
		"AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE01", "AWS_SECRET_ACCESS_KEY": "secret/example",
		"AWS_SESSION_TOKEN": "token-example", "AWS_DEFAULT_REGION": "eu-west-1", "TZ": ":UTC",
	} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	if !strings.Contains(env["NODE_PATH"], env["LAMBDA_TASK_ROOT"]) {
		t.Errorf("NODE_PATH %q", env["NODE_PATH"])
	}
	for _, k := range []string{"HOME", "GOPATH", "USER", "GOFLAGS"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s=%q leaked into the function's environment", k, v)
		}
	}
}

// "Lambda function errors in Node.js": {"errorType","errorMessage","trace"}.
func TestNodeErrorDocuments(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	for _, tc := range []struct{ handler, errType, msg string }{
		{"index.fail", "Error", "node boom"},
		{"index.failType", "TypeError", "bad input"},
		{"index.cbErr", "RangeError", "out of range"},
		{"index.throwString", "string", "plain"},
	} {
		res := invoke(t, e, nodeFunction(t, "node-fail", tc.handler), `{}`)
		doc := decode(t, res.Payload)
		if res.FunctionError != "Unhandled" || doc["errorType"] != tc.errType || doc["errorMessage"] != tc.msg {
			t.Errorf("%s: FunctionError %q payload %s", tc.handler, res.FunctionError, res.Payload)
			continue
		}
		if trace, ok := doc["trace"].([]any); !ok || (tc.errType != "string" && (len(trace) < 2 || trace[0] != tc.errType+": "+tc.msg)) {
			t.Errorf("%s: trace %v", tc.handler, doc["trace"])
		}
		if !strings.Contains(string(res.Log), "\tERROR\tInvoke Error \t{\"errorType\":\""+tc.errType+"\"") {
			t.Errorf("%s: log:\n%s", tc.handler, res.Log)
		}
	}
}

func TestNodeInitErrors(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	for _, tc := range []struct{ handler, errType, msg string }{
		{"index.missing", "Runtime.HandlerNotFound", "index.missing is undefined or not exported"},
		{"index.notfn", "Runtime.HandlerNotFound", "index.notfn is not a function"},
		{"nofile.handler", "Runtime.ImportModuleError", "Error: Cannot find module 'nofile'"},
	} {
		res := invoke(t, e, nodeFunction(t, "node-init", tc.handler), `{}`)
		doc := decode(t, res.Payload)
		if res.FunctionError != "Unhandled" || doc["errorType"] != tc.errType || !strings.HasPrefix(doc["errorMessage"].(string), tc.msg) {
			t.Errorf("%s: FunctionError %q payload %s", tc.handler, res.FunctionError, res.Payload)
		}
		if !strings.Contains(string(res.Log), "\tundefined\tERROR\tUncaught Exception \t") {
			t.Errorf("%s: log:\n%s", tc.handler, res.Log)
		}
	}
	syntax := testFunction("node-syntax", "nodejs20.x", "bad.handler", codeOf(t, "bad.js", "exports.handler = async () => {{;\n"))
	if doc := decode(t, invoke(t, e, syntax, `{}`).Payload); doc["errorType"] != "Runtime.UserCodeSyntaxError" {
		t.Errorf("syntax error document %v", doc)
	}
}

func TestNodeTimeout(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{StopTimeout: 200 * time.Millisecond})
	fn := nodeFunction(t, "node-sleep", "index.sleepy")
	fn.Timeout = time.Second
	res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "node-timeout"})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"RequestId: node-timeout Error: Task timed out after 1.00 seconds","errorType":"Sandbox.Timedout"}` {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	if !strings.Contains(string(res.Log), "\tnode-timeout\tINFO\tsleeping\n") {
		t.Errorf("log:\n%s", res.Log)
	}
}

// console.* lines carry the Node.js runtime's "time\trequest id\tLEVEL\t" prefix.
func TestNodeLogs(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	res, err := e.Invoke(context.Background(), nodeFunction(t, "node-logs", "index.chatty"), Invocation{RequestID: "node-log"})
	if err != nil {
		t.Fatal(err)
	}
	lines := logLines(res)
	if len(lines) != 6 {
		t.Fatalf("log:\n%s", res.Log)
	}
	for i, want := range []string{"\tnode-log\tINFO\thello world", "\tnode-log\tERROR\tbad"} {
		if l := lines[1+i]; !strings.HasSuffix(l, want) || !strings.HasSuffix(strings.Split(l, "\t")[0], "Z") {
			t.Errorf("line %q, want suffix %q", l, want)
		}
	}
	if lines[3] != "raw" {
		t.Errorf("line %q", lines[3])
	}
	checkFrame(t, res, "node-log", true)
}

func TestNodeWarmReuseAndConcurrency(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	fn := nodeFunction(t, "node-count", "index.counter")
	a := withHostPIDs(t, e, decode(t, invoke(t, e, fn, `{}`).Payload), "pid")
	b := withHostPIDs(t, e, decode(t, invoke(t, e, fn, `{}`).Payload), "pid")
	if a["pid"] != b["pid"] || a["count"] != 1.0 || b["count"] != 2.0 {
		t.Fatalf("first %v, second %v", a, b)
	}
	slow := nodeFunction(t, "node-slow", "index.sleepy")
	slow.Timeout = 500 * time.Millisecond
	var wg sync.WaitGroup
	pids := make([]any, 2)
	for i := range 2 {
		wg.Go(func() {
			res := invoke(t, e, slow, `{}`)
			pids[i] = res.FunctionError
		})
	}
	wg.Wait()
	if pids[0] != "Unhandled" || pids[1] != "Unhandled" {
		t.Errorf("concurrent timeouts: %v", pids)
	}
	// Both timed-out sandboxes were retired; the counter's sandbox is idle.
	if running, idle := e.Sandboxes(); running != 1 || idle != 1 {
		t.Errorf("sandboxes running %d idle %d, want 1 and 1", running, idle)
	}
	pid := int(a["pid"].(float64))
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	waitGone(t, pid)
}
