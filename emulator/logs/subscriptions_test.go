package logs

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const fnARN = "arn:aws:lambda:us-east-1:123456789012:function:"

// fakeLambda takes the deliveries Options.Invoke is handed; functions named in refuse do not
// allow CloudWatch Logs.
type fakeLambda struct {
	mu     sync.Mutex
	refuse map[string]bool
	got    []LambdaDelivery
}

func (f *fakeLambda) invoke(d LambdaDelivery) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refuse[d.Function] {
		return ErrDeliveryRefused
	}
	f.got = append(f.got, d)
	return nil
}

// messages decodes what the functions received, waiting until there are n.
func (f *fakeLambda) messages(t *testing.T, n int) []subscriptionMessage {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		f.mu.Lock()
		got := append([]LambdaDelivery(nil), f.got...)
		f.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			out := make([]subscriptionMessage, len(got))
			for i, d := range got {
				out[i] = decodePayload(t, d.Payload)
			}
			return out
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func decodePayload(t *testing.T, payload []byte) subscriptionMessage {
	t.Helper()
	var wrapper struct{ Awslogs struct{ Data string } }
	if err := json.Unmarshal(payload, &wrapper); err != nil {
		t.Fatal(err)
	}
	zipped, err := base64.StdEncoding.DecodeString(wrapper.Awslogs.Data)
	if err != nil {
		t.Fatal(err)
	}
	r, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	var m subscriptionMessage
	if err := json.Unmarshal(doc, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func newSubscribedService(t *testing.T, refuse ...string) (*Service, context.Context, *fakeLambda) {
	t.Helper()
	f := &fakeLambda{refuse: map[string]bool{}}
	for _, r := range refuse {
		f.refuse[r] = true
	}
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Region: "us-east-1", Invoke: f.invoke})
	t.Cleanup(s.Close)
	ctx := reqctx.With(context.Background(), &reqctx.Info{Region: "us-east-1", Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
	for _, g := range []string{"g", "g2"} {
		if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: protocol.Ptr(g)}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: protocol.Ptr(g), LogStreamName: protocol.Ptr("s")}); err != nil {
			t.Fatal(err)
		}
	}
	return s, ctx, f
}

func putFilterReq(group, name, pattern, dest string) *logsapi.PutSubscriptionFilterRequest {
	return &logsapi.PutSubscriptionFilterRequest{LogGroupName: &group, FilterName: &name, FilterPattern: &pattern, DestinationArn: &dest}
}

// PutSubscriptionFilter refuses what AWS refuses, in AWS's words, and stores the rest.
func TestPutSubscriptionFilterRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       *logsapi.PutSubscriptionFilterRequest
		wantCode string
		wantText string
	}{
		{"lambda", putFilterReq("g", "f", "", fnARN+"ok"), "", ""},
		{"lambda of another account, before the group is looked at", putFilterReq("missing", "f", "", "arn:aws:lambda:us-east-1:210987654321:function:x"),
			"AccessDeniedException", "Cross-account lambda invocation passing is not allowed. You must use DestinationPolicies to create cross account lambda triggers."},
		{"function that does not allow CloudWatch Logs", putFilterReq("g", "f", "", fnARN+"closed"),
			"InvalidParameterException", "Could not execute the lambda function. Make sure you have given CloudWatch Logs permission to execute your function."},
		{"function of another region", putFilterReq("g", "f", "", "arn:aws:lambda:eu-west-1:123456789012:function:ok"),
			"InvalidParameterException", "Could not execute the lambda function."},
		{"kinesis without a role", putFilterReq("g", "f", "", "arn:aws:kinesis:us-east-1:123456789012:stream/s"),
			"InvalidParameterException", "destinationArn for vendor kinesis cannot be used without roleArn"},
		{"kinesis with a role is stored", func() *logsapi.PutSubscriptionFilterRequest {
			in := putFilterReq("g", "f", "", "arn:aws:kinesis:us-east-1:123456789012:stream/s")
			in.RoleArn = protocol.Ptr("arn:aws:iam::123456789012:role/cwl")
			return in
		}(), "", ""},
		{"logs destination is stored", putFilterReq("g", "f", "", "arn:aws:logs:us-east-1:210987654321:destination:d"), "", ""},
		{"not a destination", putFilterReq("g", "f", "", "arn:aws:sqs:us-east-1:123456789012:q"), "InvalidParameterException", "Invalid destinationArn"},
		{"missing group", putFilterReq("missing", "f", "", fnARN+"ok"), "ResourceNotFoundException", "The specified log group does not exist."},
		{"bad pattern", putFilterReq("g", "f", `"unterminated`, fnARN+"ok"), "InvalidParameterException", "Invalid filter pattern"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s, ctx, _ := newSubscribedService(t, fnARN+"closed")
			_, err := s.PutSubscriptionFilter(ctx, tt.in)
			if code(err) != tt.wantCode || err != nil && !strings.Contains(err.Error(), tt.wantText) {
				t.Fatalf("err %v, want %s %q", err, tt.wantCode, tt.wantText)
			}
			out, derr := s.DescribeSubscriptionFilters(ctx, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: protocol.Ptr("g")})
			if derr != nil {
				t.Fatal(derr)
			}
			if want := map[bool]int{true: 1, false: 0}[err == nil]; len(out.SubscriptionFilters) != want {
				t.Errorf("%d filters stored, want %d", len(out.SubscriptionFilters), want)
			}
		})
	}
}

// Two filters per group; a put of an existing name replaces it; describe reports AWS's
// defaults and pages by prefix; delete answers AWS's texts; deleting the group deletes its
// filters.
func TestSubscriptionFilterLifecycle(t *testing.T) {
	t.Parallel()
	s, ctx, f := newSubscribedService(t)
	for _, name := range []string{"one", "two", "one"} {
		if _, err := s.PutSubscriptionFilter(ctx, putFilterReq("g", name, "ERROR", fnARN+"fn")); err != nil {
			t.Fatal(name, err)
		}
	}
	_, err := s.PutSubscriptionFilter(ctx, putFilterReq("g", "three", "", fnARN+"fn"))
	if code(err) != "LimitExceededException" || !strings.Contains(err.Error(), "Resource limit exceeded.") {
		t.Fatalf("third filter: %v", err)
	}
	for _, m := range f.messages(t, 3) {
		if m.MessageType != "CONTROL_MESSAGE" || m.Owner != "CloudwatchLogs" || len(m.LogEvents) != 1 ||
			!strings.HasPrefix(m.LogEvents[0].Message, "CWL CONTROL MESSAGE: Checking health of destination") {
			t.Errorf("test message %+v", m)
		}
	}
	page, err := s.DescribeSubscriptionFilters(ctx, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: protocol.Ptr("g"), Limit: protocol.Ptr(int32(1))})
	if err != nil || len(page.SubscriptionFilters) != 1 || page.NextToken == nil {
		t.Fatalf("%v %+v", err, page)
	}
	got := page.SubscriptionFilters[0]
	if *got.FilterName != "one" || *got.Distribution != "ByLogStream" || *got.ApplyOnTransformedLogs || *got.CreationTime != now.UnixMilli() ||
		*got.FilterPattern != "ERROR" || *got.LogGroupName != "g" || got.RoleArn != nil {
		t.Errorf("filter %+v", got)
	}
	rest, err := s.DescribeSubscriptionFilters(ctx, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: protocol.Ptr("g"), NextToken: page.NextToken})
	if err != nil || len(rest.SubscriptionFilters) != 1 || *rest.SubscriptionFilters[0].FilterName != "two" || rest.NextToken != nil {
		t.Fatalf("%v %+v", err, rest)
	}
	byPrefix, err := s.DescribeSubscriptionFilters(ctx, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: protocol.Ptr("g"), FilterNamePrefix: protocol.Ptr("tw")})
	if err != nil || len(byPrefix.SubscriptionFilters) != 1 {
		t.Fatalf("%v %+v", err, byPrefix)
	}
	if _, err := s.DescribeSubscriptionFilters(ctx, &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: protocol.Ptr("missing")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("describe of a missing group: %v", err)
	}
	if _, err := s.DeleteSubscriptionFilter(ctx, &logsapi.DeleteSubscriptionFilterRequest{LogGroupName: protocol.Ptr("g"), FilterName: protocol.Ptr("nope")}); code(err) != "ResourceNotFoundException" ||
		!strings.Contains(err.Error(), "The specified subscription filter does not exist.") {
		t.Errorf("delete of a missing filter: %v", err)
	}
	if _, err := s.DeleteSubscriptionFilter(ctx, &logsapi.DeleteSubscriptionFilterRequest{LogGroupName: protocol.Ptr("g"), FilterName: protocol.Ptr("two")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLogGroup(ctx, &logsapi.DeleteLogGroupRequest{LogGroupName: protocol.Ptr("g")}); err != nil {
		t.Fatal(err)
	}
	err = s.opts.DB.View("123456789012", func(tx *storage.Tx) error {
		if n, err := countPrefix(storage.LogSubscriptions(tx), storage.LogSubscriptionKey("us-east-1", "g", "")); err != nil || n != 0 {
			t.Errorf("%d filters left after the group was deleted (%v)", n, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Ingested events that match a filter reach its function after the write, in one payload per
// stream and filter: PutLogEvents batches and the Lambda sink's lines alike.
func TestSubscriptionDelivery(t *testing.T) {
	t.Parallel()
	s, ctx, f := newSubscribedService(t)
	if _, err := s.PutSubscriptionFilter(ctx, putFilterReq("g", "errors", "ERROR", fnARN+"fn")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutSubscriptionFilter(ctx, putFilterReq("g2", "all", "", fnARN+"other")); err != nil {
		t.Fatal(err)
	}
	ms := now.UnixMilli()
	events := []logsapi.InputLogEvent{{Timestamp: &ms, Message: protocol.Ptr("ERROR one")}, {Timestamp: &ms, Message: protocol.Ptr("fine")},
		{Timestamp: &ms, Message: protocol.Ptr("ERROR two")}}
	if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: protocol.Ptr("g"), LogStreamName: protocol.Ptr("s"), LogEvents: events}); err != nil {
		t.Fatal(err)
	}
	s.Sink().Write("123456789012", "us-east-1", "g2", "fn-stream", now, "START RequestId: 1")
	msgs := f.messages(t, 4) // two control messages, then the data
	if len(msgs) != 4 {
		t.Fatalf("%d deliveries: %+v", len(msgs), msgs)
	}
	byGroup := map[string]subscriptionMessage{}
	for _, m := range msgs[2:] {
		byGroup[m.LogGroup] = m
	}
	g := byGroup["g"]
	if g.MessageType != "DATA_MESSAGE" || g.Owner != "123456789012" || g.LogStream != "s" || len(g.SubscriptionFilters) != 1 ||
		g.SubscriptionFilters[0] != "errors" || len(g.LogEvents) != 2 || g.LogEvents[0].Message != "ERROR one" ||
		g.LogEvents[1].Message != "ERROR two" || g.LogEvents[0].Timestamp != ms || len(g.LogEvents[0].ID) != 56 {
		t.Errorf("PutLogEvents delivery %+v", g)
	}
	if m := byGroup["g2"]; m.LogStream != "fn-stream" || len(m.LogEvents) != 1 || m.LogEvents[0].Message != "START RequestId: 1" {
		t.Errorf("sink delivery %+v", m)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, d := range f.got {
		if d.SourceAccount != "123456789012" || !strings.HasPrefix(d.SourceARN, "arn:aws:logs:us-east-1:123456789012:log-group:") ||
			!strings.HasSuffix(d.SourceARN, ":*") || len(d.Services) != 2 || d.Services[0] != "logs.amazonaws.com" {
			t.Errorf("delivery %+v", d)
		}
	}
}

// The worker joins what queued for one stream into one delivery, in order.
func TestCoalesce(t *testing.T) {
	t.Parallel()
	ev := func(m string) storage.LogEventRecord { return storage.LogEventRecord{Message: m} }
	filters := []storage.LogSubscriptionRecord{{Name: "new"}}
	out := coalesce([]ingested{
		{account: "a", region: "r", group: "g", stream: "s", events: []storage.LogEventRecord{ev("1")}},
		{account: "a", region: "r", group: "g", stream: "t", events: []storage.LogEventRecord{ev("x")}},
		{account: "a", region: "r", group: "g", stream: "s", events: []storage.LogEventRecord{ev("2"), ev("3")}, filters: filters},
	})
	if len(out) != 2 || len(out[0].events) != 3 || out[0].events[2].Message != "3" || out[0].filters[0].Name != "new" || out[1].stream != "t" {
		t.Errorf("%+v", out)
	}
}

// lockedBuffer is a log destination safe for the worker and the test.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// While a delivery is stuck, at most deliveryQueueSize writes wait; the next is dropped and
// logged rather than held, so a flood of log lines cannot grow the server's memory.
func TestDeliveryQueueIsBounded(t *testing.T) {
	t.Parallel()
	release, entered := make(chan struct{}), make(chan struct{}, 1)
	var logs lockedBuffer
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Logger: slog.New(slog.NewTextHandler(&logs, nil)),
		Invoke: func(LambdaDelivery) error {
			select {
			case entered <- struct{}{}:
			default:
			}
			<-release
			return nil
		}})
	defer s.Close()
	defer close(release)
	write := ingested{account: "123456789012", region: "us-east-1", partition: "aws", group: "g", stream: "s",
		filters: []storage.LogSubscriptionRecord{{Name: "f", Destination: fnARN + "fn"}}, events: []storage.LogEventRecord{{Message: "m"}}}
	s.deliver(write)
	<-entered // the worker holds the first write
	for range deliveryQueueSize {
		s.deliver(write)
	}
	if strings.Contains(logs.String(), "queue full") {
		t.Fatal("dropped before the queue was full")
	}
	s.deliver(write)
	if !strings.Contains(logs.String(), "subscription delivery queue full: events dropped") {
		t.Errorf("no drop logged: %s", logs.String())
	}
}
