package executor

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// group returns the lines written to one log group.
func (s *memSink) group(name string) []string {
	var out []string
	for _, l := range s.all() {
		if g, rest, ok := strings.Cut(l, "|"); ok && g == name {
			_, line, _ := strings.Cut(rest, "|")
			out = append(out, line)
		}
	}
	return out
}

func TestVersionMatches(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		runtime, version string
		want             bool
	}{
		{"python3.11", "3.11.7", true},
		{"python3.13", "3.11.7", false},
		{"python3.1", "3.11.7", false}, // 3.1 is not 3.11
		{"nodejs20.x", "v20.20.2", true},
		{"nodejs22.x", "v20.20.2", false},
		{"nodejs2.x", "v20.20.2", false},
		{"ruby3.1", "3.1.2", true},
		{"ruby3.3", "3.1.2", false},
	} {
		plan, err := planFor(tc.runtime)
		if err != nil {
			t.Fatal(err)
		}
		if got := versionMatches(plan, tc.version); got != tc.want {
			t.Errorf("%s on %s: %v", tc.runtime, tc.version, got)
		}
	}
}

// realPython is the executable the PATH's python3 runs (a pyenv shim
// resolved), for fake PATHs and wrappers.
func realPython(t *testing.T) string {
	t.Helper()
	requireTool(t, "python3")
	out, err := exec.Command("python3", "-c", "import sys; print(sys.executable)").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// writeScript writes an executable shell script.
func writeScript(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("#!/bin/sh\n"+body+"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// A runtime's interpreter is the first candidate on the PATH that runs (a
// python3.13 that fails, as a pyenv shim of an uninstalled version does, is
// passed over for python3), or the one Options.Runtimes names, run as given.
// An environment on another version than its runtime declares says so once,
// in its log stream and not in any invocation's log.
func TestInterpreterChoiceAndVersionNote(t *testing.T) {
	t.Parallel()
	py := realPython(t)
	bin := t.TempDir()
	writeScript(t, filepath.Join(bin, "python3.13"), `echo "pyenv: python3.13: command not found" >&2; exit 127`)
	if err := os.Symlink(py, filepath.Join(bin, "python3")); err != nil {
		t.Fatal(err)
	}
	wrapper := filepath.Join(t.TempDir(), "python-wrapper")
	writeScript(t, wrapper, `echo "wrapper ran" >&2; exec `+py+` "$@"`)
	code := codeOf(t, "app.py", "import sys\ndef handler(event, context):\n    return sys.version.split()[0]\n")
	for _, tc := range []struct {
		name     string
		runtimes map[string]string
		note     string // in the log stream, "" for none
		wrapped  bool
	}{
		{"found on the PATH", nil, "iamlocal: this python3.13 function runs on Python 3.", false},
		{"configured", map[string]string{"python3.13": wrapper}, "set by IAMLOCAL_RUNTIMES; IAMLOCAL_RUNTIMES=python3.13=<interpreter> chooses another.", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := &memSink{}
			e := newTestExecutor(t, Options{SearchPath: bin + ":/usr/bin:/bin", Runtimes: tc.runtimes, Logs: sink})
			fn := testFunction("py313", "python3.13", "app.handler", code)
			first, second := invoke(t, e, fn, `{}`), invoke(t, e, fn, `{}`)
			if first.FunctionError != "" || !strings.HasPrefix(string(first.Payload), `"3.`) || second.InitDuration != 0 {
				t.Fatalf("payload %s, error %q, warm init %v", first.Payload, first.FunctionError, second.InitDuration)
			}
			var notes []string
			for _, l := range sink.group("/aws/lambda/py313") {
				if strings.HasPrefix(l, "iamlocal: ") {
					notes = append(notes, l)
				}
			}
			if len(notes) != 1 || !strings.Contains(notes[0], tc.note) {
				t.Errorf("notes %q", notes)
			}
			if strings.Contains(string(first.Log), "iamlocal: ") {
				t.Errorf("the note is in the invocation's log:\n%s", first.Log)
			}
			if got := strings.Contains(string(first.Log), "wrapper ran"); got != tc.wrapped {
				t.Errorf("wrapper ran: %v, log:\n%s", got, first.Log)
			}
		})
	}
}

// A configured interpreter that does not run is a function error naming it
// and the setting.
func TestConfiguredInterpreterThatFails(t *testing.T) {
	t.Parallel()
	bad := filepath.Join(t.TempDir(), "python-broken")
	writeScript(t, bad, "exit 3")
	e := newTestExecutor(t, Options{Runtimes: map[string]string{"python3.12": bad}})
	res := invoke(t, e, testFunction("broken", "python3.12", "app.handler", codeOf(t, "app.py", "")), `{}`)
	msg, _ := decode(t, res.Payload)["errorMessage"].(string)
	if res.FunctionError != FunctionErrorUnhandled || !strings.Contains(msg, "IAMLOCAL_RUNTIMES names "+bad+" as the interpreter of python3.12") {
		t.Errorf("payload %s", res.Payload)
	}
}

// The application log filter of a JSON function: a record's "level" (any
// case, Python's names too), INFO for anything else.
func TestAppLogFilter(t *testing.T) {
	t.Parallel()
	keep := appLogFilter(Function{LogFormat: "JSON", AppLogLevel: "WARN"})
	for line, want := range map[string]bool{
		`{"level":"WARN","message":"x"}`:     true,
		`{"level":"warning","message":"x"}`:  true,
		`{"level":"CRITICAL","message":"x"}`: true,
		`{"level":"ERROR"}`:                  true,
		`{"level":"INFO","message":"x"}`:     false,
		`{"level":"debug"}`:                  false,
		`{"level":"NOISE"}`:                  false, // invalid: INFO
		`{"msg":"no level"}`:                 false,
		`printed text`:                       false,
		`{not json`:                          false,
	} {
		if got := keep(line); got != want {
			t.Errorf("%s: %v", line, got)
		}
	}
	if appLogFilter(Function{LogFormat: "Text", AppLogLevel: "ERROR"}) != nil {
		t.Error("a Text function's logs are filtered")
	}
	if keep := appLogFilter(Function{LogFormat: "JSON"}); keep(`{"level":"DEBUG"}`) || !keep("text") {
		t.Error("the default application level is not INFO")
	}
}

// The JSON system records have the Telemetry API shape: time, type, record.
func TestPlatformRecords(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 1, 23, 12, 51, 1, 538_000_000, time.UTC)
	if got, want := platformStart(at, "req-1", "$LATEST"),
		`{"time":"2024-01-23T12:51:01.538Z","type":"platform.start","record":{"requestId":"req-1","version":"$LATEST"}}`; got != want {
		t.Errorf("start\n got %s\nwant %s", got, want)
	}
	cold := report{requestID: "req-1", duration: 4346 * time.Microsecond, billed: 5 * time.Millisecond, memoryMB: 128,
		maxMemoryMB: 42, initDuration: 247031 * time.Microsecond}
	if got, want := cold.record(at), `{"time":"2024-01-23T12:51:01.538Z","type":"platform.report","record":{"requestId":"req-1",`+
		`"metrics":{"durationMs":4.35,"billedDurationMs":5,"memorySizeMB":128,"maxMemoryUsedMB":42,"initDurationMs":247.03},"status":"success"}}`; got != want {
		t.Errorf("report\n got %s\nwant %s", got, want)
	}
	timeout := report{requestID: "req-2", duration: time.Second, billed: time.Second, memoryMB: 128, maxMemoryMB: 40, status: "timeout"}
	if got := timeout.record(at); !strings.Contains(got, `"status":"timeout"`) || strings.Contains(got, "initDurationMs") {
		t.Errorf("timeout %s", got)
	}
	if got, want := noteLine(Function{LogFormat: "JSON"}, at, "iamlocal: a note"),
		`{"timestamp":"2024-01-23T12:51:01.538Z","level":"WARN","message":"iamlocal: a note"}`; got != want {
		t.Errorf("note\n got %s\nwant %s", got, want)
	}
	if got := noteLine(Function{LogFormat: "Text"}, at, "iamlocal: a note"); got != "iamlocal: a note" {
		t.Errorf("text note %s", got)
	}
	oom := report{requestID: "req-3", status: "error", errorType: errTypeOutOfMemory}
	if got := oom.record(at); !strings.Contains(got, `"status":"error","errorType":"Runtime.OutOfMemory"`) {
		t.Errorf("oom %s", got)
	}
}

const pyJSONLogs = `
import logging
logger = logging.getLogger("app")

def handler(event, context):
    print("a print")
    logger.debug("debug %d", 1)
    logger.info("info")
    logger.warning("warned", extra={"orderId": "o-1"})
    try:
        raise ValueError("bad")
    except ValueError:
        logger.exception("failed")
    return "ok"
`

const nodeJSONLogs = `
exports.handler = async () => {
  console.trace("trace");
  console.debug("debug");
  console.log("log");
  console.info({ shape: "object" });
  console.warn("warned %s", "here");
  console.error(new TypeError("bad"));
  console.error("failed:", new RangeError("worse"));
  return "ok";
};
`

// LoggingConfig JSON: the runtimes write their native loggers' records in
// AWS's shapes, the executor drops the application levels below the
// configured one (a print is INFO) and writes the platform records unless
// the system level is WARN.
func TestJSONLogs(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, runtime, file, code string
		app, system               string
		levels                    []string // of the application records, in order
		platform                  bool
	}{
		{"python WARN", "python3.12", "app.py", pyJSONLogs, "WARN", "INFO", []string{"WARNING", "ERROR"}, true},
		{"python DEBUG", "python3.12", "app.py", pyJSONLogs, "DEBUG", "WARN", []string{"INFO", "DEBUG", "INFO", "WARNING", "ERROR"}, false},
		{"node INFO", "nodejs20.x", "app.js", nodeJSONLogs, "", "", []string{"INFO", "INFO", "WARN", "ERROR", "ERROR"}, true},
		{"node TRACE", "nodejs20.x", "app.js", nodeJSONLogs, "TRACE", "DEBUG", []string{"TRACE", "DEBUG", "INFO", "INFO", "WARN", "ERROR", "ERROR"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newTestExecutor(t, Options{})
			fn := testFunction("jsonlogs", tc.runtime, "app.handler", codeOf(t, tc.file, tc.code))
			fn.LogFormat, fn.AppLogLevel, fn.SystemLogLevel = "JSON", tc.app, tc.system
			res := invoke(t, e, fn, `{}`)
			var levels, platform []string
			for _, l := range logLines(res) {
				var rec map[string]any
				if err := json.Unmarshal([]byte(l), &rec); err != nil {
					levels = append(levels, "INFO") // a print, kept as INFO
					if l != "a print" {
						t.Errorf("not a record: %q", l)
					}
					continue
				}
				if typ, ok := rec["type"].(string); ok {
					platform = append(platform, typ)
					continue
				}
				levels = append(levels, rec["level"].(string))
				if rec["requestId"] != res.ExecutedVersion && rec["requestId"] == nil {
					t.Errorf("no requestId: %s", l)
				}
				if _, ok := rec["timestamp"].(string); !ok || rec["message"] == nil {
					t.Errorf("record %s", l)
				}
			}
			if strings.Join(levels, ",") != strings.Join(tc.levels, ",") {
				t.Errorf("levels %v, want %v; log:\n%s", levels, tc.levels, res.Log)
			}
			want := []string{"platform.start", "platform.report"}
			if !tc.platform {
				want = nil
			}
			if strings.Join(platform, ",") != strings.Join(want, ",") {
				t.Errorf("platform records %v; log:\n%s", platform, res.Log)
			}
		})
	}
}

// The fields of the Python and Node.js records: an exception's errorType,
// errorMessage and stackTrace (Node.js: in the message when the Error is
// console's only argument, beside it otherwise), Python's logger and extra
// keys.
func TestJSONLogRecordFields(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{})
	for _, tc := range []struct {
		runtime, file, code string
		want                map[string]string // key -> value in the ERROR record
	}{
		{"python3.12", "app.py", pyJSONLogs, map[string]string{"message": "failed", "errorType": "ValueError", "errorMessage": "bad", "logger": "app"}},
		{"nodejs20.x", "app.js", nodeJSONLogs, map[string]string{"errorType": "RangeError", "errorMessage": "worse"}},
	} {
		fn := testFunction("fields-"+tc.file, tc.runtime, "app.handler", codeOf(t, tc.file, tc.code))
		fn.LogFormat = "JSON"
		res := invoke(t, e, fn, `{}`)
		for _, l := range logLines(res) {
			var rec map[string]any
			if json.Unmarshal([]byte(l), &rec) != nil || rec["level"] != "ERROR" {
				continue
			}
			if m, ok := rec["message"].(map[string]any); ok { // Node.js, console.error(err)
				if m["errorType"] != "TypeError" || m["errorMessage"] != "bad" {
					t.Errorf("error message %s", l)
				}
				continue
			}
			for k, v := range tc.want {
				if rec[k] != v {
					t.Errorf("%s: %s = %v in %s", tc.runtime, k, rec[k], l)
				}
			}
			if st, ok := rec["stackTrace"].([]any); !ok || len(st) == 0 {
				t.Errorf("%s: no stackTrace in %s", tc.runtime, l)
			}
		}
		if tc.file == "app.py" && !strings.Contains(string(res.Log), `"orderId": "o-1"`) {
			t.Errorf("python extra keys missing:\n%s", res.Log)
		}
	}
}

// The bundled SDKs: a python interpreter without boto3 imports the PATH
// python3's, appended to sys.path and shown inside the environment;
// nodejs18.x and later see Options.NodeSDKPath's packages through NODE_PATH
// (at /var/runtime/node_modules in an environment), nodejs16.x does not.
func TestBundledSDKs(t *testing.T) {
	t.Parallel()
	py := realPython(t)
	requireTool(t, "node")
	site := t.TempDir()
	for name, body := range map[string]string{
		"boto3/__init__.py":                     "WHERE = 'host site'\n",
		"@aws-sdk/client-fake/package.json":     `{"name":"@aws-sdk/client-fake","main":"index.js"}`,
		"@aws-sdk/client-fake/index.js":         "exports.where = 'sdk dir';\n",
		"@aws-sdk/client-fake/lib/unused.d.txt": "",
	} {
		p := filepath.Join(site, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := t.TempDir()
	writeScript(t, filepath.Join(bin, "python3"), "PYTHONPATH="+site+" exec "+py+` "$@"`)
	bare := filepath.Join(t.TempDir(), "python-without-site")
	writeScript(t, bare, "exec "+py+` -S "$@"`)
	e := newTestExecutor(t, Options{SearchPath: bin + ":" + os.Getenv("PATH"), Runtimes: map[string]string{"python3.12": bare}, NodeSDKPath: site})

	res := invoke(t, e, testFunction("pysdk", "python3.12", "app.handler",
		codeOf(t, "app.py", "import boto3\ndef handler(event, context):\n    return boto3.WHERE\n")), `{}`)
	if string(res.Payload) != `"host site"` {
		t.Errorf("python: %s\n%s", res.Payload, res.Log)
	}
	node := codeOf(t, "app.js", "exports.handler = async () => { try { return require('@aws-sdk/client-fake').where; } catch (e) { return e.code; } };")
	for runtime, want := range map[string]string{"nodejs20.x": `"sdk dir"`, "nodejs18.x": `"sdk dir"`, "nodejs16.x": `"MODULE_NOT_FOUND"`} {
		if res := invoke(t, e, testFunction("nodesdk", runtime, "app.handler", node), `{}`); string(res.Payload) != want {
			t.Errorf("%s: %s\n%s", runtime, res.Payload, res.Log)
		}
	}
}

// The variables of the new settings: LoggingConfig JSON's format and level
// for the runtime clients, Ruby's load and gem paths, the bundled Node.js
// SDK on NODE_PATH after the runtime directory's node_modules.
func TestEnvForLoggingRubyAndSDK(t *testing.T) {
	t.Parallel()
	ruby, _ := planFor("ruby3.3")
	node, _ := planFor("nodejs22.x")
	for _, tc := range []struct {
		name string
		p    envParams
		want map[string]string
	}{
		{"json logs", envParams{fn: Function{LogFormat: "JSON", AppLogLevel: "warn"}, rt: node},
			map[string]string{"AWS_LAMBDA_LOG_FORMAT": "JSON", "AWS_LAMBDA_LOG_LEVEL": "WARN"}},
		{"json default level", envParams{fn: Function{LogFormat: "JSON", Env: map[string]string{"AWS_LAMBDA_LOG_LEVEL": "TRACE"}}, rt: node},
			map[string]string{"AWS_LAMBDA_LOG_LEVEL": "INFO"}},
		{"text logs", envParams{fn: Function{LogFormat: "Text"}, rt: node}, map[string]string{"AWS_LAMBDA_LOG_FORMAT": ""}},
		{"ruby", envParams{rt: ruby, taskRoot: "/var/task", runtimeDir: "/var/runtime", optDir: "/opt"},
			map[string]string{"RUBYLIB": "/var/task:/var/runtime/lib:/opt/ruby/lib", "GEM_PATH": "/var/task/vendor/bundle/ruby/3.3.0:/opt/ruby/gems/3.3.0"}},
		{"node sdk", envParams{rt: node, taskRoot: "/t", runtimeDir: "/r", nodeSDK: "/usr/lib/node_modules"},
			map[string]string{"NODE_PATH": "/r/node_modules:/usr/lib/node_modules:/r:/t"}},
	} {
		env := map[string]string{}
		for _, kv := range buildEnv(tc.p) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
		for k, v := range tc.want {
			if env[k] != v {
				t.Errorf("%s: %s=%q, want %q", tc.name, k, env[k], v)
			}
		}
	}
}
