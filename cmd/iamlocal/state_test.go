package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// serveLogged runs `iamlocal serve` on a free port with the data directory and environment
// given; it returns the server's URL and a function that stops it and returns its log.
func serveLogged(t *testing.T, dataDir string, env map[string]string) (url string, stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var log lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data-dir", dataDir}, func(k string) string { return env[k] }, pw, &log)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	m := listenRE.FindStringSubmatch(line)
	if err != nil || m == nil {
		cancel()
		t.Fatalf("startup line %q: %v; log:\n%s", line, err, log.String())
	}
	go io.Copy(io.Discard, pr)
	stopped := false
	stop = func() string {
		if !stopped {
			stopped = true
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run = %v", err)
			}
		}
		return log.String()
	}
	t.Cleanup(func() { stop() })
	return m[1], stop
}

func iamAt(url string) *iam.Client {
	return iam.NewFromConfig(aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
}

func userThere(t *testing.T, client *iam.Client, name string) bool {
	t.Helper()
	_, err := client.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String(name)})
	return err == nil
}

func runState(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"state"}, args...), func(string) string { return "" }, &out, &errOut)
	return out.String() + errOut.String(), err
}

// `iamlocal state export` and `import` over HTTP against a running server, and with
// -data-dir on a stopped one's database (refused while a server holds it).
func TestStateCommand(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, stop := serveLogged(t, filepath.Join(dir, "data"), nil)
	client := iamAt(url)
	ctx := context.Background()
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("kept")}); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(dir, "fixture.json")
	out, err := runState(t, "export", "-endpoint", url, file)
	if err != nil || !strings.Contains(out, "the file holds secrets") {
		t.Fatalf("export = %q, %v", out, err)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("exported file: %v, %v; want mode 0600 (it holds secrets)", st, err)
	}
	if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("later")}); err != nil {
		t.Fatal(err)
	}
	if out, err := runState(t, "import", "-endpoint", url, file); err != nil || !strings.Contains(out, "replaced the state of "+url) {
		t.Fatalf("import = %q, %v", out, err)
	}
	if userThere(t, client, "later") || !userThere(t, client, "kept") {
		t.Error("import did not put the exported state back")
	}
	if _, err := runState(t, "export", "-data-dir", filepath.Join(dir, "data"), filepath.Join(dir, "x.json")); err == nil ||
		!strings.Contains(err.Error(), "a running server holds it") {
		t.Errorf("offline export of a held database = %v, want a refusal naming the running server", err)
	}
	stop()

	offline := filepath.Join(dir, "offline.json")
	if _, err := runState(t, "export", "-data-dir", filepath.Join(dir, "data"), offline); err != nil {
		t.Fatal(err)
	}
	a, _ := os.ReadFile(file)
	b, _ := os.ReadFile(offline)
	if !bytes.Equal(a, b) {
		t.Error("the stopped server's export differs from the running server's of the same state")
	}
	fresh := filepath.Join(dir, "fresh")
	if _, err := runState(t, "import", "-data-dir", fresh, offline); err != nil {
		t.Fatal(err)
	}
	url2, _ := serveLogged(t, fresh, nil)
	if !userThere(t, iamAt(url2), "kept") {
		t.Error("a data directory prepared by an offline import lacks the state")
	}
	for _, args := range [][]string{{}, {"export"}, {"import", "-"}, {"push", "x"}} {
		if _, err := runState(t, args...); err == nil {
			t.Errorf("state %q succeeded, want a usage error", args)
		}
	}
}

// IAMLOCAL_INIT is applied before the server listens, with a log line per thing created; a
// second start on the same data directory creates nothing and says so.
func TestInitAtStart(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	env := map[string]string{"IAMLOCAL_INIT": filepath.Join("..", "..", "emulator", "initfile", "testdata", "init.yaml")}
	url, stop := serveLogged(t, dir, env)
	if !userThere(t, iamAt(url), "dev") {
		t.Error("the init file's user is missing once the server listens")
	}
	log := stop()
	for _, want := range []string{`init: created" what="user \"dev\" (account 123456789012)"`, `what="function \"hello\" in us-east-1 (account 123456789012)"`,
		`msg="init: applied" file=`, "created=12 present=0"} {
		if !strings.Contains(log, want) {
			t.Errorf("first start's log lacks %s:\n%s", want, log)
		}
	}
	_, stop = serveLogged(t, dir, env)
	if log := stop(); !strings.Contains(log, `msg="init: nothing to create, everything the file names exists"`) || strings.Contains(log, "init: created") {
		t.Errorf("second start's log:\n%s\nwant nothing created", log)
	}
	var errOut bytes.Buffer
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-data-dir", t.TempDir()},
		func(k string) string { return map[string]string{"IAMLOCAL_INIT": "missing.yaml"}[k] }, io.Discard, &errOut)
	if err == nil || !strings.Contains(err.Error(), "init file missing.yaml") {
		t.Errorf("start with a missing init file = %v, want it to stop naming the file", err)
	}
}

// emulatortest servers and the command agree on the endpoint's shape: a server on
// 127.0.0.1:0 answers the command at its URL.
func TestStateCommandAgainstEmulatortest(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	file := filepath.Join(t.TempDir(), "s.json")
	deadline, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out bytes.Buffer
	if err := run(deadline, []string{"state", "export", "-endpoint", srv.URL + "/", file}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run(deadline, []string{"state", "export", "-endpoint", srv.URL, "-"}, func(string) string { return "" }, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if saved, _ := os.ReadFile(file); !bytes.Equal(saved, stdout.Bytes()) || !bytes.Contains(saved, []byte(`"format": "iamlocal-state"`)) {
		t.Errorf("export to - wrote %q, want the file's bytes", stdout.String())
	}
}
