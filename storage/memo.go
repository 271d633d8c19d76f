package storage

import (
	"slices"
	"sync"
)

// memos are the records of the types read on every request, as decoded from their stored
// bytes: the same bytes decode to the same record, so a read that finds bytes it has decoded
// before takes the record from here instead of decoding the JSON again. Being keyed by the
// bytes themselves, an entry can never be stale; a record that changes is new bytes.
type memos struct {
	users decoded[UserRecord] // GetUser and every signed request of an IAM user read one
}

func newMemos() *memos {
	return &memos{users: decoded[UserRecord]{clone: func(u UserRecord) UserRecord {
		u.Tags = slices.Clone(u.Tags)
		return u
	}}}
}

// decoded maps stored bytes to the record they decode to. clone copies what a caller could
// change in place (slices), so that neither the caller nor the memo sees the other's changes.
type decoded[T any] struct {
	mu    sync.Mutex
	m     map[string]T
	clone func(T) T
}

// maxDecoded bounds a memo; a full one starts over.
const maxDecoded = 1024

func (d *decoded[T]) get(raw []byte) (T, bool) {
	d.mu.Lock()
	v, ok := d.m[string(raw)]
	d.mu.Unlock()
	if ok {
		v = d.clone(v)
	}
	return v, ok
}

func (d *decoded[T]) put(raw []byte, v T) {
	v = d.clone(v)
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.m == nil || len(d.m) >= maxDecoded {
		d.m = make(map[string]T)
	}
	d.m[string(raw)] = v
}
