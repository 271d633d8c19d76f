package storage_test

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const (
	acct   = "111111111111"
	region = "eu-west-1"
)

// populate writes records of several kinds: indexed IAM tables, a global index, regional
// Lambda tables with a version sequence, and a raw deployment package.
func populate(t testing.TB, db *storage.DB, users int) {
	t.Helper()
	created := time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)
	err := db.UpdateRegion(acct, region, func(tx *storage.Tx) error {
		for i := range users {
			name := fmt.Sprintf("User%03d", i)
			u := storage.UserRecord{V: 1, Name: name, ID: fmt.Sprintf("AIDA%016d", i), Path: "/", Created: created,
				Boundary: "arn:aws:iam::111111111111:policy/bound", Tags: []storage.Tag{{Key: "team", Value: "<a&b>"}}}
			if err := storage.Users(tx).Put(storage.Key(name), u); err != nil {
				return err
			}
			key := storage.AccessKeyRecord{V: 1, AccessKeyID: fmt.Sprintf("AKIA%016d", i), Secret: "s3cr3t", Account: acct,
				UserName: name, Status: "Active", Created: created}
			if err := storage.AccessKeys(tx).Put(key.AccessKeyID, key); err != nil {
				return err
			}
		}
		if err := storage.LambdaFunctions(tx).Put("fn", storage.LambdaFunctionRecord{V: 1, Name: "fn", Created: created}); err != nil {
			return err
		}
		for range 3 {
			if _, err := storage.LambdaVersions(tx, "fn").NextSequence(); err != nil {
				return err
			}
		}
		if err := storage.LambdaVersions(tx, "fn").Put("$LATEST", storage.LambdaVersionRecord{V: 1, Version: "$LATEST", CodeKey: "abc"}); err != nil {
			return err
		}
		return storage.PutLambdaCode(tx, "abc", []byte("PK\x03\x04 not json"))
	})
	if err != nil {
		t.Fatal(err)
	}
}

// dump is the database's state file.
func dump(t testing.TB, db *storage.DB) []byte {
	t.Helper()
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := snap.WriteJSON(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A restored snapshot is the state it was taken of: records, indexes, sequences, raw values;
// what was written after it is gone; and it can be restored again.
func TestSnapshotRestore(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	populate(t, db, 3)
	before := dump(t, db)
	snap, err := db.Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	gen := db.Generation(acct)
	for round := range 2 {
		err = db.UpdateRegion(acct, region, func(tx *storage.Tx) error {
			if err := storage.Users(tx).Delete("user001"); err != nil {
				return err
			}
			if _, err := storage.LambdaVersions(tx, "fn").NextSequence(); err != nil {
				return err
			}
			return storage.Groups(tx).Put("later", storage.GroupRecord{V: 1, Name: "later"})
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Restore(snap); err != nil {
			t.Fatal(err)
		}
		if after := dump(t, db); !bytes.Equal(after, before) {
			t.Fatalf("round %d: state after restore differs:\n%s\nwant\n%s", round, after, before)
		}
	}
	if db.Generation(acct) <= gen+2 {
		t.Errorf("Generation = %d after writes and restores from %d: a restore must count as a write", db.Generation(acct), gen)
	}
	err = db.UpdateRegion(acct, region, func(tx *storage.Tx) error {
		if n, err := storage.LambdaVersions(tx, "fn").NextSequence(); err != nil || n != 4 {
			t.Errorf("NextSequence after restore = %d, %v; want 4 (the sequence is restored)", n, err)
		}
		if got := storage.UserScope(tx, "User002").AccessKeys().Count(); got != 1 {
			t.Errorf("access keys of User002 through the owner index = %d, want 1", got)
		}
		zip, err := storage.LambdaCode(tx, "abc")
		if err != nil || string(zip) != "PK\x03\x04 not json" {
			t.Errorf("LambdaCode = %q, %v", zip, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A state file read back restores to the same bytes in another database, and the same state
// always writes the same file.
func TestStateFileRoundTrip(t *testing.T) {
	t.Parallel()
	src := storagetest.Open(t)
	populate(t, src, 5)
	file := dump(t, src)
	if again := dump(t, src); !bytes.Equal(again, file) {
		t.Fatal("two exports of one state differ")
	}
	for _, want := range []string{`"format": "iamlocal-state"`, `"version": 1`, `"secrets": "This file holds secrets`,
		`"accounts/111111111111/iam.users"`, `"accounts/111111111111/regions/eu-west-1/lambda.fn/fn/versions"`,
		`"sequence": 3`, `"global/accesskeys"`, `"secret": "s3cr3t"`, `"raw"`} {
		if !bytes.Contains(file, []byte(want)) {
			t.Errorf("state file lacks %s", want)
		}
	}
	restoreState(t, file)
}

// restoreState reads a state file into a new database, which must write the same file back.
func restoreState(t *testing.T, file []byte) *storage.DB {
	t.Helper()
	snap, err := storage.ReadState(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	dst := storagetest.Open(t)
	if err := dst.Restore(snap); err != nil {
		t.Fatal(err)
	}
	if got := dump(t, dst); !bytes.Equal(got, file) {
		t.Errorf("restored state file differs:\n%s\nwant\n%s", got, file)
	}
	return dst
}

// stateHolds dumps db's state and checks that it names each table.
func stateHolds(t *testing.T, db *storage.DB, tables ...string) []byte {
	t.Helper()
	file := dump(t, db)
	for _, want := range tables {
		if !bytes.Contains(file, []byte(`"accounts/111111111111/`+want+`"`)) {
			t.Errorf("state file lacks %s", want)
		}
	}
	return file
}

func TestReadStateRefuses(t *testing.T) {
	t.Parallel()
	head := `"format":"iamlocal-state","version":1,"schema":3`
	cases := []struct {
		name, doc, want string
	}{
		{"not JSON", `PK\x03`, "invalid character"},
		{"other format", `{"format":"moto","version":1,"schema":3,"tables":{}}`, `"format" is "moto"`},
		{"newer version", `{"format":"iamlocal-state","version":2,"schema":3,"tables":{}}`, `"version" is 2`},
		{"newer schema", `{"format":"iamlocal-state","version":1,"schema":99,"tables":{}}`, `"schema" (data format version) is 99`},
		{"misspelt field", `{` + head + `,"tabels":{}}`, `unknown field "tabels"`},
		{"meta", `{` + head + `,"tables":{"meta":{}}}`, "meta bucket"},
		{"empty segment", `{` + head + `,"tables":{"accounts//x":{}}}`, "empty bucket name"},
		{"bad escape", `{` + head + `,"tables":{"accounts/a%41":{}}}`, "bad escape"},
		{"key twice", `{` + head + `,"tables":{"global/x":{"records":{"k":1},"raw":{"k":""}}}}`, "both a record and raw"},
		{"two documents", `{` + head + `,"tables":{}} {}`, "more than one"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := storage.ReadState(strings.NewReader(tc.doc))
			if !errors.Is(err, storage.ErrStateFile) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("ReadState = %v, want ErrStateFile saying %q", err, tc.want)
			}
		})
	}
}

// Bucket names with "/" or "%" survive the path form; records keep their bytes, HTML
// escapes included; an empty bucket and an empty raw value are kept.
func TestStateFileEscapes(t *testing.T) {
	t.Parallel()
	doc := `{"format":"iamlocal-state","version":1,"schema":3,"tables":{
		"accounts/111111111111/logs%2Fa%25b": {"records": {"k\u0000x": {"v": 1, "doc": "\u003ctag\u003e"}}},
		"accounts/111111111111/empty": {},
		"global/blobs": {"raw": {"none": ""}}
	}}`
	snap, err := storage.ReadState(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	db := storagetest.Open(t)
	if err := db.Restore(snap); err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, tb := range snap.Tables() {
		got[strings.Join(tb.Path, "|")] = tb.Values
	}
	for path, n := range map[string]int{"accounts|111111111111|logs/a%b": 1, "accounts|111111111111|empty": 0, "global|blobs": 1} {
		if got[path] != n {
			t.Errorf("table %s holds %d values, want %d (tables %v)", path, got[path], n, got)
		}
	}
	out := dump(t, db)
	for _, want := range []string{`"accounts/111111111111/logs%2Fa%25b"`, `"k\u0000x"`, `"\u003ctag\u003e"`,
		`"accounts/111111111111/empty": {}`, `"none": ""`} {
		if !bytes.Contains(out, []byte(want)) {
			t.Errorf("re-export lacks %s:\n%s", want, out)
		}
	}
}

// A state file of data format version 2 (Lambda state account-wide) is upgraded as it is
// restored, as Open upgrades such a file: its function lands in the database's region.
func TestRestoreUpgradesOlderSchema(t *testing.T) {
	t.Parallel()
	doc := `{"format":"iamlocal-state","version":1,"schema":2,"tables":{
		"accounts/111111111111/lambda.functions": {"records": {"old": {"v": 1, "name": "old", "created": "2023-01-01T00:00:00Z"}}},
		"global": {}
	}}`
	snap, err := storage.ReadState(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	db, err := storage.Open(filepath.Join(t.TempDir(), "iamlocal.db"), storage.Options{Region: region})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Restore(snap); err != nil {
		t.Fatal(err)
	}
	err = db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		if !storage.LambdaFunctions(tx).Has("old") {
			t.Errorf("function of a version-2 state file not moved into %s", region)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Reset, which shares Restore's replacement of the buckets, still leaves empty top buckets.
func TestResetAfterRestore(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	populate(t, db, 2)
	if err := db.Reset(); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"format\": \"iamlocal-state\",\n  \"version\": 1,\n  \"schema\": 3,\n  \"secrets\": \"This file holds secrets: access key secrets, temporary credentials, signing keys and MFA seeds. Keep it as you keep credentials.\",\n  \"tables\": {\n    \"accounts\": {},\n    \"global\": {}\n  }\n}\n"
	if got := string(dump(t, db)); got != want {
		t.Errorf("state after Reset =\n%s\nwant\n%s", got, want)
	}
}

// Restoring ~300 entities (100 users with an access key each, so 200 records and their
// indexes, plus a function) must take milliseconds: fixtures restore between tests.
func BenchmarkRestore300(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "iamlocal.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	populate(b, db, 150)
	snap, err := db.Snapshot()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(snap.Bytes()), "state-bytes")
	for b.Loop() {
		if err := db.Restore(snap); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSnapshot300(b *testing.B) {
	db, err := storage.Open(filepath.Join(b.TempDir(), "iamlocal.db"), storage.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	populate(b, db, 150)
	for b.Loop() {
		if _, err := db.Snapshot(); err != nil {
			b.Fatal(err)
		}
	}
}
