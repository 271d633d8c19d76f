package authorize

import (
	"encoding/json"
	"net/http"
	"sync"
	"time"
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
	// CrossAccount, for a resource of another account, is what each side decided: both must
	// allow, and the message names the side as AWS words it, which may not be the one that
	// refused.
	CrossAccount *CrossAccount `json:"crossAccount,omitempty"`
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

// DecisionLog keeps the most recent decisions in a ring and fans new ones out to followers.
type DecisionLog struct {
	mu   sync.Mutex
	ring []Decision
	next int
	full bool
	subs map[chan Decision]struct{}
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
	return &DecisionLog{ring: make([]Decision, size), subs: map[chan Decision]struct{}{}}
}

// Add records d; a follower too slow to keep up misses decisions rather than slowing requests.
func (l *DecisionLog) Add(d Decision) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = d
	l.next = (l.next + 1) % len(l.ring)
	if l.next == 0 {
		l.full = true
	}
	for ch := range l.subs {
		select {
		case ch <- d:
		default:
		}
	}
}

// Snapshot returns the recorded decisions, oldest first.
func (l *DecisionLog) Snapshot() []Decision {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.full {
		return append([]Decision(nil), l.ring[:l.next]...)
	}
	return append(append([]Decision(nil), l.ring[l.next:]...), l.ring[:l.next]...)
}

// Clear forgets every decision.
func (l *DecisionLog) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	clear(l.ring)
	l.next, l.full = 0, false
}

func (l *DecisionLog) subscribe() chan Decision {
	ch := make(chan Decision, 256)
	l.mu.Lock()
	l.subs[ch] = struct{}{}
	l.mu.Unlock()
	return ch
}

func (l *DecisionLog) unsubscribe(ch chan Decision) {
	l.mu.Lock()
	delete(l.subs, ch)
	l.mu.Unlock()
}

// ServeHTTP answers GET /_iamlocal/decisions with {"decisions":[...]}; with ?follow=true it
// streams newline-delimited JSON decisions as they happen until the client goes away.
func (l *DecisionLog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("follow") != "true" {
		body, err := json.Marshal(map[string]any{"decisions": l.Snapshot()})
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(append(body, '\n'))
		return
	}
	flusher, _ := w.(http.Flusher)
	ch := l.subscribe()
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
		case d := <-ch:
			if err := enc.Encode(d); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}
