package emulator

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/lambda"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/sigv4"
)

// Function URLs are served on the server's own port, by host
// (http://<url-id>.lambda-url.<region>.localhost:<port>/..., any domain after the region) and
// by path (http://<host>:<port>/_iamlocal/urls/<url-id>/...), the form the API returns. A
// request is authenticated (AWS_IAM: SigV4, service lambda), authorized (both permissions,
// authorize.FunctionURL), turned into the function's event and its answer into the response
// (emulator/lambda urlserve*.go).

// URLAuth is how function URL requests are authorized (IAMLOCAL_URL_AUTH).
type URLAuth string

const (
	// URLAuthCurrent requires lambda:InvokeFunctionUrl and lambda:InvokeFunction, as AWS has
	// since October 2025 (the default).
	URLAuthCurrent URLAuth = "current"
	// URLAuthLegacy requires lambda:InvokeFunctionUrl alone, the older rule that suites
	// written before it expect.
	URLAuthLegacy URLAuth = "legacy"
)

// ParseURLAuth reads a URL authorization mode; "" is URLAuthCurrent.
func ParseURLAuth(s string) (URLAuth, error) {
	switch URLAuth(s) {
	case "", URLAuthCurrent:
		return URLAuthCurrent, nil
	case URLAuthLegacy:
		return URLAuthLegacy, nil
	}
	return "", errors.New("function URL authorization " + strconv.Quote(s) + ": want current or legacy")
}

// Answers of the URL frontend that no function gives, as AWS words them.
const (
	// A URL whose id names nothing: localstack test_lambda_url_non_existing_url (aws.validated).
	urlUnknownBody = `{"Message":null}`
	// A request the URL's authorization refuses, or a URL whose alias is gone: localstack
	// test_lambda_url_persists_after_alias_delete (aws.validated, recorded November 2025).
	urlForbiddenBody = `{"Message":"Forbidden. For troubleshooting Function URL authorization issues, see: https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html"}`
)

// urlHost reads a host-form Host header: <url-id>.lambda-url.<region>.<domain...>.
func urlHost(host string) (id, region string, ok bool) {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	labels := strings.Split(strings.ToLower(host), ".")
	if len(labels) < 4 || labels[1] != "lambda-url" || labels[0] == "" || labels[2] == "" {
		return "", "", false
	}
	return labels[0], labels[2], true
}

// byURLHost sends requests on a *.lambda-url.* host to their function URL, before the API
// pipeline (whose routing by signing scope would take a signed URL request for an API call).
func (s *Server) byURLHost(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if id, region, ok := urlHost(r.Host); ok {
			s.serveFunctionURL(w, r, id, region, r.URL.EscapedPath())
			return
		}
		next.ServeHTTP(w, r)
	})
}

// servePathURL serves /_iamlocal/urls/<url-id>/<path>: the function sees /<path>.
func (s *Server) servePathURL(w http.ResponseWriter, r *http.Request) {
	rest := strings.TrimPrefix(r.URL.EscapedPath(), lambda.URLPath)
	id, path, _ := strings.Cut(rest, "/")
	s.serveFunctionURL(w, r, strings.ToLower(id), "", "/"+path)
}

// urlCall is one request to a function URL on its way.
type urlCall struct {
	w         http.ResponseWriter
	r         *http.Request
	requestID string
}

// fail answers with the URL frontend's own JSON error.
func (c urlCall) fail(status int, errorType, body string) {
	h := c.w.Header()
	h.Set("Content-Type", "application/json")
	if errorType != "" {
		h.Set("x-amzn-ErrorType", errorType)
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", c.requestID)
	c.w.WriteHeader(status)
	_, _ = c.w.Write([]byte(body))
}

// failWith answers an AWS error as the URL frontend words errors: {"Message": ...}.
func (c urlCall) failWith(e *awserr.Error) {
	c.fail(e.Status, e.Code, `{"Message":`+strconv.Quote(e.Message)+`}`)
}

// write answers a response a function gave.
func (c urlCall) write(res lambda.URLResponse) {
	h := c.w.Header()
	for k, v := range res.Header {
		h[k] = v
	}
	h.Set("Content-Length", strconv.Itoa(len(res.Body)))
	h.Set("x-amzn-RequestId", c.requestID)
	c.w.WriteHeader(res.Status)
	if c.r.Method != http.MethodHead {
		_, _ = c.w.Write(res.Body)
	}
}

// serveFunctionURL answers a request to the URL id; rawPath is the path the function sees.
// hostRegion is the region a host-form request names (it must be the URL's), "" for the path
// form.
func (s *Server) serveFunctionURL(w http.ResponseWriter, r *http.Request, id, hostRegion, rawPath string) {
	now := s.clock()
	c := urlCall{w: w, r: r, requestID: s.ids.UUID()}
	target, err := s.lambdaSvc.LookupURL(id)
	if errors.Is(err, lambda.ErrNoURL) || err == nil && hostRegion != "" && hostRegion != target.Region {
		c.fail(http.StatusForbidden, "AccessDeniedException", urlUnknownBody)
		return
	} else if err != nil {
		s.urlInternal(c, err)
		return
	}
	body, err := s.bodyReader(w).read(r, executor.MaxRequestPayload)
	if err != nil {
		var big *errBodyTooLarge
		if errors.As(err, &big) {
			c.failWith(lambdaTooLarge("Invoke", big.size, executor.MaxRequestPayload))
		} else {
			c.fail(http.StatusBadRequest, "InvalidRequestContentException", `{"Message":"Could not read the request body."}`)
		}
		return
	}
	if lambda.IsPreflight(target.Cors, r.Method, r.Header) {
		c.write(lambda.URLResponse{Status: http.StatusOK, Header: lambda.PreflightHeaders(target.Cors, r.Header)})
		return
	}
	info := &reqctx.Info{RequestID: c.requestID, Service: "lambda", Operation: "InvokeFunctionUrl", Region: target.Region,
		Partition: s.opts.Partition, Now: now, SourceIP: remoteIP(r), Secure: r.TLS != nil}
	if target.AuthType == "AWS_IAM" && !s.authenticateURL(c, info, body, now) {
		return
	}
	ctx := reqctx.With(r.Context(), info)
	fn := arn.Function{Scope: arn.Scope{Partition: s.opts.Partition, Region: target.Region, Account: target.Account},
		Name: target.Function, Qualifier: target.Qualifier}
	err = s.authz.AuthorizeFunctionURL(ctx, info, authorize.FunctionURL{Function: fn, AuthType: target.AuthType, Legacy: s.opts.URLAuth == URLAuthLegacy})
	if _, denied := awserr.AsDenial(err); denied {
		c.fail(http.StatusForbidden, "AccessDeniedException", urlForbiddenBody)
		return
	} else if err != nil {
		s.urlInternal(c, err)
		return
	}
	req := lambda.URLRequest{Method: r.Method, RawPath: rawPath, RawQuery: r.URL.RawQuery, Protocol: r.Proto, Host: r.Host,
		DomainName: urlDomain(r.Host, hostRegion, id, target.Region), Header: r.Header, Body: body,
		SourceIP: info.SourceIP, Secure: info.Secure, RequestID: c.requestID, Time: now}
	if target.AuthType == "AWS_IAM" {
		req.Caller = &info.Caller
	}
	event, err := lambda.URLEvent(target, req)
	if err != nil {
		s.urlInternal(c, err)
		return
	}
	if target.Streams() {
		s.streamURL(ctx, c, target, event)
		return
	}
	res, err := s.lambdaSvc.InvokeURL(ctx, target, c.requestID, event, nil)
	s.answerURL(c, target, res, err)
}

// authenticateURL verifies the SigV4 signature an AWS_IAM URL needs ("you must sign each HTTP
// request using AWS Signature Version 4", "Invoking Lambda function URLs"), signed for
// lambda, and sets the caller; an unsigned request is forbidden.
func (s *Server) authenticateURL(c urlCall, info *reqctx.Info, body []byte, now time.Time) bool {
	parsed, perr := sigv4.Parse(c.r)
	if perr != nil {
		if se := asSigErr(perr); se.Kind != sigv4.KindMissingAuthentication {
			c.failWith(lambdaDialect.Auth(se))
			return false
		}
		c.fail(http.StatusForbidden, "AccessDeniedException", urlForbiddenBody)
		return false
	}
	if parsed.Service != "lambda" {
		c.fail(http.StatusForbidden, "AccessDeniedException", urlForbiddenBody)
		return false
	}
	caller, err := s.authenticate(parsed, c.r, body, now, lambdaDialect.MaxSkew)
	var se *sigv4.Error
	if errors.As(err, &se) {
		c.failWith(lambdaDialect.Auth(se))
		return false
	} else if err != nil {
		s.urlInternal(c, err)
		return false
	}
	info.Caller = caller
	return true
}

// answerURL answers a buffered URL invocation: the function's answer mapped to HTTP, 502 for a
// function error or an answer that is no response, the platform's own errors as such.
func (s *Server) answerURL(c urlCall, t lambda.URLTarget, res executor.Result, err error) {
	if err != nil {
		s.urlInvokeError(c, err)
		return
	}
	out := lambda.URLFunctionError()
	if res.FunctionError == "" {
		if mapped, err := lambda.MapURLResponse(res.Payload); err == nil {
			out = mapped
		}
	}
	lambda.ApplyCORS(t.Cors, c.r.Header.Get("Origin"), out.Header)
	c.write(out)
}

// urlInvokeError answers an invocation that failed on the platform's side (throttled, the
// role gone, the runtime missing) with its status and code.
func (s *Server) urlInvokeError(c urlCall, err error) {
	if e, ok := awserr.As(err); ok {
		c.failWith(e)
		return
	}
	s.urlInternal(c, err)
}

func (s *Server) urlInternal(c urlCall, err error) {
	s.log.Error("function URL", "err", err, "request_id", c.requestID)
	s.noteStorageFailure(err)
	c.failWith(lambdaDialect.Internal())
}

// urlDomain is the domain the function is told it was called at: the host of a host-form
// request, AWS's name for the URL otherwise.
func urlDomain(host, hostRegion, id, region string) string {
	if hostRegion != "" {
		if h, _, err := net.SplitHostPort(host); err == nil {
			return h
		}
		return host
	}
	return id + ".lambda-url." + region + ".on.aws"
}

// streamURL answers a RESPONSE_STREAM URL as the function streams: the prelude's status and
// headers (or 200 and the stream's content type) once known, then each chunk as it comes.
// Streamed responses go on when the client leaves ("Response streaming for Lambda
// functions"), so the invocation does not end with the request.
func (s *Server) streamURL(ctx context.Context, c urlCall, t lambda.URLTarget, event []byte) {
	st := &urlStream{c: c, t: t, rc: http.NewResponseController(c.w)}
	res, err := s.lambdaSvc.InvokeURL(context.WithoutCancel(ctx), t, c.requestID, event, st)
	if st.sent {
		if err != nil || res.FunctionError != "" {
			// The status is out: the stream stops where the function failed.
			s.log.Info("function URL stream failed midway", "request_id", c.requestID, "function_error", res.FunctionError, "err", err)
		}
		return
	}
	switch {
	case err != nil || res.FunctionError != "":
	case st.prelude != nil:
		res.FunctionError = executor.FunctionErrorUnhandled // the stream ended inside its prelude
	case st.pending != nil:
		st.send(*st.pending) // an empty body
		return
	}
	s.answerURL(c, t, res, err)
}

// urlStream writes a streamed answer to a URL's client (an executor.ResponseStream). The
// status goes out with the first bytes of the body, so a function that fails before writing
// any is answered as a failed function.
type urlStream struct {
	c       urlCall
	t       lambda.URLTarget
	rc      *http.ResponseController
	prelude *lambda.Prelude     // set while an HttpResponseStream prelude is being read
	pending *lambda.URLResponse // the head to send with the first bytes
	sent    bool
}

func (u *urlStream) Start(contentType string) error {
	if contentType == lambda.PreludeContentType {
		u.prelude = &lambda.Prelude{}
		return nil
	}
	h := http.Header{}
	h.Set("Content-Type", contentType)
	u.pending = &lambda.URLResponse{Status: http.StatusOK, Header: h}
	return nil
}

func (u *urlStream) Write(p []byte) (int, error) {
	n := len(p)
	if u.prelude != nil {
		head, rest, done, err := u.prelude.Feed(p)
		if err != nil || !done {
			return n, err
		}
		u.prelude, u.pending, p = nil, &head, rest
	}
	if len(p) == 0 {
		return n, nil
	}
	if !u.sent && u.pending != nil {
		u.send(*u.pending)
	}
	if _, err := u.c.w.Write(p); err != nil {
		return 0, err
	}
	return n, u.rc.Flush()
}

// send writes the head: the function's status and headers, with the URL's CORS headers.
func (u *urlStream) send(head lambda.URLResponse) {
	u.sent = true
	h := u.c.w.Header()
	lambda.ApplyCORS(u.t.Cors, u.c.r.Header.Get("Origin"), head.Header)
	for k, v := range head.Header {
		h[k] = v
	}
	h.Set("x-amzn-RequestId", u.c.requestID)
	u.c.w.WriteHeader(head.Status)
	_ = u.rc.Flush()
}
