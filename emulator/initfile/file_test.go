package initfile

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// A policy document in YAML becomes the JSON it reads as, scalars as written: the policy
// grammar's dates stay strings, numbers and booleans keep their JSON types, keys their order.
func TestDocumentFromYAML(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, yaml, want string
	}{
		{"mapping", "doc:\n  Version: 2012-10-17\n  Statement: []\n", `{"Version":"2012-10-17","Statement":[]}`},
		{"JSON string", `doc: '{"Version": "2012-10-17"}'`, `{"Version": "2012-10-17"}`},
		{"flow", `doc: {Version: "2012-10-17", Statement: [{Effect: Allow, Action: ["s3:*"], Resource: "*"}]}`,
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:*"],"Resource":"*"}]}`},
		{"scalars", "doc: {n: 10, f: 1.5, b: false, z: null, q: 'true', hex: 0x10}", `{"n":10,"f":1.5,"b":false,"z":null,"q":"true","hex":16}`},
		{"anchor", "base: &s {Effect: Allow}\ndoc: {Statement: [*s]}", `{"Statement":[{"Effect":"Allow"}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var v struct {
				Base any      `yaml:"base"`
				Doc  Document `yaml:"doc"`
			}
			if err := yaml.Unmarshal([]byte(tc.yaml), &v); err != nil {
				t.Fatal(err)
			}
			if string(v.Doc) != tc.want {
				t.Errorf("Document = %s, want %s", v.Doc, tc.want)
			}
		})
	}
}

// In a JSON init file a document may be an object or a string.
func TestDocumentFromJSON(t *testing.T) {
	t.Parallel()
	f, err := parse([]byte(`{"policies":[{"name":"a","document":{"Version": "2012-10-17"}},{"name":"b","document":"{\"x\":1}"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := []string{string(f.Policies[0].Document), string(f.Policies[1].Document)}; got[0] != `{"Version":"2012-10-17"}` || got[1] != `{"x":1}` {
		t.Errorf("documents = %q", got)
	}
	var d Document
	if err := json.Unmarshal([]byte(`{"Version": "2012-10-17" }`), &d); err != nil || string(d) != `{"Version":"2012-10-17"}` {
		t.Errorf("json Document = %q, %v", d, err)
	}
}

// A directory becomes the same package every time (the function's CodeSha256 stays), its
// executables stay executable (a provided runtime's bootstrap) and its layout is kept.
func TestZipDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for name, mode := range map[string]os.FileMode{"bootstrap": 0o755, "lib/util.py": 0o644} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), mode); err != nil {
			t.Fatal(err)
		}
	}
	first, err := zipDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(filepath.Join(dir, "bootstrap"), time.Now(), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	second, err := zipDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Error("zipping the same files twice gave two packages")
	}
	zr, err := zip.NewReader(bytes.NewReader(first), int64(len(first)))
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]os.FileMode{}
	for _, f := range zr.File {
		got[f.Name] = f.Mode().Perm()
	}
	if len(got) != 2 || got["bootstrap"] != 0o755 || got["lib/util.py"] != 0o644 {
		t.Errorf("package files = %v", got)
	}
}

func TestIsStateFile(t *testing.T) {
	t.Parallel()
	cases := map[string]bool{
		`{"format":"iamlocal-state","version":1}`: true,
		` {"format": "iamlocal-state"}`:           true,
		`{"format":"other"}`:                      false,
		"format: iamlocal-state\n":                false, // YAML init files are init files
		"":                                        false,
	}
	for raw, want := range cases {
		if got := isStateFile([]byte(raw)); got != want {
			t.Errorf("isStateFile(%q) = %v, want %v", raw, got, want)
		}
	}
}

func TestTableName(t *testing.T) {
	t.Parallel()
	cases := map[string][]string{
		"iam.loginprofiles":  {"accounts", "123456789012", "iam.loginprofiles"},
		"lambda.fn/aliases":  {"accounts", "123456789012", "regions", "us-east-1", "lambda.fn", "f", "aliases"},
		"lambda.layer":       {"accounts", "123456789012", "regions", "us-east-1", "lambda.layer", "deps"},
		"sessions":           {"global", "sessions"},
		"accounts/123456789": {"accounts", "123456789"},
	}
	for want, path := range cases {
		if got := tableName(path); got != want {
			t.Errorf("tableName(%q) = %q, want %q", path, got, want)
		}
	}
}
