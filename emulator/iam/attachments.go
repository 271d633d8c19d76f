package iam

import (
	"context"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Managed policies attached to users, groups and roles. At most 10 per entity, the default
// quota (IAM User Guide, "IAM and AWS STS quotas"), answered with IAM's "Cannot exceed quota for
// PoliciesPerUser: 10" (PoliciesPerGroup, PoliciesPerRole). Attaching an attached policy again
// succeeds and changes nothing.
const maxAttachedPolicies = 10

// entity is a user, group or role, as the policy operations see it.
type entity struct {
	kind     string // storage.KindUser, KindGroup or KindRole
	name     string // display name
	id       string
	path     string
	boundary string
	role     *storage.RoleRecord
}

func (e entity) key() string { return storage.Key(e.name) }

// scope is the entity as the owner of its policies in storage.
func (e entity) scope(tx *storage.Tx) storage.Entity { return storage.EntityScope(tx, e.kind, e.name) }

// loadEntity finds a user, group or role by name, answering IAM's NoSuchEntity texts.
func loadEntity(tx *storage.Tx, kind, name string) (entity, error) {
	switch kind {
	case storage.KindUser:
		u, err := getUser(tx, name)
		return entity{kind: kind, name: u.Name, id: u.ID, path: u.Path, boundary: u.Boundary}, err
	case storage.KindGroup:
		g, err := getGroup(tx, name)
		return entity{kind: kind, name: g.Name, id: g.ID, path: g.Path}, err
	default:
		r, err := loadRole(tx, name)
		return entity{kind: kind, name: r.Name, id: r.ID, path: r.Path, boundary: r.Boundary, role: &r}, err
	}
}

// quotaName is the kind's name in IAM's LimitExceeded texts ("PoliciesPerRole").
func quotaName(kind string) string {
	return map[string]string{storage.KindUser: "User", storage.KindGroup: "Group", storage.KindRole: "Role"}[kind]
}

// attachmentEntity checks the PolicyArn of an Attach* or Detach* request, then loads the entity,
// which may not be a service-linked role.
func attachmentEntity(tx *storage.Tx, names arn.Scope, kind, name, policyARN string) (entity, error) {
	if err := checkPolicyARN(names.Partition, policyARN); err != nil {
		return entity{}, err
	}
	return inlineEntity(tx, kind, name, true)
}

func (s *Service) attachPolicy(ctx context.Context, kind, name, arn string) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		e, err := attachmentEntity(tx, s.names(ctx), kind, name, arn)
		if err != nil {
			return err
		}
		p, found, err := findPolicy(tx, s.names(ctx), arn)
		if err != nil {
			return err
		}
		if !found {
			return iamapi.ErrNoSuchEntity("Policy %s does not exist or is not attachable.", arn)
		}
		attached := e.scope(tx).Attachments()
		if attached.Has(arn) {
			return nil
		}
		if attached.Count() >= maxAttachedPolicies {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for PoliciesPer%s: %d", quotaName(kind), maxAttachedPolicies)
		}
		return attached.Put(arn, storage.AttachmentRecord{V: 1, PolicyARN: arn, PolicyName: p.name()})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// detachPolicy answers "Policy <arn> was not found." when the policy is not attached (recorded
// AWS responses, LocalStack IAM parity snapshot test_role_managed_policy_errors).
func (s *Service) detachPolicy(ctx context.Context, kind, name, arn string) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		e, err := attachmentEntity(tx, s.names(ctx), kind, name, arn)
		if err != nil {
			return err
		}
		err = e.scope(tx).Attachments().Delete(arn)
		if isNotFound(err) {
			return policyNotFound(arn)
		}
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) AttachUserPolicy(ctx context.Context, in *iamapi.AttachUserPolicyRequest) (*iamapi.Empty, error) {
	return s.attachPolicy(ctx, storage.KindUser, protocol.Val(in.UserName), protocol.Val(in.PolicyArn))
}

func (s *Service) AttachGroupPolicy(ctx context.Context, in *iamapi.AttachGroupPolicyRequest) (*iamapi.Empty, error) {
	return s.attachPolicy(ctx, storage.KindGroup, protocol.Val(in.GroupName), protocol.Val(in.PolicyArn))
}

func (s *Service) AttachRolePolicy(ctx context.Context, in *iamapi.AttachRolePolicyRequest) (*iamapi.Empty, error) {
	return s.attachPolicy(ctx, storage.KindRole, protocol.Val(in.RoleName), protocol.Val(in.PolicyArn))
}

func (s *Service) DetachUserPolicy(ctx context.Context, in *iamapi.DetachUserPolicyRequest) (*iamapi.Empty, error) {
	return s.detachPolicy(ctx, storage.KindUser, protocol.Val(in.UserName), protocol.Val(in.PolicyArn))
}

func (s *Service) DetachGroupPolicy(ctx context.Context, in *iamapi.DetachGroupPolicyRequest) (*iamapi.Empty, error) {
	return s.detachPolicy(ctx, storage.KindGroup, protocol.Val(in.GroupName), protocol.Val(in.PolicyArn))
}

func (s *Service) DetachRolePolicy(ctx context.Context, in *iamapi.DetachRolePolicyRequest) (*iamapi.Empty, error) {
	return s.detachPolicy(ctx, storage.KindRole, protocol.Val(in.RoleName), protocol.Val(in.PolicyArn))
}

// policyPath is the path of a managed policy ARN ("/service-role/"), "" for anything else.
func policyPath(policyARN string) string {
	a, _ := arn.Parse(policyARN)
	kind, path, _, ok := arn.SplitIAMResource(a.Resource)
	if !ok || kind != "policy" {
		return ""
	}
	return path
}

// attachedPolicies lists an entity's managed policies, ordered by name without case and then
// ARN (AWS lists AmazonElasticMapReduceRole before AWSControlTowerServiceRolePolicy). That is not
// the storage key order (by ARN), but an entity has at most maxAttachedPolicies, so reading them
// all is reading one page.
func attachedPolicies(owner storage.Entity) ([]storage.AttachmentRecord, error) {
	out, err := owner.Attachments().List()
	sort.Slice(out, func(i, j int) bool { return attachedKey(out[i]) < attachedKey(out[j]) })
	return out, err
}

func attachedKey(a storage.AttachmentRecord) string {
	return strings.ToLower(a.PolicyName) + "\x00" + a.PolicyARN
}

func wireAttached(as []storage.AttachmentRecord) []iamapi.AttachedPolicy {
	out := make([]iamapi.AttachedPolicy, 0, len(as))
	for _, a := range as {
		out = append(out, iamapi.AttachedPolicy{PolicyArn: protocol.Ptr(a.PolicyARN), PolicyName: protocol.Ptr(a.PolicyName)})
	}
	return out
}

func (s *Service) listAttached(ctx context.Context, kind, name string, pathPrefix, marker *string, maxItems *int32) ([]iamapi.AttachedPolicy, page[storage.AttachmentRecord], error) {
	var all []storage.AttachmentRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		e, err := loadEntity(tx, kind, name)
		if err != nil {
			return err
		}
		all, err = attachedPolicies(e.scope(tx))
		return err
	})
	if err != nil {
		return nil, page[storage.AttachmentRecord]{}, asAWS(err)
	}
	prefix := pathOr(pathPrefix)
	keep := all[:0]
	for _, a := range all {
		if strings.HasPrefix(policyPath(a.PolicyARN), prefix) {
			keep = append(keep, a)
		}
	}
	pg, err := paginate(keep, attachedKey, marker, maxItems)
	return wireAttached(pg.Items), pg, err
}

func (s *Service) ListAttachedUserPolicies(ctx context.Context, in *iamapi.ListAttachedUserPoliciesRequest) (*iamapi.ListAttachedUserPoliciesResponse, error) {
	out, pg, err := s.listAttached(ctx, storage.KindUser, protocol.Val(in.UserName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedUserPoliciesResponse{AttachedPolicies: out, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

func (s *Service) ListAttachedGroupPolicies(ctx context.Context, in *iamapi.ListAttachedGroupPoliciesRequest) (*iamapi.ListAttachedGroupPoliciesResponse, error) {
	out, pg, err := s.listAttached(ctx, storage.KindGroup, protocol.Val(in.GroupName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedGroupPoliciesResponse{AttachedPolicies: out, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

func (s *Service) ListAttachedRolePolicies(ctx context.Context, in *iamapi.ListAttachedRolePoliciesRequest) (*iamapi.ListAttachedRolePoliciesResponse, error) {
	out, pg, err := s.listAttached(ctx, storage.KindRole, protocol.Val(in.RoleName), in.PathPrefix, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	return &iamapi.ListAttachedRolePoliciesResponse{AttachedPolicies: out, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}, nil
}

// ListEntitiesForPolicy lists the groups, roles and users a policy is attached to
// (PolicyUsageFilter PermissionsPolicy), bounds (PermissionsBoundary), or either (no filter),
// paging groups, then roles, then users, each in name order.
func (s *Service) ListEntitiesForPolicy(ctx context.Context, in *iamapi.ListEntitiesForPolicyRequest) (*iamapi.ListEntitiesForPolicyResponse, error) {
	arn, usage := protocol.Val(in.PolicyArn), protocol.Val(in.PolicyUsageFilter)
	filter, prefix := protocol.Val(in.EntityFilter), pathOr(in.PathPrefix)
	var uses []storage.Use
	if usage != "PermissionsBoundary" {
		uses = append(uses, storage.UseAttached)
	}
	if usage != "PermissionsPolicy" {
		uses = append(uses, storage.UseBoundary)
	}
	var pg page[entity]
	err := s.view(ctx, func(tx *storage.Tx) error {
		if _, err := getPolicy(tx, s.names(ctx), arn); err != nil {
			return err
		}
		keep := func(ref storage.EntityRef) (entity, bool, error) {
			if filter != "" && !strings.EqualFold(filter, ref.Kind) {
				return entity{}, false, nil
			}
			e, err := loadEntity(tx, ref.Kind, ref.Key)
			if _, vanished := awserr.As(err); vanished {
				return e, false, nil // NoSuchEntity: nothing to list
			}
			return e, err == nil && strings.HasPrefix(e.path, prefix), err
		}
		var err error
		pg, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[entity], error) {
			return policyEntities(tx, arn, uses, from, limit, keep)
		})
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := &iamapi.ListEntitiesForPolicyResponse{PolicyGroups: []iamapi.PolicyGroup{}, PolicyRoles: []iamapi.PolicyRole{},
		PolicyUsers: []iamapi.PolicyUser{}, IsTruncated: pg.IsTruncated(), Marker: pg.Marker}
	for _, e := range pg.Items {
		switch e.kind {
		case storage.KindGroup:
			out.PolicyGroups = append(out.PolicyGroups, iamapi.PolicyGroup{GroupName: protocol.Ptr(e.name), GroupId: protocol.Ptr(e.id)})
		case storage.KindRole:
			out.PolicyRoles = append(out.PolicyRoles, iamapi.PolicyRole{RoleName: protocol.Ptr(e.name), RoleId: protocol.Ptr(e.id)})
		default:
			out.PolicyUsers = append(out.PolicyUsers, iamapi.PolicyUser{UserName: protocol.Ptr(e.name), UserId: protocol.Ptr(e.id)})
		}
	}
	return out, nil
}

// policyEntities pages the entities that use a policy in any of the ways uses lists, merged in
// entityPageKey order (the order of the policy use index). Each way contributes at most its
// first limit+1 entities that keep accepts, which is enough: an entity beyond them follows
// limit+1 others of the merged listing.
func policyEntities(tx *storage.Tx, arn string, uses []storage.Use, from string, limit int,
	keep func(storage.EntityRef) (entity, bool, error)) (storage.Page[entity], error) {
	found := map[string]entity{}
	for _, use := range uses {
		_, err := storage.PolicyUsage(tx).Entities(arn, use, from, limit, func(ref storage.EntityRef) (bool, error) {
			e, ok, err := keep(ref)
			if ok {
				found[entityPageKey(e)] = e
			}
			return ok, err
		})
		if err != nil {
			return storage.Page[entity]{}, err
		}
	}
	keys := make([]string, 0, len(found))
	for k := range found {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out storage.Page[entity]
	for i, k := range keys {
		if i == limit {
			out.Truncated, out.Next = true, k
			break
		}
		out.Rows = append(out.Rows, storage.Row[entity]{Key: k, Value: found[k]})
	}
	return out, nil
}

func entityPageKey(e entity) string { return e.kind + "\x00" + e.key() }
