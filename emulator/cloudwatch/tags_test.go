package cloudwatch

import (
	"context"
	"reflect"
	"testing"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func tag(k, v string) cloudwatchapi.Tag { return cloudwatchapi.Tag{Key: &k, Value: &v} }

// An alarm's tags are set by PutMetricAlarm and then changed by TagResource and UntagResource
// (API Reference, TagResource: a key the alarm has takes the new value, a new key is appended),
// as Terraform's aws_cloudwatch_metric_alarm does after reading them with ListTagsForResource.
func TestAlarmTags(t *testing.T) {
	t.Parallel()
	const alarmARN = "arn:aws:cloudwatch:us-east-1:123456789012:alarm:high"
	tests := []struct {
		name     string
		change   func(*Service, context.Context) error
		wantTags []cloudwatchapi.Tag
	}{
		{name: "created with", change: func(*Service, context.Context) error { return nil }, wantTags: []cloudwatchapi.Tag{tag("team", "a"), tag("env", "dev")}},
		{name: "tag", change: func(s *Service, ctx context.Context) error {
			_, err := s.TagResource(ctx, &cloudwatchapi.TagResourceInput{ResourceARN: protocol.Ptr(alarmARN),
				Tags: []cloudwatchapi.Tag{tag("env", "prod"), tag("cost", "7")}})
			return err
		}, wantTags: []cloudwatchapi.Tag{tag("team", "a"), tag("env", "prod"), tag("cost", "7")}},
		{name: "untag", change: func(s *Service, ctx context.Context) error {
			_, err := s.UntagResource(ctx, &cloudwatchapi.UntagResourceInput{ResourceARN: protocol.Ptr(alarmARN),
				TagKeys: []string{"team", "absent"}})
			return err
		}, wantTags: []cloudwatchapi.Tag{tag("env", "dev")}},
		{name: "untag all", change: func(s *Service, ctx context.Context) error {
			_, err := s.UntagResource(ctx, &cloudwatchapi.UntagResourceInput{ResourceARN: protocol.Ptr(alarmARN),
				TagKeys: []string{"team", "env"}})
			return err
		}, wantTags: []cloudwatchapi.Tag{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ctx := newService(t)
			if _, err := s.PutMetricAlarm(ctx, &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr("high"), MetricName: protocol.Ptr("m"),
				Namespace: protocol.Ptr("App"), Statistic: protocol.Ptr("Sum"), Period: protocol.Ptr(int32(60)), EvaluationPeriods: protocol.Ptr(int32(1)),
				Threshold: protocol.Ptr(1.0), ComparisonOperator: protocol.Ptr("GreaterThanThreshold"),
				Tags: []cloudwatchapi.Tag{tag("team", "a"), tag("env", "dev")}}); err != nil {
				t.Fatal(err)
			}
			if err := tt.change(s, ctx); err != nil {
				t.Fatal(err)
			}
			out, err := s.ListTagsForResource(ctx, &cloudwatchapi.ListTagsForResourceInput{ResourceARN: protocol.Ptr(alarmARN)})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(out.Tags, tt.wantTags) {
				t.Errorf("tags = %s, want %s", tagText(out.Tags), tagText(tt.wantTags))
			}
		})
	}
}

// An ARN that names no alarm of the caller's account and region is ResourceNotFoundException,
// the error the model gives the tagging operations; text that is no ARN is InvalidParameterValue.
func TestAlarmTagsUnknownResource(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	tests := []struct {
		resourceARN string
		wantCode    string
	}{
		{"arn:aws:cloudwatch:us-east-1:123456789012:alarm:absent", "ResourceNotFoundException"},
		{"arn:aws:cloudwatch:us-west-2:123456789012:alarm:high", "ResourceNotFoundException"},
		{"arn:aws:cloudwatch:us-east-1:111122223333:alarm:high", "ResourceNotFoundException"},
		{"arn:aws:cloudwatch::123456789012:dashboard/board", "ResourceNotFoundException"},
		{"high", "InvalidParameterValue"},
	}
	for _, tt := range tests {
		_, err := s.ListTagsForResource(ctx, &cloudwatchapi.ListTagsForResourceInput{ResourceARN: protocol.Ptr(tt.resourceARN)})
		if code(err) != tt.wantCode {
			t.Errorf("ListTagsForResource %s: %v, want %s", tt.resourceARN, err, tt.wantCode)
		}
		_, err = s.TagResource(ctx, &cloudwatchapi.TagResourceInput{ResourceARN: protocol.Ptr(tt.resourceARN), Tags: []cloudwatchapi.Tag{tag("k", "v")}})
		if code(err) != tt.wantCode {
			t.Errorf("TagResource %s: %v, want %s", tt.resourceARN, err, tt.wantCode)
		}
		_, err = s.UntagResource(ctx, &cloudwatchapi.UntagResourceInput{ResourceARN: protocol.Ptr(tt.resourceARN), TagKeys: []string{"k"}})
		if code(err) != tt.wantCode {
			t.Errorf("UntagResource %s: %v, want %s", tt.resourceARN, err, tt.wantCode)
		}
	}
}

func tagText(tags []cloudwatchapi.Tag) []string {
	text := []string{}
	for _, t := range tags {
		text = append(text, protocol.Val(t.Key)+"="+protocol.Val(t.Value))
	}
	return text
}

// PutMetricAlarm's tags are an alarm's first ones only: replacing the alarm ignores those given
// then, with or without them (API Reference, PutMetricAlarm, Tags: "If you are using this
// operation to update an existing alarm, any tags you specify in this parameter are ignored";
// aws/aws-sdk#27).
func TestPutMetricAlarmKeepsTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		replaceTags []cloudwatchapi.Tag
	}{
		{name: "other tags", replaceTags: []cloudwatchapi.Tag{tag("team", "b")}},
		{name: "no tags", replaceTags: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ctx := newService(t)
			for _, tags := range [][]cloudwatchapi.Tag{{tag("team", "a")}, tt.replaceTags} {
				if _, err := s.PutMetricAlarm(ctx, &cloudwatchapi.PutMetricAlarmInput{AlarmName: protocol.Ptr("high"), MetricName: protocol.Ptr("m"),
					Namespace: protocol.Ptr("App"), Statistic: protocol.Ptr("Sum"), Period: protocol.Ptr(int32(60)), EvaluationPeriods: protocol.Ptr(int32(1)),
					Threshold: protocol.Ptr(1.0), ComparisonOperator: protocol.Ptr("GreaterThanThreshold"), Tags: tags}); err != nil {
					t.Fatal(err)
				}
			}
			out, err := s.ListTagsForResource(ctx, &cloudwatchapi.ListTagsForResourceInput{
				ResourceARN: protocol.Ptr("arn:aws:cloudwatch:us-east-1:123456789012:alarm:high")})
			if err != nil {
				t.Fatal(err)
			}
			if want := []cloudwatchapi.Tag{tag("team", "a")}; !reflect.DeepEqual(out.Tags, want) {
				t.Errorf("tags = %s, want %s", tagText(out.Tags), tagText(want))
			}
		})
	}
}
