package authz

import (
	"slices"
	"strings"
	"testing"
)

// Metamorphic properties checked over every corpus case ("Policy
// evaluation logic": an explicit deny overrides any allow; evaluation does
// not depend on statement order; allows only ever add permissions).

type corpusRun struct {
	name string
	req  Request
	set  PolicySet
}

func corpusRuns(t *testing.T) []corpusRun {
	var runs []corpusRun
	for file, f := range loadCorpus(t) {
		for _, c := range f.Cases {
			runs = append(runs, corpusRun{file + "/" + c.Name, c.request(t), c.policySet(t)})
		}
	}
	return runs
}

// mapPolicies returns a copy of set with fn applied to every policy.
func mapPolicies(set PolicySet, fn func(*Policy) *Policy) PolicySet {
	m := func(ns []Named) []Named {
		if ns == nil {
			return nil
		}
		out := make([]Named, len(ns))
		for i, n := range ns {
			out[i] = Named{n.Name, fn(n.Policy)}
		}
		return out
	}
	out := PolicySet{Identity: m(set.Identity), Session: m(set.Session), HasSession: set.HasSession, Resource: m(set.Resource)}
	if set.Boundary != nil {
		out.Boundary = &Named{set.Boundary.Name, fn(set.Boundary.Policy)}
	}
	return out
}

func TestPropertyDenyAllWins(t *testing.T) {
	t.Parallel()
	idDeny := mustParse(t, KindIdentity, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}`)
	resDeny := mustParse(t, KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)
	for _, run := range corpusRuns(t) {
		set := run.set
		set.Resource = append(slices.Clone(set.Resource), Named{"deny-all", resDeny})
		if r := Evaluate(run.req, set); r.Decision != ExplicitDeny || r.DecidedBy != KindResource && r.DecidedBy != KindIdentity &&
			r.DecidedBy != KindBoundary && r.DecidedBy != KindSession {
			t.Errorf("%s: resource Deny *: got %v by %v", run.name, r.Decision, r.DecidedBy)
		}
		if run.req.Principal.IsRoot {
			continue // root has no identity-based policies
		}
		set = run.set
		set.Identity = append(slices.Clone(set.Identity), Named{"deny-all", idDeny})
		if r := Evaluate(run.req, set); r.Decision != ExplicitDeny || r.DecidedBy != KindIdentity {
			t.Errorf("%s: identity Deny *: got %v by %v", run.name, r.Decision, r.DecidedBy)
		}
	}
}

func TestPropertyOrderIndependent(t *testing.T) {
	t.Parallel()
	reverse := func(p *Policy) *Policy {
		q := *p
		q.Statements = slices.Clone(p.Statements)
		slices.Reverse(q.Statements)
		return &q
	}
	for _, run := range corpusRuns(t) {
		base := Evaluate(run.req, run.set)
		set := mapPolicies(run.set, reverse)
		slices.Reverse(set.Identity)
		slices.Reverse(set.Session)
		slices.Reverse(set.Resource)
		r := Evaluate(run.req, set)
		if r.Decision != base.Decision || r.DecidedBy != base.DecidedBy || len(r.Matched) != len(base.Matched) {
			t.Errorf("%s: reordered gives %v by %v, want %v by %v", run.name, r.Decision, r.DecidedBy, base.Decision, base.DecidedBy)
		}
		a, b := slices.Clone(r.Missing), slices.Clone(base.Missing)
		slices.Sort(a)
		slices.Sort(b)
		if !slices.Equal(a, b) {
			t.Errorf("%s: missing %v, want %v", run.name, a, b)
		}
	}
}

func TestPropertyRemovingAllowNeverAllows(t *testing.T) {
	t.Parallel()
	for _, run := range corpusRuns(t) {
		base := Evaluate(run.req, run.set)
		// Remove each Allow statement in turn.
		var targets []*Policy
		for _, n := range run.set.Identity {
			targets = append(targets, n.Policy)
		}
		for _, n := range run.set.Session {
			targets = append(targets, n.Policy)
		}
		for _, n := range run.set.Resource {
			targets = append(targets, n.Policy)
		}
		if run.set.Boundary != nil {
			targets = append(targets, run.set.Boundary.Policy)
		}
		for _, target := range targets {
			for i, st := range target.Statements {
				if st.Effect != EffectAllow {
					continue
				}
				set := mapPolicies(run.set, func(p *Policy) *Policy {
					if p != target {
						return p
					}
					q := *p
					q.Statements = slices.Delete(slices.Clone(p.Statements), i, i+1)
					return &q
				})
				r := Evaluate(run.req, set)
				if base.Decision != Allow && r.Decision == Allow {
					t.Errorf("%s: removing Allow statement %d turned %v into Allow", run.name, i, base.Decision)
				}
			}
		}
		// Removing every Allow leaves only root allowed (without a trust policy).
		set := mapPolicies(run.set, func(p *Policy) *Policy {
			q := *p
			q.Statements = slices.DeleteFunc(slices.Clone(p.Statements), func(s *Statement) bool { return s.Effect == EffectAllow })
			return &q
		})
		r := Evaluate(run.req, set)
		if r.Decision == Allow && !run.req.Principal.IsRoot {
			t.Errorf("%s: Allow with every Allow statement removed", run.name)
		}
		if strings.Contains(run.name, "root") && run.req.Principal.IsRoot && r.Decision == Allow && r.DecidedBy == KindTrust {
			t.Errorf("%s: root allowed by a trust policy without Allow statements", run.name)
		}
	}
}

// Crossing an account boundary only takes permissions away ("Cross-account policy evaluation
// logic": both accounts must allow, where one account's allow is enough): over every corpus
// case, EvaluateCrossAccount allows only what Evaluate allows, never allows without a
// resource-based policy, and denies explicitly under a resource-based Deny on everything.
func TestPropertyCrossAccountOnlyNarrows(t *testing.T) {
	t.Parallel()
	resDeny := mustParse(t, KindResource, `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":"*","Action":"*","Resource":"*"}]}`)
	for _, run := range corpusRuns(t) {
		cross := EvaluateCrossAccount(run.req, run.set)
		if same := Evaluate(run.req, run.set); cross.Decision == Allow && same.Decision != Allow {
			t.Errorf("%s: cross-account Allow where the same account gives %v by %v", run.name, same.Decision, same.DecidedBy)
		}
		if (cross.Decision == Allow) != (cross.Identity == Allow && cross.Resource == Allow) {
			t.Errorf("%s: %v with sides identity %v, resource %v", run.name, cross.Decision, cross.Identity, cross.Resource)
		}
		set := run.set
		set.Resource = nil
		if r := EvaluateCrossAccount(run.req, set); r.Decision == Allow || r.Resource != ImplicitDeny {
			t.Errorf("%s: without resource-based policies: %v, resource side %v", run.name, r.Decision, r.Resource)
		}
		set.Resource = []Named{{"deny-all", resDeny}}
		if r := EvaluateCrossAccount(run.req, set); r.Decision != ExplicitDeny || r.Resource != ExplicitDeny {
			t.Errorf("%s: resource Deny *: %v, resource side %v", run.name, r.Decision, r.Resource)
		}
	}
}
