package lambda

import (
	"sync"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// admit counts a function with reserved concurrency against its reservation only, and the
// others against the account's limit less every reservation, per account and Region.
func TestAdmit(t *testing.T) {
	t.Parallel()
	one, zero := int32(1), int32(0)
	type call struct {
		account, region, function string
		l                         limits
		want                      string // "" admitted, else the throttle's Reason
	}
	for _, tc := range []struct {
		name  string
		limit int
		calls []call
	}{
		{"reserved 1 admits one", 1000, []call{
			{"a", "r", "f", limits{reserved: &one}, ""},
			{"a", "r", "f", limits{reserved: &one}, reasonReservedLimit},
			{"a", "r2", "f", limits{reserved: &one}, ""}, // another Region's function of the name
			{"a", "r", "g", limits{}, ""},
		}},
		{"reserved 0 admits none", 1000, []call{{"a", "r", "f", limits{reserved: &zero}, reasonReservedLimit}}},
		{"the unreserved pool is the limit less every reservation", 3, []call{
			{"a", "r", "f", limits{reservedTotal: 1}, ""},
			{"a", "r", "g", limits{reservedTotal: 1}, ""},
			{"a", "r", "f", limits{reservedTotal: 1}, reasonAccountLimit},
			{"b", "r", "f", limits{}, ""}, // another account's pool
			{"a", "r", "h", limits{reserved: &one, reservedTotal: 1}, ""},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var c concurrency
			var releases []func()
			for i, cl := range tc.calls {
				release, err := c.admit(cl.account, cl.region, cl.function, cl.l, tc.limit)
				got := ""
				if e, ok := awserr.As(err); ok {
					got = e.Fields["Reason"].(string)
					if e.Code != "TooManyRequestsException" || e.Status != 429 || e.Message != "Rate Exceeded." {
						t.Errorf("call %d: %+v", i, e)
					}
				}
				if got != cl.want {
					t.Errorf("call %d: reason %q, want %q", i, got, cl.want)
				}
				if release != nil {
					releases = append(releases, release)
				}
			}
			for _, r := range releases {
				r()
				r() // twice is once
			}
			if len(c.byFunction) != 0 || len(c.unreserved) != 0 {
				t.Errorf("left counted: %v %v", c.byFunction, c.unreserved)
			}
		})
	}
}

// Synchronous invokes past a function's reserved concurrency, or past the account's, are
// throttled with the Reason, counted in Throttles and never run.
func TestInvokeThrottles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		limit    int
		reserved *int32
		parallel int
		wantRun  int
		reason   string
	}{
		{"reserved 1 of 3", 1000, ptr(int32(1)), 3, 1, reasonReservedLimit},
		{"reserved 0", 1000, ptr(int32(0)), 2, 0, reasonReservedLimit},
		{"account limit 2 of 3", 2, nil, 3, 2, reasonAccountLimit},
		{"room for all", 1000, nil, 3, 3, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var mu sync.Mutex
			var recorded []Invoked
			started, proceed := make(chan struct{}, tc.parallel), make(chan struct{})
			e := newEnvWith(t, func(o *Options) {
				o.AccountConcurrency = tc.limit
				o.Invoke.Runner = &scriptRunner{script: func(fn executor.Function, _ executor.Invocation, _ int) (executor.Result, error) {
					started <- struct{}{}
					<-proceed
					return executor.Result{Payload: []byte("1"), ExecutedVersion: fn.Version}, nil
				}}
				o.Invoke.Record = func(i Invoked) { mu.Lock(); recorded = append(recorded, i); mu.Unlock() }
			})
			e.create("f")
			if tc.reserved != nil {
				_, err := e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("f"), ReservedConcurrentExecutions: tc.reserved})
				ok(t, err)
			}
			errs := make(chan error, tc.parallel)
			var wg sync.WaitGroup
			for range tc.parallel {
				wg.Go(func() {
					_, err := e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("f"), Payload: []byte("{}")})
					errs <- err
				})
			}
			for range tc.wantRun { // those admitted hold their unit until the others are answered
				<-started
			}
			for range tc.parallel - tc.wantRun {
				err := <-errs
				wantErr(t, err, "TooManyRequestsException", "Rate Exceeded.")
				if e, _ := awserr.As(err); e.Fields["Reason"] != tc.reason {
					t.Errorf("reason %v, want %s", e.Fields["Reason"], tc.reason)
				}
			}
			close(proceed)
			wg.Wait()
			close(errs)
			for err := range errs {
				ok(t, err)
			}
			throttles := 0
			for _, i := range recorded {
				if i.Throttled {
					throttles++
				}
			}
			if throttles != tc.parallel-tc.wantRun || len(recorded) != tc.parallel {
				t.Errorf("recorded %+v", recorded)
			}
		})
	}
}

// The account limit is what GetAccountSettings reports, less the reservations in
// UnreservedConcurrentExecutions.
func TestAccountLimitSetting(t *testing.T) {
	t.Parallel()
	e := newEnvWith(t, func(o *Options) { o.AccountConcurrency = 250 })
	e.create("f")
	_, err := e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr(int32(150))})
	ok(t, err)
	out, err := e.s.GetAccountSettings(e.ctx, &lambdaapi.GetAccountSettingsRequest{})
	ok(t, err)
	if *out.AccountLimit.ConcurrentExecutions != 250 || *out.AccountLimit.UnreservedConcurrentExecutions != 100 {
		t.Errorf("limits %+v", out.AccountLimit)
	}
	_, err = e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr(int32(151))})
	wantErr(t, err, "InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
}
