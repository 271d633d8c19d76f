package emulator

import (
	"errors"
	"io"
	"net"
	"net/http"

	"github.com/iamlocal/iamlocal/emulator/lambda"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/sigv4"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_iamlocal/health", s.health)
	mux.HandleFunc("POST /_iamlocal/reset", s.reset)
	mux.HandleFunc("POST /moto-api/reset", s.reset)
	mux.Handle("GET /_iamlocal/decisions", s.authz.Log())
	mux.HandleFunc("PUT /_iamlocal/oidc-keys", s.putOIDCKeys)
	mux.HandleFunc("GET "+lambda.CodePath+"{account}/{region}/{key}", s.lambdaCode)
	mux.HandleFunc("GET /_iamlocal/outbound-jwks/{account}", s.outboundJWKS)
	mux.HandleFunc("/", s.serveAPI)
	return recoverer(s, mux)
}

// serveAPI is the request pipeline: body -> service -> SigV4 -> caller -> serve (route,
// decode, validate, authorize, handler, encode).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	now := s.clock()
	info := &reqctx.Info{RequestID: s.ids.UUID(), Region: s.opts.Region, Partition: s.opts.Partition, Now: now,
		SourceIP: remoteIP(r), Secure: r.TLS != nil}
	body, err := io.ReadAll(io.LimitReader(r.Body, s.opts.MaxBodyBytes+1))
	parsed, perr := sigv4.Parse(r)
	svc, face := s.serviceFor(r, body, parsed)
	c := call{svc: svc, face: face, w: w, info: info}
	defer s.recover(c)
	if err != nil {
		c.fail(awserr.New("InvalidRequest", http.StatusBadRequest, true, "Could not read the request body."))
		return
	}
	if int64(len(body)) > s.opts.MaxBodyBytes {
		c.fail(awserr.New("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, true,
			"Request must be smaller than %d bytes for the operation", s.opts.MaxBodyBytes))
		return
	}
	info.Service = svc.signingName
	ctx := reqctx.With(r.Context(), info)
	if perr != nil {
		se := asSigErr(perr)
		if se.Kind == sigv4.KindMissingAuthentication && len(svc.unsigned) > 0 {
			s.serve(ctx, c, r, body, se)
			return
		}
		c.fail(svc.dialect.Auth(se))
		return
	}
	if parsed.Region != "" {
		info.Region = parsed.Region
	}
	caller, err := s.authenticate(parsed, r, body, now, svc.dialect.MaxSkew)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			c.fail(svc.dialect.Auth(se))
			return
		}
		s.log.Error("authenticate", "err", err, "request_id", info.RequestID)
		c.fail(svc.dialect.Internal())
		return
	}
	info.Caller = caller
	s.serve(ctx, c, r, body, nil)
}

// serviceFor picks the service from the SigV4 scope, falling back to the request's shape for
// unsigned requests (so they still get their service's error format), and the first service
// of the table when nothing matches.
func (s *Server) serviceFor(r *http.Request, body []byte, p *sigv4.Parsed) (*service, protocol.Codec) {
	if p != nil {
		if svc, ok := s.bySigningName[p.Service]; ok {
			return svc, svc.face(r, body)
		}
	}
	for _, svc := range s.services {
		if face, ok := svc.recognizes(r, body); ok {
			return svc, face
		}
	}
	first := s.services[0]
	return first, first.face(r, body)
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

// recoverer turns a panic outside an API call (the admin endpoints) into a JSON 500 instead
// of a dropped connection; API calls recover in serve, in their own protocol.
func recoverer(s *Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "value", v, "path", r.URL.Path)
				writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "error", "message": "internal failure"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}
