package logs

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

var now = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func newService(t *testing.T) (*Service, context.Context) {
	t.Helper()
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Region: "us-east-1"})
	ctx := reqctx.With(context.Background(), &reqctx.Info{Region: "us-east-1", Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
	return s, ctx
}

func code(err error) string {
	var e *awserr.Error
	if errors.As(err, &e) {
		return e.Code
	}
	if err != nil {
		return err.Error()
	}
	return ""
}

// The Lambda sink creates the group and stream on demand, in the service's region and the
// given account, and its lines read back in order.
func TestSinkWritesLambdaOutput(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	group := LambdaGroup("fn")
	stream := LambdaStream(now, "$LATEST", "0123456789abcdef0123456789abcdef")
	if stream != "2026/03/04/[$LATEST]0123456789abcdef0123456789abcdef" {
		t.Fatal(stream)
	}
	sink := s.Sink()
	sink.Write("123456789012", "", group, stream, now.Add(-2*time.Second), "START RequestId: 1")
	sink.Write("123456789012", "", group, stream, now.Add(-time.Second), "END RequestId: 1")
	sink.Write("999999999999", "", group, stream, now, "other account")
	out, err := s.GetLogEvents(ctx, &logsapi.GetLogEventsRequest{LogGroupName: &group, LogStreamName: &stream, StartFromHead: protocol.Ptr(true)})
	if err != nil || len(out.Events) != 2 || *out.Events[0].Message != "START RequestId: 1" || *out.Events[1].IngestionTime != now.UnixMilli() {
		t.Fatalf("%v %+v", err, out)
	}
	streams, err := s.DescribeLogStreams(ctx, &logsapi.DescribeLogStreamsRequest{LogGroupName: &group})
	if err != nil || len(streams.LogStreams) != 1 || *streams.LogStreams[0].FirstEventTimestamp != now.Add(-2*time.Second).UnixMilli() {
		t.Fatalf("%v %+v", err, streams)
	}
}

// Events older than the group's retention (but within 14 days) are expired, not too old.
func TestPutLogEventsRetentionAndIndexes(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	g, st := protocol.Ptr("g"), protocol.Ptr("s")
	if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: g}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: g, LogStreamName: st}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutRetentionPolicy(ctx, &logsapi.PutRetentionPolicyRequest{LogGroupName: g, RetentionInDays: protocol.Ptr(int32(1))}); err != nil {
		t.Fatal(err)
	}
	ms := now.UnixMilli()
	ev := func(ts int64) logsapi.InputLogEvent {
		return logsapi.InputLogEvent{Timestamp: &ts, Message: protocol.Ptr("m")}
	}
	out, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: g, LogStreamName: st,
		LogEvents: []logsapi.InputLogEvent{ev(ms - 25*3600*1000), ev(ms - 24*3600*1000 - 60000), ev(ms - 2*3600*1000)}})
	if err != nil || out.RejectedLogEventsInfo == nil || protocol.Val(out.RejectedLogEventsInfo.ExpiredLogEventEndIndex) != 2 ||
		out.RejectedLogEventsInfo.TooOldLogEventEndIndex != nil {
		t.Fatalf("%v %+v", err, out)
	}
	got, _ := s.GetLogEvents(ctx, &logsapi.GetLogEventsRequest{LogGroupName: g, LogStreamName: st})
	if len(got.Events) != 1 {
		t.Fatalf("kept %d", len(got.Events))
	}
	if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: g, LogStreamName: protocol.Ptr("nope"), LogEvents: []logsapi.InputLogEvent{ev(ms)}}); code(err) != "ResourceNotFoundException" {
		t.Fatal(err)
	}
	if _, err := s.GetLogEvents(ctx, &logsapi.GetLogEventsRequest{LogGroupName: g, LogStreamName: st, NextToken: protocol.Ptr("f/123")}); code(err) != "InvalidParameterException" {
		t.Fatal(err)
	}
}

func TestDescribePaginationAndTokens(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	g := protocol.Ptr("g")
	if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: g}); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"s1", "s2", "s3"} {
		if _, err := s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: g, LogStreamName: protocol.Ptr(n)}); err != nil {
			t.Fatal(err)
		}
	}
	var names []string
	var tok *string
	for i := 0; i < 5; i++ {
		out, err := s.DescribeLogStreams(ctx, &logsapi.DescribeLogStreamsRequest{LogGroupName: g, Limit: protocol.Ptr(int32(2)), NextToken: tok, Descending: protocol.Ptr(true)})
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range out.LogStreams {
			names = append(names, *st.LogStreamName)
		}
		if tok = out.NextToken; tok == nil {
			break
		}
	}
	if strings.Join(names, ",") != "s3,s2,s1" {
		t.Fatal(names)
	}
	for _, bad := range []string{"!!", "bzpmb28"} {
		if _, err := s.DescribeLogGroups(ctx, &logsapi.DescribeLogGroupsRequest{NextToken: protocol.Ptr(bad)}); code(err) != "InvalidParameterException" {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := s.DescribeLogGroups(ctx, &logsapi.DescribeLogGroupsRequest{LogGroupNamePrefix: g, LogGroupNamePattern: g}); code(err) != "InvalidParameterException" {
		t.Error(err)
	}
}

func TestTags(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	g := protocol.Ptr("g")
	if _, err := s.TagLogGroup(ctx, &logsapi.TagLogGroupRequest{LogGroupName: g, Tags: map[string]string{"a": "b"}}); code(err) != "ResourceNotFoundException" {
		t.Fatal(err)
	}
	if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: g, Tags: map[string]string{"a": "b"}}); err != nil {
		t.Fatal(err)
	}
	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many[string(rune('A'+i%26))+strings.Repeat("x", i/26)] = "v"
	}
	_, err := s.TagResource(ctx, &logsapi.TagResourceRequest{ResourceArn: protocol.Ptr("arn:aws:logs:us-east-1:123456789012:log-group:g"), Tags: many})
	if code(err) != "TooManyTagsException" {
		t.Fatal(err)
	}
	if _, err := s.ListTagsForResource(ctx, &logsapi.ListTagsForResourceRequest{ResourceArn: protocol.Ptr("arn:aws:s3:::bucket")}); code(err) != "InvalidParameterException" {
		t.Fatal(err)
	}
}

func TestFilterPatterns(t *testing.T) {
	t.Parallel()
	lines := []string{
		`ERROR disk full`,
		`WARN slow request [id=7]`,
		`INFO ok`,
		`{"level":"ERROR","latency":250,"user":{"name":"ann"},"tags":["a","b"],"ok":false}`,
		`{"level":"INFO","latency":5,"user":{"name":"bob"},"tags":["c"],"ok":true,"gone":null}`,
		`not json {`,
	}
	for _, tc := range []struct {
		pattern string
		want    string // indexes of matching lines
	}{
		{"", "012345"},
		{"ERROR", "03"},
		{"ERROR disk", "0"},
		{`"slow request"`, "1"},
		{"?WARN ?INFO", "124"},
		{"ERROR -disk", "3"},
		{`{ $.level = "ERROR" }`, "3"},
		{`{ $.level != "ERROR" }`, "4"},
		{`{ $.latency > 100 }`, "3"},
		{`{ $.latency <= 5 }`, "4"},
		{`{ $.user.name = "a*" }`, "3"},
		{`{ $.tags[0] = "c" }`, "4"},
		{`{ $.level = "INFO" || $.latency >= 250 }`, "34"},
		{`{ ($.level = "INFO") && ($.ok IS TRUE) }`, "4"},
		{`{ $.ok IS FALSE }`, "3"},
		{`{ $.gone IS NULL }`, "4"},
		{`{ $.gone NOT EXISTS }`, "3"},
		{`{ $.level = ERROR }`, "3"},
	} {
		m, err := compileFilter(tc.pattern)
		if err != nil {
			t.Errorf("%q: %v", tc.pattern, err)
			continue
		}
		got := ""
		for i, l := range lines {
			if m(l) {
				got += string(rune('0' + i))
			}
		}
		if got != tc.want {
			t.Errorf("%q matched %q, want %q", tc.pattern, got, tc.want)
		}
	}
	if _, err := compileFilter(`{$.kubernetes.namespace_name="abc"`); err == nil || !strings.Contains(err.Error(), "If a filter pattern starts with '{' it must end with '}'") {
		t.Errorf("unclosed JSON pattern: %v", err)
	}
	for _, bad := range []string{`{ $.a = }`, `{ $.a > "x" }`, `"unterminated`, `[ip, user`, `{ level = 1 }`, `{ $.a = 1`} {
		if _, err := compileFilter(bad); code(err) != "InvalidParameterException" {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzFilterPattern(f *testing.F) {
	f.Add(`{ ($.level = "INFO") && ($.ok IS TRUE) }`, `{"level":"INFO","ok":true}`)
	f.Add(`?ERROR -"x y"`, "ERROR x")
	f.Add(`%^\[[A-Z]{1,5}\s\d+%`, "[ERROR 401] x")
	f.Add(`{ $.a = %a|b% && $.b != %^c$% }`, `{"a":"b","b":"d"}`)
	f.Add(`[w1 = %^x{1,2}%, ...]`, "xx y")
	f.Fuzz(func(t *testing.T, pattern, line string) {
		m, err := compileFilter(pattern)
		if err != nil {
			if code(err) != "InvalidParameterException" {
				t.Fatal(err)
			}
			return
		}
		m(line)
	})
}
