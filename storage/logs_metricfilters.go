package storage

// The metric filters of CloudWatch Logs. A filter belongs to a log group, so its key is the
// group's key plus the filter name: a group's filters are one prefix (deleted with the group,
// counted for the 100-filter quota), and the region's are one prefix for DescribeMetricFilters
// without a group. Group names never contain \x00 and the filter name is the key's last part,
// so both prefixes are exact.

// MetricFilterRecord is one metric filter with its single metric transformation (the API
// allows exactly one).
type MetricFilterRecord struct {
	V               int               `json:"v"`
	Name            string            `json:"name"`
	Group           string            `json:"group"`
	Pattern         string            `json:"pattern"`
	Created         int64             `json:"created"` // ms since the epoch
	MetricName      string            `json:"metric"`
	MetricNamespace string            `json:"ns"`
	MetricValue     string            `json:"value"`
	DefaultValue    *float64          `json:"default,omitempty"`
	Dimensions      map[string]string `json:"dims,omitempty"`
	Unit            string            `json:"unit,omitempty"`
	// OnTransformed is applyOnTransformedLogs, stored and reported; iamlocal has no log
	// transformers, so it changes nothing at ingestion.
	OnTransformed bool `json:"transformed,omitempty"`
}

// LogMetricFilters are keyed by LogMetricFilterKey(region, group, name).
func LogMetricFilters(tx *Tx) Table[MetricFilterRecord] {
	return AccountTable[MetricFilterRecord](tx, "logs.metricfilters")
}

// LogMetricFilterKey is the key of a filter; LogMetricFilterKey(region, group, "") is the
// prefix of the group's filters.
func LogMetricFilterKey(region, group, name string) string { return Join(region, group, name) }
