package executor

import (
	"encoding/base64"
	"strings"
	"testing"
	"time"
)

// The REPORT line as the Lambda Developer Guide shows it: tab-separated
// fields, each followed by a tab, Init Duration on cold starts only.
func TestReportLineFormat(t *testing.T) {
	t.Parallel()
	r := report{requestID: "id", duration: 1234567 * time.Nanosecond, billed: billedDuration(1234567 * time.Nanosecond),
		memoryMB: 128, maxMemoryMB: 40, initDuration: 100 * time.Millisecond}
	if got, want := r.line(), "REPORT RequestId: id\tDuration: 1.23 ms\tBilled Duration: 2 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 100.00 ms\t"; got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	r.initDuration, r.status = 0, "timeout"
	if got := r.line(); !strings.HasSuffix(got, "Max Memory Used: 40 MB\tStatus: timeout") {
		t.Errorf("timeout line %q", got)
	}
	for d, want := range map[time.Duration]time.Duration{0: time.Millisecond, time.Millisecond: time.Millisecond, 1001 * time.Microsecond: 2 * time.Millisecond} {
		if got := billedDuration(d); got != want {
			t.Errorf("billedDuration(%v) = %v, want %v", d, got, want)
		}
	}
}

// LogType Tail: the last 4 KB of the log, base64 encoded.
func TestLogTail(t *testing.T) {
	t.Parallel()
	log := strings.Repeat("a", 5000) + strings.Repeat("b", 4096)
	got, err := base64.StdEncoding.DecodeString(Result{Log: []byte(log)}.LogTail())
	if err != nil || string(got) != strings.Repeat("b", 4096) {
		t.Errorf("tail %d bytes, %v", len(got), err)
	}
	if short, _ := base64.StdEncoding.DecodeString(Result{Log: []byte("x\n")}.LogTail()); string(short) != "x\n" {
		t.Errorf("short tail %q", short)
	}
}

// Lines longer than a CloudWatch event are split; a sync marker appended to
// a partial line flushes the partial line.
func TestLogCaptureSplitsAndSyncs(t *testing.T) {
	t.Parallel()
	var sunk []string
	lc, err := newLogCapture(time.Now, func(_ time.Time, l string) { sunk = append(sunk, l) })
	if err != nil {
		t.Fatal(err)
	}
	defer lc.close(time.Second)
	lc.w.Write([]byte(strings.Repeat("x", maxLogLine+10) + "\nwindows line\r\npartial"))
	if !lc.sync(5 * time.Second) {
		t.Fatal("sync did not complete")
	}
	lines := lc.take()
	if len(lines) != 4 || len(lines[0].text) != maxLogLine || len(lines[1].text) != 10 ||
		lines[2].text != "windows line" || lines[3].text != "partial" {
		t.Fatalf("%d lines: %v", len(lines), lines)
	}
	if len(sunk) != 4 {
		t.Errorf("sink got %d lines", len(sunk))
	}
	if more := lc.take(); len(more) != 0 {
		t.Errorf("take did not empty the buffer: %v", more)
	}
}
