package awsjson

import (
	"net/http"
	"strings"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// bound is a Codec with the service's operations: POST / with X-Amz-Target naming one.
type bound struct {
	c   *Codec
	ops map[string]*protocol.Operation
}

// New binds ops to the AWS JSON protocol c describes.
func New(c *Codec, ops []protocol.Operation) protocol.Codec {
	return &bound{c: c, ops: protocol.Index(ops)}
}

// Recognizes a request whose X-Amz-Target names the service.
func (b *bound) Recognizes(r *http.Request, _ []byte) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), b.c.Service.TargetPrefix+".")
}

func (b *bound) Route(r *http.Request, body []byte) (protocol.Route, *awserr.Error) {
	name, ok := b.c.Operation(r.Header.Get("X-Amz-Target"))
	op, known := b.ops[name]
	if !ok || !known || r.Method != http.MethodPost {
		return protocol.Route{}, awserr.New("UnknownOperationException", http.StatusBadRequest, true, "%s", "")
	}
	return protocol.Route{Op: op, Decode: func(in any) error { return b.c.Decode(op.Model, body, in) }}, nil
}

func (b *bound) Result(op *protocol.Operation, out any, _ string) protocol.Wire {
	return protocol.NewWire(http.StatusOK, b.c.ContentType(), b.c.EncodeResult(op.Model, out))
}

func (b *bound) Failure(e *awserr.Error, _ string) protocol.Wire {
	res := b.c.EncodeError(e)
	res.Header.Set("Content-Type", b.c.ContentType())
	return protocol.Wire{Status: res.Status, Header: res.Header, Body: res.Body}
}

func (b *bound) Name() string {
	return "awsJson" + strings.ReplaceAll(b.c.ContentType()[len("application/x-amz-json-"):], ".", "_")
}
