// Package ui is iamlocal's web dashboard, served at /_iamlocal/ui/ from embedded assets (plain
// HTML, CSS and JavaScript: no build step, nothing fetched from the network). The page reads
// state through a small JSON API under /_iamlocal/ui/api/, which calls the services' own Go
// methods as the root user of the account it shows, so what it displays is what the APIs
// answer. The live decision stream is the decision log's own event stream
// (/_iamlocal/decisions with Accept: text/event-stream).
//
// The API sits behind Options.Restrict, the admin endpoints' access check: on loopback it
// answers requests addressed to a loopback name, elsewhere it wants the admin token, which
// the page asks for and sends as Authorization: Bearer. The page and its assets are the same
// bytes for everyone and reveal no state, so they are served without it: a browser cannot
// add the token to a page load, and the page is where the token is entered.
package ui

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"regexp"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// Prefix is the path the dashboard is served under.
const Prefix = "/_iamlocal/ui/"

//go:embed assets
var assets embed.FS

// IAM is what the dashboard asks of the IAM service.
type IAM interface {
	GetAccountAuthorizationDetails(context.Context, *iamapi.GetAccountAuthorizationDetailsRequest) (*iamapi.GetAccountAuthorizationDetailsResponse, error)
	SimulatePrincipalPolicy(context.Context, *iamapi.SimulatePrincipalPolicyRequest) (*iamapi.SimulatePolicyResponse, error)
	SimulateCustomPolicy(context.Context, *iamapi.SimulateCustomPolicyRequest) (*iamapi.SimulatePolicyResponse, error)
}

// Lambda is what the dashboard asks of the Lambda service.
type Lambda interface {
	ListFunctions(context.Context, *lambdaapi.ListFunctionsRequest) (*lambdaapi.ListFunctionsResponse, error)
	GetFunction(context.Context, *lambdaapi.GetFunctionRequest) (*lambdaapi.GetFunctionResponse, error)
	ListVersionsByFunction(context.Context, *lambdaapi.ListVersionsByFunctionRequest) (*lambdaapi.ListVersionsByFunctionResponse, error)
	ListAliases(context.Context, *lambdaapi.ListAliasesRequest) (*lambdaapi.ListAliasesResponse, error)
	ListFunctionUrlConfigs(context.Context, *lambdaapi.ListFunctionUrlConfigsRequest) (*lambdaapi.ListFunctionUrlConfigsResponse, error)
	GetPolicy(context.Context, *lambdaapi.GetPolicyRequest) (*lambdaapi.GetPolicyResponse, error)
}

// Logs is what the dashboard asks of CloudWatch Logs.
type Logs interface {
	FilterLogEvents(context.Context, *logsapi.FilterLogEventsRequest) (*logsapi.FilterLogEventsResponse, error)
}

// Metrics is what the dashboard asks of CloudWatch.
type Metrics interface {
	GetMetricStatistics(context.Context, *cloudwatchapi.GetMetricStatisticsInput) (*cloudwatchapi.GetMetricStatisticsOutput, error)
}

// Decisions is the decision log the dashboard reads matched statements from.
type Decisions interface {
	Snapshot() []authorize.Decision
}

// Account is one configured account as the dashboard shows it: never its secret.
type Account struct {
	ID          string `json:"id"`
	AccessKeyID string `json:"rootAccessKeyId"`
}

// Options configure the dashboard. The services, the decision log and Restrict are required.
type Options struct {
	Accounts    []Account // the first is the default
	Region      string    // the default region of regional pages
	Partition   string
	Enforcement string // as the accounts page reports it
	Version     string
	IAM         IAM
	Lambda      Lambda
	Logs        Logs
	Metrics     Metrics
	Decisions   Decisions
	// PolicyNotes returns what the policy lint found in the documents stored lately, oldest
	// first; nil shows none.
	PolicyNotes func() []PolicyNote
	// Suggest is the least-privilege policy for what a principal did since then, and how many
	// calls it covers (the server's SuggestPolicy); nil offers none.
	Suggest func(principal string, since time.Time) (policy []byte, calls int)
	Clock       func() time.Time
	IDs         ids.Generator // request ids of the calls the dashboard makes
	Logger      *slog.Logger
	// Restrict wraps the JSON API in the admin endpoints' access check; without it the API
	// refuses every request rather than answer unchecked.
	Restrict func(http.Handler) http.Handler
}

// Dashboard serves the page, its assets and its API.
type Dashboard struct {
	opts Options
	mux  *http.ServeMux
}

// New returns the dashboard.
func New(opts Options) *Dashboard {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.IDs.Src == nil {
		opts.IDs = ids.Generator{Src: ids.Crypto{}}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.Partition == "" {
		opts.Partition = arn.DefaultPartition
	}
	restrict := opts.Restrict
	if restrict == nil {
		restrict = func(http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				writeJSON(w, http.StatusForbidden, apiError{Code: "Forbidden", Message: "the dashboard's API has no access check configured"})
			})
		}
	}
	d := &Dashboard{opts: opts, mux: http.NewServeMux()}
	static, _ := fs.Sub(assets, "assets") // a directory embedded above: cannot fail
	files := http.StripPrefix(Prefix, http.FileServerFS(static))
	d.mux.Handle("GET "+Prefix+"{$}", files) // index.html
	d.mux.Handle("GET "+Prefix+"app/", files)
	api := http.NewServeMux()
	api.Handle("GET "+Prefix+"api/accounts", d.endpoint(d.accounts))
	api.Handle("GET "+Prefix+"api/iam", d.endpoint(d.iam))
	api.Handle("GET "+Prefix+"api/functions", d.endpoint(d.functions))
	api.Handle("GET "+Prefix+"api/functions/{name}", d.endpoint(d.function))
	api.Handle("POST "+Prefix+"api/simulate", d.endpoint(d.simulate))
	api.Handle("GET "+Prefix+"api/suggest", d.endpoint(d.suggest))
	api.HandleFunc(Prefix+"api/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, apiError{Code: "NotFound", Message: "no dashboard API " + r.Method + " " + r.URL.Path})
	})
	d.mux.Handle(Prefix+"api/", restrict(api))
	d.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no dashboard page "+r.URL.Path, http.StatusNotFound)
	})
	return d
}

// ServeHTTP serves the dashboard with headers that keep other pages from framing it or
// injecting into it: everything it loads is its own (no inline script or style).
func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'")
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	d.mux.ServeHTTP(w, r)
}

// apiError is how the API answers a failure.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// badRequest is a request the dashboard cannot answer as asked (an unknown account).
type badRequest struct{ msg string }

func (e *badRequest) Error() string { return e.msg }

// endpoint adapts an API function: its answer is encoded whole before the status is written.
// AWS errors keep their status and code (a function that does not exist is 404
// ResourceNotFoundException); anything else is logged and answered as an internal failure.
func (d *Dashboard) endpoint(fn func(*http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := fn(r)
		var bad *badRequest
		switch e, isAWS := awserr.As(err); {
		case err == nil:
			writeJSON(w, http.StatusOK, out)
		case errors.As(err, &bad):
			writeJSON(w, http.StatusBadRequest, apiError{Code: "BadRequest", Message: bad.msg})
		case isAWS:
			writeJSON(w, e.Status, apiError{Code: e.Code, Message: e.Message})
		default:
			d.opts.Logger.Error("dashboard", "path", r.URL.Path, "err", err)
			writeJSON(w, http.StatusInternalServerError, apiError{Code: "InternalFailure", Message: "internal failure"})
		}
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // the page puts text in the DOM as text; nosniff keeps it from being read as HTML
	out := []byte(`{"code":"InternalFailure","message":"internal failure"}` + "\n")
	if err := enc.Encode(v); err == nil {
		out = body.Bytes()
	} else {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(out)
}

// scope is the account and region a request asks about: a configured account (the first when
// none is named) and a region name (the server's when none is named).
type scope struct{ account, region string }

// regionName accepts what a region name can be (us-east-1, us-gov-west-1, eusc-de-east-1):
// iamlocal keeps state for any region a request names.
var regionName = regexp.MustCompile(`^[a-z0-9]{1,16}(-[a-z0-9]{1,16}){0,4}$`)

func (d *Dashboard) scopeOf(r *http.Request) (scope, error) {
	q := r.URL.Query()
	sc := scope{account: q.Get("account"), region: q.Get("region")}
	if sc.account == "" && len(d.opts.Accounts) > 0 {
		sc.account = d.opts.Accounts[0].ID
	}
	if !d.configured(sc.account) {
		return scope{}, &badRequest{"no configured account " + sc.account}
	}
	if sc.region == "" {
		sc.region = d.opts.Region
	}
	if !regionName.MatchString(sc.region) {
		return scope{}, &badRequest{"not a region name: " + sc.region}
	}
	return sc, nil
}

func (d *Dashboard) configured(account string) bool {
	for _, a := range d.opts.Accounts {
		if a.ID == account {
			return true
		}
	}
	return false
}

// asRoot is the context of a call the dashboard makes: the root user of the scope's account,
// in its region, at the server's time, as the pipeline would hand a request to a handler.
// The call is not authorized or recorded in the decision log: the root user is allowed
// everything the dashboard asks, and reading the dashboard decides nothing.
func (d *Dashboard) asRoot(ctx context.Context, sc scope, service string) context.Context {
	root := arn.Scope{Partition: d.opts.Partition, Account: sc.account}.Root().String()
	return reqctx.With(ctx, &reqctx.Info{RequestID: d.opts.IDs.UUID(), Service: service, Region: sc.region,
		Partition: d.opts.Partition, Now: d.opts.Clock(),
		Caller: reqctx.Caller{Type: reqctx.Account, Account: sc.account, ARN: root, UserID: sc.account}})
}

func (d *Dashboard) policyNotes() []PolicyNote {
	if d.opts.PolicyNotes == nil {
		return nil
	}
	return d.opts.PolicyNotes()
}

// overview is the accounts page.
type overview struct {
	Accounts    []Account `json:"accounts"`
	Region      string    `json:"region"`
	Partition   string    `json:"partition"`
	Enforcement string    `json:"enforcement"`
	Version     string    `json:"version"`
}

func (d *Dashboard) accounts(*http.Request) (any, error) {
	accounts := append([]Account{}, d.opts.Accounts...)
	return overview{Accounts: accounts, Region: d.opts.Region, Partition: d.opts.Partition,
		Enforcement: d.opts.Enforcement, Version: d.opts.Version}, nil
}
