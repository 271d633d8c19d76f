package emulator

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamlocal/iamlocal/emulator/lambda"
)

// outcome is what an API request came to: its status, and whether the authorizer denied it.
type outcome struct {
	status     int
	authorized bool // the authorizer decided (allowed or denied)
	denied     bool
}

// observe writes the request's log line and counts it in the metrics.
func (s *Server) observe(c *call, start time.Time) {
	d := s.clock().Sub(start)
	op := c.info.Operation
	if op == "" {
		op = "-"
	}
	decision := "" // not decided: unsigned, unrouted or refused before authorization
	switch {
	case c.out.denied:
		decision = "deny"
	case c.out.authorized:
		decision = "allow"
	}
	s.counters.request(c.svc.name, op, c.out, d)
	ctx := context.Background()
	if !s.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	debug := s.log.Enabled(ctx, slog.LevelDebug)
	if lh, ok := s.log.Handler().(*LogHandler); ok && !debug {
		lh.writeRequest(time.Now(), requestLine{service: c.svc.name, operation: op, principal: c.info.Caller.ARN,
			status: c.out.status, decision: decision, duration: d, requestID: c.info.RequestID})
		return
	}
	attrs := []slog.Attr{slog.String("service", c.svc.name), slog.String("operation", op),
		slog.String("principal", c.info.Caller.ARN), slog.Int("status", c.out.status),
		slog.String("decision", decision), slog.Duration("duration", d), slog.String("request_id", c.info.RequestID)}
	if debug {
		// The statements that decided, never the request's secrets or bodies.
		for _, dec := range s.authz.Log().ForRequest(c.info.RequestID) {
			attrs = append(attrs, slog.Group("check", "action", dec.Action, "resource", dec.Resource,
				"decision", dec.Decision, "decided_by", dec.DecidedBy, "matched", fmt.Sprint(dec.Matched)))
		}
	}
	// What LogAttrs does, but for the call stack it walks on every call to name its caller,
	// which is always this function: its place is found once.
	pc := s.requestLogPC.Load()
	if pc == 0 {
		var pcs [1]uintptr
		runtime.Callers(1, pcs[:])
		pc = pcs[0]
		s.requestLogPC.Store(pc)
	}
	r := slog.NewRecord(time.Now(), slog.LevelInfo, "request", pc)
	r.AddAttrs(attrs...)
	_ = s.log.Handler().Handle(ctx, r)
}

// serverMetrics are the counters /metrics serves in Prometheus' text format.
type serverMetrics struct {
	mu        sync.Mutex
	requests  map[requestKey]*atomic.Uint64
	latency   map[string]*histogram // by service
	decisions [2]atomic.Uint64      // allow, deny
	invokes   atomic.Uint64
	errors    atomic.Uint64 // function errors
	throttles atomic.Uint64
	cold      atomic.Uint64 // invocations that started an execution environment
}

type requestKey struct {
	service, op string
	status      int
}

// latencyBuckets are the upper bounds, in seconds, of the request latency histogram.
var latencyBuckets = [...]float64{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

type histogram struct {
	counts [len(latencyBuckets) + 1]atomic.Uint64
	sumNS  atomic.Uint64
}

func (m *serverMetrics) request(service, op string, out *outcome, d time.Duration) {
	key := requestKey{service, op, out.status}
	m.mu.Lock()
	if m.requests == nil {
		m.requests, m.latency = map[requestKey]*atomic.Uint64{}, map[string]*histogram{}
	}
	n := m.requests[key]
	if n == nil {
		n = new(atomic.Uint64)
		m.requests[key] = n
	}
	h := m.latency[service]
	if h == nil {
		h = new(histogram)
		m.latency[service] = h
	}
	m.mu.Unlock()
	n.Add(1)
	i := sort.SearchFloat64s(latencyBuckets[:], d.Seconds())
	h.counts[i].Add(1)
	h.sumNS.Add(uint64(max(d, 0)))
	switch {
	case out.denied:
		m.decisions[1].Add(1)
	case out.authorized:
		m.decisions[0].Add(1)
	}
}

// invoked counts an invocation: a throttled one never ran, so it is no invocation (as AWS/Lambda's
// Invocations leaves throttles out).
func (m *serverMetrics) invoked(inv lambda.Invoked) {
	if inv.Throttled {
		m.throttles.Add(1)
		return
	}
	m.invokes.Add(1)
	if inv.Error {
		m.errors.Add(1)
	}
	if inv.Cold {
		m.cold.Add(1)
	}
}

// serveMetrics answers GET /metrics (Prometheus text exposition format 0.0.4).
func (s *Server) serveMetrics(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	m := &s.counters
	m.mu.Lock()
	keys := make([]requestKey, 0, len(m.requests))
	for k := range m.requests {
		keys = append(keys, k)
	}
	services := make([]string, 0, len(m.latency))
	for svc := range m.latency {
		services = append(services, svc)
	}
	m.mu.Unlock()
	sort.Slice(keys, func(i, j int) bool {
		a, c := keys[i], keys[j]
		return a.service < c.service || a.service == c.service && (a.op < c.op || a.op == c.op && a.status < c.status)
	})
	sort.Strings(services)
	b.WriteString("# HELP iamlocal_requests_total API requests by service, operation and HTTP status.\n# TYPE iamlocal_requests_total counter\n")
	for _, k := range keys {
		m.mu.Lock()
		n := m.requests[k].Load()
		m.mu.Unlock()
		fmt.Fprintf(&b, "iamlocal_requests_total{service=%q,operation=%q,status=\"%d\"} %d\n", k.service, k.op, k.status, n)
	}
	b.WriteString("# HELP iamlocal_request_duration_seconds API request latency by service.\n# TYPE iamlocal_request_duration_seconds histogram\n")
	for _, svc := range services {
		m.mu.Lock()
		h := m.latency[svc]
		m.mu.Unlock()
		var cum uint64
		for i, le := range latencyBuckets {
			cum += h.counts[i].Load()
			fmt.Fprintf(&b, "iamlocal_request_duration_seconds_bucket{service=%q,le=\"%g\"} %d\n", svc, le, cum)
		}
		cum += h.counts[len(latencyBuckets)].Load()
		fmt.Fprintf(&b, "iamlocal_request_duration_seconds_bucket{service=%q,le=\"+Inf\"} %d\n", svc, cum)
		fmt.Fprintf(&b, "iamlocal_request_duration_seconds_sum{service=%q} %g\n", svc, float64(h.sumNS.Load())/1e9)
		fmt.Fprintf(&b, "iamlocal_request_duration_seconds_count{service=%q} %d\n", svc, cum)
	}
	b.WriteString("# HELP iamlocal_decisions_total Authorization outcomes of API requests.\n# TYPE iamlocal_decisions_total counter\n")
	fmt.Fprintf(&b, "iamlocal_decisions_total{decision=\"allow\"} %d\niamlocal_decisions_total{decision=\"deny\"} %d\n",
		m.decisions[0].Load(), m.decisions[1].Load())
	b.WriteString("# HELP iamlocal_lambda_invocations_total Lambda invocations run, and those that ended in a function error.\n# TYPE iamlocal_lambda_invocations_total counter\n")
	fmt.Fprintf(&b, "iamlocal_lambda_invocations_total{result=\"success\"} %d\niamlocal_lambda_invocations_total{result=\"error\"} %d\n",
		m.invokes.Load()-m.errors.Load(), m.errors.Load())
	b.WriteString("# HELP iamlocal_lambda_throttles_total Lambda invocations refused for want of concurrency.\n# TYPE iamlocal_lambda_throttles_total counter\n")
	fmt.Fprintf(&b, "iamlocal_lambda_throttles_total %d\n", m.throttles.Load())
	b.WriteString("# HELP iamlocal_lambda_cold_starts_total Lambda invocations that started a new execution environment.\n# TYPE iamlocal_lambda_cold_starts_total counter\n")
	fmt.Fprintf(&b, "iamlocal_lambda_cold_starts_total %d\n", m.cold.Load())
	running, idle := s.exec.Sandboxes()
	b.WriteString("# HELP iamlocal_lambda_sandboxes Execution environments alive, busy with an invocation or idle.\n# TYPE iamlocal_lambda_sandboxes gauge\n")
	fmt.Fprintf(&b, "iamlocal_lambda_sandboxes{state=\"busy\"} %d\niamlocal_lambda_sandboxes{state=\"idle\"} %d\n", running-idle, idle)
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}
