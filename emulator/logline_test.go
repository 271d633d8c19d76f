package emulator

import (
	"bytes"
	"context"
	"log/slog"
	"testing"
	"time"
)

// The request line LogHandler writes itself is byte for byte what slog's own handler writes
// for the same record, in both formats, whatever the values hold.
func TestRequestLineAsSlogWritesIt(t *testing.T) {
	t.Parallel()
	at := []time.Time{
		time.Date(2026, 12, 2, 15, 4, 5, 123456789, time.UTC),
		time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("x", -7*3600-30*60)),
		time.Date(2026, 1, 2, 3, 4, 5, 1_000_000, time.Local),
	}
	values := []string{
		"", "iam", "GetUser", "-", "arn:aws:iam::123456789012:user/team/alice",
		"has space", "a=b", `quote"d`, `back\slash`, "tab\there", "new\nline", "\x00\x1f\x7f",
		"<script>&amp;", "ünïcode", "\u2028\u2029", "bad\xffutf8", "\u00a0nbsp", "emoji 🙂", "zero\u200bwidth",
	}
	durations := []time.Duration{0, 999, 1500 * time.Microsecond, 2*time.Second + 3}
	for _, json := range []bool{false, true} {
		for i, v := range values {
			l := requestLine{service: v, operation: values[(i+1)%len(values)], principal: values[(i+2)%len(values)],
				status: 200 + i, decision: values[(i+3)%len(values)], duration: durations[i%len(durations)],
				requestID: values[(i+4)%len(values)]}
			when := at[i%len(at)]
			var want, got bytes.Buffer
			var ref slog.Handler = slog.NewTextHandler(&want, nil)
			if json {
				ref = slog.NewJSONHandler(&want, nil)
			}
			r := slog.NewRecord(when, slog.LevelInfo, "request", 0)
			r.AddAttrs(slog.String("service", l.service), slog.String("operation", l.operation),
				slog.String("principal", l.principal), slog.Int("status", l.status), slog.String("decision", l.decision),
				slog.Duration("duration", l.duration), slog.String("request_id", l.requestID))
			if err := ref.Handle(context.Background(), r); err != nil {
				t.Fatal(err)
			}
			NewLogHandler(&got, json, nil).(*LogHandler).writeRequest(when, l)
			if got.String() != want.String() {
				t.Errorf("json=%v value %q:\n got %s\nwant %s", json, v, got.String(), want.String())
			}
		}
	}
}

// Records other than the request line go to slog's handler, with its level.
func TestLogHandlerPassesOtherRecords(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	log := slog.New(NewLogHandler(&b, false, &slog.HandlerOptions{Level: slog.LevelWarn}))
	log.Info("dropped")
	log.With("k", "v").Warn("kept", "n", 1)
	want := "level=WARN msg=kept k=v n=1\n"
	if got := b.String(); len(got) < len(want) || got[len(got)-len(want):] != want {
		t.Errorf("got %q, want a line ending %q", got, want)
	}
}
