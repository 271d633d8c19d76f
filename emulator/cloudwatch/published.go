package cloudwatch

import (
	"sort"
	"time"

	"github.com/iamlocal/iamlocal/storage"
)

// Datum is one data point another service publishes into CloudWatch on an account's behalf:
// CloudWatch Logs' metric filters turn matching log events into custom metrics
// ("Creating metrics from log events using filters", CloudWatch Logs User Guide).
type Datum struct {
	Namespace, Name string
	Dimensions      map[string]string
	Time            time.Time
	Value           float64
	Unit            string // "" is None, as PutMetricData stores it
}

// RecordMetrics records data into account's region (an empty region is Options.Region). Like
// RecordLambda it returns before the data is stored, and every metric read that follows waits
// for it, so the publisher never waits for a commit and a reader never misses what it
// published.
func (s *Service) RecordMetrics(account, region string, data []Datum) {
	if len(data) == 0 {
		return
	}
	if region == "" {
		region = s.opts.Region
	}
	now := s.opts.Clock()
	byNamespace := map[string][]point{}
	var order []string
	for _, d := range data {
		unit := d.Unit
		if unit == "" {
			unit = "None"
		}
		dims := make([]storage.Dimension, 0, len(d.Dimensions))
		for n, v := range d.Dimensions {
			dims = append(dims, storage.Dimension{Name: n, Value: v})
		}
		sort.Slice(dims, func(i, j int) bool { return dims[i].Name < dims[j].Name })
		if _, seen := byNamespace[d.Namespace]; !seen {
			order = append(order, d.Namespace)
		}
		byNamespace[d.Namespace] = append(byNamespace[d.Namespace], point{name: d.Name, dims: dims,
			rec: storage.DatumRecord{Time: d.Time.UnixMilli(), Unit: unit, Values: []float64{d.Value}, Counts: []float64{1}}})
	}
	for _, ns := range order {
		s.enqueueLambda(lambdaBatch{account: account, region: region, namespace: ns, now: now, points: byNamespace[ns]})
	}
}
