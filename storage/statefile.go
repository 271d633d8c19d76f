package storage

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// The state file (docs/state-format.md): a Snapshot as JSON, one entry per bucket, named by
// its path ("accounts/123456789012/iam.users"), holding the records as the tables store them.
// The trade-off: the file follows the storage layout rather than the API's shapes, so it is
// complete for every table, present and future, with no per-table code, and restores exactly
// (ids, secrets, sequences, creation dates); in exchange it is tied to the data format
// version (its "schema"), which Restore upgrades from older builds' files but never
// downgrades. Records are written as JSON, keys sorted, so the same state gives the same
// bytes and a diff of two exports reads as the change of state.

// StateFormat and StateVersion head every state file.
const (
	StateFormat  = "iamlocal-state"
	StateVersion = 1
)

// stateSecrets is the file's warning, written into it so it travels with the file.
const stateSecrets = "This file holds secrets: access key secrets, temporary credentials, signing keys and MFA seeds. Keep it as you keep credentials."

type stateFile struct {
	Format  string                `json:"format"`
	Version int                   `json:"version"`
	Schema  int                   `json:"schema"`
	Secrets string                `json:"secrets,omitempty"`
	Tables  map[string]stateTable `json:"tables"`
}

// stateTable is one bucket. Records are values that are JSON (every table's records); raw are
// the other values, base64 (deployment packages).
type stateTable struct {
	Sequence uint64                     `json:"sequence,omitempty"`
	Records  map[string]json.RawMessage `json:"records,omitempty"`
	Raw      map[string][]byte          `json:"raw,omitempty"`
}

// WriteJSON writes the snapshot as a state file, indented, keys sorted.
func (s *Snapshot) WriteJSON(w io.Writer) error {
	doc := stateFile{Format: StateFormat, Version: StateVersion, Schema: s.schema, Secrets: stateSecrets,
		Tables: map[string]stateTable{}}
	for _, c := range s.top {
		if err := addTables(doc.Tables, "", c); err != nil {
			return err
		}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	// Records keep the bytes they were stored with: json.Marshal already escaped them, and
	// escaping again here would change them.
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}

// addTables adds the entry of c (whose parent's path is parent) and of its descendants. A
// bucket that only holds buckets is implied by their paths and has no entry of its own.
func addTables(tables map[string]stateTable, parent string, c bucketCopy) error {
	if !utf8.ValidString(c.name) {
		return fmt.Errorf("storage: bucket name %q under %q is not UTF-8 and cannot be written to a state file", c.name, parent)
	}
	path := escapeSegment(c.name)
	if parent != "" {
		path = parent + "/" + path
	}
	if c.sequence != 0 || len(c.pairs) > 0 || len(c.children) == 0 {
		t := stateTable{Sequence: c.sequence}
		for _, p := range c.pairs {
			if !utf8.Valid(p.key) {
				return fmt.Errorf("storage: key %q in %s is not UTF-8 and cannot be written to a state file", p.key, path)
			}
			if isCompactJSON(p.value) {
				if t.Records == nil {
					t.Records = map[string]json.RawMessage{}
				}
				t.Records[string(p.key)] = p.value
				continue
			}
			if t.Raw == nil {
				t.Raw = map[string][]byte{}
			}
			t.Raw[string(p.key)] = p.value
		}
		tables[path] = t
	}
	for _, child := range c.children {
		if err := addTables(tables, path, child); err != nil {
			return err
		}
	}
	return nil
}

// isCompactJSON reports a value that reads back byte for byte from its JSON form: valid UTF-8
// JSON with no insignificant space (what json.Marshal writes).
func isCompactJSON(v []byte) bool {
	if len(v) == 0 || !utf8.Valid(v) || !json.Valid(v) {
		return false
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, v); err != nil {
		return false
	}
	return bytes.Equal(buf.Bytes(), v)
}

// A path's segments are bucket names, which may hold "/" (none does yet): it and "%" are
// percent-escaped.
func escapeSegment(name string) string {
	return strings.NewReplacer("%", "%25", "/", "%2F").Replace(name)
}

func unescapeSegment(seg string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(seg); i++ {
		if seg[i] != '%' {
			b.WriteByte(seg[i])
			continue
		}
		switch strings.ToUpper(seg[i+1 : min(i+3, len(seg))]) {
		case "25":
			b.WriteByte('%')
		case "2F":
			b.WriteByte('/')
		default:
			return "", fmt.Errorf("bad escape in %q: only %%25 and %%2F are used", seg)
		}
		i += 2
	}
	return b.String(), nil
}

// ErrStateFile marks a state file that cannot be read: not one, another version, malformed.
var ErrStateFile = errors.New("storage: not a readable state file")

// ReadState reads a state file into a snapshot for Restore.
func ReadState(r io.Reader) (*Snapshot, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields() // a misspelt field in a hand-edited file is an error, not lost
	var doc stateFile
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrStateFile, err)
	}
	if dec.More() {
		return nil, fmt.Errorf("%w: more than one JSON document", ErrStateFile)
	}
	switch {
	case doc.Format != StateFormat:
		return nil, fmt.Errorf("%w: \"format\" is %q, want %q", ErrStateFile, doc.Format, StateFormat)
	case doc.Version != StateVersion:
		return nil, fmt.Errorf("%w: \"version\" is %d, this build reads %d", ErrStateFile, doc.Version, StateVersion)
	case doc.Schema < 1 || doc.Schema > SchemaVersion:
		return nil, fmt.Errorf("%w: \"schema\" (data format version) is %d, this build reads 1 to %d", ErrStateFile, doc.Schema, SchemaVersion)
	}
	root := &bucketCopy{}
	snap := &Snapshot{schema: doc.Schema}
	for path, t := range doc.Tables {
		if err := addFromTable(root, path, t, &snap.bytes); err != nil {
			return nil, fmt.Errorf("%w: table %q: %v", ErrStateFile, path, err)
		}
	}
	sortTree(root)
	snap.top = root.children
	return snap, nil
}

// addFromTable puts table t at path into the tree under root, creating the buckets on the way.
func addFromTable(root *bucketCopy, path string, t stateTable, size *int64) error {
	segs := strings.Split(path, "/")
	node := root
	for _, seg := range segs {
		name, err := unescapeSegment(seg)
		if err != nil {
			return err
		}
		if name == "" {
			return errors.New("empty bucket name")
		}
		i := slices.IndexFunc(node.children, func(c bucketCopy) bool { return c.name == name })
		if i < 0 {
			node.children = append(node.children, bucketCopy{name: name})
			i = len(node.children) - 1
		}
		node = &node.children[i]
	}
	if segs[0] == string(bucketMeta) {
		return errors.New("the meta bucket is not state")
	}
	node.sequence = t.Sequence
	for k, v := range t.Records {
		if _, dup := t.Raw[k]; dup {
			return fmt.Errorf("key %q is both a record and raw", k)
		}
		var buf bytes.Buffer
		if err := json.Compact(&buf, v); err != nil {
			return fmt.Errorf("record %q: %v", k, err)
		}
		node.pairs = append(node.pairs, pair{key: []byte(k), value: buf.Bytes()})
		*size += int64(len(k) + buf.Len())
	}
	for k, v := range t.Raw {
		if v == nil {
			v = []byte{} // "" in the file: an empty value, which bbolt keeps (nil would not be)
		}
		node.pairs = append(node.pairs, pair{key: []byte(k), value: v})
		*size += int64(len(k) + len(v))
	}
	return nil
}

// sortTree puts values and buckets in key order, as a Snapshot taken from a database has them.
func sortTree(c *bucketCopy) {
	slices.SortFunc(c.pairs, func(a, b pair) int { return bytes.Compare(a.key, b.key) })
	slices.SortFunc(c.children, func(a, b bucketCopy) int { return strings.Compare(a.name, b.name) })
	for i := range c.children {
		sortTree(&c.children[i])
	}
}
