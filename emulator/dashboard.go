package emulator

import (
	"context"
	"net/http"
	"time"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/ui"
)

// dashboard is the web dashboard at /_iamlocal/ui/, its JSON API behind the admin access check.
func (s *Server) dashboard() http.Handler {
	accounts := make([]ui.Account, len(s.opts.Accounts))
	for i, a := range s.opts.Accounts {
		accounts[i] = ui.Account{ID: a.ID, AccessKeyID: a.AccessKeyID}
	}
	return ui.New(ui.Options{Accounts: accounts, Region: s.opts.Region, Partition: s.opts.Partition,
		Enforcement: string(s.authz.Mode()), Version: Version, IAM: s.iamSvc, Lambda: s.lambdaSvc, Logs: flushedLogs{s},
		Metrics: s.metrics, Decisions: s.authz.Log(), PolicyNotes: s.dashboardNotes, Suggest: s.dashboardSuggestion,
		Clock: s.clock, IDs: s.ids, Logger: s.log, Restrict: s.restricted})
}

func (s *Server) dashboardSuggestion(principal string, since time.Time) ([]byte, int) {
	policy, calls := s.SuggestPolicy(principal, since)
	return policy, len(calls)
}

// flushedLogs reads CloudWatch Logs as a Logs request through the pipeline does: with the
// function output queued before the read stored first (logQueue).
type flushedLogs struct{ s *Server }

func (f flushedLogs) FilterLogEvents(ctx context.Context, in *logsapi.FilterLogEventsRequest) (*logsapi.FilterLogEventsResponse, error) {
	f.s.logLines.flush()
	return f.s.logsSvc.FilterLogEvents(ctx, in)
}

// dashboardNotes are the policy notes (PolicyNotes) in the dashboard's terms.
func (s *Server) dashboardNotes() []ui.PolicyNote {
	notes := s.PolicyNotes()
	out := make([]ui.PolicyNote, len(notes))
	for i, n := range notes {
		findings := make([]ui.Finding, len(n.Findings))
		for j, f := range n.Findings {
			findings[j] = ui.Finding{Type: string(f.Type), IssueCode: f.IssueCode, Details: f.Details, LearnMoreLink: f.LearnMoreLink}
			if len(f.Locations) > 0 {
				findings[j].Line, findings[j].Column = f.Locations[0].Span.Start.Line, f.Locations[0].Span.Start.Column
			}
		}
		out[i] = ui.PolicyNote{Time: n.Time, Account: n.Account, Operation: n.Operation, Policy: n.Policy, Findings: findings}
	}
	return out
}
