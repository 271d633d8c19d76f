package awsdata

import (
	"encoding/json"
	"io/fs"
	"os"
	"path"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/internal/awsdata/manifest"
)

// The folder holds exactly what the SOURCES.md tables list: every row is there (a folder with
// files in it), every JSON file listed is valid, and nothing unlisted has crept in.
func TestFoldersHoldWhatSourcesList(t *testing.T) {
	t.Parallel()
	here := os.DirFS(".")
	rows, err := manifest.Read(here)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, r := range rows {
		listed[strings.TrimSuffix(r.Path, "/")] = true
	}
	covered := func(p string) bool {
		for d := p; d != "."; d = path.Dir(d) {
			if listed[d] {
				return true
			}
		}
		return false
	}
	found := map[string]int{} // listed path -> data files under it
	err = fs.WalkDir(here, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".go") || d.Name() == manifest.SourcesFile {
			return nil // the package's code and the notes themselves
		}
		if !covered(p) {
			t.Errorf("%s is in internal/awsdata but no SOURCES.md lists it", p)
		}
		for d := p; d != "."; d = path.Dir(d) {
			found[d]++
		}
		if strings.HasSuffix(p, ".json") && listed[p] {
			if raw, err := fs.ReadFile(here, p); err != nil || !json.Valid(raw) {
				t.Errorf("%s is not valid JSON (%v)", p, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if found[strings.TrimSuffix(r.Path, "/")] == 0 {
			t.Errorf("%s is listed (from %s) but missing", r.Path, r.Source)
		}
	}
}
