package executor

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// testBinary is this test binary, which `provided` bootstraps run as a fake
// runtime: isolated environments get it as a read-only path.
func testBinary(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	return self
}

// optOf is the emulated /opt as a function with task root task sees it: the
// real /opt in an environment of its own, else the sandbox's opt directory
// beside the task root.
func optOf(task string) string {
	if task == guestTaskRoot {
		return guestOptDir
	}
	return filepath.Join(filepath.Dir(task), "opt")
}

// sandboxByStream finds the live sandbox whose log stream is stream.
func sandboxByStream(t *testing.T, e *Executor, stream string) *sandbox {
	t.Helper()
	e.mu.Lock()
	defer e.mu.Unlock()
	for sb := range e.live {
		if sb.stream == stream {
			return sb
		}
	}
	t.Fatalf("no live sandbox has log stream %q", stream)
	return nil
}

// withHostPIDs replaces the pids a function reported (m[keys], as its PID
// namespace numbers them) by their numbers on the host, using the log
// stream it reported (m["stream"]) to find its sandbox.
func withHostPIDs(t *testing.T, e *Executor, m map[string]any, keys ...string) map[string]any {
	t.Helper()
	stream, _ := m["stream"].(string)
	sb := sandboxByStream(t, e, stream)
	if !e.isolation().namespaces {
		return m // the host's numbers already
	}
	for _, k := range keys {
		if n, ok := m[k].(float64); ok && n > 0 {
			m[k] = float64(hostPID(t, sb.pid, int(n)))
		}
	}
	return m
}

// hostPID is the host's number of the process numbered nsPID in the PID
// namespace of the process initPID (the same number outside a namespace).
func hostPID(t *testing.T, initPID, nsPID int) int {
	t.Helper()
	ns, err := os.Readlink("/proc/" + strconv.Itoa(initPID) + "/ns/pid")
	if err != nil {
		t.Fatal(err)
	}
	procs, _ := filepath.Glob("/proc/[0-9]*")
	for _, dir := range procs {
		if l, _ := os.Readlink(dir + "/ns/pid"); l != ns {
			continue
		}
		status, _ := os.ReadFile(dir + "/status")
		for _, line := range strings.Split(string(status), "\n") {
			if rest, ok := strings.CutPrefix(line, "NSpid:"); ok {
				f := strings.Fields(rest)
				if len(f) > 1 && f[len(f)-1] == strconv.Itoa(nsPID) {
					pid, _ := strconv.Atoi(f[0])
					return pid
				}
			}
		}
	}
	t.Fatalf("no process %d in the PID namespace of %d", nsPID, initPID)
	return 0
}

// hostPath is where a path a function reported (under its task root) is on
// the host.
func hostPath(t *testing.T, e *Executor, stream, p string) string {
	t.Helper()
	if rest, ok := strings.CutPrefix(p, guestTaskRoot); ok {
		return sandboxByStream(t, e, stream).taskRoot + rest
	}
	return p
}
