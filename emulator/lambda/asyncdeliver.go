package lambda

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Delivery of one queued event, with Lambda's retries ("How Lambda handles errors and retries
// with asynchronous invocation"): "If the function returns an error, by default Lambda
// attempts to run it two more times, with a one-minute wait between the first two attempts,
// and two minutes between the second and third attempts" (MaximumRetryAttempts, 0 to 2, of
// the event invoke config); "For throttling errors (429) and system errors (500-series),
// Lambda returns the event to the queue and attempts to run the function again for up to 6
// hours by default. The retry interval increases exponentially from 1 second after the first
// attempt to a maximum of 5 minutes" (MaximumEventAgeInSeconds, 60 to 21600). With reserved
// concurrency 0, "Lambda begins sending new events to the configured dead-letter queue or the
// on-failure event destination, without any retries" ("Capturing records of Lambda
// asynchronous invocations"). Every wait, and the maximum age, is multiplied by
// Options.AsyncDelayScale.

const (
	defaultMaxRetries  = 2
	defaultMaxEventAge = 6 * time.Hour
	firstBackoff       = time.Second
	maxBackoff         = 5 * time.Minute
)

// Conditions of an invocation record, as Lambda names them.
const (
	condSuccess          = "Success"
	condRetriesExhausted = "RetriesExhausted"
	condEventAgeExceeded = "EventAgeExceeded"
)

// retryDelay is the wait after the nth function error (1 minute, then 2).
func retryDelay(n int) time.Duration { return time.Duration(min(n, 2)) * time.Minute }

// backoff is the wait after the nth consecutive throttle or service error: 1 s doubling, at
// most 5 minutes.
func backoff(n int) time.Duration {
	d := firstBackoff
	for i := 1; i < n && d < maxBackoff; i++ {
		d *= 2
	}
	return min(d, maxBackoff)
}

// scaled is d in the service's asynchronous time (Options.AsyncDelayScale).
func (s *Service) scaled(d time.Duration) time.Duration {
	return time.Duration(float64(d) * s.delayScale)
}

// eventSettings are what the event invoke config of the invoked qualifier says.
type eventSettings struct {
	maxRetries           int
	maxAge               time.Duration
	onSuccess, onFailure string
}

func readEventSettings(tx *storage.Tx, function, qualifier string) (eventSettings, error) {
	es := eventSettings{maxRetries: defaultMaxRetries, maxAge: defaultMaxEventAge}
	rec, err := storage.LambdaEventInvokeConfigs(tx, function).Get(nonEmpty(qualifier, latest))
	if isNotFound(err) {
		return es, nil
	}
	if err != nil {
		return es, err
	}
	if rec.MaxRetryAttempts != nil {
		es.maxRetries = int(*rec.MaxRetryAttempts)
	}
	if rec.MaxEventAge != nil {
		es.maxAge = time.Duration(*rec.MaxEventAge) * time.Second
	}
	es.onSuccess, es.onFailure = rec.OnSuccess, rec.OnFailure
	return es, nil
}

// deliver makes one attempt at the event at key of ref's queue. It answers when to try again
// (again) or settles the event: delivered, or given up, with its invocation record sent on.
func (s *Service) deliver(ctx context.Context, ref storage.LambdaFunctionRef, key string) (next time.Time, again bool) {
	where := arn.Scope{Partition: s.partition, Region: ref.Region, Account: ref.Account}
	var rec storage.LambdaAsyncEventRecord
	var es eventSettings
	err := s.view(where, func(tx *storage.Tx) (err error) {
		if rec, err = storage.LambdaAsyncEvents(tx, ref.Function).Get(key); err != nil {
			return err
		}
		es, err = readEventSettings(tx, ref.Function, rec.Qualifier)
		return err
	})
	if err != nil {
		if !isNotFound(err) { // a missing event was settled or went with its function
			s.log.Error("read asynchronous event", "function", ref.Function, "key", key, "err", err)
		}
		return time.Time{}, false
	}
	now := s.clock()
	if now.Sub(rec.Received) > s.scaled(es.maxAge) {
		p, _ := s.prepare(where, ref.Function, rec.Qualifier, now, false) // its dead-letter queue, if it still exists
		s.settle(ref, key, rec, es, p, condEventAgeExceeded)
		return time.Time{}, false
	}
	p, err := s.prepare(where, ref.Function, rec.Qualifier, now, true)
	if err != nil {
		return s.afterFailure(ref, key, rec, es, p, err, now)
	}
	rec.Attempts++
	if p.limits.reserved != nil && *p.limits.reserved == 0 {
		s.recordThrottle(p, now)
		rec.Last = &storage.LambdaAsyncOutcome{Status: http.StatusTooManyRequests, ExecutedVersion: p.fn.Version}
		s.settle(ref, key, rec, es, p, condRetriesExhausted)
		return time.Time{}, false
	}
	s.metric(ref, now, "AsyncEventAge", float64(now.Sub(rec.Received).Milliseconds()), "Milliseconds")
	res, err := s.run(ctx, p, executor.Invocation{RequestID: rec.RequestID, Payload: rec.Payload, TraceID: traceHeader(s.clock())})
	if err != nil {
		return s.afterFailure(ref, key, rec, es, p, err, now)
	}
	rec.Backoffs = 0
	rec.Last = &storage.LambdaAsyncOutcome{Status: http.StatusOK, ExecutedVersion: res.ExecutedVersion,
		FunctionError: res.FunctionError, Response: res.Payload}
	if res.FunctionError == "" {
		s.settle(ref, key, rec, es, p, condSuccess)
		return time.Time{}, false
	}
	rec.FunctionErrors++
	if rec.FunctionErrors > es.maxRetries {
		s.settle(ref, key, rec, es, p, condRetriesExhausted)
		return time.Time{}, false
	}
	rec.NextAt = now.Add(s.scaled(retryDelay(rec.FunctionErrors)))
	return s.requeue(ref, key, rec)
}

// afterFailure handles an attempt that did not reach the function: throttles and service
// errors are retried with backoff until the event is too old; a function or qualifier gone
// drops the event; other errors (a role Lambda cannot assume, ...) give it up.
func (s *Service) afterFailure(ref storage.LambdaFunctionRef, key string, rec storage.LambdaAsyncEventRecord, es eventSettings, p prepared, err error, now time.Time) (time.Time, bool) {
	e, isAWS := awserr.As(err)
	switch {
	case isAWS && e.Code == "ResourceNotFoundException":
		s.log.Warn("asynchronous event dropped: its function is gone", "account", ref.Account, "region", ref.Region,
			"function", ref.Function, "qualifier", rec.Qualifier, "requestId", rec.RequestID)
		s.metric(ref, now, "AsyncEventsDropped", 1, "Count")
		s.forget(ref, key)
		return time.Time{}, false
	case isThrottle(err) || !isAWS || e.Status >= 500:
		rec.Backoffs++
		rec.Last = &storage.LambdaAsyncOutcome{Status: http.StatusTooManyRequests}
		if !isThrottle(err) {
			rec.Last.Status = http.StatusInternalServerError
			if !errors.Is(err, executor.ErrClosed) {
				s.log.Warn("asynchronous delivery failed; retrying", "function", ref.Function, "requestId", rec.RequestID, "err", err)
			}
		}
		rec.NextAt = now.Add(s.scaled(backoff(rec.Backoffs)))
		return s.requeue(ref, key, rec)
	}
	rec.Last = &storage.LambdaAsyncOutcome{Status: e.Status, ExecutedVersion: p.fn.Version,
		Response: []byte(`{"errorMessage":` + quoteJSON(e.Message) + `,"errorType":` + quoteJSON(e.Code) + `}`)}
	s.settle(ref, key, rec, es, p, condRetriesExhausted)
	return time.Time{}, false
}

// recordThrottle counts a delivery refused by reserved concurrency 0 in Throttles.
func (s *Service) recordThrottle(p prepared, now time.Time) {
	if s.hooks.Record != nil {
		s.hooks.Record(Invoked{Account: p.fn.Account, Region: p.fn.Region, Function: p.fn.Name, Start: now, Throttled: true})
	}
}

// requeue stores the event's progress for its next attempt.
func (s *Service) requeue(ref storage.LambdaFunctionRef, key string, rec storage.LambdaAsyncEventRecord) (time.Time, bool) {
	err := s.db.UpdateRegion(ref.Account, ref.Region, func(tx *storage.Tx) error {
		events := storage.LambdaAsyncEvents(tx, ref.Function)
		if !events.Has(key) {
			return storage.ErrNotFound // deleted with its function meanwhile
		}
		return events.Put(key, rec)
	})
	if err != nil {
		if !isNotFound(err) {
			s.log.Error("requeue asynchronous event", "function", ref.Function, "requestId", rec.RequestID, "err", err)
		}
		return time.Time{}, false
	}
	return rec.NextAt, true
}

// settle ends an event: its invocation record goes to the destination of its condition (and a
// failed event to the dead-letter queue), failures count in AsyncEventsDropped, and the event
// leaves the queue.
func (s *Service) settle(ref storage.LambdaFunctionRef, key string, rec storage.LambdaAsyncEventRecord, es eventSettings, p prepared, condition string) {
	now := s.clock()
	if condition != condSuccess {
		s.metric(ref, now, "AsyncEventsDropped", 1, "Count")
	}
	s.route(ref, rec, es, p, condition, now)
	s.forget(ref, key)
}

// forget deletes the event at key (already gone is fine).
func (s *Service) forget(ref storage.LambdaFunctionRef, key string) {
	err := s.db.UpdateRegion(ref.Account, ref.Region, func(tx *storage.Tx) error {
		return storage.LambdaAsyncEvents(tx, ref.Function).Delete(key)
	})
	if err != nil && !isNotFound(err) {
		s.log.Error("delete asynchronous event", "function", ref.Function, "key", key, "err", err)
	}
}

// metric records a datum of an asynchronous invocation metric of ref's function.
func (s *Service) metric(ref storage.LambdaFunctionRef, at time.Time, name string, value float64, unit string) {
	if s.hooks.Metric != nil {
		s.hooks.Metric(Metric{Account: ref.Account, Region: ref.Region, Function: ref.Function, Time: at, Name: name, Value: value, Unit: unit})
	}
}
