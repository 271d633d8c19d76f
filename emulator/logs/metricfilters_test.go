package logs

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// published collects what the service hands to Options.Metrics.
type published struct {
	mu     sync.Mutex
	points map[string][]MetricPoint // by account/region
}

func (p *published) record(account, region string, points []MetricPoint) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.points[account+"/"+region] = append(p.points[account+"/"+region], points...)
}

func (p *published) of(account, region string) []MetricPoint {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.points[account+"/"+region]
}

func newMetricService(t *testing.T) (*Service, context.Context, *published) {
	t.Helper()
	pub := &published{points: map[string][]MetricPoint{}}
	s := New(Options{DB: storagetest.Open(t), Clock: func() time.Time { return now }, Region: "us-east-1", Metrics: pub.record})
	ctx := reqctx.With(context.Background(), &reqctx.Info{Region: "us-east-1", Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "123456789012"}})
	return s, ctx, pub
}

func transform(value string, def *float64, dims map[string]string) []logsapi.MetricTransformation {
	return []logsapi.MetricTransformation{{MetricName: protocol.Ptr("M"), MetricNamespace: protocol.Ptr("App"),
		MetricValue: protocol.Ptr(value), DefaultValue: def, Dimensions: dims}}
}

func mustGroup(t *testing.T, s *Service, ctx context.Context, group string, streams ...string) {
	t.Helper()
	if _, err := s.CreateLogGroup(ctx, &logsapi.CreateLogGroupRequest{LogGroupName: &group}); err != nil {
		t.Fatal(err)
	}
	for _, st := range streams {
		if _, err := s.CreateLogStream(ctx, &logsapi.CreateLogStreamRequest{LogGroupName: &group, LogStreamName: &st}); err != nil {
			t.Fatal(err)
		}
	}
}

// PutMetricFilter refuses what AWS refuses, with AWS's error codes.
func TestPutMetricFilterValidation(t *testing.T) {
	t.Parallel()
	s, ctx, _ := newMetricService(t)
	mustGroup(t, s, ctx, "/app")
	zero := 0.0
	two := []logsapi.MetricTransformation{transform("1", nil, nil)[0], transform("1", nil, nil)[0]}
	tests := []struct {
		name, group, pattern string
		ts                   []logsapi.MetricTransformation
		want                 string
	}{
		{"term pattern", "/app", "ERROR", transform("1", nil, nil), ""},
		{"JSON pattern, field value, dimensions", "/app", `{ $.latency > 0 }`, transform("$.latency", nil, map[string]string{"Route": "$.route"}), ""},
		{"default value", "/app", "", transform("1", &zero, nil), ""},
		{"missing group", "/none", "ERROR", transform("1", nil, nil), "ResourceNotFoundException"},
		{"bad pattern", "/app", `{ $.a = }`, transform("1", nil, nil), "InvalidParameterException"},
		{"space-delimited pattern", "/app", `[ip, user]`, transform("1", nil, nil), ""},
		{"space-delimited pattern, field value, dimensions", "/app", `[ip, user, ..., status_code, size]`, transform("$size", nil, map[string]string{"StatusCode": "$status_code"}), ""},
		{"two transformations", "/app", "ERROR", two, "InvalidParameterException"},
		{"no transformation", "/app", "ERROR", nil, "InvalidParameterException"},
		{"value neither number nor selector", "/app", "ERROR", transform("one", nil, nil), "InvalidParameterException"},
		{"dimensions with a default value", "/app", `{ $.a = 1 }`, transform("1", &zero, map[string]string{"A": "$.a"}), "InvalidParameterException"},
		{"dimensions on a term pattern", "/app", "ERROR", transform("1", nil, map[string]string{"A": "$.a"}), "InvalidParameterException"},
		{"four dimensions", "/app", `{ $.a = 1 }`, transform("1", nil, map[string]string{"A": "$.a", "B": "$.b", "C": "$.c", "D": "$.d"}), "InvalidParameterException"},
		{"literal dimension value", "/app", `{ $.a = 1 }`, transform("1", nil, map[string]string{"A": "fixed"}), "InvalidParameterException"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: &tc.group,
				FilterName: protocol.Ptr(fmt.Sprint("f", i)), FilterPattern: &tc.pattern, MetricTransformations: tc.ts})
			if code(err) != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// A group holds at most 100 filters; replacing one of them is not a new one.
func TestMetricFilterQuota(t *testing.T) {
	t.Parallel()
	s, ctx, _ := newMetricService(t)
	mustGroup(t, s, ctx, "/app")
	put := func(name string) error {
		_, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("/app"), FilterName: &name,
			FilterPattern: protocol.Ptr("ERROR"), MetricTransformations: transform("1", nil, nil)})
		return err
	}
	for i := range 100 {
		if err := put(fmt.Sprintf("f%03d", i)); err != nil {
			t.Fatal(i, err)
		}
	}
	if err := put("f100"); code(err) != "LimitExceededException" {
		t.Errorf("101st filter: %v", err)
	}
	if err := put("f042"); err != nil {
		t.Errorf("replacing a filter at the quota: %v", err)
	}
	groups, err := s.DescribeLogGroups(ctx, &logsapi.DescribeLogGroupsRequest{})
	if err != nil || *groups.LogGroups[0].MetricFilterCount != 100 {
		t.Errorf("metricFilterCount: %v %+v", err, groups)
	}
}

// DescribeMetricFilters filters by group, name prefix (with or without a group) and metric,
// pages in group and name order, and the filters go with their group.
func TestDescribeAndDeleteMetricFilters(t *testing.T) {
	t.Parallel()
	s, ctx, _ := newMetricService(t)
	for _, g := range []string{"/a", "/b"} {
		mustGroup(t, s, ctx, g)
		for _, f := range []string{"errors", "latency", "other"} {
			ts := transform("1", nil, nil)
			ts[0].MetricName = protocol.Ptr(f + g)
			if _, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr(g), FilterName: protocol.Ptr(f),
				FilterPattern: protocol.Ptr("x"), MetricTransformations: ts}); err != nil {
				t.Fatal(err)
			}
		}
	}
	names := func(out *logsapi.DescribeMetricFiltersResponse) []string {
		var got []string
		for _, f := range out.MetricFilters {
			got = append(got, *f.LogGroupName+":"+*f.FilterName)
		}
		return got
	}
	tests := []struct {
		name string
		in   logsapi.DescribeMetricFiltersRequest
		want []string
		code string
	}{
		{"all", logsapi.DescribeMetricFiltersRequest{}, []string{"/a:errors", "/a:latency", "/a:other", "/b:errors", "/b:latency", "/b:other"}, ""},
		{"one group", logsapi.DescribeMetricFiltersRequest{LogGroupName: protocol.Ptr("/b")}, []string{"/b:errors", "/b:latency", "/b:other"}, ""},
		{"prefix in a group", logsapi.DescribeMetricFiltersRequest{LogGroupName: protocol.Ptr("/a"), FilterNamePrefix: protocol.Ptr("lat")}, []string{"/a:latency"}, ""},
		{"prefix across groups", logsapi.DescribeMetricFiltersRequest{FilterNamePrefix: protocol.Ptr("e")}, []string{"/a:errors", "/b:errors"}, ""},
		{"metric", logsapi.DescribeMetricFiltersRequest{MetricName: protocol.Ptr("other/b"), MetricNamespace: protocol.Ptr("App")}, []string{"/b:other"}, ""},
		{"metric in another namespace", logsapi.DescribeMetricFiltersRequest{MetricName: protocol.Ptr("other/b"), MetricNamespace: protocol.Ptr("X")}, nil, ""},
		{"metric without namespace", logsapi.DescribeMetricFiltersRequest{MetricName: protocol.Ptr("other/b")}, nil, "InvalidParameterException"},
		{"missing group", logsapi.DescribeMetricFiltersRequest{LogGroupName: protocol.Ptr("/c")}, nil, "ResourceNotFoundException"},
		{"bad token", logsapi.DescribeMetricFiltersRequest{NextToken: protocol.Ptr("!")}, nil, "InvalidParameterException"},
	}
	t.Run("describe", func(t *testing.T) { // done before the deletes below
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				out, err := s.DescribeMetricFilters(ctx, &tc.in)
				if code(err) != tc.code {
					t.Fatalf("got %v, want %q", err, tc.code)
				}
				if err == nil && fmt.Sprint(names(out)) != fmt.Sprint(tc.want) {
					t.Errorf("got %v, want %v", names(out), tc.want)
				}
			})
		}
	})
	// Paging two at a time walks the same list.
	var paged []string
	var token *string
	for range 10 {
		out, err := s.DescribeMetricFilters(ctx, &logsapi.DescribeMetricFiltersRequest{Limit: protocol.Ptr(int32(2)), NextToken: token})
		if err != nil {
			t.Fatal(err)
		}
		paged = append(paged, names(out)...)
		if token = out.NextToken; token == nil {
			break
		}
	}
	if fmt.Sprint(paged) != fmt.Sprint(tests[0].want) {
		t.Errorf("paged %v", paged)
	}
	if _, err := s.DeleteMetricFilter(ctx, &logsapi.DeleteMetricFilterRequest{LogGroupName: protocol.Ptr("/a"), FilterName: protocol.Ptr("nope")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("deleting a missing filter: %v", err)
	}
	if _, err := s.DeleteMetricFilter(ctx, &logsapi.DeleteMetricFilterRequest{LogGroupName: protocol.Ptr("/c"), FilterName: protocol.Ptr("errors")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("deleting in a missing group: %v", err)
	}
	if _, err := s.DeleteMetricFilter(ctx, &logsapi.DeleteMetricFilterRequest{LogGroupName: protocol.Ptr("/a"), FilterName: protocol.Ptr("errors")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteLogGroup(ctx, &logsapi.DeleteLogGroupRequest{LogGroupName: protocol.Ptr("/b")}); err != nil {
		t.Fatal(err)
	}
	mustGroup(t, s, ctx, "/b") // a new group of the same name has none of the old filters
	out, err := s.DescribeMetricFilters(ctx, &logsapi.DescribeMetricFiltersRequest{})
	if err != nil || fmt.Sprint(names(out)) != "[/a:latency /a:other]" {
		t.Errorf("after the deletes: %v %v", err, names(out))
	}
}

// TestMetricFilter numbers the matching messages from 1, with empty extractedValues for term
// and JSON patterns.
func TestTestMetricFilter(t *testing.T) {
	t.Parallel()
	s, ctx, _ := newMetricService(t)
	msgs := []string{"[ERROR] 400 BAD REQUEST", `{"level":"ERROR","ms":12}`, "[INFO] 200 OK"}
	tests := []struct {
		pattern string
		want    []int64
		code    string
	}{
		{"ERROR", []int64{1, 2}, ""},
		{`{ $.ms > 10 }`, []int64{2}, ""},
		{"", []int64{1, 2, 3}, ""},
		{"-ERROR", []int64{3}, ""},
		{`{ $.ms > }`, nil, "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			t.Parallel()
			out, err := s.TestMetricFilter(ctx, &logsapi.TestMetricFilterRequest{FilterPattern: &tc.pattern, LogEventMessages: msgs})
			if code(err) != tc.code {
				t.Fatalf("got %v, want %q", err, tc.code)
			}
			if err != nil {
				return
			}
			var got []int64
			for _, m := range out.Matches {
				got = append(got, *m.EventNumber)
				if *m.EventMessage != msgs[*m.EventNumber-1] || m.ExtractedValues == nil || len(m.ExtractedValues) != 0 {
					t.Errorf("match %+v", m)
				}
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("matched %v, want %v", got, tc.want)
			}
		})
	}
}

// Ingested events publish the filters' data after their write: a value per matching event
// at its timestamp, from a number or the event's numeric field, with its dimensions; a minute
// of the batch without a match publishes the default value; rejected events publish nothing;
// the Lambda sink's lines publish too, in the function's region.
func TestMetricFiltersPublish(t *testing.T) {
	t.Parallel()
	s, ctx, pub := newMetricService(t)
	mustGroup(t, s, ctx, "/app", "s")
	zero := 0.0
	filters := []struct {
		name, pattern string
		ts            []logsapi.MetricTransformation
	}{
		{"errors", "ERROR", transform("1", &zero, nil)},
		{"latency", `{ $.ms >= 0 }`, transform("$.ms", nil, map[string]string{"Route": "$.route"})},
	}
	for _, f := range filters {
		f.ts[0].MetricName = protocol.Ptr(f.name)
		if f.name == "latency" {
			f.ts[0].Unit = protocol.Ptr("Milliseconds")
		}
		if _, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("/app"), FilterName: &f.name,
			FilterPattern: &f.pattern, MetricTransformations: f.ts}); err != nil {
			t.Fatal(err)
		}
	}
	minute := now.Truncate(time.Minute).Add(-10 * time.Minute)
	events := []struct {
		at  time.Time
		msg string
	}{
		{minute.Add(time.Second), "ERROR one"},
		{minute.Add(2 * time.Second), `{"ms": 12, "route": "/a"}`},
		{minute.Add(3 * time.Second), `{"ms": "slow", "route": "/a"}`}, // not a number: nothing
		{minute.Add(4 * time.Second), `{"ms": 5}`},                     // no route: nothing
		{minute.Add(time.Minute), "ok"},                                // a minute without errors
		{minute.Add(2*time.Minute + time.Second), "ERROR two"},
	}
	var in []logsapi.InputLogEvent
	for _, e := range events {
		in = append(in, logsapi.InputLogEvent{Timestamp: protocol.Ptr(e.at.UnixMilli()), Message: protocol.Ptr(e.msg)})
	}
	in = append(in, logsapi.InputLogEvent{Timestamp: protocol.Ptr(now.Add(3 * time.Hour).UnixMilli()), Message: protocol.Ptr("ERROR too new")})
	if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: protocol.Ptr("/app"), LogStreamName: protocol.Ptr("s"), LogEvents: in}); err != nil {
		t.Fatal(err)
	}
	s.Sink().Write("123456789012", "eu-west-1", "/app", "fn", minute, "ERROR elsewhere") // no filters in eu-west-1
	key := func(p MetricPoint) string {
		return fmt.Sprintf("%s/%s %v %s %s %v", p.Namespace, p.Name, p.Value, p.Unit, p.Time.Sub(minute), p.Dimensions)
	}
	var got []string
	for _, p := range pub.of("123456789012", "us-east-1") {
		got = append(got, key(p))
	}
	sort.Strings(got)
	want := []string{
		"App/errors 0  1m0s map[]",
		"App/errors 1  1s map[]",
		"App/errors 1  2m1s map[]",
		"App/latency 12 Milliseconds 2s map[Route:/a]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("published\n%v\nwant\n%v", got, want)
	}
	if got := pub.of("123456789012", "eu-west-1"); len(got) != 0 {
		t.Errorf("eu-west-1 has no filters, published %v", got)
	}

	// A filter of the function's group in its region counts the sink's lines.
	eu := regionCtx("eu-west-1")
	if _, err := s.PutMetricFilter(eu, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("/app"), FilterName: protocol.Ptr("errors"),
		FilterPattern: protocol.Ptr("ERROR"), MetricTransformations: transform("1", nil, nil)}); err != nil {
		t.Fatal(err)
	}
	s.Sink().Write("123456789012", "eu-west-1", "/app", "fn", minute, "ERROR in a function")
	s.Sink().Write("123456789012", "eu-west-1", "/app", "fn", minute, "fine")
	if got := pub.of("123456789012", "eu-west-1"); len(got) != 1 || got[0].Value != 1 || !got[0].Time.Equal(minute) {
		t.Errorf("sink lines published %+v", got)
	}
}
