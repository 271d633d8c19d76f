package emulator

import (
	"io"
	"sync"
	"time"
)

// BatchWriter gathers the server's log output and writes it in batches: one line per request
// was one write system call per request, a sizeable part of a small request's cost under load.
// A batch is written at most interval after its first line, or at once when it grows past
// maxLogBatch; lines keep their order. Close writes what is left and makes later writes direct.
type BatchWriter struct {
	w        io.Writer
	interval time.Duration

	mu      sync.Mutex
	buf     []byte
	spare   []byte
	pending bool // the timer is set for buf
	closed  bool
	timer   *time.Timer

	writing sync.Mutex // held while a batch is written, so batches reach w in order
}

// maxLogBatch is the batch size written without waiting for the interval.
const maxLogBatch = 64 << 10

// NewBatchWriter batches writes to w, each batch written within interval.
func NewBatchWriter(w io.Writer, interval time.Duration) *BatchWriter {
	b := &BatchWriter{w: w, interval: interval}
	b.timer = time.AfterFunc(time.Hour, b.Flush)
	b.timer.Stop()
	return b
}

// Write adds p to the batch. It reports no error of w: a log line that cannot be written has
// nowhere better to go.
func (b *BatchWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	if b.closed {
		b.mu.Unlock()
		b.writing.Lock()
		defer b.writing.Unlock()
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	full := len(b.buf) >= maxLogBatch
	if !full && !b.pending {
		b.pending = true
		b.timer.Reset(b.interval)
	}
	b.mu.Unlock()
	if full {
		b.Flush()
	}
	return len(p), nil
}

// Flush writes the batch now.
func (b *BatchWriter) Flush() {
	b.writing.Lock()
	defer b.writing.Unlock()
	b.mu.Lock()
	batch := b.buf
	b.buf, b.spare = b.spare[:0], nil
	b.pending = false
	b.mu.Unlock()
	if len(batch) > 0 {
		_, _ = b.w.Write(batch)
	}
	b.mu.Lock()
	if cap(batch) <= 4*maxLogBatch { // a burst's oversized buffer is let go
		b.spare = batch[:0]
	}
	b.mu.Unlock()
}

// Close writes what is batched; later writes go straight to w.
func (b *BatchWriter) Close() error {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.timer.Stop()
	b.Flush()
	return nil
}
