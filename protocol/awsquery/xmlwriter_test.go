package awsquery_test

import (
	"bytes"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/protocol/awsquery"
)

// TestXMLWriterLines writes each kind of line, including ones longer than the space the
// writer reserves for them (a float's largest exponents, long blobs, deep indentation), into
// buffers with and without room to spare.
func TestXMLWriterLines(t *testing.T) {
	t.Parallel()
	at := time.Date(2024, 2, 29, 23, 59, 58, 999_999_999, time.FixedZone("X", -5*3600))
	tests := []struct {
		name  string
		write func(w *awsquery.XMLWriter)
		want  string
	}{
		{"open", func(w *awsquery.XMLWriter) { w.Open(1, "User") }, "  <User>\n"},
		{"close", func(w *awsquery.XMLWriter) { w.Close(2, "User") }, "    </User>\n"},
		{"empty", func(w *awsquery.XMLWriter) { w.Empty(0, "Tags") }, "<Tags/>\n"},
		{"string escaped", func(w *awsquery.XMLWriter) { w.String(1, "V", "a&<b>\r") }, "  <V>a&amp;&lt;b&gt;&#xD;</V>\n"},
		{"empty string", func(w *awsquery.XMLWriter) { w.String(0, "V", "") }, "<V></V>\n"},
		{"int", func(w *awsquery.XMLWriter) { w.Int(0, "N", math.MinInt64) }, "<N>-9223372036854775808</N>\n"},
		{"bool", func(w *awsquery.XMLWriter) { w.Bool(0, "B", false) }, "<B>false</B>\n"},
		{"time in UTC, whole seconds", func(w *awsquery.XMLWriter) { w.Time(0, "T", at) }, "<T>2024-03-01T04:59:58Z</T>\n"},
		{"float32", func(w *awsquery.XMLWriter) { w.Float(0, "F", float64(float32(0.1)), 32) }, "<F>0.1</F>\n"},
		{"float64", func(w *awsquery.XMLWriter) { w.Float(0, "F", 0.1, 64) }, "<F>0.1</F>\n"},
		{"huge float", func(w *awsquery.XMLWriter) { w.Float(0, "F", 1e300, 64) }, "<F>1" + strings.Repeat("0", 300) + "</F>\n"},
		{"blob", func(w *awsquery.XMLWriter) { w.Blob(0, "D", []byte("hi!?")) }, "<D>aGkhPw==</D>\n"},
		{"empty blob", func(w *awsquery.XMLWriter) { w.Blob(0, "D", []byte{}) }, "<D></D>\n"},
		{"long blob", func(w *awsquery.XMLWriter) { w.Blob(0, "D", bytes.Repeat([]byte{0xff}, 300)) }, "<D>" + strings.Repeat("////", 100) + "</D>\n"},
		{"deep", func(w *awsquery.XMLWriter) { w.Int(40, "N", 1) }, strings.Repeat("  ", 40) + "<N>1</N>\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, room := range []int{0, 4096} {
				var b bytes.Buffer
				b.Grow(room)
				b.WriteString("before\n")
				tt.write(awsquery.NewXMLWriter(&b))
				if got := b.String(); got != "before\n"+tt.want {
					t.Errorf("room %d: wrote %q, want %q", room, got, "before\n"+tt.want)
				}
			}
		})
	}
}
