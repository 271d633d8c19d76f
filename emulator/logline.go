package emulator

import (
	"io"
	"log/slog"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/internal/timefmt"
)

// NewLogHandler is slog's text handler (json false) or JSON handler over w, which also writes
// the server's request line itself: the same bytes slog would write, formatted without
// slog's generic walk over a record's attributes, which was most of the line's cost. Every
// other record goes to slog's handler.
func NewLogHandler(w io.Writer, json bool, opts *slog.HandlerOptions) slog.Handler {
	if opts == nil {
		opts = &slog.HandlerOptions{}
	}
	h := &LogHandler{w: w, json: json}
	if json {
		h.Handler = slog.NewJSONHandler(w, opts)
	} else {
		h.Handler = slog.NewTextHandler(w, opts)
	}
	return h
}

// LogHandler is NewLogHandler's handler.
type LogHandler struct {
	slog.Handler
	w    io.Writer
	json bool
	// lines keeps the buffers request lines are formatted in.
	lines sync.Pool
}

// requestLine is one request's log line: its fields in the order they are written.
type requestLine struct {
	service, operation, principal string
	status                        int
	decision                      string
	duration                      time.Duration
	requestID                     string
}

// writeRequest writes l at level INFO as slog's handler would have written the record
// "request" with l's fields as attributes.
func (h *LogHandler) writeRequest(t time.Time, l requestLine) {
	bp, _ := h.lines.Get().(*[]byte)
	if bp == nil {
		bp = new([]byte)
	}
	b := (*bp)[:0]
	if h.json {
		b = appendJSONLine(b, t, l)
	} else {
		b = appendTextLine(b, t, l)
	}
	_, _ = h.w.Write(b)
	*bp = b
	h.lines.Put(bp)
}

func appendTextLine(b []byte, t time.Time, l requestLine) []byte {
	b = append(b, "time="...)
	b = appendSlogTime(b, t)
	b = append(b, " level=INFO msg=request service="...)
	b = appendTextValue(b, l.service)
	b = append(b, " operation="...)
	b = appendTextValue(b, l.operation)
	b = append(b, " principal="...)
	b = appendTextValue(b, l.principal)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, " decision="...)
	b = appendTextValue(b, l.decision)
	b = append(b, " duration="...)
	b = append(b, l.duration.String()...)
	b = append(b, " request_id="...)
	b = appendTextValue(b, l.requestID)
	return append(b, '\n')
}

func appendJSONLine(b []byte, t time.Time, l requestLine) []byte {
	b = append(b, `{"time":"`...)
	b = t.AppendFormat(b, time.RFC3339Nano)
	b = append(b, `","level":"INFO","msg":"request","service":`...)
	b = appendJSONString(b, l.service)
	b = append(b, `,"operation":`...)
	b = appendJSONString(b, l.operation)
	b = append(b, `,"principal":`...)
	b = appendJSONString(b, l.principal)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(l.status), 10)
	b = append(b, `,"decision":`...)
	b = appendJSONString(b, l.decision)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(l.duration), 10) // slog writes a Duration as nanoseconds
	b = append(b, `,"request_id":`...)
	b = appendJSONString(b, l.requestID)
	return append(b, "}\n"...)
}

// appendSlogTime is the text handler's time: RFC 3339 with milliseconds.
func appendSlogTime(b []byte, t time.Time) []byte {
	return timefmt.AppendLocalMillis(b, t)
}

// appendTextValue writes s as the text handler writes a string value: bare unless it is
// empty or holds a space, '=', '"' or anything unprintable, then quoted as strconv.Quote does.
func appendTextValue(b []byte, s string) []byte {
	if needsQuoting(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// needsQuoting is slog's rule for text values.
func needsQuoting(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c <= ' ' || c == '=' || c == '"' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// appendJSONString writes s as a JSON string, escaping as slog's JSON handler does: the
// quote, the backslash and control characters (not <, > and &, as encoding/json would).
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= ' ' && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
