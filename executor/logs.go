package executor

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// LogSink receives every log line of every sandbox, as CloudWatch Logs does, in the
// function's account and region (Function.Account, Function.Region).
type LogSink interface {
	Write(account, region, group, stream string, t time.Time, line string)
}

const (
	maxLogLine      = 256 * 1024 // CloudWatch's event size; longer lines are split
	maxLogBuffered  = 1 << 20    // per sandbox, between two takes; oldest dropped
	syncMarkerStart = "\x00iamlocal-log-sync-"
	logTailBytes    = 4096
)

type logLine struct {
	t    time.Time
	text string
}

// logCapture reads a runtime's stdout and stderr (one pipe, so their order
// is kept), splits it into lines, hands each to the sink and keeps them until
// the executor takes them for an invocation's Result.Log.
//
// The executor keeps the pipe's write end. sync writes a marker into it and
// waits until the reader reaches it: everything the runtime wrote before,
// say, posting its response is then in the buffer.
type logCapture struct {
	r, w  *os.File
	clock func() time.Time
	sink  func(t time.Time, line string)
	// keep, when set, filters the runtime's lines (never the platform's):
	// a JSON function's application log level.
	keep func(line string) bool

	mu      sync.Mutex
	lines   []logLine
	size    int
	partial []byte
	seq     int
	waiters map[string]chan struct{}
	done    chan struct{}
}

func newLogCapture(clock func() time.Time, sink func(time.Time, string)) (*logCapture, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	lc := &logCapture{r: r, w: w, clock: clock, sink: sink, waiters: map[string]chan struct{}{}, done: make(chan struct{})}
	go lc.read()
	return lc, nil
}

func (lc *logCapture) read() {
	defer close(lc.done)
	buf := make([]byte, 64*1024)
	for {
		n, err := lc.r.Read(buf)
		if n > 0 {
			lc.feed(buf[:n])
		}
		if err != nil {
			lc.mu.Lock()
			if len(lc.partial) > 0 {
				lc.emitRuntimeLocked(string(lc.partial))
				lc.partial = nil
			}
			lc.mu.Unlock()
			lc.r.Close()
			return
		}
	}
}

func (lc *logCapture) feed(b []byte) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.partial = append(lc.partial, b...)
	for {
		i := bytes.IndexByte(lc.partial, '\n')
		if i < 0 {
			break
		}
		line := string(bytes.TrimSuffix(lc.partial[:i], []byte{'\r'}))
		lc.partial = lc.partial[i+1:]
		if m := strings.Index(line, syncMarkerStart); m >= 0 {
			if m > 0 {
				lc.emitRuntimeLocked(line[:m])
			}
			if ch, ok := lc.waiters[line[m:]]; ok {
				delete(lc.waiters, line[m:])
				close(ch)
			}
			continue
		}
		lc.emitRuntimeLocked(line)
	}
	for len(lc.partial) > maxLogLine {
		lc.emitRuntimeLocked(string(lc.partial[:maxLogLine]))
		lc.partial = lc.partial[maxLogLine:]
	}
	if len(lc.partial) == 0 {
		lc.partial = nil // let the backing array go
	}
}

// filter sets the filter of the runtime's lines, before the runtime starts.
func (lc *logCapture) filter(keep func(line string) bool) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.keep = keep
}

// note sends a line of iamlocal's own to the log stream only: it is no
// invocation's, so no Result.Log carries it.
func (lc *logCapture) note(line string) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if lc.sink != nil {
		lc.sink(lc.clock(), line)
	}
}

// add records a line the platform writes (START, END, REPORT, errors).
func (lc *logCapture) add(line string) {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	lc.emitLocked(line)
}

// emitRuntimeLocked records a line of the runtime's output the filter keeps.
func (lc *logCapture) emitRuntimeLocked(line string) {
	if lc.keep == nil || lc.keep(line) {
		lc.emitLocked(line)
	}
}

func (lc *logCapture) emitLocked(line string) {
	for len(line) > maxLogLine {
		lc.emitLocked(line[:maxLogLine])
		line = line[maxLogLine:]
	}
	t := lc.clock()
	lc.lines = append(lc.lines, logLine{t, line})
	lc.size += len(line) + 1
	for lc.size > maxLogBuffered && len(lc.lines) > 1 {
		lc.size -= len(lc.lines[0].text) + 1
		lc.lines = lc.lines[1:]
	}
	if lc.sink != nil {
		lc.sink(t, line)
	}
}

// sync waits, at most wait, until everything written to the pipe so far has
// been read. It reports whether it got there.
func (lc *logCapture) sync(wait time.Duration) bool {
	lc.mu.Lock()
	lc.seq++
	token := syncMarkerStart + strconv.Itoa(lc.seq) + "\x00"
	ch := make(chan struct{})
	lc.waiters[token] = ch
	lc.mu.Unlock()
	if _, err := lc.w.Write([]byte(token + "\n")); err != nil {
		return false
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-lc.done:
		return false
	case <-t.C:
		return false
	}
}

// take returns the buffered lines and empties the buffer.
func (lc *logCapture) take() []logLine {
	lc.mu.Lock()
	defer lc.mu.Unlock()
	out := lc.lines
	lc.lines, lc.size = nil, 0
	return out
}

// close closes the write end and waits, at most wait, for the reader to see
// the end of the pipe (every process holding the write end is gone).
func (lc *logCapture) close(wait time.Duration) {
	lc.w.Close()
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-lc.done:
	case <-t.C:
		lc.r.Close() // a leftover writer outside the process group; stop reading
	}
}

// The platform's lines, as the Lambda Developer Guide's "Working with
// Lambda function logs" shows them.
func startLine(requestID, version string) string {
	return fmt.Sprintf("START RequestId: %s Version: %s", requestID, version)
}

func endLine(requestID string) string { return "END RequestId: " + requestID }

type report struct {
	requestID    string
	duration     time.Duration
	billed       time.Duration
	memoryMB     int
	maxMemoryMB  int
	initDuration time.Duration // 0 for a warm start
	status       string        // "", "timeout" or "error"
	errorType    string        // with status "error"
}

func (r report) line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %d ms\tMemory Size: %d MB\tMax Memory Used: %d MB\t",
		r.requestID, ms(r.duration), r.billed.Milliseconds(), r.memoryMB, r.maxMemoryMB)
	if r.initDuration > 0 {
		fmt.Fprintf(&b, "Init Duration: %.2f ms\t", ms(r.initDuration))
	}
	if r.status != "" {
		fmt.Fprintf(&b, "Status: %s", r.status)
	}
	if r.errorType != "" {
		fmt.Fprintf(&b, "\tError Type: %s", r.errorType)
	}
	return b.String()
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// billedDuration rounds up to the next millisecond, with 1 ms at least.
func billedDuration(d time.Duration) time.Duration {
	n := int64(math.Ceil(ms(d)))
	if n < 1 {
		n = 1
	}
	return time.Duration(n) * time.Millisecond
}

// timestampLayout is the one Lambda prints before "Task timed out".
const timestampLayout = "2006-01-02T15:04:05.000Z"

// maxMemoryUsedMB is the sandbox's peak memory in MB, rounded up: the
// launcher's measure of the whole environment where it has one, else the
// runtime process's peak resident set.
func (sb *sandbox) maxMemoryUsedMB() int {
	sb.mu.Lock()
	proc, pid := sb.proc, sb.pid
	sb.mu.Unlock()
	if m, ok := proc.(MemoryMeter); ok {
		return int((m.MaxMemoryUsed() + 1<<20 - 1) >> 20)
	}
	return maxMemoryUsedMB(pid)
}

// maxMemoryUsedMB reads the peak resident set (VmHWM) of pid from /proc,
// rounded up to whole MB; 0 where /proc is not there.
func maxMemoryUsedMB(pid int) int {
	if pid <= 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			f := strings.Fields(rest)
			if len(f) > 0 {
				kb, _ := strconv.Atoi(f[0])
				return (kb + 1023) / 1024
			}
		}
	}
	return 0
}

// LogTail is what Invoke with LogType Tail returns in X-Amz-Log-Result: the
// last 4 KB of the invocation's log, base64 encoded.
func (r Result) LogTail() string {
	b := r.Log
	if len(b) > logTailBytes {
		b = b[len(b)-logTailBytes:]
	}
	return base64.StdEncoding.EncodeToString(b)
}
