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

// A group with a metric filter and a subscription filter feeds both from the same events, by
// PutLogEvents and by the sink; deleting the group removes both kinds of filter.
func TestMetricAndSubscriptionFiltersTogether(t *testing.T) {
	t.Parallel()
	pub := &published{points: map[string][]MetricPoint{}}
	f := &fakeLambda{refuse: map[string]bool{}}
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Region: "us-east-1",
		Metrics: pub.record, Invoke: f.invoke})
	t.Cleanup(s.Close)
	ctx := reqctx.With(context.Background(), &reqctx.Info{Region: "us-east-1", Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
	mustGroup(t, s, ctx, "g", "s")
	if _, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("g"), FilterName: protocol.Ptr("m"),
		FilterPattern: protocol.Ptr("ERROR"), MetricTransformations: transform("1", nil, nil)}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSubscriptionFilter(ctx, putFilterReq("g", "sub", "ERROR", fnARN+"fn")); err != nil {
		t.Fatal(err)
	}
	ms := now.Add(-time.Minute).UnixMilli()
	events := []logsapi.InputLogEvent{{Timestamp: &ms, Message: protocol.Ptr("ERROR one")}, {Timestamp: &ms, Message: protocol.Ptr("fine")}}
	if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: protocol.Ptr("g"), LogStreamName: protocol.Ptr("s"), LogEvents: events}); err != nil {
		t.Fatal(err)
	}
	s.Sink().Write("123456789012", "us-east-1", "g", "fn-stream", now.Add(-time.Minute), "ERROR two")
	msgs := f.messages(t, 3) // the control message, then one delivery per stream
	var delivered []string
	for _, m := range msgs[1:] {
		for _, e := range m.LogEvents {
			delivered = append(delivered, e.Message)
		}
	}
	if len(msgs) != 3 || len(delivered) != 2 {
		t.Errorf("deliveries %+v", msgs)
	}
	if got := pub.of("123456789012", "us-east-1"); len(got) != 2 || got[0].Value != 1 || got[1].Value != 1 {
		t.Errorf("published %+v, want two points of 1", got)
	}
	if _, err := s.DeleteLogGroup(ctx, &logsapi.DeleteLogGroupRequest{LogGroupName: protocol.Ptr("g")}); err != nil {
		t.Fatal(err)
	}
	mustGroup(t, s, ctx, "g")
	mf, err := s.DescribeMetricFilters(ctx, &logsapi.DescribeMetricFiltersRequest{LogGroupName: protocol.Ptr("g")})
	if err != nil {
		t.Fatal(err)
	}
	sf, err := s.DescribeSubscriptionFilters(ctx, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: protocol.Ptr("g")})
	if err != nil {
		t.Fatal(err)
	}
	if len(mf.MetricFilters) != 0 || len(sf.SubscriptionFilters) != 0 {
		t.Errorf("a recreated group kept %d metric and %d subscription filters", len(mf.MetricFilters), len(sf.SubscriptionFilters))
	}
}
