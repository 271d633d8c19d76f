package storage

import (
	"errors"
	"path/filepath"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// A database of version 1 (the IAM records without their indexes) opens as version 2 with the
// indexes built from the records.
func TestOpenUpgradesVersion1(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db")
	db, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	const bnd = "arn:aws:iam::aws:policy/B"
	err = db.Update(testAcct, func(tx *Tx) error {
		return errors.Join(
			Users(tx).Put("ann", UserRecord{Name: "Ann", Boundary: bnd}),
			UserScope(tx, "ann").Attachments().Put(bnd, AttachmentRecord{PolicyARN: bnd}),
			Policies(tx).Put("p", PolicyRecord{Name: "p", ARN: "arn:aws:iam::" + testAcct + ":policy/p"}),
			AccessKeys(tx).Put("AKIA1", AccessKeyRecord{AccessKeyID: "AKIA1", Account: testAcct, UserName: "Ann"}),
			MFADevices(tx).Put("d", MFADeviceRecord{Name: "d", User: "Ann"}),
			InstanceProfiles(tx).Put("ip", InstanceProfileRecord{Name: "ip", Roles: []string{"r"}}),
		)
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	// Turn the file back into version 1: no index buckets.
	raw, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = raw.Update(func(btx *bolt.Tx) error {
		acct := btx.Bucket(bucketAccounts).Bucket([]byte(testAcct))
		for _, b := range []string{bucketPolicyAttached, bucketPolicyBounds, bucketPolicyARNs, bucketUserKeys, bucketUserMFA, bucketRoleProfiles} {
			if err := acct.DeleteBucket([]byte(b)); err != nil {
				return err
			}
		}
		return btx.Bucket(bucketMeta).Put(keySchema, []byte("1"))
	})
	if err != nil || raw.Close() != nil {
		t.Fatal(err)
	}

	db, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	err = db.View(testAcct, func(tx *Tx) error {
		u := UserScope(tx, "ann")
		checks := []struct {
			what string
			ok   bool
		}{
			{"boundary", PolicyUsage(tx).Count(bnd, UseBoundary) == 1},
			{"attachment", PolicyUsage(tx).Count(bnd, UseAttached) == 1},
			{"policy by ARN", PoliciesByARN(tx, "arn:aws:iam::"+testAcct+":policy/").Count() == 1},
			{"access key", u.AccessKeys().Count() == 1},
			{"mfa device", u.MFADevices().Count() == 1},
			{"instance profile", RoleScope(tx, "r").InstanceProfiles().Count() == 1},
		}
		for _, c := range checks {
			if !c.ok {
				t.Errorf("%s index not rebuilt", c.what)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}
