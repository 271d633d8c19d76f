package iam

import (
	"context"
	"errors"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Quotas from "IAM and AWS STS quotas" (IAM User Guide), as GetAccountSummary reports them.
const (
	quotaUsers         = 5000
	quotaGroups        = 300
	quotaGroupsPerUser = 10
)

func noSuchUser(name string) error {
	return iamapi.ErrNoSuchEntity("The user with name %s cannot be found.", name)
}

// getUser reads a user by name (case-insensitively) or answers NoSuchEntity.
func getUser(tx *storage.Tx, name string) (storage.UserRecord, error) {
	return lookup(storage.Users(tx), name, noSuchUser)
}

// wireUser renders a user. List operations leave out tags and the permissions boundary
// (ListUsers: "this operation does not return tags"); GetUser and CreateUser include them.
func wireUser(names arn.Scope, u storage.UserRecord, full bool) iamapi.User {
	out := iamapi.User{
		Arn:        protocol.Ptr(names.User(u.Path, u.Name).String()),
		CreateDate: protocol.Ptr(u.Created),
		Path:       protocol.Ptr(u.Path),
		UserId:     protocol.Ptr(u.ID),
		UserName:   protocol.Ptr(u.Name),
	}
	if !u.PasswordLastUsed.IsZero() {
		out.PasswordLastUsed = protocol.Ptr(u.PasswordLastUsed)
	}
	if full {
		out.Tags = tagsToAPI(u.Tags)
		if u.Boundary != "" {
			out.PermissionsBoundary = &iamapi.AttachedPermissionsBoundary{
				PermissionsBoundaryArn:  protocol.Ptr(u.Boundary),
				PermissionsBoundaryType: protocol.Ptr("PermissionsBoundaryPolicy"),
			}
		}
	}
	return out
}

// errNonUserCaller is AWS's answer when a role or federated session omits UserName on an
// operation that defaults to the calling user.
func errNonUserCaller() error {
	return awserr.Validation("Must specify userName when calling with non-User credentials")
}

// owner is whose credentials an operation with an optional UserName acts on: a user, or the
// account's root user (only for access keys, signing certificates and MFA listings).
type owner struct {
	User storage.UserRecord
	Root bool
}

// key is the storage key prefix of the owner's credentials ("" for root).
func (o owner) key() string {
	if o.Root {
		return ""
	}
	return storage.Key(o.User.Name)
}

// credentialOwner resolves an optional UserName: the named user, else the calling IAM user,
// else the root user when rootOK. Roles and federated users must name a user.
func credentialOwner(ctx context.Context, tx *storage.Tx, name *string, rootOK bool) (owner, error) {
	if name != nil {
		u, err := getUser(tx, *name)
		return owner{User: u}, err
	}
	c := reqctx.From(ctx).Caller
	switch {
	case c.Type == reqctx.User:
		u, err := getUser(tx, c.UserName)
		return owner{User: u}, err
	case c.Type == reqctx.Account && rootOK:
		return owner{Root: true}, nil
	}
	return owner{}, errNonUserCaller()
}

func (s *Service) CreateUser(ctx context.Context, in *iamapi.CreateUserRequest) (*iamapi.CreateUserResponse, error) {
	names := s.names(ctx)
	name := protocol.Val(in.UserName)
	u := storage.UserRecord{Name: name, Path: pathOr(in.Path), Created: s.now(ctx)}
	tags, err := userTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	u.Tags = tags
	err = s.update(ctx, func(tx *storage.Tx) error {
		users := storage.Users(tx)
		if users.Has(storage.Key(name)) {
			return iamapi.ErrEntityAlreadyExists("User with name %s already exists.", name)
		}
		if users.Count("") >= quotaUsers {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for UsersPerAccount: %d", quotaUsers)
		}
		if b := protocol.Val(in.PermissionsBoundary); b != "" {
			if err := boundaryExists(tx, s.names(ctx), b); err != nil {
				return err
			}
			u.Boundary = b
		}
		u.ID = s.ids.UniqueID("AIDA")
		return users.Insert(storage.Key(name), u)
	})
	if err != nil {
		return nil, err
	}
	out := wireUser(names, u, true)
	return &iamapi.CreateUserResponse{User: &out}, nil
}

// GetUser without a UserName describes the caller. For the root user AWS answers with the
// account id as UserId, the root ARN, the account's creation date and no UserName or Path
// (verified: root responses carry no UserName, e.g. grycap/scar#181).
func (s *Service) GetUser(ctx context.Context, in *iamapi.GetUserRequest) (*iamapi.GetUserResponse, error) {
	names := s.names(ctx)
	c := reqctx.From(ctx).Caller
	if in.UserName == nil && c.Type == reqctx.Account {
		// The account record is made on first need; reading first keeps the common case a
		// read-only transaction.
		var info storage.AccountInfoRecord
		err := s.view(ctx, func(tx *storage.Tx) (err error) {
			info, err = storage.AccountInfo(tx).Get(storage.KeyAccountInfo)
			return err
		})
		if isNotFound(err) {
			err = s.update(ctx, func(tx *storage.Tx) (err error) {
				info, err = s.accountInfo(ctx, tx)
				return err
			})
		}
		if err != nil {
			return nil, err
		}
		return &iamapi.GetUserResponse{User: &iamapi.User{
			Arn: protocol.Ptr(names.Root().String()), UserId: protocol.Ptr(names.Account), CreateDate: protocol.Ptr(info.Created),
		}}, nil
	}
	var out iamapi.User
	err := s.view(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, false)
		out = wireUser(names, o.User, true)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserResponse{User: &out}, nil
}

// UpdateUser renames and/or moves a user. A rename carries every record keyed by the user's
// name along: access keys, group memberships, inline and attached policies and credentials
// (the unique id, and so any ARN-independent reference, stays the same).
func (s *Service) UpdateUser(ctx context.Context, in *iamapi.UpdateUserRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		return rename[storage.UserRecord]{
			table: storage.Users(tx), rec: &u, name: &u.Name, path: &u.Path,
			exists: func(name string) error {
				return iamapi.ErrEntityAlreadyExists("User with name %s already exists.", name)
			},
			moveRefs: func(oldKey, newName string) error { return renameUserRefs(tx, oldKey, newName) },
		}.apply(in.NewUserName, in.NewPath)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// rename is the step UpdateUser and UpdateGroup share: it moves the record to newPath and/or
// renames it to newName. A new name that differs only in case keeps the storage key; another
// must be free (else exists answers), and moveRefs carries everything keyed by the old name along.
type rename[T any] struct {
	table      storage.Table[T]
	rec        *T
	name, path *string // the Name and Path fields of *rec
	exists     func(newName string) error
	moveRefs   func(oldKey, newName string) error
}

func (r rename[T]) apply(newName, newPath *string) error {
	if newPath != nil {
		*r.path = *newPath
	}
	oldKey := storage.Key(*r.name)
	if newName != nil && *newName != *r.name {
		newKey := storage.Key(*newName)
		if newKey != oldKey {
			if r.table.Has(newKey) {
				return r.exists(*newName)
			}
			if err := r.table.Delete(oldKey); err != nil {
				return err
			}
		}
		if err := r.moveRefs(oldKey, *newName); err != nil {
			return err
		}
		*r.name = *newName
	}
	return r.table.Put(storage.Key(*r.name), *r.rec)
}

// movePrefix re-keys every record under from to the same suffix under to, letting fix update
// the record. Keys are collected first: bbolt forbids writes under an open cursor.
func movePrefix[T any](t storage.Table[T], from, to string, fix func(*T)) error {
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

// renameUserRefs moves everything keyed by or naming the user oldKey to newName.
func renameUserRefs(tx *storage.Tx, oldKey, newName string) error {
	newKey := storage.Key(newName)
	from, to := storage.Prefix(oldKey), storage.Prefix(newKey)
	setUser := func(r *storage.MembershipRecord) { r.User = newName }
	var groups []string
	if err := storage.UserGroups(tx).Scan(from, func(_ string, m storage.MembershipRecord) error {
		groups = append(groups, storage.Key(m.Group))
		return nil
	}); err != nil {
		return err
	}
	for _, g := range groups {
		if err := movePrefix(storage.GroupMembers(tx), storage.Join(g, oldKey), storage.Join(g, newKey), setUser); err != nil {
			return err
		}
	}
	steps := []error{
		movePrefix(storage.UserGroups(tx), from, to, setUser),
		movePrefix(storage.InlinePolicies(tx), storage.Prefix(storage.KindUser, oldKey), storage.Prefix(storage.KindUser, newKey), nil),
		movePrefix(storage.Attachments(tx), storage.Prefix(storage.KindUser, oldKey), storage.Prefix(storage.KindUser, newKey), nil),
		movePrefix(storage.SSHKeys(tx), from, to, func(r *storage.SSHKeyRecord) { r.User = newName }),
		movePrefix(storage.SigningCerts(tx), from, to, func(r *storage.SigningCertRecord) { r.User = newName }),
		// The service user name ("alice-at-<account>") keeps the old name, as AWS does.
		movePrefix(storage.ServiceCreds(tx), from, to, func(r *storage.ServiceCredRecord) { r.User = newName }),
	}
	if err := errors.Join(steps...); err != nil {
		return err
	}
	if lp, err := storage.LoginProfiles(tx).Get(oldKey); err == nil {
		lp.User = newName
		if err := storage.LoginProfiles(tx).Delete(oldKey); err != nil {
			return err
		}
		if err := storage.LoginProfiles(tx).Put(newKey, lp); err != nil {
			return err
		}
	}
	if err := updateEach(storage.MFADevices(tx), func(d *storage.MFADeviceRecord) bool {
		if d.User != "" && storage.Key(d.User) == oldKey {
			d.User = newName
			return true
		}
		return false
	}); err != nil {
		return err
	}
	acct := tx.Account()
	return updateEach(storage.AccessKeys(tx), func(k *storage.AccessKeyRecord) bool {
		if k.Account == acct && k.UserName != "" && storage.Key(k.UserName) == oldKey {
			k.UserName = newName
			return true
		}
		return false
	})
}

// updateEach rewrites the records of t that fix changes.
func updateEach[T any](t storage.Table[T], fix func(*T) bool) error {
	changed := map[string]T{}
	if err := t.Scan("", func(k string, v T) error {
		if fix(&v) {
			changed[k] = v
		}
		return nil
	}); err != nil {
		return err
	}
	for k, v := range changed {
		if err := t.Put(k, v); err != nil {
			return err
		}
	}
	return nil
}

// userAccessKeys returns the long-term access keys of one user ("" = root) of the account,
// oldest first, from the global index.
func userAccessKeys(tx *storage.Tx, userKey string) ([]storage.AccessKeyRecord, error) {
	acct := tx.Account()
	var keys []storage.AccessKeyRecord
	err := storage.AccessKeys(tx).Scan("", func(_ string, k storage.AccessKeyRecord) error {
		if k.Account == acct && storage.Key(k.UserName) == userKey {
			keys = append(keys, k)
		}
		return nil
	})
	sortAccessKeys(keys)
	return keys, err
}

// DeleteUser refuses while the user still owns anything, with AWS's message for the first
// kind found. Inline policies are reported before access keys (as observed on AWS); a
// permissions boundary does not block. SSH keys and service-specific credentials get the
// generic "referenced objects" text AWS uses for them (localstack recorded
// delete-user-existing-credential; rebuy-de/aws-nuke#470).
func (s *Service) DeleteUser(ctx context.Context, in *iamapi.DeleteUserRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		key := storage.Key(u.Name)
		keys, err := userAccessKeys(tx, key)
		if err != nil {
			return err
		}
		mfa := false
		if err := storage.MFADevices(tx).Scan("", func(_ string, d storage.MFADeviceRecord) error {
			mfa = mfa || (d.User != "" && storage.Key(d.User) == key)
			return nil
		}); err != nil {
			return err
		}
		conflicts := []struct {
			present bool
			what    string
		}{
			{storage.InlinePolicies(tx).Count(storage.Prefix(storage.KindUser, key)) > 0, "must delete policies first"},
			{storage.Attachments(tx).Count(storage.Prefix(storage.KindUser, key)) > 0, "must detach all policies first"},
			{storage.UserGroups(tx).Count(storage.Prefix(key)) > 0, "must remove users from group first"},
			{storage.LoginProfiles(tx).Has(key), "must delete login profile first"},
			{len(keys) > 0, "must delete access keys first"},
			{mfa, "must delete MFA device first"},
			{storage.SigningCerts(tx).Count(storage.Prefix(key)) > 0, "must delete signing certificates first"},
			{storage.SSHKeys(tx).Count(storage.Prefix(key)) > 0, "must remove referenced objects first"},
			{storage.ServiceCreds(tx).Count(storage.Prefix(key)) > 0, "must remove referenced objects first"},
		}
		for _, c := range conflicts {
			if c.present {
				return iamapi.ErrDeleteConflict("Cannot delete entity, %s.", c.what)
			}
		}
		return storage.Users(tx).Delete(key)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListUsers(ctx context.Context, in *iamapi.ListUsersRequest) (*iamapi.ListUsersResponse, error) {
	names := s.names(ctx)
	prefix := protocol.Val(in.PathPrefix)
	var users []storage.UserRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		return storage.Users(tx).Scan("", func(_ string, u storage.UserRecord) error {
			if strings.HasPrefix(u.Path, prefix) {
				users = append(users, u)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	p, err := paginate(users, func(u storage.UserRecord) string { return storage.Key(u.Name) }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListUsersResponse{IsTruncated: p.IsTruncated(), Marker: p.Marker, Users: []iamapi.User{}}
	for _, u := range p.Items {
		out.Users = append(out.Users, wireUser(names, u, false))
	}
	return out, nil
}

func (s *Service) TagUser(ctx context.Context, in *iamapi.TagUserRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		if u.Tags, err = userTagRules.merge(u.Tags, in.Tags); err != nil {
			return err
		}
		return storage.Users(tx).Put(storage.Key(u.Name), u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) UntagUser(ctx context.Context, in *iamapi.UntagUserRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		u.Tags = userTagRules.remove(u.Tags, in.TagKeys)
		return storage.Users(tx).Put(storage.Key(u.Name), u)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListUserTags(ctx context.Context, in *iamapi.ListUserTagsRequest) (*iamapi.ListUserTagsResponse, error) {
	p, err := s.listTags(ctx, userTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		u, err := getUser(tx, protocol.Val(in.UserName))
		return u.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
