package emulator

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/storage"
)

// authorizeFunctionRole decides a call Lambda makes for a function as its execution role (a
// delivery to a destination, the check of a dead-letter queue): the same engine as a request
// signed with the role session's credentials, recorded in the decision log under the session's
// ARN. A Lambda destination is decided as Invoke, so the destination's function policy and
// another account's take part.
func (s *Server) authorizeFunctionRole(ctx context.Context, sess storage.SessionRecord, region, action, resource string) error {
	prefix, op, _ := strings.Cut(action, ":")
	caller := sessionCaller(sess)
	if sess.AccessKeyID == "" { // the role as a session would have it, before one is issued
		caller.Temporary, caller.SessionID = false, ""
	}
	info := &reqctx.Info{RequestID: s.ids.UUID(), Service: prefix, Operation: op, Region: region, Partition: s.opts.Partition,
		Now: s.clock(), Caller: caller}
	if action == "lambda:InvokeFunction" {
		info.Operation = "Invoke"
		return s.authz.Authorize(ctx, info, authorize.Lambda, "Invoke", &lambdaapi.InvocationRequest{FunctionName: &resource})
	}
	return s.authz.Authorize(ctx, info, authorize.OnBehalf(action, resource), op, nil)
}
