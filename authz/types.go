// Package authz parses, validates and evaluates AWS IAM policy documents for a
// single account. It is a pure library: no storage, no network, no clock, no
// logging and no package state besides constant tables. Callers collect the
// policies that apply to a request, compile them once with Parse (at write
// time, which is also where IAM's MalformedPolicyDocument errors come from)
// and call Evaluate for each request.
//
// The evaluation follows the IAM User Guide, "Policy evaluation logic"
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
package authz

// Kind says which policy type a document plays. The same JSON can be valid as
// one kind and invalid as another (a Principal is required in a trust policy
// and forbidden in an identity policy).
type Kind int

// The policy kinds.
const (
	KindIdentity Kind = iota + 1 // inline or managed policy of a user, group or role
	KindResource                 // resource-based policy (for example a Lambda function policy)
	KindTrust                    // role trust policy (AssumeRolePolicyDocument)
	KindBoundary                 // permissions boundary
	KindSession                  // session policy passed to AssumeRole*
)

// String returns a short lower-case name of the kind.
func (k Kind) String() string {
	switch k {
	case KindIdentity:
		return "identity"
	case KindResource:
		return "resource"
	case KindTrust:
		return "trust"
	case KindBoundary:
		return "boundary"
	case KindSession:
		return "session"
	}
	return "none"
}

// MalformedError is returned by Parse. Message is the text IAM returns with
// the MalformedPolicyDocument error code.
type MalformedError struct{ Message string }

func (e *MalformedError) Error() string { return "MalformedPolicyDocument: " + e.Message }

// Principal is the caller of a request.
type Principal struct {
	ARN       string // arn:aws:iam::123456789012:user/path/bob, arn:aws:iam::123456789012:root, arn:aws:sts::123456789012:assumed-role/R/session
	Account   string
	IsRoot    bool   // root of the account: not limited by identity policies
	Service   string // e.g. "lambda.amazonaws.com" when an AWS service principal is the caller (trust policies)
	Federated string // for web identity / SAML trust evaluation
	RoleARN   string // for assumed-role sessions: the role's ARN (trust/resource policies may name the role)
}

// Request is one authorization question.
type Request struct {
	Principal Principal
	Action    string // "iam:CreateUser"
	Resource  string // ARN or "*"
	// Context holds condition keys and their values. Key lookup is
	// case-insensitive. Time arrives as aws:CurrentTime (RFC 3339) and
	// aws:EpochTime.
	Context map[string][]string
}

// Named is a compiled policy with the label reported in results.
type Named struct {
	Name   string // policy ARN or a "user/bob/inline-name"-style label
	Policy *Policy
}

// PolicySet is every policy that applies to a request.
type PolicySet struct {
	Identity   []Named // user inline + attached managed + group inline/attached, or the role's
	Boundary   *Named  // permissions boundary, nil when none
	Session    []Named // session policies; empty with HasSession=false when none
	HasSession bool
	Resource   []Named // resource-based policies of the target; the trust policy when evaluating sts:AssumeRole
}

// Decision is the outcome of Evaluate.
type Decision int

// The decisions.
const (
	ImplicitDeny Decision = iota
	Allow
	ExplicitDeny
)

func (d Decision) String() string {
	switch d {
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "ImplicitDeny"
}

// StmtRef names one statement that matched a request.
type StmtRef struct {
	Policy string // Named.Name
	Kind   Kind
	Index  int // position of the statement in the policy, from 0
	Sid    string
	Effect string // "Allow" or "Deny"
}

// Result is the outcome of Evaluate with the facts needed to explain it.
type Result struct {
	Decision Decision
	// DecidedBy is the policy type whose explicit deny or missing allow
	// decided a denial, or the type whose allow decided an Allow. It is 0
	// when the account root user was allowed without any policy.
	DecidedBy Kind
	Matched   []StmtRef // every matching statement (allows and denies)
	Missing   []string  // context keys a condition referenced but the request lacked
}

// Effect of a statement.
type Effect int

// The effects.
const (
	EffectAllow Effect = iota + 1
	EffectDeny
)

func (e Effect) String() string {
	if e == EffectDeny {
		return "Deny"
	}
	return "Allow"
}

// Policy is a parsed and compiled policy document. It is immutable and safe
// for concurrent use.
type Policy struct {
	Version    string // "2012-10-17" or "2008-10-17" ("2008-10-17" when absent)
	ID         string
	Kind       Kind
	Statements []*Statement
}

// Statement is one compiled statement. The exported fields describe the
// statement as written; matching uses precompiled unexported state.
type Statement struct {
	Sid         string
	Effect      Effect
	Actions     []string // Action or NotAction values
	NotAction   bool
	Resources   []string // Resource or NotResource values; empty when neither is present
	NotResource bool
	// Principals maps a principal type ("AWS", "Service", "Federated",
	// "CanonicalUser", or "*" for the bare "*" form) to its values.
	Principals   map[string][]string
	NotPrincipal bool

	actions    []*pattern
	resources  []*pattern
	principal  *principalSet
	conditions []condition
	vars       bool // policy variables are expanded (Version 2012-10-17)
}
