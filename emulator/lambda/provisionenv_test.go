package lambda

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/executor"
)

// fakeProvisioner is a Runner that provisions: the test says how far each provision is.
type fakeProvisioner struct {
	scriptRunner
	mu     sync.Mutex
	asked  []string // "id n version" of every Provision call
	states map[string]executor.ProvisionStatus
	ready  bool // provisions are ready as soon as asked
	fail   string
}

func (p *fakeProvisioner) Provision(_ context.Context, id string, fn executor.Function, n int) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asked = append(p.asked, id+" "+string(rune('0'+n))+" "+fn.Version)
	if p.states == nil {
		p.states = map[string]executor.ProvisionStatus{}
	}
	st := executor.ProvisionStatus{Wanted: n, Failure: p.fail}
	if p.ready {
		st.Ready = n
	}
	if n == 0 {
		delete(p.states, id)
	} else {
		p.states[id] = st
	}
	return nil
}

func (p *fakeProvisioner) ProvisionState(id string) executor.ProvisionStatus {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.states[id]
}

func (p *fakeProvisioner) WaitProvisioned(ctx context.Context, id string) executor.ProvisionStatus {
	for {
		st := p.ProvisionState(id)
		if st.Ready >= st.Wanted || st.Failure != "" {
			return st
		}
		select {
		case <-ctx.Done():
			return st
		case <-time.After(time.Millisecond):
		}
	}
}

func (p *fakeProvisioner) setReady(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := p.states[id]
	st.Ready = st.Wanted
	p.states[id] = st
}

func (p *fakeProvisioner) calls() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.asked...)
}

const liveID = acct + "/" + region + "/f:live"

// A config's Status follows its environments: READY once they are initialised, IN_PROGRESS
// before, FAILED with the reason when they cannot be.
func TestProvisionedStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name             string
		ready            bool
		fail             string
		status, afterGet string
		allocated        int32
		reason           string
	}{
		{name: "ready at once", ready: true, status: "READY", afterGet: "READY", allocated: 2},
		{name: "initialising", status: "IN_PROGRESS", afterGet: "READY"},
		{name: "failed", fail: "Runtime.ExitError: exit status 1", status: "FAILED", afterGet: "FAILED", reason: "Runtime.ExitError: exit status 1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			pr := &fakeProvisioner{ready: tc.ready, fail: tc.fail}
			e := newEnvWith(t, func(o *Options) { o.Invoke.Runner, o.ProvisionWait = pr, 20*time.Millisecond })
			e.create("f")
			_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
			ok(t, err)
			_, err = e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("1")})
			ok(t, err)
			out, err := e.s.PutProvisionedConcurrencyConfig(e.ctx, &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: ptr("f"),
				Qualifier: ptr("live"), ProvisionedConcurrentExecutions: ptr(int32(2))})
			ok(t, err)
			if *out.Status != tc.status || *out.AllocatedProvisionedConcurrentExecutions != tc.allocated || deref(out.StatusReason) != tc.reason ||
				*out.RequestedProvisionedConcurrentExecutions != 2 {
				t.Errorf("put: %s allocated %d reason %q", *out.Status, *out.AllocatedProvisionedConcurrentExecutions, deref(out.StatusReason))
			}
			if calls := pr.calls(); len(calls) != 1 || calls[0] != liveID+" 2 1" {
				t.Errorf("provisions asked %v", calls)
			}
			if !tc.ready && tc.fail == "" {
				pr.setReady(liveID)
			}
			got, err := e.s.GetProvisionedConcurrencyConfig(e.ctx, &lambdaapi.GetProvisionedConcurrencyConfigRequest{FunctionName: ptr("f"), Qualifier: ptr("live")})
			ok(t, err)
			list, err := e.s.ListProvisionedConcurrencyConfigs(e.ctx, &lambdaapi.ListProvisionedConcurrencyConfigsRequest{FunctionName: ptr("f")})
			ok(t, err)
			if *got.Status != tc.afterGet || *list.ProvisionedConcurrencyConfigs[0].Status != tc.afterGet {
				t.Errorf("get %s, list %s, want %s", *got.Status, *list.ProvisionedConcurrencyConfigs[0].Status, tc.afterGet)
			}
		})
	}
}

// Invocations of the provisioned alias keep its provision in step (the same configuration
// asks nothing new of the Runner); deleting the config, the alias or the function retires
// the environments; Resume provisions the stored configs again.
func TestProvisionedLifecycle(t *testing.T) {
	t.Parallel()
	pr := &fakeProvisioner{ready: true}
	e := newEnvWith(t, func(o *Options) { o.Invoke.Runner = pr })
	e.create("f")
	_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	ok(t, err)
	for _, alias := range []string{"live", "beta"} {
		_, err = e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("f"), Name: ptr(alias), FunctionVersion: ptr("1")})
		ok(t, err)
	}
	put := func(q string) {
		_, err := e.s.PutProvisionedConcurrencyConfig(e.ctx, &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: ptr("f"),
			Qualifier: ptr(q), ProvisionedConcurrentExecutions: ptr(int32(1))})
		ok(t, err)
	}
	put("live")
	for _, q := range []string{"live", "1", "$LATEST"} {
		_, err := e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("f"), Qualifier: ptr(q), Payload: []byte("{}")})
		ok(t, err)
	}
	_, err = e.s.DeleteProvisionedConcurrencyConfig(e.ctx, &lambdaapi.DeleteProvisionedConcurrencyConfigRequest{FunctionName: ptr("f"), Qualifier: ptr("live")})
	ok(t, err)
	put("beta")
	_, err = e.s.DeleteAlias(e.ctx, &lambdaapi.DeleteAliasRequest{FunctionName: ptr("f"), Name: ptr("beta")})
	ok(t, err)
	put("live")
	ok(t, New(Options{DB: e.db, Region: region, Invoke: InvokeHooks{Runner: pr}}).Resume())
	_, err = e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("f")})
	ok(t, err)
	beta := acct + "/" + region + "/f:beta"
	want := []string{liveID + " 1 1", liveID + " 1 1", liveID + " 0 ", beta + " 1 1", beta + " 0 ", liveID + " 1 1", liveID + " 1 1", liveID + " 0 "}
	if got := pr.calls(); len(got) != len(want) {
		t.Fatalf("provisions asked %q, want %q", got, want)
	} else {
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("call %d: %q, want %q", i, got[i], want[i])
			}
		}
	}
}

// RetireAll retires the environments of every stored config (before a reset).
func TestProvisionedRetireAll(t *testing.T) {
	t.Parallel()
	pr := &fakeProvisioner{ready: true}
	e := newEnvWith(t, func(o *Options) { o.Invoke.Runner = pr })
	e.create("f")
	_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	ok(t, err)
	_, err = e.s.PutProvisionedConcurrencyConfig(e.ctx, &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: ptr("f"),
		Qualifier: ptr("1"), ProvisionedConcurrentExecutions: ptr(int32(1))})
	ok(t, err)
	ok(t, e.s.RetireAll())
	id := acct + "/" + region + "/f:1"
	if got := pr.calls(); len(got) != 2 || got[1] != id+" 0 " {
		t.Errorf("provisions asked %q", got)
	}
}
