package executor

import (
	"encoding/json"
	"math"
	"strings"
	"time"
)

// A function's LoggingConfig ("Configuring advanced logging controls for
// Lambda functions"): LogFormat Text (the default) or JSON, and, for JSON
// only, the levels that filter application and system logs ("Log-level
// filtering").
const (
	logFormatJSON   = "JSON"
	defaultLogLevel = "INFO"
)

// logLevels order the application log levels, TRACE (most detail) to FATAL
// ("Log-level filtering"), with the names Python's logging gives WARN and
// FATAL, which the Python runtime's JSON records carry.
var logLevels = map[string]int{"TRACE": 1, "DEBUG": 2, "INFO": 3, "WARN": 4, "WARNING": 4, "ERROR": 5, "FATAL": 6, "CRITICAL": 6}

func levelRank(level string) int {
	if r, ok := logLevels[strings.ToUpper(level)]; ok {
		return r
	}
	return logLevels[defaultLogLevel]
}

// appLogFilter is the application log filter of a JSON function: "Lambda
// sends logs at that level and lower" of detail, and "if the level value
// field is invalid or missing, Lambda will assign the log output the level
// INFO" ("Log-level filtering"), so a line that is not a JSON object with a
// "level" (a print) counts as INFO. Text functions are not filtered (nil).
func appLogFilter(fn Function) func(line string) bool {
	if fn.LogFormat != logFormatJSON {
		return nil
	}
	least := levelRank(fn.AppLogLevel)
	return func(line string) bool { return lineLevel(line) >= least }
}

func lineLevel(line string) int {
	if !strings.HasPrefix(strings.TrimSpace(line), "{") {
		return logLevels[defaultLogLevel]
	}
	var rec struct {
		Level any `json:"level"`
	}
	if json.Unmarshal([]byte(line), &rec) != nil {
		return logLevels[defaultLogLevel]
	}
	s, _ := rec.Level.(string)
	return levelRank(s)
}

// systemLogs reports whether a JSON function's system log level lets the
// platform's INFO records (platform.start, platform.report) through: DEBUG
// and INFO do, WARN keeps only warnings ("Log-level filtering": "Lambda
// sends logs at that level and lower" for system logs too).
func systemLogs(fn Function) bool {
	return levelRank(fn.SystemLogLevel) <= logLevels[defaultLogLevel]
}

// platformEvent is a system log record in the JSON format: the Telemetry API
// Event shape ("Lambda Telemetry API Event schema reference": time, type,
// record), which the JSON system logs carry ("Configuring JSON and plain
// text log formats").
type platformEvent struct {
	Time   string `json:"time"`
	Type   string `json:"type"`
	Record any    `json:"record"`
}

func (ev platformEvent) line() string {
	b, _ := json.Marshal(ev)
	return string(b)
}

// platformStart is the platform.start record: PlatformStart {requestId,
// version}.
func platformStart(t time.Time, requestID, version string) string {
	return platformEvent{Time: t.UTC().Format(timestampLayout), Type: "platform.start",
		Record: struct {
			RequestID string `json:"requestId"`
			Version   string `json:"version"`
		}{requestID, version}}.line()
}

// reportMetrics is the platform.report record's ReportMetrics.
type reportMetrics struct {
	DurationMs       float64  `json:"durationMs"`
	BilledDurationMs int64    `json:"billedDurationMs"`
	MemorySizeMB     int      `json:"memorySizeMB"`
	MaxMemoryUsedMB  int      `json:"maxMemoryUsedMB"`
	InitDurationMs   *float64 `json:"initDurationMs,omitempty"`
}

// record is the platform.report record of r: PlatformReport {requestId,
// status ("success", "error", "timeout"), errorType?, metrics}.
func (r report) record(t time.Time) string {
	m := reportMetrics{DurationMs: round2(ms(r.duration)), BilledDurationMs: r.billed.Milliseconds(),
		MemorySizeMB: r.memoryMB, MaxMemoryUsedMB: r.maxMemoryMB}
	if r.initDuration > 0 {
		d := round2(ms(r.initDuration))
		m.InitDurationMs = &d
	}
	status := r.status
	if status == "" {
		status = "success"
	}
	return platformEvent{Time: t.UTC().Format(timestampLayout), Type: "platform.report",
		Record: struct {
			RequestID string        `json:"requestId"`
			Metrics   reportMetrics `json:"metrics"`
			Status    string        `json:"status"`
			ErrorType string        `json:"errorType,omitempty"`
		}{r.requestID, m, status, r.errorType}}.line()
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }

// platformLines are the platform's lines of one invocation in fn's log
// format: START, the runtime's lines (given), END and REPORT in text; the
// platform.start and platform.report records in JSON, when the system log
// level lets them through (END has no JSON record).
type platformLines struct {
	fn    Function
	clock func() time.Time
}

func (p platformLines) start(requestID string) (string, bool) {
	if p.fn.LogFormat != logFormatJSON {
		return startLine(requestID, p.fn.Version), true
	}
	return platformStart(p.clock(), requestID, p.fn.Version), systemLogs(p.fn)
}

func (p platformLines) end(requestID string) (string, bool) {
	return endLine(requestID), p.fn.LogFormat != logFormatJSON
}

func (p platformLines) report(r report) (string, bool) {
	if p.fn.LogFormat != logFormatJSON {
		return r.line(), true
	}
	return r.record(p.clock()), systemLogs(p.fn)
}

// noteLine is a note of iamlocal's own in fn's log format: as is in text,
// a WARN record {"timestamp", "level", "message"} in JSON, so that a JSON log
// stream holds JSON only.
func noteLine(fn Function, t time.Time, note string) string {
	if fn.LogFormat != logFormatJSON {
		return note
	}
	b, _ := json.Marshal(struct {
		Timestamp string `json:"timestamp"`
		Level     string `json:"level"`
		Message   string `json:"message"`
	}{t.UTC().Format(timestampLayout), "WARN", note})
	return string(b)
}

// logStart writes the platform's start line of an invocation.
func (sb *sandbox) logStart(requestID string) {
	sb.logs.addIf(platformLines{sb.fn, sb.e.opts.Clock}.start(requestID))
}

// addIf records a platform line the log format and levels keep.
func (lc *logCapture) addIf(line string, keep bool) {
	if keep {
		lc.add(line)
	}
}
