package authz

import "strings"

// CrossAccountResult is the outcome of EvaluateCrossAccount: the Result, with DecidedBy the
// policy type AWS names in its denial, and what each account's side decided on its own.
type CrossAccountResult struct {
	Result
	// Identity is the principal's side: its identity-based policies limited by its
	// permissions boundary and session policies. The account root user's side allows unless
	// a policy of the resource's account denies, as its own policies do not apply to it.
	Identity Decision
	// Resource is the resource owner's side: Allow when a statement of its resource-based
	// policies names the principal, its role or its account, ExplicitDeny when one denies it.
	Resource Decision
}

// EvaluateCrossAccount decides a request whose resource belongs to another account than the
// principal's, following "Cross-account policy evaluation logic" in the IAM User Guide: the
// principal's own account must allow the request (identity-based policies, then the
// permissions boundary and session policies, as for any request; the root user needs none),
// and a resource-based policy of the resource's account must allow it too. A statement naming
// the principal's account is enough on the owner's side: it delegates to that account, whose
// identity-based policies then decide. An explicit deny anywhere wins, in Evaluate's order.
//
// Denials name the policy type as AWS words them (captured against Secrets Manager,
// https://dev.classmethod.jp/articles/access-denied-error-message-vpcendpoint-crossaccount/,
// and Lambda's "User: arn:aws:iam::<id>:root is not authorized to perform:
// lambda:GetLayerVersion on resource: <layer of another account> because no resource-based
// policy allows the lambda:GetLayerVersion action", crucial-project/serverless-shell#2):
// "resource-based policy" whenever no resource-based statement names the principal or its
// role, even when the identity side does not allow either (an account-wide grant is no grant
// to the principal itself); the failing identity-side type when one does. Identity and
// Resource keep what each side decided.
//
// The set's trust policies, if any, count as resource-based policies here.
func EvaluateCrossAccount(req Request, set PolicySet) CrossAccountResult {
	e := &evaluator{req: &req, action: LowerASCII(req.Action), ctx: evalCtx{raw: req.Context}}
	o := e.gather(set, req.Principal.IsRoot)
	e.res.Missing = e.ctx.missing
	owner := policyOutcome{allow: max(o.res.allow, o.trust.allow), deny: o.res.deny || o.trust.deny}
	shortfall := identityShortfall(o, set, req.Principal)

	out := CrossAccountResult{Identity: ImplicitDeny, Resource: ImplicitDeny}
	switch {
	case o.id.deny || o.bound.deny || o.sess.deny:
		out.Identity = ExplicitDeny
	case shortfall == 0:
		out.Identity = Allow
	}
	switch {
	case owner.deny:
		out.Resource = ExplicitDeny
	case owner.allow != matchNone:
		out.Resource = Allow
	}
	decide := func(d Decision, k Kind) CrossAccountResult {
		e.res.Decision, e.res.DecidedBy = d, k
		out.Result = e.res
		return out
	}
	for _, side := range []struct {
		out  *policyOutcome
		kind Kind
	}{{&o.id, KindIdentity}, {&o.bound, KindBoundary}, {&o.sess, KindSession}, {&owner, KindResource}} {
		if side.out.deny {
			return decide(ExplicitDeny, side.kind)
		}
	}
	switch {
	case shortfall == 0 && owner.allow != matchNone:
		return decide(Allow, KindResource)
	case owner.allow <= matchAccount:
		return decide(ImplicitDeny, KindResource)
	}
	return decide(ImplicitDeny, shortfall)
}

// identityShortfall is the first identity-side policy type that does not allow the request,
// 0 when that side allows it: identity-based policies, the permissions boundary, then session
// policies (a federated-user session without one is denied, as in Evaluate).
func identityShortfall(o outcomes, set PolicySet, p Principal) Kind {
	switch {
	case p.IsRoot:
		return 0
	case o.id.allow == matchNone:
		return KindIdentity
	case set.Boundary != nil && o.bound.allow == matchNone:
		return KindBoundary
	case set.HasSession && o.sess.allow == matchNone,
		!set.HasSession && strings.Contains(p.ARN, ":federated-user/"):
		return KindSession
	}
	return 0
}
