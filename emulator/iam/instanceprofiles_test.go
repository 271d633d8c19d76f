package iam

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func TestInstanceProfiles(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	e.role("r1")
	e.role("r2")
	c, err := e.s.CreateInstanceProfile(e.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: protocol.Ptr("web"), Path: protocol.Ptr("/app/")})
	rpOK(t, err)
	p := c.InstanceProfile
	if *p.Arn != "arn:aws:iam::123456789012:instance-profile/app/web" || (*p.InstanceProfileId)[:4] != "AIPA" || p.Roles == nil || p.Tags != nil {
		t.Errorf("CreateInstanceProfile = %+v", p)
	}
	_, err = e.s.CreateInstanceProfile(e.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: protocol.Ptr("WEB")})
	rpWant(t, err, "EntityAlreadyExists", "Instance Profile WEB already exists.")
	_, err = e.s.CreateInstanceProfile(e.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: protocol.Ptr("other"),
		Tags: []iamapi.Tag{{Key: protocol.Ptr("InitialKey"), Value: protocol.Ptr("InitialValue")}}})
	rpOK(t, err)

	add := func(profile, role string) error {
		_, err := e.s.AddRoleToInstanceProfile(e.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: &profile, RoleName: &role})
		return err
	}
	remove := func(profile, role string) error {
		_, err := e.s.RemoveRoleFromInstanceProfile(e.ctx, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: &profile, RoleName: &role})
		return err
	}
	rpOK(t, add("web", "r1"))
	rpWant(t, add("web", "r2"), "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	rpWant(t, add("nonexistent-profile", "r1"), "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.")
	rpWant(t, add("other", "nonexistent-role"), "NoSuchEntity", "The role with name nonexistent-role cannot be found.")
	rpOK(t, add("other", "r1"))
	rpWant(t, remove("web", "r2"), "NoSuchEntity", "Role r2 in Instance Profile web cannot be found.")

	g, err := e.s.GetInstanceProfile(e.ctx, &iamapi.GetInstanceProfileRequest{InstanceProfileName: protocol.Ptr("web")})
	rpOK(t, err)
	if len(g.InstanceProfile.Roles) != 1 || *g.InstanceProfile.Roles[0].RoleName != "r1" || g.InstanceProfile.Tags == nil {
		t.Errorf("GetInstanceProfile = %+v", g.InstanceProfile)
	}
	if r := g.InstanceProfile.Roles[0]; r.MaxSessionDuration != nil || r.RoleLastUsed != nil || r.AssumeRolePolicyDocument == nil {
		t.Errorf("role inside a profile = %+v", r)
	}

	lr, err := e.s.ListInstanceProfilesForRole(e.ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: protocol.Ptr("r1")})
	rpOK(t, err)
	if len(lr.InstanceProfiles) != 2 || *lr.InstanceProfiles[0].InstanceProfileName != "other" || lr.InstanceProfiles[0].Tags != nil {
		t.Errorf("ListInstanceProfilesForRole = %+v", lr.InstanceProfiles)
	}
	lr, _ = e.s.ListInstanceProfilesForRole(e.ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: protocol.Ptr("r2")})
	if lr.InstanceProfiles == nil || len(lr.InstanceProfiles) != 0 {
		t.Errorf("ListInstanceProfilesForRole(r2) = %+v", lr)
	}
	_, err = e.s.ListInstanceProfilesForRole(e.ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: protocol.Ptr("ghost")})
	rpWant(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")

	l, err := e.s.ListInstanceProfiles(e.ctx, &iamapi.ListInstanceProfilesRequest{PathPrefix: protocol.Ptr("/app/")})
	rpOK(t, err)
	if len(l.InstanceProfiles) != 1 || *l.InstanceProfiles[0].InstanceProfileName != "web" {
		t.Errorf("ListInstanceProfiles(/app/) = %+v", l.InstanceProfiles)
	}
	l, _ = e.s.ListInstanceProfiles(e.ctx, &iamapi.ListInstanceProfilesRequest{MaxItems: protocol.Ptr(int32(1))})
	if len(l.InstanceProfiles) != 1 || !*l.IsTruncated {
		t.Errorf("ListInstanceProfiles page = %+v", l)
	}

	del := func(name string) error {
		_, err := e.s.DeleteInstanceProfile(e.ctx, &iamapi.DeleteInstanceProfileRequest{InstanceProfileName: &name})
		return err
	}
	rpWant(t, del("web"), "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	rpOK(t, remove("web", "r1"))
	rpOK(t, del("web"))
	rpWant(t, del("web"), "NoSuchEntity", "Instance Profile web cannot be found.")
}

func TestInstanceProfileTags(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	_, err := e.s.CreateInstanceProfile(e.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip")})
	rpOK(t, err)
	list := func() []iamapi.Tag {
		out, err := e.s.ListInstanceProfileTags(e.ctx, &iamapi.ListInstanceProfileTagsRequest{InstanceProfileName: protocol.Ptr("ip")})
		rpOK(t, err)
		return out.Tags
	}
	if got := list(); got == nil || len(got) != 0 {
		t.Errorf("empty tags = %v", got)
	}
	_, err = e.s.TagInstanceProfile(e.ctx, &iamapi.TagInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip"),
		Tags: []iamapi.Tag{{Key: protocol.Ptr("MyKey2"), Value: protocol.Ptr("myValue2")}, {Key: protocol.Ptr("MyKey"), Value: protocol.Ptr("myValue")}}})
	rpOK(t, err)
	if got := list(); len(got) != 2 || *got[0].Key != "MyKey" {
		t.Errorf("tags = %v", got)
	}
	_, err = e.s.UntagInstanceProfile(e.ctx, &iamapi.UntagInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip"), TagKeys: []string{"mykey"}})
	rpOK(t, err)
	if got := list(); len(got) != 1 || *got[0].Key != "MyKey2" {
		t.Errorf("tags after untag = %v", got)
	}
	_, err = e.s.TagInstanceProfile(e.ctx, &iamapi.TagInstanceProfileRequest{InstanceProfileName: protocol.Ptr("nonexistent-profile"),
		Tags: []iamapi.Tag{{Key: protocol.Ptr("k"), Value: protocol.Ptr("v")}}})
	rpWant(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.")
	_, err = e.s.ListInstanceProfileTags(e.ctx, &iamapi.ListInstanceProfileTagsRequest{InstanceProfileName: protocol.Ptr("nonexistent-profile")})
	rpWant(t, err, "NoSuchEntity", "Instance Profile nonexistent-profile cannot be found.")
}
