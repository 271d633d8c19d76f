package storage_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const regionAcct = "123456789012"

// Each region of an account has its own Lambda state: a function, its versions, code, layers,
// event source mappings and code signing configs written in one region are not seen in
// another, the same names can hold different records in two regions, and account tables stay
// one per account whatever region a transaction names.
func TestRegionalTablesKeepRegionsApart(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	regions := []string{"us-east-1", "eu-west-1"}
	for _, region := range regions {
		err := db.UpdateRegion(regionAcct, region, func(tx *storage.Tx) error {
			return errors.Join(
				storage.LambdaFunctions(tx).Put("f", storage.LambdaFunctionRecord{V: 1, Name: "f", Tags: map[string]string{"region": region}}),
				storage.LambdaVersions(tx, "f").Put("$LATEST", storage.LambdaVersionRecord{V: 1, Version: "$LATEST", CodeKey: "k-" + region}),
				storage.PutLambdaCode(tx, "k-"+region, []byte(region)),
				storage.LambdaLayers(tx).Put("l", storage.LambdaLayerRecord{V: 1, Name: "l"}),
				storage.LambdaESMs(tx).Put("esm-"+region, storage.LambdaESMRecord{V: 1, UUID: "esm-" + region}),
				storage.LambdaCSCs(tx).Put("csc-"+region, storage.LambdaCSCRecord{V: 1, ID: "csc-" + region}),
				storage.Users(tx).Put("user-"+region, storage.UserRecord{Name: "user-" + region}),
			)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		region string
		want   string // the region whose records it holds, "" for none
	}{
		{"us-east-1", "us-east-1"},
		{"eu-west-1", "eu-west-1"},
		{"ap-southeast-2", ""},
	}
	// The group returns once its parallel subtests are done, before the delete below.
	t.Run("read", func(t *testing.T) {
		for _, tc := range tests {
			t.Run(tc.region, func(t *testing.T) {
				t.Parallel()
				err := db.ViewRegion(regionAcct, tc.region, func(tx *storage.Tx) error {
					if tx.Region() != tc.region || tx.Account() != regionAcct {
						t.Errorf("scope = %s/%s", tx.Account(), tx.Region())
					}
					fn, err := storage.LambdaFunctions(tx).Get("f")
					switch {
					case tc.want == "" && !errors.Is(err, storage.ErrNotFound):
						t.Errorf("function in %s: %+v, %v; want none", tc.region, fn, err)
					case tc.want != "" && (err != nil || fn.Tags["region"] != tc.want):
						t.Errorf("function in %s: %+v, %v; want the one of %s", tc.region, fn, err, tc.want)
					}
					for _, other := range regions {
						mine := other == tc.want
						code, _ := storage.LambdaCode(tx, "k-"+other)
						checks := []struct {
							what string
							has  bool
						}{
							{"code", code != nil},
							{"event source mapping", storage.LambdaESMs(tx).Has("esm-" + other)},
							{"code signing config", storage.LambdaCSCs(tx).Has("csc-" + other)},
						}
						for _, c := range checks {
							if c.has != mine {
								t.Errorf("%s of %s seen in %s: %v, want %v", c.what, other, tc.region, c.has, mine)
							}
						}
						// Account tables are the account's, whatever the region.
						if !storage.Users(tx).Has("user-" + other) {
							t.Errorf("user written in %s not seen in %s", other, tc.region)
						}
					}
					if got := storage.LambdaLayers(tx).Count(""); got != map[bool]int{true: 1, false: 0}[tc.want != ""] {
						t.Errorf("layers in %s: %d", tc.region, got)
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			})
		}
	})
	// A function deleted in one region stays in the other.
	if err := db.UpdateRegion(regionAcct, "eu-west-1", func(tx *storage.Tx) error {
		return storage.DeleteLambdaFunction(tx, "f")
	}); err != nil {
		t.Fatal(err)
	}
	err := db.ViewRegion(regionAcct, "us-east-1", func(tx *storage.Tx) error {
		if !storage.LambdaFunctions(tx).Has("f") || storage.LambdaVersions(tx, "f").Count("") != 1 {
			t.Error("deleting the function in eu-west-1 removed the one of us-east-1")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A regional transaction must name its region: UpdateRegion and ViewRegion refuse an empty one,
// and a regional table asked of an account-wide transaction (DB.Update, DB.View) panics rather
// than answer from no region or from the account.
func TestRegionalTablesNeedARegion(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	if err := db.UpdateRegion(regionAcct, "", func(*storage.Tx) error { return nil }); !errors.Is(err, storage.ErrNoRegion) {
		t.Errorf("UpdateRegion without a region: %v, want ErrNoRegion", err)
	}
	if err := db.ViewRegion(regionAcct, "", func(*storage.Tx) error { return nil }); !errors.Is(err, storage.ErrNoRegion) {
		t.Errorf("ViewRegion without a region: %v, want ErrNoRegion", err)
	}
	uses := []struct {
		table string
		use   func(tx *storage.Tx) error
	}{
		{"LambdaFunctions", func(tx *storage.Tx) error {
			return storage.LambdaFunctions(tx).Put("f", storage.LambdaFunctionRecord{})
		}},
		{"LambdaVersions", func(tx *storage.Tx) error { _, err := storage.LambdaVersions(tx, "f").Get("$LATEST"); return err }},
		{"LambdaAliases", func(tx *storage.Tx) error { return storage.LambdaAliases(tx, "f").Delete("a") }},
		{"LambdaPolicies", func(tx *storage.Tx) error { storage.LambdaPolicies(tx, "f").Has("*"); return nil }},
		{"LambdaEventInvokeConfigs", func(tx *storage.Tx) error { storage.LambdaEventInvokeConfigs(tx, "f").Count(""); return nil }},
		{"LambdaURLConfigs", func(tx *storage.Tx) error { _, err := storage.LambdaURLConfigs(tx, "f").Keys(""); return err }},
		{"LambdaFunctionSettings", func(tx *storage.Tx) error { _, err := storage.LambdaFunctionSettings(tx, "f").Get("*"); return err }},
		{"LambdaProvisioned", func(tx *storage.Tx) error { _, err := storage.LambdaProvisioned(tx, "f").Get("1"); return err }},
		{"LambdaRuntimeConfigs", func(tx *storage.Tx) error { _, err := storage.LambdaRuntimeConfigs(tx, "f").Get("1"); return err }},
		{"DeleteLambdaFunction", func(tx *storage.Tx) error { return storage.DeleteLambdaFunction(tx, "f") }},
		{"PutLambdaCode", func(tx *storage.Tx) error { return storage.PutLambdaCode(tx, "k", []byte("z")) }},
		{"LambdaCode", func(tx *storage.Tx) error { _, err := storage.LambdaCode(tx, "k"); return err }},
		{"DeleteLambdaCode", func(tx *storage.Tx) error { return storage.DeleteLambdaCode(tx, "k") }},
		{"LambdaCodeInUse", func(tx *storage.Tx) error { _, err := storage.LambdaCodeInUse(tx, "k"); return err }},
		{"LambdaLayers", func(tx *storage.Tx) error { _, err := storage.LambdaLayers(tx).Keys(""); return err }},
		{"LambdaLayerVersions", func(tx *storage.Tx) error { _, err := storage.LambdaLayerVersions(tx, "l").NextSequence(); return err }},
		{"LambdaESMs", func(tx *storage.Tx) error { _, err := storage.LambdaESMs(tx).Get("u"); return err }},
		{"LambdaCSCs", func(tx *storage.Tx) error { _, err := storage.LambdaCSCs(tx).Get("c"); return err }},
	}
	for _, u := range uses {
		t.Run(u.table, func(t *testing.T) {
			t.Parallel()
			for _, write := range []bool{true, false} {
				run := db.View
				if write {
					run = db.Update
				}
				var recovered any
				err := run(regionAcct, func(tx *storage.Tx) error {
					defer func() { recovered = recover() }()
					return u.use(tx)
				})
				if err != nil {
					t.Errorf("write=%v: transaction failed: %v", write, err)
				}
				if recovered == nil {
					t.Errorf("write=%v: %s in an account-wide transaction did not panic", write, u.table)
				}
			}
		})
	}
	// Nothing was written: the account has no regional state.
	err := db.ViewRegion(regionAcct, "us-east-1", func(tx *storage.Tx) error {
		if n := storage.LambdaFunctions(tx).Count(""); n != 0 {
			t.Errorf("functions after refused writes: %d", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A regional write counts in the account's generation, as an account-wide write does, and
// InRegion views another region of the same account in the same transaction.
func TestRegionalGenerationAndInRegion(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	before := db.Generation(regionAcct)
	if err := db.UpdateRegion(regionAcct, "eu-west-1", func(tx *storage.Tx) error {
		return storage.LambdaFunctions(tx).Put("f", storage.LambdaFunctionRecord{V: 1, Name: "f"})
	}); err != nil {
		t.Fatal(err)
	}
	if got := db.Generation(regionAcct); got != before+1 {
		t.Errorf("generation after a regional write = %d, want %d", got, before+1)
	}
	if got := db.Generation("210987654321"); got != 0 {
		t.Errorf("another account's generation = %d, want 0", got)
	}
	// A failed regional transaction changes nothing and counts nothing.
	failed := errors.New("refused")
	if err := db.UpdateRegion(regionAcct, "eu-west-1", func(tx *storage.Tx) error {
		if err := storage.LambdaFunctions(tx).Put("g", storage.LambdaFunctionRecord{V: 1, Name: "g"}); err != nil {
			return err
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("err = %v", err)
	}
	if got := db.Generation(regionAcct); got != before+1 {
		t.Errorf("generation after a rolled-back write = %d, want %d", got, before+1)
	}
	err := db.View(regionAcct, func(tx *storage.Tx) error {
		tests := []struct {
			region string
			want   []string
		}{
			{"eu-west-1", []string{"f"}},
			{"us-east-1", nil},
		}
		for _, tc := range tests {
			in := tx.InRegion(tc.region)
			got, err := storage.LambdaFunctions(in).Keys("")
			if err != nil {
				return err
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) || in.Account() != regionAcct || in.Region() != tc.region {
				t.Errorf("InRegion(%s): functions %v (want %v), scope %s/%s", tc.region, got, tc.want, in.Account(), in.Region())
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
