package executor

import (
	"context"
	_ "embed"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
)

//go:embed runtime/bootstrap.py
var pythonBootstrap []byte

//go:embed runtime/bootstrap.mjs
var nodeBootstrap []byte

type runtimeKind int

const (
	kindPython runtimeKind = iota + 1
	kindNode
	kindProvided
)

// runtimePlan is how a sandbox of one runtime is started.
type runtimePlan struct {
	kind         runtimeKind
	executionEnv string // AWS_EXECUTION_ENV, "" for provided runtimes
	tool         string // "python3" or "node"; "" for provided
}

var (
	pythonRuntime = regexp.MustCompile(`^python(3\.[0-9]+)$`)
	nodeRuntime   = regexp.MustCompile(`^nodejs([0-9]+)\.x$`)
)

// pythonLayerPaths are the layer directories the Python runtime puts on
// sys.path after the task root ("Layer paths for each Lambda runtime":
// python/lib/python3.N/site-packages, a site directory, then python), for
// the function's declared python3.N whatever the local interpreter is.
func pythonLayerPaths(optDir, runtime string) []string {
	var out []string
	if m := pythonRuntime.FindStringSubmatch(runtime); m != nil {
		out = append(out, filepath.Join(optDir, "python", "lib", "python"+m[1], "site-packages"))
	}
	return append(out, filepath.Join(optDir, "python"))
}

// planFor maps a Lambda runtime identifier to a local plan. python3.N maps
// to the python3 on the PATH and nodejsN.x to the node on the PATH, whatever
// N is.
func planFor(runtime string) (runtimePlan, error) {
	switch {
	case pythonRuntime.MatchString(runtime):
		return runtimePlan{kind: kindPython, executionEnv: "AWS_Lambda_" + runtime, tool: "python3"}, nil
	case nodeRuntime.MatchString(runtime):
		return runtimePlan{kind: kindNode, executionEnv: "AWS_Lambda_" + runtime, tool: "node"}, nil
	case runtime == "provided" || runtime == "provided.al2" || runtime == "provided.al2023":
		return runtimePlan{kind: kindProvided}, nil
	}
	return runtimePlan{}, &InvokeError{
		Code:    CodeInvalidRuntime,
		Status:  http.StatusBadGateway,
		Message: fmt.Sprintf("The runtime or runtime version specified is not supported. iamlocal runs python3.x, nodejsN.x and provided runtimes locally, not %q.", runtime),
	}
}

// toolchain finds python3 and node on a PATH and resolves, once each, the
// interpreter a shim (pyenv, nvm, asdf) would run, so that the shim's own
// variables never reach a function's environment.
type toolchain struct {
	path  string
	found map[string]string // tool -> path on PATH, "" if missing

	mu       sync.Mutex
	resolved map[string]interpreter
}

// interpreter is a resolved python3 or node: the executable, and the host
// directories it runs from (its installation prefix, the directories of the
// libraries it maps), which a sandbox must show it.
type interpreter struct {
	path  string
	roots []string
}

func newToolchain(path string) *toolchain {
	tc := &toolchain{path: path, found: map[string]string{}, resolved: map[string]interpreter{}}
	for _, tool := range []string{"python3", "node"} {
		tc.found[tool] = lookPathIn(tool, path)
	}
	return tc
}

func lookPathIn(tool, pathList string) string {
	for _, dir := range filepath.SplitList(pathList) {
		if dir == "" {
			continue
		}
		p := filepath.Join(dir, tool)
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	return ""
}

// The probes print the real executable first, then the installation
// prefixes and every file the interpreter has mapped (/proc/self/maps, on
// Linux): its shared libraries.
var interpreterProbes = map[string][]string{
	"python3": {"-c", `import sys
print(sys.executable); print(sys.base_prefix); print(sys.prefix)
try:
    for line in open("/proc/self/maps"):
        f = line.split(None, 5)
        if len(f) == 6 and f[5].startswith("/"): print(f[5].strip())
except OSError: pass
`},
	"node": {"-e", `process.stdout.write(process.execPath + "\n");
try { for (const l of require("fs").readFileSync("/proc/self/maps", "utf8").split("\n")) {
  const i = l.indexOf("/"); if (i >= 0) process.stdout.write(l.slice(i) + "\n"); } } catch (e) {}
`},
}

// interpreter returns the executable for tool or an InvokeError naming what
// is missing.
func (tc *toolchain) interpreter(ctx context.Context, tool, runtime string) (interpreter, error) {
	onPath := tc.found[tool]
	if onPath == "" {
		return interpreter{}, &InvokeError{
			Code:    CodeInvalidRuntime,
			Status:  http.StatusBadGateway,
			Message: fmt.Sprintf("The runtime or runtime version specified is not supported. iamlocal runs %s functions with %s, and no %s was found on the PATH (%s).", runtime, tool, tool, tc.path),
		}
	}
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if it, ok := tc.resolved[tool]; ok {
		return it, nil
	}
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, onPath, interpreterProbes[tool]...)
	cmd.Env = []string{"PATH=" + tc.path}
	out, err := cmd.Output()
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	real := strings.TrimSpace(lines[0])
	if err != nil || real == "" || !filepath.IsAbs(real) {
		return interpreter{}, &InvokeError{
			Code:    CodeInvalidRuntime,
			Status:  http.StatusBadGateway,
			Message: fmt.Sprintf("The runtime or runtime version specified is not supported. iamlocal could not run %s (%s) for %s.", tool, onPath, runtime),
			Err:     err,
		}
	}
	it := interpreter{path: real, roots: interpreterRoots(lines)}
	tc.resolved[tool] = it
	return it, nil
}

// systemRoots are what every sandbox sees anyway (or must never see from
// the host: /dev, /proc, /sys are its own).
var systemRoots = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/dev", "/proc", "/sys"}

// interpreterRoots turns a probe's lines (directories, and files whose
// directory counts) into the fewest directories that hold them, leaving out
// the system ones and never "/".
func interpreterRoots(lines []string) []string {
	var dirs []string
	for _, l := range lines {
		p := filepath.Clean(strings.TrimSuffix(strings.TrimSpace(l), " (deleted)"))
		if !filepath.IsAbs(p) {
			continue
		}
		if fi, err := os.Stat(p); err != nil {
			continue
		} else if !fi.IsDir() {
			p = filepath.Dir(p)
		}
		if p == "/" || under(p, systemRoots) {
			continue
		}
		dirs = append(dirs, p)
	}
	sort.Strings(dirs) // a parent sorts before its children
	var out []string
	for _, d := range dirs {
		if !under(d, out) {
			out = append(out, d)
		}
	}
	return out
}

// under reports whether p is one of dirs or inside one.
func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}
