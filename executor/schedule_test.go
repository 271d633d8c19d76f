package executor

import (
	"context"
	"errors"
	"sync"
	"syscall"
	"testing"
	"time"
)

// isThrottle reports whether err is the machine's throttle.
func isThrottle(err error) bool {
	var ie *InvokeError
	return errors.As(err, &ie) && ie.Code == CodeTooManyRequests && ie.Status == 429 && ie.Reason == "ConcurrentInvocationLimitExceeded"
}

// At MaxSandboxes busy environments an invocation waits for one, in a queue
// of QueueSize for at most QueueWait; past either it is throttled.
func TestQueueAtMaxSandboxes(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		opts      Options
		calls     int
		wantOK    int
		wantSlots int // sandboxes started
	}{
		{"waiters reuse the busy sandbox in turn", Options{MaxSandboxes: 1}, 3, 3, 1},
		{"a full queue throttles", Options{MaxSandboxes: 1, QueueSize: 1}, 3, 2, 1},
		{"a wait past QueueWait throttles", Options{MaxSandboxes: 1, QueueWait: 50 * time.Millisecond}, 2, 1, 1},
		{"room for all", Options{MaxSandboxes: 3}, 3, 3, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := &mockLauncher{}
			tc.opts.Launcher = l
			e := newTestExecutor(t, tc.opts)
			fn := mockFunction(t, "queued", "slow") // 300 ms an invocation
			errs := make(chan error, tc.calls)
			var wg sync.WaitGroup
			for range tc.calls {
				wg.Go(func() {
					_, err := e.Invoke(context.Background(), fn, Invocation{})
					errs <- err
				})
			}
			wg.Wait()
			close(errs)
			ok := 0
			for err := range errs {
				switch {
				case err == nil:
					ok++
				case !isThrottle(err):
					t.Errorf("Invoke: %v", err)
				}
			}
			if ok != tc.wantOK {
				t.Errorf("%d of %d succeeded, want %d", ok, tc.calls, tc.wantOK)
			}
			if n := len(l.started()); n != tc.wantSlots {
				t.Errorf("%d sandboxes started, want %d", n, tc.wantSlots)
			}
		})
	}
}

// A queued invocation of another function evicts the idle sandbox the
// first one leaves, and one whose caller gives up leaves the queue.
func TestQueueEvictsAndCancels(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l, MaxSandboxes: 1})
	slow, other := mockFunction(t, "first", "slow"), mockFunction(t, "second", "echo")
	done := make(chan error, 1)
	go func() { _, err := e.Invoke(context.Background(), slow, Invocation{}); done <- err }()
	waitFor(t, "the first sandbox", func() bool { return len(l.started()) == 1 })

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := e.Invoke(ctx, other, Invocation{}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("cancelled wait: %v", err)
	}
	res := invoke(t, e, other, `{"n":2}`) // waits for the first, then evicts its sandbox
	if decode(t, res.Payload)["event"].(map[string]any)["n"] != 2.0 {
		t.Errorf("payload %s", res.Payload)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the evicted sandbox's SIGTERM", func() bool { return len(l.started()[0].got()) > 0 })
	if n := len(l.started()); n != 2 {
		t.Errorf("%d sandboxes started, want 2", n)
	}
}

// Close fails the invocations still waiting.
func TestQueueClose(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e, err := New(Options{WorkDir: t.TempDir(), Launcher: l, MaxSandboxes: 1})
	if err != nil {
		t.Fatal(err)
	}
	fn := mockFunction(t, "closing", "sleep")
	go func() { _, _ = e.Invoke(context.Background(), fn, Invocation{}) }()
	waitFor(t, "the first sandbox", func() bool { return len(l.started()) == 1 })
	waited := make(chan error, 1)
	go func() { _, err := e.Invoke(context.Background(), fn, Invocation{}); waited <- err }()
	waitFor(t, "the queued invocation", func() bool {
		e.mu.Lock()
		defer e.mu.Unlock()
		return len(e.waiting) == 1
	})
	if err := e.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-waited; !errors.Is(err, ErrClosed) {
		t.Errorf("queued invocation after Close: %v", err)
	}
}

// Provisioned environments are initialised before any invocation, serve
// invocations of their configuration warm (no init duration), are kept
// whatever IdleTimeout says, and are retired with their provision.
func TestProvision(t *testing.T) {
	t.Parallel()
	l := &mockLauncher{}
	e := newTestExecutor(t, Options{Launcher: l, IdleTimeout: 20 * time.Millisecond})
	fn := mockFunction(t, "provisioned", "echo")
	ctx := context.Background()
	if err := e.Provision(ctx, "p", fn, 2); err != nil {
		t.Fatal(err)
	}
	if st := e.WaitProvisioned(ctx, "p"); st != (ProvisionStatus{Wanted: 2, Ready: 2}) {
		t.Fatalf("state %+v", st)
	}
	if err := e.Provision(ctx, "p", fn, 2); err != nil { // unchanged: nothing happens
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond) // past IdleTimeout
	res := invoke(t, e, fn, `{}`)
	if res.InitDuration != 0 {
		t.Errorf("init duration %v on a provisioned environment", res.InitDuration)
	}
	if n := len(l.started()); n != 2 {
		t.Errorf("%d sandboxes started, want the 2 provisioned", n)
	}
	if running, idle := e.Sandboxes(); running != 2 || idle != 2 {
		t.Errorf("running %d idle %d", running, idle)
	}

	if err := e.Provision(ctx, "p", fn, 1); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "one retired", func() bool { running, _ := e.Sandboxes(); return running == 1 })
	if err := e.Provision(ctx, "p", Function{}, 0); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "all retired", func() bool { running, _ := e.Sandboxes(); return running == 0 })
	for i, p := range l.started() {
		waitFor(t, "SIGTERM", func() bool { return len(p.got()) > 0 })
		if p.got()[0] != syscall.SIGTERM {
			t.Errorf("sandbox %d: signals %v", i, p.got())
		}
	}
	if st := e.ProvisionState("p"); st != (ProvisionStatus{}) {
		t.Errorf("state after retiring %+v", st)
	}
}

// A provision whose runtime cannot initialise reports why and starts no
// more; one beyond MaxSandboxes fills as room frees; a new configuration
// replaces the environments of the old.
func TestProvisionStates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("init failure", func(t *testing.T) {
		t.Parallel()
		l := &mockLauncher{}
		e := newTestExecutor(t, Options{Launcher: l})
		if err := e.Provision(ctx, "bad", mockFunction(t, "bad", "initerror"), 2); err != nil {
			t.Fatal(err)
		}
		st := e.WaitProvisioned(ctx, "bad")
		if st.Ready != 0 || st.Failure == "" {
			t.Fatalf("state %+v", st)
		}
		time.Sleep(20 * time.Millisecond)
		if n := len(l.started()); n > 2 {
			t.Errorf("%d starts after the failure", n)
		}
	})
	t.Run("bounded by the machine", func(t *testing.T) {
		t.Parallel()
		l := &mockLauncher{}
		e := newTestExecutor(t, Options{Launcher: l, MaxSandboxes: 2})
		busy := mockFunction(t, "busy", "slow")
		done := make(chan struct{})
		go func() { defer close(done); invoke(t, e, busy, `{}`) }()
		waitFor(t, "the busy sandbox", func() bool { return len(l.started()) == 1 })
		if err := e.Provision(ctx, "p", mockFunction(t, "warm", "echo"), 2); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "one ready", func() bool { return e.ProvisionState("p").Ready == 1 })
		<-done // the busy sandbox goes idle and is evicted for the second
		if st := e.WaitProvisioned(ctx, "p"); st.Ready != 2 {
			t.Fatalf("state %+v", st)
		}
	})
	t.Run("new configuration", func(t *testing.T) {
		t.Parallel()
		l := &mockLauncher{}
		e := newTestExecutor(t, Options{Launcher: l})
		v1 := mockFunction(t, "fn", "echo")
		v2 := v1
		v2.Env = map[string]string{"IAMLOCAL_FAKE_RUNTIME": "echo", "V": "2"}
		for _, fn := range []Function{v1, v2} {
			if err := e.Provision(ctx, "p", fn, 1); err != nil {
				t.Fatal(err)
			}
			if st := e.WaitProvisioned(ctx, "p"); st.Ready != 1 {
				t.Fatalf("state %+v", st)
			}
		}
		waitFor(t, "the old environment retired", func() bool { running, _ := e.Sandboxes(); return running == 1 })
		if res := invoke(t, e, v2, `{}`); res.InitDuration != 0 || len(l.started()) != 2 {
			t.Errorf("init %v, %d started", res.InitDuration, len(l.started()))
		}
	})
}
