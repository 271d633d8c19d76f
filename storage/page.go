package storage

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// Row is one record of a page with its key, less the prefix the page was read under.
type Row[T any] struct {
	Key   string
	Value T
}

// Page is one page of records in key order. When Truncated, Next is the key (less the prefix)
// of the first record the page left out, for the caller's marker.
type Page[T any] struct {
	Rows      []Row[T]
	Truncated bool
	Next      string
}

// Values are the page's records without their keys.
func (p Page[T]) Values() []T {
	out := make([]T, 0, len(p.Rows))
	for _, r := range p.Rows {
		out = append(out, r.Value)
	}
	return out
}

// Page reads the records under prefix whose keys are prefix+from or later, in key order, and
// returns the first limit that keep accepts (nil keeps every record). The cursor seeks to
// prefix+from and decodes only up to the first limit+1 records kept, so a list page costs what
// it returns whatever the table's size (records keep refuses are decoded too: a filter needs
// their values).
func (t Table[T]) Page(prefix, from string, limit int, keep func(key string, v T) (bool, error)) (Page[T], error) {
	return collectPage(limit, keep, func(fn func(string, T) (bool, error)) error { return t.Walk(prefix, from, fn) })
}

// collectPage keeps the first limit records that walk yields and keep accepts, and stops at the
// next one, whose key becomes the page's Next.
func collectPage[T any](limit int, keep func(string, T) (bool, error), walk func(func(string, T) (bool, error)) error) (Page[T], error) {
	var out Page[T]
	err := walk(func(key string, v T) (bool, error) {
		if keep != nil {
			if ok, err := keep(key, v); err != nil || !ok {
				return err == nil, err
			}
		}
		if len(out.Rows) == limit {
			out.Truncated, out.Next = true, key
			return false, nil
		}
		out.Rows = append(out.Rows, Row[T]{Key: key, Value: v})
		return true, nil
	})
	return out, err
}

// Walk calls fn for the records under prefix from prefix+from on, in key order, with their keys
// less the prefix, until fn answers false or an error. Records are decoded one at a time, inside
// the transaction; fn must not write to the table (bbolt forbids writes under a cursor).
func (t Table[T]) Walk(prefix, from string, fn func(key string, v T) (bool, error)) error {
	b, err := t.tx.bucket(t.root, t.path...)
	if err != nil || b == nil {
		return err
	}
	p := []byte(prefix)
	c := b.Cursor()
	for k, raw := c.Seek([]byte(prefix + from)); k != nil && bytes.HasPrefix(k, p); k, raw = c.Next() {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("storage: decode %s/%s: %w", strings.Join(t.path, "/"), k, err)
		}
		if more, err := fn(string(k[len(p):]), v); err != nil || !more {
			return err
		}
	}
	return nil
}
