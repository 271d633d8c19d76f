package executor

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// rssSampler bounds an environment's memory where no control group does:
// every sampleEvery it adds up the resident sets of the environment's
// process tree and, past the limit, kills it. A fast allocator can overshoot
// between two samples; the kill follows within one period.
type rssSampler struct {
	pid   int
	limit int64
	kill  func()
	peak  atomic.Int64
	oom   atomic.Bool
	quit  chan struct{}
	done  chan struct{}
}

const sampleEvery = 20 * time.Millisecond

func startSampler(pid int, limit int64, kill func()) *rssSampler {
	s := &rssSampler{pid: pid, limit: limit, kill: kill, quit: make(chan struct{}), done: make(chan struct{})}
	go s.run()
	return s
}

func (s *rssSampler) run() {
	defer close(s.done)
	t := time.NewTicker(sampleEvery)
	defer t.Stop()
	for {
		total := treeRSS(s.pid)
		if total > s.peak.Load() {
			s.peak.Store(total)
		}
		if s.limit > 0 && total > s.limit && !s.oom.Swap(true) {
			s.kill()
		}
		select {
		case <-s.quit:
			return
		case <-t.C:
		}
	}
}

// stop ends sampling and returns the peak and whether the limit killed the
// environment.
func (s *rssSampler) stop() (int64, bool) {
	close(s.quit)
	<-s.done
	return s.peakBytes(), s.oom.Load()
}

// peakBytes is the peak, at most the limit: Lambda never reports a Max
// Memory Used above the Memory Size, and a sample past it only says when
// the kill came.
func (s *rssSampler) peakBytes() int64 {
	p := s.peak.Load()
	if s.limit > 0 && p > s.limit {
		return s.limit
	}
	return p
}

// treeRSS adds up the resident set of pid and its descendants, found
// through /proc/<pid>/task/<tid>/children (orphans are the init's children,
// so the whole namespace is its tree).
func treeRSS(pid int) int64 {
	page := int64(os.Getpagesize())
	var total int64
	seen := map[int]bool{}
	for todo := []int{pid}; len(todo) > 0; {
		p := todo[len(todo)-1]
		todo = todo[:len(todo)-1]
		if seen[p] {
			continue
		}
		seen[p] = true
		dir := "/proc/" + strconv.Itoa(p)
		if b, err := os.ReadFile(dir + "/statm"); err == nil {
			if f := strings.Fields(string(b)); len(f) > 1 {
				n, _ := strconv.ParseInt(f[1], 10, 64)
				total += n * page
			}
		}
		tasks, _ := filepath.Glob(dir + "/task/*/children")
		for _, t := range tasks {
			b, _ := os.ReadFile(t)
			for _, c := range strings.Fields(string(b)) {
				if n, err := strconv.Atoi(c); err == nil {
					todo = append(todo, n)
				}
			}
		}
	}
	return total
}
