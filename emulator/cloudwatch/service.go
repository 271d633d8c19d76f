// Package cloudwatch emulates Amazon CloudWatch metrics and alarms: PutMetricData, the
// statistics reads (GetMetricStatistics, GetMetricData, ListMetrics) and metric alarms, per
// account and region (CloudWatch API Reference). It also records the AWS/Lambda metrics of
// each invocation for the Lambda executor.
package cloudwatch

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Options configure the service.
type Options struct {
	DB    *storage.DB
	Clock func() time.Time
	// Region is the region of calls that carry none: requests without a region in their
	// context (direct Go calls) and RecordLambda of an invocation without one.
	Region string
	Logger *slog.Logger
	// Partition names resources when the request context carries none; default aws.
	Partition string
}

// Service implements cloudwatchapi.Handler; what it does not emulate answers NotImplemented.
type Service struct {
	cloudwatchapi.Unimplemented
	opts   Options
	lambda lambdaQueue
}

var _ cloudwatchapi.Handler = (*Service)(nil)

// New returns the service.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if opts.Partition == "" {
		opts.Partition = arn.DefaultPartition
	}
	s := &Service{opts: opts}
	s.lambda.written.L = &s.lambda.mu
	return s
}

type call struct {
	account, region, partition string
	now                        time.Time
}

// scope is where the caller's resources are named.
func (c call) scope() arn.Scope {
	return arn.Scope{Partition: c.partition, Region: c.region, Account: c.account}
}

func (s *Service) call(ctx context.Context) call {
	info := reqctx.From(ctx)
	c := call{account: info.Caller.Account, region: info.Region, partition: info.Partition, now: info.Now}
	if c.region == "" {
		c.region = s.opts.Region
	}
	if c.partition == "" {
		c.partition = s.opts.Partition
	}
	if c.now.IsZero() {
		c.now = s.opts.Clock()
	}
	return c
}

// PutMetricData windows: a datum may be up to two weeks old and two hours ahead (API Reference,
// PutMetricData: "Data points with time stamps from 24 hours ago or longer can take at least
// 48 hours to become available"; older than two weeks or in the future are refused).
const (
	maxAge    = 14 * 24 * time.Hour
	maxFuture = 2 * time.Hour
)

// PutMetricData stores each datum (a value, values with counts, or a statistic set) under its
// metric. Namespaces beginning with "AWS/" are reserved for AWS services.
func (s *Service) PutMetricData(ctx context.Context, in *cloudwatchapi.PutMetricDataInput) (*cloudwatchapi.Empty, error) {
	c := s.call(ctx)
	ns := protocol.Val(in.Namespace)
	if strings.HasPrefix(ns, "AWS/") {
		return nil, cloudwatchapi.ErrInvalidParameterValue("The value %s for parameter Namespace is invalid.", ns)
	}
	data := in.MetricData
	for _, e := range in.EntityMetricData {
		data = append(data, e.MetricData...)
	}
	if len(data) == 0 {
		return nil, cloudwatchapi.ErrMissingParameter("The parameter MetricData is required.")
	}
	points := make([]point, 0, len(data))
	for i, d := range data {
		p, err := datum(c.now, fmt.Sprintf("MetricData.member.%d", i+1), d)
		if err != nil {
			return nil, err
		}
		points = append(points, p)
	}
	return &cloudwatchapi.Empty{}, s.store(c.account, c.region, ns, c.now, points)
}

// point is a datum ready to store.
type point struct {
	name string
	dims []storage.Dimension
	rec  storage.DatumRecord
}

func datum(now time.Time, at string, d cloudwatchapi.MetricDatum) (point, error) {
	p := point{name: protocol.Val(d.MetricName), dims: sortDims(d.Dimensions)}
	for i := 1; i < len(p.dims); i++ {
		if p.dims[i].Name == p.dims[i-1].Name {
			return p, cloudwatchapi.ErrInvalidParameterValue("No metric may have duplicate dimension names.")
		}
	}
	t := now
	if d.Timestamp != nil {
		t = *d.Timestamp
	}
	if t.Before(now.Add(-maxAge)) || t.After(now.Add(maxFuture)) {
		return p, cloudwatchapi.ErrInvalidParameterValue("The parameter %s.Timestamp must specify a time no more than two weeks in the past and no more than two hours in the future.", at)
	}
	unit := protocol.Val(d.Unit)
	if unit == "" {
		unit = "None"
	}
	p.rec = storage.DatumRecord{Time: t.UnixMilli(), Unit: unit}
	n := 0
	for _, set := range []bool{d.Value != nil, len(d.Values) > 0, d.StatisticValues != nil} {
		if set {
			n++
		}
	}
	switch {
	case n > 1:
		return p, cloudwatchapi.ErrInvalidParameterCombination("The parameters %[1]s.Value, %[1]s.Values and %[1]s.StatisticValues are mutually exclusive and you have specified more than one.", at)
	case n == 0:
		return p, cloudwatchapi.ErrMissingParameter("At least one of the parameters %[1]s.Value, %[1]s.Values or %[1]s.StatisticValues must be specified.", at)
	case d.Value != nil:
		p.rec.Values, p.rec.Counts = []float64{*d.Value}, []float64{1}
	case len(d.Values) > 0:
		if len(d.Counts) > 0 && len(d.Counts) != len(d.Values) {
			return p, cloudwatchapi.ErrInvalidParameterValue("The parameters %[1]s.Values and %[1]s.Counts must be of the same size.", at)
		}
		p.rec.Values = d.Values
		p.rec.Counts = d.Counts
		if len(p.rec.Counts) == 0 {
			p.rec.Counts = make([]float64, len(d.Values))
			for i := range p.rec.Counts {
				p.rec.Counts[i] = 1
			}
		}
	default:
		sv := d.StatisticValues
		p.rec.Stats = &storage.StatisticSet{SampleCount: protocol.Val(sv.SampleCount), Sum: protocol.Val(sv.Sum),
			Minimum: protocol.Val(sv.Minimum), Maximum: protocol.Val(sv.Maximum)}
	}
	for _, v := range append(append([]float64(nil), p.rec.Values...), p.rec.Counts...) {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return p, cloudwatchapi.ErrInvalidParameterValue("The value %v for parameter %s.Value is invalid.", v, at)
		}
	}
	return p, nil
}

func sortDims(in []cloudwatchapi.Dimension) []storage.Dimension {
	out := make([]storage.Dimension, 0, len(in))
	for _, d := range in {
		out = append(out, storage.Dimension{Name: protocol.Val(d.Name), Value: protocol.Val(d.Value)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// store writes points in one transaction, registering each metric.
func (s *Service) store(account, region, ns string, now time.Time, points []point) error {
	return s.opts.DB.Update(account, func(tx *storage.Tx) error { return storeIn(tx, region, ns, now, points) })
}

func storeIn(tx *storage.Tx, region, ns string, now time.Time, points []point) error {
	for _, p := range points {
		key := storage.MetricKey(region, ns, p.name, p.dims)
		m := storage.MetricRecord{Namespace: ns, Name: p.name, Dimensions: p.dims, LastPut: now.UTC()}
		if err := storage.Metrics(tx).Put(key, m); err != nil {
			return err
		}
		seq, err := storage.Datapoints(tx).NextSequence()
		if err != nil {
			return err
		}
		if err := storage.Datapoints(tx).Put(key+storage.EventPosition(p.rec.Time, seq), p.rec); err != nil {
			return err
		}
	}
	return nil
}

// LambdaInvocation is one invocation of a function, as RecordLambda publishes it.
type LambdaInvocation struct {
	// Account and Region are the function's: Lambda publishes a function's metrics in its own
	// account and Region. An empty Region is Options.Region.
	Account, Region string
	Function        string // the function name, the FunctionName dimension
	Time            time.Time
	Duration        time.Duration
	Error           bool
	Throttled       bool
}

// RecordLambda records one invocation of a function as Lambda reports it in the AWS/Lambda
// namespace ("Types of metrics for Lambda functions"): Invocations, Errors, Duration and
// Throttles, each by FunctionName, by FunctionName and Resource, and across all functions. A
// throttled request counts only in Throttles. The data is stored after the call returns
// (lambdaqueue.go) and before any read that follows it; a storage failure is logged: metrics
// never fail nor delay an invocation.
func (s *Service) RecordLambda(inv LambdaInvocation) {
	region, recs := s.lambdaData(inv)
	s.enqueueLambda(lambdaBatch{account: inv.Account, region: region, namespace: "AWS/Lambda", now: s.opts.Clock(), points: lambdaPoints(inv.Function, recs)})
}

// recordLambda is RecordLambda stored at once.
func (s *Service) recordLambda(inv LambdaInvocation) error {
	region, recs := s.lambdaData(inv)
	return s.store(inv.Account, region, "AWS/Lambda", s.opts.Clock(), lambdaPoints(inv.Function, recs))
}

// lambdaData is the region and the data of an invocation, by metric name.
func (s *Service) lambdaData(inv LambdaInvocation) (string, map[string]storage.DatumRecord) {
	region := inv.Region
	if region == "" {
		region = s.opts.Region
	}
	ms := inv.Time.UnixMilli()
	one := func(v float64, unit string) storage.DatumRecord {
		return storage.DatumRecord{Time: ms, Unit: unit, Values: []float64{v}, Counts: []float64{1}}
	}
	var recs map[string]storage.DatumRecord
	if inv.Throttled {
		recs = map[string]storage.DatumRecord{"Throttles": one(1, "Count")}
	} else {
		errs := 0.0
		if inv.Error {
			errs = 1
		}
		recs = map[string]storage.DatumRecord{"Invocations": one(1, "Count"), "Errors": one(errs, "Count"),
			"Throttles": one(0, "Count"), "Duration": one(float64(inv.Duration.Microseconds())/1000, "Milliseconds")}
	}
	return region, recs
}

// lambdaPoints are a function's data, each by FunctionName, by FunctionName and Resource, and
// across all functions, as Lambda publishes them.
func lambdaPoints(function string, recs map[string]storage.DatumRecord) []point {
	dimSets := [][]storage.Dimension{
		{{Name: "FunctionName", Value: function}},
		{{Name: "FunctionName", Value: function}, {Name: "Resource", Value: function}},
		nil,
	}
	names := make([]string, 0, len(recs))
	for n := range recs {
		names = append(names, n)
	}
	sort.Strings(names)
	var points []point
	for _, n := range names {
		for _, dims := range dimSets {
			points = append(points, point{name: n, dims: dims, rec: recs[n]})
		}
	}
	return points
}

// ListMetrics lists the metrics that received data in the last two weeks, filtered by
// namespace, name and dimensions (a filter with a name only matches any value), 500 a page.
func (s *Service) ListMetrics(ctx context.Context, in *cloudwatchapi.ListMetricsInput) (*cloudwatchapi.ListMetricsOutput, error) {
	s.flushLambda() // what was recorded before this read is in it
	c := s.call(ctx)
	ns, name := protocol.Val(in.Namespace), protocol.Val(in.MetricName)
	offset, err := decodeOffset(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	since := c.now.Add(-maxAge)
	if protocol.Val(in.RecentlyActive) == "PT3H" {
		since = c.now.Add(-3 * time.Hour)
	}
	prefix := storage.Join(c.region, "")
	if ns != "" {
		prefix = storage.Join(c.region, ns, "")
	}
	var found []cloudwatchapi.Metric
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		return storage.Metrics(tx).Scan(prefix, func(_ string, m storage.MetricRecord) error {
			if (ns != "" && m.Namespace != ns) || (name != "" && m.Name != name) || m.LastPut.Before(since) || !dimsMatch(m.Dimensions, in.Dimensions) {
				return nil
			}
			found = append(found, metric(m))
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	const page = 500
	out := &cloudwatchapi.ListMetricsOutput{Metrics: []cloudwatchapi.Metric{}}
	if offset < len(found) {
		out.Metrics = found[offset:min(len(found), offset+page)]
	}
	if offset+page < len(found) {
		out.NextToken = protocol.Ptr(encodeOffset(offset + page))
	}
	return out, nil
}

func dimsMatch(have []storage.Dimension, filters []cloudwatchapi.DimensionFilter) bool {
	for _, f := range filters {
		ok := false
		for _, d := range have {
			if d.Name == protocol.Val(f.Name) && (f.Value == nil || d.Value == *f.Value) {
				ok = true
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

func metric(m storage.MetricRecord) cloudwatchapi.Metric {
	out := cloudwatchapi.Metric{Namespace: protocol.Ptr(m.Namespace), MetricName: protocol.Ptr(m.Name),
		Dimensions: []cloudwatchapi.Dimension{}}
	for _, d := range m.Dimensions {
		out.Dimensions = append(out.Dimensions, cloudwatchapi.Dimension{Name: protocol.Ptr(d.Name), Value: protocol.Ptr(d.Value)})
	}
	return out
}
