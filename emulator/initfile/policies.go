package initfile

import (
	"fmt"
	"sort"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// entity is a user, group or role that policies are attached to or embedded in.
type entity struct {
	storageKind string // user, group or role
	name        string
}

func (e entity) String() string { return e.storageKind + " " + quote(e.name) }

// attach attaches the managed policies the entity lacks.
func (a *applier) attach(acct *Account, e entity, refs []string) error {
	if len(refs) == 0 {
		return nil
	}
	attached, err := a.attached(e)
	if err != nil {
		return err
	}
	for _, ref := range refs {
		arn := a.policyARN(acct, ref)
		if attached[arn] {
			a.report.Present++
			continue
		}
		ctx, name := a.iam(), ptr(e.name)
		switch e.storageKind {
		case "user":
			_, err = call(ctx, iamapi.Model, "AttachUserPolicy", a.t.IAM.AttachUserPolicy, &iamapi.AttachUserPolicyRequest{UserName: name, PolicyArn: &arn})
		case "group":
			_, err = call(ctx, iamapi.Model, "AttachGroupPolicy", a.t.IAM.AttachGroupPolicy, &iamapi.AttachGroupPolicyRequest{GroupName: name, PolicyArn: &arn})
		default:
			_, err = call(ctx, iamapi.Model, "AttachRolePolicy", a.t.IAM.AttachRolePolicy, &iamapi.AttachRolePolicyRequest{RoleName: name, PolicyArn: &arn})
		}
		if err != nil {
			return err
		}
		a.created(fmt.Sprintf("policy %s attached to %s", arn, e))
	}
	return nil
}

// attached is the set of policy ARNs attached to the entity, every page read.
func (a *applier) attached(e entity) (map[string]bool, error) {
	out := map[string]bool{}
	var marker *string
	for {
		var policies []iamapi.AttachedPolicy
		var truncated *bool
		var err error
		ctx, name := a.iam(), ptr(e.name)
		switch e.storageKind {
		case "user":
			var r *iamapi.ListAttachedUserPoliciesResponse
			if r, err = call(ctx, iamapi.Model, "ListAttachedUserPolicies", a.t.IAM.ListAttachedUserPolicies,
				&iamapi.ListAttachedUserPoliciesRequest{UserName: name, Marker: marker}); err == nil {
				policies, truncated, marker = r.AttachedPolicies, r.IsTruncated, r.Marker
			}
		case "group":
			var r *iamapi.ListAttachedGroupPoliciesResponse
			if r, err = call(ctx, iamapi.Model, "ListAttachedGroupPolicies", a.t.IAM.ListAttachedGroupPolicies,
				&iamapi.ListAttachedGroupPoliciesRequest{GroupName: name, Marker: marker}); err == nil {
				policies, truncated, marker = r.AttachedPolicies, r.IsTruncated, r.Marker
			}
		default:
			var r *iamapi.ListAttachedRolePoliciesResponse
			if r, err = call(ctx, iamapi.Model, "ListAttachedRolePolicies", a.t.IAM.ListAttachedRolePolicies,
				&iamapi.ListAttachedRolePoliciesRequest{RoleName: name, Marker: marker}); err == nil {
				policies, truncated, marker = r.AttachedPolicies, r.IsTruncated, r.Marker
			}
		}
		if err != nil {
			return nil, err
		}
		for _, p := range policies {
			out[protocol.Val(p.PolicyArn)] = true
		}
		if !protocol.Val(truncated) {
			return out, nil
		}
	}
}

// inline embeds the inline policies the entity lacks; one of the same name is left as it is.
func (a *applier) inline(e entity, docs map[string]Document) error {
	for _, name := range sortedKeys(docs) {
		doc := string(docs[name])
		what := fmt.Sprintf("inline policy %s of %s", quote(name), e)
		err := a.ensure(what, func() error {
			ctx, owner := a.iam(), ptr(e.name)
			var err error
			switch e.storageKind {
			case "user":
				_, err = call(ctx, iamapi.Model, "GetUserPolicy", a.t.IAM.GetUserPolicy, &iamapi.GetUserPolicyRequest{UserName: owner, PolicyName: &name})
			case "group":
				_, err = call(ctx, iamapi.Model, "GetGroupPolicy", a.t.IAM.GetGroupPolicy, &iamapi.GetGroupPolicyRequest{GroupName: owner, PolicyName: &name})
			default:
				_, err = call(ctx, iamapi.Model, "GetRolePolicy", a.t.IAM.GetRolePolicy, &iamapi.GetRolePolicyRequest{RoleName: owner, PolicyName: &name})
			}
			return err
		}, func() error {
			ctx, owner := a.iam(), ptr(e.name)
			var err error
			switch e.storageKind {
			case "user":
				_, err = call(ctx, iamapi.Model, "PutUserPolicy", a.t.IAM.PutUserPolicy, &iamapi.PutUserPolicyRequest{UserName: owner, PolicyName: &name, PolicyDocument: &doc})
			case "group":
				_, err = call(ctx, iamapi.Model, "PutGroupPolicy", a.t.IAM.PutGroupPolicy, &iamapi.PutGroupPolicyRequest{GroupName: owner, PolicyName: &name, PolicyDocument: &doc})
			default:
				_, err = call(ctx, iamapi.Model, "PutRolePolicy", a.t.IAM.PutRolePolicy, &iamapi.PutRolePolicyRequest{RoleName: owner, PolicyName: &name, PolicyDocument: &doc})
			}
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
