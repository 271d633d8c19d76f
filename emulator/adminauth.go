package emulator

import (
	"bytes"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/sigv4"
)

// AdminAccess is who may call the admin endpoints that change or reveal state (reset, the
// decision log, OIDC keys, Lambda code downloads). Health and the outbound JWKS (public keys,
// as AWS publishes them) are open to anyone.
type AdminAccess int

const (
	// AdminLoopback (the zero value) trusts unsigned requests addressed to a loopback host
	// name: the server is reached from this machine only (127.0.0.1, emulatortest). Scripts
	// and moto-style suites reset it with a bare POST.
	AdminLoopback AdminAccess = iota
	// AdminAuthenticated wants a request signed (SigV4, any service name) with an account's
	// root credentials, or the admin token: the server listens where others reach it.
	AdminAuthenticated
)

// AdminAccessFor is the access a server listening on addr (host:port) needs: AdminLoopback
// only when the host is a loopback address or "localhost"; an empty host or 0.0.0.0 listens on
// every interface.
func AdminAccessFor(addr string) AdminAccess {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		host = addr
	}
	if loopbackHost(host) {
		return AdminLoopback
	}
	return AdminAuthenticated
}

// loopbackHost reports a host (no port) that names this machine only.
func loopbackHost(host string) bool {
	host = strings.TrimSuffix(strings.Trim(host, "[]"), ".")
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// maxAdminBody bounds an admin request body read to verify its signature (a JWKS document).
const maxAdminBody = 1 << 20

// adminToken returns the configured admin token or, for AdminAuthenticated without one, a new
// one from the injected ids source (cmd/iamlocal prints it).
func adminToken(opts Options) string {
	if opts.AdminToken != "" || opts.AdminAccess != AdminAuthenticated {
		return opts.AdminToken
	}
	b := make([]byte, 24)
	opts.IDs.Read(b)
	return hex.EncodeToString(b)
}

// AdminToken is the token that opens the admin endpoints ("" when none is configured on a
// loopback server): Authorization: Bearer <token>, or X-Iamlocal-Admin-Token: <token>.
func (s *Server) AdminToken() string { return s.adminToken }

// adminGuard serves the admin endpoints so that no web page can drive them. A browser sends
// a page's requests with the page's Origin, and marks them with Sec-Fetch-Site (the Fetch
// Metadata headers): a state-changing request from another site (a form post to
// /moto-api/reset needs no preflight) is refused whatever it carries. No CORS header is ever
// sent, so a preflight fails and no page reads an admin answer.
func (s *Server) adminGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions {
			adminError(w, http.StatusForbidden, "admin endpoints answer no cross-origin requests")
			return
		}
		if changesState(r.Method) && crossSite(r) {
			adminError(w, http.StatusForbidden, "admin endpoints refuse requests from web pages of another origin")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func changesState(method string) bool {
	return method != http.MethodGet && method != http.MethodHead
}

// crossSite reports a request a browser sent for a page of another origin: Sec-Fetch-Site
// cross-site or same-site (a sibling host), or an Origin naming another host than the one
// the request was addressed to ("null" for sandboxed frames and redirects).
func crossSite(r *http.Request) bool {
	switch strings.ToLower(r.Header.Get("Sec-Fetch-Site")) {
	case "cross-site", "same-site":
		return true
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return false
	}
	u, err := url.Parse(origin)
	return err != nil || u.Host == "" || !strings.EqualFold(u.Host, r.Host)
}

// restricted wraps an admin endpoint that changes or reveals state with the access check.
func (s *Server) restricted(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if status, msg := s.adminAllowed(r); status != 0 {
			adminError(w, status, msg)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// adminAllowed returns 0, or the status and message of a refusal. On loopback a request must
// be addressed to a loopback host name, which a page on another site cannot make the browser
// do (DNS rebinding points a name of the attacker's at 127.0.0.1, but the Host stays that
// name); the admin token opens it too. Otherwise the token or a root signature is needed.
func (s *Server) adminAllowed(r *http.Request) (int, string) {
	if s.tokenMatches(r) {
		return 0, ""
	}
	if s.opts.AdminAccess == AdminLoopback {
		host, _, err := net.SplitHostPort(r.Host)
		if err != nil {
			host = r.Host
		}
		if loopbackHost(host) {
			return 0, ""
		}
		return http.StatusForbidden, "unsigned admin requests are served only to a loopback host name (localhost, 127.0.0.1, [::1]); send the admin token to use another"
	}
	err := s.rootSigned(r)
	if err == nil {
		return 0, ""
	}
	if errors.Is(err, errUnsigned) {
		return http.StatusUnauthorized, "this server listens beyond loopback: admin requests need a SigV4 signature with an account's root credentials, or Authorization: Bearer <admin token> (IAMLOCAL_ADMIN_TOKEN)"
	}
	return http.StatusForbidden, err.Error()
}

// tokenMatches reports a request carrying the admin token (compared in constant time).
func (s *Server) tokenMatches(r *http.Request) bool {
	if s.adminToken == "" {
		return false
	}
	got := r.Header.Get("X-Iamlocal-Admin-Token")
	if bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok && got == "" {
		got = strings.TrimSpace(bearer)
	}
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.adminToken)) == 1
}

var (
	errUnsigned = errors.New("unsigned")
	errNotRoot  = errors.New("admin requests must be signed with an account's root credentials")
)

// rootSigned verifies the request's SigV4 signature, whatever its service name and region,
// and wants the caller to be an account's root. The body, which the signature covers, is read
// and put back for the endpoint.
func (s *Server) rootSigned(r *http.Request) error {
	parsed, err := sigv4.Parse(r)
	if err != nil {
		if asSigErr(err).Kind == sigv4.KindMissingAuthentication {
			return errUnsigned
		}
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxAdminBody+1))
	if err != nil || len(body) > maxAdminBody {
		return errors.New("could not read a request body of at most 1 MiB")
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	caller, err := s.authenticate(parsed, r, body, s.clock(), sigv4.DefaultMaxSkew)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) {
			return errors.New(se.Message)
		}
		s.log.Error("authenticate admin request", "err", err)
		s.noteStorageFailure(err)
		return errors.New("the signature could not be verified")
	}
	if caller.Type != reqctx.Account {
		return errNotRoot
	}
	return nil
}

// adminError answers a refused or failed admin request: JSON, like every admin answer.
func adminError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"status": "error", "message": msg})
}
