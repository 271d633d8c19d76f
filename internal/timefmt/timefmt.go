// Package timefmt writes the two fixed-layout timestamps every request writes, the Query
// protocol's UTC seconds and the text log's RFC 3339 milliseconds, without the general layout
// interpreter of time.AppendFormat: each request writes one or two of them, and the
// interpreter's cost shows in the server's CPU per request.
package timefmt

import "time"

// AppendUTCSeconds appends t in UTC as 2006-01-02T15:04:05Z.
func AppendUTCSeconds(b []byte, t time.Time) []byte {
	t = t.UTC()
	year, month, day := t.Date()
	if year < 0 || year > 9999 {
		return t.AppendFormat(b, "2006-01-02T15:04:05Z")
	}
	b = appendDate(b, year, month, day)
	b = appendClock(b, t)
	return append(b, 'Z')
}

// AppendLocalMillis appends t in its own zone as 2006-01-02T15:04:05.000Z07:00, slog's text
// handler time: milliseconds truncated, Z for UTC, otherwise the offset as ±hh:mm.
func AppendLocalMillis(b []byte, t time.Time) []byte {
	year, month, day := t.Date()
	_, offset := t.Zone()
	if year < 0 || year > 9999 || offset%60 != 0 {
		return t.AppendFormat(b, "2006-01-02T15:04:05.000Z07:00")
	}
	b = appendDate(b, year, month, day)
	b = appendClock(b, t)
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	if offset == 0 {
		return append(b, 'Z')
	}
	sign := byte('+')
	if offset < 0 {
		sign, offset = '-', -offset
	}
	b = append(b, sign)
	b = append2(b, offset/3600)
	b = append(b, ':')
	return append2(b, offset/60%60)
}

func appendDate(b []byte, year int, month time.Month, day int) []byte {
	b = append(b, byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-')
	b = append2(b, int(month))
	b = append(b, '-')
	return append2(b, day)
}

func appendClock(b []byte, t time.Time) []byte {
	hour, minute, second := t.Clock()
	b = append(b, 'T')
	b = append2(b, hour)
	b = append(b, ':')
	b = append2(b, minute)
	b = append(b, ':')
	return append2(b, second)
}

// append2 appends a value below 100 as two digits.
func append2(b []byte, v int) []byte {
	return append(b, byte('0'+v/10), byte('0'+v%10))
}
