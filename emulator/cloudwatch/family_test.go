package cloudwatch

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// DescribeAlarms lists an alarm's children or parents with the few members the API Reference
// names, and refuses either combined with anything but MaxRecords and NextToken.
func TestDescribeAlarmFamily(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	putChild(t, s, ctx, "cpu")
	putChild(t, s, ctx, "disk")
	if err := setState(s, ctx, "cpu", "ALARM"); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ name, rule string }{
		{"inner", `ALARM(disk)`},
		{"outer", `ALARM(cpu) OR ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:inner") OR OK(gone)`},
		{"other", `OK(cpu)`},
	} {
		if _, err := s.PutCompositeAlarm(ctx, &cloudwatchapi.PutCompositeAlarmInput{AlarmName: protocol.Ptr(c.name), AlarmRule: protocol.Ptr(c.rule)}); err != nil {
			t.Fatal(err)
		}
	}
	family := func(t *testing.T, in *cloudwatchapi.DescribeAlarmsInput) (metrics, composites []string) {
		t.Helper()
		out, err := s.DescribeAlarms(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range out.MetricAlarms {
			if m.Threshold != nil || m.StateReason != nil || m.StateValue == nil || m.StateUpdatedTimestamp == nil || m.AlarmArn == nil {
				t.Errorf("child %+v carries other members than name, ARN, state and its time", m)
			}
			metrics = append(metrics, protocol.Val(m.AlarmName)+"="+protocol.Val(m.StateValue))
		}
		for _, c := range out.CompositeAlarms {
			if c.AlarmRule != nil || c.AlarmArn == nil {
				t.Errorf("%+v carries its rule, or no ARN", c)
			}
			composites = append(composites, protocol.Val(c.AlarmName))
		}
		return metrics, composites
	}
	t.Run("children", func(t *testing.T) {
		t.Parallel()
		m, c := family(t, &cloudwatchapi.DescribeAlarmsInput{ChildrenOfAlarmName: protocol.Ptr("outer")})
		if strings.Join(m, ",") != "cpu=ALARM" || strings.Join(c, ",") != "inner" {
			t.Errorf("children of outer: metric %v, composite %v", m, c)
		}
		if m, c := family(t, &cloudwatchapi.DescribeAlarmsInput{ChildrenOfAlarmName: protocol.Ptr("cpu")}); len(m)+len(c) != 0 {
			t.Errorf("a metric alarm has children %v %v", m, c)
		}
	})
	t.Run("parents", func(t *testing.T) {
		t.Parallel()
		_, c := family(t, &cloudwatchapi.DescribeAlarmsInput{ParentsOfAlarmName: protocol.Ptr("cpu")})
		if strings.Join(c, ",") != "other,outer" {
			t.Errorf("parents of cpu: %v", c)
		}
		if _, c := family(t, &cloudwatchapi.DescribeAlarmsInput{ParentsOfAlarmName: protocol.Ptr("inner")}); strings.Join(c, ",") != "outer" {
			t.Errorf("parents of inner (named by ARN): %v", c)
		}
	})
	t.Run("alone", func(t *testing.T) {
		t.Parallel()
		for _, in := range []*cloudwatchapi.DescribeAlarmsInput{
			{ChildrenOfAlarmName: protocol.Ptr("outer"), StateValue: protocol.Ptr("OK")},
			{ParentsOfAlarmName: protocol.Ptr("cpu"), AlarmTypes: []string{"CompositeAlarm"}},
			{ChildrenOfAlarmName: protocol.Ptr("outer"), ParentsOfAlarmName: protocol.Ptr("cpu")},
		} {
			_, err := s.DescribeAlarms(ctx, in)
			if e, ok := awserr.As(err); !ok || e.Code != "ValidationError" {
				t.Errorf("%+v: %v, want a ValidationError", in, err)
			}
		}
		out, err := s.DescribeAlarms(ctx, &cloudwatchapi.DescribeAlarmsInput{ParentsOfAlarmName: protocol.Ptr("cpu"),
			MaxRecords: protocol.Ptr(int32(1))})
		if err != nil || len(out.CompositeAlarms) != 1 || out.NextToken == nil {
			t.Errorf("MaxRecords 1 with ParentsOfAlarmName: %+v %v, want one parent and a token", out, err)
		}
	})
}
