package lambda

import (
	"context"
	"sort"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/storage"
)

// Asynchronous invocation ("Invoking a Lambda function asynchronously": Lambda "places the
// event in a queue and returns a success response", then "a separate process reads events
// from the queue and sends them to your function"). Each function's queue is a storage table
// (storage.LambdaAsyncEvents): Invoke writes the event there before it answers 202, and a
// dispatcher per function with queued events delivers them (asyncdeliver.go), at most
// asyncParallel at once, each when its NextAt has come. What a dispatcher knows of its queue's
// schedule it keeps in memory, read from storage when it starts; the records stay the truth
// a restart resumes from.

// asyncParallel bounds the deliveries under way for one function. Lambda scales a queue's
// readers with the function's concurrency; deliveries past a reserved concurrency are
// throttled and retried as on AWS.
const asyncParallel = 10

// asyncQueues holds the dispatchers of the functions with queued events.
type asyncQueues struct {
	s      *Service
	mu     sync.Mutex
	closed bool
	queues map[storage.LambdaFunctionRef]*asyncQueue
	wg     sync.WaitGroup // dispatchers and their deliveries
	stop   chan struct{}  // closed by close: dispatchers start no more deliveries
}

// asyncQueue is one function's dispatcher state, guarded by asyncQueues.mu.
type asyncQueue struct {
	ref      storage.LambdaFunctionRef
	due      map[string]time.Time // event key -> NextAt, of the events not being delivered
	inflight int
	wake     chan struct{} // buffered: something changed
}

func newAsyncQueues(s *Service) *asyncQueues {
	return &asyncQueues{s: s, queues: map[storage.LambdaFunctionRef]*asyncQueue{}, stop: make(chan struct{})}
}

// enqueue stores an accepted event in its function's queue and tells the dispatcher, and
// records AsyncEventsReceived.
func (q *asyncQueues) enqueue(ref storage.LambdaFunctionRef, rec storage.LambdaAsyncEventRecord) error {
	var key string
	err := q.s.db.UpdateRegion(ref.Account, ref.Region, func(tx *storage.Tx) error {
		events := storage.LambdaAsyncEvents(tx, ref.Function)
		seq, err := events.NextSequence()
		if err != nil {
			return err
		}
		key = storage.LambdaAsyncEventKey(seq)
		return events.Put(key, rec)
	})
	if err != nil {
		return asAWS(err)
	}
	q.s.metric(ref, rec.Received, "AsyncEventsReceived", 1, "Count")
	q.schedule(ref, key, rec.NextAt)
	return nil
}

// schedule notes that the event at key is due at next, starting the function's dispatcher
// when it has none.
func (q *asyncQueues) schedule(ref storage.LambdaFunctionRef, key string, next time.Time) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return // stored: the next start resumes it
	}
	aq := q.queues[ref]
	if aq == nil {
		aq = &asyncQueue{ref: ref, due: map[string]time.Time{}, wake: make(chan struct{}, 1)}
		q.queues[ref] = aq
		q.wg.Add(1)
		go q.dispatch(aq)
	}
	aq.due[key] = next
	aq.poke()
}

func (aq *asyncQueue) poke() {
	select {
	case aq.wake <- struct{}{}:
	default:
	}
}

// resume starts the dispatchers of every queue left in the database (Server start).
func (q *asyncQueues) resume() error {
	refs, err := q.s.db.LambdaFunctionsWithAsyncEvents()
	if err != nil {
		return err
	}
	for _, ref := range refs {
		var keys []string
		var next []time.Time
		err := q.s.db.ViewRegion(ref.Account, ref.Region, func(tx *storage.Tx) error {
			return storage.LambdaAsyncEvents(tx, ref.Function).Scan("", func(k string, r storage.LambdaAsyncEventRecord) error {
				keys, next = append(keys, k), append(next, r.NextAt)
				return nil
			})
		})
		if err != nil {
			return err
		}
		for i, k := range keys {
			q.schedule(ref, k, next[i])
		}
	}
	return nil
}

// close stops the dispatchers and waits for the deliveries under way; the events not yet
// delivered stay stored.
func (q *asyncQueues) close() {
	q.mu.Lock()
	if !q.closed {
		q.closed = true
		close(q.stop)
	}
	q.mu.Unlock()
	q.wg.Wait()
}

// dispatch delivers one function's due events until its queue is empty or the service
// closes.
func (q *asyncQueues) dispatch(aq *asyncQueue) {
	defer q.wg.Done()
	for {
		q.mu.Lock()
		if q.closed {
			q.mu.Unlock()
			return
		}
		if len(aq.due) == 0 && aq.inflight == 0 {
			delete(q.queues, aq.ref)
			q.mu.Unlock()
			return
		}
		now := q.s.clock()
		ready, wait := aq.takeDue(now, asyncParallel-aq.inflight)
		aq.inflight += len(ready)
		q.wg.Add(len(ready))
		q.mu.Unlock()
		for _, key := range ready {
			go q.deliverOne(aq, key)
		}
		var timer <-chan time.Time
		if wait > 0 {
			timer = q.s.after(wait)
		}
		select {
		case <-aq.wake:
		case <-timer:
		case <-q.stop:
		}
	}
}

// takeDue removes from the schedule, oldest first, up to n events due at now, and says how
// long until the next one is due (0 when none waits).
func (aq *asyncQueue) takeDue(now time.Time, n int) ([]string, time.Duration) {
	keys := make([]string, 0, len(aq.due))
	for k := range aq.due {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var ready []string
	var wait time.Duration
	for _, k := range keys {
		at := aq.due[k]
		if !at.After(now) {
			if len(ready) < n {
				ready = append(ready, k)
				delete(aq.due, k)
			}
			continue
		}
		if d := at.Sub(now); wait == 0 || d < wait {
			wait = d
		}
	}
	return ready, wait
}

// deliverOne delivers the event at key and puts it back in the schedule when it is to be
// retried.
func (q *asyncQueues) deliverOne(aq *asyncQueue, key string) {
	defer q.wg.Done()
	next, again := q.s.deliver(context.Background(), aq.ref, key)
	q.mu.Lock()
	aq.inflight--
	if again && !q.closed {
		aq.due[key] = next
	}
	aq.poke()
	q.mu.Unlock()
}
