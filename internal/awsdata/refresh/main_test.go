package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const notes = "# Sources\n\n## Files\n\n| file | from |\n| --- | --- |\n" +
	"| `iam.json` | `data/aws-models/iam.json` |\n| `v4/` | `conformance/sigv4/v4/` |\n"

// writeTree writes files (slash-separated path -> content) under dir.
func writeTree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRefresh(t *testing.T) {
	t.Parallel()
	shared := map[string]string{
		"data/aws-models/iam.json":               `{"new":true}`,
		"data/aws-models/sts.json":               `{"unlisted":true}`,
		"conformance/sigv4/v4/a/request.txt":     "GET / HTTP/1.1\r\n\r\n",
		"conformance/sigv4/v4/b/context.json":    `{}`,
		"conformance/sigv4/v4/b/c/deeper.txt":    "deep",
		"conformance/sigv4/README.md":            "not listed",
		"data/aws-models/SOURCES.md":             "the shared folder's own notes",
		"data/aws-models/iam.paginators.json":    `{}`,
		"conformance/sigv4/aws4_testsuite/x.req": "unlisted folder",
	}
	tests := []struct {
		name      string
		shared    map[string]string // nil: no shared folder at all
		before    map[string]string // the awsdata folder before the run
		wantN     int
		want      map[string]string // files after the run
		wantGone  []string
		wantErrIn []string
	}{
		{name: "copies the listed rows and replaces folders",
			shared: shared,
			before: map[string]string{"models/SOURCES.md": notes, "models/iam.json": `{"old":true}`, "models/v4/stale/gone.txt": "old", "models/keep.go": "package awsdata"},
			wantN:  4,
			want: map[string]string{"models/SOURCES.md": notes, "models/iam.json": `{"new":true}`, "models/v4/a/request.txt": "GET / HTTP/1.1\r\n\r\n",
				"models/v4/b/c/deeper.txt": "deep", "models/keep.go": "package awsdata"},
			wantGone: []string{"models/v4/stale/gone.txt", "models/sts.json", "models/README.md", "models/aws4_testsuite"}},
		{name: "no shared folder", shared: nil,
			before:    map[string]string{"models/SOURCES.md": notes, "models/iam.json": `{"old":true}`},
			want:      map[string]string{"models/iam.json": `{"old":true}`},
			wantErrIn: []string{"the shared reference folder", "is not there", "-from"}},
		{name: "a listed source is missing: nothing is written",
			shared:    map[string]string{"data/aws-models/iam.json": `{"new":true}`},
			before:    map[string]string{"models/SOURCES.md": notes, "models/iam.json": `{"old":true}`},
			want:      map[string]string{"models/iam.json": `{"old":true}`},
			wantErrIn: []string{"conformance/sigv4/v4/ (for models/v4/) is not in"}},
		{name: "a broken file list",
			shared:    shared,
			before:    map[string]string{"models/SOURCES.md": "# no table\n"},
			wantErrIn: []string{"reading the file lists", `no "## Files" table`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from, to := filepath.Join(t.TempDir(), "shared"), t.TempDir()
			if tt.shared != nil {
				writeTree(t, from, tt.shared)
			}
			writeTree(t, to, tt.before)
			n, err := refresh(from, to)
			if tt.wantErrIn != nil {
				if err == nil {
					t.Fatal("refresh succeeded, want an error")
				}
				for _, part := range tt.wantErrIn {
					if !strings.Contains(err.Error(), part) {
						t.Errorf("error %q does not say %q", err, part)
					}
				}
			} else if err != nil || n != tt.wantN {
				t.Fatalf("refresh = %d, %v; want %d files", n, err, tt.wantN)
			}
			for name, body := range tt.want {
				got, err := os.ReadFile(filepath.Join(to, filepath.FromSlash(name)))
				if err != nil || string(got) != body {
					t.Errorf("%s = %q, %v; want %q", name, got, err, body)
				}
			}
			for _, name := range tt.wantGone {
				if _, err := os.Stat(filepath.Join(to, filepath.FromSlash(name))); !os.IsNotExist(err) {
					t.Errorf("%s is there (%v), want it gone or never copied", name, err)
				}
			}
		})
	}
}

func TestModuleRoot(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	writeTree(t, root, map[string]string{"go.mod": "module x\n", "internal/awsdata/SOURCES.md": ""})
	tests := []struct {
		name, from, want string
		wantErr          bool
	}{
		{"from a package folder", filepath.Join(root, "internal", "awsdata"), root, false},
		{"from the root", root, root, false},
		{"outside any module", filepath.Dir(root), "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := moduleRoot(tt.from)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("moduleRoot(%s) = %q, %v; want %q (error %v)", tt.from, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
