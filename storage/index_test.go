package storage

import (
	"errors"
	"strings"
	"testing"
)

const (
	testAcct  = "111111111111"
	otherAcct = "222222222222"
)

// policyUse is a readable summary of the policy use index: "arn:kind:key" per entry.
func policyUse(tx *Tx, use Use, arn string) string {
	p, err := PolicyUsage(tx).Entities(arn, use, "", 100, nil)
	if err != nil {
		return err.Error()
	}
	var out []string
	for _, r := range p.Rows {
		out = append(out, r.Value.Kind+":"+r.Value.Key)
	}
	return strings.Join(out, ",")
}

// The tables keep their indexes through every way of writing: Put (new, changed, unchanged),
// Insert, Delete and DeletePrefix, and an entity's rename.
func TestIndexesFollowWrites(t *testing.T) {
	t.Parallel()
	const p1, p2 = "arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B"
	tests := []struct {
		name  string
		write func(tx *Tx) error
		check func(t *testing.T, tx *Tx)
	}{
		{"boundaries of users and roles", func(tx *Tx) error {
			return errors.Join(
				Users(tx).Put("ann", UserRecord{Name: "Ann", Boundary: p1}),
				Users(tx).Insert("bob", UserRecord{Name: "bob", Boundary: p1}),
				Roles(tx).Put("app", RoleRecord{Name: "app", Boundary: p1}),
				Users(tx).Put("bob", UserRecord{Name: "bob", Boundary: p2}), // changed
				Users(tx).Put("ann", UserRecord{Name: "Ann", Boundary: p1, Tags: []Tag{{"k", "v"}}}),
			)
		}, func(t *testing.T, tx *Tx) {
			if got := policyUse(tx, UseBoundary, p1); got != "role:app,user:ann" {
				t.Errorf("bounded by A = %q", got)
			}
			if got := policyUse(tx, UseBoundary, p2); got != "user:bob" || PolicyUsage(tx).Count(p2, UseBoundary) != 1 {
				t.Errorf("bounded by B = %q", got)
			}
		}},
		{"boundary cleared and user deleted", func(tx *Tx) error {
			return errors.Join(
				Users(tx).Put("ann", UserRecord{Name: "Ann", Boundary: p1}),
				Users(tx).Put("bob", UserRecord{Name: "bob", Boundary: p1}),
				Users(tx).Put("ann", UserRecord{Name: "Ann"}),
				Users(tx).Delete("bob"),
			)
		}, func(t *testing.T, tx *Tx) {
			if got := policyUse(tx, UseBoundary, p1); got != "" {
				t.Errorf("bounded by A = %q", got)
			}
		}},
		{"attachments, detached and moved", func(tx *Tx) error {
			return errors.Join(
				UserScope(tx, "ann").Attachments().Put(p1, AttachmentRecord{PolicyARN: p1}),
				GroupScope(tx, "devs").Attachments().Put(p1, AttachmentRecord{PolicyARN: p1}),
				RoleScope(tx, "app").Attachments().Put(p2, AttachmentRecord{PolicyARN: p2}),
				RoleScope(tx, "app").Attachments().Put(p1, AttachmentRecord{PolicyARN: p1}),
				RoleScope(tx, "app").Attachments().DeleteAll(),
				UserScope(tx, "ann").MoveTo("Zoe"),
			)
		}, func(t *testing.T, tx *Tx) {
			if got := policyUse(tx, UseAttached, p1); got != "group:devs,user:zoe" {
				t.Errorf("attached A = %q", got)
			}
			if n := PolicyUsage(tx).Count(p2, UseAttached); n != 0 {
				t.Errorf("attached B = %d", n)
			}
		}},
		{"policies by ARN", func(tx *Tx) error {
			return errors.Join(
				Policies(tx).Put("b", PolicyRecord{Name: "b", ARN: "arn:aws:iam::1:policy/b"}),
				Policies(tx).Put("a", PolicyRecord{Name: "a", ARN: "arn:aws:iam::1:policy/z/a"}),
				Policies(tx).Put("c", PolicyRecord{Name: "C", ARN: "arn:aws:iam::1:policy/C"}),
				Policies(tx).Put("d", PolicyRecord{Name: "d", ARN: "arn:aws:iam::1:policy/d"}),
				Policies(tx).Delete("d"),
			)
		}, func(t *testing.T, tx *Tx) {
			p, err := PoliciesByARN(tx, "arn:aws:iam::1:policy/").Page("", 10, nil)
			var names []string
			for _, r := range p.Rows {
				names = append(names, r.Key+"="+r.Value.Name)
			}
			if err != nil || strings.Join(names, ",") != "C=C,b=b,z/a=a" {
				t.Errorf("policies by ARN = %q, %v", names, err)
			}
		}},
		{"access keys in their owner's account", func(tx *Tx) error {
			return errors.Join(
				AccessKeys(tx).Insert("AKIA2", AccessKeyRecord{AccessKeyID: "AKIA2", Account: testAcct, UserName: "Ann"}),
				AccessKeys(tx).Put("AKIA1", AccessKeyRecord{AccessKeyID: "AKIA1", Account: testAcct, UserName: "Ann"}),
				AccessKeys(tx).Put("AKIA3", AccessKeyRecord{AccessKeyID: "AKIA3", Account: otherAcct, UserName: "ann"}),
				AccessKeys(tx).Put("AKIA4", AccessKeyRecord{AccessKeyID: "AKIA4", Account: testAcct}), // root's
				AccessKeys(tx).Put("AKIA1", AccessKeyRecord{AccessKeyID: "AKIA1", Account: testAcct, UserName: "Ann", Status: "Inactive"}),
			)
		}, func(t *testing.T, tx *Tx) {
			keys, err := UserScope(tx, "ANN").AccessKeys().List()
			if err != nil || len(keys) != 2 || keys[0].Status != "Inactive" || keys[1].AccessKeyID != "AKIA2" {
				t.Errorf("ann's keys = %+v, %v", keys, err)
			}
			if root, _ := RootUserScope(tx).AccessKeys().List(); len(root) != 1 || root[0].AccessKeyID != "AKIA4" {
				t.Errorf("root's keys = %+v", root)
			}
			if other, _ := UserScope(tx.In(otherAcct), "ann").AccessKeys().List(); len(other) != 1 || other[0].AccessKeyID != "AKIA3" {
				t.Errorf("other account's keys = %+v", other)
			}
		}},
		{"mfa devices by user", func(tx *Tx) error {
			return errors.Join(
				MFADevices(tx).Put("d1", MFADeviceRecord{Name: "d1", User: "Ann"}),
				MFADevices(tx).Put("d2", MFADeviceRecord{Name: "d2", User: "Ann"}),
				MFADevices(tx).Put("d3", MFADeviceRecord{Name: "d3"}),
				MFADevices(tx).Put("d2", MFADeviceRecord{Name: "d2"}), // deactivated
			)
		}, func(t *testing.T, tx *Tx) {
			ds, err := UserScope(tx, "ann").MFADevices().List()
			if err != nil || len(ds) != 1 || ds[0].Name != "d1" {
				t.Errorf("ann's devices = %+v, %v", ds, err)
			}
		}},
		{"instance profiles by role", func(tx *Tx) error {
			return errors.Join(
				InstanceProfiles(tx).Put("ip2", InstanceProfileRecord{Name: "ip2", Roles: []string{"App"}}),
				InstanceProfiles(tx).Put("ip1", InstanceProfileRecord{Name: "ip1", Roles: []string{"app"}}),
				InstanceProfiles(tx).Put("ip3", InstanceProfileRecord{Name: "ip3", Roles: []string{"app"}}),
				InstanceProfiles(tx).Put("ip3", InstanceProfileRecord{Name: "ip3"}),
			)
		}, func(t *testing.T, tx *Tx) {
			ps, err := RoleScope(tx, "APP").InstanceProfiles().List()
			if err != nil || len(ps) != 2 || ps[0].Name != "ip1" || ps[1].Name != "ip2" {
				t.Errorf("app's profiles = %+v, %v", ps, err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := openTestDB(t)
			mustUpdate(t, db, tc.write)
			_ = db.View(testAcct, func(tx *Tx) error { tc.check(t, tx); return nil })
		})
	}
}

// Policies lists each used policy once, in ARN order, from a position, under a prefix.
func TestPolicyUsePolicies(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	arns := []string{"arn:aws:iam::aws:policy/A", "arn:aws:iam::aws:policy/B", "arn:aws:iam::aws:policy/x/C", "arn:aws:iam::1:policy/L"}
	mustUpdate(t, db, func(tx *Tx) error {
		var err error
		for _, arn := range arns {
			for _, u := range []string{"u1", "u2", "u3"} {
				err = errors.Join(err, UserScope(tx, u).Attachments().Put(arn, AttachmentRecord{PolicyARN: arn}))
			}
		}
		return err
	})
	tests := []struct {
		prefix, from string
		limit        int
		want         string
	}{
		{"arn:aws:iam::aws:policy/", "", 10, "A,B,x/C"},
		{"arn:aws:iam::aws:policy/", "B", 10, "B,x/C"},
		{"arn:aws:iam::aws:policy/", "Aa", 1, "B"},
		{"arn:aws:iam::aws:policy/x/", "", 10, "x/C"},
		{"arn:aws:iam::", "", 10, "1:policy/L,A,B,x/C"},
	}
	for _, tc := range tests {
		_ = db.View(testAcct, func(tx *Tx) error {
			var got []string
			err := PolicyUsage(tx).Policies(UseAttached, tc.prefix, tc.from, func(arn string) (bool, error) {
				got = append(got, strings.TrimPrefix(strings.TrimPrefix(arn, "arn:aws:iam::aws:policy/"), "arn:aws:iam::"))
				return len(got) < tc.limit, nil
			})
			if err != nil || strings.Join(got, ",") != tc.want {
				t.Errorf("Policies(%q, %q) = %q, %v; want %q", tc.prefix, tc.from, got, err, tc.want)
			}
			return nil
		})
	}
}
