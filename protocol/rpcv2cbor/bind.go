package rpcv2cbor

import (
	"net/http"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// New binds ops to the RPC v2 CBOR face c describes: POST /service/<ServiceName>/operation/<Op>.
func New(c *Codec, ops []protocol.Operation) protocol.Codec {
	return &pathed{Codec: c, ops: protocol.Index(ops)}
}

type pathed struct {
	*Codec
	ops map[string]*protocol.Operation
}

func (*pathed) Name() string { return "rpcv2Cbor" }

// Recognizes a request on one of the service's paths.
func (p *pathed) Recognizes(r *http.Request, _ []byte) bool {
	svc, _, ok := ParsePath(r.URL.Path)
	return ok && svc == p.ServiceName
}

func (p *pathed) Route(r *http.Request, body []byte) (protocol.Route, *awserr.Error) {
	svc, name, ok := ParsePath(r.URL.Path)
	op, known := p.ops[name]
	if !ok || !known || svc != p.ServiceName || r.Method != http.MethodPost {
		return protocol.Route{}, awserr.New("UnknownOperationException", http.StatusNotFound, true, "%s", "")
	}
	return protocol.Route{Op: op, Decode: func(in any) error { return p.Decode(op.Model, body, in) }}, nil
}

func (p *pathed) Result(op *protocol.Operation, out any, _ string) protocol.Wire {
	res := protocol.NewWire(http.StatusOK, ContentType, p.EncodeResult(op.Model, out))
	res.Header.Set(ProtocolHeader, ProtocolValue)
	return res
}

func (p *pathed) Failure(e *awserr.Error, _ string) protocol.Wire { return p.EncodeError(e) }
