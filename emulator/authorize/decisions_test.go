package authorize

import (
	"bufio"
	"context"
	"flag"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/authz"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != string(want) {
		t.Errorf("%s differs:\n got %q\nwant %q", name, got, want)
	}
}

// sampleDecision is a denial as the authorizer records it, at a fixed time.
func sampleDecision(requestID string) Decision {
	return Decision{Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), RequestID: requestID, Service: "iam",
		Operation: "CreateUser", Principal: "arn:aws:iam::123456789012:user/alice", Action: "iam:CreateUser",
		Resource: "arn:aws:iam::123456789012:user/bob", Decision: "ImplicitDeny", DecidedBy: "identity",
		Matched: []MatchedStatement{}, Mode: "on", Evaluated: []string{"identity"},
		Message: "User: arn:aws:iam::123456789012:user/alice is not authorized to perform: iam:CreateUser on resource: arn:aws:iam::123456789012:user/bob because no identity-based policy allows the iam:CreateUser action"}
}

// eventReader reads server-sent events from a stream, one event (its lines) at a time.
type eventReader struct{ r *bufio.Reader }

// next returns the raw bytes of the next block up to and including its blank line.
func (e eventReader) next(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	for {
		line, err := e.r.ReadString('\n')
		if err != nil {
			t.Fatalf("event stream ended: %v (read %q)", err, b.String())
		}
		b.WriteString(line)
		if line == "\n" {
			return b.String()
		}
	}
}

func openEvents(t *testing.T, url, lastEventID string) (*http.Response, eventReader) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "text/event-stream")
	if lastEventID != "" {
		req.Header.Set("Last-Event-ID", lastEventID)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, eventReader{bufio.NewReader(resp.Body)}
}

// An EventSource gets the recorded decisions as events numbered from 1, then new ones as they
// are made; reconnecting with Last-Event-ID it gets only what came after that event.
func TestDecisionEvents(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		lastEventID string
		replayed    int // recorded decisions sent before the live one
		golden      string
	}{
		{"from the start", "", 3, "events_all.txt"},
		{"after event 2", "2", 1, "events_after_2.txt"},
		{"after every recorded one", "3", 0, "events_after_3.txt"},
		{"unreadable id replays all", "x", 3, "events_all.txt"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l := NewDecisionLog(10)
			for _, id := range []string{"r1", "r2", "r3"} {
				l.Add(sampleDecision(id))
			}
			srv := httptest.NewServer(l)
			t.Cleanup(srv.Close) // after the stream's own cleanups, which end its handler
			resp, events := openEvents(t, srv.URL, tc.lastEventID)
			if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" || resp.Header.Get("Cache-Control") != "no-store" {
				t.Fatalf("headers %v", resp.Header)
			}
			var got strings.Builder
			got.WriteString(events.next(t)) // retry
			for range tc.replayed {
				got.WriteString(events.next(t))
			}
			l.Add(sampleDecision("live"))
			got.WriteString(events.next(t))
			golden(t, tc.golden, []byte(got.String()))
		})
	}
}

// Sequence numbers go on across Clear (a reset), so a client reconnecting after one is not sent
// events it has already seen, and a ring that wrapped replays what it still holds.
func TestDecisionEventsAcrossClearAndWrap(t *testing.T) {
	t.Parallel()
	l := NewDecisionLog(2)
	for _, id := range []string{"a", "b", "c"} {
		l.Add(sampleDecision(id))
	}
	backlog, ch := l.subscribe(0)
	l.unsubscribe(ch)
	if len(backlog) != 2 || backlog[0].seq != 2 || backlog[0].d.RequestID != "b" || backlog[1].seq != 3 {
		t.Fatalf("wrapped backlog %+v", backlog)
	}
	l.Clear()
	l.Add(sampleDecision("d"))
	backlog, ch = l.subscribe(3)
	l.unsubscribe(ch)
	if len(backlog) != 1 || backlog[0].seq != 4 || backlog[0].d.RequestID != "d" {
		t.Fatalf("after Clear %+v", backlog)
	}
}

func TestAcceptsEventStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		accept []string
		want   bool
	}{
		{[]string{"text/event-stream"}, true},
		{[]string{"text/html, text/event-stream;q=0.9"}, true},
		{[]string{"application/json", "TEXT/EVENT-STREAM"}, true},
		{nil, false},
		{[]string{"*/*"}, false}, // curl's default keeps the JSON answer
		{[]string{"application/x-ndjson"}, false},
		{[]string{"text/event-streams"}, false},
	}
	for _, tc := range tests {
		if got := acceptsEventStream(tc.accept); got != tc.want {
			t.Errorf("acceptsEventStream(%q) = %v, want %v", tc.accept, got, tc.want)
		}
	}
}

func TestEvaluatedTypes(t *testing.T) {
	t.Parallel()
	compile := func(doc string, kind authz.Kind) authz.Named {
		p, err := authz.Parse(doc, kind)
		if err != nil {
			t.Fatal(err)
		}
		return authz.Named{Name: "p", Policy: p}
	}
	allow := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"sts:AssumeRole"}]}`
	resource := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"lambda:InvokeFunction","Resource":"*"}]}`
	boundary := compile(allow, authz.KindBoundary)
	user := authz.Principal{ARN: "arn:aws:iam::123456789012:user/alice"}
	tests := []struct {
		name string
		p    authz.Principal
		set  authz.PolicySet
		want []string
	}{
		{"root", authz.Principal{IsRoot: true}, authz.PolicySet{}, nil},
		{"user without policies", user, authz.PolicySet{}, []string{"identity"}},
		{"boundary and session", user, authz.PolicySet{Identity: []authz.Named{compile(allow, authz.KindIdentity)}, Boundary: &boundary, HasSession: true},
			[]string{"identity", "boundary", "session"}},
		{"function policies", user, authz.PolicySet{Resource: []authz.Named{compile(resource, authz.KindResource), compile(resource, authz.KindResource)}},
			[]string{"identity", "resource"}},
		{"trust policy", user, authz.PolicySet{Resource: []authz.Named{compile(trust, authz.KindTrust)}}, []string{"identity", "trust"}},
	}
	for _, tc := range tests {
		if got := evaluatedTypes(tc.p, tc.set); !slices.Equal(got, tc.want) {
			t.Errorf("%s: evaluatedTypes = %q, want %q", tc.name, got, tc.want)
		}
	}
}
