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

// New removes what executors killed before they could clean up left in the
// same WorkDir (their directory, with its sandboxes), and nothing else: not
// the directory of an executor that runs, not a directory without the owner
// file, not other files.
func TestNewRemovesAbandonedExecutorDirectories(t *testing.T) {
	t.Parallel()
	work := t.TempDir()
	abandoned := filepath.Join(work, workDirPrefix+"killed")
	for _, p := range []string{filepath.Join(abandoned, "sb-1", "task"), filepath.Join(work, workDirPrefix+"unmarked"), filepath.Join(work, "other")} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// The owner file of an executor that was killed: present, unlocked.
	if err := os.WriteFile(filepath.Join(abandoned, ownerFile), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	running := newTestExecutor(t, Options{WorkDir: work, Launcher: LocalLauncher()})
	if _, err := os.Stat(abandoned); !os.IsNotExist(err) {
		t.Fatalf("the abandoned directory is still there: %v", err)
	}
	second := newTestExecutor(t, Options{WorkDir: work, Launcher: LocalLauncher()})
	for _, p := range []string{running.dir, second.dir, filepath.Join(work, workDirPrefix+"unmarked"), filepath.Join(work, "other")} {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("%s: %v, want it kept", p, err)
		}
	}
}
