package executor

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
)

// Response streaming over the Runtime API ("Building a custom runtime": "Response streaming"):
// the runtime posts /invocation/{id}/response with Lambda-Runtime-Function-Response-Mode:
// streaming and a chunked body, and reports an error it meets midway in the trailers
// Lambda-Runtime-Function-Error-Type and Lambda-Runtime-Function-Error-Body (the error
// document, base64).
const (
	headerResponseMode = "Lambda-Runtime-Function-Response-Mode"
	responseStreaming  = "streaming"
	trailerErrorType   = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody   = "Lambda-Runtime-Function-Error-Body"
	// defaultStreamType is the content type of a stream whose runtime named none, as the
	// Node.js runtime client defaults it.
	defaultStreamType = "application/octet-stream"
)

// MaxStreamedResponse bounds a streamed response: "response streaming functions can return
// payloads up to 200 MB, compared to the 6 MB maximum for buffered responses" (Lambda Developer
// Guide, "Response streaming for Lambda functions").
const MaxStreamedResponse = 200 << 20

const streamTooLargeMsg = "Response payload size exceeded maximum allowed payload size (209715200 bytes)."

// ResponseStream receives a response as the runtime sends it, for callers that stream it on
// (InvokeWithResponseStream, function URLs in RESPONSE_STREAM mode). Start comes once, before
// any Write, with the response's content type. A runtime that answers in one piece is
// delivered the same way, in one Write. Errors from the stream stop the delivery, not the
// invocation: "streamed responses are not interrupted or stopped when the invoking client
// connection is broken" (same page).
type ResponseStream interface {
	Start(contentType string) error
	Write(p []byte) (int, error)
}

// guardedStream hands a ResponseStream the runtime's bytes until the invocation has its
// outcome: the caller may then reuse what the stream writes to, so nothing may reach it after.
type guardedStream struct {
	mu      sync.Mutex
	s       ResponseStream
	started bool
	failed  bool // the stream refused a write: the rest is discarded
	closed  bool
}

func newGuardedStream(s ResponseStream) *guardedStream {
	if s == nil {
		return nil
	}
	return &guardedStream{s: s}
}

func (g *guardedStream) start(contentType string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.started {
		return
	}
	g.started = true
	if err := g.s.Start(contentType); err != nil {
		g.failed = true
	}
}

func (g *guardedStream) write(p []byte) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed || g.failed || len(p) == 0 {
		return
	}
	if _, err := g.s.Write(p); err != nil {
		g.failed = true
	}
}

// close ends the delivery; it waits for a write under way.
func (g *guardedStream) close() {
	if g == nil {
		return
	}
	g.mu.Lock()
	g.closed = true
	g.mu.Unlock()
}

// deliver hands a response the runtime sent in one piece to the invocation's stream.
func (iv *invocation) deliver(contentType string, body []byte) {
	if iv.stream == nil {
		return
	}
	if contentType == "" {
		contentType = "application/json"
	}
	iv.stream.start(contentType)
	iv.stream.write(body)
}

// handleStreamedResponse takes a response the runtime streams. The invocation stays the
// runtime's while the body arrives (a deadline can still end it); its outcome is decided when
// the body ends: a response, or the function error the trailers report. Without a stream to
// pass it to (Invoke of a streaming function), the body is gathered as a buffered response is.
func (sb *sandbox) handleStreamedResponse(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	iv, ok := sb.holding(w, id)
	if !ok {
		return
	}
	limit := int64(MaxStreamedResponse)
	if iv.stream == nil {
		limit = MaxResponsePayload
	}
	contentType := r.Header.Get("Content-Type")
	if contentType == "" {
		contentType = defaultStreamType
	}
	if iv.stream != nil {
		iv.stream.start(contentType)
	}
	body, n, err := copyStream(iv.stream, r.Body, limit)
	if err != nil {
		// The runtime went away midway: its exit, or the deadline, decides the outcome.
		rapiError(w, http.StatusBadRequest, "InvalidRequest", "Could not read the request body.")
		return
	}
	if n > limit {
		msg, status := responseTooLargeMsg, http.StatusRequestEntityTooLarge
		if iv.stream != nil {
			msg = streamTooLargeMsg
		}
		if iv, ok := sb.current(w, id, evResponse); ok {
			sb.finish(iv, outcome{kind: outTooLarge, errorType: errTypeResponseTooBig, payload: errorDocument(errTypeResponseTooBig, msg)})
			rapiError(w, status, "RequestEntityTooLarge", rapiPayloadTooLargeMsg)
		}
		return
	}
	if errType := r.Trailer.Get(trailerErrorType); errType != "" {
		doc, _ := base64.StdEncoding.DecodeString(strings.TrimSpace(r.Trailer.Get(trailerErrorBody)))
		if iv, ok := sb.current(w, id, evFunctionError); ok {
			sb.finish(iv, outcome{kind: outFunctionError, errorType: errType, payload: errorBody(errType, doc)})
			rapiAccepted(w)
		}
		return
	}
	if iv, ok := sb.current(w, id, evResponse); ok {
		sb.finish(iv, outcome{kind: outResponse, payload: body})
		rapiAccepted(w)
	}
}

// holding checks that id is the invocation the runtime holds, without ending it.
func (sb *sandbox) holding(w http.ResponseWriter, id string) (*invocation, bool) {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	iv := sb.inflight
	if iv == nil || iv.RequestID != id || sb.state != stateInvoking {
		rapiError(w, http.StatusBadRequest, "InvalidRequestID", "Invalid request ID")
		return nil, false
	}
	return iv, true
}

// copyStream passes r to the stream chunk by chunk as it arrives, or gathers it when there is
// no stream, reading at most limit+1 bytes; n above limit means the body was too large.
func copyStream(s *guardedStream, r io.Reader, limit int64) (gathered []byte, n int64, err error) {
	buf := make([]byte, 32<<10)
	lr := io.LimitReader(r, limit+1)
	for {
		k, rerr := lr.Read(buf)
		if k > 0 {
			n += int64(k)
			if n > limit {
				return nil, n, nil
			}
			if s != nil {
				s.write(buf[:k])
			} else {
				gathered = append(gathered, buf[:k]...)
			}
		}
		if errors.Is(rerr, io.EOF) {
			return gathered, n, nil
		}
		if rerr != nil {
			return nil, n, rerr
		}
	}
}
