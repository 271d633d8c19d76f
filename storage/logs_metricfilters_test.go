package storage_test

import (
	"testing"

	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Metric filters are an account table like the other Logs tables: exported in the state file,
// restored from it into another database, and kept apart by region and by group.
func TestMetricFiltersStateAndScopes(t *testing.T) {
	t.Parallel()
	src := storagetest.Open(t)
	def := 0.0
	recs := []struct{ region, group, name string }{
		{"eu-west-1", "/app", "errors"}, {"eu-west-1", "/app", "latency"}, {"eu-west-1", "/app2", "errors"}, {"us-east-1", "/app", "errors"},
	}
	err := src.Update(acct, func(tx *storage.Tx) error {
		for _, r := range recs {
			rec := storage.MetricFilterRecord{V: 1, Name: r.name, Group: r.group, Pattern: `{ $.ms > 0 }`, MetricName: "M",
				MetricNamespace: "App", MetricValue: "$.ms", DefaultValue: &def, Unit: "Milliseconds"}
			if err := storage.LogMetricFilters(tx).Put(storage.LogMetricFilterKey(r.region, r.group, r.name), rec); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	dst := restoreState(t, stateHolds(t, src, "logs.metricfilters"))
	tests := []struct {
		name, prefix string
		want         int
	}{
		{"a group of a region", storage.LogMetricFilterKey("eu-west-1", "/app", ""), 2},
		{"another group with a longer name", storage.LogMetricFilterKey("eu-west-1", "/app2", ""), 1},
		{"the same group in another region", storage.LogMetricFilterKey("us-east-1", "/app", ""), 1},
		{"a region", storage.Join("eu-west-1", ""), 3},
		{"a region without filters", storage.Join("ap-south-1", ""), 0},
	}
	err = dst.View(acct, func(tx *storage.Tx) error {
		for _, tc := range tests {
			if got := storage.LogMetricFilters(tx).Count(tc.prefix); got != tc.want {
				t.Errorf("%s: %d filters, want %d", tc.name, got, tc.want)
			}
		}
		got, err := storage.LogMetricFilters(tx).Get(storage.LogMetricFilterKey("eu-west-1", "/app", "latency"))
		if err != nil || got.DefaultValue == nil || *got.DefaultValue != 0 || got.MetricValue != "$.ms" {
			t.Errorf("restored record %+v, %v", got, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
