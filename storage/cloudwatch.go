package storage

import "time"

// The CloudWatch records: metrics (namespace, name and dimension set) with their data points,
// and metric alarms. Keys start with the region; the metric key joins namespace, name and the
// dimensions sorted by name, so one metric's points are one prefix, in time order.

// Dimension is a metric dimension.
type Dimension struct {
	Name  string `json:"n"`
	Value string `json:"v"`
}

// MetricRecord is a metric that has received data.
type MetricRecord struct {
	V          int         `json:"v"`
	Namespace  string      `json:"ns"`
	Name       string      `json:"name"`
	Dimensions []Dimension `json:"dims,omitempty"` // sorted by name
	LastPut    time.Time   `json:"last"`
}

// StatisticSet is a pre-aggregated datum.
type StatisticSet struct {
	SampleCount float64 `json:"n"`
	Sum         float64 `json:"sum"`
	Minimum     float64 `json:"min"`
	Maximum     float64 `json:"max"`
}

// DatumRecord is one PutMetricData datum: raw values with their counts, or a statistic set.
type DatumRecord struct {
	V      int           `json:"v"`
	Time   int64         `json:"t"` // ms since the epoch
	Unit   string        `json:"u,omitempty"`
	Values []float64     `json:"vals,omitempty"`
	Counts []float64     `json:"counts,omitempty"`
	Stats  *StatisticSet `json:"stats,omitempty"`
}

// AlarmRecord is a metric alarm as PutMetricAlarm defined it, with its state.
type AlarmRecord struct {
	V                  int         `json:"v"`
	Name               string      `json:"name"`
	Description        string      `json:"desc,omitempty"`
	Namespace          string      `json:"ns,omitempty"`
	MetricName         string      `json:"metric,omitempty"`
	Dimensions         []Dimension `json:"dims,omitempty"`
	Statistic          string      `json:"stat,omitempty"`
	ExtendedStatistic  string      `json:"xstat,omitempty"`
	Period             int32       `json:"period,omitempty"`
	EvaluationPeriods  int32       `json:"evals,omitempty"`
	DatapointsToAlarm  int32       `json:"dta,omitempty"`
	Threshold          float64     `json:"threshold"`
	ComparisonOperator string      `json:"op,omitempty"`
	TreatMissingData   string      `json:"missing,omitempty"`
	Unit               string      `json:"unit,omitempty"`
	ActionsEnabled     bool        `json:"actions"`
	AlarmActions       []string    `json:"alarmActions,omitempty"`
	OKActions          []string    `json:"okActions,omitempty"`
	InsufficientData   []string    `json:"idActions,omitempty"`
	Tags               []Tag       `json:"tags,omitempty"`
	State              string      `json:"state"`
	StateReason        string      `json:"reason"`
	StateUpdated       time.Time   `json:"stateUpdated"`
	ConfigUpdated      time.Time   `json:"configUpdated"`
}

// Metrics are keyed by MetricKey.
func Metrics(tx *Tx) Table[MetricRecord] { return AccountTable[MetricRecord](tx, "cloudwatch.metrics") }

// Datapoints are keyed by MetricKey + "\x00" + EventPosition(ms, seq).
func Datapoints(tx *Tx) Table[DatumRecord] { return AccountTable[DatumRecord](tx, "cloudwatch.data") }

// Alarms are keyed by Join(region, name).
func Alarms(tx *Tx) Table[AlarmRecord] { return AccountTable[AlarmRecord](tx, "cloudwatch.alarms") }

// MetricKey identifies a metric; dims must be sorted by name.
func MetricKey(region, namespace, name string, dims []Dimension) string {
	parts := []string{region, namespace, name}
	for _, d := range dims {
		parts = append(parts, d.Name+"="+d.Value)
	}
	return Join(parts...) + "\x01" // ends the dimension list: no metric's key prefixes another's
}
