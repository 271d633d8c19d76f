package cloudwatch

import (
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// An alarm's ARN is in the request's partition, the service's when the request carries none.
func TestAlarmPartition(t *testing.T) {
	t.Parallel()
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Region: "us-gov-east-1", Partition: "aws-us-gov"})
	cases := []struct{ partition, want string }{
		{"aws-iso", "arn:aws-iso:cloudwatch:us-gov-east-1:123456789012:alarm:high"},
		{"", "arn:aws-us-gov:cloudwatch:us-gov-east-1:123456789012:alarm:high"},
	}
	for _, c := range cases {
		ctx := reqctx.With(context.Background(), &reqctx.Info{Now: now, Partition: c.partition,
			Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
		if _, err := s.PutMetricAlarm(ctx, &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr("high"), MetricName: protocol.Ptr("m"),
			Namespace: protocol.Ptr("App"), Statistic: protocol.Ptr("Sum"), Period: protocol.Ptr(int32(60)), EvaluationPeriods: protocol.Ptr(int32(1)),
			Threshold: protocol.Ptr(1.0), ComparisonOperator: protocol.Ptr("GreaterThanThreshold")}); err != nil {
			t.Fatal(err)
		}
		out, err := s.DescribeAlarms(ctx, &cloudwatchapi.DescribeAlarmsInput{AlarmNames: []string{"high"}})
		if err != nil {
			t.Fatal(err)
		}
		if got := protocol.Val(out.MetricAlarms[0].AlarmArn); got != c.want {
			t.Errorf("partition %q: AlarmArn %s, want %s", c.partition, got, c.want)
		}
	}
}
