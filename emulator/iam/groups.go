package iam

import (
	"context"
	"errors"
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
	var users []storage.UserRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		var err error
		if g, err = getGroup(tx, protocol.Val(in.GroupName)); err != nil {
			return err
		}
		return storage.GroupMembers(tx).Scan(storage.Prefix(storage.Key(g.Name)), func(_ string, m storage.MembershipRecord) error {
			u, err := storage.Users(tx).Get(storage.Key(m.User))
			if err == nil {
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
	wg := wireGroup(names, g)
	out := &iamapi.GetGroupResponse{Group: &wg, IsTruncated: p.IsTruncated(), Marker: p.Marker, Users: []iamapi.User{}}
	for _, u := range p.Items {
		out.Users = append(out.Users, wireUser(names, u, false))
	}
	return out, nil
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
			moveRefs: func(oldKey, newName string) error { return renameGroupRefs(tx, oldKey, newName) },
		}.apply(in.NewGroupName, in.NewPath)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func renameGroupRefs(tx *storage.Tx, oldKey, newName string) error {
	newKey := storage.Key(newName)
	setGroup := func(r *storage.MembershipRecord) { r.Group = newName }
	var users []string
	if err := storage.GroupMembers(tx).Scan(storage.Prefix(oldKey), func(_ string, m storage.MembershipRecord) error {
		users = append(users, storage.Key(m.User))
		return nil
	}); err != nil {
		return err
	}
	for _, u := range users {
		if err := movePrefix(storage.UserGroups(tx), storage.Join(u, oldKey), storage.Join(u, newKey), setGroup); err != nil {
			return err
		}
	}
	return errors.Join(
		movePrefix(storage.GroupMembers(tx), storage.Prefix(oldKey), storage.Prefix(newKey), setGroup),
		movePrefix(storage.InlinePolicies(tx), storage.Prefix(storage.KindGroup, oldKey), storage.Prefix(storage.KindGroup, newKey), nil),
		movePrefix(storage.Attachments(tx), storage.Prefix(storage.KindGroup, oldKey), storage.Prefix(storage.KindGroup, newKey), nil),
	)
}

// DeleteGroup refuses while the group has members or policies.
func (s *Service) DeleteGroup(ctx context.Context, in *iamapi.DeleteGroupRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		g, err := getGroup(tx, protocol.Val(in.GroupName))
		if err != nil {
			return err
		}
		key := storage.Key(g.Name)
		switch {
		case storage.GroupMembers(tx).Count(storage.Prefix(key)) > 0:
			return iamapi.ErrDeleteConflict("Cannot delete entity, must remove users from group first.")
		case storage.InlinePolicies(tx).Count(storage.Prefix(storage.KindGroup, key)) > 0:
			return iamapi.ErrDeleteConflict("Cannot delete entity, must delete policies first.")
		case storage.Attachments(tx).Count(storage.Prefix(storage.KindGroup, key)) > 0:
			return iamapi.ErrDeleteConflict("Cannot delete entity, must detach all policies first.")
		}
		return storage.Groups(tx).Delete(key)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListGroups(ctx context.Context, in *iamapi.ListGroupsRequest) (*iamapi.ListGroupsResponse, error) {
	prefix := protocol.Val(in.PathPrefix)
	var groups []storage.GroupRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		return storage.Groups(tx).Scan("", func(_ string, g storage.GroupRecord) error {
			if strings.HasPrefix(g.Path, prefix) {
				groups = append(groups, g)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return pageGroups(s.names(ctx), groups, in.Marker, in.MaxItems)
}

func pageGroups(names arn.Scope, groups []storage.GroupRecord, marker *string, maxItems *int32) (*iamapi.ListGroupsResponse, error) {
	p, err := paginate(groups, func(g storage.GroupRecord) string { return storage.Key(g.Name) }, marker, maxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListGroupsResponse{IsTruncated: p.IsTruncated(), Marker: p.Marker, Groups: []iamapi.Group{}}
	for _, g := range p.Items {
		out.Groups = append(out.Groups, wireGroup(names, g))
	}
	return out, nil
}

// membership resolves the user, then the group (AWS names the missing user even when the group
// is missing too), to their membership record and its keys in both indexes' order.
func membership(tx *storage.Tx, user, group string) (m storage.MembershipRecord, uk, gk string, err error) {
	u, err := getUser(tx, user)
	if err != nil {
		return m, "", "", err
	}
	g, err := getGroup(tx, group)
	if err != nil {
		return m, "", "", err
	}
	return storage.MembershipRecord{User: u.Name, Group: g.Name}, storage.Key(u.Name), storage.Key(g.Name), nil
}

// AddUserToGroup is idempotent: adding a member again succeeds and changes nothing.
func (s *Service) AddUserToGroup(ctx context.Context, in *iamapi.AddUserToGroupRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		m, uk, gk, err := membership(tx, protocol.Val(in.UserName), protocol.Val(in.GroupName))
		if err != nil {
			return err
		}
		if storage.UserGroups(tx).Has(storage.Join(uk, gk)) {
			return nil
		}
		if storage.UserGroups(tx).Count(storage.Prefix(uk)) >= quotaGroupsPerUser {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for GroupsPerUser: %d", quotaGroupsPerUser)
		}
		return errors.Join(
			storage.UserGroups(tx).Put(storage.Join(uk, gk), m),
			storage.GroupMembers(tx).Put(storage.Join(gk, uk), m),
		)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// RemoveUserFromGroup succeeds for a user who is not a member.
func (s *Service) RemoveUserFromGroup(ctx context.Context, in *iamapi.RemoveUserFromGroupRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		_, uk, gk, err := membership(tx, protocol.Val(in.UserName), protocol.Val(in.GroupName))
		if err != nil {
			return err
		}
		if !storage.UserGroups(tx).Has(storage.Join(uk, gk)) {
			return nil
		}
		return errors.Join(
			storage.UserGroups(tx).Delete(storage.Join(uk, gk)),
			storage.GroupMembers(tx).Delete(storage.Join(gk, uk)),
		)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListGroupsForUser(ctx context.Context, in *iamapi.ListGroupsForUserRequest) (*iamapi.ListGroupsForUserResponse, error) {
	var groups []storage.GroupRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		return storage.UserGroups(tx).Scan(storage.Prefix(storage.Key(u.Name)), func(_ string, m storage.MembershipRecord) error {
			if g, err := storage.Groups(tx).Get(storage.Key(m.Group)); err == nil {
				groups = append(groups, g)
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	out, err := pageGroups(s.names(ctx), groups, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupsForUserResponse{Groups: out.Groups, IsTruncated: out.IsTruncated, Marker: out.Marker}, nil
}
