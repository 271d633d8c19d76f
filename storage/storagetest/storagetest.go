// Package storagetest opens throwaway databases for tests.
package storagetest

import (
	"path/filepath"
	"testing"

	"github.com/iamlocal/iamlocal/storage"
)

// Open creates a database in t.TempDir and, at cleanup, checks its consistency and closes it.
func Open(t testing.TB) *storage.DB {
	t.Helper()
	db, err := storage.Open(filepath.Join(t.TempDir(), "iamlocal.db"), storage.Options{})
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
