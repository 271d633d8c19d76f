package emulator

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/emulator/iam"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/lint"
)

// PolicyNote is what the lint found in a policy document IAM has just stored. AWS stores
// such policies without a word (an unknown action, a resource no action matches, iam:PassRole
// on "*"), and they then grant nothing, or too much; iamlocal says so in its log and keeps the
// latest notes for Server.PolicyNotes.
type PolicyNote struct {
	Time      time.Time
	RequestID string
	Account   string
	Operation string // PutUserPolicy, CreatePolicy, ...
	Policy    string // user/alice/name, or a managed policy's ARN (with " v2" for a version)
	Findings  []lint.Finding
}

// maxPolicyNotes bounds the notes kept, as the decision log is bounded.
const maxPolicyNotes = 500

// policyNotes keeps the latest notes, oldest first.
type policyNotes struct {
	mu    sync.Mutex
	notes []PolicyNote
}

func (n *policyNotes) add(note PolicyNote) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if len(n.notes) == maxPolicyNotes {
		n.notes = slices.Delete(n.notes, 0, 1)
	}
	n.notes = append(n.notes, note)
}

func (n *policyNotes) snapshot() []PolicyNote {
	n.mu.Lock()
	defer n.mu.Unlock()
	return slices.Clone(n.notes)
}

func (n *policyNotes) clear() {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.notes = nil
}

// lintStored is IAM's PolicyStored hook: the stored document is checked as the identity policy
// it is, and each finding is logged, suggestions at Info and the rest at Warn, and added to the
// request's decisions in the decision log.
func (s *Server) lintStored(ctx context.Context, w iam.PolicyWrite) {
	findings := lint.Check(w.Document, lint.Options{Type: lint.IdentityPolicy})
	if len(findings) == 0 {
		return
	}
	info := reqctx.From(ctx)
	s.policyNotes.add(PolicyNote{Time: info.Now, RequestID: info.RequestID, Account: info.Caller.Account,
		Operation: w.Operation, Policy: w.Policy, Findings: findings})
	notes := make([]string, 0, len(findings))
	for _, f := range findings {
		start := f.Locations[0].Span.Start
		notes = append(notes, fmt.Sprintf("%s %s %s line %d column %d: %s", f.Type, f.IssueCode, w.Policy, start.Line, start.Column, f.Details))
	}
	s.authz.Log().Annotate(info.RequestID, notes)
	for _, f := range findings {
		level := slog.LevelWarn
		if f.Type == lint.Suggestion {
			level = slog.LevelInfo
		}
		s.log.Log(ctx, level, "stored policy finding", "request_id", info.RequestID, "operation", w.Operation, "policy", w.Policy,
			"finding_type", f.Type, "issue_code", f.IssueCode, "details", f.Details, "line", f.Locations[0].Span.Start.Line,
			"column", f.Locations[0].Span.Start.Column)
	}
}

// PolicyNotes returns what the lint found in the policies stored lately, oldest first: one
// note per stored document with findings, the latest 500.
func (s *Server) PolicyNotes() []PolicyNote { return s.policyNotes.snapshot() }
