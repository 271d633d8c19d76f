package iam

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func TestGetAccountAuthorizationDetails(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	local := e.policy("mine")
	e.user("alice")
	e.group("devs", "alice")
	e.role("app")
	const ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"
	rpOK(t, attachKinds[0].attach(e, "alice", local))
	rpOK(t, attachKinds[1].attach(e, "devs", ro))
	rpOK(t, inlineKinds[0].put(e, "alice", "u-in", rpDoc))
	rpOK(t, inlineKinds[2].put(e, "app", "r-in", rpDoc))
	_, err := e.s.CreateInstanceProfile(e.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip")})
	rpOK(t, err)
	_, err = e.s.AddRoleToInstanceProfile(e.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip"), RoleName: protocol.Ptr("app")})
	rpOK(t, err)
	_, err = e.s.CreatePolicyVersion(e.ctx, &iamapi.CreatePolicyVersionRequest{PolicyArn: &local, PolicyDocument: protocol.Ptr(rpDoc)})
	rpOK(t, err)

	all, err := e.s.GetAccountAuthorizationDetails(e.ctx, &iamapi.GetAccountAuthorizationDetailsRequest{})
	rpOK(t, err)
	if len(all.UserDetailList) != 1 || len(all.GroupDetailList) != 1 || len(all.RoleDetailList) != 1 || len(all.Policies) != 2 || *all.IsTruncated {
		t.Fatalf("counts = %d users %d groups %d roles %d policies", len(all.UserDetailList), len(all.GroupDetailList), len(all.RoleDetailList), len(all.Policies))
	}
	u := all.UserDetailList[0]
	if join(u.GroupList) != "devs" || len(u.AttachedManagedPolicies) != 1 || len(u.UserPolicyList) != 1 || decoded(t, u.UserPolicyList[0].PolicyDocument) != rpDoc || u.Tags == nil {
		t.Errorf("user detail = %+v", u)
	}
	g := all.GroupDetailList[0]
	if g.GroupPolicyList == nil || len(g.AttachedManagedPolicies) != 1 || *g.AttachedManagedPolicies[0].PolicyArn != ro {
		t.Errorf("group detail = %+v", g)
	}
	r := all.RoleDetailList[0]
	if len(r.InstanceProfileList) != 1 || len(r.RolePolicyList) != 1 || r.RoleLastUsed == nil || r.AttachedManagedPolicies == nil || decoded(t, r.AssumeRolePolicyDocument) != rpTrust {
		t.Errorf("role detail = %+v", r)
	}
	if p := all.Policies[0]; *p.Arn != local || len(p.PolicyVersionList) != 2 || *p.PolicyVersionList[0].VersionId != "v2" || decoded(t, p.PolicyVersionList[1].Document) != rpDoc {
		t.Errorf("local policy detail = %+v", p)
	}
	if p := all.Policies[1]; *p.Arn != ro || *p.AttachmentCount != 1 || len(p.PolicyVersionList) != 1 {
		t.Errorf("aws policy detail = %+v", p)
	}

	filters := []struct {
		filter []string
		want   [4]int
	}{
		{[]string{"User"}, [4]int{1, 0, 0, 0}},
		{[]string{"Role", "Group"}, [4]int{0, 1, 1, 0}},
		{[]string{"LocalManagedPolicy"}, [4]int{0, 0, 0, 1}},
		{[]string{"AWSManagedPolicy"}, [4]int{0, 0, 0, 1}},
	}
	for _, f := range filters {
		out, err := e.s.GetAccountAuthorizationDetails(e.ctx, &iamapi.GetAccountAuthorizationDetailsRequest{Filter: f.filter})
		rpOK(t, err)
		got := [4]int{len(out.UserDetailList), len(out.GroupDetailList), len(out.RoleDetailList), len(out.Policies)}
		if got != f.want || out.UserDetailList == nil || out.Policies == nil {
			t.Errorf("Filter %v: %v, want %v", f.filter, got, f.want)
		}
	}

	// MaxItems counts entries across the lists.
	seen := 0
	var marker *string
	for pages := 1; ; pages++ {
		out, err := e.s.GetAccountAuthorizationDetails(e.ctx, &iamapi.GetAccountAuthorizationDetailsRequest{MaxItems: protocol.Ptr(int32(2)), Marker: marker})
		rpOK(t, err)
		seen += len(out.UserDetailList) + len(out.GroupDetailList) + len(out.RoleDetailList) + len(out.Policies)
		if !*out.IsTruncated {
			if pages != 3 || seen != 5 {
				t.Errorf("%d pages, %d entries; want 3 pages, 5 entries", pages, seen)
			}
			break
		}
		marker = out.Marker
	}
}
