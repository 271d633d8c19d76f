package lambda

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/ids"
)

// fakeClock is a clock the test moves: Now, and After timers that fire when Advance passes
// them.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []clockWaiter
}

type clockWaiter struct {
	at time.Time
	ch chan time.Time
}

func newFakeClock(at time.Time) *fakeClock { return &fakeClock{now: at} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	ch := make(chan time.Time, 1)
	c.waiters = append(c.waiters, clockWaiter{at: c.now.Add(d), ch: ch})
	return ch
}

// Advance moves the clock on by d and fires the timers it passes.
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	kept := c.waiters[:0]
	for _, w := range c.waiters {
		if w.at.After(c.now) {
			kept = append(kept, w)
			continue
		}
		w.ch <- c.now
	}
	c.waiters = kept
}

// scriptRunner answers invocations as its script says and keeps what it was asked.
type scriptRunner struct {
	mu     sync.Mutex
	script func(fn executor.Function, inv executor.Invocation, n int) (executor.Result, error) // n counts fn's calls from 1
	calls  map[string][]executor.Invocation                                                    // by function name
}

func (r *scriptRunner) Invoke(_ context.Context, fn executor.Function, inv executor.Invocation) (executor.Result, error) {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[string][]executor.Invocation{}
	}
	r.calls[fn.Name] = append(r.calls[fn.Name], inv)
	n := len(r.calls[fn.Name])
	script := r.script
	r.mu.Unlock()
	if script == nil {
		return executor.Result{Payload: []byte(`"ok"`), ExecutedVersion: fn.Version}, nil
	}
	return script(fn, inv, n)
}

// invocations returns what fn was invoked with so far.
func (r *scriptRunner) invocations(fn string) []executor.Invocation {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]executor.Invocation(nil), r.calls[fn]...)
}

func functionError(fn executor.Function) (executor.Result, error) {
	return executor.Result{Payload: []byte(`{"errorMessage":"boom","errorType":"ValueError"}`), FunctionError: "Unhandled", ExecutedVersion: fn.Version}, nil
}

func throttle() (executor.Result, error) {
	return executor.Result{}, &executor.InvokeError{Code: executor.CodeTooManyRequests, Status: http.StatusTooManyRequests,
		Message: "Rate Exceeded.", Reason: "ConcurrentInvocationLimitExceeded"}
}

// newEnvWith is newEnv with a service built from the options edit leaves.
func newEnvWith(t *testing.T, edit func(*Options)) *env {
	t.Helper()
	e := newEnv(t)
	opts := Options{DB: e.db, Clock: func() time.Time { return testNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)}, Region: region}
	edit(&opts)
	e.s = New(opts)
	t.Cleanup(e.s.Close)
	return e
}

// eventually waits for cond, failing the test after a few seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// pending reports whether a timer waits.
func (c *fakeClock) pending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.waiters) > 0
}

// fireNext advances the clock to its earliest timer.
func (c *fakeClock) fireNext() {
	c.mu.Lock()
	if len(c.waiters) == 0 {
		c.mu.Unlock()
		return
	}
	next := c.waiters[0].at
	for _, w := range c.waiters {
		if w.at.Before(next) {
			next = w.at
		}
	}
	d := next.Sub(c.now)
	c.mu.Unlock()
	c.Advance(d)
}
