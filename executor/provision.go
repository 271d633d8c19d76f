package executor

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Provisioned concurrency: environments started and initialised before any
// invocation asks for them ("Configuring provisioned concurrency": "Lambda
// initializes that many execution environments ... ready to respond
// immediately"). They count against MaxSandboxes, are never evicted nor
// stopped for being idle, are the first an invocation of their
// configuration reuses, and are replaced when one stops.

// provision is the environments kept for one id.
type provision struct {
	id      string
	key     string // configKey of fn
	fn      Function
	plan    runtimePlan
	interp  interpreter
	want    int
	members map[*sandbox]bool // starting or initialised
	ready   int               // members whose init is done
	failure string            // why an environment failed to initialise; no refill while set
	changed chan struct{}     // closed and replaced on every change of ready or failure
}

// ProvisionStatus is how far a provision is.
type ProvisionStatus struct {
	Wanted, Ready int
	// Failure says why an environment failed to initialise ("" when none
	// did); no environment is started again until Provision changes.
	Failure string
}

// Provision keeps n initialised environments of fn under id, replacing the
// ones of an earlier configuration of the id; n = 0 retires them. It
// returns at once: ProvisionState and WaitProvisioned tell how far it is.
// Calling it again with the same configuration and n changes nothing.
func (e *Executor) Provision(ctx context.Context, id string, fn Function, n int) error {
	var plan runtimePlan
	var interp interpreter
	var key string
	if n > 0 {
		fn = fn.withDefaults()
		var err error
		if plan, interp, err = e.resolve(ctx, fn); err != nil {
			return err
		}
		key = configKey(fn)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.closed {
		return serviceError("The executor is closed.", ErrClosed)
	}
	p := e.provisions[id]
	if p != nil && p.key == key && p.want == n {
		return nil
	}
	if p != nil && (p.key != key || n == 0) {
		e.dropProvisionLocked(p)
		p = nil
	}
	if n == 0 {
		return nil
	}
	if p == nil {
		p = &provision{id: id, key: key, fn: fn, plan: plan, interp: interp, members: map[*sandbox]bool{}, changed: make(chan struct{})}
		e.provisions[id] = p
	}
	p.want, p.failure = n, ""
	for sb := range p.members {
		if len(p.members) <= n {
			break
		}
		e.unlinkLocked(sb)
	}
	p.notify()
	e.dispatchLocked()
	return nil
}

// ProvisionState reports the provision of id (zero when there is none).
func (e *Executor) ProvisionState(id string) ProvisionStatus {
	e.mu.Lock()
	defer e.mu.Unlock()
	p := e.provisions[id]
	if p == nil {
		return ProvisionStatus{}
	}
	return ProvisionStatus{Wanted: p.want, Ready: p.ready, Failure: p.failure}
}

// WaitProvisioned waits until the provision of id has all its environments
// ready, has failed, is gone, or ctx ends, and reports its state.
func (e *Executor) WaitProvisioned(ctx context.Context, id string) ProvisionStatus {
	for {
		e.mu.Lock()
		p := e.provisions[id]
		if p == nil || p.ready >= p.want || p.failure != "" {
			e.mu.Unlock()
			return e.ProvisionState(id)
		}
		changed := p.changed
		e.mu.Unlock()
		select {
		case <-changed:
		case <-ctx.Done():
			return e.ProvisionState(id)
		}
	}
}

func (p *provision) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// leaveLocked removes a retired sandbox from its provision (p may be nil).
func (p *provision) leaveLocked(sb *sandbox) {
	if p == nil || !p.members[sb] {
		return
	}
	delete(p.members, sb)
	if sb.prewarmed {
		p.ready--
	}
	sb.provision = nil
	p.notify()
}

// dropProvisionLocked retires a provision's environments: idle ones now,
// busy ones when their invocation ends.
func (e *Executor) dropProvisionLocked(p *provision) {
	delete(e.provisions, p.id)
	for sb := range p.members {
		e.unlinkLocked(sb)
	}
	p.notify()
}

// unlinkLocked takes sb out of its provision and retires it, at once when
// idle, else on release.
func (e *Executor) unlinkLocked(sb *sandbox) {
	p := sb.provision
	if !sb.leased {
		e.retireLocked(sb) // leaves p
		return
	}
	p.leaveLocked(sb)
	sb.retire = true
}

// fillProvisionsLocked starts environments for provisions short of them,
// while the machine has room.
func (e *Executor) fillProvisionsLocked() {
	for _, p := range e.provisions {
		for p.failure == "" && len(p.members) < p.want && e.roomLocked() {
			sb := e.newSandbox(p.fn, p.plan, p.interp, p.key)
			sb.leased, sb.provision = true, p // leased while it initialises
			e.live[sb] = true
			p.members[sb] = true
			e.calls.Add(1)
			go e.prewarm(p, sb)
		}
	}
}

// prewarm starts sb and waits for its init phase, then puts it in the idle
// pool; a failed init marks the provision failed.
func (e *Executor) prewarm(p *provision, sb *sandbox) {
	defer e.calls.Done()
	err := sb.start(context.Background())
	if err == nil {
		err = sb.awaitInit(max(e.opts.InitTimeout, sb.fn.Timeout))
	}
	e.mu.Lock()
	if sb.provision == p {
		if err != nil {
			p.failure = initFailure(err)
		} else {
			sb.prewarmed = true
			p.ready++
		}
		p.notify()
	}
	e.mu.Unlock()
	e.release(sb)
}

// errInitFailed is a pre-warm's init phase that did not end with the
// runtime's first /next.
var errInitFailed = errors.New("the runtime failed to initialise")

// awaitInit waits for the runtime's first /next.
func (sb *sandbox) awaitInit(limit time.Duration) error {
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case <-sb.initOver:
	case <-sb.exited:
	case <-sb.stopping:
		return errInitFailed
	case <-timer.C:
		sb.mu.Lock()
		if st, err := next(sb.state, evTimeout); err == nil {
			sb.state = st
		}
		sb.mu.Unlock()
		return fmt.Errorf("%w: init did not finish within %s", errInitFailed, limit)
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if sb.state != stateIdle {
		return fmt.Errorf("%w: it exited or reported an init error", errInitFailed)
	}
	return nil
}

// initFailure is the reason a provision reports for err.
func initFailure(err error) string {
	var sf *startFailure
	if errors.As(err, &sf) {
		return sf.errType + ": " + sf.message
	}
	var ie *InvokeError
	if errors.As(err, &ie) {
		return ie.Message
	}
	return err.Error()
}
