package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Instance profiles. Texts are those of recorded AWS responses (LocalStack IAM parity snapshot
// test_iam_instance_profiles); an instance profile holds at most one role (IAM User Guide,
// "IAM and AWS STS quotas": roles in an instance profile, 1).

func noSuchProfile(name string) error {
	return iamapi.ErrNoSuchEntity("Instance Profile %s cannot be found.", name)
}

func loadProfile(tx *storage.Tx, name string) (storage.InstanceProfileRecord, error) {
	return lookup(storage.InstanceProfiles(tx), name, noSuchProfile)
}

// wireProfile renders a profile with its roles (as roles appear inside a profile).
func wireProfile(tx *storage.Tx, names arn.Scope, p storage.InstanceProfileRecord, withTags bool) (iamapi.InstanceProfile, error) {
	out := iamapi.InstanceProfile{
		Arn:                 protocol.Ptr(names.InstanceProfile(p.Path, p.Name).String()),
		CreateDate:          protocol.Ptr(p.Created),
		InstanceProfileId:   protocol.Ptr(p.ID),
		InstanceProfileName: protocol.Ptr(p.Name),
		Path:                protocol.Ptr(p.Path),
		Roles:               []iamapi.Role{},
	}
	for _, name := range p.Roles {
		r, err := storage.Roles(tx).Get(storage.Key(name))
		if isNotFound(err) {
			continue // cannot happen: DeleteRole refuses a role in a profile
		}
		if err != nil {
			return out, err
		}
		out.Roles = append(out.Roles, wireRole(names, r, viewProfile))
	}
	if withTags {
		out.Tags = tagsAlways(p.Tags)
	}
	return out, nil
}

func (s *Service) CreateInstanceProfile(ctx context.Context, in *iamapi.CreateInstanceProfileRequest) (*iamapi.CreateInstanceProfileResponse, error) {
	name := protocol.Val(in.InstanceProfileName)
	tags, err := roleTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	p := storage.InstanceProfileRecord{V: 1, Name: name, Path: pathOr(in.Path), Created: s.now(ctx), Tags: tags}
	var out iamapi.InstanceProfile
	err = s.update(ctx, func(tx *storage.Tx) (err error) {
		if storage.InstanceProfiles(tx).Has(storage.Key(name)) {
			return iamapi.ErrEntityAlreadyExists("Instance Profile %s already exists.", name)
		}
		p.ID = s.ids.UniqueID("AIPA")
		if err := storage.InstanceProfiles(tx).Insert(storage.Key(name), p); err != nil {
			return err
		}
		out, err = wireProfile(tx, s.names(ctx), p, false)
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out.Tags = in.Tags // echoed only when given
	return &iamapi.CreateInstanceProfileResponse{InstanceProfile: &out}, nil
}

func (s *Service) GetInstanceProfile(ctx context.Context, in *iamapi.GetInstanceProfileRequest) (*iamapi.GetInstanceProfileResponse, error) {
	var out iamapi.InstanceProfile
	err := s.view(ctx, func(tx *storage.Tx) error {
		p, err := loadProfile(tx, protocol.Val(in.InstanceProfileName))
		if err != nil {
			return err
		}
		out, err = wireProfile(tx, s.names(ctx), p, true)
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetInstanceProfileResponse{InstanceProfile: &out}, nil
}

func (s *Service) DeleteInstanceProfile(ctx context.Context, in *iamapi.DeleteInstanceProfileRequest) (*iamapi.Empty, error) {
	name := protocol.Val(in.InstanceProfileName)
	err := s.update(ctx, func(tx *storage.Tx) error {
		p, err := loadProfile(tx, name)
		if err != nil {
			return err
		}
		if len(p.Roles) > 0 {
			return iamapi.ErrDeleteConflict("Cannot delete entity, must remove roles from instance profile first.")
		}
		return storage.InstanceProfiles(tx).Delete(storage.Key(name))
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// listProfiles pages the profiles that read returns, in name order (the storage key order of
// profiles and of a role's profile index), once check (nil: none) has passed.
func (s *Service) listProfiles(ctx context.Context, marker *string, maxItems *int32, check func(tx *storage.Tx) error,
	read func(tx *storage.Tx, from string, limit int) (storage.Page[storage.InstanceProfileRecord], error)) ([]iamapi.InstanceProfile, page[storage.InstanceProfileRecord], error) {
	var out []iamapi.InstanceProfile
	var pg page[storage.InstanceProfileRecord]
	err := s.view(ctx, func(tx *storage.Tx) error {
		if check != nil {
			if err := check(tx); err != nil {
				return err
			}
		}
		var err error
		pg, err = readPage(marker, maxItems, func(from string, limit int) (storage.Page[storage.InstanceProfileRecord], error) {
			return read(tx, from, limit)
		})
		if err != nil {
			return err
		}
		out = make([]iamapi.InstanceProfile, 0, len(pg.Items))
		for _, p := range pg.Items {
			w, err := wireProfile(tx, s.names(ctx), p, false)
			if err != nil {
				return err
			}
			out = append(out, w)
		}
		return nil
	})
	return out, pg, asAWS(err)
}

func (s *Service) ListInstanceProfiles(ctx context.Context, in *iamapi.ListInstanceProfilesRequest) (*iamapi.ListInstanceProfilesResponse, error) {
	prefix := pathOr(in.PathPrefix)
	out, pg, err := s.listProfiles(ctx, in.Marker, in.MaxItems, nil, func(tx *storage.Tx, from string, limit int) (storage.Page[storage.InstanceProfileRecord], error) {
		return storage.InstanceProfiles(tx).Page("", from, limit, func(_ string, p storage.InstanceProfileRecord) (bool, error) {
			return strings.HasPrefix(p.Path, prefix), nil
		})
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfilesResponse{InstanceProfiles: out, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

func (s *Service) ListInstanceProfilesForRole(ctx context.Context, in *iamapi.ListInstanceProfilesForRoleRequest) (*iamapi.ListInstanceProfilesForRoleResponse, error) {
	role := protocol.Val(in.RoleName)
	check := func(tx *storage.Tx) error {
		_, err := loadRole(tx, role)
		return err
	}
	out, pg, err := s.listProfiles(ctx, in.Marker, in.MaxItems, check, func(tx *storage.Tx, from string, limit int) (storage.Page[storage.InstanceProfileRecord], error) {
		return storage.RoleScope(tx, role).InstanceProfiles().Page(from, limit, nil)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfilesForRoleResponse{InstanceProfiles: out, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

// changeProfile runs fn on the named profile inside one transaction and stores the result.
func (s *Service) changeProfile(ctx context.Context, name string, fn func(tx *storage.Tx, p *storage.InstanceProfileRecord) error) error {
	return asAWS(s.update(ctx, func(tx *storage.Tx) error {
		p, err := loadProfile(tx, name)
		if err != nil {
			return err
		}
		if err := fn(tx, &p); err != nil {
			return err
		}
		return storage.InstanceProfiles(tx).Put(storage.Key(name), p)
	}))
}

func (s *Service) AddRoleToInstanceProfile(ctx context.Context, in *iamapi.AddRoleToInstanceProfileRequest) (*iamapi.Empty, error) {
	err := s.changeProfile(ctx, protocol.Val(in.InstanceProfileName), func(tx *storage.Tx, p *storage.InstanceProfileRecord) error {
		r, err := loadRole(tx, protocol.Val(in.RoleName))
		if err != nil {
			return err
		}
		if len(p.Roles) >= 1 {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
		}
		p.Roles = append(p.Roles, r.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) RemoveRoleFromInstanceProfile(ctx context.Context, in *iamapi.RemoveRoleFromInstanceProfileRequest) (*iamapi.Empty, error) {
	err := s.changeProfile(ctx, protocol.Val(in.InstanceProfileName), func(tx *storage.Tx, p *storage.InstanceProfileRecord) error {
		r, err := loadRole(tx, protocol.Val(in.RoleName))
		if err != nil {
			return err
		}
		for i, name := range p.Roles {
			if strings.EqualFold(name, r.Name) {
				p.Roles = append(p.Roles[:i:i], p.Roles[i+1:]...)
				return nil
			}
		}
		return iamapi.ErrNoSuchEntity("Role %s in Instance Profile %s cannot be found.", r.Name, p.Name)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) TagInstanceProfile(ctx context.Context, in *iamapi.TagInstanceProfileRequest) (*iamapi.Empty, error) {
	err := s.changeProfile(ctx, protocol.Val(in.InstanceProfileName), func(_ *storage.Tx, p *storage.InstanceProfileRecord) (err error) {
		p.Tags, err = roleTagRules.merge(p.Tags, in.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) UntagInstanceProfile(ctx context.Context, in *iamapi.UntagInstanceProfileRequest) (*iamapi.Empty, error) {
	err := s.changeProfile(ctx, protocol.Val(in.InstanceProfileName), func(_ *storage.Tx, p *storage.InstanceProfileRecord) error {
		p.Tags = roleTagRules.remove(p.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListInstanceProfileTags(ctx context.Context, in *iamapi.ListInstanceProfileTagsRequest) (*iamapi.ListInstanceProfileTagsResponse, error) {
	p, err := s.listTags(ctx, roleTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		p, err := loadProfile(tx, protocol.Val(in.InstanceProfileName))
		return p.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListInstanceProfileTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
