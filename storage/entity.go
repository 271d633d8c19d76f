package storage

// Entity-scoped access. The records that belong to a user, group or role (inline policies,
// attachments, memberships, credentials, ...) are reached through the owner: UserScope(tx,
// name).SSHKeys().Get(id). The accessors build the composite keys; callers name only the owner
// and the child. Which tables belong to each kind of entity is declared once (owned.go), and
// MoveTo and Delete iterate that declaration, so a table added there is carried along by a
// rename and blocks a delete without further code.

// Entity is a user, group or role as the owner of records in other tables.
type Entity struct {
	tx    *Tx
	kind  string // KindUser, KindGroup or KindRole
	key   string // Key(name)
	owned []ownedTable
}

// UserEntity is a user with the accessors only users have.
type UserEntity struct{ Entity }

// GroupEntity is a group with its members.
type GroupEntity struct{ Entity }

// RoleEntity is a role with its instance profiles.
type RoleEntity struct{ Entity }

// UserScope is the user named name (case-insensitively), whether or not it exists.
func UserScope(tx *Tx, name string) UserEntity {
	return UserEntity{Entity{tx: tx, kind: KindUser, key: Key(name), owned: userOwned}}
}

// RootUserScope is the account's root user as the owner of credentials (access keys and
// signing certificates), which storage keeps under the empty user name.
func RootUserScope(tx *Tx) UserEntity { return UserScope(tx, "") }

// GroupScope is the group named name.
func GroupScope(tx *Tx, name string) GroupEntity {
	return GroupEntity{Entity{tx: tx, kind: KindGroup, key: Key(name), owned: groupOwned}}
}

// RoleScope is the role named name.
func RoleScope(tx *Tx, name string) RoleEntity {
	return RoleEntity{Entity{tx: tx, kind: KindRole, key: Key(name), owned: roleOwned}}
}

// EntityScope is the user, group or role of that kind named name.
func EntityScope(tx *Tx, kind, name string) Entity {
	switch kind {
	case KindUser:
		return UserScope(tx, name).Entity
	case KindGroup:
		return GroupScope(tx, name).Entity
	default:
		return RoleScope(tx, name).Entity
	}
}

// Kind is KindUser, KindGroup or KindRole.
func (e Entity) Kind() string { return e.kind }

// Key is the entity's storage key, Key(name): what its list pages are ordered by.
func (e Entity) Key() string { return e.key }

// InlinePolicies are the entity's inline policies, by policy name.
func (e Entity) InlinePolicies() Children[InlinePolicyRecord] {
	return Children[InlinePolicyRecord]{table: InlinePolicies(e.tx), prefix: Prefix(e.kind, e.key)}
}

// Attachments are the managed policies attached to the entity, by policy ARN.
func (e Entity) Attachments() Children[AttachmentRecord] {
	return Children[AttachmentRecord]{table: Attachments(e.tx), prefix: Prefix(e.kind, e.key)}
}

// Groups are the user's group memberships, by Key(group name). JoinGroup and LeaveGroup
// write them with the group's side.
func (u UserEntity) Groups() Children[MembershipRecord] {
	return Children[MembershipRecord]{table: UserGroups(u.tx), prefix: Prefix(u.key)}
}

// Members are the group's memberships, by Key(user name).
func (g GroupEntity) Members() Children[MembershipRecord] {
	return Children[MembershipRecord]{table: GroupMembers(g.tx), prefix: Prefix(g.key)}
}

// InGroup reports whether the user is a member of group.
func (u UserEntity) InGroup(group string) bool { return u.Groups().Has(Key(group)) }

// JoinGroup records the membership m (of this user) in both directions.
func (u UserEntity) JoinGroup(m MembershipRecord) error {
	gk := Key(m.Group)
	if err := u.Groups().Put(gk, m); err != nil {
		return err
	}
	return GroupScope(u.tx, m.Group).Members().Put(u.key, m)
}

// LeaveGroup removes the user's membership of group in both directions; ErrNotFound if the user
// is no member.
func (u UserEntity) LeaveGroup(group string) error {
	if err := u.Groups().Delete(Key(group)); err != nil {
		return err
	}
	return GroupScope(u.tx, group).Members().Delete(u.key)
}

// LoginProfile is the user's console password record.
func (u UserEntity) LoginProfile() Single[LoginProfileRecord] {
	return Single[LoginProfileRecord]{table: LoginProfiles(u.tx), key: u.key}
}

// SSHKeys are the user's SSH public keys, by key id.
func (u UserEntity) SSHKeys() Children[SSHKeyRecord] {
	return Children[SSHKeyRecord]{table: SSHKeys(u.tx), prefix: Prefix(u.key)}
}

// SigningCerts are the user's (or root user's) signing certificates, by certificate id.
func (u UserEntity) SigningCerts() Children[SigningCertRecord] {
	return Children[SigningCertRecord]{table: SigningCerts(u.tx), prefix: Prefix(u.key)}
}

// ServiceCreds are the user's service-specific credentials, by credential id.
func (u UserEntity) ServiceCreds() Children[ServiceCredRecord] {
	return Children[ServiceCredRecord]{table: ServiceCreds(u.tx), prefix: Prefix(u.key)}
}

// AccessKeys are the user's (or root user's) long-term access keys of this account, by key id,
// read from the global AccessKeys table through the account's owner index. New keys go
// straight into AccessKeys, which indexes them.
func (u UserEntity) AccessKeys() Indexed[AccessKeyRecord] {
	return Indexed[AccessKeyRecord]{index: AccountTable[IndexRecord](u.tx, bucketUserKeys), prefix: Prefix(u.key), primary: AccessKeys(u.tx)}
}

// MFADevices are the virtual MFA devices enabled for the user, by Key(device name).
func (u UserEntity) MFADevices() Indexed[MFADeviceRecord] {
	return Indexed[MFADeviceRecord]{index: AccountTable[IndexRecord](u.tx, bucketUserMFA), prefix: Prefix(u.key), primary: MFADevices(u.tx)}
}

// InstanceProfiles are the instance profiles holding the role, by Key(profile name).
func (r RoleEntity) InstanceProfiles() Indexed[InstanceProfileRecord] {
	return Indexed[InstanceProfileRecord]{index: AccountTable[IndexRecord](r.tx, bucketRoleProfiles), prefix: Prefix(r.key), primary: InstanceProfiles(r.tx)}
}

// PolicyVersions are the versions of the customer managed policy named policyName, by version id.
func PolicyVersionsOf(tx *Tx, policyName string) Children[PolicyVersionRecord] {
	return Children[PolicyVersionRecord]{table: PolicyVersions(tx), prefix: Prefix(Key(policyName))}
}

// Children is the part of a table that belongs to one owner: the records keyed by the owner's
// prefix, each named by the rest of its key (its id).
type Children[T any] struct {
	table  Table[T]
	prefix string
}

func (c Children[T]) Get(id string) (T, error)    { return c.table.Get(c.prefix + id) }
func (c Children[T]) Has(id string) bool          { return c.table.Has(c.prefix + id) }
func (c Children[T]) Put(id string, v T) error    { return c.table.Put(c.prefix+id, v) }
func (c Children[T]) Insert(id string, v T) error { return c.table.Insert(c.prefix+id, v) }
func (c Children[T]) Delete(id string) error      { return c.table.Delete(c.prefix + id) }
func (c Children[T]) Count() int                  { return c.table.Count(c.prefix) }
func (c Children[T]) DeleteAll() error            { return c.table.DeletePrefix(c.prefix) }
func (c Children[T]) Walk(from string, fn func(id string, v T) (bool, error)) error {
	return c.table.Walk(c.prefix, from, fn)
}

// Page is Table.Page over the owner's records; row keys are ids.
func (c Children[T]) Page(from string, limit int, keep func(id string, v T) (bool, error)) (Page[T], error) {
	return c.table.Page(c.prefix, from, limit, keep)
}

// List returns the owner's records in id order.
func (c Children[T]) List() ([]T, error) {
	var out []T
	err := c.table.Walk(c.prefix, "", func(_ string, v T) (bool, error) { out = append(out, v); return true, nil })
	return out, err
}

// Single is the one record of a table that belongs to an owner (a user's login profile).
type Single[T any] struct {
	table Table[T]
	key   string
}

func (s Single[T]) Get() (T, error)  { return s.table.Get(s.key) }
func (s Single[T]) Has() bool        { return s.table.Has(s.key) }
func (s Single[T]) Put(v T) error    { return s.table.Put(s.key, v) }
func (s Single[T]) Insert(v T) error { return s.table.Insert(s.key, v) }
func (s Single[T]) Delete() error    { return s.table.Delete(s.key) }
