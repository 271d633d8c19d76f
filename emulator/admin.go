package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/iamlocal/iamlocal/storage"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	var body bytes.Buffer
	enc := json.NewEncoder(&body)
	enc.SetEscapeHTML(false) // messages name <placeholders>; nosniff keeps browsers from rendering them
	_ = enc.Encode(v)        // plain maps of strings always encode; Encode ends with a newline
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(body.Bytes())
}

// health reports liveness and what this server emulates. A storage failure met since start
// makes it "degraded" with 503, so that health checks such as `curl -f` notice.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	names := make([]string, len(s.services))
	for i, svc := range s.services {
		names[i] = svc.name
	}
	body := map[string]any{"status": "ok", "version": Version, "services": names, "region": s.opts.Region,
		"isolation": s.Isolation()}
	status := http.StatusOK
	if failure := s.storageFailure.Load(); failure != nil {
		body["status"], body["storage"] = "degraded", *failure
		status = http.StatusServiceUnavailable
	}
	writeJSON(w, status, body)
}

// noteStorageFailure records err for health when it is the database's own failure.
func (s *Server) noteStorageFailure(err error) {
	if s.db.Failure(err) {
		msg := err.Error()
		s.storageFailure.CompareAndSwap(nil, &msg)
	}
}

// notePanic records for health a recovered panic that came from the database.
func (s *Server) notePanic(v any, stack []byte) {
	if storage.PanicFailure(v, stack) {
		msg := fmt.Sprintf("panic reading the database: %v", v)
		s.storageFailure.CompareAndSwap(nil, &msg)
	}
}

// Isolation says what separates Lambda functions from the host (executor.Executor.Isolation).
func (s *Server) Isolation() string { return s.exec.Isolation() }

// reset returns every account to its initial state (also served at moto's /moto-api/reset).
func (s *Server) reset(w http.ResponseWriter, _ *http.Request) {
	if err := s.Reset(); err != nil {
		s.log.Error("reset", "err", err)
		s.noteStorageFailure(err)
		writeJSON(w, http.StatusInternalServerError, map[string]string{"status": "error"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "reset"})
}

// putOIDCKeys stores the signing keys (a JWKS document) of an OIDC issuer, against which
// AssumeRoleWithWebIdentity verifies tokens: iamlocal reaches no identity provider, so the
// keys are supplied locally. PUT /_iamlocal/oidc-keys?issuer=https://token.actions.githubusercontent.com
func (s *Server) putOIDCKeys(w http.ResponseWriter, r *http.Request) {
	issuer := r.URL.Query().Get("issuer")
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil || issuer == "" {
		writeJSON(w, http.StatusBadRequest, map[string]string{"status": "error", "message": "want ?issuer=<url> and a JWKS body"})
		return
	}
	if err := s.sts.SetIssuerKeys(issuer, body); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"status": "error", "message": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok", "issuer": issuer})
}

// outboundJWKS serves the public keys that verify an account's GetWebIdentityToken tokens.
func (s *Server) outboundJWKS(w http.ResponseWriter, r *http.Request) {
	body, err := s.sts.OutboundJWKS(r.PathValue("account"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "error", "message": err.Error()})
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(body)
}

// lambdaCode serves a function's deployment package: the Code.Location GetFunction returns.
func (s *Server) lambdaCode(w http.ResponseWriter, r *http.Request) {
	zip, err := s.lambdaSvc.Code(r.PathValue("account"), r.PathValue("region"), r.PathValue("key"), r.PathValue("token"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "error", "message": "no such code"})
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	_, _ = w.Write(zip)
}
