package executor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"
)

// toolchain finds the interpreters of the python, node and ruby runtimes:
// the one Options.Runtimes names for a runtime, else the first of the plan's
// candidates on the PATH that runs. It probes each executable once, which
// resolves the interpreter a shim (pyenv, nvm, asdf) would run, so that the
// shim's own variables never reach a function's environment.
type toolchain struct {
	path       string
	configured map[string]string // runtime identifier -> interpreter, as given
	nodeSDK    string            // Options.NodeSDKPath

	mu     sync.Mutex
	probed map[string]probeResult // by executable and whether it runs as given

	sdkOnce   sync.Once
	globalSDK string // npm's global node_modules when it holds @aws-sdk
}

type probeResult struct {
	it  interpreter
	err error
}

// interpreter is a resolved python, node or ruby: the executable, its
// version, and the host directories it runs from (its installation prefix,
// the directories of the libraries it maps), which a sandbox must show it.
type interpreter struct {
	path       string // what the runtime process runs
	name       string // the PATH entry or configured path it was found as
	version    string // "3.11.7", "v20.20.2", "3.1.2"
	configured bool   // named by Options.Runtimes
	roots      []string
	// sdk is, for python, the site directory the interpreter imports boto3
	// from ("" when it has none).
	sdk string
}

func newToolchain(path string, configured map[string]string, nodeSDK string) *toolchain {
	return &toolchain{path: path, configured: configured, nodeSDK: nodeSDK, probed: map[string]probeResult{}}
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

// The probes print the version, the real executable, python's boto3 site
// directory (an empty line for the others), then the installation prefixes
// and every file the interpreter has mapped (/proc/self/maps, on Linux): its
// shared libraries.
var interpreterProbes = map[string][]string{
	"python": {"-c", `import sys, os, importlib.util
print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable)
try:
    s = importlib.util.find_spec("boto3")
    print(os.path.dirname(os.path.dirname(s.origin)) if s and s.origin else "")
except Exception: print("")
print(sys.base_prefix); print(sys.prefix)
try:
    for line in open("/proc/self/maps"):
        f = line.split(None, 5)
        if len(f) == 6 and f[5].startswith("/"): print(f[5].strip())
except OSError: pass
`},
	"node": {"-e", `process.stdout.write(process.version + "\n" + process.execPath + "\n\n");
try { for (const l of require("fs").readFileSync("/proc/self/maps", "utf8").split("\n")) {
  const i = l.indexOf("/"); if (i >= 0) process.stdout.write(l.slice(i) + "\n"); } } catch (e) {}
`},
	"ruby": {"-e", `require "rbconfig"; puts RUBY_VERSION; puts RbConfig.ruby; puts ""
puts RbConfig::CONFIG["prefix"]; puts RbConfig::CONFIG["rubylibdir"]
begin; File.foreach("/proc/self/maps") { |l| f = l.split(" ", 6); puts f[5].strip if f.size == 6 && f[5].start_with?("/") }; rescue SystemCallError; end
`},
}

// interpreter returns the interpreter of runtime, or an *unavailable naming
// what is missing and the setting that supplies it.
func (tc *toolchain) interpreter(ctx context.Context, plan runtimePlan, runtime string) (interpreter, error) {
	if p, ok := tc.configured[runtime]; ok {
		it, err := tc.probe(ctx, plan.tool, p, true)
		if err != nil {
			return interpreter{}, &unavailable{fmt.Sprintf("%s names %s as the interpreter of %s, and it does not run: %v.", RuntimeSetting, p, runtime, err)}
		}
		return it, nil
	}
	var tried []string
	for _, name := range plan.candidates {
		p := lookPathIn(name, tc.path)
		if p == "" {
			continue
		}
		it, err := tc.probe(ctx, plan.tool, p, false)
		if err == nil {
			return it, nil
		}
		tried = append(tried, p)
	}
	msg := fmt.Sprintf("iamlocal runs %s functions on %s, and none was found on the PATH (%s)", runtime, strings.Join(plan.candidates, " or "), tc.path)
	if len(tried) > 0 {
		msg = fmt.Sprintf("iamlocal runs %s functions on %s, and none on the PATH runs (tried %s)", runtime, strings.Join(plan.candidates, " or "), strings.Join(tried, ", "))
	}
	return interpreter{}, &unavailable{fmt.Sprintf("%s; %s=%s=/path/to/%s supplies one.", msg, RuntimeSetting, runtime, plan.candidates[0])}
}

// probe runs tool's probe with p, once per executable. An interpreter found
// on the PATH runs as the real executable the probe reports (never a shim);
// a configured one runs as given (a wrapper stays a wrapper) and shows the
// sandbox its own directory too.
func (tc *toolchain) probe(ctx context.Context, tool, p string, asGiven bool) (interpreter, error) {
	key := fmt.Sprintf("%s\x00%t", p, asGiven)
	tc.mu.Lock()
	defer tc.mu.Unlock()
	if r, ok := tc.probed[key]; ok {
		return r.it, r.err
	}
	it, err := runProbe(ctx, tool, p, tc.path)
	if err == nil {
		it.name, it.configured = p, asGiven
		if asGiven {
			abs, aerr := filepath.Abs(p)
			if aerr != nil {
				err = aerr
			}
			it.path = abs
			it.roots = mergeRoots(append(it.roots, interpreterRoots([]string{abs})...))
		}
	}
	if !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
		tc.probed[key] = probeResult{it, err} // a cancelled probe says nothing of the interpreter
	}
	return it, err
}

func runProbe(ctx context.Context, tool, p, path string) (interpreter, error) {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, p, interpreterProbes[tool]...)
	cmd.Env = []string{"PATH=" + path}
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) && len(ee.Stderr) > 0 {
			err = fmt.Errorf("%w: %s", err, firstLine(string(ee.Stderr)))
		}
		return interpreter{}, err
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	if len(lines) < 3 || !filepath.IsAbs(strings.TrimSpace(lines[1])) {
		return interpreter{}, fmt.Errorf("%s did not answer as a %s interpreter", p, tool)
	}
	it := interpreter{version: strings.TrimSpace(lines[0]), path: strings.TrimSpace(lines[1]), sdk: strings.TrimSpace(lines[2])}
	it.roots = interpreterRoots(append(lines[1:2], lines[3:]...))
	return it, nil
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

// nodeSDKDir is the node_modules directory whose @aws-sdk packages nodejs18.x
// and later functions see, as Lambda's runtimes bundle the AWS SDK for
// JavaScript v3 ("Building Lambda functions with Node.js"): Options.NodeSDKPath,
// else npm's global root when it holds @aws-sdk, else "".
func (tc *toolchain) nodeSDKDir(ctx context.Context) string {
	if tc.nodeSDK != "" {
		return tc.nodeSDK
	}
	tc.sdkOnce.Do(func() {
		npm := lookPathIn("npm", tc.path)
		if npm == "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "root", "-g")
		cmd.Env = []string{"PATH=" + tc.path}
		out, err := cmd.Output()
		root := strings.TrimSpace(string(out))
		if err != nil || !filepath.IsAbs(root) {
			return
		}
		if fi, err := os.Stat(filepath.Join(root, "@aws-sdk")); err == nil && fi.IsDir() {
			tc.globalSDK = root
		}
	})
	return tc.globalSDK
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
	return mergeRoots(dirs)
}

// mergeRoots keeps, sorted, the directories of dirs no other one holds.
func mergeRoots(dirs []string) []string {
	dirs = append([]string(nil), dirs...)
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

// hostBoto3 is the site directory the PATH's python3 imports boto3 from: what
// a python function whose own interpreter has no boto3 imports it from, as
// Lambda's Python runtimes include the AWS SDK ("Building Lambda functions
// with Python"). "" when there is none.
func (tc *toolchain) hostBoto3(ctx context.Context) string {
	p := lookPathIn("python3", tc.path)
	if p == "" {
		return ""
	}
	it, err := tc.probe(ctx, "python", p, false)
	if err != nil {
		return ""
	}
	return it.sdk
}
