package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// The launchers the hostile tests run under: control groups (this machine
// has cgroup v1 memory and pids), and a user namespace with the sampled
// resident set instead, as a server that is not root gets it.
func isolatingLaunchers() []struct {
	name     string
	launcher func() Launcher
	want     string
} {
	return []struct {
		name     string
		launcher func() Launcher
		want     string
	}{
		{"cgroup", SandboxLauncher, "namespaces+cgroup"},
		{"userns-sampled", func() Launcher { return &sandboxLauncher{forceUserNS: true, noCgroup: true} }, "namespaces"},
	}
}

// isolatedExecutor fails (never skips) when the host refuses the isolation
// the test is about.
func isolatedExecutor(t *testing.T, l Launcher, want string, opts Options) *Executor {
	t.Helper()
	opts.Launcher = l
	e := newTestExecutor(t, opts)
	if got := e.Isolation(); got != want {
		t.Fatalf("Isolation() = %q, want %q: this test needs Linux namespaces (and control groups where asked)", got, want)
	}
	return e
}

const hostileApp = `
import ctypes, os

def attempt(fn):
    try:
        return "ok: %r" % (fn(),)
    except Exception as e:
        return "refused: " + type(e).__name__

def spy(event, context):
    libc = ctypes.CDLL(None, use_errno=True)
    return {
        "server_environ": attempt(lambda: open("/proc/%d/environ" % event["server_pid"], "rb").read()),
        "init_environ": attempt(lambda: open("/proc/1/environ", "rb").read()),
        "data_dir": attempt(lambda: os.listdir(event["data_dir"])),
        "other_code": attempt(lambda: os.listdir(event["other_code"])),
        "pids": sorted(p for p in os.listdir("/proc") if p.isdigit()),
        "self": str(os.getpid()),
        "write_task": attempt(lambda: open("/var/task/planted", "w").write("x")),
        "write_etc": attempt(lambda: open("/etc/hosts", "a").write("x")),
        "write_sysctl": attempt(lambda: os.close(os.open("/proc/sys/kernel/domainname", os.O_WRONLY))),
        "umount": libc.umount2(b"/var/task", 2),
        "mount": libc.mount(b"none", b"/var/task", b"tmpfs", 0, None),
        "uid": os.getuid(),
    }

def hello(event, context):
    return {"pid": os.getpid()}
`

// A hostile handler cannot read the server's environment (where the root
// secret is) or its data directory, cannot see another function's code or
// processes, and cannot write or remount what it was given read-only.
func TestSandboxHidesTheHostAndOtherFunctions(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	for _, tc := range isolatingLaunchers() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			data := t.TempDir()
			if err := os.WriteFile(filepath.Join(data, "iamlocal.db"), []byte("root secret"), 0o600); err != nil {
				t.Fatal(err)
			}
			work := filepath.Join(data, "sandboxes") // where the server puts them
			if err := os.Mkdir(work, 0o700); err != nil {
				t.Fatal(err)
			}
			e := isolatedExecutor(t, tc.launcher(), tc.want, Options{WorkDir: work})
			code := codeOf(t, "app.py", hostileApp, "secret.txt", "the victim's own")
			victim := testFunction("victim", "python3.12", "app.hello", code)
			invoke(t, e, victim, `{}`) // warm, idle, alive
			var victimTask string
			e.mu.Lock()
			for sb := range e.live {
				victimTask = sb.taskRoot
			}
			e.mu.Unlock()

			event := fmt.Sprintf(`{"server_pid":%d,"data_dir":%q,"other_code":%q}`, os.Getpid(), data, victimTask)
			res := invoke(t, e, testFunction("spy", "python3.12", "app.spy", code), event)
			if res.FunctionError != "" {
				t.Fatalf("%s: %s\n%s", res.FunctionError, res.Payload, res.Log)
			}
			got := decode(t, res.Payload)
			for _, k := range []string{"server_environ", "data_dir", "other_code", "write_task", "write_etc", "write_sysctl"} {
				if v, _ := got[k].(string); !strings.HasPrefix(v, "refused: ") {
					t.Errorf("%s: %q, want it refused", k, v)
				}
			}
			if v, _ := got["init_environ"].(string); v != "ok: b''" && !strings.HasPrefix(v, "refused: ") {
				t.Errorf("the environment's init has an environment: %q", v)
			}
			if fmt.Sprint(got["pids"]) != fmt.Sprintf("[1 %s]", got["self"]) {
				t.Errorf("/proc shows %v, want only the init and the runtime (%v)", got["pids"], got["self"])
			}
			if got["umount"] != -1.0 || got["mount"] != -1.0 {
				t.Errorf("umount2 = %v, mount = %v: the runtime may change its mounts", got["umount"], got["mount"])
			}
			if tc.name == "cgroup" && os.Geteuid() == 0 && got["uid"] != float64(lambdaUID) {
				t.Errorf("uid %v, want Lambda's %d", got["uid"], lambdaUID)
			}
			if _, err := os.Stat(filepath.Join(victimTask, "planted")); err == nil {
				t.Error("the handler planted a file in a task root")
			}
		})
	}
}

const tmpApp = `
import errno, os

def write(event, context):
    open("/tmp/" + event["name"], "w").write("private")
    written = 0
    try:
        with open("/tmp/fill", "wb") as f:
            while written < (64 << 20):
                f.write(b"x" * (1 << 20))
                f.flush()
                written += 1 << 20
    except OSError as e:
        return {"written": written, "error": errno.errorcode.get(e.errno, "")}
    return {"written": written, "error": ""}

def look(event, context):
    return {"tmp": sorted(os.listdir("/tmp"))}
`

// /tmp is the environment's own, of EphemeralStorageMB: another function
// and the host do not see it, and writing past its size fails with ENOSPC.
func TestSandboxTmpIsPrivateAndBounded(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	for _, tc := range isolatingLaunchers() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := isolatedExecutor(t, tc.launcher(), tc.want, Options{})
			name := fmt.Sprintf("iamlocal-private-%d-%s", os.Getpid(), tc.name)
			writer := testFunction("writer", "python3.12", "app.write", codeOf(t, "app.py", tmpApp))
			writer.EphemeralStorageMB = 8
			got := decode(t, invoke(t, e, writer, fmt.Sprintf(`{"name":%q}`, name)).Payload)
			if got["error"] != "ENOSPC" || got["written"].(float64) > 8<<20 {
				t.Errorf("filling an 8 MB /tmp: %v, want ENOSPC by 8 MB", got)
			}
			if _, err := os.Stat(filepath.Join(os.TempDir(), name)); err == nil {
				t.Errorf("the function's /tmp file is in the host's %s", os.TempDir())
			}
			looked := decode(t, invoke(t, e, testFunction("looker", "python3.12", "app.look", codeOf(t, "app.py", tmpApp)), `{}`).Payload)
			for _, f := range looked["tmp"].([]any) {
				if f == name || f == "fill" {
					t.Errorf("another function sees /tmp/%v", f)
				}
			}
		})
	}
}

const spawnApp = `
import subprocess, time

def spawn(event, context):
    subprocess.Popen(["sleep", event["marker"]], start_new_session=True)
    if event["hang"]:
        time.sleep(60)
    return {"spawned": True}
`

// A grandchild that called setsid leaves the runtime's process group, but
// not its PID namespace: it is gone once the invocation timed out, and once
// the executor closed.
func TestSandboxSetsidGrandchildDies(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	var serial atomic.Int64
	for _, tc := range []struct {
		name string
		hang bool // the handler outlives its timeout
	}{{"timeout", true}, {"close", false}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e, err := New(Options{WorkDir: t.TempDir(), StopTimeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer e.Close()
			if iso := e.Isolation(); !strings.HasPrefix(iso, "namespaces") {
				t.Fatalf("Isolation() = %q: this test needs Linux namespaces", iso)
			}
			marker := fmt.Sprintf("%d.%d", 7000+os.Getpid()%1000, serial.Add(1))
			fn := testFunction("spawner", "python3.12", "app.spawn", codeOf(t, "app.py", spawnApp))
			fn.Timeout = time.Second
			done := make(chan Result, 1)
			go func() {
				res, err := e.Invoke(context.Background(), fn, Invocation{Payload: []byte(fmt.Sprintf(`{"marker":%q,"hang":%v}`, marker, tc.hang))})
				if err != nil {
					res.Payload = []byte(err.Error())
				}
				done <- res
			}()
			pid := waitForCmdline(t, "sleep\x00"+marker+"\x00")
			res := <-done
			if tc.hang {
				if !strings.Contains(string(res.Payload), "Sandbox.Timedout") {
					t.Fatalf("payload %s, want a timeout", res.Payload)
				}
			} else {
				if !alive(pid) {
					t.Fatal("the grandchild is gone before Close")
				}
				if err := e.Close(); err != nil {
					t.Fatal(err)
				}
			}
			waitGone(t, pid)
		})
	}
}

// waitForCmdline finds, on the host, the process whose command line is
// cmdline (NUL-separated, as /proc has it).
func waitForCmdline(t *testing.T, cmdline string) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			if b, _ := os.ReadFile(d + "/cmdline"); string(b) == cmdline {
				pid, _ := strconv.Atoi(filepath.Base(d))
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no process runs %q", cmdline)
	return 0
}

const hogApp = `
def hog(event, context):
    chunks = []
    while True:
        chunks.append(b"x" * (8 << 20))
`

// A function that allocates far past its MemorySize is killed, and ends as
// Lambda ends it: Runtime.OutOfMemory with "signal: killed", and a REPORT
// line whose Max Memory Used is measured near the limit.
func TestSandboxOutOfMemory(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	for _, tc := range isolatingLaunchers() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := isolatedExecutor(t, tc.launcher(), tc.want, Options{})
			fn := testFunction("hog", "python3.12", "app.hog", codeOf(t, "app.py", hogApp))
			fn.MemoryMB, fn.Timeout = 128, 30*time.Second
			id := "oom-" + tc.name
			res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: id, Payload: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			msg := "RequestId: " + id + " Error: Runtime exited with error: signal: killed"
			if want := `{"errorMessage":"` + msg + `","errorType":"Runtime.OutOfMemory"}`; res.FunctionError != "Unhandled" || string(res.Payload) != want {
				t.Fatalf("FunctionError %q payload %s, want %s\n%s", res.FunctionError, res.Payload, want, res.Log)
			}
			if !strings.Contains(string(res.Log), msg+"\nRuntime.OutOfMemory\n") {
				t.Errorf("log lacks the error lines:\n%s", res.Log)
			}
			lines := logLines(res)
			rep := lines[len(lines)-1]
			if !strings.HasSuffix(rep, "\tStatus: error\tError Type: Runtime.OutOfMemory") || !strings.Contains(rep, "\tMemory Size: 128 MB\t") {
				t.Errorf("REPORT line %q", rep)
			}
			if res.MaxMemoryUsedMB < 100 || res.MaxMemoryUsedMB > 128 {
				t.Errorf("Max Memory Used %d MB, want near the 128 MB limit", res.MaxMemoryUsedMB)
			}
		})
	}
}

const bombApp = `
import os, time

def bomb(event, context):
    forked, error = 0, ""
    while forked < 2000:
        try:
            pid = os.fork()
        except OSError as e:
            error = type(e).__name__
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        forked += 1
    return {"forked": forked, "error": error}
`

// A fork bomb stops at MaxProcesses (the pids control group counts the
// environment's threads too): fork fails with EAGAIN, the handler returns.
func TestSandboxForkBombIsBounded(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	e := isolatedExecutor(t, SandboxLauncher(), "namespaces+cgroup", Options{MaxProcesses: 64})
	fn := testFunction("bomb", "python3.12", "app.bomb", codeOf(t, "app.py", bombApp))
	fn.MemoryMB, fn.Timeout = 1024, 30*time.Second
	res := invoke(t, e, fn, `{}`)
	if res.FunctionError != "" {
		t.Fatalf("%s: %s\n%s", res.FunctionError, res.Payload, res.Log)
	}
	got := decode(t, res.Payload)
	if got["error"] != "BlockingIOError" || got["forked"].(float64) >= 64 {
		t.Errorf("fork bomb: %v, want EAGAIN before 64 processes", got)
	}
}

// The server's own groups, from /proc/self/mountinfo and /proc/self/cgroup:
// cgroup v1 (this machine: memory and pids hierarchies), v2, a cgroup
// namespace whose mount root is a subtree, and none.
func TestCgroupCandidates(t *testing.T) {
	t.Parallel()
	const v1Mounts = "35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
		"39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n" +
		"41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	for _, tc := range []struct {
		name, mountinfo, cgroup string
		want                    cgroupRoots
	}{
		{"v1", v1Mounts, "8:pids:/\n4:memory:/process_api/c4c7\n0::/\n",
			cgroupRoots{memory: "/sys/fs/cgroup/memory/process_api/c4c7", pids: "/sys/fs/cgroup/pids"}},
		{"v2", "30 23 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", "0::/user.slice/app.scope\n",
			cgroupRoots{memory: "/sys/fs/cgroup/user.slice/app.scope", pids: "/sys/fs/cgroup/user.slice/app.scope", v2: true}},
		{"namespaced v1", "35 31 0:32 /docker/abc /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n", "4:memory:/docker/abc/job\n",
			cgroupRoots{memory: "/sys/fs/cgroup/memory/job"}},
		{"none", "22 27 0:21 / /proc rw,relatime - proc proc rw\n", "0::/\n", cgroupRoots{}},
	} {
		if got := cgroupCandidates(tc.mountinfo, tc.cgroup); got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
}

// The control groups of an executor that was killed go with its directory
// when the next executor of the WorkDir starts.
func TestNewRemovesAbandonedControlGroups(t *testing.T) {
	t.Parallel()
	l := &sandboxLauncher{}
	if !l.isolation().cgroup {
		t.Fatalf("Isolation %q: this test needs control groups", l.isolation())
	}
	work := t.TempDir()
	name := workDirPrefix + fmt.Sprintf("killed%d", os.Getpid())
	if err := os.MkdirAll(filepath.Join(work, name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(work, name, ownerFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var groups []string
	for _, root := range []string{l.cgroups.memory, l.cgroups.pids} {
		if root == "" {
			continue
		}
		dir := filepath.Join(root, name, "sb-1")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		groups = append(groups, filepath.Dir(dir))
	}
	newTestExecutor(t, Options{WorkDir: work, Launcher: l})
	for _, g := range groups {
		if _, err := os.Stat(g); !os.IsNotExist(err) {
			t.Errorf("control group %s: %v, want it removed", g, err)
			_ = os.Remove(filepath.Join(g, "sb-1"))
			_ = os.Remove(g)
		}
	}
}
