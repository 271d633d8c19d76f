package authorize

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// Dashboard actions are on the dashboard resource type, whose ARN names no Region; composite
// alarm actions are on the alarm resource type like metric alarms' (Service Authorization
// Reference, internal/awsdata/service-authorization/cloudwatch.json).
func TestDashboardAndCompositeAlarmResources(t *testing.T) {
	t.Parallel()
	e := &env{account: "123456789012", region: "eu-west-1", partition: "aws"}
	tests := []struct {
		name, op  string
		in        any
		resources []string
	}{
		{"put dashboard", "PutDashboard", &cloudwatchapi.PutDashboardInput{DashboardName: protocol.Ptr("ops")},
			[]string{"arn:aws:cloudwatch::123456789012:dashboard/ops"}},
		{"get dashboard", "GetDashboard", &cloudwatchapi.GetDashboardInput{DashboardName: protocol.Ptr("ops")},
			[]string{"arn:aws:cloudwatch::123456789012:dashboard/ops"}},
		{"delete dashboards, one check each", "DeleteDashboards", &cloudwatchapi.DeleteDashboardsInput{DashboardNames: []string{"a", "b"}},
			[]string{"arn:aws:cloudwatch::123456789012:dashboard/a", "arn:aws:cloudwatch::123456789012:dashboard/b"}},
		{"list dashboards has no resource", "ListDashboards", &cloudwatchapi.ListDashboardsInput{}, []string{"*"}},
		{"tag a dashboard", "TagResource", &cloudwatchapi.TagResourceInput{ResourceARN: protocol.Ptr("arn:aws:cloudwatch::123456789012:dashboard/ops")},
			[]string{"arn:aws:cloudwatch::123456789012:dashboard/ops"}},
		{"tag an alarm names its ARN, not every alarm", "TagResource", &cloudwatchapi.TagResourceInput{ResourceARN: protocol.Ptr("arn:aws:cloudwatch:eu-west-1:123456789012:alarm:c")},
			[]string{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:c"}},
		{"put composite alarm", "PutCompositeAlarm", &cloudwatchapi.PutCompositeAlarmInput{AlarmName: protocol.Ptr("c")},
			[]string{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:c"}},
		{"set alarm state", "SetAlarmState", &cloudwatchapi.SetAlarmStateInput{AlarmName: protocol.Ptr("c")},
			[]string{"arn:aws:cloudwatch:eu-west-1:123456789012:alarm:c"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checks := checksFor("monitoring", tt.op, tt.in, e)
			if len(checks) != len(tt.resources) {
				t.Fatalf("%d checks, want %d: %+v", len(checks), len(tt.resources), checks)
			}
			for i, c := range checks {
				if c.action != "cloudwatch:"+tt.op || c.resource != tt.resources[i] {
					t.Errorf("check %d: %s on %s, want cloudwatch:%s on %s", i, c.action, c.resource, tt.op, tt.resources[i])
				}
			}
		})
	}
}
