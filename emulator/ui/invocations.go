package ui

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// maxInvocations bounds the invocations a function page lists.
const maxInvocations = 25

// invocation is one run of a function as its log stream tells it: the platform's START, END
// and REPORT lines around the function's own output ("Working with Lambda function logs",
// Lambda Developer Guide; executor/logs.go writes them).
type invocation struct {
	RequestID string    `json:"requestId"`
	Version   string    `json:"version"`
	Stream    string    `json:"stream"`
	Start     time.Time `json:"start"`
	// From the REPORT line, absent while the invocation runs.
	DurationMs     *float64 `json:"durationMs,omitempty"`
	BilledMs       *float64 `json:"billedMs,omitempty"`
	MemoryMB       *float64 `json:"memoryMB,omitempty"`
	MaxMemoryMB    *float64 `json:"maxMemoryMB,omitempty"`
	InitDurationMs *float64 `json:"initDurationMs,omitempty"`
	Status         string   `json:"status,omitempty"` // timeout or error; "" when it returned
	ErrorType      string   `json:"errorType,omitempty"`
	Lines          []line   `json:"lines"`
}

type line struct {
	Time    time.Time `json:"time"`
	Message string    `json:"message"`
}

// groupInvocations turns log events (in time order) into the latest max invocations, newest
// first. An environment runs one invocation at a time, so a stream's lines between a START and
// its REPORT are that invocation's; lines before a START (a new environment's init output)
// go with the invocation that follows them. Both log formats are read: text (START RequestId:
// ..., REPORT RequestId: ...) and JSON (platform.start and platform.report records).
func groupInvocations(events []logsapi.FilteredLogEvent, max int) []invocation {
	var done []invocation
	open := map[string]*invocation{}
	pending := map[string][]line{}
	for _, e := range events {
		stream, msg := protocol.Val(e.LogStreamName), strings.TrimRight(protocol.Val(e.Message), "\n")
		l := line{Time: time.UnixMilli(protocol.Val(e.Timestamp)).UTC(), Message: msg}
		p := readPlatform(msg)
		switch {
		case p.start:
			if inv := open[stream]; inv != nil { // a run cut off without its REPORT
				done = append(done, *inv)
			}
			inv := &invocation{RequestID: p.requestID, Version: p.version, Stream: stream, Start: l.Time, Lines: append(pending[stream], l)}
			delete(pending, stream)
			open[stream] = inv
		case open[stream] == nil:
			pending[stream] = append(pending[stream], l)
		default:
			inv := open[stream]
			inv.Lines = append(inv.Lines, l)
			if p.report != nil {
				p.report.fill(inv)
				done = append(done, *inv)
				delete(open, stream)
			}
		}
	}
	for _, inv := range open {
		done = append(done, *inv)
	}
	sort.SliceStable(done, func(i, j int) bool { return done[i].Start.After(done[j].Start) })
	if len(done) > max {
		done = done[:max]
	}
	if done == nil {
		done = []invocation{}
	}
	return done
}

// platform is what a platform line says: the start of an invocation, or its report.
type platform struct {
	start              bool
	requestID, version string
	report             *report
}

// report is a REPORT line's figures.
type report struct {
	durationMs, billedMs, memoryMB, maxMemoryMB, initDurationMs *float64
	status, errorType                                           string
}

func (r *report) fill(inv *invocation) {
	inv.DurationMs, inv.BilledMs, inv.MemoryMB, inv.MaxMemoryMB = r.durationMs, r.billedMs, r.memoryMB, r.maxMemoryMB
	inv.InitDurationMs, inv.Status, inv.ErrorType = r.initDurationMs, r.status, r.errorType
}

// readPlatform reads a platform line of either format; any other line says nothing.
func readPlatform(msg string) platform {
	switch {
	case strings.HasPrefix(msg, "START RequestId: "):
		id, version, _ := strings.Cut(strings.TrimPrefix(msg, "START RequestId: "), " Version: ")
		return platform{start: true, requestID: id, version: version}
	case strings.HasPrefix(msg, "REPORT RequestId: "):
		return platform{report: readReport(msg)}
	case strings.HasPrefix(msg, `{"time":`):
		return readPlatformRecord(msg)
	}
	return platform{}
}

// readPlatformRecord reads a JSON system log record ("Lambda Telemetry API Event schema
// reference": platform.start {requestId, version}, platform.report {requestId, status,
// errorType, metrics}); "success" is the status of an invocation that returned.
func readPlatformRecord(msg string) platform {
	var ev struct {
		Type   string `json:"type"`
		Record struct {
			RequestID string `json:"requestId"`
			Version   string `json:"version"`
			Status    string `json:"status"`
			ErrorType string `json:"errorType"`
			Metrics   struct {
				DurationMs       *float64 `json:"durationMs"`
				BilledDurationMs *float64 `json:"billedDurationMs"`
				MemorySizeMB     *float64 `json:"memorySizeMB"`
				MaxMemoryUsedMB  *float64 `json:"maxMemoryUsedMB"`
				InitDurationMs   *float64 `json:"initDurationMs"`
			} `json:"metrics"`
		} `json:"record"`
	}
	if json.Unmarshal([]byte(msg), &ev) != nil {
		return platform{}
	}
	rec, m := ev.Record, ev.Record.Metrics
	switch ev.Type {
	case "platform.start":
		return platform{start: true, requestID: rec.RequestID, version: rec.Version}
	case "platform.report":
		r := &report{durationMs: m.DurationMs, billedMs: m.BilledDurationMs, memoryMB: m.MemorySizeMB,
			maxMemoryMB: m.MaxMemoryUsedMB, initDurationMs: m.InitDurationMs, errorType: rec.ErrorType}
		if rec.Status != "success" {
			r.status = rec.Status
		}
		return platform{report: r}
	}
	return platform{}
}

// readReport reads a REPORT line's tab-separated fields: "Duration: 12.34 ms", "Billed
// Duration: 13 ms", "Memory Size: 128 MB", "Max Memory Used: 40 MB", "Init Duration: ...",
// "Status: timeout", "Error Type: Runtime.ExitError".
func readReport(msg string) *report {
	r := &report{}
	for _, field := range strings.Split(msg, "\t") {
		key, value, ok := strings.Cut(field, ": ")
		if !ok {
			continue
		}
		num := func() *float64 {
			n, err := strconv.ParseFloat(strings.Fields(value + " x")[0], 64)
			if err != nil {
				return nil
			}
			return &n
		}
		switch key {
		case "Duration":
			r.durationMs = num()
		case "Billed Duration":
			r.billedMs = num()
		case "Memory Size":
			r.memoryMB = num()
		case "Max Memory Used":
			r.maxMemoryMB = num()
		case "Init Duration":
			r.initDurationMs = num()
		case "Status":
			r.status = value
		case "Error Type":
			r.errorType = value
		}
	}
	return r
}
