package authz

import "strings"

// evalCtx is the request context with case-insensitive key lookup, built
// lazily, and the keys conditions looked for but did not find.
type evalCtx struct {
	raw     map[string][]string
	lower   map[string][]string
	missing []string
	// varFailed is set when a policy variable had no value; a statement that
	// needed it in a negated test (NotResource, a negated operator) does not
	// apply ("IAM policy elements: Variables and tags": a value that is not
	// present "causes the statement to be invalid").
	varFailed bool
}

// get looks key up; key is lower case.
func (c *evalCtx) get(key string) ([]string, bool) {
	return c.getAs(key, "")
}

// getAs looks key up, trying first the spelling the policy used (usually
// the caller's too) to avoid building the lower-case index.
func (c *evalCtx) getAs(key, spelled string) ([]string, bool) {
	if spelled != "" {
		if v, ok := c.raw[spelled]; ok {
			return v, true
		}
	}
	if v, ok := c.raw[key]; ok {
		return v, true
	}
	if len(c.raw) == 0 {
		return nil, false
	}
	if c.lower == nil {
		c.lower = make(map[string][]string, len(c.raw))
		for k, v := range c.raw {
			c.lower[strings.ToLower(k)] = v
		}
	}
	v, ok := c.lower[key]
	return v, ok
}

// lookupVar returns the value a policy variable stands for. A key with
// several values cannot serve as a variable.
func (c *evalCtx) lookupVar(key string) (string, bool) {
	v, ok := c.get(key)
	if !ok || len(v) != 1 {
		c.varFailed = true
		return "", false
	}
	return v[0], true
}

func (c *evalCtx) noteMissing(key string) {
	for _, k := range c.missing {
		if strings.EqualFold(k, key) {
			return
		}
	}
	c.missing = append(c.missing, key)
}

type evaluator struct {
	req    *Request
	action string // lower case
	ctx    evalCtx
	res    Result
}

// policyOutcome summarises one policy type.
type policyOutcome struct {
	allow strength // best allow (matchDirect for policies without principals)
	deny  bool
}

func (e *evaluator) policy(n *Named, kind Kind, out *policyOutcome) {
	if n == nil || n.Policy == nil {
		return
	}
	withPrincipal := kind == KindResource || kind == KindTrust
	for i, st := range n.Policy.Statements {
		s, ok := e.statement(st, withPrincipal)
		if !ok {
			continue
		}
		e.res.Matched = append(e.res.Matched, StmtRef{
			Policy: n.Name, Kind: kind, Index: i, Sid: st.Sid, Effect: st.Effect.String(),
		})
		if st.Effect == EffectDeny {
			out.deny = true
		} else {
			out.allow = max(out.allow, s)
		}
	}
}

// statement reports whether st applies to the request, and for policies
// with principals how directly it names the caller.
func (e *evaluator) statement(st *Statement, withPrincipal bool) (strength, bool) {
	hit := false
	for _, a := range st.actions {
		if ok, _ := a.match(e.action, nil); ok {
			hit = true
			break
		}
	}
	if hit == st.NotAction {
		return matchNone, false
	}
	if len(st.resources) > 0 {
		hit = false
		e.ctx.varFailed = false
		for _, r := range st.resources {
			ok, missing := r.match(e.req.Resource, e.ctx.lookupVar)
			if missing != "" {
				e.ctx.noteMissing(missing)
			}
			if ok {
				hit = true
				break
			}
		}
		if hit == st.NotResource || (st.NotResource && e.ctx.varFailed) {
			e.ctx.varFailed = false
			return matchNone, false
		}
	}
	s := matchDirect
	if withPrincipal {
		if st.principal == nil {
			return matchNone, false
		}
		s = st.principal.match(&e.req.Principal)
		if st.NotPrincipal {
			if s != matchNone {
				return matchNone, false
			}
			s = matchDirect
		} else if s == matchNone {
			return matchNone, false
		}
	}
	ok := true
	for i := range st.conditions {
		// Evaluate every condition so Missing lists every absent key.
		c := &st.conditions[i]
		e.ctx.varFailed = false
		if !c.eval(&e.ctx) || (e.ctx.varFailed && c.op.base.negated()) {
			ok = false
		}
	}
	e.ctx.varFailed = false
	if !ok {
		return matchNone, false
	}
	return s, true
}

// Evaluate decides a request against the policies that apply to it,
// following "Policy evaluation logic" and "Policy evaluation for requests
// within a single account" in the IAM User Guide:
//
//   - An explicit Deny in any applicable policy wins. DecidedBy is the first
//     type with a matching Deny in the order identity, boundary, session,
//     resource (trust).
//   - The account root user is allowed unless denied; only resource-based
//     (and trust) policies apply to it, and a trust policy must still allow.
//   - A resource-based policy that names the caller directly (the IAM user
//     ARN, the role session ARN, the federated user ARN, a service or
//     federated principal, or "*") allows regardless of identity policies,
//     the permissions boundary and session policies.
//   - A resource-based policy that names the role of a session or the
//     account stands in for identity-based policies but is limited by the
//     boundary and session policies.
//   - Otherwise identity-based policies must allow, then the boundary (if
//     any), then the session policies (if any; a federated-user session
//     without a session policy is denied).
//   - A trust policy (a resource policy of KindTrust) must always allow;
//     when it names only the account, identity-based policies must allow
//     as well.
//
// For denials without an explicit deny, DecidedBy is the first failing type
// in the order identity (reported when neither identity nor resource-based
// policies allow), trust, boundary, session. A caller without an ARN (a
// service or a web identity) has no identity-based policies, so a missing
// allow is reported against the resource-based or trust policy when one
// was supplied.
func Evaluate(req Request, set PolicySet) Result {
	e := &evaluator{req: &req, action: LowerASCII(req.Action), ctx: evalCtx{raw: req.Context}}
	root := req.Principal.IsRoot
	o := e.gather(set, root)
	id, bound, sess, res, trust, trustPresent := o.id, o.bound, o.sess, o.res, o.trust, o.trustPresent
	e.res.Missing = e.ctx.missing
	deny := func(k Kind) Result { e.res.Decision, e.res.DecidedBy = ImplicitDeny, k; return e.res }
	allow := func(k Kind) Result { e.res.Decision, e.res.DecidedBy = Allow, k; return e.res }
	for _, o := range []struct {
		out  *policyOutcome
		kind Kind
	}{{&id, KindIdentity}, {&bound, KindBoundary}, {&sess, KindSession}, {&res, KindResource}, {&trust, KindTrust}} {
		if o.out.deny {
			e.res.Decision, e.res.DecidedBy = ExplicitDeny, o.kind
			return e.res
		}
	}
	if root {
		if trustPresent {
			if trust.allow == matchNone {
				return deny(KindTrust)
			}
			return allow(KindTrust)
		}
		return allow(0)
	}
	idAllow := id.allow != matchNone
	boundaryOK := set.Boundary == nil || bound.allow != matchNone
	sessionOK := true
	if set.HasSession {
		sessionOK = sess.allow != matchNone
	} else if strings.Contains(req.Principal.ARN, ":federated-user/") {
		sessionOK = false
	}
	// limited applies the boundary and session policies to an allow that
	// does not name the caller directly.
	limited := func(k Kind) Result {
		if !boundaryOK {
			return deny(KindBoundary)
		}
		if !sessionOK {
			return deny(KindSession)
		}
		return allow(k)
	}
	// A service or web identity caller has no identity-based policies: the
	// resource-based (trust) policy alone decides for it.
	noIdentity := req.Principal.ARN == ""
	if trustPresent {
		switch trust.allow {
		case matchDirect:
			return allow(KindTrust)
		case matchRole:
			return limited(KindTrust)
		case matchAccount:
			if !idAllow {
				return deny(KindIdentity)
			}
			return limited(KindIdentity)
		}
		if !idAllow && !noIdentity {
			return deny(KindIdentity)
		}
		return deny(KindTrust)
	}
	if res.allow == matchDirect {
		return allow(KindResource)
	}
	if idAllow {
		return limited(KindIdentity)
	}
	if res.allow != matchNone {
		return limited(KindResource)
	}
	if noIdentity && len(set.Resource) > 0 {
		return deny(KindResource)
	}
	return deny(KindIdentity)
}

// outcomes are the statements' verdicts per policy type.
type outcomes struct {
	id, bound, sess, res, trust policyOutcome
	trustPresent                bool
}

// gather evaluates every statement of every policy of the set (the identity-side ones only for
// a caller other than the root user, whose own policies do not apply).
func (e *evaluator) gather(set PolicySet, root bool) outcomes {
	var o outcomes
	if !root {
		for i := range set.Identity {
			e.policy(&set.Identity[i], KindIdentity, &o.id)
		}
		if set.Boundary != nil {
			e.policy(set.Boundary, KindBoundary, &o.bound)
		}
		if set.HasSession {
			for i := range set.Session {
				e.policy(&set.Session[i], KindSession, &o.sess)
			}
		}
	}
	for i := range set.Resource {
		n := &set.Resource[i]
		if n.Policy != nil && n.Policy.Kind == KindTrust {
			o.trustPresent = true
			e.policy(n, KindTrust, &o.trust)
		} else {
			e.policy(n, KindResource, &o.res)
		}
	}
	return o
}

// DenialMessage renders AWS's AccessDenied message for a denied result
// ("Troubleshoot access denied error messages"):
//
//	User: <principalArn> is not authorized to perform: <action> on resource: <resource> because no identity-based policy allows the <action> action
//
// An empty resourceText omits " on resource: ...". For an allowed result it
// returns "".
func DenialMessage(principalARN, action, resourceText string, r Result) string {
	if r.Decision == Allow {
		return ""
	}
	var b strings.Builder
	b.WriteString("User: ")
	b.WriteString(principalARN)
	b.WriteString(" is not authorized to perform: ")
	b.WriteString(action)
	if resourceText != "" {
		b.WriteString(" on resource: ")
		b.WriteString(resourceText)
	}
	if r.Decision == ExplicitDeny {
		switch r.DecidedBy {
		case KindIdentity:
			b.WriteString(" with an explicit deny in an identity-based policy")
		case KindBoundary:
			b.WriteString(" with an explicit deny in a permissions boundary")
		case KindSession:
			b.WriteString(" with an explicit deny in a sessions policy")
		case KindResource, KindTrust:
			b.WriteString(" with an explicit deny in a resource-based policy")
		}
		return b.String()
	}
	var what string
	switch r.DecidedBy {
	case KindIdentity:
		what = "identity-based policy"
	case KindBoundary:
		what = "permissions boundary"
	case KindSession:
		what = "session policy"
	case KindResource, KindTrust:
		what = "resource-based policy"
	default:
		return b.String()
	}
	b.WriteString(" because no ")
	b.WriteString(what)
	b.WriteString(" allows the ")
	b.WriteString(action)
	b.WriteString(" action")
	return b.String()
}
