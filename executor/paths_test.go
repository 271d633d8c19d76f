package executor

import (
	"fmt"
	"strings"
	"testing"
)

// Lambda's paths in what a failing handler reports, with an execution environment and
// without one (a launcher that runs plain processes): Python tracebacks name
// "/var/task/<file>" (recorded against AWS by LocalStack,
// TestLambdaErrors::test_lambda_handler_error: `File "/var/task/lambda_handler_error.py",
// line 2, in handler`), Node.js stack frames /var/task/<file> ("Lambda function errors in
// Node.js"), and layer code /opt/..., while a file beside the handler is still found
// through __file__ and __dirname.
const pathsPy = `import os
import shared

def fail(event, context):
    raise ValueError("boom")

def deep(event, context):
    shared.explode()

def beside(event, context):
    return open(os.path.join(os.path.dirname(__file__), "data.txt")).read()
`

const pathsNode = `const fs = require('fs');
const path = require('path');
exports.fail = async () => {
  throw new Error('node boom');
};
exports.deep = async () => require('shared').explode();
exports.beside = async () => fs.readFileSync(path.join(__dirname, 'data.txt'), 'utf8');
`

func TestHandlersSeeLambdasPaths(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	requireTool(t, "node")
	py := codeOf(t, "app.py", pathsPy, "data.txt", "beside")
	node := codeOf(t, "index.js", pathsNode, "data.txt", "beside")
	layer := Layer{ARN: layerARN + "shared:1", Code: codeOf(t,
		"python/shared.py", "def explode():\n    raise KeyError('deep')\n",
		"nodejs/node_modules/shared/index.js", "exports.explode = () => {\n  throw new RangeError('deep');\n};\n")}
	launchers := []struct {
		name      string
		launcher  func() Launcher
		isolation string
	}{
		{"execution environment", SandboxLauncher, "namespaces+cgroup"},
		{"plain process", LocalLauncher, "none: the launcher runs plain processes"},
	}
	functions := []struct {
		name, runtime, handler string
		code                   []byte
		traceKey, wantFrame    string
	}{
		{"python", "python3.12", "app.fail", py, "stackTrace", "  File \"/var/task/app.py\", line 5, in fail\n    raise ValueError(\"boom\")\n"},
		{"python layer", "python3.12", "app.deep", py, "stackTrace", "  File \"/opt/python/shared.py\", line 2, in explode\n    raise KeyError('deep')\n"},
		{"node", "nodejs20.x", "index.fail", node, "trace", "    at exports.fail (/var/task/index.js:4:9)"},
		{"node layer", "nodejs20.x", "index.deep", node, "trace", "    at exports.explode (/opt/nodejs/node_modules/shared/index.js:2:9)"},
	}
	for _, l := range launchers {
		t.Run(l.name, func(t *testing.T) {
			t.Parallel()
			e := newTestExecutor(t, Options{Launcher: l.launcher()})
			if got := e.Isolation(); got != l.isolation {
				t.Fatalf("Isolation() = %q, want %q", got, l.isolation)
			}
			for _, f := range functions {
				fn := testFunction("paths-"+f.runtime, f.runtime, f.handler, f.code)
				fn.Layers = []Layer{layer}
				res := invoke(t, e, fn, `{}`)
				doc := decode(t, res.Payload)
				frames := fmt.Sprint(doc[f.traceKey])
				if res.FunctionError != "Unhandled" || !strings.Contains(frames, f.wantFrame) {
					t.Errorf("%s: %s %s = %q, want a frame %q", f.name, res.FunctionError, f.traceKey, frames, f.wantFrame)
				}
				if !strings.Contains(string(res.Log), "/var/task/") {
					t.Errorf("%s: the log names no /var/task path:\n%s", f.name, res.Log)
				}
				fn.Handler = strings.Split(f.handler, ".")[0] + ".beside"
				if res := invoke(t, e, fn, `{}`); string(res.Payload) != `"beside"` {
					t.Errorf("%s: the file beside the handler reads %s (%s)", f.name, res.Payload, res.FunctionError)
				}
			}
		})
	}
}
