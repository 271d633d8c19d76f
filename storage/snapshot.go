package storage

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Snapshots and restores of the whole database, for fixtures. A Snapshot copies every bucket
// but meta (the tables of every account and region and the global indexes, present and
// future: nothing here names a table) into memory in one read transaction, so it is a
// consistent state whatever writes are in flight; Restore replaces the database's buckets with
// the copy in one write transaction, so requests see the old state or the new, never a mix.
// Bucket sequences (function and layer version numbers) are copied with the records.
// statefile.go writes a Snapshot as the documented JSON state file and reads it back.

// Snapshot is a copy of a database's state, taken by DB.Snapshot or read from a state file.
// It is immutable: one snapshot may be restored any number of times, concurrently.
type Snapshot struct {
	schema int          // the data format version its records are in
	top    []bucketCopy // the top-level buckets but meta, in key order
	bytes  int64        // keys and values
}

// bucketCopy is one bucket: its sequence, its values and its nested buckets, in key order.
type bucketCopy struct {
	name     string
	sequence uint64
	pairs    []pair
	children []bucketCopy
}

type pair struct{ key, value []byte }

// Bytes is the size of the snapshot's keys and values.
func (s *Snapshot) Bytes() int64 { return s.bytes }

// Snapshot copies the database's state.
func (db *DB) Snapshot() (*Snapshot, error) {
	snap := &Snapshot{schema: SchemaVersion}
	err := db.bolt.View(func(btx *bolt.Tx) error {
		return btx.ForEach(func(name []byte, b *bolt.Bucket) error {
			if string(name) == string(bucketMeta) {
				return nil
			}
			c, err := copyBucket(string(name), b, &snap.bytes)
			snap.top = append(snap.top, c)
			return err
		})
	})
	if err != nil {
		return nil, err
	}
	return snap, nil
}

// copyBucket copies b and everything under it; bbolt's slices are valid only inside the
// transaction, so keys and values are copied into one buffer per bucket.
func copyBucket(name string, b *bolt.Bucket, size *int64) (bucketCopy, error) {
	out := bucketCopy{name: name, sequence: b.Sequence()}
	var nested [][]byte
	var buf []byte
	type span struct{ k0, k1, v1 int }
	var spans []span
	c := b.Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if v == nil && b.Bucket(k) != nil {
			nested = append(nested, append([]byte(nil), k...))
			continue
		}
		k0 := len(buf)
		buf = append(buf, k...)
		k1 := len(buf)
		buf = append(buf, v...)
		spans = append(spans, span{k0, k1, len(buf)})
	}
	*size += int64(len(buf))
	out.pairs = make([]pair, len(spans))
	for i, s := range spans {
		out.pairs[i] = pair{key: buf[s.k0:s.k1:s.k1], value: buf[s.k1:s.v1:s.v1]}
	}
	for _, k := range nested {
		child, err := copyBucket(string(k), b.Bucket(k), size)
		if err != nil {
			return out, err
		}
		out.children = append(out.children, child)
	}
	return out, nil
}

// Restore replaces the database's state with the snapshot's: every bucket but meta is dropped
// and the snapshot's written in their place, in one transaction. A snapshot of an older data
// format (a state file written by an older build) is upgraded first, as Open upgrades a file.
// Like Reset it counts as a write of every account (Generation), so what callers derived from
// the state before is seen to be stale.
func (db *DB) Restore(s *Snapshot) error {
	if s == nil {
		return errors.New("storage: restore of no snapshot")
	}
	if s.schema < 1 || s.schema > SchemaVersion {
		return fmt.Errorf("storage: state in data format version %d, this build reads %d", s.schema, SchemaVersion)
	}
	if s.schema < SchemaVersion {
		up, err := s.upgrade(db.region)
		if err != nil {
			return err
		}
		s = up
	}
	return db.replaceState(func(btx *bolt.Tx) error {
		for _, c := range s.top {
			if err := writeBucket(btx, nil, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// upgrade returns the snapshot brought up to SchemaVersion. The migrations run on a scratch
// database holding the snapshot as committed state, not in Restore's transaction: bbolt's
// MoveBucket, which the upgrade to version 3 uses, loses the writes made to a bucket in the
// transaction that moves it.
func (s *Snapshot) upgrade(region string) (*Snapshot, error) {
	dir, err := os.MkdirTemp("", "iamlocal-upgrade-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	b, err := bolt.Open(filepath.Join(dir, "state.db"), 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		return nil, err
	}
	defer b.Close()
	err = b.Update(func(btx *bolt.Tx) error {
		meta, err := btx.CreateBucket(bucketMeta)
		if err != nil {
			return err
		}
		if err := meta.Put(keySchema, []byte(fmt.Sprint(s.schema))); err != nil {
			return err
		}
		for _, c := range s.top {
			if err := writeBucket(btx, nil, c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if err := b.Update(func(btx *bolt.Tx) error { _, err := initMeta(btx, region); return err }); err != nil {
		return nil, err
	}
	return (&DB{bolt: b}).Snapshot()
}

// replaceState drops every bucket but meta, runs fill and makes sure the top buckets exist,
// in one write transaction; the generation of every account moves on once it has committed.
func (db *DB) replaceState(fill func(btx *bolt.Tx) error) error {
	defer db.gens.bump(allAccounts)
	return db.bolt.Update(func(btx *bolt.Tx) error {
		var names [][]byte
		err := btx.ForEach(func(name []byte, _ *bolt.Bucket) error {
			if string(name) != string(bucketMeta) {
				names = append(names, append([]byte(nil), name...))
			}
			return nil
		})
		if err != nil {
			return err
		}
		for _, name := range names { // collected first: bbolt forbids deleting under ForEach
			if err := btx.DeleteBucket(name); err != nil {
				return err
			}
		}
		if err := fill(btx); err != nil {
			return err
		}
		for _, name := range [][]byte{bucketAccounts, bucketGlobal} {
			if _, err := btx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		return nil
	})
}

// writeBucket creates c under parent (nil: at the top) with its sequence, values and children.
func writeBucket(btx *bolt.Tx, parent *bolt.Bucket, c bucketCopy) error {
	var b *bolt.Bucket
	var err error
	if parent == nil {
		if c.name == string(bucketMeta) {
			return errors.New("storage: a snapshot may not hold the meta bucket")
		}
		b, err = btx.CreateBucket([]byte(c.name))
	} else {
		b, err = parent.CreateBucket([]byte(c.name))
	}
	if err != nil {
		return fmt.Errorf("storage: restore bucket %q: %w", c.name, err)
	}
	if err := b.SetSequence(c.sequence); err != nil {
		return err
	}
	// Values arrive in key order: a full page per split keeps the file as compact as the
	// one the snapshot was taken from, and the write short.
	b.FillPercent = 0.9
	for _, p := range c.pairs {
		if err := b.Put(p.key, p.value); err != nil {
			return fmt.Errorf("storage: restore %q in bucket %q: %w", p.key, c.name, err)
		}
	}
	for _, child := range c.children {
		if err := writeBucket(btx, b, child); err != nil {
			return err
		}
	}
	return nil
}

// TableInfo is one bucket of a snapshot: its path from the top and how many values it holds.
type TableInfo struct {
	Path   []string
	Values int
}

// Tables lists the snapshot's buckets, parents before children, in key order.
func (s *Snapshot) Tables() []TableInfo {
	var out []TableInfo
	var walk func(path []string, c bucketCopy)
	walk = func(path []string, c bucketCopy) {
		path = append(slices.Clip(path), c.name)
		out = append(out, TableInfo{Path: path, Values: len(c.pairs)})
		for _, child := range c.children {
			walk(path, child)
		}
	}
	for _, c := range s.top {
		walk(nil, c)
	}
	return out
}
