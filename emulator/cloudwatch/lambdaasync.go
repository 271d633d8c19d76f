package cloudwatch

import (
	"time"

	"github.com/iamlocal/iamlocal/storage"
)

// LambdaMetric is one datum of a function's AWS/Lambda metric other than those of an
// invocation's outcome: the asynchronous invocation metrics ("Types of metrics for Lambda
// functions", asynchronous invocation metrics): AsyncEventsReceived (Count, an event queued),
// AsyncEventAge (Milliseconds, from queueing to an attempt to run it) and AsyncEventsDropped
// (Count, an event given up, after it was sent to its on-failure destination or dead-letter
// queue if it has one).
type LambdaMetric struct {
	// Account and Region are the function's; an empty Region is Options.Region.
	Account, Region, Function string
	Time                      time.Time
	Name, Unit                string
	Value                     float64
}

// RecordLambdaMetric records m by FunctionName, by FunctionName and Resource, and across all
// functions, as RecordLambda does, and like it stores m after returning.
func (s *Service) RecordLambdaMetric(m LambdaMetric) {
	region := m.Region
	if region == "" {
		region = s.opts.Region
	}
	rec := storage.DatumRecord{Time: m.Time.UnixMilli(), Unit: m.Unit, Values: []float64{m.Value}, Counts: []float64{1}}
	s.enqueueLambda(lambdaBatch{account: m.Account, region: region, namespace: "AWS/Lambda", now: s.opts.Clock(),
		points: lambdaPoints(m.Function, map[string]storage.DatumRecord{m.Name: rec})})
}
