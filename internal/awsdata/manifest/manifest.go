// Package manifest reads the file lists of internal/awsdata: the "## Files" table of each
// SOURCES.md, which says what the folder holds and where in the shared reference folder each
// file comes from. It embeds nothing, so refresh builds even while data files are missing.
package manifest

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"path"
	"strings"
)

// SourcesFile names the notes of each data folder. Its "## Files" table is the one list of what
// the folder holds and where each file comes from: refresh copies exactly those rows, and the
// tests check that the folder holds exactly them.
const SourcesFile = "SOURCES.md"

// An Entry is one row of a "## Files" table: a file, or a whole folder when both paths end
// in "/", copied byte for byte from the shared reference folder.
type Entry struct {
	Path   string // slash-separated, relative to internal/awsdata: "models/iam.json"
	Source string // slash-separated, relative to the shared reference folder
}

// IsFolder reports whether the row copies a whole folder.
func (c Entry) IsFolder() bool { return strings.HasSuffix(c.Path, "/") }

// Read reads the "## Files" table of every SOURCES.md under dir (the internal/awsdata
// folder), in walk order.
func Read(dir fs.FS) ([]Entry, error) {
	var out []Entry
	seen := map[string]bool{}
	err := fs.WalkDir(dir, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || d.Name() != SourcesFile {
			return err
		}
		notes, err := fs.ReadFile(dir, p)
		if err != nil {
			return err
		}
		rows, err := parseFileTable(notes)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		for _, r := range rows {
			r.Path = path.Join(path.Dir(p), r.Path) + folderSlash(r)
			if seen[r.Path] {
				return fmt.Errorf("%s: %s is listed twice", p, r.Path)
			}
			seen[r.Path] = true
			out = append(out, r)
		}
		return nil
	})
	return out, err
}

func folderSlash(c Entry) string {
	if c.IsFolder() {
		return "/"
	}
	return ""
}

// parseFileTable reads the rows "| `here` | `from` |" of the table under the "## Files" heading;
// the table's header row and separator row come first.
func parseFileTable(notes []byte) ([]Entry, error) {
	var rows []Entry
	inFiles, found, tableLine := false, false, 0
	lines := bufio.NewScanner(bytes.NewReader(notes))
	for n := 1; lines.Scan(); n++ {
		line := strings.TrimSpace(lines.Text())
		if strings.HasPrefix(line, "## ") {
			inFiles = line == "## Files"
			found = found || inFiles
			continue
		}
		if !inFiles || !strings.HasPrefix(line, "|") {
			continue
		}
		if tableLine++; tableLine <= 2 {
			continue
		}
		row, err := parseFileRow(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		rows = append(rows, row)
	}
	if err := lines.Err(); err != nil {
		return nil, err
	}
	if !found || len(rows) == 0 {
		return nil, fmt.Errorf(`no "## Files" table listing what the folder holds`)
	}
	return rows, nil
}

func parseFileRow(line string) (Entry, error) {
	cells := strings.Split(strings.Trim(line, "|"), "|")
	if len(cells) != 2 {
		return Entry{}, fmt.Errorf("want | `file` | `source` |, got %q", line)
	}
	var paths [2]string
	for i, c := range cells {
		c = strings.TrimSpace(c)
		p := strings.TrimSuffix(strings.TrimPrefix(c, "`"), "`")
		if len(p)+2 != len(c) || p == "" || strings.Contains(p, "`") {
			return Entry{}, fmt.Errorf("cell %q is not one `path`", c)
		}
		if !fs.ValidPath(strings.TrimSuffix(p, "/")) {
			return Entry{}, fmt.Errorf("%q is not a relative slash-separated path", p)
		}
		paths[i] = p
	}
	row := Entry{Path: paths[0], Source: paths[1]}
	if row.IsFolder() != strings.HasSuffix(row.Source, "/") {
		return Entry{}, fmt.Errorf("%s and %s: a folder copies a folder, a file a file", row.Path, row.Source)
	}
	if path.Base(row.Path) == SourcesFile {
		return Entry{}, fmt.Errorf("%s: the notes are the project's own, never copied", row.Path)
	}
	return row, nil
}
