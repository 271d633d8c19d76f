package storage

import (
	"errors"
	"slices"
	"testing"
)

// toyRecord is a child table that exists only in this test, to show that a table added to the
// owned declaration is renamed and checked on delete by the existing MoveTo and Delete.
type toyRecord struct {
	V     int    `json:"v"`
	Owner string `json:"owner"`
}

func toys(tx *Tx) Table[toyRecord] { return AccountTable[toyRecord](tx, "test.toys") }

// withToys is the user with the toy table added to its declaration.
func withToys(tx *Tx, name, conflict string) UserEntity {
	u := UserScope(tx, name)
	u.owned = append(slices.Clip(u.owned), keyedOwned("toys", conflict, toys, ownerPrefix,
		func(r *toyRecord, owner string) { r.Owner = owner }))
	return u
}

func TestOwnedDeclarationCoversAnAddedTable(t *testing.T) {
	t.Parallel()
	const blocking = "Cannot delete entity, must remove toys first."
	tests := []struct {
		name     string
		conflict string
	}{
		{"blocking table", blocking},
		{"table deleted with its owner", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := openTestDB(t)
			mustUpdate(t, db, func(tx *Tx) error {
				return errors.Join(
					Users(tx).Put("alice", UserRecord{V: 1, Name: "alice"}),
					toys(tx).Put(Join("alice", "t1"), toyRecord{V: 1, Owner: "alice"}),
					toys(tx).Put(Join("alice2", "t1"), toyRecord{V: 1, Owner: "alice2"}),
				)
			})
			// A rename carries the toy along, with the new display name, and no other owner's.
			mustUpdate(t, db, func(tx *Tx) error {
				if err := withToys(tx, "alice", tc.conflict).MoveTo("Bob"); err != nil {
					return err
				}
				if err := Users(tx).Delete("alice"); err != nil {
					return err
				}
				return Users(tx).Put("bob", UserRecord{V: 1, Name: "Bob"})
			})
			_ = db.View("111111111111", func(tx *Tx) error {
				moved, err := toys(tx).Get(Join("bob", "t1"))
				if err != nil || moved.Owner != "Bob" || toys(tx).anyUnder(Prefix("alice")) {
					t.Errorf("after rename: bob's toy %+v, %v; alice still has toys: %v", moved, err, toys(tx).anyUnder(Prefix("alice")))
				}
				if other, err := toys(tx).Get(Join("alice2", "t1")); err != nil || other.Owner != "alice2" {
					t.Errorf("alice2's toy = %+v, %v", other, err)
				}
				return nil
			})
			err := db.Update("111111111111", func(tx *Tx) error { return withToys(tx, "bob", tc.conflict).Delete() })
			var conflict *ConflictError
			switch {
			case tc.conflict != "" && (!errors.As(err, &conflict) || conflict.Message != blocking || !errors.Is(err, ErrConflict)):
				t.Fatalf("Delete = %v, want the toys conflict", err)
			case tc.conflict == "" && err != nil:
				t.Fatalf("Delete = %v", err)
			}
			_ = db.View("111111111111", func(tx *Tx) error {
				deleted := !Users(tx).Has("bob")
				if deleted != (tc.conflict == "") || toys(tx).Has(Join("bob", "t1")) != (tc.conflict != "") {
					t.Errorf("after Delete: user deleted %v, toy kept %v", deleted, toys(tx).Has(Join("bob", "t1")))
				}
				return nil
			})
		})
	}
}

// A user's rename moves only its own memberships on the group side: another member whose name
// starts with the same letters keeps hers.
func TestMoveMembershipsIsExact(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	mustUpdate(t, db, func(tx *Tx) error {
		return errors.Join(
			UserScope(tx, "bob").JoinGroup(MembershipRecord{V: 1, User: "bob", Group: "G"}),
			UserScope(tx, "bob2").JoinGroup(MembershipRecord{V: 1, User: "bob2", Group: "G"}),
		)
	})
	mustUpdate(t, db, func(tx *Tx) error { return UserScope(tx, "bob").MoveTo("Ann") })
	_ = db.View("111111111111", func(tx *Tx) error {
		members, err := GroupScope(tx, "g").Members().List()
		if err != nil || len(members) != 2 || members[0].User != "Ann" || members[1].User != "bob2" {
			t.Errorf("members = %+v, %v", members, err)
		}
		groups, _ := UserScope(tx, "ann").Groups().List()
		if len(groups) != 1 || groups[0].User != "Ann" || UserScope(tx, "bob").Groups().Count() != 0 {
			t.Errorf("Ann's groups = %+v", groups)
		}
		return nil
	})
}

// Delete reports the first blocking table in declaration order; Purge removes everything.
func TestEntityDeleteAndPurge(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		kind  string
		setup func(tx *Tx) error
		want  string
	}{
		{"user inline before keys", KindUser, func(tx *Tx) error {
			return errors.Join(
				AccessKeys(tx).Put("AKIA1", AccessKeyRecord{AccessKeyID: "AKIA1", Account: tx.Account(), UserName: "E"}),
				UserScope(tx, "e").InlinePolicies().Put("p", InlinePolicyRecord{Name: "p"}),
			)
		}, conflictInline},
		{"user access key", KindUser, func(tx *Tx) error {
			return AccessKeys(tx).Put("AKIA1", AccessKeyRecord{AccessKeyID: "AKIA1", Account: tx.Account(), UserName: "E"})
		}, "Cannot delete entity, must delete access keys first."},
		{"user mfa", KindUser, func(tx *Tx) error {
			return MFADevices(tx).Put("d", MFADeviceRecord{Name: "d", User: "E"})
		}, "Cannot delete entity, must delete MFA device first."},
		{"user login profile", KindUser, func(tx *Tx) error {
			return UserScope(tx, "e").LoginProfile().Put(LoginProfileRecord{User: "E"})
		}, "Cannot delete entity, must delete login profile first."},
		{"group member", KindGroup, func(tx *Tx) error {
			return UserScope(tx, "u").JoinGroup(MembershipRecord{User: "u", Group: "E"})
		}, conflictMembers},
		{"role attachment before inline", KindRole, func(tx *Tx) error {
			return errors.Join(
				RoleScope(tx, "e").InlinePolicies().Put("p", InlinePolicyRecord{Name: "p"}),
				RoleScope(tx, "e").Attachments().Put("arn:p", AttachmentRecord{PolicyARN: "arn:p"}),
			)
		}, conflictAttached},
		{"role instance profile", KindRole, func(tx *Tx) error {
			return InstanceProfiles(tx).Put("ip", InstanceProfileRecord{Name: "ip", Roles: []string{"E"}})
		}, "Cannot delete entity, must remove roles from instance profile first."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := openTestDB(t)
			mustUpdate(t, db, func(tx *Tx) error {
				return errors.Join(Users(tx).Put("e", UserRecord{Name: "E"}), Groups(tx).Put("e", GroupRecord{Name: "E"}),
					Roles(tx).Put("e", RoleRecord{Name: "E"}), tc.setup(tx))
			})
			err := db.Update("111111111111", func(tx *Tx) error { return EntityScope(tx, tc.kind, "E").Delete() })
			var conflict *ConflictError
			if !errors.As(err, &conflict) || conflict.Message != tc.want {
				t.Fatalf("Delete = %v, want %q", err, tc.want)
			}
			mustUpdate(t, db, func(tx *Tx) error { return EntityScope(tx, tc.kind, "E").Purge() })
			_ = db.View("111111111111", func(tx *Tx) error {
				e := EntityScope(tx, tc.kind, "e")
				for _, o := range e.owned {
					if o.present(e) {
						t.Errorf("after Purge, %s remain", o.what)
					}
				}
				if Users(tx).Has("e") == (tc.kind == KindUser) || Groups(tx).Has("e") == (tc.kind == KindGroup) ||
					Roles(tx).Has("e") == (tc.kind == KindRole) {
					t.Error("Purge deleted the wrong record")
				}
				return nil
			})
		})
	}
}
