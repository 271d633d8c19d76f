package integration

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Metric filters end to end through aws-sdk-go-v2: a filter on a group, PutLogEvents, and
// CloudWatch's reads see the data at the events' timestamps, by the filter's dimensions; the
// service's errors; and `aws logs test-metric-filter` through the AWS CLI v1.
func TestLogsMetricFiltersGoSDK(t *testing.T) {
	t.Parallel()
	now := time.Now().UTC().Truncate(time.Minute)
	srv := emulatortest.New(t, fixedClock(now))
	ctx := context.Background()
	logs := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	cw := cloudwatch.NewFromConfig(srv.AWSConfig(ctx))
	must := mustOK(t)
	group, stream := aws.String("/app/api"), aws.String("web-1")
	must(logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: group}))
	must(logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: group, LogStreamName: stream}))
	must(logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: group, FilterName: aws.String("errors"),
		FilterPattern: aws.String("ERROR"), MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("App"),
			MetricName: aws.String("Errors"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0)}}}))
	must(logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: group, FilterName: aws.String("latency"),
		FilterPattern: aws.String(`{ $.ms = * }`), MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("App"),
			MetricName: aws.String("Latency"), MetricValue: aws.String("$.ms"), Unit: types.StandardUnitMilliseconds,
			Dimensions: map[string]string{"Route": "$.route"}}}}))

	_, err := logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: aws.String("/none"), FilterName: aws.String("f"),
		FilterPattern: aws.String("x"), MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("App"),
			MetricName: aws.String("M"), MetricValue: aws.String("1")}}})
	assertDenied(t, err, "ResourceNotFoundException", "The specified log group does not exist.")
	_, err = logs.PutMetricFilter(ctx, &cloudwatchlogs.PutMetricFilterInput{LogGroupName: group, FilterName: aws.String("f"),
		FilterPattern: aws.String(`{ $.a = 1 }`), MetricTransformations: []types.MetricTransformation{{MetricNamespace: aws.String("App"),
			MetricName: aws.String("M"), MetricValue: aws.String("1"), DefaultValue: aws.Float64(0), Dimensions: map[string]string{"A": "$.a"}}}})
	assertDenied(t, err, "InvalidParameterException", "dimensions and default value are mutually exclusive properties")

	base := now.Add(-5 * time.Minute)
	events := []types.InputLogEvent{
		{Timestamp: aws.Int64(base.UnixMilli()), Message: aws.String("ERROR boom")},
		{Timestamp: aws.Int64(base.Add(time.Second).UnixMilli()), Message: aws.String(`{"ms": 30, "route": "/a"}`)},
		{Timestamp: aws.Int64(base.Add(2 * time.Second).UnixMilli()), Message: aws.String(`{"ms": 50, "route": "/a"}`)},
		{Timestamp: aws.Int64(base.Add(time.Minute).UnixMilli()), Message: aws.String("all good")},
	}
	must(logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: group, LogStreamName: stream, LogEvents: events}))

	stats := func(name string, dims ...cwtypes.Dimension) []cwtypes.Datapoint {
		t.Helper()
		out, err := cw.GetMetricStatistics(ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("App"), MetricName: aws.String(name),
			Dimensions: dims, StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now), Period: aws.Int32(60),
			Statistics: []cwtypes.Statistic{cwtypes.StatisticSum, cwtypes.StatisticSampleCount}})
		if err != nil {
			t.Fatal(err)
		}
		return out.Datapoints
	}
	errs := stats("Errors")
	byMinute := map[int64]float64{} // by Unix second: the SDK's times carry another Location
	for _, dp := range errs {
		byMinute[aws.ToTime(dp.Timestamp).Unix()] = aws.ToFloat64(dp.Sum)
	}
	if len(errs) != 2 || byMinute[base.Unix()] != 1 || byMinute[base.Add(time.Minute).Unix()] != 0 {
		t.Errorf("Errors by minute: %v", byMinute)
	}
	lat := stats("Latency", cwtypes.Dimension{Name: aws.String("Route"), Value: aws.String("/a")})
	if len(lat) != 1 || aws.ToFloat64(lat[0].Sum) != 80 || aws.ToFloat64(lat[0].SampleCount) != 2 || lat[0].Unit != cwtypes.StandardUnitMilliseconds {
		t.Errorf("Latency by Route: %+v", lat)
	}
	data, err := cw.GetMetricData(ctx, &cloudwatch.GetMetricDataInput{StartTime: aws.Time(now.Add(-time.Hour)), EndTime: aws.Time(now),
		MetricDataQueries: []cwtypes.MetricDataQuery{{Id: aws.String("e"), MetricStat: &cwtypes.MetricStat{Period: aws.Int32(3600), Stat: aws.String("Sum"),
			Metric: &cwtypes.Metric{Namespace: aws.String("App"), MetricName: aws.String("Errors")}}}}})
	if err != nil || len(data.MetricDataResults) != 1 || len(data.MetricDataResults[0].Values) != 1 || data.MetricDataResults[0].Values[0] != 1 {
		t.Errorf("GetMetricData: %v %+v", err, data)
	}

	described, err := logs.DescribeMetricFilters(ctx, &cloudwatchlogs.DescribeMetricFiltersInput{LogGroupName: group})
	if err != nil || len(described.MetricFilters) != 2 || aws.ToString(described.MetricFilters[0].FilterName) != "errors" ||
		aws.ToFloat64(described.MetricFilters[0].MetricTransformations[0].DefaultValue) != 0 ||
		described.MetricFilters[1].MetricTransformations[0].Dimensions["Route"] != "$.route" {
		t.Fatalf("DescribeMetricFilters: %v %+v", err, described)
	}
	groups, err := logs.DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: group})
	if err != nil || aws.ToInt32(groups.LogGroups[0].MetricFilterCount) != 2 {
		t.Errorf("metricFilterCount: %v %+v", err, groups)
	}
	must(logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: group, FilterName: aws.String("errors")}))
	_, err = logs.DeleteMetricFilter(ctx, &cloudwatchlogs.DeleteMetricFilterInput{LogGroupName: group, FilterName: aws.String("errors")})
	assertCode(t, err, "ResourceNotFoundException")

	// The AWS CLI v1's example (aws-cli examples/logs/test-metric-filter.rst).
	out, stderr, err := runCLI(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, "logs", "test-metric-filter",
		"--filter-pattern", "ERROR", "--log-event-messages", "[ERROR] 400 BAD REQUEST", "[ERROR] 400 BAD REQUEST", "[INFO] 200 OK")
	if err != nil {
		t.Fatalf("aws logs test-metric-filter: %v\n%s", err, stderr)
	}
	var got struct {
		Matches []struct {
			EventNumber     int
			EventMessage    string
			ExtractedValues map[string]string
		}
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil || len(got.Matches) != 2 || got.Matches[0].EventNumber != 1 ||
		got.Matches[1].EventNumber != 2 || got.Matches[1].EventMessage != "[ERROR] 400 BAD REQUEST" || got.Matches[0].ExtractedValues == nil {
		t.Errorf("test-metric-filter: %v\n%s", err, out)
	}
}
