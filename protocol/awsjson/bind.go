package awsjson

import (
	"net/http"
	"strings"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// New binds ops to the AWS JSON protocol c describes: POST / with X-Amz-Target naming one.
func New(c *Codec, ops []protocol.Operation) protocol.Codec {
	return &targeted{Codec: c, ops: protocol.Index(ops)}
}

type targeted struct {
	*Codec
	ops map[string]*protocol.Operation
}

func (t *targeted) Name() string {
	return "awsJson" + strings.ReplaceAll(strings.TrimPrefix(t.ContentType(), "application/x-amz-json-"), ".", "_")
}

// Recognizes a request whose X-Amz-Target names the service.
func (t *targeted) Recognizes(r *http.Request, _ []byte) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), t.Service.TargetPrefix+".")
}

func (t *targeted) Route(r *http.Request, body []byte) (protocol.Route, *awserr.Error) {
	name, named := t.Operation(r.Header.Get("X-Amz-Target"))
	op, known := t.ops[name]
	if !named || !known || r.Method != http.MethodPost {
		return protocol.Route{}, awserr.New("UnknownOperationException", http.StatusBadRequest, true, "%s", "")
	}
	return protocol.Route{Op: op, Decode: func(in any) error { return t.Decode(op.Model, body, in) }}, nil
}

func (t *targeted) Result(op *protocol.Operation, out any, _ string) protocol.Wire {
	return protocol.NewWire(http.StatusOK, t.ContentType(), t.EncodeResult(op.Model, out))
}

func (t *targeted) Failure(e *awserr.Error, _ string) protocol.Wire { return t.EncodeError(e) }
