package rpcv2cbor

import (
	"net/http"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// bound is a Codec with the service's operations: POST /service/<ServiceName>/operation/<Op>.
type bound struct {
	c   *Codec
	ops map[string]*protocol.Operation
}

// New binds ops to the RPC v2 CBOR face c describes.
func New(c *Codec, ops []protocol.Operation) protocol.Codec {
	return &bound{c: c, ops: protocol.Index(ops)}
}

// Recognizes a request on one of the service's paths.
func (b *bound) Recognizes(r *http.Request, _ []byte) bool {
	svc, _, ok := ParsePath(r.URL.Path)
	return ok && svc == b.c.ServiceName
}

func (b *bound) Route(r *http.Request, body []byte) (protocol.Route, *awserr.Error) {
	svc, name, ok := ParsePath(r.URL.Path)
	op, known := b.ops[name]
	if !ok || !known || svc != b.c.ServiceName || r.Method != http.MethodPost {
		return protocol.Route{}, awserr.New("UnknownOperationException", http.StatusNotFound, true, "%s", "")
	}
	return protocol.Route{Op: op, Decode: func(in any) error { return b.c.Decode(op.Model, body, in) }}, nil
}

func (b *bound) Result(op *protocol.Operation, out any, _ string) protocol.Wire {
	return b.wire(http.StatusOK, http.Header{}, b.c.EncodeResult(op.Model, out))
}

func (b *bound) Failure(e *awserr.Error, _ string) protocol.Wire {
	res := b.c.EncodeError(e)
	return b.wire(res.Status, res.Header, res.Body)
}

func (b *bound) wire(status int, h http.Header, body []byte) protocol.Wire {
	h.Set("Content-Type", ContentType)
	h.Set(ProtocolHeader, ProtocolValue)
	return protocol.Wire{Status: status, Header: h, Body: body}
}

func (b *bound) Name() string { return "rpcv2Cbor" }
