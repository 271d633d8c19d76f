package cloudwatch

import (
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
)

func regionCtx(region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Region: region, Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
}

// Metrics and alarms are regional: a Lambda invocation recorded in eu-west-1 (the service's
// own region is us-east-1), data put in one region and an alarm of one region are seen by
// every read of that region only.
func TestMetricsAndAlarmsKeepRegionsApart(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	eu, us := regionCtx("eu-west-1"), regionCtx("us-east-1")
	at := now.Add(-time.Minute)
	s.RecordLambda(LambdaInvocation{Account: "123456789012", Region: "eu-west-1", Function: "fn", Time: at, Duration: time.Millisecond})
	if _, err := s.PutMetricData(us, &cloudwatchapi.PutMetricDataInput{Namespace: protocol.Ptr("App"),
		MetricData: []cloudwatchapi.MetricDatum{{MetricName: protocol.Ptr("Hits"), Value: protocol.Ptr(3.0), Timestamp: &at}}}); err != nil {
		t.Fatal(err)
	}
	for _, ctx := range []context.Context{eu, us} {
		if _, err := s.PutMetricAlarm(ctx, &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr("high"), MetricName: protocol.Ptr("m"),
			Namespace: protocol.Ptr("App"), Statistic: protocol.Ptr("Sum"), Period: protocol.Ptr(int32(60)), EvaluationPeriods: protocol.Ptr(int32(1)),
			Threshold: protocol.Ptr(1.0), ComparisonOperator: protocol.Ptr("GreaterThanThreshold"),
			AlarmDescription: protocol.Ptr(reqctx.From(ctx).Region)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteAlarms(us, &cloudwatchapi.DeleteAlarmsInput{AlarmNames: []string{"high"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		region              string
		ctx                 context.Context
		invocations, hits   int // datapoints of AWS/Lambda Invocations and App Hits
		alarmDescribedAs    string
		listedNamespaceWant string
	}{
		{"eu-west-1", eu, 1, 0, "eu-west-1", "AWS/Lambda"},
		{"us-east-1", us, 0, 1, "", "App"},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			t.Parallel()
			points := func(ns, name string, dims ...cloudwatchapi.Dimension) int {
				t.Helper()
				out, err := s.GetMetricStatistics(tc.ctx, &cloudwatchapi.GetMetricStatisticsInput{Namespace: &ns, MetricName: &name, Dimensions: dims,
					StartTime: protocol.Ptr(now.Add(-time.Hour)), EndTime: protocol.Ptr(now), Period: protocol.Ptr(int32(3600)), Statistics: []string{"Sum"}})
				if err != nil {
					t.Fatal(err)
				}
				return len(out.Datapoints)
			}
			if n := points("AWS/Lambda", "Invocations", dim("FunctionName", "fn")); n != tc.invocations {
				t.Errorf("Invocations datapoints in %s = %d, want %d", tc.region, n, tc.invocations)
			}
			if n := points("App", "Hits"); n != tc.hits {
				t.Errorf("Hits datapoints in %s = %d, want %d", tc.region, n, tc.hits)
			}
			listed, err := s.ListMetrics(tc.ctx, &cloudwatchapi.ListMetricsInput{})
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range listed.Metrics {
				if ns := protocol.Val(m.Namespace); ns != tc.listedNamespaceWant {
					t.Errorf("ListMetrics in %s lists %s/%s", tc.region, ns, protocol.Val(m.MetricName))
				}
			}
			if len(listed.Metrics) == 0 {
				t.Errorf("ListMetrics in %s lists nothing", tc.region)
			}
			alarms, err := s.DescribeAlarms(tc.ctx, &cloudwatchapi.DescribeAlarmsInput{})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case tc.alarmDescribedAs == "" && len(alarms.MetricAlarms) != 0:
				t.Errorf("alarms in %s: %d, want none (deleted there)", tc.region, len(alarms.MetricAlarms))
			case tc.alarmDescribedAs != "" && (len(alarms.MetricAlarms) != 1 || protocol.Val(alarms.MetricAlarms[0].AlarmDescription) != tc.alarmDescribedAs ||
				protocol.Val(alarms.MetricAlarms[0].AlarmArn) != "arn:aws:cloudwatch:"+tc.region+":123456789012:alarm:high"):
				t.Errorf("alarms in %s: %+v", tc.region, alarms.MetricAlarms)
			}
		})
	}
}
