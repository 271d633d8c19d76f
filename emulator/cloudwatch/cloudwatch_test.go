package cloudwatch

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

var now = time.Date(2026, 3, 4, 5, 6, 30, 0, time.UTC)

func newService(t *testing.T) (*Service, context.Context) {
	t.Helper()
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Region: "us-east-1"})
	ctx := reqctx.With(context.Background(), &reqctx.Info{Region: "us-east-1", Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
	return s, ctx
}

func code(err error) string {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

func dim(n, v string) cloudwatchapi.Dimension { return cloudwatchapi.Dimension{Name: &n, Value: &v} }

// RecordLambda publishes AWS/Lambda metrics by FunctionName, by FunctionName and Resource, and
// account-wide, as Lambda does; a throttled request counts only in Throttles.
func TestRecordLambda(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	at := now.Add(-time.Minute)
	for _, r := range []struct {
		d              time.Duration
		err, throttled bool
	}{{120 * time.Millisecond, false, false}, {80500 * time.Microsecond, true, false}, {0, false, true}} {
		if err := s.recordLambda(LambdaInvocation{Account: "123456789012", Function: "fn", Time: at, Duration: r.d, Error: r.err, Throttled: r.throttled}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(metric string, stat string, dims ...cloudwatchapi.Dimension) float64 {
		t.Helper()
		out, err := s.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: protocol.Ptr("AWS/Lambda"),
			MetricName: protocol.Ptr(metric), Dimensions: dims, StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now),
			Period: protocol.Ptr(int32(3600)), Statistics: []string{stat}})
		if err != nil || len(out.Datapoints) != 1 {
			t.Fatalf("%s: %v %+v", metric, err, out)
		}
		dp := out.Datapoints[0]
		for _, v := range []*float64{dp.Sum, dp.Average, dp.Maximum, dp.SampleCount} {
			if v != nil {
				return *v
			}
		}
		return -1
	}
	fn := dim("FunctionName", "fn")
	if v := get("Invocations", "Sum", fn); v != 2 {
		t.Errorf("invocations %v", v)
	}
	if v := get("Errors", "Sum", fn); v != 1 {
		t.Errorf("errors %v", v)
	}
	if v := get("Throttles", "Sum", fn, dim("Resource", "fn")); v != 1 {
		t.Errorf("throttles %v", v)
	}
	if v := get("Duration", "Maximum"); v != 120 {
		t.Errorf("account-wide duration %v", v)
	}
	if v := get("Duration", "Average", fn); v != 100.25 {
		t.Errorf("average duration %v", v)
	}
	list, err := s.ListMetrics(ctx, &cloudwatchapi.ListMetricsInput{Namespace: protocol.Ptr("AWS/Lambda"), MetricName: protocol.Ptr("Invocations")})
	if err != nil || len(list.Metrics) != 3 {
		t.Fatalf("%v %+v", err, list)
	}
}

func TestPutMetricDataChecks(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	put := func(d cloudwatchapi.MetricDatum) error {
		_, err := s.PutMetricData(ctx, &cloudwatchapi.PutMetricDataInput{Namespace: protocol.Ptr("App"), MetricData: []cloudwatchapi.MetricDatum{d}})
		return err
	}
	name := protocol.Ptr("m")
	for _, tc := range []struct {
		d    cloudwatchapi.MetricDatum
		want string
	}{
		{cloudwatchapi.MetricDatum{MetricName: name}, "MissingParameter"},
		{cloudwatchapi.MetricDatum{MetricName: name, Value: protocol.Ptr(1.0), Values: []float64{1}}, "InvalidParameterCombination"},
		{cloudwatchapi.MetricDatum{MetricName: name, Values: []float64{1, 2}, Counts: []float64{1}}, "InvalidParameterValue"},
		{cloudwatchapi.MetricDatum{MetricName: name, Value: protocol.Ptr(1.0), Timestamp: protocol.Ptr(now.Add(-15 * 24 * time.Hour))}, "InvalidParameterValue"},
		{cloudwatchapi.MetricDatum{MetricName: name, Value: protocol.Ptr(1.0), Timestamp: protocol.Ptr(now.Add(3 * time.Hour))}, "InvalidParameterValue"},
		{cloudwatchapi.MetricDatum{MetricName: name, Value: protocol.Ptr(1.0), Dimensions: []cloudwatchapi.Dimension{dim("a", "1"), dim("a", "2")}}, "InvalidParameterValue"},
		{cloudwatchapi.MetricDatum{MetricName: name, Value: protocol.Ptr(1.0)}, ""},
	} {
		if got := code(put(tc.d)); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.d, got, tc.want)
		}
	}
	if _, err := s.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: protocol.Ptr("App"), MetricName: name,
		StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now), Period: protocol.Ptr(int32(90)), Statistics: []string{"Sum"}}); code(err) != "InvalidParameterValue" {
		t.Errorf("period 90: %v", err)
	}
	if _, err := s.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: protocol.Ptr("App"), MetricName: name,
		StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now), Period: protocol.Ptr(int32(60))}); code(err) != "MissingParameter" {
		t.Errorf("no statistics: %v", err)
	}
}

func TestBucketStatistics(t *testing.T) {
	t.Parallel()
	b := &bucket{exact: true}
	b.add(storage.DatumRecord{Values: []float64{1, 2, 3, 4}, Counts: []float64{1, 1, 1, 1}})
	b.add(storage.DatumRecord{Values: []float64{10}, Counts: []float64{2}})
	for stat, want := range map[string]float64{"SampleCount": 6, "Sum": 30, "Average": 5, "Minimum": 1, "Maximum": 10, "p50": 3, "p90": 10, "p0": 1} {
		if got, ok := b.stat(stat); !ok || got != want {
			t.Errorf("%s = %v %v, want %v", stat, got, ok, want)
		}
	}
	b.add(storage.DatumRecord{Stats: &storage.StatisticSet{SampleCount: 2, Sum: 0, Minimum: -1, Maximum: 1}})
	if _, ok := b.stat("p50"); ok {
		t.Error("a percentile of a statistic set")
	}
	if got, _ := b.stat("Minimum"); got != -1 {
		t.Error(got)
	}
}

func TestAlarms(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	for _, n := range []string{"b", "a", "c"} {
		if _, err := s.PutMetricAlarm(ctx, &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr(n), MetricName: protocol.Ptr("m"),
			Namespace: protocol.Ptr("App"), Statistic: protocol.Ptr("Sum"), Period: protocol.Ptr(int32(60)), EvaluationPeriods: protocol.Ptr(int32(1)),
			Threshold: protocol.Ptr(1.0), ComparisonOperator: protocol.Ptr("GreaterThanThreshold"), AlarmActions: []string{"arn:aws:sns:us-east-1:123456789012:t"}}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var tok *string
	for i := 0; i < 4; i++ {
		out, err := s.DescribeAlarms(ctx, &cloudwatchapi.DescribeAlarmsInput{MaxRecords: protocol.Ptr(int32(2)), NextToken: tok})
		if err != nil {
			t.Fatal(err)
		}
		for _, a := range out.MetricAlarms {
			names = append(names, *a.AlarmName)
		}
		if tok = out.NextToken; tok == nil {
			break
		}
	}
	if len(names) != 3 || names[0] != "a" || names[2] != "c" {
		t.Fatal(names)
	}
	out, _ := s.DescribeAlarms(ctx, &cloudwatchapi.DescribeAlarmsInput{ActionPrefix: protocol.Ptr("arn:aws:sns:"), StateValue: protocol.Ptr("INSUFFICIENT_DATA"), AlarmNames: []string{"b"}})
	if len(out.MetricAlarms) != 1 || *out.MetricAlarms[0].StateReason != "Unchecked: Initial alarm creation" {
		t.Fatalf("%+v", out)
	}
	if _, err := s.PutMetricAlarm(ctx, &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr("x"), Statistic: protocol.Ptr("Sum"), ExtendedStatistic: protocol.Ptr("p90")}); code(err) != "InvalidParameterCombination" {
		t.Error(err)
	}
	if _, err := s.DescribeAlarms(ctx, &cloudwatchapi.DescribeAlarmsInput{NextToken: protocol.Ptr("garbage!")}); code(err) != "InvalidNextToken" {
		t.Error(err)
	}
}

// GetMetricData answers expressions honestly (not evaluated) and requires unique ids.
func TestGetMetricDataQueries(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	id := protocol.Ptr("q")
	_, err := s.GetMetricData(ctx, &cloudwatchapi.GetMetricDataInput{StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now),
		MetricDataQueries: []cloudwatchapi.MetricDataQuery{{Id: id, Expression: protocol.Ptr("1")}, {Id: id, Expression: protocol.Ptr("2")}}})
	if code(err) != "InvalidParameterValue" {
		t.Fatal(err)
	}
	out, err := s.GetMetricData(ctx, &cloudwatchapi.GetMetricDataInput{StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now),
		MetricDataQueries: []cloudwatchapi.MetricDataQuery{{Id: id, Expression: protocol.Ptr("SUM(METRICS())")}}})
	if err != nil || *out.MetricDataResults[0].StatusCode != "InternalError" || len(out.MetricDataResults[0].Messages) != 1 {
		t.Fatalf("%v %+v", err, out)
	}
}
