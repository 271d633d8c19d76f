package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/config"
	"github.com/iamlocal/iamlocal/storage"
)

// TestMain lets the test binary act as the iamlocal binary for the signal test.
func TestMain(m *testing.M) {
	if os.Getenv("IAMLOCAL_TEST_AS_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

var listenRE = regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`)

func TestRunServesAndStopsOnContextCancel(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	dir := t.TempDir()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"serve", "-addr", "127.0.0.1:0", "-data-dir", dir}, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	m := listenRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("startup line %q does not name the address", line)
	}
	resp, err := http.Get(m[1] + "/_iamlocal/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health = %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run = %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	if _, err := os.Stat(filepath.Join(dir, "iamlocal.db")); err != nil {
		t.Fatalf("database file: %v", err)
	}
}

func TestBadConfigurationFailsFast(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	err := run(context.Background(), []string{"-account-id", "abc"}, func(string) string { return "" }, io.Discard, &stderr)
	if err == nil || !strings.Contains(err.Error(), "must be 12 digits") {
		t.Fatalf("run = %v", err)
	}
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "iamlocal ") {
		t.Fatalf("version: %v %q", err, out.String())
	}
}

// -h prints the commands and flags and is no failure (exit status 0), for every spelling.
func TestHelpIsUsageAndSuccess(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"-h"}, {"-help"}, {"--help"}, {"serve", "-h"}} {
		var stderr bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, io.Discard, &stderr)
		if err != nil || !strings.HasPrefix(stderr.String(), "Usage:\n  iamlocal [serve] [flags]") || !strings.Contains(stderr.String(), "-data-dir") {
			t.Errorf("%v: %v %q", args, err, stderr.String())
		}
	}
}

// TestSIGTERMShutsDownGracefully runs the real main in a child process, sends SIGTERM, and checks
// that it exits 0 and leaves a database that opens (bbolt's lock released, file consistent).
func TestSIGTERMShutsDownGracefully(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "IAMLOCAL_TEST_AS_MAIN=1", "IAMLOCAL_ADDR=127.0.0.1:0", "IAMLOCAL_DATA_DIR="+dir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || listenRE.FindStringSubmatch(line) == nil {
		_ = cmd.Process.Kill()
		t.Fatalf("startup line %q: %v", line, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitErr := make(chan error, 1)
	go func() { waitErr <- cmd.Wait() }()
	select {
	case err := <-waitErr:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatal("no exit after SIGTERM")
	}
	db, err := storage.Open(filepath.Join(dir, "iamlocal.db"), storage.Options{Timeout: time.Second})
	if err != nil {
		t.Fatalf("database after shutdown: %v", err)
	}
	defer db.Close()
	if err := db.Check(); err != nil {
		t.Fatal(err)
	}
}

// The banner names the root credentials, showing the secret only while it is the default.
func TestBannerShowsOnlyTheDefaultSecret(t *testing.T) {
	t.Parallel()
	srv, err := emulator.New(emulator.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	for _, tt := range []struct{ secret, want string }{
		{"test", "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test"},
		{"s3cr3t-not-default", "AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=(set)"},
	} {
		cfg := config.Config{Region: "us-east-1", Enforce: "on", DataDir: "d",
			Accounts: []emulator.Account{{ID: "123456789012", AccessKeyID: "test", SecretAccessKey: tt.secret},
				{ID: "111111111111", AccessKeyID: "KEYB", SecretAccessKey: "SECRETB"}}}
		var out bytes.Buffer
		banner(&out, cfg, "127.0.0.1:4566", srv, false)
		if !strings.Contains(out.String(), tt.want) || !strings.Contains(out.String(), "more accounts: 111111111111 (key KEYB)") ||
			strings.Contains(out.String(), "SECRETB") || (tt.secret != "test" && strings.Contains(out.String(), tt.secret)) {
			t.Errorf("banner:\n%s", out.String())
		}
	}
}
