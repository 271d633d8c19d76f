package policyset

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const acct = "123456789012"

func allow(action string) string {
	return `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"` + action + `","Resource":"*"}]}`
}

// seed writes a user in a group, with inline, attached (customer and AWS managed) and group
// policies, a boundary, and a role with its own policy.
func seed(t *testing.T, db *storage.DB) {
	t.Helper()
	err := db.Update(acct, func(tx *storage.Tx) error {
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(storage.Users(tx).Put("bob", storage.UserRecord{Name: "Bob", Path: "/", Boundary: "arn:aws:iam::123456789012:policy/bnd",
			Tags: []storage.Tag{{Key: "team", Value: "red"}}}))
		must(storage.InlinePolicies(tx).Put(storage.Join("user", "bob", "inl"), storage.InlinePolicyRecord{Name: "inl", Document: allow("iam:GetUser")}))
		for _, p := range []struct{ name, doc string }{{"cust", allow("iam:ListUsers")}, {"bnd", allow("iam:*")}} {
			must(storage.Policies(tx).Put(p.name, storage.PolicyRecord{Name: p.name, ARN: "arn:aws:iam::123456789012:policy/" + p.name, DefaultVersion: "v2"}))
			must(storage.PolicyVersions(tx).Put(storage.Join(p.name, "v2"), storage.PolicyVersionRecord{VersionID: "v2", Document: p.doc}))
		}
		must(storage.Attachments(tx).Put(storage.Join("user", "bob", "arn:aws:iam::123456789012:policy/cust"), storage.AttachmentRecord{PolicyARN: "arn:aws:iam::123456789012:policy/cust"}))
		must(storage.Attachments(tx).Put(storage.Join("user", "bob", "arn:aws:iam::aws:policy/IAMReadOnlyAccess"), storage.AttachmentRecord{PolicyARN: "arn:aws:iam::aws:policy/IAMReadOnlyAccess"}))
		// An attachment whose policy has since vanished grants nothing and breaks nothing.
		must(storage.Attachments(tx).Put(storage.Join("user", "bob", "arn:aws:iam::123456789012:policy/gone"), storage.AttachmentRecord{PolicyARN: "arn:aws:iam::123456789012:policy/gone"}))
		must(storage.UserGroups(tx).Put(storage.Join("bob", "devs"), storage.MembershipRecord{User: "Bob", Group: "devs"}))
		must(storage.InlinePolicies(tx).Put(storage.Join("group", "devs", "g"), storage.InlinePolicyRecord{Name: "g", Document: allow("iam:ListGroups")}))
		must(storage.Roles(tx).Put("app", storage.RoleRecord{Name: "app", Path: "/", Tags: []storage.Tag{{Key: "team", Value: "blue"}, {Key: "env", Value: "dev"}}}))
		must(storage.InlinePolicies(tx).Put(storage.Join("role", "app", "r"), storage.InlinePolicyRecord{Name: "r", Document: allow("lambda:*")}))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func names(ns []authz.Named) string {
	var out []string
	for _, n := range ns {
		out = append(out, n.Name)
	}
	return strings.Join(out, ",")
}

func TestForUser(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	seed(t, db)
	cache := NewCache(0)
	_ = db.View(acct, func(tx *storage.Tx) error {
		set, ent, err := ForUser(tx, cache, "BOB")
		if err != nil {
			t.Fatal(err)
		}
		want := "user/Bob/inl,arn:aws:iam::123456789012:policy/cust,arn:aws:iam::aws:policy/IAMReadOnlyAccess,group/devs/g"
		if got := names(set.Identity); got != want {
			t.Errorf("identity = %s\nwant %s", got, want)
		}
		if set.Boundary == nil || set.Boundary.Name != "arn:aws:iam::123456789012:policy/bnd" || ent.Tags["team"] != "red" {
			t.Errorf("boundary/tags = %+v %+v", set.Boundary, ent)
		}
		if _, _, err := ForUser(tx, cache, "nobody"); err == nil {
			t.Error("missing user: no error")
		}
		return nil
	})
}

func TestForSessionNarrowsAndOverridesTags(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	seed(t, db)
	cache := NewCache(0)
	_ = db.View(acct, func(tx *storage.Tx) error {
		set, ent, err := ForSession(tx, cache, storage.SessionRecord{Type: "AssumedRole", RoleName: "app",
			Policies: []string{allow("lambda:GetFunction")}, PolicyARNs: []string{"arn:aws:iam::aws:policy/ReadOnlyAccess"},
			Tags: map[string]string{"TEAM": "green"}})
		if err != nil {
			t.Fatal(err)
		}
		if names(set.Identity) != "role/app/r" || !set.HasSession || len(set.Session) != 2 {
			t.Errorf("set = %s session=%v %d", names(set.Identity), set.HasSession, len(set.Session))
		}
		if ent.Tags["TEAM"] != "green" || ent.Tags["team"] != "" || ent.Tags["env"] != "dev" {
			t.Errorf("session tags must replace role tags case-insensitively: %v", ent.Tags)
		}
		// A federation token without policies has an (empty) session policy: it grants nothing.
		set, _, err = ForSession(tx, cache, storage.SessionRecord{Type: "FederatedUser", UserName: "bob"})
		if err != nil || !set.HasSession || len(set.Session) != 0 {
			t.Errorf("federated = %+v, %v", set, err)
		}
		// The root user's own GetSessionToken credentials carry no policies.
		set, _, err = ForSession(tx, cache, storage.SessionRecord{Type: "User"})
		if err != nil || len(set.Identity) != 0 {
			t.Errorf("root session = %+v, %v", set, err)
		}
		return nil
	})
}

func TestCacheCompilesOnceAndStaysBounded(t *testing.T) {
	t.Parallel()
	c := NewCache(2)
	p1, err := c.Compile(allow("iam:GetUser"), authz.KindIdentity)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := c.Compile(allow("iam:GetUser"), authz.KindIdentity)
	if p1 != p2 {
		t.Error("same document compiled twice")
	}
	if _, err := c.Compile(`{"Statement":`, authz.KindIdentity); err == nil {
		t.Error("bad document accepted")
	}
	for _, a := range []string{"a:b", "c:d", "e:f"} {
		if _, err := c.Compile(allow(a), authz.KindIdentity); err != nil {
			t.Fatal(err)
		}
	}
	if len(c.m) > 2 {
		t.Errorf("cache holds %d entries, bound 2", len(c.m))
	}
}
