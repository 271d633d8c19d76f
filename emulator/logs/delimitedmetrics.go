package logs

import "strings"

// Metric filters on space-delimited patterns take their value and dimensions from the fields
// the pattern extracts: metricValue "$size" (User Guide, "Example: Extract fields from an
// Apache log"), dimensions {"StatusCode": "$status_code"}; a $.field selector, which reads a
// JSON event, is no field of such a pattern and is refused.

// validMetricValue: a number, a field of a space-delimited pattern d, or (d nil) a $.field
// selector.
func validMetricValue(v string, d *delimited) bool {
	if d != nil && strings.HasPrefix(v, "$") {
		_, ok := d.ref(v)
		return ok
	}
	_, _, ok := parseMetricValue(v)
	return ok
}

// validDimension: a field of a space-delimited pattern d, or (d nil) a $.field selector.
func validDimension(v string, d *delimited) bool {
	if d != nil {
		_, ok := d.ref(v)
		return ok
	}
	_, ok := parseSelector(v)
	return ok && strings.HasPrefix(v, "$.")
}

// bindFields resolves the stored filter's value and dimensions against d; false when one no
// longer resolves (PutMetricFilter checked them).
func (a *activeFilter) bindFields(d *delimited) bool {
	a.delim = d
	if strings.HasPrefix(a.rec.MetricValue, "$") {
		get, ok := d.ref(a.rec.MetricValue)
		if !ok {
			return false
		}
		a.valueField = get
	} else {
		n, ok := finiteNumber(a.rec.MetricValue)
		if !ok {
			return false
		}
		a.value = n
	}
	for k, v := range a.rec.Dimensions {
		get, ok := d.ref(v)
		if !ok {
			return false
		}
		if a.dimFields == nil {
			a.dimFields = map[string]fieldGetter{}
		}
		a.dimFields[k] = get
	}
	return true
}

// fieldPoint completes p from the fields of a matching event: nothing is published when the
// value field is no finite number, or a dimension's field is empty (CloudWatch takes no empty
// dimension value).
func (f activeFilter) fieldPoint(e ingestedEvent, p MetricPoint) (MetricPoint, bool) {
	if f.valueField == nil && len(f.dimFields) == 0 {
		return p, true
	}
	fields, vals, ok := f.delim.apply(e.msg)
	if !ok {
		return p, false
	}
	if f.valueField != nil {
		s, _ := f.valueField(fields, vals)
		if p.Value, ok = finiteNumber(s); !ok {
			return p, false
		}
	}
	for name, get := range f.dimFields {
		s, ok := get(fields, vals)
		if !ok || s == "" {
			return p, false
		}
		if p.Dimensions == nil {
			p.Dimensions = map[string]string{}
		}
		p.Dimensions[name] = s
	}
	return p, true
}
