package logs

import (
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// TestMetricFilter answers a space-delimited pattern's fields in the guide's form: $name for a
// named field, $N for the others, without the quotes and brackets (the guide's example filter
// [..., request=*.html*, status_code=4*,]; its output shows /products/index.html for the
// event's /index.html, a slip of the guide).
func TestTestMetricFilterExtractedValues(t *testing.T) {
	t.Parallel()
	s, ctx, _ := newMetricService(t)
	tests := []struct {
		pattern string
		msgs    []string
		want    []string // each match's number and values
	}{
		{`[..., request=*.html*, status_code=4*,]`,
			[]string{apacheLines[0], `127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`},
			[]string{`2 map[$1:127.0.0.1 $2:- $3:frank $4:10/Oct/2000:13:25:15 -0700 $7:1534 $request:GET /index.html HTTP/1.0 $status_code:404]`}},
		{`[w1=ERROR || w1=WARN, w2]`, wordLines, []string{"2 map[$w1:ERROR $w2:message]", "3 map[$w1:WARN $w2:message]"}},
		{`[ip, id, user, timestamp, request, status_code, size]`, apacheLines[3:4],
			[]string{"1 map[$id:- $ip:127.0.0.1 $request:GET /index.html HTTP/1.1 $size:287 $status_code:404 $timestamp:24/Sep/2013:11:49:52 -0700 $user:-]"}},
		{`[a, ..., b]`, []string{"x y z w"}, []string{"1 map[$2:y $3:z $a:x $b:w]"}},
		{`[...]`, []string{"one"}, []string{"1 map[$1:one]"}},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			t.Parallel()
			out, err := s.TestMetricFilter(ctx, &logsapi.TestMetricFilterRequest{FilterPattern: &tc.pattern, LogEventMessages: tc.msgs})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, m := range out.Matches {
				got = append(got, fmt.Sprint(*m.EventNumber, " ", m.ExtractedValues))
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

// A space-delimited pattern's fields serve as metric value and dimensions ($name, or $N for the
// Nth field as the guide's "$7"); a field the pattern does not define, or a $.field selector
// on it, is refused like any bad value, and a $field is no field of a term or JSON pattern.
func TestPutMetricFilterDelimitedFields(t *testing.T) {
	t.Parallel()
	s, ctx, _ := newMetricService(t)
	mustGroup(t, s, ctx, "/app")
	const apache = `[ip, id, user, timestamp, request, status_code, size]`
	dims := func(v string) map[string]string { return map[string]string{"StatusCode": v} }
	tests := []struct {
		name, pattern string
		ts            []logsapi.MetricTransformation
		want          string
	}{
		{"named value", apache, transform("$size", nil, nil), ""},
		{"positional value", apache, transform("$7", nil, nil), ""},
		{"named dimension", apache, transform("1", nil, dims("$status_code")), ""},
		{"positional dimension", apache, transform("$size", nil, dims("$6")), ""},
		{"position past an ellipsis", `[ip, ...]`, transform("$9", nil, nil), ""},
		{"number value", apache, transform("2.5", nil, nil), ""},
		{"undefined value field", apache, transform("$bytes", nil, nil), "InvalidParameterException"},
		{"position past the fields", apache, transform("$8", nil, nil), "InvalidParameterException"},
		{"position zero", apache, transform("$0", nil, nil), "InvalidParameterException"},
		{"bare dollar", apache, transform("$", nil, nil), "InvalidParameterException"},
		{"selector value", apache, transform("$.size", nil, nil), "InvalidParameterException"},
		{"undefined dimension field", apache, transform("1", nil, dims("$code")), "InvalidParameterException"},
		{"selector dimension", apache, transform("1", nil, dims("$.status_code")), "InvalidParameterException"},
		{"literal dimension", apache, transform("1", nil, dims("404")), "InvalidParameterException"},
		{"field of a term pattern", "ERROR", transform("$size", nil, nil), "InvalidParameterException"},
		{"field of a JSON pattern", `{ $.size > 0 }`, transform("$size", nil, nil), "InvalidParameterException"},
		{"field dimension of a JSON pattern", `{ $.size > 0 }`, transform("1", nil, dims("$size")), "InvalidParameterException"},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("/app"),
				FilterName: protocol.Ptr(fmt.Sprint("f", i)), FilterPattern: &tc.pattern, MetricTransformations: tc.ts})
			if code(err) != tc.want {
				t.Errorf("got %v, want %q", err, tc.want)
			}
		})
	}
}

// The guide's bytes-transferred filter publishes each matching line's $size; a 4xx counter
// takes its dimension from $status_code; a line whose size is "-" publishes no bytes.
func TestDelimitedMetricFiltersPublish(t *testing.T) {
	t.Parallel()
	s, ctx, pub := newMetricService(t)
	mustGroup(t, s, ctx, "/access", "s")
	zero := 0.0
	filters := []struct {
		name, pattern string
		ts            []logsapi.MetricTransformation
	}{
		{"BytesTransferred", `[ip, id, user, timestamp, request, status_code, size]`, transform("$size", &zero, nil)},
		{"ClientErrors", `[..., status_code = 4*, size]`, transform("1", nil, map[string]string{"StatusCode": "$status_code"})},
	}
	for _, f := range filters {
		f.ts[0].MetricName = protocol.Ptr(f.name)
		if _, err := s.PutMetricFilter(ctx, &logsapi.PutMetricFilterRequest{LogGroupName: protocol.Ptr("/access"), FilterName: &f.name,
			FilterPattern: &f.pattern, MetricTransformations: f.ts}); err != nil {
			t.Fatal(err)
		}
	}
	minute := now.Truncate(time.Minute).Add(-10 * time.Minute)
	msgs := []string{apacheLines[0], apacheLines[3], apacheLines[4],
		`127.0.0.1 - - [24/Sep/2013:11:50:51 -0700] "GET /gone HTTP/1.1" 410 -`,
		"not an access line"}
	var in []logsapi.InputLogEvent
	for i, m := range msgs {
		in = append(in, logsapi.InputLogEvent{Timestamp: protocol.Ptr(minute.Add(time.Duration(i) * time.Second).UnixMilli()), Message: protocol.Ptr(m)})
	}
	in = append(in, logsapi.InputLogEvent{Timestamp: protocol.Ptr(minute.Add(time.Minute).UnixMilli()), Message: protocol.Ptr("quiet minute")})
	if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: protocol.Ptr("/access"), LogStreamName: protocol.Ptr("s"), LogEvents: in}); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range pub.of("123456789012", "us-east-1") {
		got = append(got, fmt.Sprintf("%s/%s %v %s %v", p.Namespace, p.Name, p.Value, p.Time.Sub(minute), p.Dimensions))
	}
	sort.Strings(got)
	want := []string{
		"App/BytesTransferred 0 1m0s map[]",
		"App/BytesTransferred 1534 0s map[]",
		"App/BytesTransferred 287 1s map[]",
		"App/BytesTransferred 308 2s map[]",
		"App/ClientErrors 1 1s map[StatusCode:404]",
		"App/ClientErrors 1 2s map[StatusCode:403]",
		"App/ClientErrors 1 3s map[StatusCode:410]",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("published\n%v\nwant\n%v", got, want)
	}
}

// FilterLogEvents takes space-delimited patterns like metric filters.
func TestFilterLogEventsDelimited(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	mustGroup(t, s, ctx, "/access", "s")
	var in []logsapi.InputLogEvent
	for i, m := range apacheLines {
		in = append(in, logsapi.InputLogEvent{Timestamp: protocol.Ptr(now.Add(time.Duration(i-10) * time.Second).UnixMilli()), Message: protocol.Ptr(m)})
	}
	if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: protocol.Ptr("/access"), LogStreamName: protocol.Ptr("s"), LogEvents: in}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		pattern string
		want    []string
		code    string
	}{
		{`[..., status_code = 4*, size]`, apacheLines[3:5], ""},
		{`[ip, user, username = frank, ..., size > 5000]`, apacheLines[1:2], ""},
		{`[ip, user]`, nil, ""},
		{`[ip, ip]`, nil, "InvalidParameterException"},
	}
	for _, tc := range tests {
		t.Run(tc.pattern, func(t *testing.T) {
			t.Parallel()
			out, err := s.FilterLogEvents(ctx, &logsapi.FilterLogEventsRequest{LogGroupName: protocol.Ptr("/access"), FilterPattern: &tc.pattern})
			if code(err) != tc.code {
				t.Fatalf("got %v, want %q", err, tc.code)
			}
			if err != nil {
				return
			}
			var got []string
			for _, e := range out.Events {
				got = append(got, *e.Message)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// A subscription filter with a space-delimited pattern delivers the matching events only.
func TestSubscriptionFilterDelimited(t *testing.T) {
	t.Parallel()
	s, ctx, f := newSubscribedService(t)
	if _, err := s.PutSubscriptionFilter(ctx, putFilterReq("g", "errors", `[..., status_code = 5*, size]`, fnARN+"fn")); err != nil {
		t.Fatal(err)
	}
	ms := now.UnixMilli()
	var events []logsapi.InputLogEvent
	for _, m := range apacheLines {
		events = append(events, logsapi.InputLogEvent{Timestamp: &ms, Message: protocol.Ptr(m)})
	}
	if _, err := s.PutLogEvents(ctx, &logsapi.PutLogEventsRequest{LogGroupName: protocol.Ptr("g"), LogStreamName: protocol.Ptr("s"), LogEvents: events}); err != nil {
		t.Fatal(err)
	}
	msgs := f.messages(t, 2) // the control message, then the data
	if len(msgs) != 2 || len(msgs[1].LogEvents) != 1 || msgs[1].LogEvents[0].Message != apacheLines[1] {
		t.Errorf("deliveries %+v", msgs)
	}
}
