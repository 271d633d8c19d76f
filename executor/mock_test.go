package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// mockLauncher runs fakeRuntimeMain in-process instead of a process, so the
// pool, lifecycle and error paths are tested without exec.
type mockLauncher struct {
	ignoreTerm bool
	failStart  error
	runtime    func(ctx context.Context, api string, out io.Writer) int // instead of fakeRuntimeMain

	mu    sync.Mutex
	procs []*mockProc
}

func (l *mockLauncher) Start(ctx context.Context, spec Spec) (Proc, error) {
	if l.failStart != nil {
		return nil, l.failStart
	}
	env := map[string]string{}
	for _, kv := range spec.Env {
		k, v, _ := strings.Cut(kv, "=")
		env[k] = v
	}
	run, cancel := context.WithCancel(context.Background())
	p := &mockProc{cancel: cancel, done: make(chan struct{}), ignoreTerm: l.ignoreTerm}
	go func() {
		if l.runtime != nil {
			p.code = l.runtime(run, env["AWS_LAMBDA_RUNTIME_API"], spec.Stdout)
		} else {
			p.code = fakeRuntimeMain(run, env["AWS_LAMBDA_RUNTIME_API"], env["IAMLOCAL_FAKE_RUNTIME"], spec.Stdout)
		}
		close(p.done)
	}()
	l.mu.Lock()
	l.procs = append(l.procs, p)
	l.mu.Unlock()
	return p, nil
}

func (l *mockLauncher) started() []*mockProc {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]*mockProc(nil), l.procs...)
}

type mockProc struct {
	cancel     context.CancelFunc
	done       chan struct{}
	ignoreTerm bool
	code       int

	mu      sync.Mutex
	signals []os.Signal
	killed  bool
}

func (p *mockProc) Wait() error {
	<-p.done
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.killed {
		return errors.New("signal: killed")
	}
	if p.code != 0 {
		return fmt.Errorf("exit status %d", p.code)
	}
	return nil
}

func (p *mockProc) Signal(sig os.Signal) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.signals = append(p.signals, sig)
	if sig == syscall.SIGKILL || !p.ignoreTerm {
		p.killed = sig == syscall.SIGKILL
		p.cancel()
	}
	return nil
}

func (p *mockProc) Pid() int { return 0 }

func (p *mockProc) got() []os.Signal {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]os.Signal(nil), p.signals...)
}

func mockFunction(t *testing.T, name, mode string) Function {
	fn := testFunction(name, "provided.al2023", "", buildZip(t, zipEntry{name: "bootstrap", body: "#!/bin/sh\n", mode: 0o755}))
	fn.Env = map[string]string{"IAMLOCAL_FAKE_RUNTIME": mode}
	return fn
}

func sequentialIDs() func() string {
	var mu sync.Mutex
	n := 0
	return func() string {
		mu.Lock()
		defer mu.Unlock()
		n++
		return fmt.Sprintf("00000000-0000-4000-8000-%012d", n)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestMockWarmReuse(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l, NewID: sequentialIDs()})
	fn := mockFunction(t, "reuse", "echo")
	first, second := invoke(t, e, fn, `{"n":1}`), invoke(t, e, fn, `{"n":2}`)
	if n := len(l.started()); n != 1 {
		t.Fatalf("%d sandboxes started, want 1", n)
	}
	if a, b := decode(t, first.Payload), decode(t, second.Payload); a["count"] != 1.0 || b["count"] != 2.0 || a["requestId"] == b["requestId"] {
		t.Errorf("first %v second %v", a, b)
	}
	if first.InitDuration == 0 || second.InitDuration != 0 {
		t.Errorf("InitDuration %v then %v", first.InitDuration, second.InitDuration)
	}
	checkFrame(t, second, decode(t, second.Payload)["requestId"].(string), false)
	// New code (CodeSHA) means a new sandbox.
	fn.CodeSHA = "other"
	invoke(t, e, fn, `{}`)
	if n := len(l.started()); n != 2 {
		t.Errorf("%d sandboxes started after a code change, want 2", n)
	}
}

func TestMockConcurrentInvokesGetTheirOwnSandbox(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l})
	fn := mockFunction(t, "slow", "slow")
	var wg sync.WaitGroup
	for range 3 {
		wg.Go(func() { invoke(t, e, fn, `{}`) })
	}
	wg.Wait()
	if n := len(l.started()); n != 3 {
		t.Fatalf("%d sandboxes for 3 concurrent invocations", n)
	}
	invoke(t, e, fn, `{}`)
	if n := len(l.started()); n != 3 {
		t.Errorf("an idle sandbox was not reused: %d started", n)
	}
	if running, idle := e.Sandboxes(); running != 3 || idle != 3 {
		t.Errorf("running %d idle %d", running, idle)
	}
}

// Past MaxSandboxes busy sandboxes, with no room to wait (QueueSize < 0),
// Invoke throttles as Lambda does: TooManyRequestsException, Reason
// ConcurrentInvocationLimitExceeded. (schedule_test.go: with room, it waits.)
func TestMockMaxSandboxesThrottles(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l, MaxSandboxes: 1, QueueSize: -1})
	fn := mockFunction(t, "busy", "slow")
	done := make(chan struct{})
	go func() { defer close(done); invoke(t, e, fn, `{}`) }()
	waitFor(t, "the first sandbox", func() bool { return len(l.started()) == 1 })
	_, err := e.Invoke(context.Background(), fn, Invocation{})
	var ie *InvokeError
	if !errors.As(err, &ie) || ie.Code != CodeTooManyRequests || ie.Status != 429 || ie.Reason != "ConcurrentInvocationLimitExceeded" {
		t.Fatalf("second concurrent Invoke: %v", err)
	}
	<-done
	// An idle sandbox of another function is evicted to make room.
	other := mockFunction(t, "other", "echo")
	invoke(t, e, other, `{}`)
	waitFor(t, "the evicted sandbox's SIGTERM", func() bool { return len(l.started()[0].got()) > 0 })
}

func TestMockIdleTimeoutStopsSandbox(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l, IdleTimeout: 50 * time.Millisecond})
	invoke(t, e, mockFunction(t, "idle", "echo"), `{}`)
	waitFor(t, "the idle sandbox to stop", func() bool {
		running, _ := e.Sandboxes()
		return running == 0 && len(l.started()[0].got()) > 0
	})
	if sig := l.started()[0].got(); sig[0] != syscall.SIGTERM {
		t.Errorf("signals %v, want SIGTERM first", sig)
	}
}

// Close: SIGTERM, then SIGKILL once StopTimeout has passed.
func TestMockCloseEscalatesToSIGKILL(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{ignoreTerm: true}
	e, err := New(Options{WorkDir: t.TempDir(), Launcher: l, StopTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	invoke(t, e, mockFunction(t, "stubborn", "echo"), `{}`)
	start := time.Now()
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	sig := l.started()[0].got()
	if len(sig) < 2 || sig[0] != syscall.SIGTERM || sig[1] != syscall.SIGKILL {
		t.Errorf("signals %v, want SIGTERM then SIGKILL", sig)
	}
	if d := time.Since(start); d < 50*time.Millisecond {
		t.Errorf("SIGKILL came after %v, before StopTimeout", d)
	}
}

func TestMockCloseDuringInvocation(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e, err := New(Options{WorkDir: t.TempDir(), Launcher: l})
	if err != nil {
		t.Fatal(err)
	}
	errc := make(chan error, 1)
	go func() {
		_, err := e.Invoke(context.Background(), mockFunction(t, "sleeper", "sleep"), Invocation{})
		errc <- err
	}()
	waitFor(t, "the invocation", func() bool { return len(l.started()) == 1 })
	time.Sleep(20 * time.Millisecond)
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	var ie *InvokeError
	if err := <-errc; !errors.As(err, &ie) || ie.Code != CodeService || !errors.Is(err, ErrClosed) {
		t.Errorf("Invoke cut short by Close: %v", err)
	}
}

// The deadline fails the invocation with Sandbox.Timedout and stops the
// sandbox.
func TestMockTimeout(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l})
	fn := mockFunction(t, "late", "sleep")
	fn.Timeout = 150 * time.Millisecond
	res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "r-late"})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"RequestId: r-late Error: Task timed out after 0.15 seconds","errorType":"Sandbox.Timedout"}` {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	if !strings.HasSuffix(string(res.Log), "\tStatus: timeout\n") {
		t.Errorf("log:\n%s", res.Log)
	}
	waitFor(t, "the timed-out sandbox to stop", func() bool { return len(l.started()[0].got()) > 0 })
}

func TestMockContextCancelStopsSandbox(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if _, err := e.Invoke(ctx, mockFunction(t, "abandoned", "sleep"), Invocation{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	waitFor(t, "the abandoned sandbox to stop", func() bool { running, _ := e.Sandboxes(); return running == 0 })
}

func TestMockPlatformErrors(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l, SearchPath: t.TempDir()})
	big := make([]byte, MaxRequestPayload+1)
	for _, tc := range []struct {
		name    string
		fn      Function
		payload []byte
		code    string
		status  int
		text    string
	}{
		{"request too large", mockFunction(t, "big", "echo"), big, CodeRequestTooLarge, 413, "Request must be smaller than 6291456 bytes for the InvokeFunction operation"},
		{"bad zip", Function{Name: "z", Runtime: "provided", Code: []byte("not a zip")}, nil, CodeInvalidZipFile, 502, "unzip"},
	} {
		_, err := e.Invoke(context.Background(), tc.fn, Invocation{Payload: tc.payload})
		var ie *InvokeError
		if !errors.As(err, &ie) || ie.Code != tc.code || ie.Status != tc.status || !strings.Contains(ie.Message, tc.text) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	if n := len(l.started()); n != 0 {
		t.Errorf("%d runtimes started for refused invocations", n)
	}
	if running, _ := e.Sandboxes(); running != 0 {
		t.Errorf("%d sandboxes left", running)
	}
}

// A function iamlocal cannot run here (a foreign runtime, a missing
// interpreter, a container image) is a function error, 200 with
// X-Amz-Function-Error, whose message names what is missing and the setting
// that supplies it, never a 5xx an SDK would retry; no runtime starts.
func TestMockUnavailableRuntimes(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	sunk := &memSink{}
	e := newTestExecutor(t, Options{Launcher: l, SearchPath: t.TempDir(), Logs: sunk})
	for _, tc := range []struct {
		name string
		fn   Function
		text string
	}{
		{"foreign runtime", Function{Name: "j", Runtime: "java21"}, "iamlocal cannot run java21 functions"},
		{"python missing", Function{Name: "p", Runtime: "python3.13"}, "python3.13 or python3, and none was found on the PATH"},
		{"node missing", Function{Name: "n", Runtime: "nodejs18.x"}, "IAMLOCAL_RUNTIMES=nodejs18.x=/path/to/node18 supplies one"},
		{"ruby missing", Function{Name: "r", Runtime: "ruby3.3"}, "ruby3.3 or ruby"},
		{"container image", Function{Name: "i", ImageURI: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"}, "container image functions"},
		{"unknown", Function{Name: "u", Runtime: "cobol1"}, `does not know the runtime "cobol1"`},
	} {
		res, err := e.Invoke(context.Background(), tc.fn, Invocation{RequestID: "r-" + tc.fn.Name})
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		doc := decode(t, res.Payload)
		msg, _ := doc["errorMessage"].(string)
		if res.FunctionError != FunctionErrorUnhandled || doc["errorType"] != "Runtime.InvalidEntrypoint" ||
			!strings.HasPrefix(msg, "RequestId: r-"+tc.fn.Name+" Error: ") || !strings.Contains(msg, tc.text) {
			t.Errorf("%s: FunctionError %q payload %s", tc.name, res.FunctionError, res.Payload)
		}
		if log := string(res.Log); !strings.HasPrefix(log, "START RequestId: r-"+tc.fn.Name) || !strings.Contains(log, "Status: error\tError Type: Runtime.InvalidEntrypoint") {
			t.Errorf("%s: log\n%s", tc.name, log)
		}
		if got := sunk.group("/aws/lambda/" + tc.fn.Name); len(got) != 5 {
			t.Errorf("%s: log group has %q", tc.name, got)
		}
		if reason := e.CheckRuntime(context.Background(), tc.fn.Runtime); tc.fn.ImageURI == "" && !strings.Contains(msg, reason) {
			t.Errorf("%s: CheckRuntime %q", tc.name, reason)
		}
	}
	if n := len(l.started()); n != 0 {
		t.Errorf("%d runtimes started", n)
	}
	if reason := e.CheckRuntime(context.Background(), "provided.al2023"); reason != "" {
		t.Errorf("provided.al2023: %q", reason)
	}
}

// A provided runtime that cannot be executed is Runtime.InvalidEntrypoint, a
// function error (troubleshooting-invocation).
func TestMockLaunchFailure(t *testing.T) {
	t.Parallel()
	e := newTestExecutor(t, Options{Launcher: &mockLauncher{failStart: errors.New("fork/exec bootstrap: exec format error")}})
	res, err := e.Invoke(context.Background(), mockFunction(t, "badexec", "echo"), Invocation{RequestID: "r-exec"})
	if err != nil {
		t.Fatal(err)
	}
	if doc := decode(t, res.Payload); res.FunctionError != "Unhandled" || doc["errorType"] != "Runtime.InvalidEntrypoint" ||
		doc["errorMessage"] != "RequestId: r-exec Error: fork/exec bootstrap: exec format error" {
		t.Fatalf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	if running, _ := e.Sandboxes(); running != 0 {
		t.Errorf("%d sandboxes left", running)
	}
}

func TestMockExitAndInitError(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l})
	res, err := e.Invoke(context.Background(), mockFunction(t, "exits", "exit"), Invocation{RequestID: "r-exit"})
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Payload) != `{"errorMessage":"RequestId: r-exit Error: Runtime exited with error: exit status 3","errorType":"Runtime.ExitError"}` {
		t.Errorf("payload %s", res.Payload)
	}
	res = invoke(t, e, mockFunction(t, "initfails", "initerror"), `{}`)
	if res.FunctionError != "Unhandled" || string(res.Payload) != `{"errorMessage":"cannot start","errorType":"Fake.InitError"}` {
		t.Errorf("FunctionError %q payload %s", res.FunctionError, res.Payload)
	}
	waitFor(t, "failed sandboxes to go", func() bool { running, _ := e.Sandboxes(); return running == 0 })
}
