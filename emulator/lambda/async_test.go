package lambda

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/storage"
)

// asyncEnv is an env whose service runs on a clock the test moves, with a function f whose
// invocations follow script and a function sink that takes destination records.
type asyncEnv struct {
	*env
	clock    *fakeClock
	runner   *scriptRunner
	mu       sync.Mutex
	attempts []time.Time // when f was invoked
	metrics  []Metric
	records  []Invoked
	logLines []string
}

func newAsyncEnv(t *testing.T, script func(fn executor.Function, n int) (executor.Result, error)) *asyncEnv {
	t.Helper()
	a := &asyncEnv{clock: newFakeClock(testNow)}
	a.runner = &scriptRunner{script: func(fn executor.Function, inv executor.Invocation, n int) (executor.Result, error) {
		if fn.Name != "f" || script == nil {
			return executor.Result{Payload: []byte(`"ok"`), ExecutedVersion: fn.Version}, nil
		}
		a.mu.Lock()
		a.attempts = append(a.attempts, a.clock.Now())
		a.mu.Unlock()
		return script(fn, n)
	}}
	a.env = newEnvWith(t, func(o *Options) {
		o.Clock, o.After = a.clock.Now, a.clock.After
		o.Invoke.Runner = a.runner
		o.Invoke.Metric = func(m Metric) { a.mu.Lock(); a.metrics = append(a.metrics, m); a.mu.Unlock() }
		o.Invoke.Record = func(i Invoked) { a.mu.Lock(); a.records = append(a.records, i); a.mu.Unlock() }
		o.Invoke.Log = func(account, region, group, stream string, _ time.Time, line string) {
			a.mu.Lock()
			a.logLines = append(a.logLines, group+" "+line)
			a.mu.Unlock()
		}
	})
	a.create("f")
	a.create("sink")
	return a
}

// invokeEvent queues payload for f as request id.
func (a *asyncEnv) invokeEvent(id, payload string) {
	a.t.Helper()
	ctx := reqctx.With(context.Background(), &reqctx.Info{Now: a.clock.Now(), Region: region, Service: "lambda", RequestID: id,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}})
	out, err := a.s.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("f"), InvocationType: ptr("Event"), Payload: []byte(payload)})
	ok(a.t, err)
	if *out.StatusCode != 202 {
		a.t.Fatalf("status %d", *out.StatusCode)
	}
}

// runUntil moves the clock from timer to timer until done holds.
func (a *asyncEnv) runUntil(what string, done func() bool) {
	a.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			a.t.Fatalf("timed out waiting for %s", what)
		}
		if a.clock.pending() {
			a.clock.fireNext()
		}
		time.Sleep(time.Millisecond)
	}
}

// sinkRecord waits for the record the sink function receives.
func (a *asyncEnv) sinkRecord() map[string]any {
	a.t.Helper()
	a.runUntil("the destination record", func() bool { return len(a.runner.invocations("sink")) > 0 })
	var rec map[string]any
	if err := json.Unmarshal(a.runner.invocations("sink")[0].Payload, &rec); err != nil {
		a.t.Fatal(err)
	}
	return rec
}

func (a *asyncEnv) gaps() []time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	var out []time.Duration
	for i := 1; i < len(a.attempts); i++ {
		out = append(out, a.attempts[i].Sub(a.attempts[i-1]))
	}
	return out
}

// An event is delivered with Lambda's retries and its invocation record goes to the
// destination of its outcome, shaped as the Developer Guide's example record.
func TestAsyncDeliveryAndDestinations(t *testing.T) {
	t.Parallel()
	sec := time.Second
	for _, tc := range []struct {
		name      string
		script    func(fn executor.Function, n int) (executor.Result, error)
		config    lambdaapi.PutFunctionEventInvokeConfigRequest
		reserved  *int32
		wantGaps  []time.Duration
		condition string
		response  map[string]any // responseContext
		payload   any            // responsePayload
	}{
		{name: "function errors are retried twice, 1 then 2 minutes apart",
			script:   func(fn executor.Function, _ int) (executor.Result, error) { return functionError(fn) },
			config:   lambdaapi.PutFunctionEventInvokeConfigRequest{DestinationConfig: &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{Destination: ptr(fnARN + "sink")}}},
			wantGaps: []time.Duration{time.Minute, 2 * time.Minute}, condition: condRetriesExhausted,
			response: map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST", "functionError": "Unhandled"},
			payload:  map[string]any{"errorMessage": "boom", "errorType": "ValueError"}},
		{name: "MaximumRetryAttempts 0 tries once",
			script: func(fn executor.Function, _ int) (executor.Result, error) { return functionError(fn) },
			config: lambdaapi.PutFunctionEventInvokeConfigRequest{MaximumRetryAttempts: ptr(int32(0)),
				DestinationConfig: &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{Destination: ptr(fnARN + "sink")}}},
			condition: condRetriesExhausted,
			response:  map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST", "functionError": "Unhandled"},
			payload:   map[string]any{"errorMessage": "boom", "errorType": "ValueError"}},
		{name: "a success after an error goes OnSuccess",
			script: func(fn executor.Function, n int) (executor.Result, error) {
				if n == 1 {
					return functionError(fn)
				}
				return executor.Result{Payload: []byte(`{"done":true}`), ExecutedVersion: fn.Version}, nil
			},
			config:   lambdaapi.PutFunctionEventInvokeConfigRequest{DestinationConfig: &lambdaapi.DestinationConfig{OnSuccess: &lambdaapi.OnSuccess{Destination: ptr(fnARN + "sink")}}},
			wantGaps: []time.Duration{time.Minute}, condition: condSuccess,
			response: map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST"}, payload: map[string]any{"done": true}},
		{name: "throttles back off from 1 s until the event is too old",
			script: func(executor.Function, int) (executor.Result, error) { return throttle() },
			config: lambdaapi.PutFunctionEventInvokeConfigRequest{MaximumEventAgeInSeconds: ptr(int32(60)),
				DestinationConfig: &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{Destination: ptr(fnARN + "sink")}}},
			wantGaps: []time.Duration{sec, 2 * sec, 4 * sec, 8 * sec, 16 * sec}, condition: condEventAgeExceeded,
			response: map[string]any{"statusCode": 429.0}},
		{name: "reserved concurrency 0 sends new events on failure without a try",
			config:   lambdaapi.PutFunctionEventInvokeConfigRequest{DestinationConfig: &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{Destination: ptr(fnARN + "sink")}}},
			reserved: ptr(int32(0)), condition: condRetriesExhausted,
			response: map[string]any{"statusCode": 429.0, "executedVersion": "$LATEST"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			a := newAsyncEnv(t, tc.script)
			cfg := tc.config
			cfg.FunctionName = ptr("f")
			_, err := a.s.PutFunctionEventInvokeConfig(a.ctx, &cfg)
			ok(t, err)
			if tc.reserved != nil {
				_, err := a.s.PutFunctionConcurrency(a.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("f"), ReservedConcurrentExecutions: tc.reserved})
				ok(t, err)
			}
			a.invokeEvent("req-1", `{"n":1}`)
			rec := a.sinkRecord()
			if g := a.gaps(); !reflect.DeepEqual(g, tc.wantGaps) {
				t.Errorf("waits between attempts %v, want %v", g, tc.wantGaps)
			}
			tries := len(a.runner.invocations("f"))
			if tc.reserved != nil {
				tries = 1 // the throttled delivery counts as an attempt
			}
			wantContext := map[string]any{"requestId": "req-1", "functionArn": fnARN + "f:$LATEST", "condition": tc.condition,
				"approximateInvokeCount": float64(tries)}
			if rec["version"] != "1.0" || !reflect.DeepEqual(rec["requestContext"], wantContext) ||
				!reflect.DeepEqual(rec["requestPayload"], map[string]any{"n": 1.0}) || !reflect.DeepEqual(rec["responseContext"], tc.response) ||
				!reflect.DeepEqual(rec["responsePayload"], tc.payload) {
				t.Errorf("record %v", rec)
			}
			if ts, _ := rec["timestamp"].(string); !strings.HasSuffix(ts, "Z") || len(ts) != len("2019-11-14T18:16:05.568Z") {
				t.Errorf("timestamp %q", ts)
			}
			for _, inv := range a.runner.invocations("f") {
				if inv.RequestID != "req-1" {
					t.Errorf("attempt with request id %q", inv.RequestID)
				}
			}
			a.runUntil("the queue to empty", func() bool { return queued(a.env, "f") == 0 })
		})
	}
}

// queued counts the events in fn's queue.
func queued(e *env, fn string) int {
	n := 0
	_ = e.db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		n = storage.LambdaAsyncEvents(tx, fn).Count("")
		return nil
	})
	return n
}

// Destinations and dead-letter queues of services iamlocal does not emulate are reported in
// the function's log as not delivered; the asynchronous metrics count the events.
func TestAsyncNotDeliveredAndMetrics(t *testing.T) {
	t.Parallel()
	a := newAsyncEnv(t, func(fn executor.Function, _ int) (executor.Result, error) { return functionError(fn) })
	_, err := a.s.UpdateFunctionConfiguration(a.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("f"),
		DeadLetterConfig: &lambdaapi.DeadLetterConfig{TargetArn: ptr("arn:aws:sqs:us-east-1:123456789012:dlq")}})
	ok(t, err)
	_, err = a.s.PutFunctionEventInvokeConfig(a.ctx, &lambdaapi.PutFunctionEventInvokeConfigRequest{FunctionName: ptr("f"), MaximumRetryAttempts: ptr(int32(1)),
		DestinationConfig: &lambdaapi.DestinationConfig{OnFailure: &lambdaapi.OnFailure{Destination: ptr("arn:aws:sns:us-east-1:123456789012:failures")}}})
	ok(t, err)
	a.invokeEvent("req-2", `{}`)
	a.runUntil("the reports", func() bool { a.mu.Lock(); defer a.mu.Unlock(); return len(a.logLines) == 2 })
	a.mu.Lock()
	lines := strings.Join(a.logLines, "\n")
	counts := map[string]int{}
	var ages []float64
	for _, m := range a.metrics {
		counts[m.Name]++
		if m.Name == "AsyncEventAge" {
			ages = append(ages, m.Value)
		}
	}
	a.mu.Unlock()
	for _, want := range []string{"/aws/lambda/f iamlocal: the invocation record of request req-2 (RetriesExhausted) was not sent to the OnFailure destination arn:aws:sns:us-east-1:123456789012:failures: iamlocal does not emulate sns",
		"/aws/lambda/f iamlocal: the event of request req-2 (RetriesExhausted) was not sent to the dead-letter queue arn:aws:sqs:us-east-1:123456789012:dlq: iamlocal does not emulate sqs"} {
		if !strings.Contains(lines, want) {
			t.Errorf("log lines\n%s\nlack\n%s", lines, want)
		}
	}
	if !reflect.DeepEqual(counts, map[string]int{"AsyncEventsReceived": 1, "AsyncEventAge": 2, "AsyncEventsDropped": 1}) ||
		!reflect.DeepEqual(ages, []float64{0, 60000}) {
		t.Errorf("metrics %v, ages %v", counts, ages)
	}
}

// A service closed with an event waiting for its retry leaves it stored; a new one on the
// same database resumes it.
func TestAsyncResume(t *testing.T) {
	t.Parallel()
	clock := newFakeClock(testNow)
	first := &scriptRunner{script: func(fn executor.Function, _ executor.Invocation, _ int) (executor.Result, error) {
		return functionError(fn)
	}}
	e := newEnvWith(t, func(o *Options) { o.Clock, o.After, o.Invoke.Runner = clock.Now, clock.After, first })
	e.create("f")
	ctx := reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: region, RequestID: "req-3",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: acct}})
	_, err := e.s.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("f"), InvocationType: ptr("Event"), Payload: []byte(`{"k":"v"}`)})
	ok(t, err)
	eventually(t, "the first attempt and its retry's timer", func() bool { return len(first.invocations("f")) == 1 && clock.pending() })
	e.s.Close()
	if n := queued(e, "f"); n != 1 {
		t.Fatalf("%d events stored after Close", n)
	}

	second := &scriptRunner{}
	again := New(Options{DB: e.db, Clock: clock.Now, After: clock.After, IDs: ids.Generator{Src: ids.NewSeeded(8)}, Region: region,
		Invoke: InvokeHooks{Runner: second}})
	defer again.Close()
	ok(t, again.Resume())
	clock.Advance(time.Minute)
	eventually(t, "the retry after the restart", func() bool { return len(second.invocations("f")) == 1 })
	if inv := second.invocations("f")[0]; inv.RequestID != "req-3" || string(inv.Payload) != `{"k":"v"}` {
		t.Errorf("resumed %+v", inv)
	}
	eventually(t, "the queue to empty", func() bool { return queued(e, "f") == 0 })
}
