package cloudwatch

import (
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// RecordMetrics stores each datum under its own namespace, name and dimension set, in the
// account and region given, with its unit (None when unset), and the reads that follow see it.
func TestRecordMetrics(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t) // account 123456789012 in us-east-1
	at := now.Add(-2 * time.Minute)
	s.RecordMetrics("123456789012", "", []Datum{
		{Namespace: "App", Name: "Errors", Time: at, Value: 1},
		{Namespace: "App", Name: "Errors", Time: at, Value: 1},
		{Namespace: "App", Name: "Latency", Dimensions: map[string]string{"Route": "/a", "Method": "GET"}, Time: at, Value: 40, Unit: "Milliseconds"},
		{Namespace: "Other", Name: "Errors", Time: at, Value: 5},
	})
	s.RecordMetrics("123456789012", "eu-west-1", []Datum{{Namespace: "App", Name: "Errors", Time: at, Value: 7}})
	s.RecordMetrics("999999999999", "", []Datum{{Namespace: "App", Name: "Errors", Time: at, Value: 9}})
	s.RecordMetrics("123456789012", "", nil)

	tests := []struct {
		name, ns, metric string
		dims             []cloudwatchapi.Dimension
		sum, count       float64
		unit             string
	}{
		{"two data, no dimensions", "App", "Errors", nil, 2, 2, "None"},
		{"dimensions in any order", "App", "Latency", []cloudwatchapi.Dimension{dim("Route", "/a"), dim("Method", "GET")}, 40, 1, "Milliseconds"},
		{"another namespace", "Other", "Errors", nil, 5, 1, "None"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, err := s.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: &tc.ns, MetricName: &tc.metric,
				Dimensions: tc.dims, StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now),
				Period: protocol.Ptr(int32(3600)), Statistics: []string{"Sum", "SampleCount"}})
			if err != nil || len(out.Datapoints) != 1 {
				t.Fatalf("%v %+v", err, out)
			}
			dp := out.Datapoints[0]
			if *dp.Sum != tc.sum || *dp.SampleCount != tc.count || *dp.Unit != tc.unit {
				t.Errorf("sum %v count %v unit %s, want %v %v %s", *dp.Sum, *dp.SampleCount, *dp.Unit, tc.sum, tc.count, tc.unit)
			}
		})
	}
	// The Latency metric without its dimensions is another metric, with no data.
	out, err := s.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: protocol.Ptr("App"), MetricName: protocol.Ptr("Latency"),
		StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now), Period: protocol.Ptr(int32(3600)), Statistics: []string{"Sum"}})
	if err != nil || len(out.Datapoints) != 0 {
		t.Errorf("Latency without dimensions: %v %+v", err, out)
	}
}
