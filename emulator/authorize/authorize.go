// Package authorize is the authorization step of the request pipeline: it maps an operation
// call to the IAM checks AWS makes (action, resource, condition keys), gathers the caller's
// policies in one read transaction, asks the pure authz engine, records the decision, and
// turns a denial into AWS's AccessDenied error.
package authorize

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/emulator/policyset"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Mode is how decisions are applied (IAMLOCAL_ENFORCE).
type Mode string

const (
	On   Mode = "on"   // deny as AWS would
	Soft Mode = "soft" // evaluate and record, never deny
	Off  Mode = "off"  // do not evaluate
)

// ParseMode reads a mode name; "" means On.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case "", On:
		return On, nil
	case Soft, Off:
		return Mode(s), nil
	}
	return "", fmt.Errorf("enforcement mode %q: want on, soft or off", s)
}

// Options configure an Authorizer.
type Options struct {
	DB    *storage.DB
	Mode  Mode
	Cache *policyset.Cache
	Log   *DecisionLog
	// FunctionPolicy returns the resource-based policy document of a Lambda function ARN
	// (qualified or not), "" when it has none; nil while Lambda keeps no functions.
	FunctionPolicy func(tx *storage.Tx, arn string) (string, error)
	// FunctionTags returns a Lambda function's tags, for aws:ResourceTag/*.
	FunctionTags func(tx *storage.Tx, arn string) (map[string]string, error)
	// LayerVersionPolicy returns the policy document of a Lambda layer version ARN, "" when it
	// has none, for callers of another account.
	LayerVersionPolicy func(tx *storage.Tx, arn string) (string, error)
	// Accounts are the accounts iamlocal serves. A layer version of any other account (AWS's
	// public layers) has permissions iamlocal cannot know, so using one is decided by the
	// caller's policies alone, as the handler accepts it as given.
	Accounts []string
	// Prefixes are the action prefixes of the services served: a caller's policies are
	// pre-filtered for each, so a decision scans only the policies that can name its action.
	Prefixes []string
}

// Authorizer decides every signed request.
type Authorizer struct {
	opts Options
	// principals caches each caller's collected policies until its account next changes
	// (storage generation), so a steady stream of requests compiles nothing and decodes no
	// policy records.
	mu         sync.Mutex
	principals map[principalKey]cachedPrincipal
	shared     atomic.Pointer[sharedKeys] // the most recent request's shared keys
	usage      Usage
	accounts   map[string]bool // Options.Accounts
}

type principalKey struct{ account, kind, arn, session string }

type cachedPrincipal struct {
	gen uint64
	p   *principalPolicies
}

const maxCachedPrincipals = 10000

// New returns an Authorizer.
func New(opts Options) *Authorizer {
	if opts.Mode == "" {
		opts.Mode = On
	}
	if opts.Cache == nil {
		opts.Cache = policyset.NewCache(0)
	}
	if opts.Log == nil {
		opts.Log = NewDecisionLog(1000)
	}
	accounts := make(map[string]bool, len(opts.Accounts))
	for _, id := range opts.Accounts {
		accounts[id] = true
	}
	return &Authorizer{opts: opts, principals: map[principalKey]cachedPrincipal{}, accounts: accounts}
}

// Usage is what each principal's calls that went through used, for Suggest.
func (a *Authorizer) Usage() *Usage { return &a.usage }

// Log is the decision log.
func (a *Authorizer) Log() *DecisionLog { return a.opts.Log }

// Mode is the enforcement mode.
func (a *Authorizer) Mode() Mode { return a.opts.Mode }

// Authorize decides one call of op of svc. It returns nil when allowed (or when enforcement is
// soft or off) and an *awserr.Denial when denied, which the service's dialect words.
func (a *Authorizer) Authorize(ctx context.Context, info *reqctx.Info, svc Service, op string, in any) error {
	if a.opts.Mode == Off || info.Anonymous() {
		return nil
	}
	if svc.unchecked != nil && svc.unchecked(op, info.Caller) {
		return nil
	}
	// Fast path: the caller's policies are cached and the checks need no storage (the common
	// case: self-targeted, list and Lambda operations), so no transaction is opened.
	if p := a.lookupCached(info.Caller); p != nil {
		e := &env{account: info.Caller.Account, region: info.Region, partition: info.Partition, caller: info.Caller, self: p}
		checks := svc.checks(op, in, e)
		if !e.needTx && !needsTrust(checks) && !needsOwner(checks) && !(a.readsFunctions() && needsFunction(checks)) {
			return a.evaluate(nil, info, op, p, checks)
		}
	}
	var denial error
	err := a.opts.DB.View(info.Caller.Account, func(tx *storage.Tx) error {
		p, err := a.cachedPrincipal(tx, info.Caller)
		if err != nil {
			return err
		}
		e := &env{tx: tx, account: info.Caller.Account, region: info.Region, partition: info.Partition, caller: info.Caller, self: p}
		denial, err = a.evaluate(tx, info, op, p, svc.checks(op, in, e)), nil
		if _, ok := awserr.AsDenial(denial); !ok && denial != nil {
			err, denial = denial, nil
		}
		return err
	})
	if err != nil {
		return err
	}
	return denial
}

// evaluate decides the checks in order, records each decision, and returns the first denial
// (under On), or an error from loading a trust policy.
func (a *Authorizer) evaluate(tx *storage.Tx, info *reqctx.Info, op string, p *principalPolicies, checks []check) error {
	keys := a.newRequestKeys(info, p)
	for _, c := range checks {
		v, err := a.decide(tx, info, keys, p, c)
		if err != nil {
			return err
		}
		res := v.Result
		msg := ""
		if res.Decision != authz.Allow {
			msg = message(info.Caller.ARN, c, res)
		}
		a.opts.Log.Add(Decision{Time: info.Now, RequestID: info.RequestID, Principal: info.Caller.ARN,
			Action: c.action, Resource: c.resource, Decision: res.Decision.String(), DecidedBy: kindName(res.DecidedBy),
			Matched: matched(res.Matched), Missing: res.Missing, Mode: string(a.opts.Mode), Message: msg, Operation: op,
			Service: info.Service, CrossAccount: v.cross, Evaluated: v.evaluated})
		if res.Decision != authz.Allow && a.opts.Mode == On {
			return &awserr.Denial{Message: msg}
		}
		a.usage.note(usagePrincipals(info.Caller), c, info.Now)
	}
	return nil
}

// usagePrincipals are the names a call is recorded under: the caller, and for a role session
// its role, so a policy can be suggested for either.
func usagePrincipals(c reqctx.Caller) []string {
	if c.Type == reqctx.AssumedRole && c.RoleARN != "" {
		return []string{c.ARN, c.RoleARN}
	}
	return []string{c.ARN}
}

func (a *Authorizer) readsFunctions() bool {
	return a.opts.FunctionPolicy != nil || a.opts.FunctionTags != nil
}

func needsFunction(checks []check) bool {
	for _, c := range checks {
		if c.function {
			return true
		}
	}
	return false
}

func needsTrust(checks []check) bool {
	for _, c := range checks {
		if c.trustRole != nil {
			return true
		}
	}
	return false
}

// principalPolicies is the caller as the engine sees it, with its policies and tags.
type principalPolicies struct {
	p    authz.Principal
	set  authz.PolicySet
	tags map[string]string
	sess *storage.SessionRecord
	base map[string][]string // principal part of the request context, see principalContext
	// byService holds the policy set pre-filtered for each service the checks act on.
	byService map[string]authz.PolicySet
	ctxCache  atomic.Pointer[ctxEntry]
}

// setFor returns the principal's policies relevant to action's service.
func (p *principalPolicies) setFor(action string) authz.PolicySet {
	svc, _, _ := strings.Cut(action, ":")
	if s, ok := p.byService[authz.LowerASCII(svc)]; ok {
		return s
	}
	return p.set
}

// cachedPrincipal returns the caller's policies, collecting them only when the account changed
// since they were last collected. The generation is read before collecting, so a write racing
// with the collection leaves an entry that the next request sees as stale.
func (a *Authorizer) cachedPrincipal(tx *storage.Tx, c reqctx.Caller) (*principalPolicies, error) {
	gen := a.opts.DB.Generation(c.Account)
	if p := a.lookupCached(c); p != nil {
		return p, nil
	}
	key := keyOf(c)
	p, err := a.principal(tx, c)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	if len(a.principals) >= maxCachedPrincipals {
		clear(a.principals)
	}
	a.principals[key] = cachedPrincipal{gen: gen, p: p}
	a.mu.Unlock()
	return p, nil
}

func keyOf(c reqctx.Caller) principalKey {
	return principalKey{account: c.Account, kind: string(c.Type), arn: c.ARN, session: c.SessionID}
}

// lookupCached returns the caller's cached policies if its account has not changed since.
func (a *Authorizer) lookupCached(c reqctx.Caller) *principalPolicies {
	gen := a.opts.DB.Generation(c.Account)
	a.mu.Lock()
	hit, ok := a.principals[keyOf(c)]
	a.mu.Unlock()
	if ok && hit.gen == gen {
		return hit.p
	}
	return nil
}

func (a *Authorizer) principal(tx *storage.Tx, c reqctx.Caller) (*principalPolicies, error) {
	pp := &principalPolicies{p: authz.Principal{ARN: c.ARN, Account: c.Account, RoleARN: c.RoleARN}}
	var err error
	var ent policyset.Entity
	switch {
	case c.Temporary:
		s, serr := storage.Sessions(tx).Get(c.SessionID)
		if serr != nil {
			return nil, fmt.Errorf("authorize: session %s: %w", c.SessionID, serr)
		}
		pp.sess = &s
		if s.Type != "AssumedRole" && s.UserName == "" {
			pp.p.IsRoot = true // the root user's own GetSessionToken credentials
		}
		pp.set, ent, err = policyset.ForSession(tx, a.opts.Cache, s)
	case c.Type == reqctx.Account:
		pp.p.IsRoot = true
	case c.Type == reqctx.User:
		pp.set, ent, err = policyset.ForUser(tx, a.opts.Cache, c.UserName)
	case c.Type == reqctx.AssumedRole:
		// A role session without credentials: what Lambda checks of a function's execution
		// role before it has assumed it (no request is ever signed as one).
		pp.set, ent, err = policyset.ForRole(tx, a.opts.Cache, c.RoleName)
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return nil, err
	}
	pp.tags = ent.Tags
	pp.base = principalContext(c, pp)
	pp.byService = make(map[string]authz.PolicySet, len(a.opts.Prefixes))
	for _, prefix := range a.opts.Prefixes {
		pp.byService[prefix] = forService(pp.set, prefix)
	}
	return pp, nil
}

// principalContext is the part of the request context that depends only on the principal.
func principalContext(c reqctx.Caller, p *principalPolicies) map[string][]string {
	ctx := map[string][]string{
		"aws:PrincipalAccount":      {c.Account},
		"aws:PrincipalType":         {string(c.Type)},
		"aws:userid":                {c.UserID},
		"aws:PrincipalArn":          {principalARN(c)},
		"aws:PrincipalIsAWSService": {"false"},
		"aws:ViaAWSService":         {"false"},
	}
	if c.Type == reqctx.User {
		ctx["aws:username"] = []string{c.UserName}
	}
	if s := p.sess; s != nil {
		ctx["aws:MultiFactorAuthPresent"] = []string{strconv.FormatBool(s.MFA)}
		if !s.Issued.IsZero() {
			ctx["aws:TokenIssueTime"] = []string{s.Issued.UTC().Format(time.RFC3339)}
		}
		if s.SourceIdent != "" {
			ctx["aws:SourceIdentity"] = []string{s.SourceIdent}
		}
		if s.Provider != "" {
			ctx["aws:FederatedProvider"] = []string{s.Provider}
		}
	}
	for k, v := range p.tags {
		ctx["aws:PrincipalTag/"+k] = []string{v}
	}
	return ctx
}

// decide evaluates one check, with the trust policy as resource-based policy where the check
// names a role, and AWS's cross-account rule (both sides must allow) when the role, or a
// Lambda resource, is in another account.
func (a *Authorizer) decide(tx *storage.Tx, info *reqctx.Info, keys *requestKeys, p *principalPolicies, c check) (verdict, error) {
	req := authz.Request{Principal: p.p, Action: c.action, Resource: c.resource, Context: a.context(keys, p, c)}
	set := p.setFor(c.action)
	// A layer version of an account iamlocal does not serve keeps the caller's own reading
	// (Options.Accounts); every other resource of another account crosses accounts.
	if c.owner != "" && (a.accounts[c.owner] || !c.layerVersion) {
		return a.decideCrossAccount(tx, req, set, keys, p, c)
	}
	if c.function && tx != nil {
		if err := a.functionFacts(tx, &req, &set, keys, p, c, true); err != nil {
			return verdict{}, err
		}
	}
	if c.trustRole == nil {
		return verdict{Result: authz.Evaluate(req, set), evaluated: evaluatedTypes(req.Principal, set)}, nil
	}
	return a.decideTrust(tx, info, req, set, c)
}

// decideTrust evaluates a check with a role's trust policy as its resource-based policy.
func (a *Authorizer) decideTrust(tx *storage.Tx, info *reqctx.Info, req authz.Request, set authz.PolicySet, c check) (verdict, error) {
	trust, err := a.trustPolicy(tx, info.Caller.Account, c.trustRole)
	if err != nil {
		return verdict{}, err
	}
	if c.trustRole.Account == info.Caller.Account {
		set.Resource = trust
		return verdict{Result: authz.Evaluate(req, set), evaluated: evaluatedTypes(req.Principal, set)}, nil
	}
	// Cross-account: the caller's own policies must allow by themselves (a trust policy in
	// another account cannot grant on the caller's side), and then the trust policy must allow
	// too — evaluated together with the identity policies, so a trust policy naming the
	// caller's account root is satisfied by that identity allow ("Cross-account policy
	// evaluation logic").
	if id := authz.Evaluate(req, set); id.Decision != authz.Allow {
		return verdict{Result: id, evaluated: evaluatedTypes(req.Principal, set)}, nil
	}
	set.Resource = trust
	res := authz.Evaluate(req, set)
	if res.Decision != authz.Allow && res.DecidedBy == 0 {
		res.DecidedBy = authz.KindResource
	}
	return verdict{Result: res, evaluated: evaluatedTypes(req.Principal, set)}, nil
}

// functionFacts adds a Lambda function's resource-based policy to the set (when withPolicy)
// and its tags to the context ("Using resource-based policies in Lambda": a same-account
// policy that names the caller allows on its own).
func (a *Authorizer) functionFacts(tx *storage.Tx, req *authz.Request, set *authz.PolicySet, keys *requestKeys, p *principalPolicies, c check, withPolicy bool) error {
	if a.opts.FunctionPolicy != nil && withPolicy {
		doc, err := a.opts.FunctionPolicy(tx, c.resource)
		if err != nil {
			return err
		}
		if err := a.addResourcePolicy(set, c.resource, doc); err != nil {
			return err
		}
	}
	if a.opts.FunctionTags != nil {
		tags, err := a.opts.FunctionTags(tx, c.resource)
		if err != nil {
			return err
		}
		if len(tags) > 0 {
			extra := make(map[string][]string, len(c.ctx)+len(tags))
			for k, v := range c.ctx {
				extra[k] = v
			}
			for k, v := range tags {
				extra["aws:ResourceTag/"+k] = []string{v}
			}
			req.Context = a.buildContext(keys, p, extra)
		}
	}
	return nil
}

func (a *Authorizer) trustPolicy(tx *storage.Tx, callerAccount string, r *roleRef) ([]authz.Named, error) {
	load := func(t *storage.Tx) ([]authz.Named, error) {
		role, err := storage.Roles(t).Get(storage.Key(r.name))
		if errors.Is(err, storage.ErrNotFound) {
			return nil, nil
		} else if err != nil {
			return nil, err
		}
		p, err := a.opts.Cache.Compile(role.TrustPolicy, authz.KindTrust)
		if err != nil {
			return nil, err
		}
		owner := arn.Scope{Partition: r.Partition, Account: t.Account()}
		return []authz.Named{{Name: owner.Role(role.Path, role.Name).String(), Policy: p}}, nil
	}
	if r.Account == callerAccount {
		return load(tx)
	}
	var out []authz.Named
	err := a.opts.DB.View(r.Account, func(t *storage.Tx) error {
		var err error
		out, err = load(t)
		return err
	})
	return out, err
}

// context builds the request context: the global keys AWS sets for every request, the
// principal's tags and session facts, and the check's own keys.
func (a *Authorizer) context(req *requestKeys, p *principalPolicies, c check) map[string][]string {
	if len(c.ctx) == 0 && len(req.extra) == 0 {
		// The common case: no operation-specific keys. The principal's context for this
		// second is built once and shared; the engine only reads it.
		if hit := p.ctxCache.Load(); hit != nil && hit.keys == req.shared {
			return hit.m
		}
		m := a.buildContext(req, p, nil)
		p.ctxCache.Store(&ctxEntry{keys: req.shared, m: m})
		return m
	}
	return a.buildContext(req, p, c.ctx)
}

func (a *Authorizer) buildContext(req *requestKeys, p *principalPolicies, extra map[string][]string) map[string][]string {
	ctx := make(map[string][]string, len(p.base)+len(extra)+len(req.shared.kv)+len(req.extra))
	for k, v := range p.base {
		ctx[k] = v
	}
	for _, kv := range req.shared.kv {
		ctx[kv.key] = kv.values
	}
	for _, kv := range req.extra {
		ctx[kv.key] = kv.values
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

type keyValues struct {
	key    string
	values []string
}

// sharedKeys are the request keys that many requests have in common: the time to the second,
// region, source address and transport. They are built once and reused while they match.
type sharedKeys struct {
	sec    int64
	region string
	ip     string
	secure bool
	kv     []keyValues
}

// ctxEntry is a principal's complete context for one sharedKeys value.
type ctxEntry struct {
	keys *sharedKeys
	m    map[string][]string
}

// requestKeys are the global keys of one request: the shared ones and those of this caller.
type requestKeys struct {
	shared *sharedKeys
	extra  []keyValues
}

func (a *Authorizer) newRequestKeys(info *reqctx.Info, p *principalPolicies) *requestKeys {
	sec := info.Now.Unix()
	shared := a.shared.Load()
	if shared == nil || shared.sec != sec || shared.region != info.Region || shared.ip != info.SourceIP || shared.secure != info.Secure {
		shared = &sharedKeys{sec: sec, region: info.Region, ip: info.SourceIP, secure: info.Secure, kv: []keyValues{
			{"aws:CurrentTime", []string{info.Now.UTC().Format(time.RFC3339)}},
			{"aws:EpochTime", []string{strconv.FormatInt(sec, 10)}},
			{"aws:RequestedRegion", []string{info.Region}},
			{"aws:SecureTransport", []string{strconv.FormatBool(info.Secure)}},
		}}
		if info.SourceIP != "" {
			shared.kv = append(shared.kv, keyValues{"aws:SourceIp", []string{info.SourceIP}})
		}
		a.shared.Store(shared)
	}
	req := &requestKeys{shared: shared}
	if s := p.sess; s != nil && s.MFA && !s.Issued.IsZero() {
		age := int64(info.Now.Sub(s.Issued).Seconds())
		req.extra = append(req.extra, keyValues{"aws:MultiFactorAuthAge", []string{strconv.FormatInt(age, 10)}})
	}
	return req
}

// principalARN is aws:PrincipalArn: a role session is identified by its role's ARN.
func principalARN(c reqctx.Caller) string {
	if c.Type == reqctx.AssumedRole && c.RoleARN != "" {
		return c.RoleARN
	}
	return c.ARN
}

// message renders AWS's denial text for a check.
func message(principal string, c check, res authz.Result) string {
	if c.noReason {
		// sts:AssumeRole denials carry no reason ("User: ... is not authorized to perform:
		// sts:AssumeRole on resource: <role arn>", conformance/errors README).
		return "User: " + principal + " is not authorized to perform: " + c.action + " on resource: " + c.text
	}
	return authz.DenialMessage(principal, c.action, c.text, res)
}

func kindName(k authz.Kind) string {
	if k == 0 {
		return ""
	}
	return k.String()
}

func matched(refs []authz.StmtRef) []MatchedStatement {
	out := make([]MatchedStatement, 0, len(refs))
	for _, r := range refs {
		out = append(out, MatchedStatement{Policy: r.Policy, Type: kindName(r.Kind), Index: r.Index, Sid: r.Sid, Effect: r.Effect})
	}
	return out
}
