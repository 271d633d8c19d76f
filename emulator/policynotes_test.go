package emulator

import (
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/emulator/iam"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/lint"
)

// A stored policy with findings is noted and logged, one line per finding; one without is not.
func TestStoredPoliciesAreLinted(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv := testServer(t, Options{Logger: slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	ctx := reqctx.With(context.Background(), &reqctx.Info{RequestID: "req-1", Now: now, Operation: "PutUserPolicy",
		Caller: reqctx.Caller{Account: "123456789012"}})
	tests := []struct {
		doc   string
		codes []string
	}{
		{`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:ListFunctions", "Resource": "*"}]}`, nil},
		{`{"Version": "2012-10-17", "Statement": [{"Sid": "", "Effect": "Allow", "Action": ["lambda:ListEventSourceMapping", "iam:PassRole"], "Resource": "*"}]}`,
			[]string{"EMPTY_SID_VALUE", "INVALID_ACTION", "PASS_ROLE_WITH_STAR_IN_RESOURCE"}},
	}
	for _, tt := range tests {
		srv.lintStored(ctx, iam.PolicyWrite{Operation: "PutUserPolicy", Policy: "user/walker/p", Document: tt.doc})
	}
	notes := srv.PolicyNotes()
	if len(notes) != 1 {
		t.Fatalf("%d notes, want 1: %+v", len(notes), notes)
	}
	n := notes[0]
	if n.Policy != "user/walker/p" || n.Operation != "PutUserPolicy" || n.RequestID != "req-1" || n.Account != "123456789012" || !n.Time.Equal(now) {
		t.Errorf("note %+v", n)
	}
	var codes []string
	for _, f := range n.Findings {
		codes = append(codes, f.IssueCode)
	}
	if strings.Join(codes, ",") != strings.Join(tests[1].codes, ",") {
		t.Errorf("findings %v, want %v", codes, tests[1].codes)
	}
	levels := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var rec map[string]any
		if json.Unmarshal([]byte(line), &rec) != nil || rec["msg"] != "stored policy finding" {
			continue
		}
		code, _ := rec["issue_code"].(string)
		levels[code], _ = rec["level"].(string)
		if rec["request_id"] != "req-1" || rec["policy"] != "user/walker/p" {
			t.Errorf("log line %s", line)
		}
	}
	if want := map[string]string{"EMPTY_SID_VALUE": "INFO", "INVALID_ACTION": "WARN", "PASS_ROLE_WITH_STAR_IN_RESOURCE": "WARN"}; !equalMaps(levels, want) {
		t.Errorf("logged %v, want %v", levels, want)
	}
	if err := srv.Reset(); err != nil {
		t.Fatal(err)
	}
	if notes := srv.PolicyNotes(); len(notes) != 0 {
		t.Errorf("%d notes after a reset", len(notes))
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// The notes keep the latest ones only.
func TestPolicyNotesAreBounded(t *testing.T) {
	t.Parallel()
	var n policyNotes
	for i := range maxPolicyNotes + 3 {
		n.add(PolicyNote{RequestID: string(rune('a' + i%26)), Findings: []lint.Finding{{IssueCode: "X"}}, Policy: time.Duration(i).String()})
	}
	got := n.snapshot()
	if len(got) != maxPolicyNotes || got[0].Policy != time.Duration(3).String() {
		t.Errorf("%d notes from %s", len(got), got[0].Policy)
	}
}
