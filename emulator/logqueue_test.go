package emulator

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// slowSink stores lines slowly, as commits do.
type slowSink struct {
	mu    sync.Mutex
	lines []string
}

func (s *slowSink) Write(account, region, group, stream string, _ time.Time, line string) {
	time.Sleep(100 * time.Microsecond)
	s.mu.Lock()
	s.lines = append(s.lines, account+" "+region+" "+group+" "+stream+" "+line)
	s.mu.Unlock()
}

func (s *slowSink) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

// Lines are stored after Write returns, in the order each writer wrote them, and flush waits
// for every line written before it.
func TestLogQueue(t *testing.T) {
	t.Parallel()
	sink := &slowSink{}
	q := newLogQueue(sink)
	q.flush() // nothing queued: returns
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 50 {
				q.Write("123456789012", "us-east-1", "/aws/lambda/f", fmt.Sprint("s", w), time.Time{}, fmt.Sprint(i))
			}
		})
	}
	wg.Wait()
	q.flush()
	if n := sink.count(); n != 200 {
		t.Fatalf("%d lines stored after flush, want 200", n)
	}
	next := map[string]int{}
	for _, l := range sink.lines {
		var acct, region, group, stream string
		var i int
		fmt.Sscan(l, &acct, &region, &group, &stream, &i)
		if i != next[stream] {
			t.Fatalf("stream %s: line %d after %d", stream, i, next[stream]-1)
		}
		next[stream]++
	}
}
