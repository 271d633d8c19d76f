package storage_test

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

type rec struct {
	V    int    `json:"v"`
	Name string `json:"name"`
}

func table(tx *storage.Tx) storage.Table[rec] { return storage.AccountTable[rec](tx, "things") }

func TestTableCRUD(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	err := db.Update("111111111111", func(tx *storage.Tx) error {
		if err := table(tx).Insert("a", rec{V: 1, Name: "A"}); err != nil {
			return err
		}
		if err := table(tx).Insert("a", rec{V: 1, Name: "again"}); !errors.Is(err, storage.ErrExists) {
			t.Errorf("second Insert = %v, want ErrExists", err)
		}
		for _, k := range []string{"b\x00x", "b\x00y", "c"} {
			if err := table(tx).Put(k, rec{V: 1, Name: k}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = db.View("111111111111", func(tx *storage.Tx) error {
		got, err := table(tx).Get("a")
		if err != nil || got.Name != "A" {
			t.Errorf("Get(a) = %+v, %v", got, err)
		}
		if _, err := table(tx).Get("zz"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("Get(zz) = %v, want ErrNotFound", err)
		}
		var seen []string
		_ = table(tx).Scan(storage.Prefix("b"), func(k string, v rec) error { seen = append(seen, v.Name); return nil })
		if strings.Join(seen, ",") != "b\x00x,b\x00y" {
			t.Errorf("Scan(b) = %q", seen)
		}
		if n := table(tx).Count(""); n != 4 {
			t.Errorf("Count = %d, want 4", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Accounts are isolated: another account sees nothing, even in a read transaction.
	_ = db.View("222222222222", func(tx *storage.Tx) error {
		if _, err := table(tx).Get("a"); !errors.Is(err, storage.ErrNotFound) {
			t.Errorf("other account Get(a) = %v, want ErrNotFound", err)
		}
		return nil
	})
	// An error rolls the whole transaction back.
	boom := errors.New("boom")
	err = db.Update("111111111111", func(tx *storage.Tx) error {
		if err := table(tx).Delete("a"); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update = %v", err)
	}
	_ = db.View("111111111111", func(tx *storage.Tx) error {
		if !table(tx).Has("a") {
			t.Error("rolled-back delete took effect")
		}
		return nil
	})
	if err := db.Update("111111111111", func(tx *storage.Tx) error { return table(tx).DeletePrefix(storage.Prefix("b")) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Reset(); err != nil {
		t.Fatal(err)
	}
	_ = db.View("111111111111", func(tx *storage.Tx) error {
		if table(tx).Count("") != 0 {
			t.Error("Reset left records")
		}
		return nil
	})
}

func TestRestartKeepsData(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update("111111111111", func(tx *storage.Tx) error { return table(tx).Put("k", rec{Name: "kept"}) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	db, err = storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_ = db.View("111111111111", func(tx *storage.Tx) error {
		if got, err := table(tx).Get("k"); err != nil || got.Name != "kept" {
			t.Errorf("after restart Get = %+v, %v", got, err)
		}
		return nil
	})
}

func TestSchemaVersionMismatchFails(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db")
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = b.Update(func(tx *bolt.Tx) error {
		m, _ := tx.CreateBucket([]byte("meta"))
		return m.Put([]byte("schema"), []byte("999"))
	})
	b.Close()
	if _, err := storage.Open(path, storage.Options{}); err == nil || !strings.Contains(err.Error(), "data format version 999") {
		t.Fatalf("Open = %v, want a version error", err)
	}
}

func TestLockedFileTimesOut(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := storage.Open(path, storage.Options{Timeout: 50 * time.Millisecond}); err == nil {
		t.Fatal("second Open of a locked file succeeded")
	}
}

// TestKillMidLoadLosesNoAcknowledgedWrite re-executes this test binary as a writer that
// acknowledges each committed transaction on stdout, kills it with SIGKILL mid-load, and checks
// that the file opens, passes bbolt's consistency check and holds every acknowledged write.
func TestKillMidLoadLosesNoAcknowledgedWrite(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashWriter$")
	cmd.Env = append(os.Environ(), "IAMLOCAL_CRASH_WRITER="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if k, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			acked = append(acked, k)
			if len(acked) == 200 {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				break
			}
		}
	}
	_ = cmd.Wait()
	if len(acked) < 200 {
		t.Fatalf("writer acknowledged only %d writes before exiting", len(acked))
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatalf("file does not open after kill -9: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatalf("consistency check after kill -9: %v", err)
	}
	_ = db.View("111111111111", func(tx *storage.Tx) error {
		for _, k := range acked {
			if !table(tx).Has(k) {
				t.Errorf("acknowledged write %s lost", k)
			}
		}
		return nil
	})
}

// TestCrashWriter is the child of TestKillMidLoadLosesNoAcknowledgedWrite; it does nothing
// unless started by it.
func TestCrashWriter(t *testing.T) {
	path := os.Getenv("IAMLOCAL_CRASH_WRITER")
	if path == "" {
		return
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; ; i++ {
		k := fmt.Sprintf("k%06d", i)
		if err := db.Update("111111111111", func(tx *storage.Tx) error {
			return table(tx).Put(k, rec{V: 1, Name: strings.Repeat("x", 512)})
		}); err != nil {
			t.Fatal(err)
		}
		fmt.Println("ACK " + k)
	}
}

// Opening a current file writes nothing (no commit, so no fsync at start); a new file and one
// missing a top bucket are written.
func TestOpenWritesOnlyWhatNeedsWriting(t *testing.T) {
	t.Parallel()
	txid := func(t *testing.T, path string) int {
		t.Helper()
		b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer b.Close()
		tx, err := b.Begin(false)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		return tx.ID()
	}
	open := func(t *testing.T, path string) {
		t.Helper()
		db, err := storage.Open(path, storage.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		before func(t *testing.T, path string) // makes the file Open meets
		writes bool
	}{
		{"current", func(t *testing.T, path string) { open(t, path) }, false},
		{"new", func(*testing.T, string) {}, true},
		{"no global bucket", func(t *testing.T, path string) {
			open(t, path)
			b, err := bolt.Open(path, 0o600, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			if err := b.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket([]byte("global")) }); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "db")
			tc.before(t, path)
			before := 0
			if _, err := os.Stat(path); err == nil {
				before = txid(t, path)
			}
			open(t, path)
			if wrote := txid(t, path) != before; wrote != tc.writes {
				t.Errorf("Open committed a transaction: %v, want %v", wrote, tc.writes)
			}
		})
	}
}

// Writes counts every committed write transaction, whatever account or region it was on, and
// Reset; reads and rolled-back writes count nothing.
func TestWritesCountsCommittedWrites(t *testing.T) {
	t.Parallel()
	put := func(tx *storage.Tx) error { return table(tx).Put("k", rec{V: 1, Name: "k"}) }
	refused := errors.New("refused")
	for _, tc := range []struct {
		name string
		op   func(*storage.DB) error
		want uint64 // Writes after the op, from 0
	}{
		{"write", func(db *storage.DB) error { return db.Update("111111111111", put) }, 1},
		{"write on another account", func(db *storage.DB) error { return db.Update("222222222222", put) }, 1},
		{"regional write", func(db *storage.DB) error {
			return db.UpdateRegion("111111111111", "eu-west-1", func(tx *storage.Tx) error {
				return storage.LambdaFunctions(tx).Put("f", storage.LambdaFunctionRecord{V: 1, Name: "f"})
			})
		}, 1},
		{"reset", func(db *storage.DB) error { return db.Reset() }, 1},
		{"read", func(db *storage.DB) error {
			return db.View("111111111111", func(tx *storage.Tx) error { _, _ = table(tx).Get("k"); return nil })
		}, 0},
		{"rolled-back write", func(db *storage.DB) error {
			if err := db.Update("111111111111", func(tx *storage.Tx) error { _ = put(tx); return refused }); !errors.Is(err, refused) {
				return fmt.Errorf("err = %v, want %v", err, refused)
			}
			return nil
		}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t)
			if got := db.Writes(); got != 0 {
				t.Fatalf("Writes after Open = %d, want 0", got)
			}
			if err := tc.op(db); err != nil {
				t.Fatal(err)
			}
			if got := db.Writes(); got != tc.want {
				t.Errorf("Writes = %d, want %d", got, tc.want)
			}
		})
	}
}

// A user read twice is the same record the second time, taken from what the first decoded,
// and changing what a read returned changes neither the stored record nor the next read.
func TestUserReadsAreIndependentCopies(t *testing.T) {
	t.Parallel()
	const acct = "111111111111"
	created := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		user storage.UserRecord
	}{
		{"without tags", storage.UserRecord{V: 1, Name: "alice", ID: "AIDAEXAMPLE", Path: "/", Created: created}},
		{"with tags", storage.UserRecord{V: 1, Name: "alice", ID: "AIDAEXAMPLE", Path: "/team/", Created: created,
			Boundary: "arn:aws:iam::aws:policy/ReadOnlyAccess", Tags: []storage.Tag{{Key: "team", Value: "a"}, {Key: "cost", Value: "1"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t)
			if err := db.Update(acct, func(tx *storage.Tx) error { return storage.Users(tx).Put("alice", tc.user) }); err != nil {
				t.Fatal(err)
			}
			for read := range 3 {
				var got storage.UserRecord
				if err := db.View(acct, func(tx *storage.Tx) (err error) { got, err = storage.Users(tx).Get("alice"); return err }); err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, tc.user) {
					t.Fatalf("read %d = %+v, want %+v", read, got, tc.user)
				}
				// A caller changing its copy in place: the next read must not see it.
				got.Name = "changed"
				for i := range got.Tags {
					got.Tags[i].Value = "changed"
				}
			}
		})
	}
}
