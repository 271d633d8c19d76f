package executor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// sandbox is one extracted code directory, one runtime process and one
// Runtime API server.
type sandbox struct {
	e      *Executor
	id     string
	key    string
	fn     Function
	plan   runtimePlan
	interp interpreter
	dir    string
	stream string

	// Guarded by e.mu.
	leased    bool
	idleSince time.Time
	idleTimer *time.Timer
	provision *provision // the provisioned concurrency it serves, nil for none
	retire    bool       // retire on release rather than go idle
	prewarmed bool       // initialised by its provision, before any invocation

	taskRoot, runtimeDir string
	optDir               string       // the emulated /opt: the function's layers
	sdk                  string       // the bundled AWS SDK's host directory, "" for none (set by start)
	logs                 *logCapture  // set once by start under mu; read-only afterwards
	srv                  *http.Server // set once by start under mu; read-only afterwards

	mu        sync.Mutex
	state     sandboxState
	proc      Proc
	pid       int
	startedAt time.Time
	initAt    time.Time // the first /next
	pending   *invocation
	inflight  *invocation
	wake      chan struct{} // a pending invocation arrived
	exited    chan struct{} // closed when the process has exited
	initOver  chan struct{} // closed when the init phase ends, well or not (endInitLocked)

	stopOnce sync.Once
	stopping chan struct{} // closed when stop begins
	stopped  chan struct{} // closed when stop is done
}

// invocation is an Invocation on its way through a sandbox.
type invocation struct {
	Invocation
	arn         string
	timeout     time.Duration
	delivered   chan struct{}  // closed when /next hands it out
	deliveredAt time.Time      // set before delivered is closed
	started     bool           // START written (sb.mu)
	finished    bool           // an outcome was sent (sb.mu)
	done        chan outcome   // buffered: exactly one outcome
	stream      *guardedStream // Invocation.Stream until the outcome; nil without one
}

type outcomeKind int

const (
	outResponse outcomeKind = iota
	outFunctionError
	outInitError
	outExit
	outTimeout
	outTooLarge
	outInvalidEntrypoint
	outAborted
)

type outcome struct {
	kind      outcomeKind
	payload   []byte
	errorType string
	message   string // for the platform's own log lines
}

// startFailure is a failure to start that AWS reports as a function error
// (Runtime.InvalidEntrypoint), not as an API error.
type startFailure struct{ errType, message string }

func (f *startFailure) Error() string { return f.errType + ": " + f.message }

var errSandboxGone = errors.New("executor: sandbox no longer usable")

func (e *Executor) newSandbox(fn Function, plan runtimePlan, interp interpreter, key string) *sandbox {
	id := strings.ReplaceAll(e.opts.NewID(), "-", "")
	prefix := logStreamPrefix(fn, e.opts.Clock())
	dir := filepath.Join(e.dir, "sb-"+sanitize(id))
	return &sandbox{
		e: e, id: id, key: key, fn: fn, plan: plan, interp: interp,
		dir: dir, stream: prefix + id,
		taskRoot: filepath.Join(dir, "task"), runtimeDir: filepath.Join(dir, "runtime"), optDir: filepath.Join(dir, "opt"),
		wake: make(chan struct{}, 1), exited: make(chan struct{}), initOver: make(chan struct{}),
		stopping: make(chan struct{}), stopped: make(chan struct{}),
	}
}

// logStreamPrefix is the start of an environment's log stream name:
// "2006/01/02/[<Version>]", an instance id follows.
func logStreamPrefix(fn Function, now time.Time) string {
	if fn.LogStreamPrefix != "" {
		return fn.LogStreamPrefix
	}
	return now.UTC().Format("2006/01/02") + "/[" + fn.Version + "]"
}

func sanitize(id string) string {
	return strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == '.' {
			return '_'
		}
		return r
	}, id)
}

// endInitLocked marks the end of the init phase for those waiting on it (a
// pre-warm). Called with sb.mu held; safe to call more than once, and on a
// sandbox built without newSandbox (nothing waits on one).
func (sb *sandbox) endInitLocked() {
	if sb.initOver == nil {
		return
	}
	select {
	case <-sb.initOver:
	default:
		close(sb.initOver)
	}
}

// reusable reports whether the sandbox can take another invocation.
func (sb *sandbox) reusable() bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.state == stateIdle && sb.pending == nil && sb.inflight == nil
}

// start extracts the code, opens the Runtime API on 127.0.0.1:0 and only then
// launches the runtime.
func (sb *sandbox) start(ctx context.Context) error {
	e := sb.e
	for _, d := range []string{sb.taskRoot, sb.runtimeDir, sb.optDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return serviceError("Could not prepare the execution environment.", err)
		}
	}
	if err := sb.extractAll(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return serviceError("Could not open the Runtime API.", err)
	}
	sink := func(time.Time, string) {}
	if e.opts.Logs != nil {
		account, region, group, stream := sb.fn.Account, sb.fn.Region, sb.fn.LogGroup, sb.stream
		sink = func(t time.Time, line string) { e.opts.Logs.Write(account, region, group, stream, t, line) }
	}
	logs, err := newLogCapture(e.opts.Clock, sink)
	if err != nil {
		ln.Close()
		return serviceError("Could not capture the runtime's output.", err)
	}
	logs.filter(appLogFilter(sb.fn))
	if sb.plan.tool != "" && !versionMatches(sb.plan, sb.interp.version) {
		logs.note(noteLine(sb.fn, e.opts.Clock(), versionNote(sb.fn.Runtime, sb.plan, sb.interp))) // once per environment, in its stream
	}
	sb.sdk = sb.bundledSDK(ctx)
	srv := &http.Server{Handler: sb.routes(), ReadHeaderTimeout: 10 * time.Second}
	sb.mu.Lock()
	if sb.state != stateNew {
		sb.mu.Unlock()
		ln.Close()
		logs.close(0)
		return serviceError("The execution environment was stopped before it started.", ErrClosed)
	}
	sb.logs, sb.srv = logs, srv // stop reads them under sb.mu
	sb.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()

	isolated := e.isolation().namespaces
	view := sandboxPaths{task: sb.taskRoot, runtime: sb.runtimeDir, opt: sb.optDir}
	if isolated {
		view = sandboxPaths{task: guestTaskRoot, runtime: guestRuntimeDir, opt: guestOptDir}
	}
	spec, err := sb.runtimeSpec(view)
	if err != nil {
		return err
	}
	spec.Dir = view.task
	spec.Stdout, spec.Stderr = logs.w, logs.w
	spec.Env = buildEnv(envParams{
		fn: sb.fn, rt: sb.plan, taskRoot: view.task, runtimeDir: view.runtime, optDir: view.opt,
		runtimeAPI: ln.Addr().String(), logStream: sb.stream, path: e.opts.SearchPath, nodeSDK: sb.nodeSDKOnPath(isolated),
		provisioned: sb.provision != nil,
	})
	if isolated {
		spec.Sandbox = sb.sandboxSpec()
	}

	sb.mu.Lock()
	defer sb.mu.Unlock()
	st, err := next(sb.state, evStart)
	if err != nil {
		return serviceError("The execution environment was stopped before it started.", errors.Join(ErrClosed, err))
	}
	proc, err := e.opts.Launcher.Start(ctx, spec)
	if err != nil {
		if sb.plan.kind == kindProvided {
			return &startFailure{errTypeInvalidEntry, err.Error()}
		}
		return serviceError("Could not start the runtime.", err)
	}
	sb.state, sb.proc, sb.pid, sb.startedAt = st, proc, proc.Pid(), e.opts.Clock()
	go sb.watch(proc)
	return nil
}

// sandboxPaths are where a sandbox's task root, runtime directory and
// emulated /opt are: on the host, or as the runtime sees them when it runs
// in an environment of its own.
type sandboxPaths struct{ task, runtime, opt string }

// runtimeSpec is the program and arguments of the runtime, naming paths as
// view has them; the files themselves are prepared on the host.
func (sb *sandbox) runtimeSpec(view sandboxPaths) (Spec, error) {
	switch sb.plan.kind {
	case kindPython, kindNode, kindRuby:
		name, code, args := "bootstrap.py", pythonBootstrap, []string{"-u"}
		switch sb.plan.kind {
		case kindNode:
			name, code, args = "bootstrap.mjs", nodeBootstrap, nil
		case kindRuby:
			name, code, args = "bootstrap.rb", rubyBootstrap, nil
		}
		if err := os.WriteFile(filepath.Join(sb.runtimeDir, name), code, 0o644); err != nil {
			return Spec{}, serviceError("Could not write the runtime.", err)
		}
		args = append(args, filepath.Join(view.runtime, name))
		if sb.plan.kind == kindPython {
			// The layer directories the Python runtime puts on sys.path
			// after the task root, and the bundled SDK's, as arguments
			// rather than variables the function would see.
			args = append(args, pythonLayerPaths(view.opt, sb.fn.Runtime)...)
			if sb.sdk != "" {
				args = append(args, "--sdk="+sb.sdk)
			}
		}
		return Spec{Path: sb.interp.path, Args: args}, nil
	}
	// The function's bootstrap, else a layer's ("Building a custom
	// runtime": Lambda runs /var/task/bootstrap, then /opt/bootstrap).
	host, guest := filepath.Join(sb.taskRoot, "bootstrap"), filepath.Join(view.task, "bootstrap")
	fi, err := os.Stat(host)
	if err != nil || !fi.Mode().IsRegular() {
		host, guest = filepath.Join(sb.optDir, "bootstrap"), filepath.Join(view.opt, "bootstrap")
		fi, err = os.Stat(host)
	}
	if err != nil || !fi.Mode().IsRegular() {
		return Spec{}, &startFailure{errTypeInvalidEntry,
			fmt.Sprintf("Couldn't find valid bootstrap(s): [%s %s]",
				filepath.Join(view.task, "bootstrap"), filepath.Join(view.opt, "bootstrap"))}
	}
	if err := os.Chmod(host, fi.Mode().Perm()|0o555); err != nil {
		return Spec{}, serviceError("Could not make bootstrap executable.", err)
	}
	return Spec{Path: guest}, nil
}

// sandboxSpec is the environment the sandbox asks its launcher for: its
// own directories where Lambda has them, the interpreter's and the
// configured read-only paths where the host has them, never a path that
// holds the work directory (the data directory is beside it), and the
// function's memory and /tmp sizes.
func (sb *sandbox) sandboxSpec() *SandboxSpec {
	e := sb.e
	mounts := []Mount{{sb.taskRoot, guestTaskRoot}, {sb.runtimeDir, guestRuntimeDir}, {sb.optDir, guestOptDir}}
	for _, p := range append(append([]string(nil), sb.interp.roots...), e.opts.ReadOnlyPaths...) {
		abs, err := filepath.Abs(p)
		if err != nil || under(e.dir, []string{abs}) {
			continue
		}
		if _, err := os.Stat(abs); err == nil { // a path that went away is no reason to fail
			mounts = append(mounts, Mount{Source: abs, Target: abs})
		}
	}
	mounts = append(mounts, sb.sdkMounts()...)
	return &SandboxSpec{
		Group:        filepath.Base(e.dir) + "/sb-" + sanitize(sb.id),
		Dir:          sb.dir,
		Mounts:       mounts,
		TmpBytes:     int64(sb.fn.EphemeralStorageMB) << 20,
		MemoryBytes:  int64(sb.fn.MemoryMB) << 20,
		MaxProcesses: e.opts.MaxProcesses,
	}
}

// extractAll unpacks the deployment package into the task root and the
// layers, in order, into the emulated /opt, later layers overwriting earlier
// files. The function and its layers share one MaxUnzippedSize budget
// ("Lambda quotas"; "Adding layers to functions": the total unzipped size of
// the function and all layers cannot exceed the 250 MB quota).
func (sb *sandbox) extractAll() error {
	budget := int64(MaxUnzippedSize)
	n, err := extract(sb.fn.Code, sb.taskRoot, extractLimits{maxBytes: budget, maxEntries: maxZipEntries})
	if err != nil {
		return &InvokeError{Code: CodeInvalidZipFile, Status: http.StatusBadGateway,
			Message: "Lambda was not able to unzip the deployment package.", Err: err}
	}
	budget -= n
	for _, l := range sb.fn.Layers {
		n, err := extract(l.Code, sb.optDir, extractLimits{maxBytes: budget, maxEntries: maxZipEntries, overlay: true})
		if err != nil {
			return &InvokeError{Code: CodeInvalidZipFile, Status: http.StatusBadGateway,
				Message: fmt.Sprintf("Lambda was not able to unzip the layer %s, or the function and its layers exceed the unzipped size quota of %d bytes.", l.ARN, MaxUnzippedSize),
				Err:     err}
		}
		budget -= n
	}
	if len(sb.fn.Layers) > 1 {
		if err := checkLinks(sb.optDir); err != nil {
			return &InvokeError{Code: CodeInvalidZipFile, Status: http.StatusBadGateway,
				Message: "Lambda was not able to unzip the function's layers.", Err: err}
		}
	}
	return nil
}

// watch waits for the process and fails what it was working on.
func (sb *sandbox) watch(proc Proc) {
	err := proc.Wait()
	reason := ""
	if err != nil {
		reason = err.Error() // "exit status 1", "signal: killed"
	}
	errType := errTypeExit
	if m, ok := proc.(MemoryMeter); ok && m.OutOfMemory() {
		errType = errTypeOutOfMemory
	}
	sb.mu.Lock()
	prev := sb.state
	if st, terr := next(sb.state, evExit); terr == nil {
		sb.state = st
	}
	for _, iv := range []*invocation{sb.inflight, sb.pending} {
		if iv == nil {
			continue
		}
		if prev == stateStopping {
			sb.finishLocked(iv, outcome{kind: outAborted})
			continue
		}
		msg := exitMessage(iv.RequestID, reason)
		sb.finishLocked(iv, outcome{kind: outExit, errorType: errType, message: msg,
			payload: errorDocument(errType, msg)})
	}
	sb.inflight, sb.pending = nil, nil
	close(sb.exited)
	sb.mu.Unlock()
	sb.e.sandboxExited(sb)
}

// assign makes iv the sandbox's next invocation.
func (sb *sandbox) assign(iv *invocation) bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	switch sb.state {
	case stateNew, stateInitializing, stateIdle:
	default:
		return false
	}
	if sb.pending != nil || sb.inflight != nil {
		return false
	}
	sb.pending = iv
	select {
	case sb.wake <- struct{}{}:
	default:
	}
	return true
}

func (sb *sandbox) finish(iv *invocation, out outcome) bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	return sb.finishLocked(iv, out)
}

// finishLocked sends iv's outcome unless one was sent already: the first of
// response, error, exit and deadline wins.
func (sb *sandbox) finishLocked(iv *invocation, out outcome) bool {
	if iv.finished {
		return false
	}
	iv.finished = true
	if sb.pending == iv {
		sb.pending = nil
	}
	if sb.inflight == iv {
		sb.inflight = nil
	}
	iv.done <- out
	return true
}

// expire ends iv at its deadline (or when its caller gave up) and marks the
// sandbox failed, so that it is stopped rather than reused.
func (sb *sandbox) expire(iv *invocation, out outcome) bool {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if iv.finished {
		return false
	}
	if st, err := next(sb.state, evTimeout); err == nil {
		sb.state = st
	} else if sb.state == stateNew {
		sb.state = stateFailed // never started; nothing to time out but the lease
	}
	return sb.finishLocked(iv, out)
}

// stop sends SIGTERM to the process group, SIGKILL after StopTimeout, closes
// the Runtime API and removes the directory. Safe to call more than once;
// every call returns when the sandbox is stopped.
func (sb *sandbox) stop() {
	sb.stopOnce.Do(func() {
		defer close(sb.stopped)
		grace := sb.e.opts.StopTimeout
		sb.mu.Lock()
		if st, err := next(sb.state, evStop); err == nil {
			sb.state = st
		}
		close(sb.stopping)
		proc, srv, logs := sb.proc, sb.srv, sb.logs
		sb.mu.Unlock()
		if proc != nil {
			_ = proc.Signal(syscall.SIGTERM)
			if !waitClosed(sb.exited, grace) {
				_ = proc.Signal(syscall.SIGKILL)
				waitClosed(sb.exited, grace)
			}
			// The leader is gone; whatever it left in its group goes too.
			_ = proc.Signal(syscall.SIGKILL)
		}
		if srv != nil {
			_ = srv.Close()
		}
		if logs != nil {
			logs.close(grace)
		}
		_ = os.RemoveAll(sb.dir)
		sb.mu.Lock()
		if st, err := next(sb.state, evStopped); err == nil {
			sb.state = st
		}
		sb.mu.Unlock()
	})
	<-sb.stopped
}

func waitClosed(ch <-chan struct{}, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-t.C:
		return false
	}
}
