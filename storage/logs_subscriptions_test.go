package storage_test

import (
	"testing"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Subscription filters and resource policies are ordinary account tables: a group's filters
// are one prefix (a group whose name extends another's is not in it), the two policy scopes
// are apart, and both tables travel in state files like every other.
func TestLogSubscriptionTables(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	err := db.Update(acct, func(tx *storage.Tx) error {
		for _, k := range []struct{ group, name string }{{"g", "a"}, {"g", "b"}, {"g2", "a"}} {
			rec := storage.LogSubscriptionRecord{V: 1, Name: k.name, Group: k.group, Destination: "arn:aws:lambda:eu-west-1:111111111111:function:f"}
			if err := storage.LogSubscriptions(tx).Put(storage.LogSubscriptionKey(region, k.group, k.name), rec); err != nil {
				return err
			}
		}
		if err := storage.LogResourcePolicies(tx).Put(storage.LogAccountPolicyKey(region, "p"), storage.LogResourcePolicyRecord{V: 1, Name: "p", Document: "{}"}); err != nil {
			return err
		}
		return storage.LogResourcePolicies(tx).Put(storage.LogResourceScopedPolicyKey(region, "arn:aws:logs:eu-west-1:111111111111:log-group:g"),
			storage.LogResourcePolicyRecord{V: 1, Name: "p", Document: "{}", Revision: "r1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	count := func(table func(*storage.Tx) int) int {
		var n int
		if err := db.View(acct, func(tx *storage.Tx) error { n = table(tx); return nil }); err != nil {
			t.Fatal(err)
		}
		return n
	}
	tests := []struct {
		name  string
		count func(*storage.Tx) int
		want  int
	}{
		{"filters of g", func(tx *storage.Tx) int {
			return scanCount(t, storage.LogSubscriptions(tx), storage.LogSubscriptionKey(region, "g", ""))
		}, 2},
		{"account policies", func(tx *storage.Tx) int {
			return scanCount(t, storage.LogResourcePolicies(tx), storage.LogAccountPolicyKey(region, ""))
		}, 1},
		{"resource policies", func(tx *storage.Tx) int {
			return scanCount(t, storage.LogResourcePolicies(tx), storage.LogResourceScopedPolicyKey(region, ""))
		}, 1},
	}
	for _, tt := range tests {
		if got := count(tt.count); got != tt.want {
			t.Errorf("%s: %d records, want %d", tt.name, got, tt.want)
		}
	}
	restoreState(t, stateHolds(t, db, "logs.subscriptions", "logs.resourcepolicies"))
}

func scanCount[T any](t *testing.T, table storage.Table[T], prefix string) int {
	t.Helper()
	n := 0
	if err := table.Scan(prefix, func(string, T) error { n++; return nil }); err != nil {
		t.Fatal(err)
	}
	return n
}
