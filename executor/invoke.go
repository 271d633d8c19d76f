package executor

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// run hands inv to sb (starting it when cold) and waits for the first of:
// the runtime's answer, an init error, the process's exit, the deadline, or
// ctx's end.
func (e *Executor) run(ctx context.Context, sb *sandbox, inv Invocation, cold bool) (Result, error) {
	iv := &invocation{
		Invocation: inv,
		arn:        sb.fn.ARN,
		timeout:    sb.fn.Timeout,
		delivered:  make(chan struct{}),
		done:       make(chan outcome, 1),
		stream:     newGuardedStream(inv.Stream),
	}
	defer iv.stream.close() // the caller owns the stream again once Invoke returns
	if !sb.assign(iv) {
		return Result{}, errSandboxGone
	}
	if cold {
		if err := sb.start(ctx); err != nil {
			var sf *startFailure
			if !errors.As(err, &sf) || sb.logs == nil {
				sb.expire(iv, outcome{kind: outAborted})
				return Result{}, err
			}
			msg := "RequestId: " + iv.RequestID + " Error: " + sf.message
			sb.expire(iv, outcome{kind: outInvalidEntrypoint, errorType: sf.errType, message: msg,
				payload: errorDocument(sf.errType, msg)})
		}
	}

	initLimit := max(e.opts.InitTimeout, sb.fn.Timeout)
	initTimer := time.NewTimer(initLimit)
	defer initTimer.Stop()
	initC, delivered := initTimer.C, iv.delivered
	var deadlineC <-chan time.Time
	var out outcome
	for waiting := true; waiting; {
		select {
		case out = <-iv.done:
			waiting = false
		case <-delivered:
			delivered, initC = nil, nil
			t := time.NewTimer(iv.Deadline.Sub(e.opts.Clock()))
			defer t.Stop()
			deadlineC = t.C
		case <-initC:
			initC = nil
			if sb.expire(iv, timeoutOutcome(iv.RequestID, initLimit)) {
				out, waiting = <-iv.done, false
			}
		case <-deadlineC:
			deadlineC = nil
			if sb.expire(iv, timeoutOutcome(iv.RequestID, sb.fn.Timeout)) {
				out, waiting = <-iv.done, false
			}
		case <-ctx.Done():
			sb.expire(iv, outcome{kind: outAborted})
			return Result{}, ctx.Err()
		}
	}
	if out.kind == outAborted {
		return Result{}, serviceError("The execution environment was stopped during the invocation.", ErrClosed)
	}
	return e.result(sb, iv, out, cold), nil
}

func timeoutOutcome(requestID string, limit time.Duration) outcome {
	msg := timeoutMessage(requestID, limit.Seconds())
	return outcome{kind: outTimeout, errorType: errTypeTimeout, message: fmt.Sprintf("%.2f", limit.Seconds()),
		payload: errorDocument(errTypeTimeout, msg)}
}

// result writes the platform's log lines and builds the Result.
func (e *Executor) result(sb *sandbox, iv *invocation, out outcome, cold bool) Result {
	end := e.opts.Clock()
	sb.logs.sync(time.Second) // everything the runtime printed before answering
	sb.mu.Lock()
	started, deliveredAt := iv.started, iv.deliveredAt
	startedAt, initAt := sb.startedAt, sb.initAt
	sb.mu.Unlock()

	lc, pl := sb.logs, platformLines{sb.fn, e.opts.Clock}
	if !started {
		lc.addIf(pl.start(iv.RequestID))
	}
	switch out.kind {
	case outTimeout:
		lc.add(fmt.Sprintf("%s %s Task timed out after %s seconds", end.UTC().Format(timestampLayout), iv.RequestID, out.message))
	case outExit, outInvalidEntrypoint:
		lc.add(out.message)
		lc.add(out.errorType)
	}
	lc.addIf(pl.end(iv.RequestID))

	var duration, initDuration time.Duration
	if started {
		duration = end.Sub(deliveredAt)
	}
	if cold && !startedAt.IsZero() {
		if initAt.IsZero() {
			initAt = end
		}
		initDuration = initAt.Sub(startedAt)
	}
	rep := report{
		requestID:    iv.RequestID,
		duration:     duration,
		billed:       billedDuration(duration),
		memoryMB:     sb.fn.MemoryMB,
		maxMemoryMB:  sb.maxMemoryUsedMB(),
		initDuration: initDuration,
	}
	switch {
	case out.kind == outTimeout:
		rep.status = "timeout"
	case out.errorType == errTypeOutOfMemory:
		rep.status, rep.errorType = "error", errTypeOutOfMemory
	}
	lc.addIf(pl.report(rep))

	var b strings.Builder
	for _, l := range lc.take() {
		b.WriteString(l.text)
		b.WriteByte('\n')
	}
	res := Result{
		Payload:         out.payload,
		Log:             []byte(b.String()),
		Duration:        duration,
		BilledDuration:  rep.billed,
		InitDuration:    initDuration,
		MaxMemoryUsedMB: rep.maxMemoryMB,
		ExecutedVersion: sb.fn.Version,
	}
	if out.kind != outResponse {
		res.FunctionError = FunctionErrorUnhandled
	}
	return res
}
