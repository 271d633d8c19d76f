package restjson

import (
	"net/http"
	"strings"

	"github.com/gorilla/mux"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// codec serves a REST-JSON service: the operation is chosen by method and URI template.
type codec struct {
	svc    *model.Service
	router *mux.Router
	// roots are the first path segments of the service's URIs (Lambda's dated API versions).
	roots map[string]bool
}

// routed is the handler a route carries: it only names the operation, since the server, not
// the router, runs it.
type routed struct{ op *protocol.Operation }

func (routed) ServeHTTP(http.ResponseWriter, *http.Request) {}

// New binds svc's operations to REST-JSON routing.
func New(svc *model.Service, ops []protocol.Operation) protocol.Codec {
	c := &codec{svc: svc, roots: map[string]bool{}}
	byName := protocol.Index(ops)
	c.router = NewRouter(ops, func(op protocol.Operation) http.Handler { return routed{byName[op.Name()]} })
	for _, op := range ops {
		c.roots[root(op.Model.RequestURI)] = true
	}
	return c
}

// root is the first segment of a path.
func root(path string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	first, _, _ = strings.Cut(first, "?")
	return first
}

// Recognizes a path under one of the service's roots.
func (c *codec) Recognizes(r *http.Request, _ []byte) bool {
	return c.roots[root(r.URL.Path)]
}

func (c *codec) Route(r *http.Request, body []byte) (protocol.Route, *awserr.Error) {
	var m mux.RouteMatch
	var h routed
	ok := c.router.Match(r, &m)
	if ok {
		h, ok = m.Handler.(routed)
	}
	if !ok {
		// Paths and methods the service does not have, answered as Lambda's front end does.
		return protocol.Route{}, awserr.New("UnknownOperationException", http.StatusNotFound, true, "Unknown operation %s %s", r.Method, r.URL.Path)
	}
	vars := m.Vars
	return protocol.Route{Op: h.op, Decode: func(in any) error { return Decode(h.op.Model, r, vars, body, in) }}, nil
}

func (c *codec) Result(op *protocol.Operation, out any, _ string) protocol.Wire {
	return wire(EncodeResult(op.Model, out))
}

func (c *codec) Failure(e *awserr.Error, _ string) protocol.Wire { return wire(EncodeError(c.svc, e)) }

func wire(res Result) protocol.Wire {
	res.Header.Set("Content-Type", res.ContentType)
	return protocol.Wire{Status: res.Status, Header: res.Header, Body: res.Body}
}

func (c *codec) Name() string { return "restJson1" }
