package iam

import (
	"context"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// GetAccountAuthorizationDetails snapshots the account's users, groups, roles and managed
// policies in one read transaction. Filter selects User, Group, Role, LocalManagedPolicy and
// AWSManagedPolicy (all when empty); AWS managed policies are reported only when the account
// uses them (attached or as a boundary). Members follow recorded AWS responses (LocalStack IAM
// parity snapshot test_iam_account_authorization_details): each list is present even when
// empty, a user without inline policies has no UserPolicyList, documents are URL-encoded.
// MaxItems counts entries across the four lists, which are paged in that order.
func (s *Service) GetAccountAuthorizationDetails(ctx context.Context, in *iamapi.GetAccountAuthorizationDetailsRequest) (*iamapi.GetAccountAuthorizationDetailsResponse, error) {
	want := map[string]bool{}
	for _, f := range in.Filter {
		want[f] = true
	}
	all := len(want) == 0
	var items []authItem
	err := s.view(ctx, func(tx *storage.Tx) error {
		b := authBuilder{tx: tx, names: s.names(ctx)}
		steps := []struct {
			on bool
			fn func() ([]authItem, error)
		}{
			{all || want["User"], b.users},
			{all || want["Group"], b.groups},
			{all || want["Role"], b.roles},
			{all || want["LocalManagedPolicy"] || want["AWSManagedPolicy"],
				func() ([]authItem, error) {
					return b.policies(all || want["LocalManagedPolicy"], all || want["AWSManagedPolicy"])
				}},
		}
		for _, st := range steps {
			if !st.on {
				continue
			}
			got, err := st.fn()
			if err != nil {
				return err
			}
			items = append(items, got...)
		}
		return nil
	})
	if err != nil {
		return nil, asAWS(err)
	}
	pg, err := paginate(items, func(i authItem) string { return i.key }, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.GetAccountAuthorizationDetailsResponse{
		UserDetailList: []iamapi.UserDetail{}, GroupDetailList: []iamapi.GroupDetail{},
		RoleDetailList: []iamapi.RoleDetail{}, Policies: []iamapi.ManagedPolicyDetail{},
		IsTruncated: pg.IsTruncated(), Marker: pg.Marker,
	}
	for _, it := range pg.Items {
		switch {
		case it.user != nil:
			out.UserDetailList = append(out.UserDetailList, *it.user)
		case it.group != nil:
			out.GroupDetailList = append(out.GroupDetailList, *it.group)
		case it.role != nil:
			out.RoleDetailList = append(out.RoleDetailList, *it.role)
		default:
			out.Policies = append(out.Policies, *it.policy)
		}
	}
	return out, nil
}

// authItem is one entry of the report; key orders users, groups, roles, then policies.
type authItem struct {
	key    string
	user   *iamapi.UserDetail
	group  *iamapi.GroupDetail
	role   *iamapi.RoleDetail
	policy *iamapi.ManagedPolicyDetail
}

type authBuilder struct {
	tx    *storage.Tx
	names arn.Scope
}

func (b authBuilder) attached(kind, name string) ([]iamapi.AttachedPolicy, error) {
	as, err := attachedPolicies(storage.EntityScope(b.tx, kind, name))
	return wireAttached(as), err
}

// inline lists an entity's inline policies with their URL-encoded documents.
func (b authBuilder) inline(kind, name string) ([]iamapi.PolicyDetail, error) {
	ps, err := storage.EntityScope(b.tx, kind, name).InlinePolicies().List()
	out := make([]iamapi.PolicyDetail, 0, len(ps))
	for _, p := range ps {
		out = append(out, iamapi.PolicyDetail{PolicyName: protocol.Ptr(p.Name), PolicyDocument: protocol.Ptr(encodeDocument(p.Document))})
	}
	return out, err
}

func (b authBuilder) users() ([]authItem, error) {
	var out []authItem
	err := storage.Users(b.tx).Scan("", func(k string, u storage.UserRecord) error {
		d := iamapi.UserDetail{
			Arn: protocol.Ptr(b.names.User(u.Path, u.Name).String()), CreateDate: protocol.Ptr(u.Created),
			Path: protocol.Ptr(u.Path), UserId: protocol.Ptr(u.ID), UserName: protocol.Ptr(u.Name),
			PermissionsBoundary: wireBoundary(u.Boundary), Tags: tagsAlways(u.Tags), GroupList: []string{},
		}
		var err error
		if d.AttachedManagedPolicies, err = b.attached(storage.KindUser, u.Name); err != nil {
			return err
		}
		if d.UserPolicyList, err = b.inline(storage.KindUser, u.Name); err != nil {
			return err
		}
		if len(d.UserPolicyList) == 0 {
			d.UserPolicyList = nil
		}
		groups, err := storage.UserScope(b.tx, u.Name).Groups().List()
		for _, m := range groups {
			d.GroupList = append(d.GroupList, m.Group)
		}
		out = append(out, authItem{key: "1\x00" + k, user: &d})
		return err
	})
	return out, err
}

func (b authBuilder) groups() ([]authItem, error) {
	var out []authItem
	err := storage.Groups(b.tx).Scan("", func(k string, g storage.GroupRecord) error {
		d := iamapi.GroupDetail{
			Arn: protocol.Ptr(b.names.Group(g.Path, g.Name).String()), CreateDate: protocol.Ptr(g.Created),
			Path: protocol.Ptr(g.Path), GroupId: protocol.Ptr(g.ID), GroupName: protocol.Ptr(g.Name),
		}
		var err error
		if d.AttachedManagedPolicies, err = b.attached(storage.KindGroup, g.Name); err != nil {
			return err
		}
		d.GroupPolicyList, err = b.inline(storage.KindGroup, g.Name)
		out = append(out, authItem{key: "2\x00" + k, group: &d})
		return err
	})
	return out, err
}

func (b authBuilder) roles() ([]authItem, error) {
	var out []authItem
	err := storage.Roles(b.tx).Scan("", func(k string, r storage.RoleRecord) error {
		d := iamapi.RoleDetail{
			Arn: protocol.Ptr(b.names.Role(r.Path, r.Name).String()), AssumeRolePolicyDocument: protocol.Ptr(encodeDocument(r.TrustPolicy)),
			CreateDate: protocol.Ptr(r.Created), Path: protocol.Ptr(r.Path), RoleId: protocol.Ptr(r.ID),
			RoleName: protocol.Ptr(r.Name), RoleLastUsed: wireLastUsed(r), Tags: tagsAlways(r.Tags),
			PermissionsBoundary: wireBoundary(r.Boundary), InstanceProfileList: []iamapi.InstanceProfile{},
		}
		var err error
		if d.AttachedManagedPolicies, err = b.attached(storage.KindRole, r.Name); err != nil {
			return err
		}
		if d.RolePolicyList, err = b.inline(storage.KindRole, r.Name); err != nil {
			return err
		}
		profiles, err := storage.RoleScope(b.tx, r.Name).InstanceProfiles().List()
		for _, p := range profiles {
			w, err := wireProfile(b.tx, b.names, p, false)
			if err != nil {
				return err
			}
			d.InstanceProfileList = append(d.InstanceProfileList, w)
		}
		out = append(out, authItem{key: "3\x00" + k, role: &d})
		return err
	})
	return out, err
}

// policies reports the account's own policies and, when asked, the AWS managed policies in use.
func (b authBuilder) policies(local, aws bool) ([]authItem, error) {
	var refs []policyRef
	if local {
		recs, err := storage.PoliciesByARN(b.tx, "").List() // in ARN order
		if err != nil {
			return nil, err
		}
		for _, r := range recs {
			refs = append(refs, policyRef{local: r})
		}
	}
	if aws {
		inUse := map[string]bool{}
		for _, use := range []storage.Use{storage.UseAttached, storage.UseBoundary} {
			err := storage.PolicyUsage(b.tx).Policies(use, awsmanaged.Prefix(b.names.Partition)+"/", "", func(arn string) (bool, error) {
				inUse[arn] = true
				return true, nil
			})
			if err != nil {
				return nil, err
			}
		}
		for _, p := range awsmanaged.List("") {
			if inUse[p.ARN(b.names.Partition)] {
				refs = append(refs, policyRef{aws: p, partition: b.names.Partition})
			}
		}
	}
	arns := make([]string, 0, len(refs))
	for _, p := range refs {
		arns = append(arns, p.arn())
	}
	u := usageOf(b.tx, arns...)
	var err error
	out := make([]authItem, 0, len(refs))
	for _, p := range refs {
		w := wirePolicy(p, u, policyWithDescription)
		d := iamapi.ManagedPolicyDetail{
			Arn: w.Arn, AttachmentCount: w.AttachmentCount, CreateDate: w.CreateDate, DefaultVersionId: w.DefaultVersionId,
			Description: w.Description, IsAttachable: w.IsAttachable, Path: w.Path,
			PermissionsBoundaryUsageCount: w.PermissionsBoundaryUsageCount, PolicyId: w.PolicyId,
			PolicyName: w.PolicyName, UpdateDate: w.UpdateDate,
		}
		if d.PolicyVersionList, err = policyVersions(b.tx, p, true); err != nil {
			return nil, err
		}
		out = append(out, authItem{key: "4\x00" + p.arn(), policy: &d})
	}
	return out, nil
}
