package storage

import (
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"
)

// Asynchronous invocation. Each function keeps its queue of accepted events under its nested
// bucket ("lambda.fn/<name>/async", regional like every Lambda table), keyed by
// LambdaAsyncEventKey so a scan returns them in the order they were accepted. An event is
// written before Invoke answers 202 and deleted once delivered or given up, so a restart loses
// none (it may deliver one again whose delivery was under way: Lambda's queue, too, delivers
// at least once). Deleting the function deletes its queue.

const lambdaAsyncTable = "async"

// LambdaAsyncEventRecord is one queued event and how its delivery has gone so far.
type LambdaAsyncEventRecord struct {
	V         int       `json:"v"`
	RequestID string    `json:"id"` // the Invoke request's id, kept by every attempt
	Qualifier string    `json:"qualifier,omitempty"`
	Payload   []byte    `json:"payload"`
	Received  time.Time `json:"received"` // when it was queued: its age counts from here
	NextAt    time.Time `json:"next"`     // not delivered before
	// Attempts counts deliveries tried, FunctionErrors those that ended in a function error
	// (bounded by MaximumRetryAttempts), Backoffs the throttles and service errors since the
	// last attempt that reached the function (the exponent of their backoff).
	Attempts       int `json:"attempts,omitempty"`
	FunctionErrors int `json:"fnErrors,omitempty"`
	Backoffs       int `json:"backoffs,omitempty"`
	// Last is the outcome of the latest attempt, for the on-failure invocation record.
	Last *LambdaAsyncOutcome `json:"last,omitempty"`
}

// LambdaAsyncOutcome is what one delivery attempt of an event came to.
type LambdaAsyncOutcome struct {
	Status          int    `json:"status"` // 200 when the function ran, else the invoke's error status
	ExecutedVersion string `json:"version,omitempty"`
	FunctionError   string `json:"fnError,omitempty"`
	Response        []byte `json:"response,omitempty"` // the function's response or error document
}

// LambdaAsyncEvents is a function's queue of events.
func LambdaAsyncEvents(tx *Tx, function string) Table[LambdaAsyncEventRecord] {
	return lambdaFnTable[LambdaAsyncEventRecord](tx, function, lambdaAsyncTable)
}

// LambdaAsyncEventKey is the key of the event numbered seq (the queue's NextSequence),
// zero-padded so keys sort in acceptance order.
func LambdaAsyncEventKey(seq uint64) string { return fmt.Sprintf("%020d", seq) }

// LambdaFunctionRef names a function of an account and Region.
type LambdaFunctionRef struct{ Account, Region, Function string }

// LambdaFunctionsWithAsyncEvents lists the functions of every account and Region whose queue
// holds events: the queues a server resumes when it starts.
func (db *DB) LambdaFunctionsWithAsyncEvents() ([]LambdaFunctionRef, error) {
	return db.lambdaFunctionsWith(lambdaAsyncTable)
}

// LambdaFunctionsWithProvisioned lists the functions of every account and Region that have
// provisioned concurrency configs: the environments a server starts again.
func (db *DB) LambdaFunctionsWithProvisioned() ([]LambdaFunctionRef, error) {
	return db.lambdaFunctionsWith("provisioned")
}

// lambdaFunctionsWith walks accounts/<account>/regions/<region>/lambda.fn/<function>/<table>
// and lists the functions whose table holds a record.
func (db *DB) lambdaFunctionsWith(table string) ([]LambdaFunctionRef, error) {
	var out []LambdaFunctionRef
	err := db.bolt.View(func(btx *bolt.Tx) error {
		accounts := btx.Bucket(bucketAccounts)
		if accounts == nil {
			return nil
		}
		return eachBucket(accounts, func(account string, ab *bolt.Bucket) error {
			regions := ab.Bucket([]byte(bucketRegions))
			if regions == nil {
				return nil
			}
			return eachBucket(regions, func(region string, rb *bolt.Bucket) error {
				fns := rb.Bucket([]byte(lambdaFnBucket))
				if fns == nil {
					return nil
				}
				return eachBucket(fns, func(function string, fb *bolt.Bucket) error {
					if t := fb.Bucket([]byte(table)); t != nil {
						if k, _ := t.Cursor().First(); k != nil {
							out = append(out, LambdaFunctionRef{Account: account, Region: region, Function: function})
						}
					}
					return nil
				})
			})
		})
	})
	return out, err
}

// eachBucket calls fn for every nested bucket of b.
func eachBucket(b *bolt.Bucket, fn func(name string, nested *bolt.Bucket) error) error {
	return b.ForEach(func(k, v []byte) error {
		if v != nil {
			return nil
		}
		if nested := b.Bucket(k); nested != nil {
			return fn(string(k), nested)
		}
		return nil
	})
}
