package executor

import "fmt"

// sandboxState is where a sandbox is in its life. Transitions happen only
// through next, whose table lists every allowed move; anything else is "not
// allowed" (the idea of aws-lambda-runtime-interface-emulator's
// core/states.go: the default transition is a refusal).
type sandboxState int

const (
	stateNew          sandboxState = iota // code extracted, no process yet
	stateInitializing                     // process started, no /next yet
	stateIdle                             // init done; no invocation with the runtime
	stateInvoking                         // the runtime holds an invocation
	stateFailed                           // init error, exit or timeout: never reused
	stateStopping                         // SIGTERM sent, waiting for the group to exit
	stateStopped                          // process gone, directory removed
)

func (s sandboxState) String() string {
	switch s {
	case stateNew:
		return "New"
	case stateInitializing:
		return "Initializing"
	case stateIdle:
		return "Idle"
	case stateInvoking:
		return "Invoking"
	case stateFailed:
		return "Failed"
	case stateStopping:
		return "Stopping"
	case stateStopped:
		return "Stopped"
	}
	return fmt.Sprintf("sandboxState(%d)", int(s))
}

// sandboxEvent is what happened to a sandbox.
type sandboxEvent int

const (
	evStart         sandboxEvent = iota // the runtime process was launched
	evInitDone                          // the runtime's first GET /invocation/next
	evInitError                         // POST /runtime/init/error
	evDeliver                           // an invocation was handed out by /next
	evResponse                          // POST /invocation/{id}/response
	evFunctionError                     // POST /invocation/{id}/error
	evExit                              // the runtime process exited
	evTimeout                           // the deadline passed first
	evStop                              // the executor asked it to stop
	evStopped                           // the process group is gone
)

func (e sandboxEvent) String() string {
	switch e {
	case evStart:
		return "Start"
	case evInitDone:
		return "InitDone"
	case evInitError:
		return "InitError"
	case evDeliver:
		return "Deliver"
	case evResponse:
		return "Response"
	case evFunctionError:
		return "FunctionError"
	case evExit:
		return "Exit"
	case evTimeout:
		return "Timeout"
	case evStop:
		return "Stop"
	case evStopped:
		return "Stopped"
	}
	return fmt.Sprintf("sandboxEvent(%d)", int(e))
}

var transitions = map[sandboxState]map[sandboxEvent]sandboxState{
	stateNew: {
		evStart: stateInitializing,
		evStop:  stateStopping,
	},
	stateInitializing: {
		evInitDone:  stateIdle,
		evInitError: stateFailed,
		evExit:      stateFailed,
		evTimeout:   stateFailed,
		evStop:      stateStopping,
	},
	stateIdle: {
		evDeliver: stateInvoking,
		evExit:    stateFailed,
		evTimeout: stateFailed, // a pending invocation the runtime never asked for
		evStop:    stateStopping,
	},
	stateInvoking: {
		evResponse:      stateIdle,
		evFunctionError: stateIdle,
		evExit:          stateFailed,
		evTimeout:       stateFailed,
		evStop:          stateStopping,
	},
	stateFailed: {
		evExit: stateFailed,
		evStop: stateStopping,
	},
	stateStopping: {
		evExit:    stateStopping,
		evStopped: stateStopped,
	},
	stateStopped: {},
}

// errTransition is returned for a move the table does not allow.
type errTransition struct {
	from sandboxState
	ev   sandboxEvent
}

func (e *errTransition) Error() string {
	return fmt.Sprintf("executor: %s is not allowed in state %s", e.ev, e.from)
}

// next returns the state after ev, or an *errTransition.
func next(from sandboxState, ev sandboxEvent) (sandboxState, error) {
	if to, ok := transitions[from][ev]; ok {
		return to, nil
	}
	return from, &errTransition{from: from, ev: ev}
}
