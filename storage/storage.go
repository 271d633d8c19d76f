// Package storage is iamlocal's narrow repository over bbolt. One API call is one transaction:
// callers run a function inside DB.Update or DB.View for one account, or DB.UpdateRegion and
// DB.ViewRegion for one account and region (region.go), and use the typed tables of the *Tx.
// Records are storage-owned JSON values; wire structs are never persisted, and no byte slice
// read from bbolt escapes its transaction (values are decoded inside it).
package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	bolt "go.etcd.io/bbolt"
)

// SchemaVersion is the on-disk format version, stored in the meta bucket. Open upgrades older
// databases (migrate.go).
const SchemaVersion = 3

var (
	ErrNotFound = errors.New("storage: not found")
	ErrExists   = errors.New("storage: already exists")
	ErrConflict = errors.New("storage: conflict")
)

// Options tune Open.
type Options struct {
	Timeout time.Duration // how long to wait for the file lock; default 1s
	// CheckBudget bounds the consistency check Open runs on an existing file; default 3s.
	// A check that runs out of it is abandoned and DB.CheckNote says so.
	CheckBudget time.Duration
	// Region is where an upgrade from a version-2 database puts its region-less Lambda state
	// (migrate.go); default us-east-1. The server passes the region it runs in.
	Region string
}

// DB is an open iamlocal database.
type DB struct {
	bolt      *bolt.DB
	gens      generations
	memos     *memos
	checkNote string
	// region is where an upgrade puts region-less state (Options.Region), also when a
	// snapshot of an older format is restored (Restore).
	region string
	// upgraded says what Open changed to bring an older file up to SchemaVersion.
	upgraded []string
}

// generations counts committed write transactions per account, so callers can cache what they
// derive from an account's state until it next changes. In memory only: one process owns the
// file (bbolt's lock), so no other writer can change it behind the counter.
type generations struct {
	mu    sync.Mutex
	n     map[string]uint64
	total atomic.Uint64 // every account's together
}

func (g *generations) bump(account string) {
	g.mu.Lock()
	if g.n == nil {
		g.n = map[string]uint64{}
	}
	g.n[account]++
	g.mu.Unlock()
	g.total.Add(1)
}

func (g *generations) get(account string) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.n[account]
}

// Generation is the number of write transactions committed on account since Open (Reset
// counts for every account). It only grows.
func (db *DB) Generation(account string) uint64 {
	return db.gens.get(account) + db.gens.get(allAccounts)
}

// Writes is the number of write transactions committed since Open, on any account. It only
// grows: what a caller derived from the database while Writes read n is still current while
// Writes reads n, provided it read Writes before opening the transaction it derived it in (a
// write commits before it counts).
func (db *DB) Writes() uint64 { return db.gens.total.Load() }

// allAccounts is the generation key bumped by Reset, which changes every account.
const allAccounts = "\x00all"

var (
	bucketMeta     = []byte("meta")
	bucketAccounts = []byte("accounts")
	bucketGlobal   = []byte("global")
	keySchema      = []byte("schema")
)

// Open opens (creating if needed) the database file at path, checks it and its schema
// version. A file another process holds is ErrLocked; a damaged one ErrDamaged. Open returns
// an error and never panics, also on files that make bbolt panic or fault (see guard).
func Open(path string, opts Options) (*DB, error) {
	if opts.Timeout == 0 {
		opts.Timeout = time.Second
	}
	if opts.CheckBudget == 0 {
		opts.CheckBudget = defaultCheckBudget
	}
	deadline := time.Now().Add(opts.CheckBudget)
	note, err := inspect(path, opts.Timeout, deadline)
	if err != nil {
		return nil, err
	}
	var b *bolt.DB
	if err := guard(path, func() (err error) {
		b, err = bolt.Open(path, 0o600, &bolt.Options{Timeout: opts.Timeout})
		return err
	}); err != nil {
		return nil, openError(path, err)
	}
	var upgraded []string
	if err := guard(path, func() error {
		// A current file needs no write: reading first spares a restart its commit (an fsync).
		var ok bool
		if err := b.View(func(tx *bolt.Tx) error { ok = current(tx); return nil }); err != nil || ok {
			return err
		}
		return b.Update(func(tx *bolt.Tx) (err error) { upgraded, err = initMeta(tx, opts.Region); return err })
	}); err != nil {
		b.Close()
		return nil, err
	}
	if note == "" {
		if note, err = verify(b, path, deadline); err != nil {
			b.Close()
			return nil, err
		}
	}
	return &DB{bolt: b, memos: newMemos(), checkNote: note, region: opts.Region, upgraded: upgraded}, nil
}

// initMeta creates the top buckets and writes the schema version into a new file, or migrates
// an older file to it.
func initMeta(tx *bolt.Tx, region string) ([]string, error) {
	meta, err := tx.CreateBucketIfNotExists(bucketMeta)
	if err != nil {
		return nil, err
	}
	for _, name := range [][]byte{bucketAccounts, bucketGlobal} {
		if _, err := tx.CreateBucketIfNotExists(name); err != nil {
			return nil, err
		}
	}
	v := meta.Get(keySchema)
	if v == nil {
		return nil, meta.Put(keySchema, []byte(fmt.Sprint(SchemaVersion)))
	}
	return migrate(tx, meta, string(v), region)
}

// current reports a file initMeta would leave unchanged: its top buckets exist and its schema
// version is this build's.
func current(tx *bolt.Tx) bool {
	meta := tx.Bucket(bucketMeta)
	if meta == nil || tx.Bucket(bucketAccounts) == nil || tx.Bucket(bucketGlobal) == nil {
		return false
	}
	return string(meta.Get(keySchema)) == fmt.Sprint(SchemaVersion)
}

// CheckNote is "" when Open checked the whole file, else why it did not (a file too large to
// check within Options.CheckBudget).
func (db *DB) CheckNote() string { return db.checkNote }

// Close closes the file.
func (db *DB) Close() error { return db.bolt.Close() }

// Update runs fn in a read-write transaction scoped to account. An error from fn rolls back.
func (db *DB) Update(account string, fn func(*Tx) error) error {
	return db.update(account, "", fn)
}

// View runs fn in a read-only transaction scoped to account.
func (db *DB) View(account string, fn func(*Tx) error) error {
	return db.view(account, "", fn)
}

func (db *DB) update(account, region string, fn func(*Tx) error) error {
	err := db.bolt.Update(func(btx *bolt.Tx) error {
		return fn(&Tx{btx: btx, memos: db.memos, account: account, region: region, writable: true})
	})
	if err == nil {
		db.gens.bump(account)
	}
	return err
}

func (db *DB) view(account, region string, fn func(*Tx) error) error {
	return db.bolt.View(func(btx *bolt.Tx) error {
		return fn(&Tx{btx: btx, memos: db.memos, account: account, region: region})
	})
}

// Reset deletes every account's state and the global indexes.
func (db *DB) Reset() error {
	return db.replaceState(func(*bolt.Tx) error { return nil })
}

// Check runs bbolt's consistency check; tests call it before closing.
func (db *DB) Check() error {
	return db.bolt.View(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			return err
		}
		return nil
	})
}

// Tx is one transaction on one account's state, and on one region's when it has a region.
type Tx struct {
	btx      *bolt.Tx
	memos    *memos // nil: every read decodes
	account  string
	region   string // "" in an account-wide transaction: regional tables refuse it
	writable bool
}

// Account is the account this transaction is scoped to.
func (tx *Tx) Account() string { return tx.account }

// bucket returns (creating on write) the nested bucket path under root. On a read-only
// transaction a missing bucket yields nil, which tables treat as empty.
func (tx *Tx) bucket(root []byte, path ...string) (*bolt.Bucket, error) {
	b := tx.btx.Bucket(root)
	for _, p := range path {
		if b == nil {
			return nil, nil
		}
		next := b.Bucket([]byte(p))
		if next == nil && tx.writable {
			var err error
			if next, err = b.CreateBucket([]byte(p)); err != nil {
				return nil, err
			}
		}
		b = next
	}
	return b, nil
}

// Table is a typed key/value collection inside one bucket. Keys are strings; values JSON.
// A table may keep indexes (index.go): its own writes maintain them.
type Table[T any] struct {
	tx      *Tx
	root    []byte
	path    []string
	indexes []index[T]
	memo    *decoded[T] // nil: Get decodes every record it reads
}

// AccountTable returns the table named name in the transaction's account.
func AccountTable[T any](tx *Tx, name string) Table[T] {
	return Table[T]{tx: tx, root: bucketAccounts, path: []string{tx.account, name}}
}

// GlobalTable returns a table shared by all accounts (indexes such as access key -> owner).
func GlobalTable[T any](tx *Tx, name string) Table[T] {
	return Table[T]{tx: tx, root: bucketGlobal, path: []string{name}}
}

// Get returns the record at key or ErrNotFound.
func (t Table[T]) Get(key string) (T, error) {
	var zero T
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil || b == nil {
		return zero, errors.Join(ErrNotFound, err)
	}
	raw := b.Get([]byte(key))
	if raw == nil {
		return zero, ErrNotFound
	}
	if t.memo != nil {
		if v, ok := t.memo.get(raw); ok {
			return v, nil
		}
	}
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		return zero, fmt.Errorf("storage: decode %s/%s: %w", strings.Join(t.path, "/"), key, err)
	}
	if t.memo != nil {
		t.memo.put(raw, v)
	}
	return v, nil
}

// Has reports whether key exists.
func (t Table[T]) Has(key string) bool {
	b, _ := t.tx.bucket(t.root, t.path...)
	return b != nil && b.Get([]byte(key)) != nil
}

// Put writes the record at key, replacing any.
func (t Table[T]) Put(key string, v T) error {
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil {
		return err
	}
	if b == nil {
		return errors.New("storage: write in a read-only transaction")
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := t.reindex(b, key, &v); err != nil {
		return err
	}
	return b.Put([]byte(key), raw)
}

// Insert writes the record only if key is free, else ErrExists.
func (t Table[T]) Insert(key string, v T) error {
	if t.Has(key) {
		return ErrExists
	}
	return t.Put(key, v)
}

// Delete removes key; ErrNotFound if it was absent.
func (t Table[T]) Delete(key string) error {
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil {
		return err
	}
	if b == nil || b.Get([]byte(key)) == nil {
		return ErrNotFound
	}
	if err := t.reindex(b, key, nil); err != nil {
		return err
	}
	return b.Delete([]byte(key))
}

// Scan calls fn for every record whose key starts with prefix, in key order. Keys to delete must
// be collected and deleted after the scan (bbolt forbids deleting under a cursor).
func (t Table[T]) Scan(prefix string, fn func(key string, v T) error) error {
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil || b == nil {
		return err
	}
	c := b.Cursor()
	p := []byte(prefix)
	for k, raw := c.Seek(p); k != nil && strings.HasPrefix(string(k), prefix); k, raw = c.Next() {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("storage: decode %s/%s: %w", strings.Join(t.path, "/"), k, err)
		}
		if err := fn(string(k), v); err != nil {
			return err
		}
	}
	return nil
}

// Keys returns the keys under prefix.
func (t Table[T]) Keys(prefix string) ([]string, error) {
	var out []string
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil || b == nil {
		return nil, err
	}
	c := b.Cursor()
	for k, _ := c.Seek([]byte(prefix)); k != nil && strings.HasPrefix(string(k), prefix); k, _ = c.Next() {
		out = append(out, string(k))
	}
	return out, nil
}

// Count returns how many keys lie under prefix, decoding nothing.
func (t Table[T]) Count(prefix string) int {
	b, _ := t.tx.bucket(t.root, t.path...)
	if b == nil {
		return 0
	}
	n, p := 0, []byte(prefix)
	c := b.Cursor()
	for k, _ := c.Seek(p); k != nil && bytes.HasPrefix(k, p); k, _ = c.Next() {
		n++
	}
	return n
}

// DeletePrefix removes every key under prefix.
func (t Table[T]) DeletePrefix(prefix string) error {
	keys, err := t.Keys(prefix)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if err := t.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// NextSequence returns the next value of the table's bucket sequence (1, 2, ...).
func (t Table[T]) NextSequence() (uint64, error) {
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil {
		return 0, err
	}
	if b == nil {
		return 0, errors.New("storage: write in a read-only transaction")
	}
	return b.NextSequence()
}
