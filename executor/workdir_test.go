package executor

import (
	"context"
	"os"
	"path/filepath"
	"testing"
)

// A relative WorkDir (the server's default data directory is the relative ".iamlocal") still
// runs functions: runtimes start in their task directory, so paths handed to them are made
// absolute. Regression test for a bootstrap path resolved against the task directory.
func TestRelativeWorkDir(t *testing.T) {
	t.Parallel()
	cwd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	rel, err := filepath.Rel(cwd, t.TempDir())
	if err != nil || filepath.IsAbs(rel) {
		t.Fatalf("no relative path to the temp dir: %q %v", rel, err)
	}
	e := newTestExecutor(t, Options{WorkDir: rel})
	fn := pythonFunction(t, "py-rel", "app.hello")
	res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "rel-1", Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if res.FunctionError != "" {
		t.Fatalf("FunctionError %q: %s\n%s", res.FunctionError, res.Payload, res.Log)
	}
}
