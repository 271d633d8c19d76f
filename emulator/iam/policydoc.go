package iam

import (
	"errors"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/storage"
)

// validatePolicy checks a user, group or role inline policy (authz.KindIdentity) or a role trust
// policy (authz.KindTrust) as IAM does on write, answering MalformedPolicyDocument with IAM's
// text. Trust policy principals that name a user or role of the caller's own account must exist,
// as IAM resolves them to unique ids on write (`Invalid principal in policy: "AWS":"<arn>"`,
// aws-samples/aws-iam-access-key-auto-rotation#26); pass tx to check them, or nil to skip.
// ARNs must be of names' partition, and the principals checked are those of its account.
func validatePolicy(tx *storage.Tx, names arn.Scope, doc string, kind authz.Kind) (*authz.Policy, error) {
	p, err := authz.Parser{Partition: names.Partition}.Parse(doc, kind)
	if err != nil {
		return nil, malformed(err)
	}
	if kind == authz.KindTrust && tx != nil {
		if err := checkTrustPrincipals(tx, names, p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// validateManagedPolicy checks a customer managed policy document (CreatePolicy,
// CreatePolicyVersion), which must also declare Version 2012-10-17.
func validateManagedPolicy(names arn.Scope, doc string) error {
	if _, err := (authz.Parser{Partition: names.Partition}).ParseManaged(doc); err != nil {
		return malformed(err)
	}
	return nil
}

func malformed(err error) error {
	var m *authz.MalformedError
	if errors.As(err, &m) {
		return iamapi.ErrMalformedPolicyDocument("%s", m.Message)
	}
	return err
}

// checkTrustPrincipals rejects AWS principals naming a user or role of this account that does
// not exist. Other accounts' principals cannot be checked locally and are accepted.
func checkTrustPrincipals(tx *storage.Tx, names arn.Scope, p *authz.Policy) error {
	for _, st := range p.Statements {
		for _, principal := range st.Principals["AWS"] {
			a, err := arn.Parse(principal)
			if err != nil || !a.InIAM(names) || strings.Contains(a.Resource, "*") {
				continue
			}
			kind, _, name, _ := arn.SplitIAMResource(a.Resource)
			var exists bool
			switch kind {
			case "user":
				u, err := storage.Users(tx).Get(storage.Key(name))
				exists = err == nil && names.User(u.Path, u.Name) == a
			case "role":
				r, err := storage.Roles(tx).Get(storage.Key(name))
				exists = err == nil && names.Role(r.Path, r.Name) == a
			default:
				continue
			}
			if !exists {
				return iamapi.ErrMalformedPolicyDocument(`Invalid principal in policy: "AWS":"%s"`, principal)
			}
		}
	}
	return nil
}
