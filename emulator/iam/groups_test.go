package iam

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/storage"
)

func TestGroupLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	out, err := e.s.CreateGroup(e.root, &iamapi.CreateGroupRequest{GroupName: idp("Devs"), Path: idp("/some/location/")})
	idOK(t, err)
	g := out.Group
	if *g.Arn != "arn:aws:iam::123456789012:group/some/location/Devs" || !strings.HasPrefix(*g.GroupId, "AGPA") {
		t.Fatalf("CreateGroup = %+v", g)
	}
	_, err = e.s.CreateGroup(e.root, &iamapi.CreateGroupRequest{GroupName: idp("devs")})
	idCode(t, err, "EntityAlreadyExists", "Group with name devs already exists.")
	_, err = e.s.GetGroup(e.root, &iamapi.GetGroupRequest{GroupName: idp("non-existent-group")})
	idCode(t, err, "NoSuchEntity", "The group with name non-existent-group cannot be found.")

	e.group("Other")
	_, err = e.s.UpdateGroup(e.root, &iamapi.UpdateGroupRequest{GroupName: idp("devs"), NewGroupName: idp("other")})
	idCode(t, err, "EntityAlreadyExists", "Group with name other already exists.")
	_, err = e.s.UpdateGroup(e.root, &iamapi.UpdateGroupRequest{GroupName: idp("nonexisting"), NewGroupName: idp("x")})
	idCode(t, err, "NoSuchEntity", "The group with name nonexisting cannot be found.")

	list, err := e.s.ListGroups(e.root, &iamapi.ListGroupsRequest{PathPrefix: idp("/some/")})
	idOK(t, err)
	if len(list.Groups) != 1 || *list.Groups[0].GroupName != "Devs" {
		t.Fatalf("ListGroups = %+v", list.Groups)
	}
	_, err = e.s.DeleteGroup(e.root, &iamapi.DeleteGroupRequest{GroupName: idp("DEVS")})
	idOK(t, err)
	_, err = e.s.DeleteGroup(e.root, &iamapi.DeleteGroupRequest{GroupName: idp("unknown-group")})
	idCode(t, err, "NoSuchEntity", "The group with name unknown-group cannot be found.")
}

func TestGroupMembership(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	e.group("g1")
	e.group("g2")
	add := func(g, u string) error {
		_, err := e.s.AddUserToGroup(e.root, &iamapi.AddUserToGroupRequest{GroupName: &g, UserName: &u})
		return err
	}
	remove := func(g, u string) error {
		_, err := e.s.RemoveUserFromGroup(e.root, &iamapi.RemoveUserFromGroupRequest{GroupName: &g, UserName: &u})
		return err
	}
	idOK(t, add("g1", "u"))
	idOK(t, add("G1", "U")) // idempotent
	idOK(t, add("g2", "u"))
	groups, err := e.s.ListGroupsForUser(e.root, &iamapi.ListGroupsForUserRequest{UserName: idp("u")})
	idOK(t, err)
	if len(groups.Groups) != 2 {
		t.Fatalf("groups = %+v", groups.Groups)
	}
	idCode(t, add("g1", "nonexistent-user"), "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	idCode(t, add("nonexistent-group", "u"), "NoSuchEntity", "The group with name nonexistent-group cannot be found.")
	// Removal names the missing user first (AWS, remove-from-unknown-group), and removing a
	// non-member succeeds.
	idCode(t, remove("nonexistent-group", "any-user"), "NoSuchEntity", "The user with name any-user cannot be found.")
	idCode(t, remove("nonexistent-group", "u"), "NoSuchEntity", "The group with name nonexistent-group cannot be found.")
	idOK(t, remove("g1", "u"))
	idOK(t, remove("g1", "u"))
	got, err := e.s.GetGroup(e.root, &iamapi.GetGroupRequest{GroupName: idp("g1")})
	idOK(t, err)
	if got.Users == nil || len(got.Users) != 0 {
		t.Fatalf("GetGroup users = %+v", got.Users)
	}

	// GroupsPerUser quota: 10.
	for i := range 9 {
		e.group(fmt.Sprintf("q%d", i))
		idOK(t, add(fmt.Sprintf("q%d", i), "u"))
	}
	e.group("q9")
	idCode(t, add("q9", "u"), "LimitExceeded", "Cannot exceed quota for GroupsPerUser: 10")
}

func TestGetGroupPagesMembers(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.group("g")
	for _, u := range []string{"d", "b", "a", "c"} {
		e.user(u)
		_, err := e.s.AddUserToGroup(e.root, &iamapi.AddUserToGroupRequest{GroupName: idp("g"), UserName: &u})
		idOK(t, err)
	}
	var names []string
	var marker *string
	for {
		out, err := e.s.GetGroup(e.root, &iamapi.GetGroupRequest{GroupName: idp("g"), MaxItems: idp(int32(3)), Marker: marker})
		idOK(t, err)
		for _, u := range out.Users {
			names = append(names, *u.UserName)
		}
		if !*out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	if strings.Join(names, "") != "abcd" {
		t.Fatalf("members = %v", names)
	}
}

func TestUpdateGroupRenameCarriesMembersAndPolicies(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	e.group("old")
	_, err := e.s.AddUserToGroup(e.root, &iamapi.AddUserToGroupRequest{GroupName: idp("old"), UserName: idp("u")})
	idOK(t, err)
	e.tx(func(tx *storage.Tx) error {
		return storage.GroupScope(tx, "old").InlinePolicies().Put("p", storage.InlinePolicyRecord{Name: "p"})
	})
	_, err = e.s.UpdateGroup(e.root, &iamapi.UpdateGroupRequest{GroupName: idp("old"), NewGroupName: idp("New"), NewPath: idp("/new-path/")})
	idOK(t, err)
	got, err := e.s.GetGroup(e.root, &iamapi.GetGroupRequest{GroupName: idp("new")})
	idOK(t, err)
	if *got.Group.Arn != "arn:aws:iam::123456789012:group/new-path/New" || len(got.Users) != 1 {
		t.Fatalf("renamed group = %+v %+v", got.Group, got.Users)
	}
	groups, err := e.s.ListGroupsForUser(e.root, &iamapi.ListGroupsForUserRequest{UserName: idp("u")})
	idOK(t, err)
	if len(groups.Groups) != 1 || *groups.Groups[0].GroupName != "New" {
		t.Fatalf("user's groups = %+v", groups.Groups)
	}
	e.tx(func(tx *storage.Tx) error {
		if !storage.GroupScope(tx, "new").InlinePolicies().Has("p") {
			t.Fatal("inline policy did not follow the rename")
		}
		return nil
	})
	_, err = e.s.GetGroup(e.root, &iamapi.GetGroupRequest{GroupName: idp("old")})
	idCode(t, err, "NoSuchEntity")
}

func TestDeleteGroupConflicts(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	e.group("g")
	_, err := e.s.AddUserToGroup(e.root, &iamapi.AddUserToGroupRequest{GroupName: idp("g"), UserName: idp("u")})
	idOK(t, err)
	_, err = e.s.DeleteGroup(e.root, &iamapi.DeleteGroupRequest{GroupName: idp("g")})
	idCode(t, err, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	_, err = e.s.RemoveUserFromGroup(e.root, &iamapi.RemoveUserFromGroupRequest{GroupName: idp("g"), UserName: idp("u")})
	idOK(t, err)
	e.tx(func(tx *storage.Tx) error {
		return storage.GroupScope(tx, "g").InlinePolicies().Put("p", storage.InlinePolicyRecord{Name: "p"})
	})
	_, err = e.s.DeleteGroup(e.root, &iamapi.DeleteGroupRequest{GroupName: idp("g")})
	idCode(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	e.tx(func(tx *storage.Tx) error {
		if err := storage.GroupScope(tx, "g").InlinePolicies().Delete("p"); err != nil {
			return err
		}
		return storage.GroupScope(tx, "g").Attachments().Put("arn:p", storage.AttachmentRecord{PolicyARN: "arn:p"})
	})
	_, err = e.s.DeleteGroup(e.root, &iamapi.DeleteGroupRequest{GroupName: idp("g")})
	idCode(t, err, "DeleteConflict", "Cannot delete entity, must detach all policies first.")
}
