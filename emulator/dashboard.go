package emulator

import (
	"net/http"

	"github.com/iamlocal/iamlocal/emulator/iam"
	"github.com/iamlocal/iamlocal/emulator/ui"
)

// dashboard is the web dashboard at /_iamlocal/ui/, its JSON API behind the admin access check.
func (s *Server) dashboard() http.Handler {
	accounts := make([]ui.Account, len(s.opts.Accounts))
	for i, a := range s.opts.Accounts {
		accounts[i] = ui.Account{ID: a.ID, AccessKeyID: a.AccessKeyID}
	}
	// iam.Service keeps all its state in the database, so this instance over the same database
	// answers as the one the API serves.
	iamSvc := iam.New(iam.Options{DB: s.db, Clock: s.clock, IDs: s.ids, Partition: s.opts.Partition})
	return ui.New(ui.Options{Accounts: accounts, Region: s.opts.Region, Partition: s.opts.Partition,
		Enforcement: string(s.authz.Mode()), Version: Version, IAM: iamSvc, Lambda: s.lambdaSvc, Logs: s.logsSvc,
		Metrics: s.metrics, Decisions: s.authz.Log(), Clock: s.clock, IDs: s.ids, Logger: s.log, Restrict: s.restricted})
}
