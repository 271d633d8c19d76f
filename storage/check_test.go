package storage_test

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/iamlocal/iamlocal/storage"
)

const account = "111111111111"

// sampleDB writes n records into a new database file and closes it.
func sampleDB(t *testing.T, n int) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "iamlocal.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(account, func(tx *storage.Tx) error {
		for i := range n {
			if err := table(tx).Put(fmt.Sprintf("k%06d", i), rec{V: 1, Name: strings.Repeat("x", 200)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// garbage overwrites n bytes at off with seeded random bytes.
func garbage(t *testing.T, path string, off int64, n int) {
	t.Helper()
	b := make([]byte, n)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range b {
		b[i] = byte(rng.Uint32())
	}
	overwrite(t, path, off, b)
}

func overwrite(t *testing.T, path string, off int64, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// tablePage is the file offset of the root page of the records' bucket, and the page size.
func tablePage(t *testing.T, path string) (off int64, pageSize int) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	pageSize = b.Info().PageSize
	_ = b.View(func(tx *bolt.Tx) error {
		things := tx.Bucket([]byte("accounts")).Bucket([]byte(account)).Bucket([]byte("things"))
		off = int64(things.Root()) * int64(pageSize)
		return nil
	})
	if off == 0 {
		t.Fatal("the records' bucket is inline: no page of its own to damage")
	}
	return off, pageSize
}

// A damaged file makes Open return ErrDamaged naming the file, never panic or crash the
// process (bbolt faults on a truncated file and panics on garbled pages); CheckFile lists
// what is wrong with it.
func TestOpenReportsDamage(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
		want   string // in the error
	}{
		{"truncated to half", func(t *testing.T, path string) {
			info, _ := os.Stat(path)
			if err := os.Truncate(path, info.Size()/2); err != nil {
				t.Fatal(err)
			}
		}, "it was cut short"},
		{"garbage over a page in the middle", func(t *testing.T, path string) {
			off, _ := tablePage(t, path)
			garbage(t, path, off, 64)
		}, "bbolt failed reading it"},
		{"garbage in a page's element table", func(t *testing.T, path string) {
			off, _ := tablePage(t, path)
			garbage(t, path, off+16, 64) // past the page header: the elements' page numbers and offsets
		}, "bbolt failed reading it"},
		{"a page number pointing far past the file", func(t *testing.T, path string) {
			off, _ := tablePage(t, path) // a branch page: elements {pos, ksize uint32; pgid uint64} after a 16-byte header
			pgid := make([]byte, 8)
			binary.LittleEndian.PutUint64(pgid, 1<<28)
			overwrite(t, path, off+16+8, pgid)
		}, "invalid memory address"},
		{"garbage over both meta pages", func(t *testing.T, path string) {
			_, pageSize := tablePage(t, path)
			garbage(t, path, 0, 2*pageSize)
		}, "invalid database"},
		{"not a database", func(t *testing.T, path string) {
			if err := os.WriteFile(path, []byte(strings.Repeat("not bbolt ", 1000)), 0o600); err != nil {
				t.Fatal(err)
			}
		}, "invalid database"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := sampleDB(t, 300)
			tc.damage(t, path)
			db, err := storage.Open(path, storage.Options{})
			if err == nil {
				db.Close()
				t.Fatal("Open of a damaged file succeeded")
			}
			if !errors.Is(err, storage.ErrDamaged) || !strings.Contains(err.Error(), path+" is damaged") || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Open = %v, want ErrDamaged naming %s and %q", err, path, tc.want)
			}
			problems, err := storage.CheckFile(path, time.Second)
			if err != nil || len(problems) == 0 {
				t.Errorf("CheckFile = %q, %v, want the damage", problems, err)
			}
		})
	}
}

func TestCheckFileOfSoundFileFindsNothing(t *testing.T) {
	t.Parallel()
	path := sampleDB(t, 300)
	if problems, err := storage.CheckFile(path, time.Second); err != nil || len(problems) != 0 {
		t.Fatalf("CheckFile = %q, %v", problems, err)
	}
	if _, err := storage.CheckFile(filepath.Join(t.TempDir(), "missing.db"), time.Second); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("CheckFile of a missing file = %v", err)
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if note := db.CheckNote(); note != "" {
		t.Errorf("CheckNote = %q after a full check", note)
	}
	// A file the open database holds cannot be checked: the check says so.
	if _, err := storage.CheckFile(path, 50*time.Millisecond); !errors.Is(err, storage.ErrLocked) {
		t.Errorf("CheckFile of a held file = %v, want ErrLocked", err)
	}
}

// A second Open of a held file says who holds it, not bbolt's bare "timeout".
func TestOpenOfHeldFileSaysInUse(t *testing.T) {
	t.Parallel()
	path := sampleDB(t, 1)
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = storage.Open(path, storage.Options{Timeout: 50 * time.Millisecond})
	if !errors.Is(err, storage.ErrLocked) || err.Error() != "storage: "+path+" is in use by another iamlocal (bbolt lock held)" {
		t.Fatalf("second Open = %v", err)
	}
}

// A check that outruns its budget is abandoned, said so, and the database still serves.
func TestOpenAbandonsCheckOverBudget(t *testing.T) {
	t.Parallel()
	path := sampleDB(t, 3000)
	db, err := storage.Open(path, storage.Options{CheckBudget: time.Nanosecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if note := db.CheckNote(); !strings.Contains(note, path) || !strings.Contains(note, "abandoned") {
		t.Errorf("CheckNote = %q", note)
	}
	err = db.Update(account, func(tx *storage.Tx) error { return table(tx).Put("after", rec{V: 1}) })
	if err != nil {
		t.Fatal(err)
	}
}

// Failure tells the database's own failures from callers' errors.
func TestFailure(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "iamlocal.db")
	// A record that is not JSON: what a damaged value reads as.
	b, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	err = b.Update(func(tx *bolt.Tx) error {
		acct, err := tx.CreateBucketIfNotExists([]byte("accounts"))
		if err != nil {
			return err
		}
		things, err := acct.CreateBucketIfNotExists([]byte(account))
		if err != nil {
			return err
		}
		things, err = things.CreateBucketIfNotExists([]byte("things"))
		if err != nil {
			return err
		}
		return things.Put([]byte("bad"), []byte("{\"v\":1,\"name\":\"\x01\x02"))
	})
	b.Close()
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	decodeErr := db.View(account, func(tx *storage.Tx) error {
		_, err := table(tx).Get("bad")
		return err
	})
	cases := []struct {
		name string
		err  error
		want bool
	}{
		{"nil", nil, false},
		{"not found", storage.ErrNotFound, false},
		{"a caller's error", errors.New("boom"), false},
		{"a record that does not decode", decodeErr, true},
		{"damage", fmt.Errorf("wrapped: %w", storage.ErrDamaged), true},
		{"bbolt closed", fmt.Errorf("view: %w", bolt.ErrDatabaseNotOpen), true},
		{"a write to the database file", &fs.PathError{Op: "write", Path: path, Err: errors.New("no space left on device")}, true},
		{"a write to another file", &fs.PathError{Op: "write", Path: path + ".zip", Err: errors.New("no space left on device")}, false},
	}
	for _, tc := range cases {
		if got := db.Failure(tc.err); got != tc.want {
			t.Errorf("%s: Failure(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

type faultAt struct{ error }

func (faultAt) Addr() uintptr { return 0xdead }

func TestPanicFailure(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name  string
		value any
		stack string
		want  bool
	}{
		{"a memory fault", faultAt{errors.New("unexpected fault address")}, "main.handler()", true},
		{"a panic inside bbolt", "assertion failed: Page expected to be: 5", "go.etcd.io/bbolt.(*Tx).page(...)\nmain.handler()", true},
		{"a handler's own panic", "index out of range", "main.handler()", false},
	}
	for _, tc := range cases {
		if got := storage.PanicFailure(tc.value, []byte(tc.stack)); got != tc.want {
			t.Errorf("%s: PanicFailure = %v, want %v", tc.name, got, tc.want)
		}
	}
}
