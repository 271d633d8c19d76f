package ui

import (
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/authorize"
)

// statementRef names a statement as the decision log does: the policy's label (a managed
// policy's ARN, a role's ARN for its trust policy, "user/alice/inline-name" for an inline
// policy, emulator/policyset), the type it played, and its position from 0.
type statementRef struct {
	policy, typ string
	index       int
}

// statementUse sums up the recorded decisions a statement matched in, with the latest one.
type statementUse struct {
	Count     int       `json:"count"`
	Last      time.Time `json:"last"`
	Principal string    `json:"principal"`
	Action    string    `json:"action"`
	Resource  string    `json:"resource"`
	Decision  string    `json:"decision"`
}

// statementUses counts, per statement, the decisions of account that it matched in. A
// decision is the account's when its policy is named by an ARN of the account; a policy named
// otherwise (an inline policy's label, an AWS managed policy's ARN) is the principal's
// account's. Decisions come oldest first, so the last one seen is the latest.
func statementUses(decisions []authorize.Decision, account string) map[statementRef]*statementUse {
	uses := map[statementRef]*statementUse{}
	for _, d := range decisions {
		principal, _ := arn.Parse(d.Principal)
		for _, m := range d.Matched {
			if owner(m.Policy, principal.Account) != account {
				continue
			}
			ref := statementRef{policy: m.Policy, typ: m.Type, index: m.Index}
			u := uses[ref]
			if u == nil {
				u = &statementUse{}
				uses[ref] = u
			}
			u.Count++
			u.Last, u.Principal, u.Action, u.Resource, u.Decision = d.Time, d.Principal, d.Action, d.Resource, d.Decision
		}
	}
	return uses
}

// owner is the account a matched policy belongs to.
func owner(policy, principalAccount string) string {
	if a, err := arn.Parse(policy); err == nil && a.Account != "" && a.Account != "aws" {
		return a.Account
	}
	return principalAccount
}
