package executor

import (
	"archive/zip"
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExtractKeepsFilesModesAndInsideLinks(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	data := buildZip(t,
		zipEntry{name: "app.py", body: "print(1)"},
		zipEntry{name: "bin/tool", body: "#!/bin/sh\n", mode: 0o755},
		zipEntry{name: "lib/", mode: fs.ModeDir | 0o755},
		zipEntry{name: "lib/data.txt", body: "data"},
		zipEntry{name: "lib/link", body: "data.txt", mode: fs.ModeSymlink | 0o777},
		zipEntry{name: "toplink", body: "lib", mode: fs.ModeSymlink | 0o777},
		zipEntry{name: "setuid", body: "x", mode: fs.ModeSetuid | 0o4755},
	)
	if err := Extract(data, dir); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "setuid")); err != nil || fi.Mode()&fs.ModeSetuid != 0 || fi.Mode().Perm() != 0o755 {
		t.Errorf("setuid entry extracted as %v, %v; want plain 0755", fi.Mode(), err)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "toplink", "link")); err != nil || string(b) != "data" {
		t.Errorf("through the links: %q, %v", b, err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "bin/tool")); err != nil || fi.Mode().Perm() != 0o755 {
		t.Errorf("bin/tool mode %v, %v", fi.Mode(), err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "app.py")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("app.py mode %v, %v", fi.Mode(), err)
	}
}

func TestExtractRefusesUnsafePackages(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		entries []zipEntry
	}{
		{"dot-dot", []zipEntry{{name: "../evil", body: "x"}}},
		{"nested dot-dot", []zipEntry{{name: "a/../../evil", body: "x"}}},
		{"absolute", []zipEntry{{name: "/etc/evil", body: "x"}}},
		{"absolute link", []zipEntry{{name: "l", body: "/etc/passwd", mode: fs.ModeSymlink | 0o777}}},
		{"link up", []zipEntry{{name: "a/l", body: "../../outside", mode: fs.ModeSymlink | 0o777}}},
		{"link chain out", []zipEntry{
			{name: "a/", mode: fs.ModeDir | 0o755},
			{name: "a/l", body: "..", mode: fs.ModeSymlink | 0o777},
			{name: "d", body: "a/l/..", mode: fs.ModeSymlink | 0o777},
		}},
		{"file under a link", []zipEntry{
			{name: "l", body: ".", mode: fs.ModeSymlink | 0o777},
			{name: "l/x", body: "x"},
		}},
		{"named pipe", []zipEntry{{name: "p", mode: fs.ModeNamedPipe | 0o644}}},
	} {
		dir := t.TempDir()
		parent := filepath.Dir(dir)
		err := Extract(buildZip(t, tc.entries...), dir)
		if !errors.Is(err, ErrInvalidZip) {
			t.Errorf("%s: err = %v", tc.name, err)
		}
		if _, err := os.Lstat(filepath.Join(parent, "evil")); err == nil {
			t.Errorf("%s: wrote outside the directory", tc.name)
		}
	}
	if err := Extract([]byte("PK\x03\x04 not really"), t.TempDir()); !errors.Is(err, ErrInvalidZip) {
		t.Errorf("garbage: %v", err)
	}
}

// Zip bombs: the declared sizes, and the bytes actually written (a header
// that lies), are both held to the limit.
func TestExtractRefusesZipBombs(t *testing.T) {
	t.Parallel()
	big := buildZip(t, zipEntry{name: "zeros", body: strings.Repeat("\x00", 1<<20)})
	if _, err := extract(big, t.TempDir(), extractLimits{maxBytes: 1 << 19, maxEntries: 10}); !errors.Is(err, ErrInvalidZip) {
		t.Errorf("declared size over the limit: %v", err)
	}
	if _, err := extract(big, t.TempDir(), extractLimits{maxBytes: 1 << 20, maxEntries: 10}); err != nil {
		t.Errorf("exactly at the limit: %v", err)
	}
	// Rewrite the declared size in both headers to 1 byte.
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "liar", Method: zip.Store, CRC32: 0, CompressedSize64: 1 << 20, UncompressedSize64: 1})
	w.Write(make([]byte, 1<<20))
	zw.Close()
	if _, err := extract(buf.Bytes(), t.TempDir(), extractLimits{maxBytes: 1 << 10, maxEntries: 10}); !errors.Is(err, ErrInvalidZip) {
		t.Errorf("lying header: %v", err)
	}
	many := make([]zipEntry, 11)
	for i := range many {
		many[i] = zipEntry{name: strings.Repeat("f", i+1)}
	}
	if _, err := extract(buildZip(t, many...), t.TempDir(), extractLimits{maxBytes: 1 << 20, maxEntries: 10}); !errors.Is(err, ErrInvalidZip) {
		t.Errorf("too many entries: %v", err)
	}
}

// FuzzExtract: whatever the bytes, no panic, nothing outside the directory,
// and every link left behind resolves inside it.
func FuzzExtract(f *testing.F) {
	f.Add(buildZip(f, zipEntry{name: "a.py", body: "x"}))
	f.Add(buildZip(f, zipEntry{name: "../x", body: "x"}))
	f.Add(buildZip(f, zipEntry{name: "l", body: "../x", mode: fs.ModeSymlink | 0o777}))
	f.Add(buildZip(f, zipEntry{name: "d/", mode: fs.ModeDir | 0o755}, zipEntry{name: "d/l", body: "..", mode: fs.ModeSymlink | 0o777}))
	f.Add([]byte("PK\x05\x06" + strings.Repeat("\x00", 18)))
	f.Fuzz(func(t *testing.T, data []byte) {
		parent := t.TempDir()
		dir := filepath.Join(parent, "task")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		_, err := extract(data, dir, extractLimits{maxBytes: 1 << 20, maxEntries: 100})
		if err != nil && !errors.Is(err, ErrInvalidZip) {
			t.Fatalf("error not wrapping ErrInvalidZip: %v", err)
		}
		if ents, _ := os.ReadDir(parent); len(ents) != 1 {
			t.Fatalf("entries outside the directory: %v", ents)
		}
		if err != nil {
			return
		}
		root, _ := filepath.EvalSymlinks(dir)
		filepath.WalkDir(dir, func(p string, d fs.DirEntry, _ error) error {
			if d != nil && d.Type()&fs.ModeSymlink != 0 {
				if r, err := filepath.EvalSymlinks(p); err == nil && r != root && !strings.HasPrefix(r, root+string(filepath.Separator)) {
					t.Fatalf("link %s resolves to %s, outside", p, r)
				}
			}
			return nil
		})
	})
}
