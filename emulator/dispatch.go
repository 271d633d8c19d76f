package emulator

import (
	"context"
	"log/slog"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// dispatch is the part of serving an operation that no protocol changes, once a frontend has
// found the operation and decoded its input: model validation (worded by invalid, as each
// protocol words it), the authorization step, the handler.
func dispatch(ctx context.Context, info *reqctx.Info, op protocol.Operation, in any, authorize authorizeFunc,
	invalid func([]protocol.Violation) *awserr.Error) (any, error) {
	if op.Model.Input != nil {
		if vs := protocol.Validate(op.Model.Input, in); len(vs) > 0 {
			return nil, invalid(vs)
		}
	}
	if err := authorize(ctx, info, op.Name(), in); err != nil {
		return nil, err
	}
	return op.Call(ctx, in)
}

// wireError is err as it goes on the wire: a typed AWS error as is, anything else logged here
// and answered as the protocol's internal failure, its cause never sent.
func wireError(log *slog.Logger, err error, info *reqctx.Info, internal func() *awserr.Error) *awserr.Error {
	if e, ok := awserr.As(err); ok {
		return e
	}
	log.Error("internal failure", "op", info.Operation, "err", err, "request_id", info.RequestID)
	return internal()
}
