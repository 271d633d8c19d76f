package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io/fs"
	"os"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

var (
	// ErrLocked is a database file another process holds (bbolt's exclusive file lock).
	ErrLocked = errors.New("in use by another iamlocal (bbolt lock held)")
	// ErrDamaged is a database file that fails the consistency check.
	ErrDamaged = errors.New("damaged")
)

// defaultCheckBudget bounds the check Open runs: a few seconds covers files of gigabytes
// (bbolt's Check reads a warm 600 MB file in about 0.15 s), and a server never waits long to start.
const defaultCheckBudget = 3 * time.Second

// maxProblems bounds what CheckFile collects from a badly damaged file.
const maxProblems = 100

func locked(path string) error { return fmt.Errorf("storage: %s is %w", path, ErrLocked) }

// damageError is ErrDamaged with the file and what is wrong with it.
type damageError struct{ path, problem string }

func (e *damageError) Error() string {
	return fmt.Sprintf("storage: %s is damaged: %s", e.path, e.problem)
}
func (e *damageError) Is(target error) bool { return target == ErrDamaged }

func damaged(path, problem string) error { return &damageError{path: path, problem: problem} }

// openError names what bolt.Open's error means for the file: held by another process,
// damaged (bbolt recognises no database in it), or a plain file-system error.
func openError(path string, err error) error {
	switch {
	case errors.Is(err, ErrDamaged):
		return err
	case errors.Is(err, berrors.ErrTimeout):
		return locked(path)
	case errors.Is(err, berrors.ErrInvalid), errors.Is(err, berrors.ErrChecksum), errors.Is(err, berrors.ErrVersionMismatch),
		strings.Contains(err.Error(), "file size too small"): // bbolt's own unwrapped error
		return damaged(path, err.Error())
	}
	return fmt.Errorf("storage: open %s: %w", path, err)
}

// guard runs fn and turns a panic into ErrDamaged. bbolt reads the file through a memory
// mapping and trusts what it finds: on a truncated or garbled file it touches memory beyond
// the file or follows page numbers into nowhere, which is a fatal fault unless the goroutine
// asked for a panic instead (debug.SetPanicOnFault, which exists for memory-mapped files), and
// panics outright on pages that are not what they claim. The setting is this goroutine's
// alone and is restored on return.
func guard(path string, fn func() error) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if v := recover(); v != nil {
			err = damaged(path, fmt.Sprintf("bbolt failed reading it: %v", v))
		}
	}()
	return fn()
}

// inspect looks at an existing file before Open takes it for writing: through a read-only
// handle, which can be closed cleanly after a panic (bbolt hands out no handle when its own
// Open panics), it compares the file's size with the pages its meta page counts and walks every
// bucket, until deadline (none when zero). It returns why the check is incomplete ("" when it
// is not) or the damage.
func inspect(path string, timeout time.Duration, deadline time.Time) (string, error) {
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && info.Size() == 0) {
		return "", nil // a new database: bbolt initialises it
	}
	if err != nil {
		return "", fmt.Errorf("storage: open %s: %w", path, err)
	}
	var ro *bolt.DB
	if err := guard(path, func() (err error) {
		ro, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
		return err
	}); err != nil {
		return "", openError(path, err)
	}
	defer ro.Close()
	start := time.Now()
	var note string
	err = guard(path, func() error {
		return ro.View(func(tx *bolt.Tx) error {
			if problem := truncation(tx, info.Size()); problem != "" {
				return damaged(path, problem)
			}
			complete, err := walk(tx, deadline)
			if err != nil {
				return damaged(path, err.Error())
			}
			if !complete {
				note = fmt.Sprintf("storage: the consistency check of %s (%d bytes) was abandoned after %s",
					path, info.Size(), time.Since(start).Round(time.Millisecond))
			}
			return nil
		})
	})
	return note, err
}

// truncation reports a file shorter than the pages its meta page counts: bbolt grows the file
// before it writes a page, so only a file cut short (a full disk during a copy, a truncated
// backup) ends before them.
func truncation(tx *bolt.Tx, fileSize int64) string {
	if want := tx.Size(); fileSize < want {
		return fmt.Sprintf("the file is %d bytes but its pages reach %d bytes: it was cut short", fileSize, want)
	}
	return ""
}

// walk reads every key and value of every bucket and checks that keys ascend: it touches each
// page bbolt's Check will visit, on this goroutine (where guard catches faults), so that Check,
// which runs on a goroutine of its own, meets no page that crashes the process. It stops at
// deadline (complete false) unless that is zero.
func walk(tx *bolt.Tx, deadline time.Time) (complete bool, err error) {
	w := walker{deadline: deadline}
	if err := w.bucket(tx, ""); err != nil {
		return false, err
	}
	return !w.abandoned, nil
}

// container is what holds buckets: the transaction (the top level) or a bucket.
type container interface {
	Cursor() *bolt.Cursor
	Bucket(name []byte) *bolt.Bucket
}

type walker struct {
	deadline  time.Time
	n         int
	sum       uint32 // of the bytes read, so that reading them cannot be optimised away
	abandoned bool
}

func (w *walker) bucket(b container, path string) error {
	c := b.Cursor()
	var prev []byte
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if prev != nil && bytes.Compare(prev, k) >= 0 {
			return fmt.Errorf("bucket %q: key %q is out of order", path, k)
		}
		prev = k
		w.sum = crc32.Update(crc32.Update(w.sum, crc32.IEEETable, k), crc32.IEEETable, v)
		if w.n++; w.n%1024 == 0 && !w.deadline.IsZero() && time.Now().After(w.deadline) {
			w.abandoned = true
			return nil
		}
		if v != nil {
			continue
		}
		if sub := b.Bucket(k); sub != nil {
			if err := w.bucket(sub, path+"/"+string(k)); err != nil || w.abandoned {
				return err
			}
		}
	}
	return nil
}

// verify runs bbolt's consistency check on the open database until deadline. A check still
// running then is abandoned: its transaction stays open until it ends (it reads the mapping,
// which a rollback could let a later write remap), so Close waits for it.
func verify(b *bolt.DB, path string, deadline time.Time) (note string, err error) {
	tx, err := b.Begin(false)
	if err != nil {
		return "", err
	}
	problems := tx.Check()
	finish := func() {
		for range problems {
		}
		_ = tx.Rollback()
	}
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case problem, more := <-problems:
		if !more {
			return "", tx.Rollback()
		}
		go finish()
		return "", damaged(path, problem.Error())
	case <-timer.C:
		go finish()
		return fmt.Sprintf("storage: bbolt's consistency check of %s was abandoned after the time allowed", path), nil
	}
}

// CheckFile checks the database at path without changing it and without a time limit: the
// size against the pages the file counts, every bucket read through, then bbolt's consistency
// check to its end. It returns every problem found (none for a sound file); an error says the
// file could not be checked (missing, or held by a running iamlocal: ErrLocked).
func CheckFile(path string, timeout time.Duration) ([]string, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("storage: %w", err)
	}
	if timeout == 0 {
		timeout = time.Second
	}
	if _, err := inspect(path, timeout, time.Time{}); err != nil {
		return problemOf(err)
	}
	// The walk passed, so Check meets only readable pages; loading the free list as the file
	// opens reads the one page the walk does not, on this goroutine, under guard.
	var ro *bolt.DB
	if err := guard(path, func() (err error) {
		ro, err = bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, PreLoadFreelist: true, Timeout: timeout})
		return err
	}); err != nil {
		return problemOf(openError(path, err))
	}
	defer ro.Close()
	var found []string
	err := ro.View(func(tx *bolt.Tx) error {
		for problem := range tx.Check() {
			if len(found) < maxProblems {
				found = append(found, problem.Error())
			}
		}
		return nil
	})
	return found, err
}

// problemOf is a damage as CheckFile's one problem; any other error stays an error.
func problemOf(err error) ([]string, error) {
	var d *damageError
	if errors.As(err, &d) {
		return []string{d.problem}, nil
	}
	return nil, err
}

// Failure reports whether err, returned through Update or View, is the database's own failure
// rather than a caller's: a damaged file, a record that no longer decodes (records are written
// only by this package, as JSON, so one that does not parse was changed on disk), bbolt
// failing (closed, unmapped, unreadable meta), or an I/O error on the database file (a full
// disk when a transaction commits).
func (db *DB) Failure(err error) bool {
	if err == nil {
		return false
	}
	for _, e := range []error{ErrDamaged, berrors.ErrDatabaseNotOpen, berrors.ErrInvalid, berrors.ErrInvalidMapping, berrors.ErrChecksum} {
		if errors.Is(err, e) {
			return true
		}
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	if errors.As(err, &syntax) || errors.As(err, &typ) {
		return true
	}
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return pathErr.Path == db.bolt.Path()
	}
	// bbolt returns fdatasync's error as it comes.
	var errno syscall.Errno
	return errors.As(err, &errno) && (errno == syscall.EIO || errno == syscall.ENOSPC || errno == syscall.EDQUOT)
}

// PanicFailure reports whether a recovered panic (its value, and the stack it was recovered
// on) came from the database: a memory fault (the database file is iamlocal's one memory
// mapping; see guard) or a panic raised inside bbolt, which panics on pages it cannot read.
func PanicFailure(v any, stack []byte) bool {
	if _, fault := v.(interface{ Addr() uintptr }); fault {
		return true
	}
	return bytes.Contains(stack, []byte("go.etcd.io/bbolt."))
}
