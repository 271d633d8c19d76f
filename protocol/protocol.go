// Package protocol binds the generated wire types to HTTP: an Operation pairs a model operation
// with its typed handler, and the codecs (awsquery, restjson) are the only code that reads
// request bytes or writes response bytes.
package protocol

import (
	"context"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// Operation is one modelled operation bound to its handler.
type Operation struct {
	Model    *model.Operation
	NewInput func() any                                     // a fresh *XxxRequest
	Call     func(ctx context.Context, in any) (any, error) // typed handler behind an untyped seam
}

// Name is the operation's model name, e.g. "CreateUser".
func (o *Operation) Name() string { return o.Model.Name }

// Ptr returns a pointer to v; handy for filling generated output structs.
func Ptr[T any](v T) *T { return &v }

// Val returns *p, or the zero value when p is nil.
func Val[T any](p *T) T {
	if p == nil {
		var zero T
		return zero
	}
	return *p
}

// Result adapts a typed handler's answer to the untyped seam of Operation.Call, so that a typed
// nil pointer never reaches the encoder as a non-nil interface.
func Result[T any](out *T, err error) (any, error) {
	if err != nil || out == nil {
		return nil, err
	}
	return out, nil
}
