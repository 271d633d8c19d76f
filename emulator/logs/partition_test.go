package logs

import (
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Log group and stream ARNs are in the request's partition, the service's when the request
// carries none; a group ARN names its group whatever the form (with or without ":*").
func TestPartitionARNs(t *testing.T) {
	t.Parallel()
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Region: "cn-north-1", Partition: "aws-cn"})
	cases := []struct {
		name      string
		partition string
		want      string
	}{
		{"request partition", "aws-us-gov", "arn:aws-us-gov:logs:cn-north-1:123456789012:log-group:/g"},
		{"service partition", "", "arn:aws-cn:logs:cn-north-1:123456789012:log-group:/g"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			ctx := reqctx.With(context.Background(), &reqctx.Info{Now: now, Partition: c.partition,
				Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
			g, st := protocol.Ptr("/g"), protocol.Ptr("s")
			if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: g}); err != nil && code(err) != "ResourceAlreadyExistsException" {
				t.Fatal(err)
			}
			if _, err := s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: g, LogStreamName: st}); err != nil && code(err) != "ResourceAlreadyExistsException" {
				t.Fatal(err)
			}
			groups, err := s.DescribeLogGroups(ctx, &logsapi.DescribeLogGroupsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			if got := groups.LogGroups[0]; protocol.Val(got.LogGroupArn) != c.want || protocol.Val(got.Arn) != c.want+":*" {
				t.Errorf("group ARNs %s %s", protocol.Val(got.LogGroupArn), protocol.Val(got.Arn))
			}
			streams, err := s.DescribeLogStreams(ctx, &logsapi.DescribeLogStreamsRequest{LogGroupIdentifier: protocol.Ptr(c.want + ":*")})
			if err != nil {
				t.Fatal(err)
			}
			if got := protocol.Val(streams.LogStreams[0].Arn); got != c.want+":log-stream:s" {
				t.Errorf("stream ARN %s", got)
			}
			tags, err := s.ListTagsForResource(ctx, &logsapi.ListTagsForResourceRequest{ResourceArn: protocol.Ptr(c.want)})
			if err != nil || tags.Tags == nil {
				t.Errorf("tags of %s: %v, %v", c.want, tags, err)
			}
		})
	}
}
