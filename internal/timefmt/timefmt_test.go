package timefmt

import (
	"testing"
	"time"
)

// The fast paths must write exactly what time.AppendFormat writes for the same layout.
func TestMatchesAppendFormat(t *testing.T) {
	t.Parallel()
	zones := []*time.Location{
		time.UTC,
		time.FixedZone("east", 5*3600+30*60),
		time.FixedZone("west", -(9*3600 + 45*60)),
		time.FixedZone("odd seconds", 3600+17),
		time.FixedZone("utc named otherwise", 0),
	}
	instants := []time.Time{
		time.Date(2026, 12, 3, 6, 17, 2, 999_999_999, time.UTC),
		time.Date(2000, 2, 29, 23, 59, 59, 1_000_000, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(999, 7, 4, 12, 0, 0, 123_456_789, time.UTC),
		time.Date(9999, 12, 31, 23, 59, 59, 500_000_000, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(-1, 6, 1, 0, 0, 0, 0, time.UTC),
		time.Unix(0, 0),
	}
	for _, instant := range instants {
		for _, zone := range zones {
			at := instant.In(zone)
			if got, want := string(AppendUTCSeconds(nil, at)), at.UTC().Format("2006-01-02T15:04:05Z"); got != want {
				t.Errorf("AppendUTCSeconds(%v) = %q, want %q", at, got, want)
			}
			if got, want := string(AppendLocalMillis(nil, at)), at.Format("2006-01-02T15:04:05.000Z07:00"); got != want {
				t.Errorf("AppendLocalMillis(%v) = %q, want %q", at, got, want)
			}
		}
	}
}

func TestAppendsToExistingBytes(t *testing.T) {
	t.Parallel()
	at := time.Date(2026, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	if got := string(AppendUTCSeconds([]byte("at="), at)); got != "at=2026-01-02T03:04:05Z" {
		t.Errorf("got %q", got)
	}
	if got := string(AppendLocalMillis([]byte("time="), at)); got != "time=2026-01-02T03:04:05.006Z" {
		t.Errorf("got %q", got)
	}
}

func BenchmarkAppendUTCSeconds(b *testing.B) {
	buf := make([]byte, 0, 32)
	at := time.Date(2026, 12, 3, 6, 17, 2, 0, time.UTC)
	for b.Loop() {
		buf = AppendUTCSeconds(buf[:0], at)
	}
}

func BenchmarkAppendFormatSeconds(b *testing.B) {
	buf := make([]byte, 0, 32)
	at := time.Date(2026, 12, 3, 6, 17, 2, 0, time.UTC)
	for b.Loop() {
		buf = at.UTC().AppendFormat(buf[:0], "2006-01-02T15:04:05Z")
	}
}
