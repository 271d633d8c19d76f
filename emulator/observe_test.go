package emulator

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// syncBuffer is a log destination safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// One log line per API request at info (service, operation, principal, status, decision,
// duration), the deciding statements at debug, and /metrics counting requests, latency and
// decisions in Prometheus' text format.
func TestRequestLogLineAndMetrics(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv, err := newServer(Options{DBPath: filepath.Join(t.TempDir(), "db"),
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	var keys aws.Credentials // ann's, from CreateAccessKey
	iam := func(creds aws.Credentials, form string) int {
		req, _ := http.NewRequest("POST", hs.URL+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sign(t, req, creds, "iam", form)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if form == "Action=CreateAccessKey&Version=2010-05-08&UserName=ann" {
			keys = aws.Credentials{AccessKeyID: between(string(body), "<AccessKeyId>", "<"), SecretAccessKey: between(string(body), "<SecretAccessKey>", "<")}
		}
		return resp.StatusCode
	}
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	iam(root, "Action=CreateUser&Version=2010-05-08&UserName=ann")
	iam(root, "Action=CreateAccessKey&Version=2010-05-08&UserName=ann")
	if got := iam(keys, "Action=ListRoles&Version=2010-05-08"); got != 403 {
		t.Fatalf("ann ListRoles = %d", got)
	}
	text := logs.String()
	for _, want := range []string{
		`"msg":"request","service":"iam","operation":"CreateUser","principal":"arn:aws:iam::123456789012:root","status":200,"decision":"allow"`,
		`"msg":"request","service":"iam","operation":"ListRoles","principal":"arn:aws:iam::123456789012:user/ann","status":403,"decision":"deny"`,
		`"check":{"action":"iam:ListRoles","resource":"arn:aws:iam::123456789012:role/","decision":"ImplicitDeny"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("log lacks %s\n%s", want, text)
		}
	}
	if strings.Contains(text, keys.SecretAccessKey) {
		t.Error("a secret reached the log")
	}
	resp, err := http.Get(hs.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`iamlocal_requests_total{service="iam",operation="CreateUser",status="200"} 1`,
		`iamlocal_requests_total{service="iam",operation="ListRoles",status="403"} 1`,
		`iamlocal_request_duration_seconds_count{service="iam"} 3`,
		`iamlocal_decisions_total{decision="allow"} 2`,
		`iamlocal_decisions_total{decision="deny"} 1`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s\n%s", want, body)
		}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("content type %q", ct)
	}
}

// A request's line names where it was logged from, for a handler that reports its source, on
// the first request and on the next.
func TestRequestLogLineSource(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv, err := newServer(Options{DBPath: filepath.Join(t.TempDir(), "db"),
		Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{AddSource: true}))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	for range 2 {
		form := "Action=GetUser&Version=2010-05-08"
		req := httptest.NewRequest("POST", "http://127.0.0.1/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sign(t, req, root, "iam", form)
		h.ServeHTTP(httptest.NewRecorder(), req)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var requests int
	for _, line := range lines {
		if !strings.Contains(line, `"msg":"request"`) {
			continue
		}
		requests++
		if !strings.Contains(line, `"function":"github.com/iamlocal/iamlocal/emulator.(*Server).observe"`) ||
			!strings.Contains(line, `observe.go"`) {
			t.Errorf("request line without its source: %s", line)
		}
	}
	if requests != 2 {
		t.Errorf("%d request lines, want 2:\n%s", requests, logs.String())
	}
}
