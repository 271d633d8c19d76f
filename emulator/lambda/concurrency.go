package lambda

import (
	"sync"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// Concurrency as Lambda counts it ("Understanding Lambda function scaling": concurrency is
// the number of in-flight requests a function is handling; "Configuring reserved concurrency":
// reserved concurrency is both the most a function may run at once and capacity no other
// function may use). Every invocation, synchronous or an asynchronous event's delivery, holds
// one unit from the moment it is admitted until its result is known. A function with reserved
// concurrency N runs at most N at once, none with N = 0; the others share the account's
// unreserved concurrency in the Region (the account limit less every reservation there, what
// GetAccountSettings reports as UnreservedConcurrentExecutions). Past either, the invocation is
// throttled with TooManyRequestsException "Rate Exceeded." and the Reason the SDKs model
// (ThrottleReason): ReservedFunctionConcurrentInvocationLimitExceeded or
// ConcurrentInvocationLimitExceeded.

const (
	reasonReservedLimit = "ReservedFunctionConcurrentInvocationLimitExceeded"
	reasonAccountLimit  = "ConcurrentInvocationLimitExceeded"
)

// concurrency counts the invocations in flight. In memory: nothing is in flight across a
// restart.
type concurrency struct {
	mu         sync.Mutex
	byFunction map[string]int // account, region, function -> in flight
	unreserved map[string]int // account, region -> in flight of functions without a reservation
}

// limits are a function's concurrency settings, read with its configuration.
type limits struct {
	reserved      *int32 // the function's reserved concurrency, nil for none
	reservedTotal int64  // reserved by every function of the account in the Region
}

// throttled is Lambda's answer to an invocation past a concurrency limit.
func throttled(reason string) *awserr.Error {
	e := lambdaapi.ErrTooManyRequests("Rate Exceeded.")
	e.Fields = map[string]any{"Reason": reason}
	return e
}

// isThrottle reports whether err is a throttle (of concurrency or of the machine's queue).
func isThrottle(err error) bool {
	e, ok := awserr.As(err)
	return ok && e.Code == "TooManyRequestsException"
}

// admit takes one unit of concurrency for an invocation of function, or answers the throttle.
// accountLimit is the account's concurrency in the Region; release gives the unit back.
func (c *concurrency) admit(account, region, function string, l limits, accountLimit int) (release func(), err error) {
	fnKey := account + "\x00" + region + "\x00" + function
	poolKey := account + "\x00" + region
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byFunction == nil {
		c.byFunction, c.unreserved = map[string]int{}, map[string]int{}
	}
	if l.reserved != nil {
		if c.byFunction[fnKey] >= int(*l.reserved) {
			return nil, throttled(reasonReservedLimit)
		}
	} else if int64(c.unreserved[poolKey]) >= int64(accountLimit)-l.reservedTotal {
		return nil, throttled(reasonAccountLimit)
	}
	c.byFunction[fnKey]++
	if l.reserved == nil {
		c.unreserved[poolKey]++
	}
	pooled := l.reserved == nil
	var once sync.Once
	return func() {
		once.Do(func() {
			c.mu.Lock()
			defer c.mu.Unlock()
			if c.byFunction[fnKey]--; c.byFunction[fnKey] == 0 {
				delete(c.byFunction, fnKey)
			}
			if pooled {
				if c.unreserved[poolKey]--; c.unreserved[poolKey] == 0 {
					delete(c.unreserved, poolKey)
				}
			}
		})
	}, nil
}
