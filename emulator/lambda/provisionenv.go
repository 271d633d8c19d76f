package lambda

import (
	"context"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/storage"
)

// The environments behind provisioned concurrency configs. A config of a version or alias is
// a provision of the Runner (executor.Provision) under the id of the account, Region,
// function and qualifier, holding that many environments of the version the qualifier names,
// configured as its invocations are (the same role credentials), so those invocations reuse
// them first: warm, their REPORT without Init Duration ("Configuring provisioned
// concurrency": such environments are initialised in advance). Statuses as the API
// Reference's ProvisionedConcurrencyConfig has them: IN_PROGRESS while environments are
// being initialised, READY once all are, FAILED (with a StatusReason) when one cannot be.
// Every invocation of the qualifier keeps the provision in step with its configuration
// (renewed credentials, an alias moved to another version); deleting the config, its alias,
// version or function retires the environments; a server start provisions every stored config
// again.

const (
	provisionedReady      = "READY"
	provisionedInProgress = "IN_PROGRESS"
	provisionedFailed     = "FAILED"
)

// provisionErrors keeps why provisions could not be asked for (an unknown runtime, a role
// Lambda cannot assume), which the Runner never saw.
type provisionErrors struct {
	mu sync.Mutex
	m  map[string]string
}

func (p *provisionErrors) set(id, reason string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if reason == "" {
		delete(p.m, id)
		return
	}
	if p.m == nil {
		p.m = map[string]string{}
	}
	p.m[id] = reason
}

func (p *provisionErrors) get(id string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.m[id]
}

// provisionID names the provision of a function's qualifier.
func provisionID(where arn.Scope, function, qualifier string) string {
	return where.Account + "/" + where.Region + "/" + function + ":" + qualifier
}

// provisioner is the Runner's provisioning, nil when it has none.
func (s *Service) provisioner() Provisioner {
	p, _ := s.hooks.Runner.(Provisioner)
	return p
}

// provisionState is a config's Status, StatusReason and allocated environments.
type provisionState struct {
	status    string
	allocated int32
	reason    *string
}

// provision asks the Runner for want environments of t's version and, when wait, waits (at
// most Options.ProvisionWait) for them to be initialised.
func (s *Service) provision(ctx context.Context, t target, want int32, now time.Time, wait bool) provisionState {
	pr := s.provisioner()
	if pr == nil {
		return s.provisionedState(t, want)
	}
	id := provisionID(t.scope(), t.name, t.qualifier)
	p, err := s.prepare(t.scope(), t.name, t.qualifier, now, true)
	if err == nil {
		err = pr.Provision(ctx, id, p.fn, int(want))
	}
	if err != nil {
		s.provisionErrs.set(id, err.Error())
		return s.provisionedState(t, want)
	}
	s.provisionErrs.set(id, "")
	if wait {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.provisionWait)
		defer cancel()
		pr.WaitProvisioned(ctx, id)
	}
	return s.provisionedState(t, want)
}

// provisionedState is the state of t's config of requested environments.
func (s *Service) provisionedState(t target, requested int32) provisionState {
	pr := s.provisioner()
	if pr == nil {
		return provisionState{status: provisionedReady, allocated: requested}
	}
	id := provisionID(t.scope(), t.name, t.qualifier)
	if reason := s.provisionErrs.get(id); reason != "" {
		return provisionState{status: provisionedFailed, reason: ptr(reason)}
	}
	st := pr.ProvisionState(id)
	ready := int32(min(st.Ready, int(requested)))
	switch {
	case st.Failure != "":
		return provisionState{status: provisionedFailed, allocated: ready, reason: ptr(st.Failure)}
	case st.Wanted > 0 && ready >= requested:
		return provisionState{status: provisionedReady, allocated: ready}
	}
	return provisionState{status: provisionedInProgress, allocated: ready}
}

// keepProvisioned keeps the provision of an invoked qualifier in step with the configuration
// it is invoked with; nothing changes when it already is.
func (s *Service) keepProvisioned(ctx context.Context, p prepared) {
	pr := s.provisioner()
	if pr == nil || p.provisioned <= 0 {
		return
	}
	where := arn.Scope{Partition: s.partition, Region: p.fn.Region, Account: p.fn.Account}
	if err := pr.Provision(ctx, provisionID(where, p.fn.Name, p.qualifier), p.fn, int(p.provisioned)); err != nil {
		s.log.Warn("provisioned concurrency", "function", p.fn.Name, "qualifier", p.qualifier, "err", err)
	}
}

// unprovision retires the environments of the function's qualifiers.
func (s *Service) unprovision(where arn.Scope, function string, qualifiers ...string) {
	pr := s.provisioner()
	if pr == nil {
		return
	}
	for _, q := range qualifiers {
		id := provisionID(where, function, q)
		s.provisionErrs.set(id, "")
		if err := pr.Provision(context.Background(), id, executor.Function{}, 0); err != nil {
			s.log.Warn("retire provisioned concurrency", "function", function, "qualifier", q, "err", err)
		}
	}
}

// provisionedQualifiers lists the qualifiers of a function's provisioned configs (for the
// deletions that take them away).
func provisionedQualifiers(tx *storage.Tx, function string) ([]string, error) {
	return storage.LambdaProvisioned(tx, function).Keys("")
}

// resumeProvisioned provisions every stored config again (Server start); it does not wait.
func (s *Service) resumeProvisioned() error {
	refs, err := s.db.LambdaFunctionsWithProvisioned()
	if err != nil || s.provisioner() == nil {
		return err
	}
	for _, ref := range refs {
		t := target{partition: s.partition, account: ref.Account, region: ref.Region, name: ref.Function}
		var recs []storage.LambdaProvisionedRecord
		err := s.view(t.scope(), func(tx *storage.Tx) error {
			return storage.LambdaProvisioned(tx, ref.Function).Scan("", func(_ string, r storage.LambdaProvisionedRecord) error {
				recs = append(recs, r)
				return nil
			})
		})
		if err != nil {
			return err
		}
		for _, r := range recs {
			qt := t
			qt.qualifier = r.Qualifier
			s.provision(context.Background(), qt, r.Requested, s.clock(), false)
		}
	}
	return nil
}

// RetireAll retires the environments of every stored provisioned concurrency config: the
// server calls it before a reset deletes the configs.
func (s *Service) RetireAll() error {
	refs, err := s.db.LambdaFunctionsWithProvisioned()
	if err != nil || s.provisioner() == nil {
		return err
	}
	for _, ref := range refs {
		where := arn.Scope{Partition: s.partition, Region: ref.Region, Account: ref.Account}
		var qualifiers []string
		if err := s.view(where, func(tx *storage.Tx) (err error) {
			qualifiers, err = provisionedQualifiers(tx, ref.Function)
			return err
		}); err != nil {
			return err
		}
		s.unprovision(where, ref.Function, qualifiers...)
	}
	return nil
}
