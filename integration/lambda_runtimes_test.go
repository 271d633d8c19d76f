package integration

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Honest runtimes and LoggingConfig, end to end through aws-sdk-go-v2 and boto3 (see
// docs/lambda.md): which interpreter runs a function and the note when it is another version,
// IAMLOCAL_RUNTIMES, the bundled SDKs, runtimes iamlocal cannot run, Ruby, and JSON logs with
// levels and a custom log group.

const lambdaTrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// runtimeFixture is a server with a Lambda execution role and clients.
type runtimeFixture struct {
	srv  *emulatortest.Server
	fns  *lambda.Client
	logs *cloudwatchlogs.Client
	role string
}

func newRuntimeFixture(t *testing.T, opts ...func(*emulator.Options)) runtimeFixture {
	t.Helper()
	srv := emulatortest.New(t, opts...)
	cfg := srv.AWSConfig(context.Background())
	role := createRole(t, iam.NewFromConfig(cfg), "runtime-exec", lambdaTrustPolicy)
	return runtimeFixture{srv: srv, fns: lambda.NewFromConfig(cfg), logs: cloudwatchlogs.NewFromConfig(cfg), role: role}
}

func (f runtimeFixture) create(t *testing.T, in *lambda.CreateFunctionInput) {
	t.Helper()
	in.Role = aws.String(f.role)
	if in.Timeout == nil {
		in.Timeout = aws.Int32(30)
	}
	if _, err := f.fns.CreateFunction(context.Background(), in); err != nil {
		t.Fatal(err)
	}
}

func (f runtimeFixture) invoke(t *testing.T, name, payload string) *lambda.InvokeOutput {
	t.Helper()
	out, err := f.fns.Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(payload), LogType: lambdatypes.LogTypeTail})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// events returns the messages of a log group, "" lines left out.
func (f runtimeFixture) events(t *testing.T, group string) []string {
	t.Helper()
	out, err := f.logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String(group)})
	if err != nil {
		t.Fatalf("FilterLogEvents %s: %v", group, err)
	}
	var lines []string
	for _, e := range out.Events {
		if m := strings.TrimSpace(aws.ToString(e.Message)); m != "" {
			lines = append(lines, m)
		}
	}
	return lines
}

func tail(t *testing.T, out *lambda.InvokeOutput) string {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// absentPythonRuntime is a python3.N runtime this machine has no working python3.N for,
// so that it runs on python3: python3.13 on a machine with Python 3.11 (pyenv shims of
// versions that are not installed do not run).
func absentPythonRuntime(t *testing.T) string {
	t.Helper()
	for _, v := range []string{"3.13", "3.12", "3.14", "3.10"} {
		if exec.Command("python"+v, "-c", "").Run() != nil {
			return "python" + v
		}
	}
	t.Fatal("every python3.10 to python3.14 runs on this machine: the version note test needs one missing")
	return ""
}

const pyVersion = `
import sys, platform
def handler(event, context):
    return {"version": platform.python_version(), "executable": sys.executable}
`

// A python3.13 function on a machine with another python3 runs on it, and its environment's
// log stream says so once, however many invocations it serves.
func TestLambdaRuntimeVersionNoteOnce(t *testing.T) {
	t.Parallel()
	py := needBoto3(t)
	f := newRuntimeFixture(t)
	runtime := absentPythonRuntime(t)
	f.create(t, &lambda.CreateFunctionInput{FunctionName: aws.String("note"), Runtime: lambdatypes.Runtime(runtime),
		Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": pyVersion})}})
	host, err := exec.Command(py, "-c", "import platform; print(platform.python_version())").Output()
	if err != nil {
		t.Fatal(err)
	}
	out := f.invoke(t, "note", `{}`)
	var got struct{ Version string }
	if err := json.Unmarshal(out.Payload, &got); err != nil || got.Version != strings.TrimSpace(string(host)) {
		t.Fatalf("payload %s, host python %s", out.Payload, host)
	}
	// The second invocation, through boto3, is served by the same environment.
	runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3
r = boto3.client("lambda").invoke(FunctionName="note", Payload=b"{}")
assert r["StatusCode"] == 200 and "FunctionError" not in r, r
`)
	var notes []string
	for _, l := range f.events(t, "/aws/lambda/note") {
		if strings.HasPrefix(l, "iamlocal: ") {
			notes = append(notes, l)
		}
	}
	want := fmt.Sprintf("iamlocal: this %s function runs on Python %s (", runtime, got.Version)
	if len(notes) != 1 || !strings.HasPrefix(notes[0], want) || !strings.Contains(notes[0], "IAMLOCAL_RUNTIMES="+runtime+"=<interpreter>") {
		t.Errorf("notes %q, want one starting %q", notes, want)
	}
}

// IAMLOCAL_RUNTIMES (Options.Runtimes) picks the interpreter a runtime runs on, run as given:
// here a wrapper script that says it ran and execs the real python.
func TestLambdaRuntimesSettingPicksInterpreter(t *testing.T) {
	t.Parallel()
	py := needBoto3(t)
	real, err := exec.Command(py, "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "python-wrapper")
	script := "#!/bin/sh\necho \"iamlocal-test-wrapper ran\" >&2\nexec " + strings.TrimSpace(string(real)) + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	f := newRuntimeFixture(t, func(o *emulator.Options) { o.Runtimes = map[string]string{"python3.12": wrapper} })
	f.create(t, &lambda.CreateFunctionInput{FunctionName: aws.String("wrapped"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": pyVersion})}})
	out := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import base64, boto3
r = boto3.client("lambda").invoke(FunctionName="wrapped", Payload=b"{}", LogType="Tail")
assert r["StatusCode"] == 200 and "FunctionError" not in r, r
print(base64.b64decode(r["LogResult"]).decode())
`)
	if !strings.Contains(out, "iamlocal-test-wrapper ran") {
		t.Errorf("the wrapper did not run; log:\n%s", out)
	}
}

// The AWS SDKs Lambda's runtimes bundle are the host's: boto3 in a python function, and
// @aws-sdk/client-sts (from IAMLOCAL_NODE_SDK_PATH, here a directory npm installed it in) in a
// nodejs20.x function; both call STS as the execution role.
func TestLambdaBundledSDKs(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatal("this test installs @aws-sdk/client-sts with npm, and `npm` is not on PATH: install npm (Debian package npm) and rerun")
	}
	dir := t.TempDir()
	install := exec.Command(npm, "install", "--prefix", dir, "--no-audit", "--no-fund", "--loglevel=error", "@aws-sdk/client-sts@3")
	if out, err := install.CombinedOutput(); err != nil {
		t.Fatalf("npm install @aws-sdk/client-sts: %v\n%s", err, out)
	}
	f := newRuntimeFixture(t, func(o *emulator.Options) { o.NodeSDKPath = filepath.Join(dir, "node_modules") })
	f.create(t, &lambda.CreateFunctionInput{FunctionName: aws.String("py-sdk"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": `
import boto3
def handler(event, context):
    return boto3.client("sts").get_caller_identity()["Arn"]
`})}})
	f.create(t, &lambda.CreateFunctionInput{FunctionName: aws.String("node-sdk"), Runtime: lambdatypes.RuntimeNodejs20x,
		Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.js": `
const { STSClient, GetCallerIdentityCommand } = require("@aws-sdk/client-sts");
exports.handler = async () => (await new STSClient({}).send(new GetCallerIdentityCommand({}))).Arn;
`})}})
	for _, name := range []string{"py-sdk", "node-sdk"} {
		out := f.invoke(t, name, `{}`)
		want := `"arn:aws:sts::123456789012:assumed-role/runtime-exec/` + name + `"`
		if out.FunctionError != nil || string(out.Payload) != want {
			t.Errorf("%s: %s %s\n%s", name, aws.ToString(out.FunctionError), out.Payload, tail(t, out))
		}
	}
	arn := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3, json
r = boto3.client("lambda").invoke(FunctionName="py-sdk", Payload=b"{}")
print(json.loads(r["Payload"].read()))
`)
	if arn != "arn:aws:sts::123456789012:assumed-role/runtime-exec/py-sdk" {
		t.Errorf("boto3 invoke: %s", arn)
	}
}

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// countingTransport counts the HTTP requests an SDK client sends.
type countingTransport struct{ n atomic.Int32 }

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.n.Add(1)
	return http.DefaultTransport.RoundTrip(r)
}

// A java21 function and a container image are accepted at create as Lambda accepts them, with
// a warning in the server log; Invoke answers a function error in AWS's shape, 200 with
// X-Amz-Function-Error and {"errorType":"Runtime.InvalidEntrypoint","errorMessage":...} naming
// what is missing, once: an SDK with retries on sends one request.
func TestLambdaUnrunnableRuntimesAreFunctionErrors(t *testing.T) {
	t.Parallel()
	var serverLog syncBuffer
	f := newRuntimeFixture(t, func(o *emulator.Options) { o.Logger = slog.New(slog.NewTextHandler(&serverLog, nil)) })
	f.create(t, &lambda.CreateFunctionInput{FunctionName: aws.String("java"), Runtime: lambdatypes.RuntimeJava21,
		Handler: aws.String("example.Handler::handleRequest"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"example/Handler.class": "\xca\xfe\xba\xbe"})}})
	if got := serverLog.String(); !strings.Contains(got, "level=WARN") || !strings.Contains(got, "function=java") || !strings.Contains(got, "iamlocal cannot run java21 functions") {
		t.Errorf("server log: %s", got)
	}
	counter := &countingTransport{}
	cfg := f.srv.AWSConfig(context.Background())
	cfg.Retryer = func() aws.Retryer { return retry.NewStandard() }
	cfg.HTTPClient = &http.Client{Transport: counter}
	out, err := lambda.NewFromConfig(cfg).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("java")})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ ErrorType, ErrorMessage string }
	if err := json.Unmarshal(out.Payload, &doc); err != nil {
		t.Fatal(err)
	}
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "Runtime.InvalidEntrypoint" ||
		!strings.Contains(doc.ErrorMessage, "iamlocal cannot run java21 functions") || !strings.Contains(doc.ErrorMessage, "IAMLOCAL_RUNTIMES") {
		t.Errorf("status %d, FunctionError %q, payload %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}
	if n := counter.n.Load(); n != 1 {
		t.Errorf("%d requests sent", n)
	}
	out2 := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3, json
c = boto3.client("lambda")
c.create_function(FunctionName="image", Role="`+f.role+`", PackageType="Image",
                  Code={"ImageUri": "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"})
r = c.invoke(FunctionName="image", Payload=b"{}")
print(r["StatusCode"], r["FunctionError"], json.loads(r["Payload"].read())["errorType"])
`)
	if out2 != "200 Unhandled Runtime.InvalidEntrypoint" {
		t.Errorf("image invoke: %s", out2)
	}
	if got := serverLog.String(); !strings.Contains(got, "function=image") {
		t.Errorf("no warning about the image function: %s", got)
	}
}

const rubyApp = `
def handler(event:, context:)
  puts "ruby says hi"
  { "ruby" => RUBY_VERSION, "name" => context.function_name, "got" => event["n"] }
end

def fail(event:, context:)
  raise ArgumentError, "no good"
end
`

// A ruby3.3 function runs on the machine's ruby through iamlocal's runtime client.
func TestLambdaRubyFunction(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("ruby"); err != nil {
		t.Fatal("this test runs a ruby3.3 function on the machine's ruby, and `ruby` is not on PATH: install Ruby (apt-get install -y ruby) and rerun")
	}
	f := newRuntimeFixture(t)
	code := zipOf(t, map[string]string{"app.rb": rubyApp})
	for _, h := range []string{"handler", "fail"} {
		f.create(t, &lambda.CreateFunctionInput{FunctionName: aws.String("rb-" + h), Runtime: lambdatypes.RuntimeRuby33,
			Handler: aws.String("app." + h), Code: &lambdatypes.FunctionCode{ZipFile: code}})
	}
	out := f.invoke(t, "rb-handler", `{"n":7}`)
	var got map[string]any
	if err := json.Unmarshal(out.Payload, &got); err != nil || got["name"] != "rb-handler" || got["got"] != 7.0 || out.FunctionError != nil {
		t.Errorf("payload %s", out.Payload)
	}
	if log := tail(t, out); !strings.Contains(log, "\nruby says hi\n") {
		t.Errorf("log:\n%s", log)
	}
	failed := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3, json
r = boto3.client("lambda").invoke(FunctionName="rb-fail", Payload=b"{}")
d = json.loads(r["Payload"].read())
print(r["FunctionError"], d["errorType"], d["errorMessage"])
`)
	if failed != "Unhandled Function<ArgumentError> no good" {
		t.Errorf("error: %s", failed)
	}
}

// record is one JSON log line: an application record or a platform event.
type record struct {
	Level, Message, RequestID, Type string
	Record                          map[string]any
}

func records(t *testing.T, lines []string) (app []record, platform []record, other []string) {
	t.Helper()
	for _, l := range lines {
		var r record
		if err := json.Unmarshal([]byte(l), &r); err != nil {
			other = append(other, l)
			continue
		}
		switch {
		case r.Type != "":
			platform = append(platform, r)
		case strings.HasPrefix(r.Message, "iamlocal: "):
			if r.Level != "WARN" { // the note of a runtime on another version
				t.Errorf("note %s", l)
			}
		default:
			app = append(app, r)
		}
	}
	return app, platform, other
}

// LoggingConfig: JSON records of python's logging and node's console in AWS's shapes, filtered
// at the application log level (a print is INFO), platform.start and platform.report unless
// the system log level is WARN, all in the custom log group, read back with FilterLogEvents.
func TestLambdaLoggingConfigJSON(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	f := newRuntimeFixture(t)
	f.create(t, &lambda.CreateFunctionInput{FunctionName: aws.String("py-json"), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": `
import logging
log = logging.getLogger()
def handler(event, context):
    print("a print, INFO for the filter")
    log.info("an info")
    log.warning("a warning")
    log.error("an error")
    return "ok"
`})}, LoggingConfig: &lambdatypes.LoggingConfig{LogFormat: lambdatypes.LogFormatJson, ApplicationLogLevel: lambdatypes.ApplicationLogLevelWarn,
			SystemLogLevel: lambdatypes.SystemLogLevelInfo, LogGroup: aws.String("/custom/py-json")}})
	out := f.invoke(t, "py-json", `{}`)
	app, platform, other := records(t, f.events(t, "/custom/py-json"))
	if len(other) > 0 || len(app) != 2 || app[0].Level != "WARNING" || app[0].Message != "a warning" || app[1].Level != "ERROR" {
		t.Errorf("application records %+v, other lines %q", app, other)
	}
	if len(platform) != 2 || platform[0].Type != "platform.start" || platform[1].Type != "platform.report" ||
		platform[1].Record["status"] != "success" || platform[1].Record["metrics"] == nil || platform[0].Record["requestId"] != platform[1].Record["requestId"] {
		t.Errorf("platform records %+v", platform)
	}
	if !strings.Contains(tail(t, out), `"type":"platform.report"`) {
		t.Errorf("tail:\n%s", tail(t, out))
	}
	if _, err := f.logs.FilterLogEvents(context.Background(), &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/py-json")}); err == nil {
		t.Error("/aws/lambda/py-json exists: the function logs to its custom group only")
	}

	got := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3, io, zipfile
b = io.BytesIO()
with zipfile.ZipFile(b, "w") as z:
    z.writestr("index.js", """exports.handler = async () => {
  console.trace("a trace"); console.debug("a debug"); console.log("a log"); console.warn("a warn");
  return "ok"; };""")
c = boto3.client("lambda")
c.create_function(FunctionName="node-json", Runtime="nodejs20.x", Role="`+f.role+`", Handler="index.handler", Timeout=30,
                  Code={"ZipFile": b.getvalue()},
                  LoggingConfig={"LogFormat": "JSON", "ApplicationLogLevel": "DEBUG", "SystemLogLevel": "WARN", "LogGroup": "/custom/node-json"})
cfg = c.get_function_configuration(FunctionName="node-json")["LoggingConfig"]
r = c.invoke(FunctionName="node-json", Payload=b"{}")
print(cfg["LogFormat"], cfg["ApplicationLogLevel"], cfg["SystemLogLevel"], cfg["LogGroup"], r["StatusCode"])
`)
	if got != "JSON DEBUG WARN /custom/node-json 200" {
		t.Errorf("boto3: %s", got)
	}
	var nodeApp, nodePlatform []record
	deadline := time.Now().Add(5 * time.Second)
	for len(nodeApp) < 3 && time.Now().Before(deadline) {
		nodeApp, nodePlatform, other = records(t, f.events(t, "/custom/node-json"))
		time.Sleep(50 * time.Millisecond)
	}
	var levels []string
	for _, r := range nodeApp {
		levels = append(levels, r.Level)
		if r.RequestID == "" {
			t.Errorf("record without requestId: %+v", r)
		}
	}
	if strings.Join(levels, ",") != "DEBUG,INFO,WARN" || len(nodePlatform) != 0 || len(other) != 0 {
		t.Errorf("node records %v, platform %+v, other %q", levels, nodePlatform, other)
	}
}
