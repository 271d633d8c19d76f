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
	// The answer's fields point into one copy of the record: one allocation, not one a field.
	w := &userFields{rec: u, arn: names.User(u.Path, u.Name).String()}
	out := iamapi.User{
		Arn:        &w.arn,
		CreateDate: &w.rec.Created,
		Path:       &w.rec.Path,
		UserId:     &w.rec.ID,
		UserName:   &w.rec.Name,
	}
	if !u.PasswordLastUsed.IsZero() {
		out.PasswordLastUsed = &w.rec.PasswordLastUsed
	}
	if full {
		out.Tags = tagsToAPI(u.Tags)
		out.PermissionsBoundary = wireBoundary(u.Boundary)
	}
	return out
}

// userFields holds what a wire user's fields point to.
type userFields struct {
	rec storage.UserRecord
	arn string
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

// key is the storage key of the owner ("" for root).
func (o owner) key() string {
	if o.Root {
		return ""
	}
	return storage.Key(o.User.Name)
}

// scope is the owner of credentials in storage: the user, or the root user.
func (o owner) scope(tx *storage.Tx) storage.UserEntity {
	if o.Root {
		return storage.RootUserScope(tx)
	}
	return storage.UserScope(tx, o.User.Name)
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
	if in.UserName == nil && c.Type == reqctx.User && c.UserRecord != nil {
		// The caller's own record, read with its access key while the database is unchanged
		// since: the answer a read now would give, without the transaction.
		out := wireUser(names, *c.UserRecord, true)
		return &iamapi.GetUserResponse{User: &out}, nil
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

// UpdateUser renames and/or moves a user. A rename carries every record the user owns along
// (storage declares which: access keys, group memberships, inline and attached policies and
// credentials); the unique id, and so any ARN-independent reference, stays the same.
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
			owner: storage.UserScope(tx, u.Name).Entity,
		}.apply(in.NewUserName, in.NewPath)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// rename is the step UpdateUser and UpdateGroup share: it moves the record to newPath and/or
// renames it to newName. A new name that differs only in case keeps the storage key; another
// must be free (else exists answers), and owner carries everything it owns along.
type rename[T any] struct {
	table      storage.Table[T]
	rec        *T
	name, path *string // the Name and Path fields of *rec
	exists     func(newName string) error
	owner      storage.Entity
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
		if err := r.owner.MoveTo(*newName); err != nil {
			return err
		}
		*r.name = *newName
	}
	return r.table.Put(storage.Key(*r.name), *r.rec)
}

// ownedAccessKeys returns the long-term access keys of one user (or the root user) of the
// account, oldest first.
func ownedAccessKeys(owner storage.UserEntity) ([]storage.AccessKeyRecord, error) {
	keys, err := owner.AccessKeys().List()
	sortAccessKeys(keys)
	return keys, err
}

// deleteEntity deletes a user, group or role once it owns nothing that blocks a delete, and
// answers DeleteConflict, in AWS's words, for the first kind of record it still owns.
func deleteEntity(e storage.Entity) error {
	err := e.Delete()
	var conflict *storage.ConflictError
	if errors.As(err, &conflict) {
		return iamapi.ErrDeleteConflict("%s", conflict.Message)
	}
	return err
}

// DeleteUser refuses while the user still owns anything, with AWS's message for the first
// kind found (storage declares the kinds, their order and texts); a permissions boundary does
// not block.
func (s *Service) DeleteUser(ctx context.Context, in *iamapi.DeleteUserRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		return deleteEntity(storage.UserScope(tx, u.Name).Entity)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListUsers(ctx context.Context, in *iamapi.ListUsersRequest) (*iamapi.ListUsersResponse, error) {
	names := s.names(ctx)
	prefix := protocol.Val(in.PathPrefix)
	var p page[storage.UserRecord]
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.UserRecord], error) {
			return storage.Users(tx).Page("", from, limit, func(_ string, u storage.UserRecord) (bool, error) {
				return strings.HasPrefix(u.Path, prefix), nil
			})
		})
		return err
	})
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
