package storage

import (
	"bytes"
	"errors"
	"strings"
	"time"
)

// The tables that belong to each kind of entity, declared once. Entity.MoveTo (a rename),
// Entity.Delete and Entity.Purge iterate these lists, so a child table added to a list is
// carried along by UpdateUser/UpdateGroup and checked by DeleteUser/DeleteGroup/DeleteRole with
// no other change. The order is the order of IAM's delete checks: the first table that still
// holds records names the conflict.

// ownedTable is one table whose records belong to an entity.
type ownedTable struct {
	what string // the records, for tests and messages
	// conflict is the DeleteConflict message AWS answers while such records exist; "" when they
	// do not block a delete, and Delete removes them with the entity.
	conflict string
	present  func(e Entity) bool
	move     func(e Entity, newName string) error // re-key to the new name, which records also carry
	purge    func(e Entity) error                 // remove the entity's records
}

// ConflictError is a delete refused because the entity still owns records. Message is the text
// AWS answers (a DeleteConflict).
type ConflictError struct{ Message string }

func (e *ConflictError) Error() string { return "storage: " + e.Message }
func (e *ConflictError) Unwrap() error { return ErrConflict }

// MoveTo carries every record the entity owns to the name newName (a rename; newName may differ
// from the current name only in case). The entity's own record is the caller's to move.
func (e Entity) MoveTo(newName string) error {
	for _, o := range e.owned {
		if err := o.move(e, newName); err != nil {
			return err
		}
	}
	return nil
}

// Delete removes the entity's own record and the owned records that do not block a delete. While
// a blocking table holds records it answers a *ConflictError for the first, and changes nothing.
func (e Entity) Delete() error {
	for _, o := range e.owned {
		if o.conflict != "" && o.present(e) {
			return &ConflictError{Message: o.conflict}
		}
	}
	for _, o := range e.owned {
		if o.conflict == "" {
			if err := o.purge(e); err != nil {
				return err
			}
		}
	}
	return e.deleteRecord()
}

// Purge removes the entity with everything it owns, blocking or not (DeleteServiceLinkedRole,
// which AWS completes with the role's policies).
func (e Entity) Purge() error {
	for _, o := range e.owned {
		if err := o.purge(e); err != nil {
			return err
		}
	}
	return e.deleteRecord()
}

func (e Entity) deleteRecord() error {
	switch e.kind {
	case KindUser:
		return Users(e.tx).Delete(e.key)
	case KindGroup:
		return Groups(e.tx).Delete(e.key)
	default:
		return Roles(e.tx).Delete(e.key)
	}
}

// renamed is the same entity under newName.
func (e Entity) renamed(newName string) Entity {
	e.key = Key(newName)
	return e
}

// The DeleteConflict texts are AWS's. DeleteUser reports inline policies before access keys (as
// observed on AWS); SSH keys and service-specific credentials get the generic "referenced
// objects" text (localstack recorded delete-user-existing-credential; rebuy-de/aws-nuke#470).
// DeleteRole's order and texts are those of recorded AWS responses (LocalStack IAM parity
// snapshots, test_iam_roles: test_delete_role_with_*). A permissions boundary does not block a
// delete: it is a field of the entity's own record.
const (
	conflictInline     = "Cannot delete entity, must delete policies first."
	conflictAttached   = "Cannot delete entity, must detach all policies first."
	conflictMembers    = "Cannot delete entity, must remove users from group first."
	conflictReferenced = "Cannot delete entity, must remove referenced objects first."
)

var (
	userOwned = []ownedTable{
		keyedOwned("inline policies", conflictInline, InlinePolicies, kindPrefix, nil),
		keyedOwned("attached policies", conflictAttached, Attachments, kindPrefix, nil),
		userMemberships,
		userLoginProfile,
		userAccessKeys,
		userMFADevices,
		keyedOwned("signing certificates", "Cannot delete entity, must delete signing certificates first.",
			SigningCerts, ownerPrefix, func(r *SigningCertRecord, name string) { r.User = name }),
		keyedOwned("SSH public keys", conflictReferenced,
			SSHKeys, ownerPrefix, func(r *SSHKeyRecord, name string) { r.User = name }),
		// The service user name ("alice-at-<account>") keeps the old name, as AWS's does.
		keyedOwned("service-specific credentials", conflictReferenced,
			ServiceCreds, ownerPrefix, func(r *ServiceCredRecord, name string) { r.User = name }),
	}
	groupOwned = []ownedTable{
		groupMemberships,
		keyedOwned("inline policies", conflictInline, InlinePolicies, kindPrefix, nil),
		keyedOwned("attached policies", conflictAttached, Attachments, kindPrefix, nil),
	}
	roleOwned = []ownedTable{
		keyedOwned("attached policies", conflictAttached, Attachments, kindPrefix, nil),
		keyedOwned("inline policies", conflictInline, InlinePolicies, kindPrefix, nil),
		roleInstanceProfiles,
	}
)

func kindPrefix(e Entity) string  { return Prefix(e.kind, e.key) }
func ownerPrefix(e Entity) string { return Prefix(e.key) }

// keyedOwned declares a table whose records of an entity are keyed prefix(e)+id; setOwner (nil:
// none) writes the new display name into a moved record.
func keyedOwned[T any](what, conflict string, table func(*Tx) Table[T], prefix func(Entity) string, setOwner func(*T, string)) ownedTable {
	return ownedTable{
		what: what, conflict: conflict,
		present: func(e Entity) bool { return table(e.tx).anyUnder(prefix(e)) },
		move: func(e Entity, newName string) error {
			var fix func(*T)
			if setOwner != nil {
				fix = func(v *T) { setOwner(v, newName) }
			}
			return movePrefix(table(e.tx), prefix(e), prefix(e.renamed(newName)), fix)
		},
		purge: func(e Entity) error { return table(e.tx).DeletePrefix(prefix(e)) },
	}
}

// Memberships are stored in both directions; each side's declaration moves the other's too.
var (
	userMemberships = ownedTable{
		what: "group memberships", conflict: conflictMembers,
		present: func(e Entity) bool { return UserGroups(e.tx).anyUnder(Prefix(e.key)) },
		move: func(e Entity, newName string) error {
			return moveMemberships(UserGroups(e.tx), GroupMembers(e.tx), e.key, Key(newName),
				func(m *MembershipRecord) { m.User = newName }, func(m MembershipRecord) string { return m.Group })
		},
		purge: func(e Entity) error {
			return purgeMemberships(UserGroups(e.tx), GroupMembers(e.tx), e.key, MembershipRecord.group)
		},
	}
	groupMemberships = ownedTable{
		what: "group members", conflict: conflictMembers,
		present: func(e Entity) bool { return GroupMembers(e.tx).anyUnder(Prefix(e.key)) },
		move: func(e Entity, newName string) error {
			return moveMemberships(GroupMembers(e.tx), UserGroups(e.tx), e.key, Key(newName),
				func(m *MembershipRecord) { m.Group = newName }, func(m MembershipRecord) string { return m.User })
		},
		purge: func(e Entity) error {
			return purgeMemberships(GroupMembers(e.tx), UserGroups(e.tx), e.key, MembershipRecord.user)
		},
	}
)

func (m MembershipRecord) user() string  { return m.User }
func (m MembershipRecord) group() string { return m.Group }

// moveMemberships re-keys the memberships of oldKey on its own side (keyed Join(own, other)) and
// on the other side (keyed Join(other, own)), where only the exact key moves: a prefix would take
// the memberships of other names that start with this one along.
func moveMemberships(own, other Table[MembershipRecord], oldKey, newKey string, fix func(*MembershipRecord), otherName func(MembershipRecord) string) error {
	var others []string
	if err := own.Scan(Prefix(oldKey), func(_ string, m MembershipRecord) error {
		others = append(others, Key(otherName(m)))
		return nil
	}); err != nil {
		return err
	}
	for _, o := range others {
		if err := moveKey(other, Join(o, oldKey), Join(o, newKey), fix); err != nil {
			return err
		}
	}
	return movePrefix(own, Prefix(oldKey), Prefix(newKey), fix)
}

func purgeMemberships(own, other Table[MembershipRecord], key string, otherName func(MembershipRecord) string) error {
	var others []string
	if err := own.Scan(Prefix(key), func(_ string, m MembershipRecord) error {
		others = append(others, Key(otherName(m)))
		return nil
	}); err != nil {
		return err
	}
	for _, o := range others {
		if err := other.Delete(Join(o, key)); err != nil && !isNotFound(err) {
			return err
		}
	}
	return own.DeletePrefix(Prefix(key))
}

var userLoginProfile = ownedTable{
	what: "login profile", conflict: "Cannot delete entity, must delete login profile first.",
	present: func(e Entity) bool { return LoginProfiles(e.tx).Has(e.key) },
	move: func(e Entity, newName string) error {
		return moveKey(LoginProfiles(e.tx), e.key, Key(newName), func(lp *LoginProfileRecord) { lp.User = newName })
	},
	purge: func(e Entity) error { return ignoreNotFound(LoginProfiles(e.tx).Delete(e.key)) },
}

// Access keys, MFA devices and instance profiles name their owner in the record; the tables'
// indexes find them, and rewriting the owner's name re-indexes them.
var (
	userAccessKeys = ownedTable{
		what: "access keys", conflict: "Cannot delete entity, must delete access keys first.",
		present: func(e Entity) bool { return UserEntity{e}.AccessKeys().Count() > 0 },
		move: func(e Entity, newName string) error {
			return rewriteEach(UserEntity{e}.AccessKeys(), AccessKeys(e.tx), func(k *AccessKeyRecord) string {
				k.UserName = newName
				return k.AccessKeyID
			})
		},
		purge: func(e Entity) error {
			keys, err := UserEntity{e}.AccessKeys().List()
			for _, k := range keys {
				err = errors.Join(err, AccessKeys(e.tx).Delete(k.AccessKeyID))
			}
			return err
		},
	}
	userMFADevices = ownedTable{
		what: "MFA devices", conflict: "Cannot delete entity, must delete MFA device first.",
		present: func(e Entity) bool { return UserEntity{e}.MFADevices().Count() > 0 },
		move: func(e Entity, newName string) error {
			return rewriteEach(UserEntity{e}.MFADevices(), MFADevices(e.tx), func(d *MFADeviceRecord) string {
				d.User = newName
				return Key(d.Name)
			})
		},
		// A purged user's devices stay, unassigned, as DeactivateMFADevice leaves them.
		purge: func(e Entity) error {
			return rewriteEach(UserEntity{e}.MFADevices(), MFADevices(e.tx), func(d *MFADeviceRecord) string {
				d.User, d.Enabled, d.LastStep, d.Drift = "", time.Time{}, 0, 0
				return Key(d.Name)
			})
		},
	}
	roleInstanceProfiles = ownedTable{
		what: "instance profiles", conflict: "Cannot delete entity, must remove roles from instance profile first.",
		present: func(e Entity) bool { return RoleEntity{e}.InstanceProfiles().Count() > 0 },
		move: func(e Entity, newName string) error {
			return rewriteEach(RoleEntity{e}.InstanceProfiles(), InstanceProfiles(e.tx), func(p *InstanceProfileRecord) string {
				for i, r := range p.Roles {
					if Key(r) == e.key {
						p.Roles[i] = newName
					}
				}
				return Key(p.Name)
			})
		},
		purge: func(e Entity) error {
			return rewriteEach(RoleEntity{e}.InstanceProfiles(), InstanceProfiles(e.tx), func(p *InstanceProfileRecord) string {
				kept := p.Roles[:0]
				for _, r := range p.Roles {
					if Key(r) != e.key {
						kept = append(kept, r)
					}
				}
				p.Roles = kept
				return Key(p.Name)
			})
		},
	}
)

// rewriteEach applies fix to every record the index finds and stores it back in t at the key
// fix returns. Records are collected first: bbolt forbids writes under an open cursor.
func rewriteEach[T any](x Indexed[T], t Table[T], fix func(*T) string) error {
	all, err := x.List()
	if err != nil {
		return err
	}
	for i := range all {
		if err := t.Put(fix(&all[i]), all[i]); err != nil {
			return err
		}
	}
	return nil
}

// movePrefix re-keys every record under from to the same suffix under to, letting fix (nil:
// none) update the record. Keys are collected first: bbolt forbids writes under an open cursor.
func movePrefix[T any](t Table[T], from, to string, fix func(*T)) error {
	type kv struct {
		k string
		v T
	}
	var all []kv
	if err := t.Scan(from, func(k string, v T) error { all = append(all, kv{k, v}); return nil }); err != nil {
		return err
	}
	for _, e := range all {
		if err := t.Delete(e.k); err != nil {
			return err
		}
	}
	for _, e := range all {
		if fix != nil {
			fix(&e.v)
		}
		if err := t.Put(to+strings.TrimPrefix(e.k, from), e.v); err != nil {
			return err
		}
	}
	return nil
}

// moveKey re-keys the record at from (if any) to to.
func moveKey[T any](t Table[T], from, to string, fix func(*T)) error {
	v, err := t.Get(from)
	if isNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := t.Delete(from); err != nil {
		return err
	}
	if fix != nil {
		fix(&v)
	}
	return t.Put(to, v)
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

func ignoreNotFound(err error) error {
	if isNotFound(err) {
		return nil
	}
	return err
}

// anyUnder reports whether some key starts with prefix, reading one key.
func (t Table[T]) anyUnder(prefix string) bool {
	b, _ := t.tx.bucket(t.root, t.path...)
	if b == nil {
		return false
	}
	k, _ := b.Cursor().Seek([]byte(prefix))
	return k != nil && bytes.HasPrefix(k, []byte(prefix))
}
