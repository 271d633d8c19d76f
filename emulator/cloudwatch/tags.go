package cloudwatch

import (
	"context"
	"errors"
	"strings"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Tags of metric alarms, the only taggable CloudWatch resource iamlocal keeps (API Reference,
// TagResource: "the only CloudWatch resources that can be tagged are alarms, dashboards, metric
// streams and Contributor Insights rules"). A resource is named by its ARN,
// arn:aws:cloudwatch:Region:account-id:alarm:alarm-name; Terraform's aws_cloudwatch_metric_alarm
// reads them after every create and refresh.

// alarmKey is the storage key of the alarm an ARN names in the caller's account and region;
// any other ARN of CloudWatch names nothing here.
func (c call) alarmKey(resourceARN string) (string, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil {
		return "", cloudwatchapi.ErrInvalidParameterValue("Invalid ARN: %s", resourceARN)
	}
	name, isAlarm := strings.CutPrefix(a.Resource, "alarm:")
	if !isAlarm || name == "" || a.Service != "cloudwatch" || a.Partition != c.partition || a.Region != c.region || a.Account != c.account {
		return "", cloudwatchapi.ErrResourceNotFoundException("%s not found", resourceARN)
	}
	return storage.Join(c.region, name), nil
}

// updateAlarmTags loads the alarm resourceARN names, lets change edit its tags and stores it.
func (s *Service) updateAlarmTags(ctx context.Context, resourceARN string, change func([]storage.Tag) []storage.Tag) error {
	c := s.call(ctx)
	key, err := c.alarmKey(resourceARN)
	if err != nil {
		return err
	}
	return s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		rec, err := storage.Alarms(tx).Get(key)
		if errors.Is(err, storage.ErrNotFound) {
			return cloudwatchapi.ErrResourceNotFoundException("%s not found", resourceARN)
		}
		if err != nil {
			return err
		}
		rec.Tags = change(rec.Tags)
		return storage.Alarms(tx).Put(key, rec)
	})
}

// ListTagsForResource returns an alarm's tags, an empty list when it has none.
func (s *Service) ListTagsForResource(ctx context.Context, in *cloudwatchapi.ListTagsForResourceInput) (*cloudwatchapi.ListTagsForResourceOutput, error) {
	c := s.call(ctx)
	resourceARN := protocol.Val(in.ResourceARN)
	key, err := c.alarmKey(resourceARN)
	if err != nil {
		return nil, err
	}
	out := &cloudwatchapi.ListTagsForResourceOutput{Tags: []cloudwatchapi.Tag{}}
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		rec, err := storage.Alarms(tx).Get(key)
		if errors.Is(err, storage.ErrNotFound) {
			return cloudwatchapi.ErrResourceNotFoundException("%s not found", resourceARN)
		}
		for _, t := range rec.Tags {
			out.Tags = append(out.Tags, cloudwatchapi.Tag{Key: protocol.Ptr(t.Key), Value: protocol.Ptr(t.Value)})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TagResource adds tags to an alarm; a key it already has takes the new value (API Reference,
// TagResource).
func (s *Service) TagResource(ctx context.Context, in *cloudwatchapi.TagResourceInput) (*cloudwatchapi.TagResourceOutput, error) {
	err := s.updateAlarmTags(ctx, protocol.Val(in.ResourceARN), func(tags []storage.Tag) []storage.Tag {
		for _, t := range in.Tags {
			key, value := protocol.Val(t.Key), protocol.Val(t.Value)
			replaced := false
			for i := range tags {
				if tags[i].Key == key {
					tags[i].Value, replaced = value, true
				}
			}
			if !replaced {
				tags = append(tags, storage.Tag{Key: key, Value: value})
			}
		}
		return tags
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.TagResourceOutput{}, nil
}

// UntagResource removes the given keys from an alarm's tags; a key it does not have is no error.
func (s *Service) UntagResource(ctx context.Context, in *cloudwatchapi.UntagResourceInput) (*cloudwatchapi.UntagResourceOutput, error) {
	remove := map[string]bool{}
	for _, k := range in.TagKeys {
		remove[k] = true
	}
	err := s.updateAlarmTags(ctx, protocol.Val(in.ResourceARN), func(tags []storage.Tag) []storage.Tag {
		kept := tags[:0:0]
		for _, t := range tags {
			if !remove[t.Key] {
				kept = append(kept, t)
			}
		}
		return kept
	})
	if err != nil {
		return nil, err
	}
	return &cloudwatchapi.UntagResourceOutput{}, nil
}
