package authorize

import (
	"reflect"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
)

var monitoringSamples = map[string]string{
	"LogGroupName": "/aws/lambda/fn", "LogStreamName": "2026/01/02/[$LATEST]abc", "AlarmName": "high",
	"ResourceArn": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/fn", "Namespace": "App",
}

func fillMonitoring(in any) any {
	v := reflect.ValueOf(in).Elem()
	for i := 0; i < v.NumField(); i++ {
		if s, ok := monitoringSamples[v.Type().Field(i).Name]; ok && v.Field(i).Type() == reflect.TypeOf((*string)(nil)) {
			v.Field(i).Set(reflect.ValueOf(protocol.Ptr(s)))
		}
	}
	return in
}

// Every Logs and CloudWatch operation maps to an action of the Service Authorization Reference.
func TestMonitoringOperationsAreMapped(t *testing.T) {
	t.Parallel()
	e := &env{account: "123456789012", region: "us-east-1", partition: "aws", caller: reqctx.Caller{Type: reqctx.User, Account: "123456789012"}}
	// Modelled operations that the reference does not list (yet).
	known := map[string]bool{"cloudwatch:DescribeAlarmContributors": true, "logs:GetLogObject": true}
	absent := map[string]bool{}
	for _, svc := range []struct {
		name string
		ops  []protocol.Operation
	}{{"logs", logsapi.Operations(logsapi.Unimplemented{})}, {"monitoring", cloudwatchapi.Operations(cloudwatchapi.Unimplemented{})}} {
		for _, op := range svc.ops {
			checks := checksFor(svc.name, op.Name(), fillMonitoring(op.NewInput()), e)
			if len(checks) == 0 {
				t.Errorf("%s: no checks", op.Name())
				continue
			}
			info := lookupAction(checks[0].action)
			if len(info.ResourceTypes) == 0 && len(info.ConditionKeys) == 0 && !knownAction(checks[0].action) && !known[checks[0].action] {
				absent[checks[0].action] = true
			}
		}
	}
	if len(absent) > 0 {
		t.Errorf("%d actions are not in the reference: %v", len(absent), absent)
	}
}

func TestMonitoringResources(t *testing.T) {
	t.Parallel()
	e := &env{account: "123456789012", region: "us-east-1", partition: "aws"}
	for _, tc := range []struct {
		service, op string
		in          any
		resource    string
		text        string
	}{
		{"logs", "CreateLogGroup", &logsapi.CreateLogGroupRequest{LogGroupName: protocol.Ptr("g")}, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:", ""},
		{"logs", "DescribeLogGroups", &logsapi.DescribeLogGroupsRequest{}, "arn:aws:logs:us-east-1:123456789012:log-group::log-stream:", ""},
		{"logs", "PutLogEvents", &logsapi.PutLogEventsRequest{LogGroupName: protocol.Ptr("g"), LogStreamName: protocol.Ptr("s")}, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", ""},
		{"logs", "GetLogEvents", &logsapi.GetLogEventsRequest{LogGroupIdentifier: protocol.Ptr("arn:aws:logs:us-east-1:123456789012:log-group:g:*"), LogStreamName: protocol.Ptr("s")}, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:s", ""},
		{"logs", "TagResource", &logsapi.TagResourceRequest{ResourceArn: protocol.Ptr("arn:aws:logs:us-east-1:123456789012:log-group:g")}, "arn:aws:logs:us-east-1:123456789012:log-group:g", ""},
		// The metric filter actions are on the log-group resource type, TestMetricFilter on none
		// (Service Authorization Reference, internal/awsdata/service-authorization/logs.json).
		{"logs", "PutMetricFilter", &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("g"), FilterName: protocol.Ptr("f")}, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:", ""},
		{"logs", "DeleteMetricFilter", &logsapi.DeleteMetricFilterRequest{LogGroupName: protocol.Ptr("g"), FilterName: protocol.Ptr("f")}, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:", ""},
		{"logs", "DescribeMetricFilters", &logsapi.DescribeMetricFiltersRequest{LogGroupName: protocol.Ptr("g")}, "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:", ""},
		{"logs", "DescribeMetricFilters", &logsapi.DescribeMetricFiltersRequest{}, "*", ""},
		{"logs", "TestMetricFilter", &logsapi.TestMetricFilterRequest{FilterPattern: protocol.Ptr("x")}, "*", ""},
		{"monitoring", "GetMetricStatistics", &cloudwatchapi.GetMetricStatisticsInput{}, "*", "-"},
		{"monitoring", "DescribeAlarms", &cloudwatchapi.DescribeAlarmsInput{}, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:*", ""},
		{"monitoring", "PutMetricAlarm", &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr("a")}, "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a", ""},
	} {
		checks := checksFor(tc.service, tc.op, tc.in, e)
		c := checks[0]
		text := tc.text
		if text == "" {
			text = tc.resource
		} else if text == "-" {
			text = ""
		}
		if c.resource != tc.resource || c.text != text {
			t.Errorf("%s: %q %q, want %q %q", tc.op, c.resource, c.text, tc.resource, text)
		}
	}
	// DeleteAlarms asks once per alarm; CreateLogGroup with tags also asks logs:TagResource;
	// PutMetricData carries cloudwatch:namespace; UntagLogGroup's keys are aws:TagKeys.
	if checks := checksFor("monitoring", "DeleteAlarms", &cloudwatchapi.DeleteAlarmsInput{AlarmNames: []string{"a", "b"}}, e); len(checks) != 2 || checks[1].resource != "arn:aws:cloudwatch:us-east-1:123456789012:alarm:b" {
		t.Errorf("DeleteAlarms: %+v", checks)
	}
	if checks := checksFor("logs", "CreateLogGroup", &logsapi.CreateLogGroupRequest{LogGroupName: protocol.Ptr("g"), Tags: map[string]string{"k": "v"}}, e); len(checks) != 2 || checks[1].action != "logs:TagResource" || checks[0].ctx["aws:RequestTag/k"][0] != "v" {
		t.Errorf("CreateLogGroup with tags: %+v", checks)
	}
	if c := checksFor("monitoring", "PutMetricData", &cloudwatchapi.PutMetricDataInput{Namespace: protocol.Ptr("App")}, e)[0]; c.ctx["cloudwatch:namespace"][0] != "App" || c.action != "cloudwatch:PutMetricData" {
		t.Errorf("PutMetricData: %+v", c)
	}
	if c := checksFor("logs", "UntagLogGroup", &logsapi.UntagLogGroupRequest{LogGroupName: protocol.Ptr("g"), Tags: []string{"k"}}, e)[0]; len(c.ctx["aws:TagKeys"]) != 1 || len(c.ctx) != 1 {
		t.Errorf("UntagLogGroup: %+v", c.ctx)
	}
}
