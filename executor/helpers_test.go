package executor

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the test binary double as a fake `provided` runtime (the
// exec_test.go trick): a bootstrap script execs this binary with
// IAMLOCAL_FAKE_RUNTIME set through the function's environment.
func TestMain(m *testing.M) {
	if mode := os.Getenv("IAMLOCAL_FAKE_RUNTIME"); mode != "" {
		os.Exit(fakeRuntimeMain(context.Background(), os.Getenv("AWS_LAMBDA_RUNTIME_API"), mode, os.Stdout))
	}
	os.Exit(m.Run())
}

type zipEntry struct {
	name string
	body string
	mode fs.FileMode // 0 means 0o644; fs.ModeSymlink|0o777 makes a link to body
}

func buildZip(t testing.TB, entries ...zipEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		mode := e.mode
		if mode == 0 {
			mode = 0o644
		}
		h.SetMode(mode)
		w, err := zw.CreateHeader(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(e.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// codeOf builds a zip of name/body pairs.
func codeOf(t testing.TB, pairs ...string) []byte {
	t.Helper()
	var es []zipEntry
	for i := 0; i+1 < len(pairs); i += 2 {
		es = append(es, zipEntry{name: pairs[i], body: pairs[i+1]})
	}
	return buildZip(t, es...)
}

func newTestExecutor(t *testing.T, opts Options) *Executor {
	t.Helper()
	if opts.WorkDir == "" {
		opts.WorkDir = t.TempDir()
	}
	// provided functions' bootstraps run this binary as their runtime
	opts.ReadOnlyPaths = append(opts.ReadOnlyPaths, testBinary(t))
	e, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := e.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return e
}

// requireTool fails (never skips) when a runtime the test needs is missing.
func requireTool(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		t.Fatalf("%s is missing from PATH: the executor's %s runtime tests need it installed", tool, tool)
	}
}

func testFunction(name, runtime, handler string, code []byte) Function {
	return Function{
		ARN:      "arn:aws:lambda:us-east-1:123456789012:function:" + name,
		Name:     name,
		Runtime:  runtime,
		Handler:  handler,
		Code:     code,
		Timeout:  5 * time.Second,
		MemoryMB: 256,
		Region:   "eu-west-1",
		Credentials: Credentials{
			AccessKeyID:     "ASIAEXAMPLEEXAMPLE01",
			SecretAccessKey: "secret/example",
			SessionToken:    "token-example",
		},
		Endpoint: "http://127.0.0.1:4566",
	}
}

func invoke(t *testing.T, e *Executor, fn Function, payload string) Result {
	t.Helper()
	res, err := e.Invoke(context.Background(), fn, Invocation{Payload: []byte(payload)})
	if err != nil {
		t.Fatalf("Invoke %s: %v", fn.Name, err)
	}
	return res
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("payload %q is not a JSON object: %v", b, err)
	}
	return m
}

func logLines(res Result) []string {
	return strings.Split(strings.TrimSuffix(string(res.Log), "\n"), "\n")
}

// checkFrame asserts the START/END/REPORT lines of an invocation's log.
func checkFrame(t *testing.T, res Result, requestID string, cold bool) {
	t.Helper()
	lines := logLines(res)
	start := -1
	for i, l := range lines {
		if l == "START RequestId: "+requestID+" Version: $LATEST" {
			start = i
		}
	}
	if start < 0 {
		t.Fatalf("no START line for %s in log:\n%s", requestID, res.Log)
	}
	n := len(lines)
	if n < 3 || lines[n-2] != "END RequestId: "+requestID || !strings.HasPrefix(lines[n-1], "REPORT RequestId: "+requestID+"\tDuration: ") {
		t.Fatalf("log does not end with END and REPORT:\n%s", res.Log)
	}
	rep := lines[n-1]
	for _, part := range []string{"\tBilled Duration: ", " ms\tMemory Size: ", " MB\tMax Memory Used: "} {
		if !strings.Contains(rep, part) {
			t.Errorf("REPORT line %q lacks %q", rep, part)
		}
	}
	if got := strings.Contains(rep, "\tInit Duration: "); got != cold {
		t.Errorf("REPORT line %q: Init Duration present = %v, want %v", rep, got, cold)
	}
}

type memSink struct {
	mu    sync.Mutex
	lines []string
	where map[string]bool // account/region of every line written
}

func (s *memSink) Write(account, region, group, stream string, _ time.Time, line string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lines = append(s.lines, group+"|"+stream+"|"+line)
	if s.where == nil {
		s.where = map[string]bool{}
	}
	s.where[account+"/"+region] = true
}

// places returns the account/region pairs lines were written to.
func (s *memSink) places() map[string]bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.where)
}

func (s *memSink) all() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.lines...)
}

// alive reports whether pid still exists (and is not a zombie).
func alive(pid int) bool {
	if syscall.Kill(pid, 0) != nil {
		return false
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	f := strings.Fields(string(b))
	return len(f) < 3 || f[2] != "Z"
}

func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for alive(pid) {
		if time.Now().After(deadline) {
			t.Fatalf("process %d still running", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func envMap(t *testing.T, v any) map[string]string {
	t.Helper()
	m := map[string]string{}
	obj, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("environment is %T, not an object", v)
	}
	for k, x := range obj {
		s, _ := x.(string)
		m[k] = s
	}
	return m
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
