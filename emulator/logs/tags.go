package logs

import (
	"context"
	"errors"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Log group tags, through the older name-based operations (TagLogGroup, UntagLogGroup,
// ListTagsLogGroup) and the ARN-based ones (TagResource, UntagResource, ListTagsForResource).
// A group carries at most 50 tags (TooManyTagsException).

const maxTags = 50

func (s *Service) TagLogGroup(ctx context.Context, in *logsapi.TagLogGroupRequest) (*logsapi.Empty, error) {
	name := protocol.Val(in.LogGroupName)
	return &logsapi.Empty{}, s.changeTags(ctx, name, name, in.Tags, nil)
}

func (s *Service) UntagLogGroup(ctx context.Context, in *logsapi.UntagLogGroupRequest) (*logsapi.Empty, error) {
	name := protocol.Val(in.LogGroupName)
	return &logsapi.Empty{}, s.changeTags(ctx, name, name, nil, in.Tags)
}

func (s *Service) ListTagsLogGroup(ctx context.Context, in *logsapi.ListTagsLogGroupRequest) (*logsapi.ListTagsLogGroupResponse, error) {
	tags, err := s.tags(ctx, protocol.Val(in.LogGroupName))
	if err != nil {
		return nil, err
	}
	return &logsapi.ListTagsLogGroupResponse{Tags: tags}, nil
}

func (s *Service) TagResource(ctx context.Context, in *logsapi.TagResourceRequest) (*logsapi.Empty, error) {
	arn := protocol.Val(in.ResourceArn)
	name, err := arnGroup(arn)
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, s.changeTags(ctx, name, arn, in.Tags, nil)
}

func (s *Service) UntagResource(ctx context.Context, in *logsapi.UntagResourceRequest) (*logsapi.Empty, error) {
	arn := protocol.Val(in.ResourceArn)
	name, err := arnGroup(arn)
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, s.changeTags(ctx, name, arn, nil, in.TagKeys)
}

func (s *Service) ListTagsForResource(ctx context.Context, in *logsapi.ListTagsForResourceRequest) (*logsapi.ListTagsForResourceResponse, error) {
	name, err := arnGroup(protocol.Val(in.ResourceArn))
	if err != nil {
		return nil, err
	}
	tags, err := s.tags(ctx, name)
	if err != nil {
		return nil, err
	}
	return &logsapi.ListTagsForResourceResponse{Tags: tags}, nil
}

// arnGroup reads the group name of a log group ARN; only log groups are emulated.
func arnGroup(text string) (string, error) {
	a, err := arn.Parse(text)
	name, ok := arn.LogGroupName(a)
	if err != nil || !ok {
		return "", logsapi.ErrInvalidParameter("Invalid resource arn: %s", text)
	}
	return name, nil
}

func (s *Service) tags(ctx context.Context, name string) (map[string]string, error) {
	c := s.call(ctx)
	var tags map[string]string
	err := s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		g, err := storage.LogGroups(tx).Get(storage.LogGroupKey(c.region, name))
		tags = g.Tags
		return err
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, groupNotFound()
	}
	if tags == nil {
		tags = map[string]string{}
	}
	return tags, err
}

func (s *Service) changeTags(ctx context.Context, name, resource string, add map[string]string, remove []string) error {
	var tooMany bool
	err := s.updateGroup(ctx, name, func(g *storage.LogGroupRecord) {
		tags := map[string]string{}
		for k, v := range g.Tags {
			tags[k] = v
		}
		for k, v := range add {
			tags[k] = v
		}
		for _, k := range remove {
			delete(tags, k)
		}
		if len(tags) > maxTags {
			tooMany = true
			return
		}
		g.Tags = tags
	})
	if err == nil && tooMany {
		e := logsapi.ErrTooManyTags("A resource can have no more than 50 tags.")
		e.Fields = map[string]any{"resourceName": resource}
		return e
	}
	return err
}
