package cloudwatch

import (
	"context"
	"errors"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// Rules parse as the API Reference writes them; errors are AWS's bracketed text with
// 0-based chars (aws/aws-cdk#34662: "()" is "Unsupported token ')' at char 1").
func TestParseRule(t *testing.T) {
	t.Parallel()
	states := map[string]string{"a": "ALARM", "b": "OK", "arn:aws:cloudwatch:us-east-1:1:alarm:c": "INSUFFICIENT_DATA"}
	tests := []struct {
		rule    string
		want    bool
		wantErr string
	}{
		{rule: `ALARM(a)`, want: true},
		{rule: `ALARM("a") AND OK(b)`, want: true},
		{rule: `ALARM(a) AND NOT ALARM(b)`, want: true},
		{rule: `OK(a) OR INSUFFICIENT_DATA("arn:aws:cloudwatch:us-east-1:1:alarm:c")`, want: true},
		{rule: `FALSE OR (TRUE AND NOT OK(b))`, want: false},
		{rule: `ALARM(missing)`, want: false},
		{rule: `()`, wantErr: "Unsupported token ')' at char 1"},
		{rule: `ALARM(Sample Queue)`, wantErr: "Unsupported token 'Queue' at char 13, must be: ')'"},
		{rule: `ALARM(a) AND`, wantErr: "Unexpected end of expression at char 12"},
		{rule: `ALARM(a) XOR OK(b)`, wantErr: "Unsupported token 'XOR' at char 9"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			t.Parallel()
			r, err := parseRule(tt.rule)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := r.eval(func(n string) string { return states[n] }); got != tt.want {
				t.Errorf("eval = %v, want %v", got, tt.want)
			}
		})
	}
}

func putChild(t *testing.T, s *Service, ctx context.Context, name string) {
	t.Helper()
	if _, err := s.PutMetricAlarm(ctx, &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr(name), MetricName: protocol.Ptr("m"),
		Namespace: protocol.Ptr("App"), Statistic: protocol.Ptr("Sum"), Period: protocol.Ptr(int32(60)), EvaluationPeriods: protocol.Ptr(int32(1)),
		Threshold: protocol.Ptr(1.0), ComparisonOperator: protocol.Ptr("GreaterThanThreshold")}); err != nil {
		t.Fatal(err)
	}
}

func setState(s *Service, ctx context.Context, name, state string) error {
	_, err := s.SetAlarmState(ctx, &cloudwatchapi.SetAlarmStateInput{AlarmName: protocol.Ptr(name), StateValue: protocol.Ptr(state), StateReason: protocol.Ptr("test")})
	return err
}

func compositeState(t *testing.T, s *Service, ctx context.Context, name string) string {
	t.Helper()
	out, err := s.DescribeAlarms(ctx, &cloudwatchapi.DescribeAlarmsInput{AlarmNames: []string{name}, AlarmTypes: []string{"CompositeAlarm"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.CompositeAlarms) != 1 || len(out.MetricAlarms) != 0 {
		t.Fatalf("DescribeAlarms: %d composite, %d metric alarms", len(out.CompositeAlarms), len(out.MetricAlarms))
	}
	return protocol.Val(out.CompositeAlarms[0].StateValue)
}

// A composite alarm's state follows its children's when read; SetAlarmState on it holds until
// a child changes (API Reference, SetAlarmState).
func TestCompositeAlarmState(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		rule  string
		steps func(*Service, context.Context) error
		want  string
	}{
		{"child in INSUFFICIENT_DATA", `ALARM(child)`, func(*Service, context.Context) error { return nil }, "OK"},
		{"child in ALARM", `ALARM(child)`, func(s *Service, ctx context.Context) error { return setState(s, ctx, "child", "ALARM") }, "ALARM"},
		{"named by ARN", `ALARM("arn:aws:cloudwatch:us-east-1:123456789012:alarm:child")`,
			func(s *Service, ctx context.Context) error { return setState(s, ctx, "child", "ALARM") }, "ALARM"},
		{"NOT", `NOT ALARM(child)`, func(s *Service, ctx context.Context) error { return setState(s, ctx, "child", "ALARM") }, "OK"},
		{"set on the composite holds", `ALARM(child)`, func(s *Service, ctx context.Context) error { return setState(s, ctx, "comp", "ALARM") }, "ALARM"},
		{"a composite child", `ALARM(inner)`, func(s *Service, ctx context.Context) error {
			if _, err := s.PutCompositeAlarm(ctx, &cloudwatchapi.PutCompositeAlarmInput{AlarmName: protocol.Ptr("inner"), AlarmRule: protocol.Ptr("TRUE")}); err != nil {
				return err
			}
			return nil
		}, "ALARM"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ctx := newService(t)
			putChild(t, s, ctx, "child")
			if _, err := s.PutCompositeAlarm(ctx, &cloudwatchapi.PutCompositeAlarmInput{AlarmName: protocol.Ptr("comp"), AlarmRule: protocol.Ptr(tt.rule),
				ActionsSuppressor: protocol.Ptr("child"), ActionsSuppressorWaitPeriod: protocol.Ptr(int32(60)), ActionsSuppressorExtensionPeriod: protocol.Ptr(int32(30))}); err != nil {
				t.Fatal(err)
			}
			if err := tt.steps(s, ctx); err != nil {
				t.Fatal(err)
			}
			if got := compositeState(t, s, ctx, "comp"); got != tt.want {
				t.Errorf("state %s, want %s", got, tt.want)
			}
		})
	}
}

// PutCompositeAlarm refuses rules that do not parse or name the alarm itself; DescribeAlarms
// lists composites only when asked; DeleteAlarms keeps a child a composite still names.
func TestCompositeAlarmLifecycle(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	putChild(t, s, ctx, "child")
	put := func(name, rule string) error {
		_, err := s.PutCompositeAlarm(ctx, &cloudwatchapi.PutCompositeAlarmInput{AlarmName: protocol.Ptr(name), AlarmRule: protocol.Ptr(rule),
			Tags: []cloudwatchapi.Tag{tag("k", "v")}})
		return err
	}
	del := func(names ...string) error {
		_, err := s.DeleteAlarms(ctx, &cloudwatchapi.DeleteAlarmsInput{AlarmNames: names})
		return err
	}
	tests := []struct {
		name     string
		do       func() error
		wantCode string
	}{
		{"bad rule", func() error { return put("comp", "ALARM(") }, "ValidationError"},
		{"names itself", func() error { return put("comp", "ALARM(comp)") }, "ValidationError"},
		{"name of a metric alarm", func() error { return put("child", "TRUE") }, "InvalidParameterValue"},
		{"created", func() error { return put("comp", "ALARM(child)") }, ""},
		{"child still named", func() error { return del("child") }, "ValidationError"},
		{"set state of a missing alarm", func() error { return setState(s, ctx, "nope", "OK") }, "ResourceNotFound"},
	}
	for _, tt := range tests { // in order: each step builds on the last
		if got := code(tt.do()); got != tt.wantCode {
			t.Fatalf("%s: code %q, want %q", tt.name, got, tt.wantCode)
		}
	}
	out, err := s.DescribeAlarms(ctx, &cloudwatchapi.DescribeAlarmsInput{})
	if err != nil || len(out.MetricAlarms) != 1 || len(out.CompositeAlarms) != 0 {
		t.Fatalf("default DescribeAlarms: %+v %v", out, err)
	}
	tags, err := s.ListTagsForResource(ctx, &cloudwatchapi.ListTagsForResourceInput{ResourceARN: protocol.Ptr("arn:aws:cloudwatch:us-east-1:123456789012:alarm:comp")})
	if err != nil || len(tags.Tags) != 1 {
		t.Fatalf("composite tags: %+v %v", tags, err)
	}
	if err := del("comp", "child"); err != nil {
		t.Fatalf("deleting both: %v", err)
	}
	var e *awserr.Error
	if err := del("comp"); !errors.As(err, &e) || e.Code != "ResourceNotFound" {
		t.Errorf("deleting again: %v", err)
	}
}
