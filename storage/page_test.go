package storage

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// openTestDB is storagetest.Open for the package's own tests (storagetest imports storage).
func openTestDB(t *testing.T) *DB {
	t.Helper()
	db, err := Open(filepath.Join(t.TempDir(), "iamlocal.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := db.Check(); err != nil {
			t.Errorf("storage check: %v", err)
		}
		if err := db.Close(); err != nil {
			t.Errorf("storage close: %v", err)
		}
	})
	return db
}

func mustUpdate(t *testing.T, db *DB, fn func(tx *Tx) error) {
	t.Helper()
	if err := db.Update("111111111111", fn); err != nil {
		t.Fatal(err)
	}
}

type pageRecord struct {
	V    int    `json:"v"`
	Path string `json:"path"`
}

func pageTable(tx *Tx) Table[pageRecord] { return AccountTable[pageRecord](tx, "test.page") }

func TestTablePage(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	mustUpdate(t, db, func(tx *Tx) error {
		for i := range 10 {
			path := "/a/"
			if i%2 == 1 {
				path = "/b/"
			}
			if err := pageTable(tx).Put(Join("p", fmt.Sprintf("k%d", i)), pageRecord{V: 1, Path: path}); err != nil {
				return err
			}
		}
		return pageTable(tx).Put("q", pageRecord{V: 1, Path: "/a/"}) // outside the prefix
	})
	onlyB := func(_ string, r pageRecord) (bool, error) { return r.Path == "/b/", nil }
	tests := []struct {
		name      string
		from      string
		limit     int
		keep      func(string, pageRecord) (bool, error)
		want      string // row keys
		truncated bool
		next      string
	}{
		{"first page", "", 3, nil, "k0,k1,k2", true, "k3"},
		{"from a marker", "k3", 3, nil, "k3,k4,k5", true, "k6"},
		{"from a deleted key resumes at the next", "k35", 3, nil, "k4,k5,k6", true, "k7"},
		{"last page", "k7", 3, nil, "k7,k8,k9", false, ""},
		{"past the end", "z", 3, nil, "", false, ""},
		{"filtered", "", 2, onlyB, "k1,k3", true, "k5"},
		{"filtered last page", "k6", 2, onlyB, "k7,k9", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_ = db.View("111111111111", func(tx *Tx) error {
				p, err := pageTable(tx).Page(Prefix("p"), tc.from, tc.limit, tc.keep)
				var keys []string
				for _, r := range p.Rows {
					keys = append(keys, r.Key)
				}
				if err != nil || strings.Join(keys, ",") != tc.want || p.Truncated != tc.truncated || p.Next != tc.next {
					t.Errorf("Page = %q truncated %v next %q, %v; want %q %v %q", keys, p.Truncated, p.Next, err, tc.want, tc.truncated, tc.next)
				}
				return nil
			})
		})
	}
}

// A page decodes the records it returns and the one after, and nothing beyond: a record that
// cannot be decoded further on does not matter to the first page.
func TestTablePageReadsOnlyItsRecords(t *testing.T) {
	t.Parallel()
	db := openTestDB(t)
	mustUpdate(t, db, func(tx *Tx) error {
		for i := range 5 {
			if err := pageTable(tx).Put(fmt.Sprintf("k%d", i), pageRecord{V: 1}); err != nil {
				return err
			}
		}
		b, err := tx.bucket(bucketAccounts, tx.account, "test.page")
		if err != nil {
			return err
		}
		return b.Put([]byte("k9"), []byte("not json"))
	})
	tests := []struct {
		limit   int
		wantErr bool
	}{{2, false}, {4, false}, {5, true}, {100, true}}
	for _, tc := range tests {
		_ = db.View("111111111111", func(tx *Tx) error {
			_, err := pageTable(tx).Page("", "", tc.limit, nil)
			if (err != nil) != tc.wantErr {
				t.Errorf("Page(limit %d) = %v, want error %v", tc.limit, err, tc.wantErr)
			}
			return nil
		})
	}
}
