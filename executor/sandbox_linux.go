package executor

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// SandboxLauncher runs each runtime in an execution environment of its own
// when the Spec asks for one (Spec.Sandbox) and the host allows it: new
// mount, PID and IPC namespaces (and a user namespace when the server is
// not root), a root assembled from read-only binds, a private /tmp, memory
// and processes bounded by control groups where the host delegates them and
// otherwise by sampling the environment's resident set and RLIMIT_NPROC.
// Where namespaces are refused it runs plain processes, as LocalLauncher
// does, and the executor's Isolation says why.
//
// The environment shares the server's network namespace: its Runtime API
// stays at 127.0.0.1:port, and so does every other local port.
func SandboxLauncher() Launcher { return &sandboxLauncher{} }

type sandboxLauncher struct {
	// Test knobs: a user namespace even as root; no control groups.
	forceUserNS, noCgroup bool

	once    sync.Once
	iso     isolation
	cgroups cgroupRoots
}

var (
	_ Launcher          = (*sandboxLauncher)(nil)
	_ isolationReporter = (*sandboxLauncher)(nil)
	_ leftoverRemover   = (*sandboxLauncher)(nil)
	_ MemoryMeter       = (*sandboxProc)(nil)
	_ Proc              = (*sandboxProc)(nil)
	_ error             = (*runtimeExit)(nil)
)

// The user Lambda runs functions as: "uid=993(sbx_user1051) gid=990
// groups=990", as `id` prints it in a function (public captures of id run
// in Lambda functions). A server running as root starts runtimes as it.
const (
	lambdaUID = 993
	lambdaGID = 990
)

func (l *sandboxLauncher) isolation() isolation {
	l.once.Do(l.probe)
	return l.iso
}

// probe starts one environment that only assembles its root, and checks
// that control groups can be created: what works once works for every
// sandbox.
func (l *sandboxLauncher) probe() {
	dir, err := os.MkdirTemp("", "iamlocal-probe-")
	if err != nil {
		l.iso = isolation{reason: "no directory to probe namespaces in: " + err.Error()}
		return
	}
	defer os.RemoveAll(dir)
	root := filepath.Join(dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		l.iso = isolation{reason: err.Error()}
		return
	}
	p, err := l.startInit(context.Background(), initConfig{Probe: true, Root: root, TmpBytes: 1 << 20,
		Binds: systemBinds(), Links: systemLinks(), Devices: devices}, nil, nil, nil)
	if err != nil {
		l.iso = isolation{reason: "namespaces refused: " + err.Error()}
		return
	}
	if err := p.Wait(); err != nil {
		l.iso = isolation{reason: "namespaces refused: " + err.Error()}
		return
	}
	l.iso = isolation{namespaces: true, userNS: l.userNS()}
	if !l.noCgroup {
		l.cgroups = findCgroupRoots()
		l.iso.cgroup = l.cgroups.memory != ""
	}
}

func (l *sandboxLauncher) userNS() bool { return l.forceUserNS || os.Geteuid() != 0 }

func (l *sandboxLauncher) Start(ctx context.Context, spec Spec) (Proc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	iso := l.isolation()
	if spec.Sandbox == nil || !iso.namespaces {
		return localLauncher{}.Start(ctx, spec)
	}
	sb := spec.Sandbox
	root := filepath.Join(sb.Dir, "root")
	if err := os.Mkdir(root, 0o755); err != nil {
		return nil, err
	}
	cfg := initConfig{Root: root, Binds: systemBinds(), Links: systemLinks(), Files: identityFiles(),
		Devices: devices, TmpBytes: sb.TmpBytes,
		Run: initCommand{Path: spec.Path, Args: spec.Args, Dir: spec.Dir, Env: spec.Env, UID: -1, GID: -1}}
	for _, m := range sb.Mounts {
		cfg.Binds = append(cfg.Binds, initBind{Source: m.Source, Target: m.Target})
	}
	if !iso.userNS {
		cfg.Run.UID, cfg.Run.GID = lambdaUID, lambdaGID
	}
	var cg *sandboxCgroup
	if iso.cgroup {
		var err error
		if cg, err = l.cgroups.create(sb.Group, sb.MemoryBytes, sb.MaxProcesses); err != nil {
			os.Remove(root)
			return nil, fmt.Errorf("sandbox: control group: %w", err)
		}
	}
	if cg == nil || !cg.boundsProcesses() {
		cfg.Run.NProc = sb.MaxProcesses
	}
	p, err := l.startInit(ctx, cfg, spec.Stdout, spec.Stderr, cg)
	if err != nil {
		if cg != nil {
			cg.remove()
		}
		os.Remove(root)
		return nil, err
	}
	p.root = root
	if cg == nil {
		p.sampler = startSampler(p.cmd.Process.Pid, sb.MemoryBytes, func() { _ = p.Signal(syscall.SIGKILL) })
	}
	return p, nil
}

// startInit starts the environment's PID 1 and waits for it to report the
// runtime started (or, for a probe, the root assembled). cg, when set,
// takes the init before it reads its plan: nothing of the environment runs
// outside the control group.
func (l *sandboxLauncher) startInit(ctx context.Context, cfg initConfig, stdout, stderr io.Writer, cg *sandboxCgroup) (*sandboxProc, error) {
	cfgR, cfgW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		cfgR.Close()
		cfgW.Close()
		return nil, err
	}
	attr := &syscall.SysProcAttr{
		Setpgid: true,
		// The environment dies with the server, however it ends: PID 1
		// gone, the kernel kills the rest of the namespace.
		Pdeathsig:  syscall.SIGKILL,
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWIPC,
	}
	if l.userNS() {
		attr.Cloneflags |= syscall.CLONE_NEWUSER
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Geteuid(), Size: 1}}
		attr.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getegid(), Size: 1}}
		attr.GidMappingsEnableSetgroups = false
	}
	cmd := &exec.Cmd{Path: "/proc/self/exe", Args: []string{sandboxInitArg0}, Env: []string{},
		Stdout: stdout, Stderr: stderr, ExtraFiles: []*os.File{cfgR, repW}, SysProcAttr: attr, WaitDelay: time.Second}
	err = cmd.Start()
	cfgR.Close()
	repW.Close()
	if err != nil {
		cfgW.Close()
		repR.Close()
		return nil, err
	}
	p := &sandboxProc{cmd: cmd, reports: bufio.NewReader(repR), reportFile: repR, cg: cg}
	if cg != nil {
		err = cg.place(cmd.Process.Pid)
	}
	if err == nil {
		err = json.NewEncoder(cfgW).Encode(cfg)
	}
	cfgW.Close()
	if err == nil {
		err = p.awaitReady(ctx)
	}
	if err != nil {
		_ = p.Signal(syscall.SIGKILL)
		_ = cmd.Wait()
		repR.Close()
		return nil, err
	}
	return p, nil
}

// sandboxProc is an environment's PID 1, standing for the runtime.
type sandboxProc struct {
	cmd        *exec.Cmd
	reports    *bufio.Reader
	reportFile *os.File
	cg         *sandboxCgroup
	sampler    *rssSampler
	root       string // the empty mountpoint the root was assembled on

	mu     sync.Mutex
	exited bool  // Wait has returned; peak and oom are final
	peak   int64 // read by Wait before the control group goes
	oom    bool
}

// awaitReady reads the init's first report.
func (p *sandboxProc) awaitReady(ctx context.Context) error {
	got := make(chan error, 1)
	go func() {
		r, err := p.readReport()
		switch {
		case err != nil:
			got <- fmt.Errorf("sandbox: the environment's init ended before it was ready: %w", err)
		case r.Exec:
			got <- errors.New(r.Error) // "fork/exec /var/task/bootstrap: ..." as from os/exec
		case r.Error != "":
			got <- fmt.Errorf("sandbox: %s", strings.TrimPrefix(r.Error, "sandbox: "))
		default:
			got <- nil
		}
	}()
	t := time.NewTimer(30 * time.Second)
	defer t.Stop()
	select {
	case err := <-got:
		return err
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return errors.New("sandbox: the environment's init did not get ready in 30s")
	}
}

func (p *sandboxProc) readReport() (initReport, error) {
	var r initReport
	line, err := p.reports.ReadBytes('\n')
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(line, &r)
}

func (p *sandboxProc) Pid() int { return p.cmd.Process.Pid }

// Signal signals the init's process group, the runtime included; the init
// passes SIGTERM on to the whole namespace, and SIGKILL ends the init and so
// every process of the environment.
func (p *sandboxProc) Signal(sig os.Signal) error { return signalGroup(p.cmd.Process, sig) }

// Wait waits for the init and returns how the runtime ended, with the texts
// of os/exec ("exit status 3", "signal: killed"), which the executor
// reports as Lambda does.
func (p *sandboxProc) Wait() error {
	err := p.cmd.Wait()
	var last initReport
	for {
		r, rerr := p.readReport()
		if rerr != nil {
			break
		}
		last = r
	}
	p.reportFile.Close()
	var peak int64
	var oom bool
	if p.sampler != nil {
		peak, oom = p.sampler.stop()
	}
	if p.cg != nil {
		peak, oom = p.cg.peak(), p.cg.oomKilled()
		p.cg.remove()
	}
	p.mu.Lock()
	p.exited, p.peak, p.oom = true, peak, oom
	p.mu.Unlock()
	if p.root != "" {
		_ = os.Remove(p.root)
	}
	if last.Exited {
		if last.Signal == 0 && last.ExitCode == 0 {
			return nil
		}
		return &runtimeExit{code: last.ExitCode, signal: syscall.Signal(last.Signal)}
	}
	return err
}

func (p *sandboxProc) MaxMemoryUsed() int64 {
	p.mu.Lock()
	exited, peak := p.exited, p.peak
	p.mu.Unlock()
	switch {
	case exited:
		return peak
	case p.cg != nil:
		return p.cg.peak()
	case p.sampler != nil:
		return p.sampler.peakBytes()
	}
	return 0
}

func (p *sandboxProc) OutOfMemory() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.exited && p.oom
}

// runtimeExit is how the runtime, a child of the init, ended.
type runtimeExit struct {
	code   int
	signal syscall.Signal
}

func (e *runtimeExit) Error() string {
	if e.signal != 0 {
		return "signal: " + e.signal.String()
	}
	return "exit status " + strconv.Itoa(e.code)
}

func (l *sandboxLauncher) removeLeftovers(group string) {
	if l.isolation().cgroup {
		l.cgroups.removeGroup(group)
	}
}

// devices are the /dev nodes a runtime gets.
var devices = []string{"null", "zero", "full", "random", "urandom", "tty"}

// systemDirs are bound read-only where they are directories and recreated
// as links where they are links (a merged /usr: /bin -> usr/bin).
var systemDirs = []string{"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"}

// etcEntries are the parts of /etc the runtimes and their libraries read:
// name resolution, the dynamic loader's cache, certificates, time zones,
// Debian's alternatives links. The passwd and group files are Lambda's own.
var etcEntries = []string{"hosts", "resolv.conf", "nsswitch.conf", "host.conf", "gai.conf", "protocols",
	"services", "localtime", "ld.so.cache", "ld.so.conf", "ld.so.conf.d", "ssl", "ca-certificates",
	"pki", "crypto-policies", "alternatives", "mime.types", "os-release"}

func systemBinds() []initBind {
	var out []initBind
	for _, d := range systemDirs {
		if fi, err := os.Lstat(d); err == nil && fi.IsDir() {
			out = append(out, initBind{Source: d, Target: d})
		}
	}
	for _, e := range etcEntries {
		p := filepath.Join("/etc", e)
		if _, err := os.Stat(p); err == nil {
			out = append(out, initBind{Source: p, Target: p})
		}
	}
	return out
}

func systemLinks() []initLink {
	var out []initLink
	for _, d := range systemDirs {
		if target, err := os.Readlink(d); err == nil {
			out = append(out, initLink{Path: d, Target: target})
		}
	}
	return out
}

// identityFiles are the environment's /etc/passwd and /etc/group: no
// account of the host shows, and sbx_user1051 exists as on Lambda, whose
// group 990 has no name there.
func identityFiles() []initFile {
	return []initFile{
		{Path: "/etc/passwd", Data: "root:x:0:0:root:/root:/sbin/nologin\n" +
			"sbx_user1051:x:993:990::/home/sbx_user1051:/sbin/nologin\n" +
			"nobody:x:65534:65534:nobody:/:/sbin/nologin\n"},
		{Path: "/etc/group", Data: "root:x:0:\nnobody:x:65534:\n"},
	}
}
