package emulator

import (
	"encoding/json"
	"io"
	"net/http"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	body, _ := json.Marshal(v) // plain maps of strings always marshal
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(body, '\n'))
}

// health reports liveness and what this server emulates.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	names := make([]string, len(s.services))
	for i, svc := range s.services {
		names[i] = svc.name
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": Version, "services": names, "region": s.opts.Region})
}

// reset returns every account to its initial state (also served at moto's /moto-api/reset).
func (s *Server) reset(w http.ResponseWriter, _ *http.Request) {
	if err := s.Reset(); err != nil {
		s.log.Error("reset", "err", err)
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
	zip, err := s.lambdaSvc.Code(r.PathValue("account"), r.PathValue("region"), r.PathValue("key"))
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"status": "error", "message": "no such code"})
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	_, _ = w.Write(zip)
}
