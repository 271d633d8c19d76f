package logs

import (
	"math"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
)

// A space-delimited pattern, the event it reads and the field a metric filter takes from it
// are all user input. A bad pattern is refused with InvalidParameterException, never a panic;
// an accepted one matches exactly when it extracts, under $ keys, one value per event field,
// and a metric filter on it publishes only finite values.
func FuzzSpaceDelimitedPattern(f *testing.F) {
	f.Add(`[ip, user, username, timestamp, request, status_code = 4*, bytes]`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /apache_pb.gif HTTP/1.0" 404 1534`, "$bytes")
	f.Add(`[..., request=*.html*, status_code=4*,]`,
		`127.0.0.1 - frank [10/Oct/2000:13:25:15 -0700] "GET /index.html HTTP/1.0" 404 1534`, "$7")
	f.Add(`[ip, user, ..., status_code = 403 || status_code = 404, bytes > 1000]`, `a b c 404 1e400`, "$bytes")
	f.Add(`[w1!=ERROR&&w1!=WARN, w2]`, "INFO message\n", "$w2")
	f.Add(`[a = "x, y", ...]`, `"x, y" [z`, "$2")
	f.Fuzz(func(t *testing.T, pattern, message, ref string) {
		d, err := compileDelimited(pattern)
		if err != nil {
			if code(err) != "InvalidParameterException" {
				t.Fatalf("%q: %v", pattern, err)
			}
			return
		}
		values, ok := d.extract(message)
		if ok != d.match(message) {
			t.Fatalf("%q on %q: extract %v, match %v", pattern, message, ok, !ok)
		}
		if ok && len(values) != len(splitFields(message)) {
			t.Fatalf("%q on %q extracted %v", pattern, message, values)
		}
		for k := range values {
			if !strings.HasPrefix(k, "$") {
				t.Fatalf("key %q", k)
			}
		}
		ts := []logsapi.MetricTransformation{{MetricName: ptrTo("M"), MetricNamespace: ptrTo("N"), MetricValue: &ref,
			Dimensions: map[string]string{"D": ref}}}
		rec, err := metricFilterRecord("g", "f", pattern, ts)
		if err != nil {
			return
		}
		a, ok := activate(rec, compilePattern)
		if !ok {
			t.Fatalf("accepted filter %+v does not compile", rec)
		}
		for _, p := range metricPoints([]activeFilter{a}, []ingestedEvent{{ts: 1, msg: message}}) {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) || p.Dimensions["D"] == "" {
				t.Fatalf("published %+v for %q", p, message)
			}
		}
	})
}
