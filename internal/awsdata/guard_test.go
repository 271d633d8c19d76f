package awsdata

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// repoRoot is the repository root seen from this package's folder.
const repoRoot = "../.."

// sharedPath matches a relative path up into the shared folder beside the repository.
var sharedPath = regexp.MustCompile(`\.\./shared\b`)

// No Go file reaches for the shared reference folder beside the repository (a clone of the
// repository alone must build, test and regenerate), except refresh, whose job that is.
func TestNoGoFileReadsTheSharedFolder(t *testing.T) {
	t.Parallel()
	refresh := filepath.Join(repoRoot, "internal", "awsdata", "refresh")
	var files []string
	err := filepath.WalkDir(repoRoot, func(p string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (p == refresh || p != repoRoot && strings.HasPrefix(d.Name(), ".")):
			return filepath.SkipDir
		case !d.IsDir() && strings.HasSuffix(p, ".go"):
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 100 {
		t.Fatalf("found only %d Go files under %s: is it the repository root?", len(files), repoRoot)
	}
	for _, f := range files {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if loc := sharedPath.FindIndex(src); loc != nil {
			t.Errorf("%s:%d refers to the shared folder: %q", f, 1+strings.Count(string(src[:loc[0]]), "\n"), lineAt(src, loc[0]))
		}
		for _, pos := range sharedJoins(t, f, src) {
			t.Errorf("%s: joins a path through the shared folder", pos)
		}
	}
}

// sharedJoins finds calls such as filepath.Join("..", "shared", ...) in one file.
func sharedJoins(t *testing.T, name string, src []byte) []token.Position {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, name, src, parser.SkipObjectResolution)
	if err != nil {
		t.Fatal(err)
	}
	var out []token.Position
	ast.Inspect(file, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); !ok || sel.Sel.Name != "Join" {
			return true
		}
		for _, arg := range call.Args {
			if lit, ok := arg.(*ast.BasicLit); ok && lit.Kind == token.STRING {
				if v, err := strconv.Unquote(lit.Value); err == nil && v == "shared" {
					out = append(out, fset.Position(lit.Pos()))
				}
			}
		}
		return true
	})
	return out
}

func lineAt(src []byte, at int) string {
	start := strings.LastIndexByte(string(src[:at]), '\n') + 1
	end := strings.IndexByte(string(src[at:]), '\n')
	if end < 0 {
		return string(src[start:])
	}
	return string(src[start : at+end])
}

// The guard itself catches what it is meant to catch.
func TestSharedFolderPatterns(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{"go:generate path", "package p\n//go:generate go run x -model ../../../" + "shared/data/aws-models/iam.json\n", true},
		{"string constant", "package p\nconst dir = \"../../" + "shared/conformance/sigv4\"\n", true},
		{"path join", "package p\nimport \"path/filepath\"\nvar dir = filepath.Join(\"..\", \"..\", \"" + "shared\", \"data\")\n", true},
		{"in-repo copy", "package p\nconst dir = \"../internal/awsdata/conformance/sigv4\"\n", false},
		{"the word shared", "package p\n// keys shared by all requests\nvar name = \"shared\"\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := sharedPath.MatchString(tt.src) || len(sharedJoins(t, "x.go", []byte(tt.src))) > 0
			if got != tt.want {
				t.Errorf("flagged = %v, want %v", got, tt.want)
			}
		})
	}
}
