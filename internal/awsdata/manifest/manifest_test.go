package manifest

import (
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

const header = "# Sources\n\nFacts.\n\n## Files\n\n| file | from |\n| --- | --- |\n"

func TestRead(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		notes   map[string]string // folder -> SOURCES.md
		want    []Entry
		wantErr string
	}{
		{name: "files and folders",
			notes: map[string]string{"models": header + "| `iam.json` | `data/aws-models/iam.json` |\n| `v4/` | `conformance/sigv4/v4/` |\n\n## Refresh\n\n| not | a file row |\n"},
			want:  []Entry{{"models/iam.json", "data/aws-models/iam.json"}, {"models/v4/", "conformance/sigv4/v4/"}}},
		{name: "every folder, in walk order",
			notes: map[string]string{"b": header + "| `x.json` | `b/x.json` |\n", "a/deep": header + "| `y.json` | `a/y.json` |\n"},
			want:  []Entry{{"a/deep/y.json", "a/y.json"}, {"b/x.json", "b/x.json"}}},
		{name: "no Files section", notes: map[string]string{"m": "# Sources\n\n| `x.json` | `x.json` |\n"}, wantErr: `m/SOURCES.md: no "## Files" table`},
		{name: "empty table", notes: map[string]string{"m": header}, wantErr: `no "## Files" table`},
		{name: "three cells", notes: map[string]string{"m": header + "| `x` | `y` | `z` |\n"}, wantErr: "line 9: want | `file` | `source` |"},
		{name: "not code", notes: map[string]string{"m": header + "| x.json | `x.json` |\n"}, wantErr: "is not one `path`"},
		{name: "half quoted", notes: map[string]string{"m": header + "| `x.json | `x.json` |\n"}, wantErr: "is not one `path`"},
		{name: "leaves the folder", notes: map[string]string{"m": header + "| `x.json` | `../x.json` |\n"}, wantErr: "not a relative slash-separated path"},
		{name: "absolute", notes: map[string]string{"m": header + "| `/x.json` | `x.json` |\n"}, wantErr: "not a relative slash-separated path"},
		{name: "folder from a file", notes: map[string]string{"m": header + "| `v4/` | `v4.json` |\n"}, wantErr: "a folder copies a folder"},
		{name: "overwrites the notes", notes: map[string]string{"m": header + "| `SOURCES.md` | `m/SOURCES.md` |\n"}, wantErr: "the notes are the project's own"},
		{name: "listed twice", notes: map[string]string{"m": header + "| `x.json` | `a.json` |\n| `x.json` | `b.json` |\n"}, wantErr: "m/x.json is listed twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fsys := fstest.MapFS{"other/README.md": {Data: []byte("## Files\n| `ignored` | `not SOURCES.md` |\n")}}
			for dir, notes := range tt.notes {
				fsys[dir+"/"+SourcesFile] = &fstest.MapFile{Data: []byte(notes)}
			}
			got, err := Read(fsys)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("Read = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestIsFolder(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		path string
		want bool
	}{{"v4/", true}, {"conformance/sigv4/v4/", true}, {"iam.json", false}, {"wire/index.json", false}} {
		if got := (Entry{Path: tt.path}).IsFolder(); got != tt.want {
			t.Errorf("IsFolder(%s) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
