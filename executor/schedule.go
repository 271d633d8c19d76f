package executor

import (
	"context"
	"net/http"
	"time"
)

// Scheduling of execution environments on the machine. MaxSandboxes bounds
// the live environments; it stands for the machine's capacity, not for a
// Lambda quota (the account's concurrency is counted before the executor is
// asked), so an invocation that finds the machine full waits for an
// environment instead of failing: in a FIFO queue of at most QueueSize
// invocations, each waiting at most QueueWait. Invocations already waiting
// go first; a newcomer leases directly only when none wait, or when an idle
// environment of its own configuration is free.

// waiter is an invocation queued for an environment.
type waiter struct {
	fn     Function
	plan   runtimePlan
	interp interpreter
	key    string
	grant  chan lease // buffered: the one lease dispatchLocked hands it
}

// lease is a sandbox handed to an invocation: cold when it is new.
type lease struct {
	sb   *sandbox
	cold bool
	err  error
}

// errMachineBusy is the throttle of an invocation the queue cannot take or
// that waited too long: Lambda's answer at its concurrency limit.
func errMachineBusy() *InvokeError {
	return &InvokeError{
		Code:    CodeTooManyRequests,
		Status:  http.StatusTooManyRequests,
		Message: "Rate Exceeded.",
		Reason:  "ConcurrentInvocationLimitExceeded",
	}
}

// acquire leases an idle sandbox for fn or registers a new one (cold),
// queueing at the machine's bound.
func (e *Executor) acquire(ctx context.Context, fn Function, plan runtimePlan, interp interpreter) (*sandbox, bool, error) {
	key := configKey(fn)
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil, false, serviceError("The executor is closed.", ErrClosed)
	}
	if l, ok := e.leaseLocked(fn, plan, interp, key, len(e.waiting) == 0); ok {
		e.mu.Unlock()
		return l.sb, l.cold, nil
	}
	if len(e.waiting) >= e.opts.QueueSize {
		e.mu.Unlock()
		return nil, false, errMachineBusy()
	}
	w := &waiter{fn: fn, plan: plan, interp: interp, key: key, grant: make(chan lease, 1)}
	e.waiting = append(e.waiting, w)
	e.mu.Unlock()

	timer := time.NewTimer(e.opts.QueueWait)
	defer timer.Stop()
	select {
	case l := <-w.grant:
		return l.sb, l.cold, l.err
	case <-timer.C:
	case <-ctx.Done():
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	select {
	case l := <-w.grant: // granted as the wait ended: take it
		return l.sb, l.cold, l.err
	default:
	}
	for i, o := range e.waiting {
		if o == w {
			e.waiting = append(e.waiting[:i:i], e.waiting[i+1:]...)
			break
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	return nil, false, errMachineBusy()
}

// leaseLocked reuses an idle sandbox of key, preferring a provisioned one,
// or, when mayStart, registers a new sandbox if the machine has room or an
// idle on-demand sandbox of another configuration can be evicted.
func (e *Executor) leaseLocked(fn Function, plan runtimePlan, interp interpreter, key string, mayStart bool) (lease, bool) {
	for list := e.idle[key]; len(list) > 0; list = e.idle[key] {
		sb := list[len(list)-1] // the most recently used: the warmest
		for _, c := range list {
			if c.provision != nil {
				sb = c
				break
			}
		}
		e.removeIdleLocked(sb)
		if sb.reusable() {
			sb.leased = true
			e.calls.Add(1)
			return lease{sb: sb}, true
		}
		e.retireLocked(sb)
	}
	if !mayStart || !e.roomLocked() {
		return lease{}, false
	}
	sb := e.newSandbox(fn, plan, interp, key)
	sb.leased = true
	e.live[sb] = true
	e.calls.Add(1)
	return lease{sb: sb, cold: true}, true
}

// roomLocked reports whether one more sandbox may start, evicting the
// longest idle on-demand sandbox when the machine is full. Provisioned
// environments are never evicted: their config keeps them.
func (e *Executor) roomLocked() bool {
	if len(e.live) < e.opts.MaxSandboxes {
		return true
	}
	var victim *sandbox
	for _, list := range e.idle {
		for _, sb := range list {
			if sb.provision == nil && (victim == nil || sb.idleSince.Before(victim.idleSince)) {
				victim = sb
			}
		}
	}
	if victim == nil {
		return false
	}
	e.retireLocked(victim)
	return true
}

// dispatchLocked hands freed capacity out after a sandbox went idle or was
// retired: first to queued invocations in order (once one cannot start, the
// later ones may still reuse an idle sandbox of their own configuration),
// then to provisions short of environments.
func (e *Executor) dispatchLocked() {
	if e.closed {
		return
	}
	mayStart := true
	kept := e.waiting[:0]
	for _, w := range e.waiting {
		l, ok := e.leaseLocked(w.fn, w.plan, w.interp, w.key, mayStart)
		if !ok {
			mayStart = false
			kept = append(kept, w)
			continue
		}
		w.grant <- l
	}
	clear(e.waiting[len(kept):])
	e.waiting = kept
	if mayStart {
		e.fillProvisionsLocked()
	}
}
