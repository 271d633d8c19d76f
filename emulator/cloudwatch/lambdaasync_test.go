package cloudwatch

import (
	"sync"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// The asynchronous invocation metrics land in AWS/Lambda by FunctionName, by FunctionName and
// Resource, and across functions, in the function's region.
func TestRecordLambdaMetric(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	at := now.Add(-time.Minute)
	for _, m := range []LambdaMetric{
		{Account: "123456789012", Region: "us-east-1", Function: "fn", Time: at, Name: "AsyncEventsReceived", Value: 1, Unit: "Count"},
		{Account: "123456789012", Region: "us-east-1", Function: "fn", Time: at, Name: "AsyncEventsReceived", Value: 1, Unit: "Count"},
		{Account: "123456789012", Region: "us-east-1", Function: "fn", Time: at, Name: "AsyncEventAge", Value: 40, Unit: "Milliseconds"},
		{Account: "123456789012", Region: "us-east-1", Function: "fn", Time: at, Name: "AsyncEventAge", Value: 60120, Unit: "Milliseconds"},
		{Account: "123456789012", Function: "other", Time: at, Name: "AsyncEventsDropped", Value: 1, Unit: "Count"},
		{Account: "123456789012", Region: "eu-west-1", Function: "fn", Time: at, Name: "AsyncEventsDropped", Value: 1, Unit: "Count"},
	} {
		s.RecordLambdaMetric(m)
	}
	for _, tc := range []struct {
		metric, stat string
		dims         []cloudwatchapi.Dimension
		want         float64
	}{
		{"AsyncEventsReceived", "Sum", []cloudwatchapi.Dimension{dim("FunctionName", "fn")}, 2},
		{"AsyncEventAge", "Maximum", []cloudwatchapi.Dimension{dim("FunctionName", "fn"), dim("Resource", "fn")}, 60120},
		{"AsyncEventAge", "Average", nil, 30080},
		{"AsyncEventsDropped", "Sum", nil, 1}, // the eu-west-1 one is not in us-east-1
		{"AsyncEventsDropped", "Sum", []cloudwatchapi.Dimension{dim("FunctionName", "other")}, 1},
	} {
		out, err := s.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: protocol.Ptr("AWS/Lambda"),
			MetricName: protocol.Ptr(tc.metric), Dimensions: tc.dims, StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now),
			Period: protocol.Ptr(int32(3600)), Statistics: []string{tc.stat}})
		if err != nil || len(out.Datapoints) != 1 {
			t.Fatalf("%s: %v %+v", tc.metric, err, out)
		}
		dp := out.Datapoints[0]
		got := map[string]*float64{"Sum": dp.Sum, "Maximum": dp.Maximum, "Average": dp.Average}[tc.stat]
		if got == nil || *got != tc.want {
			t.Errorf("%s %s %v = %v, want %v", tc.metric, tc.stat, tc.dims, got, tc.want)
		}
	}
}

// Recorded data is stored after RecordLambda returns, and every read waits for what was
// recorded before it: concurrent invocations' metrics are all seen by the read that follows.
func TestRecordLambdaReadsSeePriorRecords(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	s.Flush() // nothing queued: returns
	at := now.Add(-time.Minute)
	const n = 200
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			s.RecordLambda(LambdaInvocation{Account: "123456789012", Function: "fn", Time: at, Duration: time.Millisecond, Error: i%2 == 0})
		})
	}
	wg.Wait()
	for _, tc := range []struct {
		metric string
		want   float64
	}{{"Invocations", n}, {"Errors", n / 2}} {
		out, err := s.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: protocol.Ptr("AWS/Lambda"),
			MetricName: protocol.Ptr(tc.metric), Dimensions: []cloudwatchapi.Dimension{dim("FunctionName", "fn")},
			StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now), Period: protocol.Ptr(int32(3600)), Statistics: []string{"Sum"}})
		if err != nil || len(out.Datapoints) != 1 || *out.Datapoints[0].Sum != tc.want {
			t.Errorf("%s: %v %+v, want %v", tc.metric, err, out, tc.want)
		}
	}
	list, err := s.ListMetrics(ctx, &cloudwatchapi.ListMetricsInput{Namespace: protocol.Ptr("AWS/Lambda")})
	if err != nil || len(list.Metrics) != 12 { // 4 metrics x 3 dimension sets
		t.Errorf("ListMetrics: %v %d", err, len(list.Metrics))
	}
}
