package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/iamlocal/iamlocal/storage"
)

// asMain runs the real main in a child process (see TestMain) and returns its output and
// exit code.
func asMain(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(os.Environ(), "IAMLOCAL_TEST_AS_MAIN=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return out.String(), errOut.String(), code
}

// sampleData writes a database with enough records to fill pages of their own.
func sampleData(t *testing.T) (dir, path string) {
	t.Helper()
	dir = t.TempDir()
	path = filepath.Join(dir, "iamlocal.db")
	db, err := storage.Open(path, storage.Options{})
	if err != nil {
		t.Fatal(err)
	}
	type record struct {
		V    int    `json:"v"`
		Name string `json:"name"`
	}
	err = db.Update("123456789012", func(tx *storage.Tx) error {
		for i := range 300 {
			if err := storage.AccountTable[record](tx, "things").Put(fmt.Sprintf("k%04d", i), record{V: 1, Name: strings.Repeat("x", 200)}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, path
}

// garbleMiddlePage writes random bytes over a page in the middle of the file that holds data.
func garbleMiddlePage(t *testing.T, path string) {
	t.Helper()
	b, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	var off int64
	_ = b.View(func(tx *bolt.Tx) error {
		things := tx.Bucket([]byte("accounts")).Bucket([]byte("123456789012")).Bucket([]byte("things"))
		off = int64(things.Root()) * int64(b.Info().PageSize)
		return nil
	})
	b.Close()
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteAt([]byte("\x93\x1f\xa0\x07 random bytes in the middle \xee\x01\x02\x03\xfe\xff"), off); err != nil {
		t.Fatal(err)
	}
}

// A damaged database stops the server at start with a message naming the file and what to do,
// not a stack trace; `iamlocal db check` prints the damage and fails.
func TestStartOnDamagedDatabase(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		damage func(t *testing.T, path string)
	}{
		{"truncated to half", func(t *testing.T, path string) {
			info, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, info.Size()/2); err != nil {
				t.Fatal(err)
			}
		}},
		{"garbage in the middle", garbleMiddlePage},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir, path := sampleData(t)
			tc.damage(t, path)
			_, stderr, code := asMain(t, "-addr", "127.0.0.1:0", "-data-dir", dir)
			for _, want := range []string{"iamlocal: storage: " + path + " is damaged: ", "Move it aside (mv " + path + " " + path + ".damaged)",
				"`iamlocal db check -data-dir " + dir + "` prints what is wrong"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("start: stderr lacks %q:\n%s", want, stderr)
				}
			}
			if code == 0 || strings.Contains(stderr, "goroutine ") || strings.Contains(stderr, "listening") {
				t.Errorf("start: exit %d, stderr:\n%s", code, stderr)
			}
			stdout, stderr, code := asMain(t, "db", "check", "-data-dir", dir)
			if code == 0 || !strings.HasPrefix(stdout, path+" is damaged:\n  ") || !strings.Contains(stderr, "problems found") {
				t.Errorf("db check: exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
			}
		})
	}
}

func TestDBCheckOfSoundDatabase(t *testing.T) {
	t.Parallel()
	dir, path := sampleData(t)
	stdout, stderr, code := asMain(t, "db", "check", "-data-dir", dir)
	if code != 0 || stdout != path+": ok (every page reads; bbolt's consistency check finds nothing)\n" {
		t.Fatalf("db check: exit %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	// The environment names the data directory when the flag does not.
	var out bytes.Buffer
	if err := run(context.Background(), []string{"db", "check"}, func(k string) string {
		if k == "IAMLOCAL_DATA_DIR" {
			return dir
		}
		return ""
	}, &out, io.Discard); err != nil || !strings.HasSuffix(out.String(), ": ok (every page reads; bbolt's consistency check finds nothing)\n") {
		t.Fatalf("db check from the environment: %v %q", err, out.String())
	}
	for _, args := range [][]string{{"db"}, {"db", "fix"}, {"db", "check", "extra"}} {
		if err := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard); err == nil {
			t.Errorf("%q succeeded", args)
		}
	}
}

// A second server on the same data directory says another iamlocal holds it (bbolt's own
// word was "timeout"), and `db check` refuses to read a file a server holds.
func TestSecondServerOnSameDataDir(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-data-dir", dir}, func(string) string { return "" }, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	path := filepath.Join(dir, "iamlocal.db")
	_, stderr, code := asMain(t, "-addr", "127.0.0.1:0", "-data-dir", dir)
	want := "iamlocal: storage: " + path + " is in use by another iamlocal (bbolt lock held); stop it or choose another -data-dir\n"
	if code == 0 || !strings.HasSuffix(stderr, want) {
		t.Errorf("second server: exit %d, stderr:\n%s\nwant it to end with %q", code, stderr, want)
	}
	_, stderr, code = asMain(t, "db", "check", "-data-dir", dir)
	if code == 0 || !strings.Contains(stderr, "is in use by another iamlocal (bbolt lock held); stop it to check the file") {
		t.Errorf("db check of a held file: exit %d, stderr:\n%s", code, stderr)
	}
}
