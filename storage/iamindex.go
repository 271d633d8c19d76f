package storage

import (
	"bytes"
	"strings"
)

// The indexes of the IAM tables (index.go explains how tables keep them). Each bucket is keyed
// so that one question is a prefix scan in the order IAM lists the answer.
const (
	bucketPolicyAttached = "iam.policyattached" // Join(policy ARN, kind, Key(entity)), from Attachments
	bucketPolicyBounds   = "iam.policybounds"   // Join(policy ARN, kind, Key(entity)), from Users and Roles
	bucketPolicyARNs     = "iam.policyarns"     // policy ARN, from Policies
	bucketUserKeys       = "iam.userkeys"       // Join(Key(user), key id), from AccessKeys; user "" is root
	bucketUserMFA        = "iam.usermfa"        // Join(Key(user), Key(device)), from MFADevices
	bucketRoleProfiles   = "iam.roleprofiles"   // Join(Key(role), Key(profile)), from InstanceProfiles
)

// The index declarations are read-only after package initialisation.
var (
	userIndexes = []index[UserRecord]{accountIndex(bucketPolicyBounds, func(key string, u UserRecord) []string {
		return boundaryKeys(u.Boundary, KindUser, key)
	})}
	roleIndexes = []index[RoleRecord]{accountIndex(bucketPolicyBounds, func(key string, r RoleRecord) []string {
		return boundaryKeys(r.Boundary, KindRole, key)
	})}
	attachmentIndexes = []index[AttachmentRecord]{accountIndex(bucketPolicyAttached, func(key string, _ AttachmentRecord) []string {
		parts := strings.SplitN(key, sep, 3)
		if len(parts) != 3 {
			return nil
		}
		return []string{Join(parts[2], parts[0], parts[1])}
	})}
	policyIndexes = []index[PolicyRecord]{accountIndex(bucketPolicyARNs, func(_ string, p PolicyRecord) []string {
		return []string{p.ARN}
	})}
	mfaIndexes = []index[MFADeviceRecord]{accountIndex(bucketUserMFA, func(key string, d MFADeviceRecord) []string {
		if d.User == "" {
			return nil
		}
		return []string{Join(Key(d.User), key)}
	})}
	profileIndexes = []index[InstanceProfileRecord]{accountIndex(bucketRoleProfiles, func(key string, p InstanceProfileRecord) []string {
		out := make([]string, 0, len(p.Roles))
		for _, r := range p.Roles {
			out = append(out, Join(Key(r), key))
		}
		return out
	})}
	// Access keys are global; their owner index lives in the key's own account.
	accessKeyIndexes = []index[AccessKeyRecord]{{
		at: func(tx *Tx, k AccessKeyRecord) Table[IndexRecord] {
			return AccountTable[IndexRecord](tx.In(k.Account), bucketUserKeys)
		},
		keys: func(key string, k AccessKeyRecord) []string {
			if k.Account == "" {
				return nil
			}
			return []string{Join(Key(k.UserName), key)}
		},
	}}
)

func boundaryKeys(arn, kind, key string) []string {
	if arn == "" {
		return nil
	}
	return []string{Join(arn, kind, key)}
}

func indexedTable[T any](tx *Tx, name string, indexes []index[T]) Table[T] {
	t := AccountTable[T](tx, name)
	t.indexes = indexes
	return t
}

// PoliciesByARN reads the account's customer managed policies whose ARN starts with arnPrefix,
// in ARN order (the order ListPolicies answers); row keys are the ARNs less arnPrefix.
func PoliciesByARN(tx *Tx, arnPrefix string) Indexed[PolicyRecord] {
	return Indexed[PolicyRecord]{index: AccountTable[IndexRecord](tx, bucketPolicyARNs), prefix: arnPrefix, primary: Policies(tx)}
}

// Use is how an entity uses a managed policy.
type Use uint8

const (
	UseAttached Use = iota // attached as a permissions policy
	UseBoundary            // set as the permissions boundary of a user or role
)

// EntityRef names a user, group or role by kind and storage key (Key(name)).
type EntityRef struct {
	Kind string
	Key  string
}

// PolicyUse answers which entities use which managed policies (customer or AWS), from the
// indexes that Attachments, Users and Roles keep.
type PolicyUse struct{ tx *Tx }

// PolicyUsage is the transaction's policy use index.
func PolicyUsage(tx *Tx) PolicyUse { return PolicyUse{tx: tx} }

func (u PolicyUse) table(use Use) Table[IndexRecord] {
	if use == UseBoundary {
		return AccountTable[IndexRecord](u.tx, bucketPolicyBounds)
	}
	return AccountTable[IndexRecord](u.tx, bucketPolicyAttached)
}

// Count is how many entities use the policy arn that way.
func (u PolicyUse) Count(arn string, use Use) int { return u.table(use).Count(Prefix(arn)) }

// Entities pages the entities that use the policy arn, ordered by kind ("group" < "role" <
// "user") and then key, from the row key Join(kind, key) from on. keep (nil: all) filters.
func (u PolicyUse) Entities(arn string, use Use, from string, limit int, keep func(EntityRef) (bool, error)) (Page[EntityRef], error) {
	walk := func(fn func(string, EntityRef) (bool, error)) error {
		return u.table(use).Walk(Prefix(arn), from, func(key string, _ IndexRecord) (bool, error) {
			kind, k, _ := strings.Cut(key, sep)
			return fn(key, EntityRef{Kind: kind, Key: k})
		})
	}
	var accept func(string, EntityRef) (bool, error)
	if keep != nil {
		accept = func(_ string, e EntityRef) (bool, error) { return keep(e) }
	}
	return collectPage(limit, accept, walk)
}

// Each calls fn for every entity that uses the policy arn that way, in the order of Entities.
func (u PolicyUse) Each(arn string, use Use, fn func(EntityRef) error) error {
	return u.table(use).Walk(Prefix(arn), "", func(key string, _ IndexRecord) (bool, error) {
		kind, k, _ := strings.Cut(key, sep)
		return true, fn(EntityRef{Kind: kind, Key: k})
	})
}

// Policies calls fn, in ARN order, for each policy ARN starting with arnPrefix, from
// arnPrefix+from on, that some entity uses that way, until fn answers false. It reads one
// index entry per policy, however many entities use it.
func (u PolicyUse) Policies(use Use, arnPrefix, from string, fn func(arn string) (bool, error)) error {
	t := u.table(use)
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil || b == nil {
		return err
	}
	p := []byte(arnPrefix)
	c := b.Cursor()
	for k, _ := c.Seek([]byte(arnPrefix + from)); k != nil && bytes.HasPrefix(k, p); {
		arn, _, _ := strings.Cut(string(k), sep)
		if more, err := fn(arn); err != nil || !more {
			return err
		}
		k, _ = c.Seek([]byte(arn + "\x01")) // past every entry of this policy
	}
	return nil
}
