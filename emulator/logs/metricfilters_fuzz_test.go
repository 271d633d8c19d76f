package logs

import (
	"math"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
)

// A metric filter is user input twice over: its definition (pattern, value, dimensions) and the
// events it reads. Whatever they hold, PutMetricFilter's checks answer or refuse without
// panicking, and an accepted filter publishes only finite values.
func FuzzMetricFilter(f *testing.F) {
	f.Add(`{ $.ms >= 0 }`, "$.ms", "$.route", `{"ms": 12, "route": "/a"}`)
	f.Add("ERROR", "1", "", "ERROR one")
	f.Add(`{ $.a[0].b = "x" }`, "$.a[0].c", "$.a[1]", `{"a": [{"b": "x", "c": 1e308}, true]}`)
	f.Add(`{ $.v = * }`, "$.v", "", `{"v": 1e400}`)
	f.Fuzz(func(t *testing.T, pattern, value, dimension, message string) {
		ts := []logsapi.MetricTransformation{{MetricName: ptrTo("M"), MetricNamespace: ptrTo("N"), MetricValue: &value}}
		if dimension != "" {
			ts[0].Dimensions = map[string]string{"D": dimension}
		}
		rec, err := metricFilterRecord("g", "f", pattern, ts)
		if err != nil {
			return
		}
		a, ok := activate(rec, compilePattern)
		if !ok {
			t.Fatalf("accepted filter %+v does not compile", rec)
		}
		for _, p := range metricPoints([]activeFilter{a}, []ingestedEvent{{ts: 1, msg: message}}) {
			if math.IsNaN(p.Value) || math.IsInf(p.Value, 0) {
				t.Fatalf("published %v for %q", p.Value, message)
			}
		}
	})
}

func ptrTo(s string) *string { return &s }

// CloudWatch takes no NaN or infinite datum, so neither is a metric value.
func TestMetricValueIsFinite(t *testing.T) {
	t.Parallel()
	for _, v := range []string{"NaN", "Inf", "-Inf", "+Inf", "1e400"} {
		if _, _, ok := parseMetricValue(v); ok {
			t.Errorf("metric value %q accepted", v)
		}
	}
	for _, v := range []string{"1", "-2.5", "1e3", "$.ms"} {
		if _, _, ok := parseMetricValue(v); !ok {
			t.Errorf("metric value %q refused", v)
		}
	}
}

// The pattern memo answers as the compiler does, and never keeps a refused pattern.
func TestPatternsMemo(t *testing.T) {
	t.Parallel()
	var ps patterns
	for range 2 {
		c, err := ps.compile("ERROR")
		if err != nil || !c.match("an ERROR here") || c.match("fine") {
			t.Fatalf("ERROR: %v", err)
		}
		if _, err := ps.compile(`{ $.a = `); err == nil {
			t.Fatal("a broken pattern compiled")
		}
	}
	if len(ps.m) != 1 {
		t.Errorf("memo holds %d patterns, want 1", len(ps.m))
	}
}
