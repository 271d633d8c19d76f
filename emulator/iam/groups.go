package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

func noSuchGroup(name string) error {
	return iamapi.ErrNoSuchEntity("The group with name %s cannot be found.", name)
}

// getGroup reads a group by name (case-insensitively) or answers NoSuchEntity.
func getGroup(tx *storage.Tx, name string) (storage.GroupRecord, error) {
	return lookup(storage.Groups(tx), name, noSuchGroup)
}

func wireGroup(names arn.Scope, g storage.GroupRecord) iamapi.Group {
	return iamapi.Group{
		Arn:        protocol.Ptr(names.Group(g.Path, g.Name).String()),
		CreateDate: protocol.Ptr(g.Created),
		GroupId:    protocol.Ptr(g.ID),
		GroupName:  protocol.Ptr(g.Name),
		Path:       protocol.Ptr(g.Path),
	}
}

func (s *Service) CreateGroup(ctx context.Context, in *iamapi.CreateGroupRequest) (*iamapi.CreateGroupResponse, error) {
	name := protocol.Val(in.GroupName)
	g := storage.GroupRecord{Name: name, Path: pathOr(in.Path), Created: s.now(ctx)}
	err := s.update(ctx, func(tx *storage.Tx) error {
		groups := storage.Groups(tx)
		if groups.Has(storage.Key(name)) {
			return iamapi.ErrEntityAlreadyExists("Group with name %s already exists.", name)
		}
		if groups.Count("") >= quotaGroups {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for GroupsPerAccount: %d", quotaGroups)
		}
		g.ID = s.ids.UniqueID("AGPA")
		return groups.Insert(storage.Key(name), g)
	})
	if err != nil {
		return nil, err
	}
	out := wireGroup(s.names(ctx), g)
	return &iamapi.CreateGroupResponse{Group: &out}, nil
}

// GetGroup describes a group and pages through its members, in user name order.
func (s *Service) GetGroup(ctx context.Context, in *iamapi.GetGroupRequest) (*iamapi.GetGroupResponse, error) {
	names := s.names(ctx)
	var g storage.GroupRecord
	var p page[storage.UserRecord]
	err := s.view(ctx, func(tx *storage.Tx) error {
		var err error
		if g, err = getGroup(tx, protocol.Val(in.GroupName)); err != nil {
			return err
		}
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.UserRecord], error) {
			return joinedPage(storage.GroupScope(tx, g.Name).Members(), from, limit, func(m storage.MembershipRecord) (storage.UserRecord, error) {
				return storage.Users(tx).Get(storage.Key(m.User))
			})
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	wg := wireGroup(names, g)
	out := &iamapi.GetGroupResponse{Group: &wg, IsTruncated: p.IsTruncated(), Marker: p.Marker, Users: []iamapi.User{}}
	for _, u := range p.Items {
		out.Users = append(out.Users, wireUser(names, u, false))
	}
	return out, nil
}

// joinedPage pages memberships and resolves each to the record on the other side, passing over
// one whose record is gone.
func joinedPage[T any](ms storage.Children[storage.MembershipRecord], from string, limit int, resolve func(storage.MembershipRecord) (T, error)) (storage.Page[T], error) {
	resolved := map[string]T{}
	p, err := ms.Page(from, limit, func(id string, m storage.MembershipRecord) (bool, error) {
		v, err := resolve(m)
		if isNotFound(err) {
			return false, nil
		}
		resolved[id] = v
		return err == nil, err
	})
	out := storage.Page[T]{Truncated: p.Truncated, Next: p.Next}
	for _, r := range p.Rows {
		out.Rows = append(out.Rows, storage.Row[T]{Key: r.Key, Value: resolved[r.Key]})
	}
	return out, err
}

// UpdateGroup renames and/or moves a group, carrying its memberships and its inline and
// attached policies along.
func (s *Service) UpdateGroup(ctx context.Context, in *iamapi.UpdateGroupRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		g, err := getGroup(tx, protocol.Val(in.GroupName))
		if err != nil {
			return err
		}
		return rename[storage.GroupRecord]{
			table: storage.Groups(tx), rec: &g, name: &g.Name, path: &g.Path,
			exists: func(name string) error {
				return iamapi.ErrEntityAlreadyExists("Group with name %s already exists.", name)
			},
			owner: storage.GroupScope(tx, g.Name).Entity,
		}.apply(in.NewGroupName, in.NewPath)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// DeleteGroup refuses while the group has members or policies.
func (s *Service) DeleteGroup(ctx context.Context, in *iamapi.DeleteGroupRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		g, err := getGroup(tx, protocol.Val(in.GroupName))
		if err != nil {
			return err
		}
		return deleteEntity(storage.GroupScope(tx, g.Name).Entity)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListGroups(ctx context.Context, in *iamapi.ListGroupsRequest) (*iamapi.ListGroupsResponse, error) {
	prefix := protocol.Val(in.PathPrefix)
	var p page[storage.GroupRecord]
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.GroupRecord], error) {
			return storage.Groups(tx).Page("", from, limit, func(_ string, g storage.GroupRecord) (bool, error) {
				return strings.HasPrefix(g.Path, prefix), nil
			})
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	return wireGroups(s.names(ctx), p), nil
}

func wireGroups(names arn.Scope, p page[storage.GroupRecord]) *iamapi.ListGroupsResponse {
	out := &iamapi.ListGroupsResponse{IsTruncated: p.IsTruncated(), Marker: p.Marker, Groups: []iamapi.Group{}}
	for _, g := range p.Items {
		out.Groups = append(out.Groups, wireGroup(names, g))
	}
	return out
}

// membership resolves the user, then the group (AWS names the missing user even when the group
// is missing too), to their membership record.
func membership(tx *storage.Tx, user, group string) (storage.MembershipRecord, error) {
	u, err := getUser(tx, user)
	if err != nil {
		return storage.MembershipRecord{}, err
	}
	g, err := getGroup(tx, group)
	return storage.MembershipRecord{User: u.Name, Group: g.Name}, err
}

// AddUserToGroup is idempotent: adding a member again succeeds and changes nothing.
func (s *Service) AddUserToGroup(ctx context.Context, in *iamapi.AddUserToGroupRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		m, err := membership(tx, protocol.Val(in.UserName), protocol.Val(in.GroupName))
		if err != nil {
			return err
		}
		u := storage.UserScope(tx, m.User)
		if u.InGroup(m.Group) {
			return nil
		}
		if u.Groups().Count() >= quotaGroupsPerUser {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for GroupsPerUser: %d", quotaGroupsPerUser)
		}
		return u.JoinGroup(m)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// RemoveUserFromGroup succeeds for a user who is not a member.
func (s *Service) RemoveUserFromGroup(ctx context.Context, in *iamapi.RemoveUserFromGroupRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		m, err := membership(tx, protocol.Val(in.UserName), protocol.Val(in.GroupName))
		if err != nil {
			return err
		}
		u := storage.UserScope(tx, m.User)
		if !u.InGroup(m.Group) {
			return nil
		}
		return u.LeaveGroup(m.Group)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListGroupsForUser(ctx context.Context, in *iamapi.ListGroupsForUserRequest) (*iamapi.ListGroupsForUserResponse, error) {
	var p page[storage.GroupRecord]
	err := s.view(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.GroupRecord], error) {
			return joinedPage(storage.UserScope(tx, u.Name).Groups(), from, limit, func(m storage.MembershipRecord) (storage.GroupRecord, error) {
				return storage.Groups(tx).Get(storage.Key(m.Group))
			})
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := wireGroups(s.names(ctx), p)
	return &iamapi.ListGroupsForUserResponse{Groups: out.Groups, IsTruncated: out.IsTruncated, Marker: out.Marker}, nil
}
