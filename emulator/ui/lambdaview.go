package ui

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// functionsView is the functions page of one account and region.
type functionsView struct {
	Account   string                            `json:"account"`
	Region    string                            `json:"region"`
	Functions []lambdaapi.FunctionConfiguration `json:"functions"`
}

// functionView is one function's page: its configuration as GetFunction answers it (the code's
// download location left out), versions, aliases, URLs, resource-based policy, its recent
// invocations with their log lines, and its AWS/Lambda metrics.
type functionView struct {
	Account       string                            `json:"account"`
	Region        string                            `json:"region"`
	Configuration *lambdaapi.FunctionConfiguration  `json:"configuration"`
	Tags          map[string]string                 `json:"tags,omitempty"`
	Concurrency   *int32                            `json:"reservedConcurrency,omitempty"`
	Versions      []lambdaapi.FunctionConfiguration `json:"versions"`
	Aliases       []lambdaapi.AliasConfiguration    `json:"aliases"`
	URLs          []lambdaapi.FunctionUrlConfig     `json:"urls"`
	Policy        *policyView                       `json:"policy,omitempty"`
	LogGroup      string                            `json:"logGroup"`
	Invocations   []invocation                      `json:"invocations"`
	Metrics       metricsView                       `json:"metrics"`
}

func (d *Dashboard) functions(r *http.Request) (any, error) {
	sc, err := d.scopeOf(r)
	if err != nil {
		return nil, err
	}
	ctx := d.asRoot(r.Context(), sc, "lambda")
	out := functionsView{Account: sc.account, Region: sc.region, Functions: []lambdaapi.FunctionConfiguration{}}
	in := &lambdaapi.ListFunctionsRequest{}
	for {
		page, err := d.opts.Lambda.ListFunctions(ctx, in)
		if err != nil {
			return nil, err
		}
		out.Functions = append(out.Functions, page.Functions...)
		if protocol.Val(page.NextMarker) == "" {
			return out, nil
		}
		in.Marker = page.NextMarker
	}
}

func (d *Dashboard) function(r *http.Request) (any, error) {
	sc, err := d.scopeOf(r)
	if err != nil {
		return nil, err
	}
	window, err := windowOf(r, d.opts.Clock())
	if err != nil {
		return nil, err
	}
	name := r.PathValue("name")
	get := &lambdaapi.GetFunctionRequest{FunctionName: &name}
	if err := validate(lambdaapi.Model(), "GetFunction", get); err != nil {
		return nil, err
	}
	ctx := d.asRoot(r.Context(), sc, "lambda")
	fn, err := d.opts.Lambda.GetFunction(ctx, get)
	if err != nil {
		return nil, err
	}
	v := functionView{Account: sc.account, Region: sc.region, Configuration: fn.Configuration, Tags: fn.Tags}
	if fn.Concurrency != nil {
		v.Concurrency = fn.Concurrency.ReservedConcurrentExecutions
	}
	name = protocol.Val(fn.Configuration.FunctionName) // as stored, when asked for by ARN
	if err := d.functionParts(ctx, name, &v); err != nil {
		return nil, err
	}
	v.LogGroup = "/aws/lambda/" + name
	if lc := fn.Configuration.LoggingConfig; lc != nil && protocol.Val(lc.LogGroup) != "" {
		v.LogGroup = protocol.Val(lc.LogGroup)
	}
	if v.Invocations, err = d.invocations(d.asRoot(r.Context(), sc, "logs"), v.LogGroup, window); err != nil {
		return nil, err
	}
	if v.Metrics, err = d.metrics(d.asRoot(r.Context(), sc, "monitoring"), name, window); err != nil {
		return nil, err
	}
	return v, nil
}

// functionParts reads a function's versions, aliases, URLs and policy, every page of each.
func (d *Dashboard) functionParts(ctx context.Context, name string, v *functionView) error {
	versions := &lambdaapi.ListVersionsByFunctionRequest{FunctionName: &name}
	for v.Versions = []lambdaapi.FunctionConfiguration{}; ; {
		page, err := d.opts.Lambda.ListVersionsByFunction(ctx, versions)
		if err != nil {
			return err
		}
		if v.Versions = append(v.Versions, page.Versions...); protocol.Val(page.NextMarker) == "" {
			break
		}
		versions.Marker = page.NextMarker
	}
	aliases := &lambdaapi.ListAliasesRequest{FunctionName: &name}
	for v.Aliases = []lambdaapi.AliasConfiguration{}; ; {
		page, err := d.opts.Lambda.ListAliases(ctx, aliases)
		if err != nil {
			return err
		}
		if v.Aliases = append(v.Aliases, page.Aliases...); protocol.Val(page.NextMarker) == "" {
			break
		}
		aliases.Marker = page.NextMarker
	}
	urls := &lambdaapi.ListFunctionUrlConfigsRequest{FunctionName: &name}
	for v.URLs = []lambdaapi.FunctionUrlConfig{}; ; {
		page, err := d.opts.Lambda.ListFunctionUrlConfigs(ctx, urls)
		if err != nil {
			return err
		}
		if v.URLs = append(v.URLs, page.FunctionUrlConfigs...); protocol.Val(page.NextMarker) == "" {
			break
		}
		urls.Marker = page.NextMarker
	}
	policy, err := d.opts.Lambda.GetPolicy(ctx, &lambdaapi.GetPolicyRequest{FunctionName: &name})
	if e, ok := awserr.As(err); ok && e.Code == "ResourceNotFoundException" {
		return nil // no resource-based policy
	} else if err != nil {
		return err
	}
	// The authorizer labels a function's policy with the function's ARN (authorize.functionFacts).
	b := iamBuilder{uses: statementUses(d.opts.Decisions.Snapshot(), v.Account)}
	p := b.policy(policyView{Name: "resource-based policy", Kind: "resource"}, protocol.Val(v.Configuration.FunctionArn), "resource", protocol.Val(policy.Policy))
	v.Policy = &p
	return nil
}

// window is the time span the invocations and metrics of a function page cover.
type window struct {
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Period int32     `json:"period"` // seconds per datapoint
}

// periodFor is the period of a span the page offers, in minutes, 0 for any other: each graph
// keeps within a few hundred points (GetMetricStatistics allows 1,440).
func periodFor(minutes int) int32 {
	switch minutes {
	case 60, 180:
		return 60
	case 1440:
		return 300
	}
	return 0
}

// windowOf reads ?minutes= (60 by default), ending at the next whole period after now.
func windowOf(r *http.Request, now time.Time) (window, error) {
	minutes := 60
	if s := r.URL.Query().Get("minutes"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || periodFor(n) == 0 {
			return window{}, &badRequest{"minutes: want 60, 180 or 1440"}
		}
		minutes = n
	}
	period := periodFor(minutes)
	end := now.UTC().Truncate(time.Duration(period) * time.Second).Add(time.Duration(period) * time.Second)
	return window{Start: end.Add(-time.Duration(minutes) * time.Minute), End: end, Period: period}, nil
}

// metricsView holds the AWS/Lambda graphs of one function.
type metricsView struct {
	Window      window   `json:"window"`
	Invocations []sample `json:"invocations"` // Sum per period
	Errors      []sample `json:"errors"`      // Sum per period
	Duration    []sample `json:"duration"`    // Average per period, with its Maximum
}

type sample struct {
	Time  time.Time `json:"time"`
	Value float64   `json:"value"`
	Max   *float64  `json:"max,omitempty"`
}

// metrics reads the function's Invocations, Errors and Duration by FunctionName, as Lambda
// records them ("Types of metrics for Lambda functions").
func (d *Dashboard) metrics(ctx context.Context, function string, w window) (metricsView, error) {
	out := metricsView{Window: w}
	series := []struct {
		name  string
		stats []string
		into  *[]sample
	}{
		{"Invocations", []string{"Sum"}, &out.Invocations},
		{"Errors", []string{"Sum"}, &out.Errors},
		{"Duration", []string{"Average", "Maximum"}, &out.Duration},
	}
	for _, s := range series {
		got, err := d.opts.Metrics.GetMetricStatistics(ctx, &cloudwatchapi.GetMetricStatisticsInput{
			Namespace: protocol.Ptr("AWS/Lambda"), MetricName: protocol.Ptr(s.name), Statistics: s.stats,
			Dimensions: []cloudwatchapi.Dimension{{Name: protocol.Ptr("FunctionName"), Value: protocol.Ptr(function)}},
			StartTime:  protocol.Ptr(w.Start), EndTime: protocol.Ptr(w.End), Period: protocol.Ptr(w.Period)})
		if err != nil {
			return metricsView{}, err
		}
		*s.into = []sample{}
		for _, dp := range got.Datapoints {
			v := sample{Time: protocol.Val(dp.Timestamp), Value: protocol.Val(dp.Sum)}
			if dp.Average != nil {
				v.Value, v.Max = *dp.Average, dp.Maximum
			}
			*s.into = append(*s.into, v)
		}
	}
	return out, nil
}

// invocations reads the log group's events of the window and groups them by invocation,
// newest first. A group that does not exist yet (never invoked) has none.
func (d *Dashboard) invocations(ctx context.Context, group string, w window) ([]invocation, error) {
	in := &logsapi.FilterLogEventsRequest{LogGroupName: &group, StartTime: protocol.Ptr(w.Start.UnixMilli()),
		EndTime: protocol.Ptr(w.End.UnixMilli())}
	var events []logsapi.FilteredLogEvent
	for {
		page, err := d.opts.Logs.FilterLogEvents(ctx, in)
		if e, ok := awserr.As(err); ok && e.Code == "ResourceNotFoundException" {
			return []invocation{}, nil
		} else if err != nil {
			return nil, err
		}
		events = append(events, page.Events...)
		if protocol.Val(page.NextToken) == "" {
			break
		}
		in.NextToken = page.NextToken
	}
	return groupInvocations(events, maxInvocations), nil
}

// validate checks a request the dashboard builds from what the page sent against the
// operation's model constraints, as the pipeline checks an API request's.
func validate(svc *model.Service, op string, in any) error {
	o := svc.Operations[op]
	if o == nil || o.Input == nil {
		return nil
	}
	if vs := protocol.Validate(o.Input, in); len(vs) > 0 {
		return &badRequest{protocol.ValidationMessage(vs)}
	}
	return nil
}
