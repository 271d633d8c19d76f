package cloudwatch

import (
	"context"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/emulator/internal/pagetoken"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// bucket aggregates the data of one period (and one unit) of a metric.
type bucket struct {
	start  int64 // ms
	unit   string
	n, sum float64
	min    float64
	max    float64
	values []float64 // raw values, repeated by count, for percentiles; nil after a statistic set
	exact  bool      // every datum was raw, so percentiles are available
}

func (b *bucket) add(d storage.DatumRecord) {
	first := b.n == 0
	if d.Stats != nil {
		st := d.Stats
		b.n, b.sum = b.n+st.SampleCount, b.sum+st.Sum
		if first || st.Minimum < b.min {
			b.min = st.Minimum
		}
		if first || st.Maximum > b.max {
			b.max = st.Maximum
		}
		b.exact = false
		return
	}
	for i, v := range d.Values {
		c := 1.0
		if i < len(d.Counts) {
			c = d.Counts[i]
		}
		if c <= 0 {
			continue
		}
		if b.n == 0 || v < b.min {
			b.min = v
		}
		if b.n == 0 || v > b.max {
			b.max = v
		}
		b.n, b.sum = b.n+c, b.sum+v*c
		if b.exact && c <= 10000 {
			for k := 0; k < int(c); k++ {
				b.values = append(b.values, v)
			}
		}
	}
}

// stat computes a statistic (SampleCount, Average, Sum, Minimum, Maximum or pNN.NN); ok is
// false for a percentile of data that arrived as statistic sets.
func (b *bucket) stat(name string) (float64, bool) {
	switch name {
	case "SampleCount":
		return b.n, true
	case "Sum":
		return b.sum, true
	case "Average":
		return b.sum / b.n, true
	case "Minimum":
		return b.min, true
	case "Maximum":
		return b.max, true
	}
	p, ok := percentile(name)
	if !ok || !b.exact || len(b.values) == 0 {
		return 0, false
	}
	vals := append([]float64(nil), b.values...)
	sort.Float64s(vals)
	rank := int(math.Ceil(p/100*float64(len(vals)))) - 1 // nearest rank
	return vals[max(rank, 0)], true
}

// percentile parses "p99" or "p99.9".
func percentile(name string) (float64, bool) {
	if !strings.HasPrefix(name, "p") {
		return 0, false
	}
	p, err := strconv.ParseFloat(name[1:], 64)
	if err != nil || p < 0 || p > 100 {
		return 0, false
	}
	return p, true
}

// aggregate reads one metric's data in [start, end) into buckets of period seconds aligned to
// start, one per unit, in time order.
func (s *Service) aggregate(c call, ns, name string, dims []storage.Dimension, start, end time.Time, period int32, unit string) ([]*bucket, error) {
	key := storage.MetricKey(c.region, ns, name, dims)
	from, to := start.UnixMilli(), end.UnixMilli()
	periodMS := int64(period) * 1000
	byKey := map[[2]string]*bucket{}
	var out []*bucket
	err := s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		return storage.Datapoints(tx).ScanRange(key+storage.EventPosition(from, 0), key+storage.EventPosition(to, 0), false,
			func(_ string, d storage.DatumRecord) (bool, error) {
				if unit != "" && d.Unit != unit {
					return true, nil
				}
				bs := from + (d.Time-from)/periodMS*periodMS
				k := [2]string{strconv.FormatInt(bs, 10), d.Unit}
				b := byKey[k]
				if b == nil {
					b = &bucket{start: bs, unit: d.Unit, exact: true}
					byKey[k] = b
					out = append(out, b)
				}
				b.add(d)
				return true, nil
			})
	})
	sort.SliceStable(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out, err
}

// alignStart rounds a start time down as CloudWatch does: to the second for periods under a
// minute, to the minute otherwise (API Reference, GetMetricStatistics StartTime).
func alignStart(t time.Time, period int32) time.Time {
	if period < 60 {
		return t.Truncate(time.Second)
	}
	return t.Truncate(time.Minute)
}

func checkPeriod(period int32, name string) error {
	switch {
	case period <= 0:
		return cloudwatchapi.ErrInvalidParameterValue("The parameter %s must be greater than 0.", name)
	case period < 60 && period != 1 && period != 5 && period != 10 && period != 20 && period != 30:
		return cloudwatchapi.ErrInvalidParameterValue("The parameter %s must be 1, 5, 10, 20, 30, or a multiple of 60.", name)
	case period >= 60 && period%60 != 0:
		return cloudwatchapi.ErrInvalidParameterValue("The parameter %s must be 1, 5, 10, 20, 30, or a multiple of 60.", name)
	}
	return nil
}

// GetMetricStatistics aggregates one metric, named by namespace, name and its exact dimension
// set, into periods; at most 1,440 data points may be asked for.
func (s *Service) GetMetricStatistics(ctx context.Context, in *cloudwatchapi.GetMetricStatisticsInput) (*cloudwatchapi.GetMetricStatisticsOutput, error) {
	s.flushLambda() // what was recorded before this read is in it
	c := s.call(ctx)
	if len(in.Statistics) > 0 && len(in.ExtendedStatistics) > 0 {
		return nil, cloudwatchapi.ErrInvalidParameterCombination("The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.")
	}
	if len(in.Statistics) == 0 && len(in.ExtendedStatistics) == 0 {
		return nil, cloudwatchapi.ErrMissingParameter("Must specify either the Statistics or the ExtendedStatistics parameter.")
	}
	for _, x := range in.ExtendedStatistics {
		if _, ok := percentile(x); !ok {
			return nil, cloudwatchapi.ErrInvalidParameterValue("The value %s for parameter ExtendedStatistics is not supported.", x)
		}
	}
	period := protocol.Val(in.Period)
	if err := checkPeriod(period, "Period"); err != nil {
		return nil, err
	}
	start, end := protocol.Val(in.StartTime), protocol.Val(in.EndTime)
	if !start.Before(end) {
		return nil, cloudwatchapi.ErrInvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	start = alignStart(start, period)
	if n := int64(math.Ceil(end.Sub(start).Seconds() / float64(period))); n > 1440 {
		return nil, cloudwatchapi.ErrInvalidParameterCombination("You have requested up to %s datapoints, which exceeds the limit of 1,440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.", thousands(n))
	}
	buckets, err := s.aggregate(c, protocol.Val(in.Namespace), protocol.Val(in.MetricName), sortDims(in.Dimensions), start, end, period, protocol.Val(in.Unit))
	if err != nil {
		return nil, err
	}
	out := &cloudwatchapi.GetMetricStatisticsOutput{Label: in.MetricName, Datapoints: []cloudwatchapi.Datapoint{}}
	for _, b := range buckets {
		dp := cloudwatchapi.Datapoint{Timestamp: protocol.Ptr(time.UnixMilli(b.start).UTC()), Unit: protocol.Ptr(b.unit)}
		for _, st := range in.Statistics {
			v, _ := b.stat(st)
			switch st {
			case "SampleCount":
				dp.SampleCount = protocol.Ptr(v)
			case "Average":
				dp.Average = protocol.Ptr(v)
			case "Sum":
				dp.Sum = protocol.Ptr(v)
			case "Minimum":
				dp.Minimum = protocol.Ptr(v)
			case "Maximum":
				dp.Maximum = protocol.Ptr(v)
			}
		}
		for _, x := range in.ExtendedStatistics {
			if v, ok := b.stat(x); ok {
				if dp.ExtendedStatistics == nil {
					dp.ExtendedStatistics = map[string]float64{}
				}
				dp.ExtendedStatistics[x] = v
			}
		}
		out.Datapoints = append(out.Datapoints, dp)
	}
	return out, nil
}

func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

var statNames = map[string]bool{"SampleCount": true, "Average": true, "Sum": true, "Minimum": true, "Maximum": true}

// GetMetricData answers each query that names a metric (MetricStat) with its values per period,
// newest first unless ScanBy is TimestampAscending, and StatusCode Complete. Metric math
// expressions are not evaluated: such a query answers StatusCode InternalError with a message
// saying so, rather than invented numbers.
func (s *Service) GetMetricData(ctx context.Context, in *cloudwatchapi.GetMetricDataInput) (*cloudwatchapi.GetMetricDataOutput, error) {
	s.flushLambda() // what was recorded before this read is in it
	c := s.call(ctx)
	start, end := protocol.Val(in.StartTime), protocol.Val(in.EndTime)
	if !start.Before(end) {
		return nil, cloudwatchapi.ErrInvalidParameterValue("The parameter StartTime must be less than the parameter EndTime.")
	}
	seen := map[string]bool{}
	for i, q := range in.MetricDataQueries {
		id := protocol.Val(q.Id)
		if seen[id] {
			return nil, cloudwatchapi.ErrInvalidParameterValue("The value %s for parameter MetricDataQueries.member.%d.Id is not unique.", id, i+1)
		}
		seen[id] = true
		if (q.MetricStat == nil) == (q.Expression == nil) {
			return nil, cloudwatchapi.ErrInvalidParameterCombination("Exactly one element of the MetricStat and Expression parameters of MetricDataQueries.member.%d must be specified.", i+1)
		}
	}
	ascending := protocol.Val(in.ScanBy) == "TimestampAscending"
	out := &cloudwatchapi.GetMetricDataOutput{MetricDataResults: []cloudwatchapi.MetricDataResult{}, Messages: []cloudwatchapi.MessageData{}}
	for i, q := range in.MetricDataQueries {
		if q.ReturnData != nil && !*q.ReturnData {
			continue
		}
		res := cloudwatchapi.MetricDataResult{Id: q.Id, Label: q.Label, Timestamps: []time.Time{}, Values: []float64{},
			StatusCode: protocol.Ptr("Complete"), Messages: []cloudwatchapi.MessageData{}}
		if q.Expression != nil {
			res.StatusCode = protocol.Ptr("InternalError")
			res.Messages = append(res.Messages, cloudwatchapi.MessageData{Code: protocol.Ptr("Unsupported"),
				Value: protocol.Ptr("iamlocal does not evaluate metric math expressions")})
			out.MetricDataResults = append(out.MetricDataResults, res)
			continue
		}
		ms := q.MetricStat
		if ms.Metric == nil {
			return nil, cloudwatchapi.ErrMissingParameter("The parameter MetricDataQueries.member.%d.MetricStat.Metric is required.", i+1)
		}
		stat, period := protocol.Val(ms.Stat), protocol.Val(ms.Period)
		if _, ok := percentile(stat); !ok && !statNames[stat] {
			return nil, cloudwatchapi.ErrInvalidParameterValue("The value %s for parameter MetricDataQueries.member.%d.MetricStat.Stat is not supported.", stat, i+1)
		}
		if err := checkPeriod(period, "MetricDataQueries.member."+strconv.Itoa(i+1)+".MetricStat.Period"); err != nil {
			return nil, err
		}
		if res.Label == nil {
			res.Label = ms.Metric.MetricName
		}
		buckets, err := s.aggregate(c, protocol.Val(ms.Metric.Namespace), protocol.Val(ms.Metric.MetricName),
			sortDims(ms.Metric.Dimensions), alignStart(start, period), end, period, protocol.Val(ms.Unit))
		if err != nil {
			return nil, err
		}
		merged := mergeUnits(buckets)
		if !ascending {
			for l, r := 0, len(merged)-1; l < r; l, r = l+1, r-1 {
				merged[l], merged[r] = merged[r], merged[l]
			}
		}
		for _, b := range merged {
			if v, ok := b.stat(stat); ok {
				res.Timestamps = append(res.Timestamps, time.UnixMilli(b.start).UTC())
				res.Values = append(res.Values, v)
			}
		}
		out.MetricDataResults = append(out.MetricDataResults, res)
	}
	return out, nil
}

// mergeUnits folds buckets of the same period that differ only in unit: GetMetricData returns
// one value per timestamp.
func mergeUnits(in []*bucket) []*bucket {
	var out []*bucket
	for _, b := range in {
		if n := len(out); n > 0 && out[n-1].start == b.start {
			o := out[n-1]
			o.n, o.sum = o.n+b.n, o.sum+b.sum
			o.min, o.max = math.Min(o.min, b.min), math.Max(o.max, b.max)
			o.values, o.exact = append(o.values, b.values...), o.exact && b.exact
			continue
		}
		out = append(out, b)
	}
	return out
}

func encodeOffset(n int) string { return pagetoken.Encode(n) }

func decodeOffset(tok string) (int, error) {
	n, ok := pagetoken.Decode(tok)
	if !ok {
		return 0, cloudwatchapi.ErrInvalidNextToken("The service cannot process the NextToken: %s", tok)
	}
	return n, nil
}
