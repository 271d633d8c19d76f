package storage

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// testdata/schema2-lambda.db is a version-2 database written by the storage package as it was
// before Lambda's state became regional (schema version 2, region-less Lambda buckets under
// accounts/<account>/). In each of the accounts 123456789012 and 210987654321 it holds: a user
// "ann"; a function "fixture-fn" with $LATEST, published version 1 (its versions bucket's
// sequence at 1), alias "live", a function policy and settings; code packages "codekey-fn"
// ("zip1") and "codekey-layer" ("zip22"); layer "fixture-layer" version 1 (sequence at 1); event
// source mapping "esm-uuid"; code signing config "csc-0123456789abcdef0"; log group
// /aws/lambda/fixture-fn and an AWS/Lambda Invocations metric, both keyed in us-east-1.
const schema2Fixture = "testdata/schema2-lambda.db"

var fixtureAccounts = []string{"123456789012", "210987654321"}

// openFixture copies the version-2 fixture into a temporary file and opens it with opts.
func openFixture(t *testing.T, opts Options) (*DB, string) {
	t.Helper()
	raw, err := os.ReadFile(schema2Fixture)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "iamlocal.db")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	db, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return db, path
}

// Opening a version-2 database moves its Lambda state into the region Options names (us-east-1
// by default), says so, and leaves IAM, Logs and CloudWatch records where they were.
func TestOpenMovesLambdaStateIntoRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		opts        Options
		home, other string
	}{
		{"default region", Options{}, "us-east-1", "eu-west-1"},
		{"configured region", Options{Region: "eu-west-1"}, "eu-west-1", "us-east-1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db, path := openFixture(t, tc.opts)
			notes := db.Upgraded()
			if len(notes) != 1 || !strings.Contains(notes[0], "region "+tc.home) || !strings.Contains(notes[0], "2 account") {
				t.Errorf("upgrade notes = %q, want one naming %s and 2 accounts", notes, tc.home)
			}
			for _, acct := range fixtureAccounts {
				checkMovedFunction(t, db, acct, tc.home)
				err := db.ViewRegion(acct, tc.other, func(tx *Tx) error {
					if LambdaFunctions(tx).Has("fixture-fn") || LambdaLayers(tx).Has("fixture-layer") || LambdaESMs(tx).Has("esm-uuid") {
						t.Errorf("%s: Lambda state also found in %s", acct, tc.other)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
				err = db.View(acct, func(tx *Tx) error {
					checks := []struct {
						what string
						ok   bool
					}{
						{"user", Users(tx).Has("ann")},
						// Logs and metrics keep their region in the key: untouched, still us-east-1.
						{"log group", LogGroups(tx).Has(LogGroupKey("us-east-1", "/aws/lambda/fixture-fn"))},
						{"metric", Metrics(tx).Count(Join("us-east-1", "AWS/Lambda", "Invocations")) == 1},
					}
					for _, c := range checks {
						if !c.ok {
							t.Errorf("%s: %s lost by the upgrade", acct, c.what)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			if err := db.Check(); err != nil {
				t.Fatal(err)
			}
			if err := db.Close(); err != nil {
				t.Fatal(err)
			}
			checkLayout(t, path, tc.home)
			// Opened again, the file is current: nothing to move, nothing to say.
			again, err := Open(path, Options{Region: tc.other})
			if err != nil {
				t.Fatal(err)
			}
			defer again.Close()
			if n := again.Upgraded(); len(n) != 0 {
				t.Errorf("second open notes = %q, want none", n)
			}
			checkMovedFunction(t, again, fixtureAccounts[0], tc.home)
		})
	}
}

// checkMovedFunction reads the fixture's function in region and finds every part of it, the
// bucket sequences included (the next published version of the function is 2, the next layer
// version 2).
func checkMovedFunction(t *testing.T, db *DB, acct, region string) {
	t.Helper()
	err := db.UpdateRegion(acct, region, func(tx *Tx) error {
		fn, err := LambdaFunctions(tx).Get("fixture-fn")
		if err != nil || fn.Tags["team"] != "a" {
			t.Errorf("%s/%s: function %+v, %v", acct, region, fn, err)
		}
		latest, err := LambdaVersions(tx, "fixture-fn").Get("$LATEST")
		if err != nil || latest.CodeKey != "codekey-fn" || len(latest.Layers) != 1 {
			t.Errorf("%s/%s: $LATEST %+v, %v", acct, region, latest, err)
		}
		code, err := LambdaCode(tx, "codekey-fn")
		if string(code) != "zip1" || err != nil {
			t.Errorf("%s/%s: code %q, %v", acct, region, code, err)
		}
		checks := []struct {
			what string
			ok   bool
		}{
			{"version 1", LambdaVersions(tx, "fixture-fn").Has(LambdaVersionKey("1"))},
			{"alias", LambdaAliases(tx, "fixture-fn").Has("live")},
			{"policy", LambdaPolicies(tx, "fixture-fn").Has(LambdaPolicyKey(""))},
			{"settings", LambdaFunctionSettings(tx, "fixture-fn").Has("*")},
			{"layer", LambdaLayers(tx).Has("fixture-layer")},
			{"layer version", LambdaLayerVersions(tx, "fixture-layer").Has(LambdaVersionKey("1"))},
			{"event source mapping", LambdaESMs(tx).Has("esm-uuid")},
			{"code signing config", LambdaCSCs(tx).Has("csc-0123456789abcdef0")},
		}
		for _, c := range checks {
			if !c.ok {
				t.Errorf("%s/%s: %s not moved", acct, region, c.what)
			}
		}
		if used, err := LambdaCodeInUse(tx, "codekey-layer"); !used || err != nil {
			t.Errorf("%s/%s: layer code in use = %v, %v", acct, region, used, err)
		}
		for what, seq := range map[string]func() (uint64, error){
			"function version": LambdaVersions(tx, "fixture-fn").NextSequence,
			"layer version":    LambdaLayerVersions(tx, "fixture-layer").NextSequence,
		} {
			if n, err := seq(); n != 2 || err != nil {
				t.Errorf("%s/%s: next %s = %d, %v; want 2", acct, region, what, n, err)
			}
		}
		return errRollback // keep the sequences as they were for the next check
	})
	if !errors.Is(err, errRollback) {
		t.Fatal(err)
	}
}

var errRollback = errors.New("roll back")

// checkLayout reads the upgraded file with raw bbolt: version 3, and no Lambda bucket left at
// the account level.
func checkLayout(t *testing.T, path, region string) {
	t.Helper()
	raw, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	err = raw.View(func(btx *bolt.Tx) error {
		if v := string(btx.Bucket(bucketMeta).Get(keySchema)); v != "3" {
			t.Errorf("schema version = %q, want 3", v)
		}
		for _, acct := range fixtureAccounts {
			a := btx.Bucket(bucketAccounts).Bucket([]byte(acct))
			for _, name := range lambdaBuckets {
				if a.Bucket([]byte(name)) != nil {
					t.Errorf("%s: %s still at the account level", acct, name)
				}
			}
			if a.Bucket([]byte(bucketRegions)).Bucket([]byte(region)).Bucket([]byte(lambdaFunctionsBucket)) == nil {
				t.Errorf("%s: no functions bucket under regions/%s", acct, region)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
