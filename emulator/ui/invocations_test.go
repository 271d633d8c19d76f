package ui

import (
	"reflect"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func event(stream string, ms int64, msg string) logsapi.FilteredLogEvent {
	return logsapi.FilteredLogEvent{LogStreamName: &stream, Timestamp: &ms, Message: &msg}
}

func num(f float64) *float64 { return &f }

// summary is what a test compares of an invocation: its figures and its lines' text.
type summary struct {
	RequestID, Version, Stream, Status, ErrorType string
	Duration, Init                                *float64
	Lines                                         []string
}

func summarize(invs []invocation) []summary {
	out := []summary{}
	for _, inv := range invs {
		s := summary{RequestID: inv.RequestID, Version: inv.Version, Stream: inv.Stream, Status: inv.Status,
			ErrorType: inv.ErrorType, Duration: inv.DurationMs, Init: inv.InitDurationMs}
		for _, l := range inv.Lines {
			s.Lines = append(s.Lines, l.Message)
		}
		out = append(out, s)
	}
	return out
}

// The platform lines are executor/logs.go's (text) and executor/logformat.go's (JSON), as
// Lambda writes them ("Working with Lambda function logs"; "Lambda Telemetry API Event schema
// reference").
func TestGroupInvocations(t *testing.T) {
	t.Parallel()
	report := "REPORT RequestId: r1\tDuration: 12.34 ms\tBilled Duration: 13 ms\tMemory Size: 128 MB\tMax Memory Used: 40 MB\tInit Duration: 250.00 ms\t"
	cases := []struct {
		name   string
		events []logsapi.FilteredLogEvent
		max    int
		want   []summary
	}{
		{name: "none", want: []summary{}},
		{name: "one run with init output before its START", max: 5, events: []logsapi.FilteredLogEvent{
			event("s1", 1, "init line\n"), event("s1", 2, "START RequestId: r1 Version: $LATEST"),
			event("s1", 3, "hello"), event("s1", 4, "END RequestId: r1"), event("s1", 5, report),
		}, want: []summary{{RequestID: "r1", Version: "$LATEST", Stream: "s1", Duration: num(12.34), Init: num(250),
			Lines: []string{"init line", "START RequestId: r1 Version: $LATEST", "hello", "END RequestId: r1", report}}}},
		{name: "a timeout, a run cut off, and a run still going, newest first", max: 5, events: []logsapi.FilteredLogEvent{
			event("s1", 1, "START RequestId: a Version: 1"),
			event("s1", 2, "REPORT RequestId: a\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\tStatus: timeout"),
			event("s2", 3, "START RequestId: b Version: 2"),
			event("s2", 4, "START RequestId: c Version: 2"),
			event("s2", 5, "still running"),
		}, want: []summary{
			{RequestID: "c", Version: "2", Stream: "s2", Lines: []string{"START RequestId: c Version: 2", "still running"}},
			{RequestID: "b", Version: "2", Stream: "s2", Lines: []string{"START RequestId: b Version: 2"}},
			{RequestID: "a", Version: "1", Stream: "s1", Status: "timeout", Duration: num(3000), Lines: []string{
				"START RequestId: a Version: 1",
				"REPORT RequestId: a\tDuration: 3000.00 ms\tBilled Duration: 3000 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\tStatus: timeout"}},
		}},
		{name: "an error type", max: 5, events: []logsapi.FilteredLogEvent{
			event("s1", 1, "START RequestId: e Version: $LATEST"),
			event("s1", 2, "REPORT RequestId: e\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\tStatus: error\tError Type: Runtime.ExitError"),
		}, want: []summary{{RequestID: "e", Version: "$LATEST", Stream: "s1", Status: "error", ErrorType: "Runtime.ExitError", Duration: num(1),
			Lines: []string{"START RequestId: e Version: $LATEST",
				"REPORT RequestId: e\tDuration: 1.00 ms\tBilled Duration: 1 ms\tMemory Size: 128 MB\tMax Memory Used: 30 MB\tStatus: error\tError Type: Runtime.ExitError"}}}},
		{name: "JSON log format", max: 5, events: []logsapi.FilteredLogEvent{
			event("s1", 1, `{"time":"2024-01-23T12:51:01.538Z","type":"platform.start","record":{"requestId":"j","version":"$LATEST"}}`),
			event("s1", 2, `{"timestamp":"2024-01-23T12:51:01.540Z","level":"INFO","message":"hi"}`),
			event("s1", 3, `{"time":"2024-01-23T12:51:01.543Z","type":"platform.report","record":{"requestId":"j","metrics":{"durationMs":4.35,"billedDurationMs":5,"memorySizeMB":128,"maxMemoryUsedMB":42,"initDurationMs":247.03},"status":"success"}}`),
			event("s1", 4, `{"time":"2024-01-23T12:51:02.000Z","type":"platform.start","record":{"requestId":"k","version":"$LATEST"}}`),
			event("s1", 5, `{"time":"2024-01-23T12:51:05.000Z","type":"platform.report","record":{"requestId":"k","metrics":{"durationMs":3000,"billedDurationMs":3000,"memorySizeMB":128,"maxMemoryUsedMB":42},"status":"timeout"}}`),
		}, want: []summary{
			{RequestID: "k", Version: "$LATEST", Stream: "s1", Status: "timeout", Duration: num(3000), Lines: []string{
				`{"time":"2024-01-23T12:51:02.000Z","type":"platform.start","record":{"requestId":"k","version":"$LATEST"}}`,
				`{"time":"2024-01-23T12:51:05.000Z","type":"platform.report","record":{"requestId":"k","metrics":{"durationMs":3000,"billedDurationMs":3000,"memorySizeMB":128,"maxMemoryUsedMB":42},"status":"timeout"}}`}},
			{RequestID: "j", Version: "$LATEST", Stream: "s1", Duration: num(4.35), Init: num(247.03), Lines: []string{
				`{"time":"2024-01-23T12:51:01.538Z","type":"platform.start","record":{"requestId":"j","version":"$LATEST"}}`,
				`{"timestamp":"2024-01-23T12:51:01.540Z","level":"INFO","message":"hi"}`,
				`{"time":"2024-01-23T12:51:01.543Z","type":"platform.report","record":{"requestId":"j","metrics":{"durationMs":4.35,"billedDurationMs":5,"memorySizeMB":128,"maxMemoryUsedMB":42,"initDurationMs":247.03},"status":"success"}}`}},
		}},
		{name: "at most max, the newest", max: 1, events: []logsapi.FilteredLogEvent{
			event("s1", 1, "START RequestId: old Version: 1"), event("s1", 2, "REPORT RequestId: old\tDuration: 1.00 ms"),
			event("s1", 3, "START RequestId: new Version: 1"), event("s1", 4, "REPORT RequestId: new\tDuration: 2.00 ms"),
		}, want: []summary{{RequestID: "new", Version: "1", Stream: "s1", Duration: num(2),
			Lines: []string{"START RequestId: new Version: 1", "REPORT RequestId: new\tDuration: 2.00 ms"}}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := summarize(groupInvocations(tc.events, tc.max))
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

func TestGroupInvocationsTimes(t *testing.T) {
	t.Parallel()
	got := groupInvocations([]logsapi.FilteredLogEvent{event("s", 1700000000123, "START RequestId: r Version: 1")}, 1)
	if want := time.UnixMilli(1700000000123).UTC(); len(got) != 1 || !got[0].Start.Equal(want) || got[0].Lines[0].Time != want {
		t.Errorf("start %v, want %v", got, want)
	}
	if protocol.Val(got[0].DurationMs) != 0 {
		t.Errorf("a run without its REPORT has a duration: %v", *got[0].DurationMs)
	}
}
