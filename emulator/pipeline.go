package emulator

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/emulator/lambda"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/sigv4"
)

// authorizeFunc is the authorization step a frontend runs between decoding and the handler.
type authorizeFunc func(ctx context.Context, info *reqctx.Info, op string, in any) error

// frontend is one protocol face of the server: it owns routing within its service, decoding,
// encoding and the mapping of authentication failures to its protocol's error codes.
type frontend interface {
	service() string
	maxSkew() time.Duration
	authError(e *sigv4.Error) *awserr.Error
	writeError(w http.ResponseWriter, e *awserr.Error, requestID string)
	serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte, info *reqctx.Info)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_iamlocal/health", s.health)
	mux.HandleFunc("POST /_iamlocal/reset", s.reset)
	mux.HandleFunc("POST /moto-api/reset", s.reset)
	mux.Handle("GET /_iamlocal/decisions", s.authz.Log())
	mux.HandleFunc("PUT /_iamlocal/oidc-keys", s.putOIDCKeys)
	mux.HandleFunc("GET "+lambda.CodePath+"{account}/{key}", s.lambdaCode)
	mux.HandleFunc("GET /_iamlocal/outbound-jwks/{account}", s.outboundJWKS)
	mux.HandleFunc("/", s.serveAPI)
	return recoverer(s, mux)
}

// serveAPI is the request pipeline: body -> service -> SigV4 -> caller -> frontend (route,
// decode, validate, authorize, handler, encode).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	now := s.clock()
	info := &reqctx.Info{RequestID: s.ids.UUID(), Region: s.opts.Region, Partition: s.opts.Partition, Now: now,
		SourceIP: remoteIP(r), Secure: r.TLS != nil}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
	parsed, perr := sigv4.Parse(r)
	front := s.frontendFor(r, body, parsed)
	if err != nil {
		front.writeError(w, awserr.New("InvalidRequest", http.StatusBadRequest, true, "Could not read the request body."), info.RequestID)
		return
	}
	if int64(len(body)) > s.opts.MaxBodyBytes {
		front.writeError(w, awserr.New("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, true,
			"Request must be smaller than %d bytes for the operation", s.opts.MaxBodyBytes), info.RequestID)
		return
	}
	// Readers downstream (form parsing) need the body again.
	r.Body = io.NopCloser(bytes.NewReader(body))
	info.Service = front.service()
	if perr != nil {
		if se := asSigErr(perr); se.Kind == sigv4.KindMissingAuthentication && isAnonymousSTS(front, r, body) {
			// AssumeRoleWithWebIdentity and AssumeRoleWithSAML are called unsigned: the token or
			// assertion is the credential, and the handler checks it.
			front.serve(reqctx.With(r.Context(), info), w, r, body, info)
			return
		}
		front.writeError(w, front.authError(asSigErr(perr)), info.RequestID)
		return
	}
	if parsed.Region != "" {
		info.Region = parsed.Region
	}
	caller, err := s.authenticate(parsed, r, body, now, front.maxSkew())
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			front.writeError(w, front.authError(se), info.RequestID)
			return
		}
		s.log.Error("authenticate", "err", err, "request_id", info.RequestID)
		front.writeError(w, awserr.Internal(), info.RequestID)
		return
	}
	info.Caller = caller
	front.serve(reqctx.With(r.Context(), info), w, r, body, info)
}

// frontendFor picks the service from the SigV4 scope, falling back to the request's shape for
// unsigned requests (so they still get their service's error format).
func (s *Server) frontendFor(r *http.Request, body []byte, p *sigv4.Parsed) frontend {
	if p != nil {
		switch p.Service {
		case "lambda":
			return s.lambda
		case "sts":
			return s.query["sts"]
		case "iam":
			return s.query["iam"]
		case "logs":
			return s.logs
		case "monitoring":
			return s.monitoring.pick(r)
		}
	}
	if f := s.unsignedFace(r, body); f != nil {
		return f
	}
	if looksLikeLambda(r.URL.Path) {
		return s.lambda
	}
	if version := queryParam(r, body, "Version"); version == "2011-06-15" {
		return s.query["sts"]
	}
	return s.query["iam"]
}

// looksLikeLambda matches Lambda's REST paths, which all start with a dated API version.
func looksLikeLambda(path string) bool {
	return len(path) > 12 && path[0] == '/' && path[5] == '-' && path[8] == '-' && strings.HasPrefix(path[1:3], "20")
}

func queryParam(r *http.Request, body []byte, name string) string {
	if v := r.URL.Query().Get(name); v != "" {
		return v
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if vals, err := parseForm(body); err == nil {
			return vals.Get(name)
		}
	}
	return ""
}

func asSigErr(err error) *sigv4.Error {
	var se *sigv4.Error
	if errors.As(err, &se) {
		return se
	}
	return &sigv4.Error{Kind: sigv4.KindIncomplete, Message: err.Error()}
}

func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// writeBody sets the framing headers, then the status, then writes the already-encoded body:
// a response is encoded whole before anything is sent.
func writeBody(w http.ResponseWriter, status int, contentType, requestID string, body []byte, extra http.Header) {
	h := w.Header()
	for k, v := range extra {
		h[k] = v
	}
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("x-amzn-RequestId", requestID)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// recoverer turns a handler panic into InternalFailure instead of a dropped connection.
func recoverer(s *Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "value", v, "path", r.URL.Path)
				s.query["iam"].writeError(w, awserr.Internal(), "")
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// isAnonymousSTS reports an unsigned STS call of one of the two operations AWS serves without
// a signature.
func isAnonymousSTS(front frontend, r *http.Request, body []byte) bool {
	if front.service() != "sts" {
		return false
	}
	switch queryParam(r, body, "Action") {
	case "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML":
		return true
	}
	return false
}
