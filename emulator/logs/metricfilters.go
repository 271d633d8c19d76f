package logs

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Metric filters (PutMetricFilter, DescribeMetricFilters, DeleteMetricFilter and
// TestMetricFilter in the CloudWatch Logs API Reference) turn the events ingested into a log
// group into CloudWatch metric data, through Options.Metrics.

// MetricPoint is one datum a metric filter publishes: the event's timestamp, the filter's
// namespace, name and unit, the value and dimensions taken from the event.
type MetricPoint struct {
	Namespace, Name string
	Dimensions      map[string]string
	Value           float64
	Unit            string
	Time            time.Time
}

// maxMetricFilters is the quota per log group ("The maximum number of metric filters that can
// be associated with a log group is 100.", API Reference, PutMetricFilter).
const maxMetricFilters = 100

// maxDimensions: "One metric filter can include as many as three dimensions." (API Reference,
// MetricTransformation dimensions).
const maxDimensions = 3

func (s *Service) PutMetricFilter(ctx context.Context, in *logsapi.PutMetricFilterRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	group, name, pattern := protocol.Val(in.LogGroupName), protocol.Val(in.FilterName), protocol.Val(in.FilterPattern)
	rec, err := metricFilterRecord(group, name, pattern, in.MetricTransformations)
	if err != nil {
		return nil, err
	}
	rec.Created, rec.OnTransformed = c.now.UnixMilli(), protocol.Val(in.ApplyOnTransformedLogs)
	err = s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		if err := regexFilterQuota(tx, c.region, group, pattern, filterRef{true, name}); err != nil {
			return err
		}
		filters := storage.LogMetricFilters(tx)
		key := storage.LogMetricFilterKey(c.region, group, name)
		if old, err := filters.Get(key); err == nil {
			rec.Created = old.Created // an update keeps the filter's creation time
		} else if filters.Count(storage.LogMetricFilterKey(c.region, group, "")) >= maxMetricFilters {
			// AWS's text for the quota (the LimitExceededException of the Logs API).
			return logsapi.ErrLimitExceeded("Resource limit exceeded.")
		}
		return filters.Put(key, rec)
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

// metricFilterRecord checks a filter as PutMetricFilter does: a pattern the compiler accepts
// and exactly one transformation whose value is a number or a field (a $.field selector, or a
// $field of a space-delimited pattern), and whose dimensions (at most three fields of a JSON or
// space-delimited pattern) come without a defaultValue.
func metricFilterRecord(group, name, pattern string, ts []logsapi.MetricTransformation) (storage.MetricFilterRecord, error) {
	var rec storage.MetricFilterRecord
	compiled, err := compilePattern(pattern)
	if err != nil {
		return rec, err
	}
	if len(ts) != 1 {
		return rec, logsapi.ErrInvalidParameter("1 validation error detected: Value at 'metricTransformations' failed to satisfy constraint: Member must have length less than or equal to 1")
	}
	t := ts[0]
	rec = storage.MetricFilterRecord{Name: name, Group: group, Pattern: pattern, MetricName: protocol.Val(t.MetricName),
		MetricNamespace: protocol.Val(t.MetricNamespace), MetricValue: protocol.Val(t.MetricValue), DefaultValue: t.DefaultValue,
		Unit: protocol.Val(t.Unit)}
	delim := compiled.delim
	if !validMetricValue(rec.MetricValue, delim) {
		return rec, logsapi.ErrInvalidParameter("Invalid metric value: %s. The metric value must be a number, a $.field selector or a $field of the space-delimited filter pattern.", rec.MetricValue)
	}
	if len(t.Dimensions) == 0 {
		return rec, nil
	}
	switch {
	case t.DefaultValue != nil:
		// AWS's words (a CloudFormation deployment's failure, aws-solutions-library-samples/
		// guidance-for-claude-code-with-amazon-bedrock#632).
		return rec, logsapi.ErrInvalidParameter("Invalid metric transformation: dimensions and default value are mutually exclusive properties")
	case !strings.HasPrefix(strings.TrimSpace(pattern), "{") && delim == nil:
		// Dimensions are "only applicable for JSON or delimited filter patterns" (the console);
		// AWS's error: hashicorp/terraform-provider-aws#22105.
		return rec, logsapi.ErrInvalidParameter("The specified filter pattern does not support dimensions")
	case len(t.Dimensions) > maxDimensions:
		return rec, logsapi.ErrInvalidParameter("Invalid metric transformation: a metric filter can include as many as %d dimensions", maxDimensions)
	}
	for k, v := range t.Dimensions {
		if !validDimension(v, delim) {
			return rec, logsapi.ErrInvalidParameter("Invalid dimension value for %s: %s. A dimension value must be a $.field selector or a $field of the filter pattern.", k, v)
		}
	}
	rec.Dimensions = t.Dimensions
	return rec, nil
}

// parseMetricValue reads a metric value: a number, or a $.field selector (path non-nil).
func parseMetricValue(v string) (float64, []any, bool) {
	if strings.HasPrefix(v, "$.") {
		path, ok := parseSelector(v)
		return 0, path, ok
	}
	n, err := strconv.ParseFloat(v, 64)
	// CloudWatch takes no NaN or infinity (PutMetricData refuses them), so neither is a value.
	return n, nil, err == nil && !math.IsNaN(n) && !math.IsInf(n, 0)
}

// DescribeMetricFilters lists filters in log group and name order: one group's or the
// region's, by filter name prefix, or by metric name and namespace (which go together); limit
// 1-50, default 50. The prefix applies without a group too, as AWS answers it (LocalStack's
// capture test_describe_metric_filters_by_prefix).
func (s *Service) DescribeMetricFilters(ctx context.Context, in *logsapi.DescribeMetricFiltersRequest) (*logsapi.DescribeMetricFiltersResponse, error) {
	c := s.call(ctx)
	group, prefix := protocol.Val(in.LogGroupName), protocol.Val(in.FilterNamePrefix)
	metric, namespace := protocol.Val(in.MetricName), protocol.Val(in.MetricNamespace)
	if (metric == "") != (namespace == "") {
		// "If you include this parameter in your request, you must also include the
		// metricNamespace parameter." (API Reference, DescribeMetricFilters metricName).
		return nil, logsapi.ErrInvalidParameter("metricName and metricNamespace must be specified together.")
	}
	limit := limitOr(in.Limit, 50)
	after, err := decodeToken(protocol.Val(in.NextToken))
	if err != nil {
		return nil, err
	}
	base := storage.Join(c.region, "")
	if group != "" {
		base = storage.LogMetricFilterKey(c.region, group, "")
	}
	out := &logsapi.DescribeMetricFiltersResponse{MetricFilters: []logsapi.MetricFilter{}}
	err = s.opts.DB.View(c.account, func(tx *storage.Tx) error {
		if group != "" && !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		from := ""
		if after != "" {
			from = after + "\x00"
		}
		page, err := storage.LogMetricFilters(tx).Page(base, from, limit, func(_ string, f storage.MetricFilterRecord) (bool, error) {
			return strings.HasPrefix(f.Name, prefix) && (metric == "" || (f.MetricName == metric && f.MetricNamespace == namespace)), nil
		})
		if err != nil {
			return err
		}
		for _, row := range page.Rows {
			out.MetricFilters = append(out.MetricFilters, metricFilter(row.Value))
		}
		if page.Truncated {
			out.NextToken = protocol.Ptr(encodeToken(page.Rows[len(page.Rows)-1].Key))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func metricFilter(f storage.MetricFilterRecord) logsapi.MetricFilter {
	t := logsapi.MetricTransformation{MetricName: protocol.Ptr(f.MetricName), MetricNamespace: protocol.Ptr(f.MetricNamespace),
		MetricValue: protocol.Ptr(f.MetricValue), DefaultValue: f.DefaultValue, Dimensions: f.Dimensions}
	if f.Unit != "" {
		t.Unit = protocol.Ptr(f.Unit)
	}
	return logsapi.MetricFilter{FilterName: protocol.Ptr(f.Name), FilterPattern: protocol.Ptr(f.Pattern),
		LogGroupName: protocol.Ptr(f.Group), CreationTime: protocol.Ptr(f.Created),
		ApplyOnTransformedLogs: protocol.Ptr(f.OnTransformed), MetricTransformations: []logsapi.MetricTransformation{t}}
}

func (s *Service) DeleteMetricFilter(ctx context.Context, in *logsapi.DeleteMetricFilterRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	group, name := protocol.Val(in.LogGroupName), protocol.Val(in.FilterName)
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		if !storage.LogGroups(tx).Has(storage.LogGroupKey(c.region, group)) {
			return groupNotFound()
		}
		err := storage.LogMetricFilters(tx).Delete(storage.LogMetricFilterKey(c.region, group, name))
		if errors.Is(err, storage.ErrNotFound) {
			return logsapi.ErrResourceNotFound("The specified metric filter does not exist.")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

// TestMetricFilter answers the messages the pattern matches, numbered from 1 as the AWS CLI's
// example shows ("eventNumber": 1 for the first message, aws-cli examples/logs/
// test-metric-filter.rst). extractedValues carry the fields of space-delimited patterns
// ($name or $N, see delimited.go); term and JSON patterns extract none, so the map is empty.
func (s *Service) TestMetricFilter(_ context.Context, in *logsapi.TestMetricFilterRequest) (*logsapi.TestMetricFilterResponse, error) {
	pattern := protocol.Val(in.FilterPattern)
	compiled, err := compilePattern(pattern)
	if err != nil {
		return nil, err
	}
	out := &logsapi.TestMetricFilterResponse{Matches: []logsapi.MetricFilterMatchRecord{}}
	for i, m := range in.LogEventMessages {
		values := map[string]string{}
		if compiled.delim != nil {
			// One split of the event both matches it and gives its fields.
			var ok bool
			if values, ok = compiled.delim.extract(m); !ok {
				continue
			}
		} else if !compiled.match(m) {
			continue
		}
		out.Matches = append(out.Matches, logsapi.MetricFilterMatchRecord{EventNumber: protocol.Ptr(int64(i + 1)),
			EventMessage: protocol.Ptr(m), ExtractedValues: values})
	}
	return out, nil
}

// activeFilter is a stored filter compiled for ingestion.
type activeFilter struct {
	rec   storage.MetricFilterRecord
	match matcher
	value float64
	path  []any // the metric value's selector; nil for a number
	dims  map[string][]any
	// A space-delimited pattern's fields give the value (valueField, nil for a number) and
	// dimensions instead of selectors.
	delim      *delimited
	valueField fieldGetter
	dimFields  map[string]fieldGetter
}

// loadFilters compiles the group's filters inside the ingesting transaction. A stored pattern
// that no longer compiles (none should) is skipped rather than failing the write.
func (s *Service) loadFilters(tx *storage.Tx, region, group string) ([]activeFilter, error) {
	var out []activeFilter
	err := storage.LogMetricFilters(tx).Scan(storage.LogMetricFilterKey(region, group, ""), func(_ string, f storage.MetricFilterRecord) error {
		if a, ok := activate(f, s.patterns.compile); ok {
			out = append(out, a)
		}
		return nil
	})
	return out, err
}

// activate compiles a stored filter with compile; false for one that no longer compiles.
func activate(f storage.MetricFilterRecord, compile func(string) (compiledPattern, error)) (activeFilter, bool) {
	compiled, err := compile(f.Pattern)
	if err != nil {
		return activeFilter{}, false
	}
	a := activeFilter{rec: f, match: compiled.match}
	// A space-delimited pattern's fields, where the value or dimensions take them.
	if d := compiled.delim; d != nil && (strings.HasPrefix(f.MetricValue, "$") || len(f.Dimensions) > 0) {
		ok := a.bindFields(d)
		return a, ok
	}
	value, path, ok := parseMetricValue(f.MetricValue)
	if !ok {
		return activeFilter{}, false
	}
	a.value, a.path = value, path
	for k, v := range f.Dimensions {
		if p, ok := parseSelector(v); ok {
			if a.dims == nil {
				a.dims = map[string][]any{}
			}
			a.dims[k] = p
		}
	}
	return a, true
}

// ingestedEvent is one stored event, as the metric filters see it.
type ingestedEvent struct {
	ts  int64
	msg string
}

// metricPoints applies the filters to the events of one ingestion (a PutLogEvents call or a
// sink line). A matching event publishes the filter's value (a number, or its numeric field:
// an event whose field is missing or not a number publishes nothing) with its dimensions,
// at the event's timestamp. defaultValue is "The value reported to the metric filter during a
// period when logs are ingested but no matching logs are found" (CloudWatch Logs User Guide,
// "Concepts", metric filter terms): iamlocal publishes it once for each minute of the event
// timestamps of this ingestion in which no event matched, at the minute's start. It decides per
// ingestion: a later call matching within the same minute does not withdraw it.
func metricPoints(filters []activeFilter, events []ingestedEvent) []MetricPoint {
	var out []MetricPoint
	for _, f := range filters {
		minutes := map[int64]bool{} // minute -> something matched in it
		var order []int64
		for _, e := range events {
			minute := e.ts - e.ts%60000
			if _, seen := minutes[minute]; !seen {
				minutes[minute] = false
				order = append(order, minute)
			}
			if !f.match(e.msg) {
				continue
			}
			minutes[minute] = true
			if p, ok := f.point(e); ok {
				out = append(out, p)
			}
		}
		if f.rec.DefaultValue == nil {
			continue
		}
		for _, minute := range order {
			if !minutes[minute] {
				out = append(out, MetricPoint{Namespace: f.rec.MetricNamespace, Name: f.rec.MetricName, Value: *f.rec.DefaultValue,
					Unit: f.rec.Unit, Time: time.UnixMilli(minute).UTC()})
			}
		}
	}
	return out
}

// point is the datum of a matching event, false when its value or a dimension is missing.
func (f activeFilter) point(e ingestedEvent) (MetricPoint, bool) {
	p := MetricPoint{Namespace: f.rec.MetricNamespace, Name: f.rec.MetricName, Value: f.value, Unit: f.rec.Unit,
		Time: time.UnixMilli(e.ts).UTC()}
	if f.delim != nil {
		return f.fieldPoint(e, p)
	}
	if f.path == nil && len(f.dims) == 0 {
		return p, true
	}
	var doc any
	dec := json.NewDecoder(strings.NewReader(e.msg))
	dec.UseNumber()
	if dec.Decode(&doc) != nil {
		return p, false
	}
	if f.path != nil {
		v, found := selectPath(doc, f.path)
		n, ok := v.(json.Number)
		if !found || !ok {
			return p, false
		}
		var err error
		if p.Value, err = n.Float64(); err != nil {
			return p, false
		}
	}
	for name, path := range f.dims {
		v, found := selectPath(doc, path)
		if !found {
			return p, false
		}
		s, ok := jsonScalarText(v)
		if !ok {
			return p, false
		}
		if p.Dimensions == nil {
			p.Dimensions = map[string]string{}
		}
		p.Dimensions[name] = s
	}
	return p, true
}

// publish hands points to Options.Metrics after the ingesting transaction has committed.
func (s *Service) publish(account, region string, points []MetricPoint) {
	if len(points) > 0 && s.opts.Metrics != nil {
		s.opts.Metrics(account, region, points)
	}
}
