package emulator

import (
	"encoding/json"
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
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": Version,
		"services": []string{"iam", "sts", "lambda"}, "region": s.opts.Region})
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
