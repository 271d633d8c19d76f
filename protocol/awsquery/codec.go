package awsquery

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// codec serves a Query service: POST / with a form body, or GET /?Action=..., the two merged.
type codec struct {
	svc *model.Service
	ops map[string]*protocol.Operation
	// resultHeader is every result's header, shared and never written: the server copies
	// its entries into the response.
	resultHeader http.Header
	bodies       protocol.BodyPool
}

// New binds svc's operations to the Query protocol.
func New(svc *model.Service, ops []protocol.Operation) protocol.Codec {
	return &codec{svc: svc, ops: protocol.Index(ops), resultHeader: http.Header{"Content-Type": {"text/xml"}}}
}

// Recognizes a request whose Version is the service's API version.
func (c *codec) Recognizes(r *http.Request, body []byte) bool {
	return Param(r, body, "Version") == c.svc.APIVersion
}

func (c *codec) Route(r *http.Request, body []byte) (protocol.Route, *awserr.Error) {
	params, err := Params(r, body)
	if err != nil {
		return protocol.Route{}, awserr.New("MalformedQueryString", http.StatusBadRequest, true, "%s", err.Error())
	}
	action := params.Get("Action")
	op, ok := c.ops[action]
	if !ok {
		return protocol.Route{}, awserr.New("InvalidAction", http.StatusBadRequest, true,
			"Could not find operation %s for version %s", action, c.svc.APIVersion)
	}
	return protocol.Route{Op: op, Decode: func(in any) error { return Decode(op.Model.Input, params, in) }}, nil
}

func (c *codec) Result(op *protocol.Operation, out any, requestID string) protocol.Wire {
	b := c.bodies.Get()
	AppendResult(b, c.svc, op.Model, out, requestID)
	return protocol.Lent(http.StatusOK, c.resultHeader, b, &c.bodies)
}

func (c *codec) Failure(e *awserr.Error, requestID string) protocol.Wire {
	return protocol.NewWire(e.Status, "text/xml", EncodeError(c.svc, e, requestID))
}

// Param is one parameter of a request that may be a Query call, "" when it has none: from the
// URL, or from a form body.
func Param(r *http.Request, body []byte, name string) string {
	if v := r.URL.Query().Get(name); v != "" {
		return v
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if vals, err := url.ParseQuery(string(body)); err == nil {
			return vals.Get(name)
		}
	}
	return ""
}

func (c *codec) Name() string { return "awsQuery" }
