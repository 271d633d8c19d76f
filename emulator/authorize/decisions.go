package authorize

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/authz"
)

// Decision is one recorded authorization decision.
type Decision struct {
	Time      time.Time          `json:"time"`
	RequestID string             `json:"requestId"`
	Service   string             `json:"service"` // the service's SigV4 signing name
	Operation string             `json:"operation"`
	Principal string             `json:"principal"`
	Action    string             `json:"action"`
	Resource  string             `json:"resource"`
	Decision  string             `json:"decision"`            // Allow, ImplicitDeny, ExplicitDeny
	DecidedBy string             `json:"decidedBy,omitempty"` // policy type that decided
	Matched   []MatchedStatement `json:"matched"`
	Missing   []string           `json:"missingContextKeys,omitempty"`
	Mode      string             `json:"mode"`
	Message   string             `json:"message,omitempty"` // the AccessDenied text for denials
	// Evaluated names the policy types that took part (identity, boundary, session, resource,
	// trust), whether or not one of their statements matched; none for the account's root.
	Evaluated []string `json:"evaluated,omitempty"`
	// CrossAccount, for a resource of another account, is what each side decided: both must
	// allow, and the message names the side as AWS words it, which may not be the one that
	// refused.
	CrossAccount *CrossAccount `json:"crossAccount,omitempty"`
	// PolicyFindings is what the policy lint found in the document the request stored (IAM
	// stores it regardless, as AWS does); see Annotate.
	PolicyFindings []string `json:"policyFindings,omitempty"`
}

// CrossAccount is the two sides of a decision on another account's resource.
type CrossAccount struct {
	Owner    string `json:"owner"`    // the resource's account
	Identity string `json:"identity"` // the caller's policies: Allow, ImplicitDeny or ExplicitDeny
	Resource string `json:"resource"` // the owner's resource-based policy
}

// MatchedStatement names one statement that matched.
type MatchedStatement struct {
	Policy string `json:"policy"`
	Type   string `json:"type"`
	Index  int    `json:"index"`
	Sid    string `json:"sid,omitempty"`
	Effect string `json:"effect"`
}

// evaluatedTypes names the policy types of set that a request of p is decided on. Identity
// policies take part for every principal but the root, even when it has none: their absence is
// what "no identity-based policy allows" reports.
func evaluatedTypes(p authz.Principal, set authz.PolicySet) []string {
	var out []string
	if !p.IsRoot {
		out = append(out, authz.KindIdentity.String())
	}
	if set.Boundary != nil {
		out = append(out, authz.KindBoundary.String())
	}
	if set.HasSession {
		out = append(out, authz.KindSession.String())
	}
	for _, r := range set.Resource {
		if k := r.Policy.Kind.String(); !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	return out
}

// DecisionLog keeps the most recent decisions in a ring and fans new ones out to followers.
// Every decision gets a sequence number, counted from 1 since the log was made and never
// reused (not even by Clear), which the event stream sends as its event id.
type DecisionLog struct {
	mu   sync.Mutex
	ring []entry
	next int
	full bool
	seq  uint64
	subs map[chan entry]struct{}
	// keepAlive is how often an idle event stream sends a comment, so that proxies and the
	// browser keep it open and a client gone away is noticed.
	keepAlive time.Duration
}

type entry struct {
	seq uint64
	d   Decision
}

// ForRequest returns the recorded decisions of one request, oldest first.
func (l *DecisionLog) ForRequest(requestID string) []Decision {
	var out []Decision
	for _, d := range l.Snapshot() {
		if d.RequestID == requestID {
			out = append(out, d)
		}
	}
	return out
}

// NewDecisionLog keeps at most size decisions.
func NewDecisionLog(size int) *DecisionLog {
	if size <= 0 {
		size = 1000
	}
	return &DecisionLog{ring: make([]entry, size), subs: map[chan entry]struct{}{}, keepAlive: 15 * time.Second}
}

// Add records d; a follower too slow to keep up misses decisions rather than slowing requests.
func (l *DecisionLog) Add(d Decision) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.seq++
	e := entry{seq: l.seq, d: d}
	l.ring[l.next] = e
	l.next = (l.next + 1) % len(l.ring)
	if l.next == 0 {
		l.full = true
	}
	for ch := range l.subs {
		select {
		case ch <- e:
		default:
		}
	}
}

// Snapshot returns the recorded decisions, oldest first.
func (l *DecisionLog) Snapshot() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	entries := l.entriesLocked()
	out := make([]Decision, len(entries))
	for i, e := range entries {
		out[i] = e.d
	}
	return out
}

// entriesLocked returns the ring's entries, oldest first; l.mu is held.
func (l *DecisionLog) entriesLocked() []entry {
	if !l.full {
		return append([]entry(nil), l.ring[:l.next]...)
	}
	return append(append([]entry(nil), l.ring[l.next:]...), l.ring[:l.next]...)
}

// Clear forgets every decision.
func (l *DecisionLog) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.ring)
	l.next, l.full = 0, false
}

// subscribe registers a follower. It also returns, taken under the same lock so that none is
// missed or sent twice, the recorded decisions numbered after since.
func (l *DecisionLog) subscribe(since uint64) ([]entry, chan entry) {
	ch := make(chan entry, 256)
	l.mu.Lock()
	defer l.mu.Unlock()
	l.subs[ch] = struct{}{}
	var backlog []entry
	for _, e := range l.entriesLocked() {
		if e.seq > since {
			backlog = append(backlog, e)
		}
	}
	return backlog, ch
}

func (l *DecisionLog) unsubscribe(ch chan entry) {
	l.mu.Lock()
	delete(l.subs, ch)
	l.mu.Unlock()
}

// ServeHTTP answers GET /_iamlocal/decisions with {"decisions":[...]}. With ?follow=true it
// streams newline-delimited JSON decisions as they happen until the client goes away. A client
// that accepts text/event-stream (EventSource does) gets server-sent events instead: the
// recorded decisions, then new ones as they happen.
func (l *DecisionLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case acceptsEventStream(r.Header.Values("Accept")):
		l.serveEvents(w, r)
	case r.URL.Query().Get("follow") == "true":
		l.serveFollow(w, r)
	default:
		body, err := json.Marshal(map[string]any{"decisions": l.Snapshot()})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(body, '\n'))
	}
}

// acceptsEventStream reports an Accept header that names text/event-stream.
func acceptsEventStream(accept []string) bool {
	for _, header := range accept {
		for _, part := range strings.Split(header, ",") {
			if mt, _, err := mime.ParseMediaType(strings.TrimSpace(part)); err == nil && mt == "text/event-stream" {
				return true
			}
		}
	}
	return false
}

func (l *DecisionLog) serveFollow(w http.ResponseWriter, r *http.Request) {
	flusher, _ := w.(http.Flusher)
	_, ch := l.subscribe(^uint64(0)) // new decisions only
	defer l.unsubscribe(ch)
	w.Header().Set("Content-Type", "application/x-ndjson")
	w.WriteHeader(http.StatusOK)
	if flusher != nil {
		flusher.Flush()
	}
	enc := json.NewEncoder(w)
	for {
		select {
		case <-r.Context().Done():
			return
		case e := <-ch:
			if err := enc.Encode(e.d); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

// serveEvents streams decisions as server-sent events (HTML Living Standard, "Server-sent
// events"): one event a decision, its id the decision's sequence number and its data the
// decision's JSON on one line. A reconnecting EventSource sends the last id it saw as
// Last-Event-ID and gets only the decisions after it that the ring still holds.
func (l *DecisionLog) serveEvents(w http.ResponseWriter, r *http.Request) {
	since, _ := strconv.ParseUint(strings.TrimSpace(r.Header.Get("Last-Event-ID")), 10, 64)
	backlog, ch := l.subscribe(since)
	defer l.unsubscribe(ch)
	rc := http.NewResponseController(w)
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	// A stream lives longer than the listener's write timeout allows a response.
	_ = rc.SetWriteDeadline(time.Time{})
	if _, err := io.WriteString(w, "retry: 2000\n\n"); err != nil {
		return
	}
	for _, e := range backlog {
		if writeEvent(w, e) != nil {
			return
		}
	}
	_ = rc.Flush()
	tick := time.NewTicker(l.keepAlive)
	defer tick.Stop()
	for {
		var err error
		select {
		case <-r.Context().Done():
			return
		case e := <-ch:
			err = writeEvent(w, e)
		case <-tick.C:
			_, err = io.WriteString(w, ": keep-alive\n\n")
		}
		if err != nil || rc.Flush() != nil {
			return
		}
	}
}

// writeEvent writes one decision as an event; json.Marshal leaves no newline in the data.
func writeEvent(w io.Writer, e entry) error {
	data, err := json.Marshal(e.d)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "id: %d\ndata: %s\n\n", e.seq, data)
	return err
}
