package protocol

import (
	"bytes"
	"net/http"
	"sync"

	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// Codec is one wire protocol bound to one service's operations: the only code that reads a
// request's bytes (to route and decode it) and writes a response's. The server runs every
// protocol through the same steps (route, decode, validate, authorize, call, encode); a codec
// supplies the protocol-specific ones.
type Codec interface {
	// Name is the protocol's Smithy name: awsQuery, restJson1, awsJson1_1, rpcv2Cbor.
	Name() string
	// Recognizes reports whether a request has this protocol's shape for this service (an
	// Action of its API version, its X-Amz-Target prefix, one of its paths). It chooses the
	// face of a service that has several, and the service of an unsigned request.
	Recognizes(r *http.Request, body []byte) bool
	// Route finds the operation the request calls. The error is the protocol's own answer to
	// a request it cannot route (InvalidAction, UnknownOperationException, ...).
	Route(r *http.Request, body []byte) (Route, *awserr.Error)
	// Result encodes an operation's output (nil for none).
	Result(op *Operation, out any, requestID string) Wire
	// Failure encodes an error response.
	Failure(e *awserr.Error, requestID string) Wire
}

// Route is a request bound to its operation: Decode fills a fresh input of the operation from
// what the codec read while routing, so the request is parsed once.
type Route struct {
	Op     *Operation
	Decode func(in any) error
}

// Wire is one encoded response. Header carries the Content-Type and any protocol headers;
// the server adds the framing and the request id.
type Wire struct {
	Status int
	Header http.Header
	Body   []byte

	// lent is the pooled buffer Body was written into, handed back by Done.
	lent *bytes.Buffer
	pool *BodyPool
}

// Done hands a pooled body back once it has been written; Body must not be read after. A
// body that was not lent (most codecs allocate theirs) is left to the collector.
func (w Wire) Done() {
	if w.lent != nil {
		w.pool.put(w.lent)
	}
}

// BodyPool lends response buffers, so that a steady stream of answers reuses a few buffers
// instead of allocating one each (the garbage of small requests is most of their cost).
type BodyPool struct{ p sync.Pool }

// maxPooledBody bounds what is kept: one large answer (a long list) must not pin its buffer.
const maxPooledBody = 64 << 10

// Get lends an empty buffer.
func (bp *BodyPool) Get() *bytes.Buffer {
	if b, ok := bp.p.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

func (bp *BodyPool) put(b *bytes.Buffer) {
	if b.Cap() <= maxPooledBody {
		bp.p.Put(b)
	}
}

// Lent is a response whose body is b's content; Done returns b to bp.
func Lent(status int, header http.Header, b *bytes.Buffer, bp *BodyPool) Wire {
	return Wire{Status: status, Header: header, Body: b.Bytes(), lent: b, pool: bp}
}

// Index maps operations by model name, for the codecs that route by name.
func Index(ops []Operation) map[string]*Operation {
	m := make(map[string]*Operation, len(ops))
	for i := range ops {
		m[ops[i].Name()] = &ops[i]
	}
	return m
}

// NewWire is a response with its content type set.
func NewWire(status int, contentType string, body []byte) Wire {
	return Wire{Status: status, Header: http.Header{"Content-Type": {contentType}}, Body: body}
}
