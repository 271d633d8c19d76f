package ui

import (
	"encoding/json"
	"net/http"
	"time"
)

// suggestion is the least-privilege policy for a principal's recorded calls.
type suggestion struct {
	Principal string          `json:"principal"`
	Calls     int             `json:"calls"`
	Policy    json.RawMessage `json:"policy"`
}

// suggest answers GET api/suggest?principal=ARN[&since=RFC3339]: the policy that allows what
// the principal (a user, or a role with all its sessions) did, as iamlocal policy suggest prints.
func (d *Dashboard) suggest(r *http.Request) (any, error) {
	principal := r.URL.Query().Get("principal")
	if principal == "" {
		return nil, &badRequest{"want ?principal=<ARN of a user, role or role session>"}
	}
	if d.opts.Suggest == nil {
		return nil, &badRequest{"this server suggests no policies"}
	}
	var since time.Time
	if v := r.URL.Query().Get("since"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			return nil, &badRequest{"since: want an RFC 3339 time, such as 2026-01-02T15:04:05Z"}
		}
		since = t
	}
	policy, calls := d.opts.Suggest(principal, since)
	return suggestion{Principal: principal, Calls: calls, Policy: policy}, nil
}
