package executor

import (
	"errors"
	"testing"
)

func TestStateTransitionsAllowed(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		from sandboxState
		ev   sandboxEvent
		to   sandboxState
	}{
		{stateNew, evStart, stateInitializing},
		{stateNew, evStop, stateStopping},
		{stateInitializing, evInitDone, stateIdle},
		{stateInitializing, evInitError, stateFailed},
		{stateInitializing, evExit, stateFailed},
		{stateInitializing, evTimeout, stateFailed},
		{stateIdle, evDeliver, stateInvoking},
		{stateIdle, evExit, stateFailed},
		{stateIdle, evTimeout, stateFailed},
		{stateInvoking, evResponse, stateIdle},
		{stateInvoking, evFunctionError, stateIdle},
		{stateInvoking, evExit, stateFailed},
		{stateInvoking, evTimeout, stateFailed},
		{stateInvoking, evStop, stateStopping},
		{stateFailed, evStop, stateStopping},
		{stateStopping, evExit, stateStopping},
		{stateStopping, evStopped, stateStopped},
	} {
		if got, err := next(tc.from, tc.ev); err != nil || got != tc.to {
			t.Errorf("%s --%s--> %s, %v; want %s", tc.from, tc.ev, got, err, tc.to)
		}
	}
}

// The default transition is "not allowed": every pair missing from the table
// is refused and leaves the state as it was.
func TestStateTransitionsDefaultRefused(t *testing.T) {
	t.Parallel()
	allowed := 0
	for from := stateNew; from <= stateStopped; from++ {
		for ev := evStart; ev <= evStopped; ev++ {
			got, err := next(from, ev)
			if _, ok := transitions[from][ev]; ok {
				allowed++
				continue
			}
			var te *errTransition
			if !errors.As(err, &te) || got != from {
				t.Errorf("%s --%s--> %s, %v; want a refusal", from, ev, got, err)
			}
		}
	}
	if allowed != 20 {
		t.Errorf("%d allowed transitions; update the tests when the table changes", allowed)
	}
	for _, tc := range []struct {
		from sandboxState
		ev   sandboxEvent
	}{
		{stateIdle, evResponse},      // a response with nothing in flight
		{stateInvoking, evInitError}, // init is over
		{stateInvoking, evDeliver},   // one invocation at a time
		{stateStopped, evStart},      // never restarted
		{stateFailed, evDeliver},     // never reused
		{stateStopping, evStop},      // stop happens once
		{stateNew, evDeliver},        // no runtime yet
	} {
		if _, err := next(tc.from, tc.ev); err == nil || err.Error() == "" {
			t.Errorf("%s in %s was allowed", tc.ev, tc.from)
		}
	}
	if s := sandboxState(99).String() + sandboxEvent(99).String(); s != "sandboxState(99)sandboxEvent(99)" {
		t.Errorf("String of unknown values: %q", s)
	}
}
