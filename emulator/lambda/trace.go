package lambda

import (
	"encoding/hex"
	"fmt"
	"time"

	"github.com/iamlocal/iamlocal/ids"
)

// traceHeader is one invocation's X-Ray tracing header, which Lambda hands the runtime as
// Lambda-Runtime-Trace-Id and the managed runtimes set as _X_AMZN_TRACE_ID ("Defined runtime
// environment variables": it changes with each invocation). Its form is X-Ray's ("Tracing
// header": Root=1-<epoch seconds, 8 hex>-<96 random bits>;Parent=<64 bits>;Sampled=0), not
// sampled since iamlocal records no traces. Randomness is the machine's, not the seeded ids
// tests rely on.
func traceHeader(now time.Time) string {
	var b [20]byte
	ids.Crypto{}.Read(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", uint32(now.Unix()), hex.EncodeToString(b[:12]), hex.EncodeToString(b[12:]))
}
