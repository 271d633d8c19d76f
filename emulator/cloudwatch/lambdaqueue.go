package cloudwatch

import (
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/storage"
)

// The AWS/Lambda data RecordLambda and RecordLambdaMetric are given, and the metric filters'
// data RecordMetrics is given, are stored after they return: an invocation's answer must not wait for a database commit (an fsync) of its
// metrics. One writer at a time stores what has queued, all of an account's batches in one
// transaction; every read of metrics first waits for what was recorded before it
// (flushLambda), so a client that reads after an invocation sees its data, as it would once
// CloudWatch has received it.

// lambdaQueue holds the data recorded and not yet stored.
type lambdaQueue struct {
	mu      sync.Mutex
	pending []lambdaBatch
	queued  uint64    // batches ever queued
	stored  uint64    // of which stored (or failed to be)
	running bool      // a writer goroutine drains pending
	written sync.Cond // broadcast when stored moves; L is &mu
}

// lambdaBatch is one call's data for an account, region and namespace: AWS/Lambda, or the
// namespace of a metric filter (RecordMetrics).
type lambdaBatch struct {
	account, region, namespace string
	now                        time.Time
	points                     []point
}

func (s *Service) enqueueLambda(b lambdaBatch) {
	q := &s.lambda
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pending = append(q.pending, b)
	q.queued++
	if !q.running {
		q.running = true
		go s.drainLambda()
	}
}

// drainLambda stores queued batches until none is left.
func (s *Service) drainLambda() {
	q := &s.lambda
	for {
		q.mu.Lock()
		batches, upto := q.pending, q.queued
		q.pending = nil
		if len(batches) == 0 {
			q.running = false
			q.mu.Unlock()
			return
		}
		q.mu.Unlock()
		s.storeBatches(batches)
		q.mu.Lock()
		q.stored = upto
		q.written.Broadcast()
		q.mu.Unlock()
	}
}

// storeBatches writes batches in one transaction per account.
func (s *Service) storeBatches(batches []lambdaBatch) {
	var order []string
	byAccount := map[string][]lambdaBatch{}
	for _, b := range batches {
		if _, seen := byAccount[b.account]; !seen {
			order = append(order, b.account)
		}
		byAccount[b.account] = append(byAccount[b.account], b)
	}
	for _, account := range order {
		err := s.opts.DB.Update(account, func(tx *storage.Tx) error {
			for _, b := range byAccount[account] {
				if err := storeIn(tx, b.region, b.namespace, b.now, b.points); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			s.opts.Logger.Error("record lambda metrics", "account", account, "batches", len(byAccount[account]), "err", err)
		}
	}
}

// flushLambda waits until every batch queued before the call is stored.
func (s *Service) flushLambda() {
	q := &s.lambda
	q.mu.Lock()
	defer q.mu.Unlock()
	for target := q.queued; q.stored < target; {
		q.written.Wait()
	}
}

// Flush stores the Lambda data recorded so far; the server calls it before it closes the
// database.
func (s *Service) Flush() { s.flushLambda() }
