package emulator

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/sigv4"
)

// call is one API request on its way through serve: the service and face that answer it.
type call struct {
	svc  *service
	face protocol.Codec
	w    http.ResponseWriter
	info *reqctx.Info
	size int64    // of the body as it arrived
	out  *outcome // what the request came to, for the log line and the metrics
}

// serve runs an authenticated (or anonymous) request on every protocol the same way: route,
// decode, validate, authorize, call the handler, encode. A request without a signature comes
// with the verifier's complaint (unsigned): only the service's unsigned operations may be
// called so, any other is answered with that complaint.
func (s *Server) serve(ctx context.Context, c call, r *http.Request, body []byte, unsigned *sigv4.Error) {
	if strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip") && c.svc.compressed() {
		raw, err := gunzip(body)
		if err != nil {
			c.fail(awserr.New("SerializationException", http.StatusBadRequest, true, "The request body could not be decompressed."))
			return
		}
		body = raw
		r.Header.Del("Content-Encoding")
	}
	route, rerr := c.face.Route(r, body)
	if unsigned != nil && (rerr != nil || !c.svc.allowsUnsigned(route.Op.Name())) {
		c.fail(c.svc.dialect.Auth(unsigned))
		return
	}
	if rerr != nil {
		c.fail(rerr)
		return
	}
	op := route.Op
	// A Query body's operation is known only now: its own limit may be below its service's.
	if l := s.limitFor(c.svc, op.Name(), r); c.size > l.bytes {
		c.fail(l.tooLarge(op.Name(), c.size, l.bytes))
		return
	}
	c.info.Operation = op.Name()
	in := op.NewInput()
	if err := route.Decode(in); err != nil {
		c.fail(s.wireError(c, err))
		return
	}
	if op.Model.Input != nil {
		if vs := c.svc.dialect.Validate(op.Model.Input, in); len(vs) > 0 {
			c.fail(c.svc.dialect.Invalid(vs))
			return
		}
	}
	err := s.authz.Authorize(ctx, c.info, c.svc.authz, op.Name(), in)
	_, c.out.denied = awserr.AsDenial(err)
	c.out.authorized = err == nil || c.out.denied
	if err != nil {
		c.fail(s.wireError(c, err))
		return
	}
	if streamed := c.svc.streamed[op.Name()]; streamed != nil {
		s.serveStreamed(ctx, c, streamed, in)
		return
	}
	out, err := op.Call(ctx, in)
	if err != nil {
		c.fail(s.wireError(c, err))
		return
	}
	c.write(c.face.Result(op, out, c.info.RequestID))
}

// wireError is err as it goes on the wire: a typed AWS error as is, a denial in the service's
// words, anything else logged here and answered as the service's internal failure, its cause
// never sent.
func (s *Server) wireError(c call, err error) *awserr.Error {
	if e, ok := awserr.As(err); ok {
		return e
	}
	if d, ok := awserr.AsDenial(err); ok {
		return c.svc.dialect.Denied(d.Message)
	}
	s.log.Error("internal failure", "service", c.svc.name, "op", c.info.Operation, "err", err, "request_id", c.info.RequestID)
	s.noteStorageFailure(err)
	return c.svc.dialect.Internal()
}

// recover answers a panic during the call as the service's internal failure, in the protocol
// of the request; it is deferred by serveAPI.
func (s *Server) recover(c *call) {
	if v := recover(); v != nil {
		if v == http.ErrAbortHandler {
			panic(v)
		}
		s.log.Error("panic", "value", v, "service", c.svc.name, "op", c.info.Operation, "request_id", c.info.RequestID)
		s.notePanic(v, debug.Stack())
		c.fail(c.svc.dialect.Internal())
	}
}

func (c call) fail(e *awserr.Error) { c.write(c.face.Failure(e, c.info.RequestID)) }

func (c call) write(res protocol.Wire) {
	c.out.status = res.Status
	writeWire(c.w, res, c.info.RequestID)
}

// writeWire sets the framing headers, then the status, then writes the already-encoded body:
// a response is encoded whole before anything is sent.
func writeWire(w http.ResponseWriter, res protocol.Wire, requestID string) {
	h := w.Header()
	for k, v := range res.Header {
		h[k] = v
	}
	// Canonical keys, set as Set would: Set would canonicalise x-amzn-RequestId anew on every
	// response.
	framing := []string{strconv.Itoa(len(res.Body)), requestID} // one allocation for both
	h["Content-Length"] = framing[0:1:1]
	h["X-Amzn-Requestid"] = framing[1:2:2]
	w.WriteHeader(res.Status)
	_, _ = w.Write(res.Body)
	res.Done()
}

// maxInflated bounds a decompressed request (PutMetricData takes up to 1 MB).
const maxInflated = 8 << 20

// gunzip decompresses a body after the signature, which covers the compressed bytes, has been
// verified: the SDKs compress PutMetricData (Smithy's requestCompression trait; aws-sdk-go-v2
// does it for every size).
func gunzip(body []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxInflated+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxInflated {
		return nil, errors.New("decompressed body too large")
	}
	return raw, nil
}
