package emulator

import (
	"errors"
	"io"
	"net/http"
	"time"
)

// errBodyTooLarge is a body over its limit; size is the declared length, or for a body of
// unknown length the bytes that had arrived when it passed the limit.
type errBodyTooLarge struct{ size int64 }

func (e *errBodyTooLarge) Error() string { return "request body too large" }

// readChunk is how much of a body is read under one deadline.
const readChunk = 64 << 10

// bodyReader reads a request body within a size limit and at a minimum rate: a body of
// n bytes must have arrived grace + n/rate after it started, so a client trickling bytes is cut
// off while a large upload on a slow link is not. The deadline is the connection's read
// deadline (http.ResponseController); a ResponseWriter without one (a recorder in tests) reads
// without deadlines.
type bodyReader struct {
	rc    *http.ResponseController
	grace time.Duration
	rate  int64 // bytes a second
	// now is the wall clock: deadlines are on the network's time, never the emulated clock.
	now func() time.Time
}

// read returns the body, *errBodyTooLarge when it is over limit (refused before a byte is
// read when Content-Length says so), or the read error (a deadline passed, the client went away).
func (b bodyReader) read(r *http.Request, limit int64) ([]byte, error) {
	body, err := b.readLimited(r, limit)
	if err != nil {
		// Nothing more of a refused body is read: net/http would otherwise read on after the
		// answer, hoping to reuse the connection, and wait for a client that never ends its
		// body. The read fails at once, and the connection is closed after the answer.
		b.deadline(time.Now())
	}
	return body, err
}

func (b bodyReader) readLimited(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, &errBodyTooLarge{size: r.ContentLength}
	}
	if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	expect := limit + 1 // a body of unknown length is read until it passes the limit
	if r.ContentLength > 0 {
		expect = r.ContentLength
	}
	start := b.now()
	// Memory follows what has arrived, not what the client declared: a client declaring a
	// large body and sending little holds little.
	buf := make([]byte, 0, min(expect, readChunk))
	for {
		if int64(len(buf)) == expect {
			if expect > limit {
				return nil, &errBodyTooLarge{size: expect}
			}
			break // the declared length; net/http refuses to read past it
		}
		if len(buf) == cap(buf) {
			buf = grow(buf, expect)
		}
		want := min(int64(cap(buf)-len(buf)), readChunk)
		b.deadline(start.Add(b.grace + b.duration(int64(len(buf))+want)))
		n, err := r.Body.Read(buf[len(buf) : len(buf)+int(want)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	// The deadline stays until net/http next reads the connection, which it sets anew (for
	// the next request, or clears to watch for the client going away).
	return buf, nil
}

// grow doubles buf's capacity, at most to expect.
func grow(buf []byte, expect int64) []byte {
	next := min(max(2*int64(cap(buf)), readChunk), expect)
	out := make([]byte, len(buf), next)
	copy(out, buf)
	return out
}

func (b bodyReader) duration(n int64) time.Duration {
	return time.Duration(float64(n) / float64(b.rate) * float64(time.Second))
}

func (b bodyReader) deadline(t time.Time) {
	if b.rc != nil {
		_ = b.rc.SetReadDeadline(t) // http.ErrNotSupported: no connection to bound
	}
}
