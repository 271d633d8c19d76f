package executor

import (
	"context"
	"strings"
)

// resolve finds how fn runs: its plan and, for an interpreted runtime, the
// interpreter. A function that cannot run here is an *unavailable.
func (e *Executor) resolve(ctx context.Context, fn Function) (runtimePlan, interpreter, error) {
	if fn.ImageURI != "" {
		return runtimePlan{}, interpreter{}, &unavailable{"iamlocal does not run container image functions (PackageType Image, " + fn.ImageURI +
			"): it runs .zip functions of the python3.x, nodejsN.x, ruby3.x and provided runtimes, and no setting supplies a container runtime."}
	}
	plan, err := planFor(fn.Runtime)
	if err != nil || plan.tool == "" {
		return plan, interpreter{}, err
	}
	interp, err := e.tools.interpreter(ctx, plan, fn.Runtime)
	return plan, interp, err
}

// CheckRuntime reports why a runtime cannot run here ("" when it can), for
// CreateFunction to accept the function as Lambda does and warn: iamlocal
// has no Java or .NET, and a runtime whose interpreter this machine lacks
// fails at Invoke with this reason.
func (e *Executor) CheckRuntime(ctx context.Context, runtime string) string {
	if _, _, err := e.resolve(ctx, Function{Runtime: runtime}); err != nil {
		return err.Error()
	}
	return ""
}

// unavailableResult is the function error of a function that cannot run
// here, with the log Lambda writes for a failed start (START, the error,
// END, REPORT with Status: error), in the function's log group.
func (e *Executor) unavailableResult(fn Function, inv Invocation, u *unavailable) Result {
	msg := "RequestId: " + inv.RequestID + " Error: " + u.message
	rep := report{requestID: inv.RequestID, billed: billedDuration(0), memoryMB: fn.MemoryMB, status: "error", errorType: errTypeUnavailable}
	pl := platformLines{fn, e.opts.Clock}
	var lines []string
	add := func(line string, keep bool) {
		if keep {
			lines = append(lines, line)
		}
	}
	add(pl.start(inv.RequestID))
	add(msg, true)
	add(errTypeUnavailable, true)
	add(pl.end(inv.RequestID))
	add(pl.report(rep))
	if e.opts.Logs != nil {
		stream := logStreamPrefix(fn, e.opts.Clock()) + strings.ReplaceAll(e.opts.NewID(), "-", "")
		for _, l := range lines {
			e.opts.Logs.Write(fn.Account, fn.Region, fn.LogGroup, stream, e.opts.Clock(), l)
		}
	}
	return Result{Payload: errorDocument(errTypeUnavailable, msg), FunctionError: FunctionErrorUnhandled,
		Log: []byte(strings.Join(lines, "\n") + "\n"), BilledDuration: rep.billed, ExecutedVersion: fn.Version}
}
