package emulator

import (
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/executor"
)

// logQueue is the sink function output reaches CloudWatch Logs through. The logs service
// stores a line in a write transaction of its own (a commit, an fsync); written from the
// executor's log capture, that put three commits or more (START, END, REPORT, the function's
// own lines) on every invocation's path. The queue takes a line at once and one writer stores
// the lines in the order they came. Every CloudWatch Logs request, and Reset, first waits for
// the lines queued before it (flush), so a client reading a function's log after its
// invocation sees the lines as it would once CloudWatch Logs received them.
type logQueue struct {
	sink executor.LogSink

	mu      sync.Mutex
	pending []logEntry
	queued  uint64 // lines ever queued
	stored  uint64 // of which stored
	running bool   // a writer goroutine drains pending
	changed sync.Cond
}

type logEntry struct {
	account, region, group, stream string
	t                              time.Time
	line                           string
}

// maxQueuedLines bounds the lines waiting: past it a writer of output waits for room, as a
// runtime writing faster than the database stores does.
const maxQueuedLines = 1 << 16

var _ executor.LogSink = (*logQueue)(nil)

func newLogQueue(sink executor.LogSink) *logQueue {
	q := &logQueue{sink: sink}
	q.changed.L = &q.mu
	return q
}

// Write queues one line of a function's log.
func (q *logQueue) Write(account, region, group, stream string, t time.Time, line string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for len(q.pending) >= maxQueuedLines {
		q.changed.Wait()
	}
	q.pending = append(q.pending, logEntry{account, region, group, stream, t, line})
	q.queued++
	if !q.running {
		q.running = true
		go q.drain()
	}
}

// drain stores queued lines, oldest first, until none is left.
func (q *logQueue) drain() {
	for {
		q.mu.Lock()
		batch := q.pending
		q.pending = nil
		if len(batch) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		for _, e := range batch {
			q.sink.Write(e.account, e.region, e.group, e.stream, e.t, e.line)
		}
		q.mu.Lock()
		q.stored += uint64(len(batch))
		q.changed.Broadcast()
		q.mu.Unlock()
	}
}

// flush waits until every line queued before the call is stored.
func (q *logQueue) flush() {
	q.mu.Lock()
	defer q.mu.Unlock()
	for target := q.queued; q.stored < target; {
		q.changed.Wait()
	}
}
