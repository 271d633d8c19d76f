package emulator

import (
	"errors"
	"net"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/emulator/lambda"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/emulator/ui"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/sigv4"
)

// routes mounts the admin endpoints (/_iamlocal/..., and moto's /moto-api/...) behind
// adminGuard, the ones that change or reveal state behind the access check too, function URLs
// by path and by host (functionurls.go), and every other path on the API pipeline.
func (s *Server) routes() http.Handler {
	admin := http.NewServeMux()
	admin.HandleFunc("GET /_iamlocal/health", s.health)
	admin.HandleFunc("GET /_iamlocal/outbound-jwks/{account}", s.outboundJWKS)
	admin.Handle("POST /_iamlocal/reset", s.restricted(http.HandlerFunc(s.reset)))
	admin.Handle("POST /moto-api/reset", s.restricted(http.HandlerFunc(s.reset)))
	admin.Handle("GET /_iamlocal/decisions", s.restricted(s.authz.Log()))
	admin.Handle("PUT /_iamlocal/oidc-keys", s.restricted(http.HandlerFunc(s.putOIDCKeys)))
	admin.Handle("GET /metrics", s.restricted(http.HandlerFunc(s.serveMetrics)))
	admin.Handle("GET /_iamlocal/policy/suggest", s.restricted(http.HandlerFunc(s.suggestPolicy)))
	admin.Handle("GET /_iamlocal/state", s.restricted(http.HandlerFunc(s.getState)))
	admin.Handle("PUT /_iamlocal/state", s.restricted(http.HandlerFunc(s.putState)))
	admin.Handle("GET /_iamlocal/snapshots", s.restricted(http.HandlerFunc(s.listSnapshots)))
	admin.Handle("POST /_iamlocal/snapshots/{name}", s.restricted(http.HandlerFunc(s.saveSnapshot)))
	admin.Handle("POST /_iamlocal/snapshots/{name}/restore", s.restricted(http.HandlerFunc(s.restoreSnapshot)))
	admin.Handle("DELETE /_iamlocal/snapshots/{name}", s.restricted(http.HandlerFunc(s.deleteSnapshot)))
	admin.Handle(ui.Prefix, s.dashboard())
	admin.Handle("GET "+lambda.CodePath+"{account}/{region}/{key}/{token}", s.restricted(http.HandlerFunc(s.lambdaCode)))
	admin.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		adminError(w, http.StatusNotFound, "no admin endpoint "+r.Method+" "+r.URL.Path)
	})
	guarded := s.adminGuard(admin)
	mux := http.NewServeMux()
	mux.Handle("/_iamlocal/", guarded)
	mux.Handle("/moto-api/", guarded)
	mux.Handle("GET /metrics", guarded)
	// Function URLs are public endpoints (browsers call them, with CORS), not admin ones.
	mux.HandleFunc(lambda.URLPath, s.servePathURL)
	mux.HandleFunc("/", s.serveAPI)
	return recoverer(s, s.byURLHost(mux))
}

// serveAPI is the request pipeline: service -> body -> SigV4 -> caller -> serve (route,
// decode, validate, authorize, handler, encode). The body is read last of what comes before
// serve and within a limit chosen from what precedes it (limits.go).
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	now := s.clock()
	state := &requestState{info: reqctx.Info{RequestID: s.ids.UUID(), Region: s.opts.Region,
		Partition: s.opts.Partition, Now: now, SourceIP: remoteIP(r), Secure: r.TLS != nil}}
	info := &state.info
	parsed, perr := sigv4.Parse(r)
	if parsed != nil && s.bySigningName[parsed.Service] == nil {
		s.notEmulated(w, r, parsed.Service, info.RequestID)
		return
	}
	// The service and face the request line and headers point to: its limit, and its answer
	// to a body too large or unreadable.
	svc, face := s.serviceFor(r, nil, parsed)
	c := call{svc: svc, face: face, w: w, info: info, out: &state.out}
	defer s.observe(&c, now) // the call as it ends: its service may change once the body is read
	defer s.recover(&c)
	limit := s.limitBefore(c, r, parsed)
	body, err := s.bodyReader(w).read(r, limit.bytes)
	if err != nil {
		c.fail(s.bodyError(c, r, limit, perr, err))
		return
	}
	svc, face = s.serviceFor(r, body, parsed)
	if svc.name == "logs" {
		s.logLines.flush() // function output queued before the request is in what it reads
	}
	c = call{svc: svc, face: face, w: w, info: info, size: int64(len(body)), out: c.out}
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
		s.noteStorageFailure(err)
		c.fail(svc.dialect.Internal())
		return
	}
	info.Caller = caller
	s.serve(ctx, c, r, body, nil)
}

// requestState is what a request's handling fills in, allocated together: the context's
// information and the outcome the log line and metrics report.
type requestState struct {
	info reqctx.Info
	out  outcome
}

// limitBefore is the limit of a request's body, known before it is read: its service's and,
// where the protocol names it outside the body, its operation's. An unsigned request, or one
// signed for a service iamlocal does not serve, is held to the unsigned limit until its
// service is known to accept it.
func (s *Server) limitBefore(c call, r *http.Request, p *sigv4.Parsed) bodyLimit {
	if p == nil || s.bySigningName[p.Service] == nil {
		return bodyLimit{s.unsignedLimit(), c.svc.limits.other.tooLarge}
	}
	return s.limitFor(c.svc, opBeforeBody(c.face, r), r)
}

// bodyError answers a body that could not be read: over its limit, or cut off (a read
// deadline passed, the client went away). An unsigned request over the unsigned limit is
// answered as unsigned when its service serves nothing unsigned, since AWS would answer it so
// at any size.
func (s *Server) bodyError(c call, r *http.Request, l bodyLimit, perr error, err error) *awserr.Error {
	var big *errBodyTooLarge
	if !errors.As(err, &big) {
		return awserr.New("InvalidRequest", http.StatusBadRequest, true, "Could not read the request body.")
	}
	if perr != nil && len(c.svc.unsigned) == 0 {
		if se := asSigErr(perr); se.Kind == sigv4.KindMissingAuthentication {
			return c.svc.dialect.Auth(se)
		}
	}
	tooLarge := l.tooLarge
	if tooLarge == nil {
		tooLarge = genericTooLarge
	}
	return tooLarge(opBeforeBody(c.face, r), big.size, l.bytes)
}

// bodyReader reads this response's request body within the server's rate.
func (s *Server) bodyReader(w http.ResponseWriter) bodyReader {
	return bodyReader{rc: http.NewResponseController(w), grace: s.opts.BodyTimeout, rate: s.opts.MinBodyRate, now: time.Now}
}

// serviceFor picks the service from the SigV4 scope, falling back to the request's shape for
// unsigned requests (so they still get their service's error format), and the first service
// of the table when nothing matches. Without the body (nil), the shape is the request line's
// and headers'.
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
	// The common host:port with one colon (IPv4) is cut here: SplitHostPort allocates.
	if i := strings.IndexByte(r.RemoteAddr, ':'); i > 0 && strings.LastIndexByte(r.RemoteAddr, ':') == i &&
		r.RemoteAddr[0] != '[' {
		return r.RemoteAddr[:i]
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// recoverer turns a panic outside an API call (the admin endpoints) into a JSON 500 instead
// of a dropped connection; API calls recover in serve, in their own protocol. It also has a
// memory fault panic rather than kill the process: bbolt reads the database through a memory
// mapping, and a file damaged or cut short under a running server makes it touch memory that
// is not there (debug.SetPanicOnFault exists for this; it applies to this goroutine only).
func recoverer(s *Server, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "value", v, "path", r.URL.Path)
				s.notePanic(v, debug.Stack())
				writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "error", "message": "internal failure"})
			}
		}()
		next.ServeHTTP(w, r)
	})
}
