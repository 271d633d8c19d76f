package iam

import (
	"context"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Inline policies. The aggregate size of an entity's inline policies is limited to 2048
// characters for a user, 5120 for a group and 10240 for a role, white space not counted (IAM
// User Guide, "IAM and AWS STS quotas"); IAM answers "Maximum policy size of 10240 bytes
// exceeded for role <name>" (widely quoted from PutRolePolicy failures).
var inlineQuota = map[string]int{storage.KindUser: 2048, storage.KindGroup: 5120, storage.KindRole: 10240}

func noSuchInline(kind, name string) error {
	return iamapi.ErrNoSuchEntity("The %s policy with name %s cannot be found.", kind, name)
}

// inlineEntity loads the entity owning inline policies; write refuses service-linked roles.
func inlineEntity(tx *storage.Tx, kind, name string, write bool) (entity, error) {
	e, err := loadEntity(tx, kind, name)
	if err == nil && write && e.role != nil {
		err = protectedRole(*e.role)
	}
	return e, err
}

func (s *Service) putInline(ctx context.Context, kind, entityName, policyName, doc string) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		e, err := inlineEntity(tx, kind, entityName, true)
		if err != nil {
			return err
		}
		if _, err := validatePolicy(nil, s.names(ctx), doc, authz.KindIdentity); err != nil {
			return err
		}
		size := policySize(doc)
		policies := e.scope(tx).InlinePolicies()
		existing, err := policies.List()
		if err != nil {
			return err
		}
		for _, p := range existing {
			if p.Name != policyName {
				size += policySize(p.Document)
			}
		}
		if q := inlineQuota[kind]; size > q {
			return iamapi.ErrLimitExceeded("Maximum policy size of %d bytes exceeded for %s %s", q, kind, e.name)
		}
		return policies.Put(policyName, storage.InlinePolicyRecord{V: 1, Name: policyName, Document: doc})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	s.noteStored(ctx, kind+"/"+entityName+"/"+policyName, doc)
	return &iamapi.Empty{}, nil
}

// getInline returns the entity's display name and the policy.
func (s *Service) getInline(ctx context.Context, kind, entityName, policyName string) (string, storage.InlinePolicyRecord, error) {
	var e entity
	var p storage.InlinePolicyRecord
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		if e, err = inlineEntity(tx, kind, entityName, false); err != nil {
			return err
		}
		p, err = e.scope(tx).InlinePolicies().Get(policyName)
		if isNotFound(err) {
			return noSuchInline(kind, policyName)
		}
		return err
	})
	return e.name, p, asAWS(err)
}

func (s *Service) deleteInline(ctx context.Context, kind, entityName, policyName string) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		e, err := inlineEntity(tx, kind, entityName, true)
		if err != nil {
			return err
		}
		err = e.scope(tx).InlinePolicies().Delete(policyName)
		if isNotFound(err) {
			return noSuchInline(kind, policyName)
		}
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// listInline pages an entity's inline policy names, in name order (the storage key order).
func (s *Service) listInline(ctx context.Context, kind, entityName string, marker *string, maxItems *int32) (page[string], error) {
	var p page[storage.InlinePolicyRecord]
	err := s.view(ctx, func(tx *storage.Tx) error {
		e, err := inlineEntity(tx, kind, entityName, false)
		if err != nil {
			return err
		}
		p, err = readPage(marker, maxItems, func(from string, limit int) (storage.Page[storage.InlinePolicyRecord], error) {
			return e.scope(tx).InlinePolicies().Page(from, limit, nil)
		})
		return err
	})
	if err != nil {
		return page[string]{}, asAWS(err)
	}
	names := page[string]{Items: []string{}, Truncated: p.Truncated, Marker: p.Marker} // PolicyNames is required: never absent
	for _, r := range p.Items {
		names.Items = append(names.Items, r.Name)
	}
	return names, nil
}

func (s *Service) PutUserPolicy(ctx context.Context, in *iamapi.PutUserPolicyRequest) (*iamapi.Empty, error) {
	return s.putInline(ctx, storage.KindUser, protocol.Val(in.UserName), protocol.Val(in.PolicyName), protocol.Val(in.PolicyDocument))
}

func (s *Service) PutGroupPolicy(ctx context.Context, in *iamapi.PutGroupPolicyRequest) (*iamapi.Empty, error) {
	return s.putInline(ctx, storage.KindGroup, protocol.Val(in.GroupName), protocol.Val(in.PolicyName), protocol.Val(in.PolicyDocument))
}

func (s *Service) PutRolePolicy(ctx context.Context, in *iamapi.PutRolePolicyRequest) (*iamapi.Empty, error) {
	return s.putInline(ctx, storage.KindRole, protocol.Val(in.RoleName), protocol.Val(in.PolicyName), protocol.Val(in.PolicyDocument))
}

func (s *Service) GetUserPolicy(ctx context.Context, in *iamapi.GetUserPolicyRequest) (*iamapi.GetUserPolicyResponse, error) {
	name, p, err := s.getInline(ctx, storage.KindUser, protocol.Val(in.UserName), protocol.Val(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetUserPolicyResponse{UserName: protocol.Ptr(name), PolicyName: protocol.Ptr(p.Name),
		PolicyDocument: protocol.Ptr(encodeDocument(p.Document))}, nil
}

func (s *Service) GetGroupPolicy(ctx context.Context, in *iamapi.GetGroupPolicyRequest) (*iamapi.GetGroupPolicyResponse, error) {
	name, p, err := s.getInline(ctx, storage.KindGroup, protocol.Val(in.GroupName), protocol.Val(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetGroupPolicyResponse{GroupName: protocol.Ptr(name), PolicyName: protocol.Ptr(p.Name),
		PolicyDocument: protocol.Ptr(encodeDocument(p.Document))}, nil
}

func (s *Service) GetRolePolicy(ctx context.Context, in *iamapi.GetRolePolicyRequest) (*iamapi.GetRolePolicyResponse, error) {
	name, p, err := s.getInline(ctx, storage.KindRole, protocol.Val(in.RoleName), protocol.Val(in.PolicyName))
	if err != nil {
		return nil, err
	}
	return &iamapi.GetRolePolicyResponse{RoleName: protocol.Ptr(name), PolicyName: protocol.Ptr(p.Name),
		PolicyDocument: protocol.Ptr(encodeDocument(p.Document))}, nil
}

func (s *Service) DeleteUserPolicy(ctx context.Context, in *iamapi.DeleteUserPolicyRequest) (*iamapi.Empty, error) {
	return s.deleteInline(ctx, storage.KindUser, protocol.Val(in.UserName), protocol.Val(in.PolicyName))
}

func (s *Service) DeleteGroupPolicy(ctx context.Context, in *iamapi.DeleteGroupPolicyRequest) (*iamapi.Empty, error) {
	return s.deleteInline(ctx, storage.KindGroup, protocol.Val(in.GroupName), protocol.Val(in.PolicyName))
}

func (s *Service) DeleteRolePolicy(ctx context.Context, in *iamapi.DeleteRolePolicyRequest) (*iamapi.Empty, error) {
	return s.deleteInline(ctx, storage.KindRole, protocol.Val(in.RoleName), protocol.Val(in.PolicyName))
}

func (s *Service) ListUserPolicies(ctx context.Context, in *iamapi.ListUserPoliciesRequest) (*iamapi.ListUserPoliciesResponse, error) {
	pg, err := s.listInline(ctx, storage.KindUser, protocol.Val(in.UserName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListUserPoliciesResponse{PolicyNames: pg.Items, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

func (s *Service) ListGroupPolicies(ctx context.Context, in *iamapi.ListGroupPoliciesRequest) (*iamapi.ListGroupPoliciesResponse, error) {
	pg, err := s.listInline(ctx, storage.KindGroup, protocol.Val(in.GroupName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListGroupPoliciesResponse{PolicyNames: pg.Items, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

func (s *Service) ListRolePolicies(ctx context.Context, in *iamapi.ListRolePoliciesRequest) (*iamapi.ListRolePoliciesResponse, error) {
	pg, err := s.listInline(ctx, storage.KindRole, protocol.Val(in.RoleName), in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListRolePoliciesResponse{PolicyNames: pg.Items, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}
