package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Role quotas (IAM User Guide, "IAM and AWS STS quotas"): a trust policy of at most 2048
// characters (white space not counted), a session of 1 to 12 hours (the model bounds
// MaxSessionDuration to 3600..43200; the default is one hour).
const (
	maxTrustPolicySize        = 2048
	defaultMaxSessionDuration = 3600
)

func noSuchRole(name string) error {
	return iamapi.ErrNoSuchEntity("The role with name %s cannot be found.", name)
}

func loadRole(tx *storage.Tx, name string) (storage.RoleRecord, error) {
	return lookup(storage.Roles(tx), name, noSuchRole)
}

// protectedRole refuses changes that only AWS may make to a service-linked role, with IAM's
// UnmodifiableEntity text (seen for AWSServiceRoleFor* and AWSReservedSSO_* roles, IAM Identity
// Center User Guide, "Troubleshooting").
func protectedRole(r storage.RoleRecord) error {
	if r.ServiceLinked {
		return iamapi.ErrUnmodifiableEntity("Cannot perform the operation on the protected role '%s' - this role is only modifiable by AWS", r.Name)
	}
	return nil
}

// roleView selects the members an operation returns: AWS answers different subsets of Role
// from different operations (recorded AWS responses in LocalStack's IAM parity snapshots:
// CreateRole omits Description, MaxSessionDuration and RoleLastUsed; ListRoles omits Tags,
// PermissionsBoundary and RoleLastUsed; roles inside an instance profile carry neither).
type roleView uint8

const (
	withDescription roleView = 1 << iota
	withMaxSession
	withLastUsed
	withTags
	withBoundary

	viewCreate           = withTags | withBoundary
	viewGet              = withDescription | withMaxSession | withLastUsed | withTags | withBoundary
	viewList             = withDescription | withMaxSession
	viewProfile roleView = 0
)

func wireRole(names arn.Scope, r storage.RoleRecord, v roleView) iamapi.Role {
	out := iamapi.Role{
		Arn:                      protocol.Ptr(names.Role(r.Path, r.Name).String()),
		AssumeRolePolicyDocument: protocol.Ptr(encodeDocument(r.TrustPolicy)),
		CreateDate:               protocol.Ptr(r.Created),
		Path:                     protocol.Ptr(r.Path),
		RoleId:                   protocol.Ptr(r.ID),
		RoleName:                 protocol.Ptr(r.Name),
	}
	if v&withDescription != 0 && r.Description != "" {
		out.Description = protocol.Ptr(r.Description)
	}
	if v&withMaxSession != 0 {
		out.MaxSessionDuration = protocol.Ptr(r.MaxSessionDuration)
	}
	if v&withLastUsed != 0 {
		out.RoleLastUsed = wireLastUsed(r)
	}
	if v&withTags != 0 {
		out.Tags = tagsToAPI(r.Tags)
	}
	if v&withBoundary != 0 {
		out.PermissionsBoundary = wireBoundary(r.Boundary)
	}
	return out
}

// wireLastUsed is always present in GetRole, empty until STS records a use.
func wireLastUsed(r storage.RoleRecord) *iamapi.RoleLastUsed {
	lu := &iamapi.RoleLastUsed{}
	if !r.LastUsed.IsZero() {
		lu.LastUsedDate = protocol.Ptr(r.LastUsed)
		if r.LastUsedRegion != "" {
			lu.Region = protocol.Ptr(r.LastUsedRegion)
		}
	}
	return lu
}

func (s *Service) CreateRole(ctx context.Context, in *iamapi.CreateRoleRequest) (*iamapi.CreateRoleResponse, error) {
	names := s.names(ctx)
	name, doc := protocol.Val(in.RoleName), protocol.Val(in.AssumeRolePolicyDocument)
	r := storage.RoleRecord{
		V: 1, Name: name, Path: pathOr(in.Path), Created: s.now(ctx), TrustPolicy: doc,
		Description: protocol.Val(in.Description), MaxSessionDuration: defaultMaxSessionDuration,
		Boundary: protocol.Val(in.PermissionsBoundary),
	}
	if in.MaxSessionDuration != nil {
		r.MaxSessionDuration = *in.MaxSessionDuration
	}
	tags, err := roleTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	r.Tags = tags
	err = s.update(ctx, func(tx *storage.Tx) error {
		if err := checkTrustPolicy(tx, s.names(ctx), doc); err != nil {
			return err
		}
		if r.Boundary != "" {
			if err := boundaryExists(tx, s.names(ctx), r.Boundary); err != nil {
				return err
			}
		}
		if storage.Roles(tx).Has(storage.Key(name)) {
			return iamapi.ErrEntityAlreadyExists("Role with name %s already exists.", name)
		}
		r.ID = s.ids.UniqueID("AROA")
		return storage.Roles(tx).Insert(storage.Key(name), r)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := wireRole(names, r, viewCreate)
	out.Tags = in.Tags // the create response echoes the tags in request order
	return &iamapi.CreateRoleResponse{Role: &out}, nil
}

// checkTrustPolicy validates a role trust policy: its grammar and principals, then its size.
func checkTrustPolicy(tx *storage.Tx, names arn.Scope, doc string) error {
	if _, err := validatePolicy(tx, names, doc, authz.KindTrust); err != nil {
		return err
	}
	if policySize(doc) > maxTrustPolicySize {
		return iamapi.ErrLimitExceeded("Cannot exceed quota for ACLSizePerRole: %d", maxTrustPolicySize)
	}
	return nil
}

func pathOr(p *string) string {
	if p == nil || *p == "" {
		return "/"
	}
	return *p
}

func (s *Service) GetRole(ctx context.Context, in *iamapi.GetRoleRequest) (*iamapi.GetRoleResponse, error) {
	var r storage.RoleRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		r, err = loadRole(tx, protocol.Val(in.RoleName))
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := wireRole(s.names(ctx), r, viewGet)
	return &iamapi.GetRoleResponse{Role: &out}, nil
}

// changeRole runs fn on the named role inside one transaction and stores the result.
func (s *Service) changeRole(ctx context.Context, name string, fn func(tx *storage.Tx, r *storage.RoleRecord) error) (storage.RoleRecord, error) {
	var r storage.RoleRecord
	err := s.update(ctx, func(tx *storage.Tx) (err error) {
		if r, err = loadRole(tx, name); err != nil {
			return err
		}
		if err := fn(tx, &r); err != nil {
			return err
		}
		return storage.Roles(tx).Put(storage.Key(name), r)
	})
	return r, asAWS(err)
}

func (s *Service) UpdateRole(ctx context.Context, in *iamapi.UpdateRoleRequest) (*iamapi.UpdateRoleResponse, error) {
	_, err := s.changeRole(ctx, protocol.Val(in.RoleName), func(_ *storage.Tx, r *storage.RoleRecord) error {
		if in.Description != nil {
			r.Description = *in.Description
		}
		if in.MaxSessionDuration != nil {
			r.MaxSessionDuration = *in.MaxSessionDuration
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateRoleResponse{}, nil
}

func (s *Service) UpdateRoleDescription(ctx context.Context, in *iamapi.UpdateRoleDescriptionRequest) (*iamapi.UpdateRoleDescriptionResponse, error) {
	r, err := s.changeRole(ctx, protocol.Val(in.RoleName), func(_ *storage.Tx, r *storage.RoleRecord) error {
		r.Description = protocol.Val(in.Description)
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := wireRole(s.names(ctx), r, viewCreate|withDescription)
	return &iamapi.UpdateRoleDescriptionResponse{Role: &out}, nil
}

func (s *Service) UpdateAssumeRolePolicy(ctx context.Context, in *iamapi.UpdateAssumeRolePolicyRequest) (*iamapi.Empty, error) {
	doc := protocol.Val(in.PolicyDocument)
	_, err := s.changeRole(ctx, protocol.Val(in.RoleName), func(tx *storage.Tx, r *storage.RoleRecord) error {
		if err := protectedRole(*r); err != nil {
			return err
		}
		if err := checkTrustPolicy(tx, s.names(ctx), doc); err != nil {
			return err
		}
		r.TrustPolicy = doc
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// DeleteRole refuses a service-linked role, then (in the order and with the texts storage
// declares) a role with attached managed policies, inline policies or instance profiles.
func (s *Service) DeleteRole(ctx context.Context, in *iamapi.DeleteRoleRequest) (*iamapi.Empty, error) {
	name := protocol.Val(in.RoleName)
	err := s.update(ctx, func(tx *storage.Tx) error {
		r, err := loadRole(tx, name)
		if err != nil {
			return err
		}
		if err := protectedRole(r); err != nil {
			return err
		}
		return deleteEntity(storage.RoleScope(tx, r.Name).Entity)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// ListRoles lists roles in name order (case-insensitive, the storage key order).
func (s *Service) ListRoles(ctx context.Context, in *iamapi.ListRolesRequest) (*iamapi.ListRolesResponse, error) {
	prefix := pathOr(in.PathPrefix)
	var p page[storage.RoleRecord]
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.RoleRecord], error) {
			return storage.Roles(tx).Page("", from, limit, func(_ string, r storage.RoleRecord) (bool, error) {
				return strings.HasPrefix(r.Path, prefix), nil
			})
		})
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	names := s.names(ctx)
	roles := make([]iamapi.Role, 0, len(p.Items))
	for _, r := range p.Items {
		roles = append(roles, wireRole(names, r, viewList))
	}
	return &iamapi.ListRolesResponse{Roles: roles, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}

func (s *Service) TagRole(ctx context.Context, in *iamapi.TagRoleRequest) (*iamapi.Empty, error) {
	_, err := s.changeRole(ctx, protocol.Val(in.RoleName), func(_ *storage.Tx, r *storage.RoleRecord) (err error) {
		r.Tags, err = roleTagRules.merge(r.Tags, in.Tags)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) UntagRole(ctx context.Context, in *iamapi.UntagRoleRequest) (*iamapi.Empty, error) {
	_, err := s.changeRole(ctx, protocol.Val(in.RoleName), func(_ *storage.Tx, r *storage.RoleRecord) error {
		r.Tags = roleTagRules.remove(r.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListRoleTags(ctx context.Context, in *iamapi.ListRoleTagsRequest) (*iamapi.ListRoleTagsResponse, error) {
	p, err := s.listTags(ctx, roleTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		r, err := loadRole(tx, protocol.Val(in.RoleName))
		return r.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRoleTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
