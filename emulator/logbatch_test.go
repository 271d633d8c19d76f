package emulator

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// batchTarget is a writer the test reads while the batch writer writes to it from its timer.
type batchTarget struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
	wrote  chan struct{}
}

func (s *batchTarget) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	n, err := s.b.Write(p)
	select {
	case s.wrote <- struct{}{}:
	default:
	}
	return n, err
}

func (s *batchTarget) String() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String(), s.writes
}

func TestBatchWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		interval time.Duration
		lines    int
		lineSize int
		close    bool // read after Close rather than after the timer's write
		// wantWrites bounds the writes w sees.
		wantWrites int
	}{
		{"lines within the interval reach w in one write", time.Hour, 50, 20, true, 1},
		{"a batch is written by the timer", time.Millisecond, 3, 20, false, 1},
		{"a batch past its size is written at once", time.Hour, 3, maxLogBatch, true, 3},
		{"nothing written, nothing to write", time.Hour, 0, 0, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			out := &batchTarget{wrote: make(chan struct{}, 1)}
			b := NewBatchWriter(out, tt.interval)
			var want strings.Builder
			for i := range tt.lines {
				line := fmt.Sprintf("%0*d\n", tt.lineSize-1, i)
				want.WriteString(line)
				if n, err := b.Write([]byte(line)); n != len(line) || err != nil {
					t.Fatalf("Write: %d, %v", n, err)
				}
			}
			if tt.close {
				b.Close()
			} else {
				select {
				case <-out.wrote:
				case <-time.After(10 * time.Second):
					t.Fatal("the timer wrote nothing")
				}
			}
			got, writes := out.String()
			if got != want.String() || writes > tt.wantWrites || (tt.lines > 0 && writes == 0) {
				t.Errorf("%d writes (want at most %d) of %d bytes, want %d bytes in order", writes, tt.wantWrites, len(got), want.Len())
			}
			b.Close()
		})
	}
}

// Writers racing each other and the timer lose no line and split none; after Close writes go
// straight through.
func TestBatchWriterConcurrentAndClosed(t *testing.T) {
	t.Parallel()
	out := &batchTarget{wrote: make(chan struct{}, 1)}
	b := NewBatchWriter(out, 50*time.Microsecond)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 500 {
				fmt.Fprintf(b, "writer %d line %d\n", w, i)
			}
		}()
	}
	wg.Wait()
	b.Close()
	fmt.Fprintf(b, "after close\n")
	got, _ := out.String()
	lines := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	if len(lines) != 2001 || lines[2000] != "after close" {
		t.Fatalf("%d lines, last %q", len(lines), lines[len(lines)-1])
	}
	next := map[string]int{}
	for _, l := range lines[:2000] {
		var w, i int
		if _, err := fmt.Sscanf(l, "writer %d line %d", &w, &i); err != nil {
			t.Fatalf("split line %q", l)
		}
		if key := fmt.Sprint(w); next[key] != i {
			t.Fatalf("writer %d: line %d after %d", w, i, next[key]-1)
		} else {
			next[key]++
		}
	}
}
