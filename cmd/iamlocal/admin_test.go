package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
)

var (
	anyListenRE = regexp.MustCompile(`listening on http://\S+:(\d+) `)
	tokenRE     = regexp.MustCompile(`generated token .*: Authorization: Bearer ([0-9a-f]{48})\n$`)
)

// serveForTest runs the command with args and getenv until the test ends; it returns the
// port, the banner lines printed after the first, and a function that stops the server and
// returns everything else it printed.
func serveForTest(t *testing.T, args []string, env map[string]string, extraLines int) (port string, lines []string, stop func() string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, args, func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
	}()
	out := bufio.NewReader(pr)
	first, err := out.ReadString('\n')
	m := anyListenRE.FindStringSubmatch(first)
	if err != nil || m == nil {
		cancel()
		t.Fatalf("startup line %q: %v", first, err)
	}
	for range extraLines {
		line, err := out.ReadString('\n')
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	rest := make(chan string, 1)
	go func() {
		b, _ := io.ReadAll(out)
		rest <- string(b)
	}()
	var once sync.Once
	var printed string
	stop = func() string {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("run = %v", err)
			}
			printed = <-rest
		})
		return printed
	}
	t.Cleanup(func() { stop() })
	return m[1], lines, stop
}

func postReset(t *testing.T, port, token string) int {
	t.Helper()
	req, _ := http.NewRequest("POST", "http://127.0.0.1:"+port+"/moto-api/reset", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// Listening beyond loopback (as in a container), the admin endpoints need a token: one is
// generated and printed at start unless IAMLOCAL_ADMIN_TOKEN (or -admin-token) chooses it.
// On loopback, scripts reset without one.
func TestAdminTokenOffLoopback(t *testing.T) {
	t.Parallel()
	t.Run("generated and printed", func(t *testing.T) {
		t.Parallel()
		port, lines, _ := serveForTest(t, []string{"-addr", "0.0.0.0:0", "-data-dir", t.TempDir()}, nil, 1)
		m := tokenRE.FindStringSubmatch(lines[0])
		if m == nil {
			t.Fatalf("no generated token in %q", lines[0])
		}
		if got := postReset(t, port, ""); got != http.StatusUnauthorized {
			t.Errorf("unsigned reset = %d, want 401", got)
		}
		if got := postReset(t, port, m[1]); got != http.StatusOK {
			t.Errorf("reset with the printed token = %d", got)
		}
	})
	t.Run("chosen by the environment", func(t *testing.T) {
		t.Parallel()
		port, _, stop := serveForTest(t, []string{"-addr", "0.0.0.0:0", "-data-dir", t.TempDir()},
			map[string]string{"IAMLOCAL_ADMIN_TOKEN": "chosen-token"}, 0)
		if got := postReset(t, port, "chosen-token"); got != http.StatusOK {
			t.Errorf("reset with IAMLOCAL_ADMIN_TOKEN = %d", got)
		}
		if got := postReset(t, port, ""); got != http.StatusUnauthorized {
			t.Errorf("unsigned reset = %d, want 401", got)
		}
		if rest := stop(); strings.Contains(rest, "token") {
			t.Errorf("a chosen token is printed: %q", rest)
		}
	})
	t.Run("loopback", func(t *testing.T) {
		t.Parallel()
		port, _, stop := serveForTest(t, []string{"-addr", "127.0.0.1:0", "-data-dir", t.TempDir()}, nil, 0)
		if got := postReset(t, port, ""); got != http.StatusOK {
			t.Errorf("unsigned reset on loopback = %d", got)
		}
		if rest := stop(); strings.Contains(rest, "token") {
			t.Errorf("a loopback server prints a token: %q", rest)
		}
	})
}
