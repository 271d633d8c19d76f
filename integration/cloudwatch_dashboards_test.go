package integration

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Dashboards through aws-sdk-go-v2: put in us-east-1, they are read, listed and deleted from
// eu-west-1, as AWS keeps them global; a composite alarm follows its child's state set by
// SetAlarmState.
func TestCloudWatchDashboardsAndCompositeAlarms(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	cfg := srv.AWSConfig(ctx)
	east := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Region = "us-east-1" })
	west := cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Region = "eu-west-1" })
	must := mustOK(t)
	body := `{"widgets":[{"type":"metric","properties":{"metrics":[["AWS/Lambda","Errors"]],"region":"us-east-1"}}]}`

	put, err := east.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("ops"), DashboardBody: aws.String(body)})
	if err != nil || len(put.DashboardValidationMessages) != 0 {
		t.Fatalf("PutDashboard: %+v %v", put, err)
	}
	got, err := west.GetDashboard(ctx, &cloudwatch.GetDashboardInput{DashboardName: aws.String("ops")})
	if err != nil || aws.ToString(got.DashboardBody) != body || aws.ToString(got.DashboardArn) != "arn:aws:cloudwatch::"+srv.Root.ID+":dashboard/ops" {
		t.Fatalf("GetDashboard from eu-west-1: %+v %v", got, err)
	}
	list, err := west.ListDashboards(ctx, &cloudwatch.ListDashboardsInput{DashboardNamePrefix: aws.String("op")})
	if err != nil || len(list.DashboardEntries) != 1 || aws.ToInt64(list.DashboardEntries[0].Size) != int64(len(body)) {
		t.Fatalf("ListDashboards from eu-west-1: %+v %v", list, err)
	}
	for _, tc := range []struct {
		name, body, code string
	}{
		{"no widgets", `{}`, "InvalidParameterInput"},
		{"not an object", `"x"`, "InvalidParameterInput"},
	} {
		_, err := east.PutDashboard(ctx, &cloudwatch.PutDashboardInput{DashboardName: aws.String("bad"), DashboardBody: aws.String(tc.body)})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != tc.code {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
		}
	}
	_, err = west.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"ops", "absent"}})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "ResourceNotFound" {
		t.Errorf("DeleteDashboards with a missing name: %v", err)
	}
	must(west.DeleteDashboards(ctx, &cloudwatch.DeleteDashboardsInput{DashboardNames: []string{"ops"}}))

	must(east.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{AlarmName: aws.String("child"), Namespace: aws.String("App"),
		MetricName: aws.String("Errors"), Statistic: types.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1),
		Threshold: aws.Float64(1), ComparisonOperator: types.ComparisonOperatorGreaterThanOrEqualToThreshold}))
	must(east.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("parent"), AlarmRule: aws.String(`ALARM("child")`)}))
	state := func() types.StateValue {
		t.Helper()
		out, err := east.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmTypes: []types.AlarmType{types.AlarmTypeCompositeAlarm}})
		if err != nil || len(out.CompositeAlarms) != 1 || len(out.MetricAlarms) != 0 {
			t.Fatalf("DescribeAlarms: %+v %v", out, err)
		}
		return out.CompositeAlarms[0].StateValue
	}
	if got := state(); got != types.StateValueOk {
		t.Errorf("before: %s, want OK", got)
	}
	must(east.SetAlarmState(ctx, &cloudwatch.SetAlarmStateInput{AlarmName: aws.String("child"), StateValue: types.StateValueAlarm, StateReason: aws.String("test")}))
	if got := state(); got != types.StateValueAlarm {
		t.Errorf("after the child went to ALARM: %s, want ALARM", got)
	}
	_, err = east.PutCompositeAlarm(ctx, &cloudwatch.PutCompositeAlarmInput{AlarmName: aws.String("bad"), AlarmRule: aws.String("()")})
	if !errors.As(err, &api) || api.ErrorCode() != "ValidationError" {
		t.Errorf("PutCompositeAlarm with a bad rule: %v", err)
	}
	must(east.DeleteAlarms(ctx, &cloudwatch.DeleteAlarmsInput{AlarmNames: []string{"parent", "child"}}))
}
