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
// delivery to a destination): the same engine as a request signed with the role session's
// credentials, recorded in the decision log under the session's ARN. A Lambda destination is
// decided as Invoke, so the destination's function policy and another account's take part.
func (s *Server) authorizeFunctionRole(ctx context.Context, sess storage.SessionRecord, region, action, resource string) error {
	prefix, op, _ := strings.Cut(action, ":")
	info := &reqctx.Info{RequestID: s.ids.UUID(), Service: prefix, Operation: op, Region: region, Partition: s.opts.Partition,
		Now: s.clock(), Caller: sessionCaller(sess)}
	if action == "lambda:InvokeFunction" {
		info.Operation = "Invoke"
		return s.authz.Authorize(ctx, info, authorize.Lambda, "Invoke", &lambdaapi.InvocationRequest{FunctionName: &resource})
	}
	return s.authz.Authorize(ctx, info, authorize.OnBehalf(action, resource), op, nil)
}
