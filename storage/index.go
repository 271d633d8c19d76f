package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"

	bolt "go.etcd.io/bbolt"
)

// Indexes. Some questions cannot be answered in the key order of the table that holds the
// records: which users a policy bounds, which access keys a user owns, the account's policies in
// ARN order. An index is a second table whose keys answer the question in key order; its records
// name the primary key. The primary table keeps it: Put and Delete compare the index keys of
// the record before and after and write the difference, so no caller can forget an index, and
// records written by tests or by other packages are indexed too.

// IndexRecord is one index entry: the key of the indexed record in its own table.
type IndexRecord struct {
	V   int    `json:"v"`
	Key string `json:"key"`
}

// index derives entries from a table's records: keys(key, v) are the index keys of the record
// stored at key, in the table at(tx, v) (the record's own account for a global table).
type index[T any] struct {
	at   func(tx *Tx, v T) Table[IndexRecord]
	keys func(key string, v T) []string
}

// accountIndex is an index kept in the transaction's account.
func accountIndex[T any](bucket string, keys func(key string, v T) []string) index[T] {
	return index[T]{at: func(tx *Tx, _ T) Table[IndexRecord] { return AccountTable[IndexRecord](tx, bucket) }, keys: keys}
}

// reindex updates the table's indexes for the record at key becoming next (nil: deleted). b is
// the table's bucket, which holds the record as it was.
func (t Table[T]) reindex(b *bolt.Bucket, key string, next *T) error {
	if len(t.indexes) == 0 {
		return nil
	}
	var prev *T
	if raw := b.Get([]byte(key)); raw != nil {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		prev = &v
	}
	for _, ix := range t.indexes {
		if err := ix.update(t.tx, key, prev, next); err != nil {
			return err
		}
	}
	return nil
}

func (ix index[T]) update(tx *Tx, key string, prev, next *T) error {
	var oldKeys, newKeys []string
	var oldAt, newAt Table[IndexRecord]
	if prev != nil {
		oldKeys, oldAt = ix.keys(key, *prev), ix.at(tx, *prev)
	}
	if next != nil {
		newKeys, newAt = ix.keys(key, *next), ix.at(tx, *next)
	}
	moved := prev != nil && next != nil && !oldAt.same(newAt)
	for _, k := range oldKeys {
		if moved || !slices.Contains(newKeys, k) {
			if err := oldAt.Delete(k); err != nil && !errors.Is(err, ErrNotFound) {
				return err
			}
		}
	}
	for _, k := range newKeys {
		if moved || !slices.Contains(oldKeys, k) {
			if err := newAt.Put(k, IndexRecord{V: 1, Key: key}); err != nil {
				return err
			}
		}
	}
	return nil
}

// same reports whether two tables are one bucket.
func (t Table[T]) same(o Table[T]) bool {
	return bytes.Equal(t.root, o.root) && slices.Equal(t.path, o.path)
}

// rebuildIndexes writes the index entries of every record of the table (migration.go).
func (t Table[T]) rebuildIndexes() error {
	type kv struct {
		k string
		v T
	}
	var all []kv
	read := t // a read-only view: scanning creates no bucket the account never had
	read.tx = &Tx{btx: t.tx.btx, memos: t.tx.memos, account: t.tx.account}
	if err := read.Scan("", func(k string, v T) error { all = append(all, kv{k, v}); return nil }); err != nil {
		return err
	}
	for _, e := range all {
		for _, ix := range t.indexes {
			if err := ix.update(t.tx, e.k, nil, &e.v); err != nil {
				return err
			}
		}
	}
	return nil
}

// Indexed reads a table through an index: in the index's key order, under one prefix of it,
// each entry resolved to its record.
type Indexed[T any] struct {
	index   Table[IndexRecord]
	prefix  string
	primary Table[T]
}

// Walk calls fn with the records from index key prefix+from on (keys less the prefix) until fn
// answers false. An entry whose record is gone is passed over.
func (x Indexed[T]) Walk(from string, fn func(key string, v T) (bool, error)) error {
	return x.index.Walk(x.prefix, from, func(key string, e IndexRecord) (bool, error) {
		v, err := x.primary.Get(e.Key)
		if errors.Is(err, ErrNotFound) {
			return true, nil
		}
		if err != nil {
			return false, err
		}
		return fn(key, v)
	})
}

// Page is Table.Page through the index: it reads only the entries and records of one page.
func (x Indexed[T]) Page(from string, limit int, keep func(key string, v T) (bool, error)) (Page[T], error) {
	return collectPage(limit, keep, func(fn func(string, T) (bool, error)) error { return x.Walk(from, fn) })
}

// List returns every record under the prefix, in index order.
func (x Indexed[T]) List() ([]T, error) {
	var out []T
	err := x.Walk("", func(_ string, v T) (bool, error) { out = append(out, v); return true, nil })
	return out, err
}

// Count is the number of index entries under the prefix.
func (x Indexed[T]) Count() int { return x.index.Count(x.prefix) }
