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

// Tags of alarms (metric and composite) and dashboards, the taggable CloudWatch resources
// iamlocal keeps (API Reference, TagResource: "the only CloudWatch resources that can be tagged
// are alarms, dashboards, metric streams and Contributor Insights rules"). A resource is named
// by its ARN: arn:aws:cloudwatch:Region:account-id:alarm:alarm-name, or
// arn:aws:cloudwatch::account-id:dashboard/dashboard-name for a dashboard, which is global.
// Terraform's aws_cloudwatch_metric_alarm reads them after every create and refresh.

// tagged is a resource's tags and how to store them changed, within one transaction.
type tagged struct {
	tags []storage.Tag
	save func([]storage.Tag) error
}

// taggedResource reads the resource an ARN names in the caller's account (and Region, for an
// alarm); any other ARN of CloudWatch names nothing here.
func (c call) taggedResource(tx *storage.Tx, resourceARN string) (tagged, error) {
	a, err := arn.Parse(resourceARN)
	if err != nil {
		return tagged{}, cloudwatchapi.ErrInvalidParameterValue("Invalid ARN: %s", resourceARN)
	}
	notFound := cloudwatchapi.ErrResourceNotFoundException("%s not found", resourceARN)
	if a.Service != "cloudwatch" || a.Partition != c.partition || a.Account != c.account {
		return tagged{}, notFound
	}
	if name, isDashboard := strings.CutPrefix(a.Resource, "dashboard/"); isDashboard && a.Region == "" {
		d, err := storage.Dashboards(tx).Get(name)
		if err != nil {
			return tagged{}, notFoundOr(err, notFound)
		}
		return tagged{tags: d.Tags, save: func(t []storage.Tag) error { d.Tags = t; return storage.Dashboards(tx).Put(name, d) }}, nil
	}
	name, isAlarm := strings.CutPrefix(a.Resource, "alarm:")
	if !isAlarm || name == "" || a.Region != c.region {
		return tagged{}, notFound
	}
	key := storage.Join(c.region, name)
	if m, err := storage.Alarms(tx).Get(key); err == nil {
		return tagged{tags: m.Tags, save: func(t []storage.Tag) error { m.Tags = t; return storage.Alarms(tx).Put(key, m) }}, nil
	} else if !errors.Is(err, storage.ErrNotFound) {
		return tagged{}, err
	}
	comp, err := storage.CompositeAlarms(tx).Get(key)
	if err != nil {
		return tagged{}, notFoundOr(err, notFound)
	}
	return tagged{tags: comp.Tags, save: func(t []storage.Tag) error { comp.Tags = t; return storage.CompositeAlarms(tx).Put(key, comp) }}, nil
}

// notFoundOr is notFound for storage.ErrNotFound, else err.
func notFoundOr(err, notFound error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return notFound
	}
	return err
}

// updateTags lets change edit the tags of the resource resourceARN names and stores them.
func (s *Service) updateTags(ctx context.Context, resourceARN string, change func([]storage.Tag) []storage.Tag) error {
	c := s.call(ctx)
	return s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		r, err := c.taggedResource(tx, resourceARN)
		if err != nil {
			return err
		}
		return r.save(change(r.tags))
	})
}

// ListTagsForResource returns a resource's tags, an empty list when it has none.
func (s *Service) ListTagsForResource(ctx context.Context, in *cloudwatchapi.ListTagsForResourceInput) (*cloudwatchapi.ListTagsForResourceOutput, error) {
	c := s.call(ctx)
	out := &cloudwatchapi.ListTagsForResourceOutput{Tags: []cloudwatchapi.Tag{}}
	err := s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		r, err := c.taggedResource(tx, protocol.Val(in.ResourceARN))
		for _, t := range r.tags {
			out.Tags = append(out.Tags, cloudwatchapi.Tag{Key: protocol.Ptr(t.Key), Value: protocol.Ptr(t.Value)})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TagResource adds tags to an alarm or a dashboard; a key it already has takes the new value (API Reference,
// TagResource).
func (s *Service) TagResource(ctx context.Context, in *cloudwatchapi.TagResourceInput) (*cloudwatchapi.TagResourceOutput, error) {
	err := s.updateTags(ctx, protocol.Val(in.ResourceARN), func(tags []storage.Tag) []storage.Tag {
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

// UntagResource removes the given keys from a resource's tags; a key it does not have is no error.
func (s *Service) UntagResource(ctx context.Context, in *cloudwatchapi.UntagResourceInput) (*cloudwatchapi.UntagResourceOutput, error) {
	remove := map[string]bool{}
	for _, k := range in.TagKeys {
		remove[k] = true
	}
	err := s.updateTags(ctx, protocol.Val(in.ResourceARN), func(tags []storage.Tag) []storage.Tag {
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
