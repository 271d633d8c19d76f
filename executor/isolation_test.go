package executor

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestIsolationString(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		iso  isolation
		want string
	}{
		{isolation{namespaces: true, cgroup: true}, "namespaces+cgroup"},
		{isolation{namespaces: true, userNS: true}, "namespaces"},
		{isolation{reason: "namespaces refused: operation not permitted"}, "none: namespaces refused: operation not permitted"},
	} {
		if got := tc.iso.String(); got != tc.want {
			t.Errorf("%+v: %q, want %q", tc.iso, got, tc.want)
		}
	}
}

// A launcher the executor does not know (a test's, a caller's) runs plain
// processes, with the host's paths.
func TestIsolationOfOtherLaunchers(t *testing.T) {
	t.Parallel()
	for _, l := range []Launcher{LocalLauncher(), &mockLauncher{}} {
		e := newTestExecutor(t, Options{Launcher: l})
		if got := e.Isolation(); got != "none: the launcher runs plain processes" {
			t.Errorf("%T: %q", l, got)
		}
	}
}

// The directories a sandbox shows an interpreter: the fewest that hold its
// prefix and mapped libraries, none of the system ones (every sandbox has
// them), never "/".
func TestInterpreterRoots(t *testing.T) {
	t.Parallel()
	prefix := t.TempDir()
	lib := filepath.Join(prefix, "lib")
	other := t.TempDir()
	for _, d := range []string{lib, filepath.Join(other, "x")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	so := filepath.Join(lib, "libpython3.so")
	if err := os.WriteFile(so, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		lines []string
		want  []string
	}{
		{"prefix and a library inside it", []string{prefix + "/bin/python3", prefix, so}, []string{prefix}},
		{"library elsewhere", []string{so, filepath.Join(other, "x")}, []string{filepath.Join(other, "x"), lib}},
		{"system and special paths", []string{"/usr", "/usr/lib/x86_64-linux-gnu/libc.so.6", "/", "/dev/zero (deleted)", "relative"}, nil},
		{"deleted library", []string{so + " (deleted)"}, []string{lib}},
	} {
		got, want := interpreterRoots(tc.lines), slices.Sorted(slices.Values(tc.want))
		if strings.Join(got, ":") != strings.Join(want, ":") {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// An environment killed for its memory ends its REPORT line as Lambda's do:
// "Status: error\tError Type: Runtime.OutOfMemory".
func TestReportLineOutOfMemory(t *testing.T) {
	t.Parallel()
	r := report{requestID: "id", duration: 812400 * time.Microsecond, billed: billedDuration(812400 * time.Microsecond),
		memoryMB: 256, maxMemoryMB: 256, status: "error", errorType: errTypeOutOfMemory}
	want := "REPORT RequestId: id\tDuration: 812.40 ms\tBilled Duration: 813 ms\tMemory Size: 256 MB\tMax Memory Used: 256 MB\tStatus: error\tError Type: Runtime.OutOfMemory"
	if got := r.line(); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
}
