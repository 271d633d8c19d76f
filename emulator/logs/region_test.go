package logs

import (
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
)

func regionCtx(region string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Region: region, Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
}

// Log groups are regional: a group created, written and tagged in one region, and a Lambda
// function's output the sink writes there, are seen by every read of that region and by none
// of another, where a group of the same name is another group.
func TestLogsKeepRegionsApart(t *testing.T) {
	t.Parallel()
	s, _ := newService(t) // Options.Region us-east-1: a sink write naming eu-west-1 must not land there
	eu, us := regionCtx("eu-west-1"), regionCtx("us-east-1")
	app, st := protocol.Ptr("/app"), protocol.Ptr("s")
	for _, ctx := range []context.Context{eu, us} {
		if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: app, Tags: map[string]string{"region": reqctx.From(ctx).Region}}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: app, LogStreamName: st}); err != nil {
			t.Fatal(err)
		}
		msg := "from " + reqctx.From(ctx).Region
		if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: app, LogStreamName: st,
			LogEvents: []logsapi.InputLogEvent{{Timestamp: protocol.Ptr(now.UnixMilli()), Message: &msg}}}); err != nil {
			t.Fatal(err)
		}
	}
	fnGroup, fnStream := LambdaGroup("fn"), LambdaStream(now, "$LATEST", "0123456789abcdef0123456789abcdef")
	s.Sink().Write("123456789012", "eu-west-1", fnGroup, fnStream, now.Add(-time.Second), "START RequestId: 1")

	tests := []struct {
		region  string
		ctx     context.Context
		fnLines int // lines of the function's stream, -1 when its group does not exist
	}{
		{"eu-west-1", eu, 1},
		{"us-east-1", us, -1},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			t.Parallel()
			events, err := s.FilterLogEvents(tc.ctx, &logsapi.FilterLogEventsRequest{LogGroupName: app})
			if err != nil || len(events.Events) != 1 || protocol.Val(events.Events[0].Message) != "from "+tc.region {
				t.Errorf("FilterLogEvents(/app) in %s: %v %+v", tc.region, err, events)
			}
			got, err := s.GetLogEvents(tc.ctx, &logsapi.GetLogEventsRequest{LogGroupName: app, LogStreamName: st})
			if err != nil || len(got.Events) != 1 || protocol.Val(got.Events[0].Message) != "from "+tc.region {
				t.Errorf("GetLogEvents(/app) in %s: %v %+v", tc.region, err, got)
			}
			tags, err := s.ListTagsForResource(tc.ctx, &logsapi.ListTagsForResourceRequest{
				ResourceArn: protocol.Ptr("arn:aws:logs:" + tc.region + ":123456789012:log-group:/app")})
			if err != nil || tags.Tags["region"] != tc.region {
				t.Errorf("tags of /app in %s: %v %v", tc.region, err, tags)
			}
			groups, err := s.DescribeLogGroups(tc.ctx, &logsapi.DescribeLogGroupsRequest{})
			if err != nil {
				t.Fatal(err)
			}
			wantGroups := map[bool]int{true: 2, false: 1}[tc.fnLines >= 0]
			if len(groups.LogGroups) != wantGroups {
				t.Errorf("DescribeLogGroups in %s: %d groups, want %d", tc.region, len(groups.LogGroups), wantGroups)
			}
			for _, g := range groups.LogGroups {
				if want := "arn:aws:logs:" + tc.region + ":123456789012:log-group:" + protocol.Val(g.LogGroupName); protocol.Val(g.LogGroupArn) != want {
					t.Errorf("group ARN %s, want %s", protocol.Val(g.LogGroupArn), want)
				}
			}
			fn, err := s.FilterLogEvents(tc.ctx, &logsapi.FilterLogEventsRequest{LogGroupName: &fnGroup})
			switch {
			case tc.fnLines < 0 && code(err) != "ResourceNotFoundException":
				t.Errorf("function group in %s: %v %+v, want ResourceNotFoundException", tc.region, err, fn)
			case tc.fnLines >= 0 && (err != nil || len(fn.Events) != tc.fnLines):
				t.Errorf("function group in %s: %v %+v, want %d lines", tc.region, err, fn, tc.fnLines)
			}
		})
	}
}

// Deleting a group in one region leaves the same-named group of another region.
func TestDeleteLogGroupIsRegional(t *testing.T) {
	t.Parallel()
	s, _ := newService(t)
	eu, us := regionCtx("eu-west-1"), regionCtx("us-east-1")
	g := protocol.Ptr("/only")
	for _, ctx := range []context.Context{eu, us} {
		if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: g}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.DeleteLogGroup(eu, &logsapi.DeleteLogGroupRequest{LogGroupName: g}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLogGroup(eu, &logsapi.DeleteLogGroupRequest{LogGroupName: g}); code(err) != "ResourceNotFoundException" {
		t.Errorf("second delete in eu-west-1: %v", err)
	}
	out, err := s.DescribeLogGroups(us, &logsapi.DescribeLogGroupsRequest{})
	if err != nil || len(out.LogGroups) != 1 {
		t.Errorf("us-east-1 after the eu-west-1 delete: %v %+v", err, out)
	}
}
