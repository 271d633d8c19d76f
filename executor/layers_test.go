package executor

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Layers: each layer is extracted, in order, into the sandbox's emulated
// /opt, and the runtimes find it where Lambda's do ("Layer paths for each
// Lambda runtime" in "Packaging your layer content").

func layerOf(t *testing.T, arn string, pairs ...string) Layer {
	t.Helper()
	return Layer{ARN: arn, Code: codeOf(t, pairs...)}
}

const layerARN = "arn:aws:lambda:us-east-1:123456789012:layer:"

func TestLayersPythonImportsFromLayer(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	e := newTestExecutor(t, Options{})
	app := `
import os, sys
import greet                      # /opt/python
import sitepkg                    # /opt/python/lib/python3.12/site-packages
import pthmod                     # via a .pth file of that site directory

def handler(event, context):
    return {"greet": greet.hi(), "site": sitepkg.NAME, "pth": pthmod.NAME,
            "path": sys.path, "task": os.environ["LAMBDA_TASK_ROOT"],
            "PATH": os.environ["PATH"], "LD": os.environ["LD_LIBRARY_PATH"]}
`
	fn := testFunction("py-layer", "python3.12", "app.handler", codeOf(t, "app.py", app))
	fn.Layers = []Layer{layerOf(t, layerARN+"pylib:1",
		"python/greet.py", "def hi():\n    return 'hello from layer'\n",
		"python/lib/python3.12/site-packages/sitepkg/__init__.py", "NAME = 'site-packages'\n",
		"python/lib/python3.12/site-packages/extra.pth", "extra\n",
		"python/lib/python3.12/site-packages/extra/pthmod.py", "NAME = 'pth'\n",
	)}
	res := invoke(t, e, fn, `{}`)
	if res.FunctionError != "" {
		t.Fatalf("%s: %s\n%s", res.FunctionError, res.Payload, res.Log)
	}
	got := decode(t, res.Payload)
	for k, v := range map[string]string{"greet": "hello from layer", "site": "site-packages", "pth": "pth"} {
		if got[k] != v {
			t.Errorf("%s = %v, want %q", k, got[k], v)
		}
	}
	// sys.path: the task root, then site-packages, then python, as on Lambda.
	task := got["task"].(string)
	opt := optOf(task)
	var path []string
	for _, p := range got["path"].([]any) {
		path = append(path, p.(string))
	}
	want := []string{task, opt + "/python/lib/python3.12/site-packages", opt + "/python"}
	if len(path) < 3 || strings.Join(path[:3], ":") != strings.Join(want, ":") {
		t.Errorf("sys.path starts %v, want %v", path, want)
	}
	if p := got["PATH"].(string); !strings.HasSuffix(p, ":"+opt+"/bin") {
		t.Errorf("PATH %q does not end with the emulated /opt/bin", p)
	}
	if p := got["LD"].(string); !strings.HasSuffix(p, ":"+opt+"/lib") {
		t.Errorf("LD_LIBRARY_PATH %q does not end with the emulated /opt/lib", p)
	}
}

func TestLayersNodeRequiresFromLayer(t *testing.T) {
	t.Parallel()
	requireTool(t, "node")
	e := newTestExecutor(t, Options{})
	index := `
const pad = require('leftpad');
const only20 = require('only20');
exports.handler = async () => ({ padded: pad('7', 3), only20, nodePath: process.env.NODE_PATH });
`
	fn := testFunction("node-layer", "nodejs20.x", "index.handler", codeOf(t, "index.js", index))
	fn.Layers = []Layer{layerOf(t, layerARN+"nodelib:3",
		"nodejs/node_modules/leftpad/package.json", `{"name":"leftpad","main":"lib.js"}`,
		"nodejs/node_modules/leftpad/lib.js", "module.exports = (s, n) => s.padStart(n, '0');\n",
		"nodejs/node20/node_modules/only20/index.js", "module.exports = 'node20 dir';\n",
	)}
	res := invoke(t, e, fn, `{}`)
	if res.FunctionError != "" {
		t.Fatalf("%s: %s\n%s", res.FunctionError, res.Payload, res.Log)
	}
	got := decode(t, res.Payload)
	if got["padded"] != "007" || got["only20"] != "node20 dir" {
		t.Errorf("got %v", got)
	}
	np := strings.Split(got["nodePath"].(string), ":")
	if len(np) < 2 || !strings.HasSuffix(np[0], "/opt/nodejs/node20/node_modules") || !strings.HasSuffix(np[1], "/opt/nodejs/node_modules") {
		t.Errorf("NODE_PATH %v", np)
	}
}

// Later layers overwrite files of earlier ones; files only an earlier layer
// has stay. Reordering the layers is a new configuration: a new sandbox.
func TestLayersOrderAndOverwrite(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	e := newTestExecutor(t, Options{})
	app := `
import os, shared, onlyfirst
def handler(event, context):
    return {"shared": shared.WHO, "first": onlyfirst.OK, "pid": os.getpid(), "stream": context.log_stream_name}
`
	first := layerOf(t, layerARN+"one:1", "python/shared.py", "WHO = 'first'\n", "python/onlyfirst.py", "OK = True\n")
	second := layerOf(t, layerARN+"two:1", "python/shared.py", "WHO = 'second'\n")
	fn := testFunction("py-order", "python3.12", "app.handler", codeOf(t, "app.py", app))

	fn.Layers = []Layer{first, second}
	a := withHostPIDs(t, e, decode(t, invoke(t, e, fn, `{}`).Payload), "pid")
	if a["shared"] != "second" || a["first"] != true {
		t.Fatalf("first, second: %v", a)
	}
	fn.Layers = []Layer{second, first}
	b := withHostPIDs(t, e, decode(t, invoke(t, e, fn, `{}`).Payload), "pid")
	if b["shared"] != "first" || b["first"] != true {
		t.Fatalf("second, first: %v", b)
	}
	if a["pid"] == b["pid"] {
		t.Errorf("reordered layers reused the sandbox (pid %v)", a["pid"])
	}
	fn.Layers = []Layer{first, second}
	if c := withHostPIDs(t, e, decode(t, invoke(t, e, fn, `{}`).Payload), "pid"); c["shared"] != "second" || c["pid"] != a["pid"] {
		t.Errorf("same layers again: %v, want the warm sandbox %v", c, a["pid"])
	}
}

// A layer's file replaces an earlier layer's symbolic link rather than
// writing through it.
func TestLayersOverwriteReplacesLinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	one := buildZip(t, zipEntry{name: "data/real.txt", body: "real"}, zipEntry{name: "data/link.txt", body: "real.txt", mode: os.ModeSymlink | 0o777})
	two := codeOf(t, "data/link.txt", "replaced")
	for _, z := range [][]byte{one, two} {
		if _, err := extract(z, dir, extractLimits{maxBytes: 1 << 20, maxEntries: 10, overlay: true}); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "data/real.txt")); string(b) != "real" {
		t.Errorf("real.txt = %q: written through the link", b)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "data/link.txt")); string(b) != "replaced" {
		t.Errorf("link.txt = %q", b)
	}
}

// Links that stay inside when each layer is checked alone can lead out in
// combination: the sandbox refuses them.
func TestLayersLinksLeavingInCombination(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	e := newTestExecutor(t, Options{})
	link := func(name, target string) zipEntry {
		return zipEntry{name: name, body: target, mode: os.ModeSymlink | 0o777}
	}
	one := buildZip(t, zipEntry{name: "a/z/keep", body: "k"}, link("a/y", "z"), link("x", "a/y/.."))
	two := buildZip(t, link("a/y", ".."))
	fn := testFunction("py-links", "python3.12", "app.handler", codeOf(t, "app.py", "def handler(e, c):\n    return 1\n"))
	fn.Layers = []Layer{{ARN: layerARN + "one:1", Code: one}, {ARN: layerARN + "two:1", Code: two}}
	_, err := e.Invoke(context.Background(), fn, Invocation{})
	var ie *InvokeError
	if !errors.As(err, &ie) || ie.Code != CodeInvalidZipFile || !errors.Is(err, ErrInvalidZip) {
		t.Fatalf("err = %v, want InvalidZipFileException", err)
	}
	if !strings.Contains(err.Error(), `"x" leaves`) {
		t.Errorf("err = %v, want the combined link x refused", err)
	}
}

// A provided function without a bootstrap of its own runs a layer's
// /opt/bootstrap, which finds a layer's /opt/bin tool on its PATH.
func TestLayersProvidedBootstrapAndBin(t *testing.T) {
	t.Parallel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	e := newTestExecutor(t, Options{})
	fn := providedFunction(t, "provided-layer", "echo")
	fn.Code = codeOf(t, "README", "no bootstrap here")
	fn.Layers = []Layer{
		{ARN: layerARN + "tools:1", Code: buildZip(t, zipEntry{name: "bin/fake-runtime", mode: 0o755,
			body: "#!/bin/sh\nexec '" + strings.ReplaceAll(self, "'", `'\''`) + "'\n"})},
		{ARN: layerARN + "runtime:1", Code: buildZip(t, zipEntry{name: "bootstrap", mode: 0o755,
			body: "#!/bin/sh\nexec fake-runtime\n"})},
	}
	res := invoke(t, e, fn, `{"via":"layer"}`)
	if res.FunctionError != "" {
		t.Fatalf("%s: %s\n%s", res.FunctionError, res.Payload, res.Log)
	}
	if !strings.Contains(string(res.Payload), `"via":"layer"`) {
		t.Errorf("payload %s", res.Payload)
	}

	// Without the layer: Runtime.InvalidEntrypoint naming both places.
	fn.Layers = nil
	res = invoke(t, e, fn, `{}`)
	if res.FunctionError == "" || !strings.Contains(string(res.Payload), "/opt/bootstrap]") {
		t.Errorf("without a bootstrap: %s %s", res.FunctionError, res.Payload)
	}
}

// The function and its layers share the 250 MB unzipped quota.
func TestLayersShareTheUnzippedQuota(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	zeros := func(name string, n int) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		w, err := zw.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		chunk := make([]byte, 1<<20)
		for i := 0; i < n>>20; i++ {
			if _, err := w.Write(chunk); err != nil {
				t.Fatal(err)
			}
		}
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		return buf.Bytes()
	}
	e := newTestExecutor(t, Options{})
	fn := testFunction("py-big", "python3.12", "app.handler", codeOf(t, "app.py", "def handler(e, c):\n    return 1\n"))
	fn.Layers = []Layer{{ARN: layerARN + "big1:1", Code: zeros("python/a.bin", 130<<20)}, {ARN: layerARN + "big2:1", Code: zeros("python/b.bin", 130<<20)}}
	_, err := e.Invoke(context.Background(), fn, Invocation{})
	var ie *InvokeError
	if !errors.As(err, &ie) || ie.Code != CodeInvalidZipFile || !strings.Contains(ie.Message, layerARN+"big2:1") {
		t.Fatalf("err = %v, want InvalidZipFileException for the second layer", err)
	}
	fn.Layers = fn.Layers[:1]
	if res := invoke(t, e, fn, `{}`); string(res.Payload) != "1" {
		t.Errorf("one big layer: %s %s", res.FunctionError, res.Payload)
	}
}

func TestConfigKeyIncludesLayers(t *testing.T) {
	t.Parallel()
	fn := Function{Name: "f", Code: []byte("code")}
	base := configKey(fn)
	fn.Layers = []Layer{{ARN: "a", Code: []byte("one")}}
	withOne := configKey(fn)
	fn.Layers[0].Code = []byte("two")
	withTwo := configKey(fn)
	fn.Layers[0] = Layer{ARN: "a", CodeSHA: "sha-x"}
	withSHA := configKey(fn)
	if base == withOne || withOne == withTwo || withTwo == withSHA || base == withSHA {
		t.Errorf("keys not distinct: %s %s %s %s", base, withOne, withTwo, withSHA)
	}
}
