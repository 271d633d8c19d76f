// Command refresh copies the reference data listed in the "## Files" tables of
// internal/awsdata/**/SOURCES.md from the shared reference folder into internal/awsdata, byte for
// byte. Run it through `go generate ./internal/awsdata`; nothing else needs the shared folder.
//
//	refresh [-from DIR] [-to DIR]
//
// -from defaults to the folder named shared beside the repository root, -to to the
// repository's internal/awsdata. Every listed source is checked before anything is written, so
// a missing one leaves the repository as it was.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/iamlocal/iamlocal/internal/awsdata/manifest"
)

func main() {
	from := flag.String("from", "", "the shared reference folder (default: shared beside the repository root)")
	to := flag.String("to", "", "the awsdata folder to fill (default: internal/awsdata of the repository)")
	flag.Parse()
	if err := refreshFromFlags(*from, *to); err != nil {
		fmt.Fprintln(os.Stderr, "refresh:", err)
		os.Exit(1)
	}
}

func refreshFromFlags(from, to string) error {
	if from == "" || to == "" {
		wd, err := os.Getwd()
		if err != nil {
			return err
		}
		root, err := moduleRoot(wd)
		if err != nil {
			return err
		}
		if from == "" {
			from = filepath.Join(filepath.Dir(root), "shared")
		}
		if to == "" {
			to = filepath.Join(root, "internal", "awsdata")
		}
	}
	n, err := refresh(from, to)
	if err != nil {
		return err
	}
	fmt.Printf("refresh: %d files from %s into %s\n", n, from, to)
	return nil
}

// moduleRoot is the nearest folder at or above dir that holds a go.mod.
func moduleRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s: run inside the repository or pass -from and -to", dir)
		}
	}
}

// refresh copies every listed file from the shared folder from into the awsdata folder to and
// returns how many files it wrote.
func refresh(from, to string) (int, error) {
	if info, err := os.Stat(from); err != nil || !info.IsDir() {
		return 0, fmt.Errorf("the shared reference folder %s is not there: put it beside the repository root or pass -from DIR", from)
	}
	rows, err := manifest.Read(os.DirFS(to))
	if err != nil {
		return 0, fmt.Errorf("reading the file lists in %s: %w", to, err)
	}
	var missing []error
	for _, r := range rows {
		if _, err := os.Stat(filepath.Join(from, filepath.FromSlash(r.Source))); err != nil {
			missing = append(missing, fmt.Errorf("%s (for %s) is not in %s", r.Source, r.Path, from))
		}
	}
	if err := errors.Join(missing...); err != nil {
		return 0, err
	}
	written := 0
	for _, r := range rows {
		n, err := copyRow(filepath.Join(from, filepath.FromSlash(r.Source)), filepath.Join(to, filepath.FromSlash(r.Path)), r.IsFolder())
		if err != nil {
			return written, err
		}
		written += n
	}
	return written, nil
}

// copyRow copies one file, or replaces a folder by a copy of the source folder (so files the
// source dropped go too).
func copyRow(src, dst string, folder bool) (int, error) {
	if !folder {
		data, err := os.ReadFile(src)
		if err != nil {
			return 0, err
		}
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return 0, err
		}
		return 1, os.WriteFile(dst, data, 0o644)
	}
	if err := os.RemoveAll(dst); err != nil {
		return 0, err
	}
	tree := os.DirFS(src)
	if err := os.CopyFS(dst, tree); err != nil {
		return 0, err
	}
	n := 0
	err := fs.WalkDir(tree, ".", func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	return n, err
}
