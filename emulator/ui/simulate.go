package ui

import (
	"context"
	"encoding/json"
	"io"
	"mime"
	"net/http"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// maxSimulateBody bounds a simulation request: IAM's own inputs are far smaller (a policy is
// at most a few KB), this only keeps a client from making the server read without end.
const maxSimulateBody = 1 << 20

// simulateRequest is the simulator form. With a principal (a user, group or role ARN) it runs
// SimulatePrincipalPolicy, the principal's policies plus any given; without, it runs
// SimulateCustomPolicy on the given policies alone.
type simulateRequest struct {
	Account        string         `json:"account"`
	Principal      string         `json:"principal"`
	Policies       []string       `json:"policies"`
	Boundaries     []string       `json:"boundaries"`
	Actions        []string       `json:"actions"`
	Resources      []string       `json:"resources"`
	ResourcePolicy string         `json:"resourcePolicy"`
	CallerARN      string         `json:"callerArn"`
	Context        []contextEntry `json:"context"`
}

type contextEntry struct {
	Key    string   `json:"key"`
	Type   string   `json:"type"`
	Values []string `json:"values"`
}

// simulateResult is what IAM answered, every page of it, in IAM's own member names.
type simulateResult struct {
	Operation string                    `json:"operation"`
	Results   []iamapi.EvaluationResult `json:"results"`
}

// simulate runs IAM's policy simulator (emulator/iam/simulator.go) as the account's root: the
// same engine that authorizes requests. The request must be JSON, which a form on another
// site cannot send without a preflight, whatever the admin guard has let through.
func (d *Dashboard) simulate(r *http.Request) (any, error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "application/json" {
		return nil, &badRequest{"the simulator takes a JSON body (Content-Type: application/json)"}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxSimulateBody+1))
	if err != nil || len(body) > maxSimulateBody {
		return nil, &badRequest{"could not read a request body of at most 1 MiB"}
	}
	var form simulateRequest
	if err := json.Unmarshal(body, &form); err != nil {
		return nil, &badRequest{"the simulator's body is not its form: " + err.Error()}
	}
	if form.Account == "" && len(d.opts.Accounts) > 0 {
		form.Account = d.opts.Accounts[0].ID
	}
	if !d.configured(form.Account) {
		return nil, &badRequest{"no configured account " + form.Account}
	}
	ctx := d.asRoot(r.Context(), scope{account: form.Account, region: d.opts.Region}, "iam")
	if form.Principal != "" {
		return d.simulatePrincipal(ctx, form)
	}
	return d.simulateCustom(ctx, form)
}

func (d *Dashboard) simulatePrincipal(ctx context.Context, form simulateRequest) (any, error) {
	in := &iamapi.SimulatePrincipalPolicyRequest{PolicySourceArn: &form.Principal, ActionNames: form.Actions,
		ResourceArns: form.Resources, PolicyInputList: form.Policies, PermissionsBoundaryPolicyInputList: form.Boundaries,
		ResourcePolicy: optional(form.ResourcePolicy), CallerArn: optional(form.CallerARN), ContextEntries: entries(form.Context)}
	if err := validate(iamapi.Model(), "SimulatePrincipalPolicy", in); err != nil {
		return nil, err
	}
	return allResults("SimulatePrincipalPolicy", func(marker *string) (*iamapi.SimulatePolicyResponse, error) {
		in.Marker = marker
		return d.opts.IAM.SimulatePrincipalPolicy(ctx, in)
	})
}

func (d *Dashboard) simulateCustom(ctx context.Context, form simulateRequest) (any, error) {
	in := &iamapi.SimulateCustomPolicyRequest{ActionNames: form.Actions, ResourceArns: form.Resources,
		PolicyInputList: form.Policies, PermissionsBoundaryPolicyInputList: form.Boundaries,
		ResourcePolicy: optional(form.ResourcePolicy), CallerArn: optional(form.CallerARN), ContextEntries: entries(form.Context)}
	if err := validate(iamapi.Model(), "SimulateCustomPolicy", in); err != nil {
		return nil, err
	}
	return allResults("SimulateCustomPolicy", func(marker *string) (*iamapi.SimulatePolicyResponse, error) {
		in.Marker = marker
		return d.opts.IAM.SimulateCustomPolicy(ctx, in)
	})
}

// allResults reads every page of a simulation: page asks for the one after marker (nil first).
func allResults(op string, page func(marker *string) (*iamapi.SimulatePolicyResponse, error)) (simulateResult, error) {
	out := simulateResult{Operation: op, Results: []iamapi.EvaluationResult{}}
	var marker *string
	for {
		p, err := page(marker)
		if err != nil {
			return simulateResult{}, err
		}
		out.Results = append(out.Results, p.EvaluationResults...)
		if !protocol.Val(p.IsTruncated) || protocol.Val(p.Marker) == "" {
			return out, nil
		}
		marker = p.Marker
	}
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func entries(in []contextEntry) []iamapi.ContextEntry {
	var out []iamapi.ContextEntry
	for _, e := range in {
		typ := e.Type
		if typ == "" {
			typ = "string"
		}
		out = append(out, iamapi.ContextEntry{ContextKeyName: protocol.Ptr(e.Key), ContextKeyType: protocol.Ptr(typ), ContextKeyValues: e.Values})
	}
	return out
}
