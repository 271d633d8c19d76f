package emulator

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/iamlocal/iamlocal/emulator/authorize"
)

// SuggestPolicy is the least-privilege identity policy for what principal (a caller ARN, or a
// role ARN for its sessions) did since then: every call that went through, as authorize.Suggest
// writes it.
func (s *Server) SuggestPolicy(principal string, since time.Time) (policy []byte, calls []authorize.Call) {
	calls = s.authz.Usage().Calls(principal, since)
	return authorize.Suggest(calls), calls
}

// suggestPolicy answers GET /_iamlocal/policy/suggest?principal=ARN[&since=RFC3339].
func (s *Server) suggestPolicy(w http.ResponseWriter, r *http.Request) {
	principal := r.URL.Query().Get("principal")
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			adminError(w, http.StatusBadRequest, "since: want an RFC 3339 time, such as 2026-01-02T15:04:05Z")
			return
		}
		since = t
	}
	if principal == "" {
		adminError(w, http.StatusBadRequest, "want ?principal=<ARN of a user, role or role session>")
		return
	}
	policy, calls := s.SuggestPolicy(principal, since)
	writeJSON(w, http.StatusOK, map[string]any{"principal": principal, "calls": len(calls), "policy": json.RawMessage(policy)})
}
