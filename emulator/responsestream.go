package emulator

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"net/http"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/lambda"
)

// Operations whose answer is an event stream (InvokeWithResponseStream) are written as the
// answer is produced, not encoded whole: serve hands them to serveStreamed once decoded,
// validated and authorized.

// streamedOp runs a streamed operation into w. An error before w began is the operation's
// error, answered as any other.
type streamedOp func(ctx context.Context, in any, w *eventStreamWriter) error

// invocationStreamer is the Lambda service's streamed invoke.
type invocationStreamer interface {
	StreamInvocation(ctx context.Context, in *lambdaapi.InvokeWithResponseStreamRequest, out lambda.InvocationStream) error
}

// lambdaStreamed are Lambda's streamed operations, when the handler streams.
func lambdaStreamed(h lambdaapi.Handler) map[string]streamedOp {
	st, ok := h.(invocationStreamer)
	if !ok {
		return nil
	}
	return map[string]streamedOp{"InvokeWithResponseStream": func(ctx context.Context, in any, w *eventStreamWriter) error {
		return st.StreamInvocation(ctx, in.(*lambdaapi.InvokeWithResponseStreamRequest), w)
	}}
}

// serveStreamed runs a streamed operation; a failure after the stream began is only logged,
// the stream's InvokeComplete event having said what the client needs.
func (s *Server) serveStreamed(ctx context.Context, c call, op streamedOp, in any) {
	w := &eventStreamWriter{w: c.w, rc: http.NewResponseController(c.w), requestID: c.info.RequestID}
	err := op(ctx, in, w)
	if err == nil {
		return
	}
	if !w.begun {
		c.fail(s.wireError(c, err))
		return
	}
	s.log.Info("response stream ended early", "op", c.info.Operation, "err", err, "request_id", c.info.RequestID)
}

// eventStreamWriter writes an invocation stream as AWS's event stream
// (application/vnd.amazon.eventstream): a PayloadChunk event per chunk, each flushed as it
// comes, then an InvokeComplete event (the model's InvokeWithResponseStreamResponseEvent).
type eventStreamWriter struct {
	w         http.ResponseWriter
	rc        *http.ResponseController
	requestID string
	begun     bool
}

var _ lambda.InvocationStream = (*eventStreamWriter)(nil)

// Begin writes the head: the status, X-Amz-Executed-Version and the event stream's content
// type (the model binds ResponseStreamContentType to Content-Type; the stream's framing is what
// it names).
func (e *eventStreamWriter) Begin(h lambda.StreamHead) error {
	e.begun = true
	hd := e.w.Header()
	hd.Set("x-amzn-RequestId", e.requestID)
	if h.Status == http.StatusNoContent {
		hd.Set("Content-Length", "0")
		e.w.WriteHeader(h.Status)
		return nil
	}
	hd.Set("Content-Type", "application/vnd.amazon.eventstream")
	hd.Set("X-Amz-Executed-Version", h.ExecutedVersion)
	e.w.WriteHeader(h.Status)
	return e.rc.Flush()
}

func (e *eventStreamWriter) Chunk(p []byte) error {
	for len(p) > 0 {
		n := min(len(p), maxEventPayload)
		if err := e.event("PayloadChunk", "application/octet-stream", p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

func (e *eventStreamWriter) Complete(done lambdaapi.InvokeWithResponseStreamCompleteEvent) error {
	body, err := json.Marshal(struct {
		ErrorCode    *string `json:"ErrorCode,omitempty"`
		ErrorDetails *string `json:"ErrorDetails,omitempty"`
		LogResult    *string `json:"LogResult,omitempty"`
	}{done.ErrorCode, done.ErrorDetails, done.LogResult})
	if err != nil {
		return err
	}
	return e.event("InvokeComplete", "application/json", body)
}

func (e *eventStreamWriter) event(eventType, contentType string, payload []byte) error {
	if _, err := e.w.Write(eventMessage(eventType, contentType, payload)); err != nil {
		return err
	}
	return e.rc.Flush()
}

// eventMessage frames one event of the event stream encoding: a prelude (total length,
// headers length, the prelude's CRC32), the headers (:event-type, :content-type,
// :message-type event; each a name, type 7 for string, a length and the value), the payload,
// and the CRC32 of everything before it, integers big-endian ("Event stream encoding",
// Amazon Transcribe Developer Guide, which the AWS SDKs' eventstream packages implement).
func eventMessage(eventType, contentType string, payload []byte) []byte {
	var headers bytes.Buffer
	for _, kv := range [][2]string{{":event-type", eventType}, {":content-type", contentType}, {":message-type", "event"}} {
		headers.WriteByte(byte(len(kv[0])))
		headers.WriteString(kv[0])
		headers.WriteByte(7)
		_ = binary.Write(&headers, binary.BigEndian, uint16(len(kv[1])))
		headers.WriteString(kv[1])
	}
	total := 12 + headers.Len() + len(payload) + 4
	msg := make([]byte, 0, total)
	msg = binary.BigEndian.AppendUint32(msg, uint32(total))
	msg = binary.BigEndian.AppendUint32(msg, uint32(headers.Len()))
	msg = binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
	msg = append(msg, headers.Bytes()...)
	msg = append(msg, payload...)
	return binary.BigEndian.AppendUint32(msg, crc32.ChecksumIEEE(msg))
}

// maxEventPayload is the most one PayloadChunk carries: larger chunks (a buffered answer of up
// to 6 MB) are split, the event stream encoding bounding a message to 16 MB.
const maxEventPayload = 1 << 20
