package lambda

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/storage"
)

// Function URLs as they are served ("Invoking Lambda function URLs"): a request becomes a
// payload format 2.0 event (urlserve_event.go), the function runs in the URL's account and
// region, and its answer becomes the HTTP response (urlserve_response.go). The server routes
// requests here by host or path, authenticates and authorizes them (emulator/functionurls.go).

// URLTarget is a function URL as a request reaches it.
type URLTarget struct {
	ID                  string
	Account, Region     string
	Function, Qualifier string
	// FunctionARN is the ARN the URL invokes and is authorized on: the alias's for a URL of
	// an alias, else the unqualified function's.
	FunctionARN string
	AuthType    string // AWS_IAM or NONE
	InvokeMode  string // BUFFERED or RESPONSE_STREAM
	Cors        *lambdaapi.Cors
}

// Streams reports a URL in RESPONSE_STREAM mode.
func (t URLTarget) Streams() bool { return t.InvokeMode == "RESPONSE_STREAM" }

// ErrNoURL is LookupURL's answer for an id no URL has (any more).
var ErrNoURL = errors.New("lambda: no function URL with this id")

// LookupURL finds the URL with id, in one read transaction: the index says where it lives,
// and the URL config there must still carry the id (a URL deleted with its function or alias
// leaves a stale index entry).
func (s *Service) LookupURL(id string) (URLTarget, error) {
	var out URLTarget
	err := s.db.View("", func(tx *storage.Tx) error {
		loc, err := storage.LambdaURLIndex(tx).Get(id)
		if isNotFound(err) {
			return ErrNoURL
		} else if err != nil {
			return err
		}
		ftx := tx.In(loc.Account).InRegion(loc.Region)
		r, err := storage.LambdaURLConfigs(ftx, loc.Function).Get(storage.LambdaPolicyKey(loc.Qualifier))
		if isNotFound(err) {
			return ErrNoURL
		} else if err != nil {
			return err
		}
		t := target{partition: s.partition, account: loc.Account, region: loc.Region, name: loc.Function, qualifier: loc.Qualifier}
		if r.URLID != id || !urlTargetExists(ftx, t) {
			return ErrNoURL
		}
		out = URLTarget{ID: id, Account: loc.Account, Region: loc.Region, Function: loc.Function, Qualifier: loc.Qualifier,
			FunctionARN: t.qualifiedARN(), AuthType: r.AuthType, InvokeMode: nonEmpty(r.InvokeMode, "BUFFERED"), Cors: corsOut(r.Cors)}
		return nil
	})
	return out, err
}

// InvokeURL runs the URL's function with event as its payload. Lambda's URL frontend invokes
// the function on its owner's behalf, so the invocation is made in the URL's account and
// region whoever called the URL; its request id is the URL request's (the requestContext's
// requestId, "You can use this ID to trace invocation logs"). With a stream, the response goes
// to it as the runtime sends it (RESPONSE_STREAM).
func (s *Service) InvokeURL(ctx context.Context, t URLTarget, requestID string, event []byte, stream executor.ResponseStream) (executor.Result, error) {
	if s.hooks.Runner == nil {
		return executor.Result{}, errors.New("lambda: function URLs need a runner")
	}
	info := reqctx.From(ctx)
	owner := &reqctx.Info{RequestID: requestID, Service: "lambda", Operation: "InvokeFunctionUrl", Region: t.Region,
		Partition: info.Partition, Now: info.Now, SourceIP: info.SourceIP, Secure: info.Secure,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: t.Account}}
	octx := reqctx.With(ctx, owner)
	p, err := s.prepareCall(octx, t.Function, t.Qualifier, true)
	if err != nil {
		return executor.Result{}, err
	}
	return s.run(octx, p, executor.Invocation{RequestID: requestID, Payload: event, Stream: stream, TraceID: traceHeader(s.clock())})
}

// CORS of function URLs: "Lambda automatically adds the CORS headers to all responses through
// the function URL [...] If there are conflicting headers, the configured CORS headers on the
// function URL take precedence" (Lambda Developer Guide, "Creating and managing Lambda
// function URLs", "Cross-origin resource sharing (CORS)"). A preflight request is answered by
// Lambda itself, without invoking the function.

// IsPreflight reports a CORS preflight request to a URL with CORS configured.
func IsPreflight(c *lambdaapi.Cors, method string, h http.Header) bool {
	return c != nil && method == http.MethodOptions && h.Get("Origin") != "" && h.Get("Access-Control-Request-Method") != ""
}

// PreflightHeaders are the headers of Lambda's answer to a preflight request: the allowed
// origin (the request's, when the configuration allows it), methods and headers, max age and
// credentials. An origin or method the configuration does not allow gets no Allow-* headers,
// which browsers read as a refusal.
func PreflightHeaders(c *lambdaapi.Cors, h http.Header) http.Header {
	out := http.Header{}
	origin := h.Get("Origin")
	method := strings.ToUpper(strings.TrimSpace(h.Get("Access-Control-Request-Method")))
	if !allows(c.AllowOrigins, origin) || !allows(c.AllowMethods, method) {
		return out
	}
	allowOrigin(out, c, origin)
	if len(c.AllowMethods) > 0 {
		out.Set("Access-Control-Allow-Methods", strings.Join(c.AllowMethods, ","))
	}
	if len(c.AllowHeaders) > 0 {
		out.Set("Access-Control-Allow-Headers", strings.Join(c.AllowHeaders, ","))
	}
	if c.MaxAge != nil {
		out.Set("Access-Control-Max-Age", strconv.Itoa(int(*c.MaxAge)))
	}
	return out
}

// ApplyCORS sets the configured CORS headers of an answer to a request from origin, replacing
// any the function set; without a configuration the function's headers stay as they are.
func ApplyCORS(c *lambdaapi.Cors, origin string, h http.Header) {
	if c == nil {
		return
	}
	for k := range h {
		if strings.HasPrefix(strings.ToLower(k), "access-control-") {
			delete(h, k)
		}
	}
	if origin == "" || !allows(c.AllowOrigins, origin) {
		return
	}
	allowOrigin(h, c, origin)
	if len(c.ExposeHeaders) > 0 {
		h.Set("Access-Control-Expose-Headers", strings.Join(c.ExposeHeaders, ","))
	}
}

// allowOrigin names the allowed origin: the request's own, which is right both for a list of
// origins and for "*" (a credentialed request may not be answered "*"), and varies by it.
func allowOrigin(h http.Header, c *lambdaapi.Cors, origin string) {
	h.Set("Access-Control-Allow-Origin", origin)
	h.Add("Vary", "Origin")
	if c.AllowCredentials != nil && *c.AllowCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
}

// allows reports value in list, or list holding "*". Methods, and the scheme and host an
// origin consists of, compare case-insensitively.
func allows(list []string, value string) bool {
	return slices.ContainsFunc(list, func(v string) bool {
		v = strings.TrimSpace(v)
		return v == "*" || strings.EqualFold(v, value)
	})
}
