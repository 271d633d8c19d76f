package lambda

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"net/http"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// InvokeWithResponseStream ("InvokeWithResponseStream" API reference): the function's
// response comes back as an event stream of PayloadChunk events, as the function sends it,
// closed by an InvokeComplete event that carries the error of a function that failed (its
// type as ErrorCode, its error document as ErrorDetails) and, with LogType Tail, the log tail.
// A function that does not stream is sent in one chunk.

// StreamHead is what an invocation stream says before its events: the status (200, or 204 for
// DryRun, which sends no events), the version that ran and the response's content type.
type StreamHead struct {
	Status          int
	ExecutedVersion string
	ContentType     string
}

// InvocationStream receives InvokeWithResponseStream's answer: Begin once, then chunks, then
// Complete. The server writes it as AWS's event stream as it arrives.
type InvocationStream interface {
	Begin(StreamHead) error
	Chunk(p []byte) error
	Complete(lambdaapi.InvokeWithResponseStreamCompleteEvent) error
}

// StreamInvocation runs InvokeWithResponseStream into out. An error returned before out began
// is the operation's error, to be answered as any other; once it began, failures go into the
// InvokeComplete event.
func (s *Service) StreamInvocation(ctx context.Context, in *lambdaapi.InvokeWithResponseStreamRequest, out InvocationStream) error {
	if s.hooks.Runner == nil {
		return awserr.NotImplemented("InvokeWithResponseStream")
	}
	typ := protocol.Val(in.InvocationType)
	if typ == "" {
		typ = "RequestResponse"
	}
	if len(in.Payload) > maxSyncPayload {
		return lambdaapi.ErrRequestTooLarge("Request must be smaller than %d bytes for the InvokeFunction operation", maxSyncPayload)
	}
	p, err := s.prepareCall(ctx, protocol.Val(in.FunctionName), protocol.Val(in.Qualifier), typ != "DryRun")
	if err != nil {
		return err
	}
	inv := executor.Invocation{RequestID: reqctx.From(ctx).RequestID, TraceID: traceHeader(reqctx.From(ctx).Now)}
	if typ == "DryRun" {
		return out.Begin(StreamHead{Status: http.StatusNoContent})
	}
	inv.Payload = in.Payload
	if cc := protocol.Val(in.ClientContext); cc != "" {
		raw, err := base64.StdEncoding.DecodeString(cc)
		if err != nil {
			return lambdaapi.ErrInvalidRequestContent("Client context must be a valid Base64-encoded JSON object.")
		}
		inv.ClientContext = string(raw)
	}
	st := &streamAdapter{out: out, version: p.fn.Version}
	inv.Stream = st
	// Streamed responses are not stopped when the client goes away ("Response streaming for
	// Lambda functions"): the run outlives the request.
	res, err := s.run(context.WithoutCancel(ctx), p, inv)
	if err != nil && !st.begun {
		return err
	}
	if !st.begun {
		if err := out.Begin(StreamHead{Status: http.StatusOK, ExecutedVersion: p.fn.Version, ContentType: "application/json"}); err != nil {
			return err
		}
	}
	done := lambdaapi.InvokeWithResponseStreamCompleteEvent{}
	switch {
	case err != nil:
		e, ok := awserr.As(err)
		if !ok {
			e = lambdaapi.ErrService("An internal error occurred.")
		}
		done.ErrorCode, done.ErrorDetails = protocol.Ptr(e.Code), protocol.Ptr(e.Message)
	case res.FunctionError != "":
		done.ErrorCode, done.ErrorDetails = protocol.Ptr(errorTypeOf(res.Payload)), protocol.Ptr(string(res.Payload))
	}
	if protocol.Val(in.LogType) == "Tail" {
		done.LogResult = protocol.Ptr(base64.StdEncoding.EncodeToString(logTailOf(res.Log)))
	}
	return out.Complete(done)
}

// InvokeWithResponseStream answers the whole stream at once, for callers of the handler that
// read no stream: every chunk in one PayloadChunk, then the InvokeComplete event. The server
// streams the operation through StreamInvocation instead.
func (s *Service) InvokeWithResponseStream(ctx context.Context, in *lambdaapi.InvokeWithResponseStreamRequest) (*lambdaapi.InvokeWithResponseStreamResponse, error) {
	var c collected
	if err := s.StreamInvocation(ctx, in, &c); err != nil {
		return nil, err
	}
	out := &lambdaapi.InvokeWithResponseStreamResponse{StatusCode: protocol.Ptr(int32(c.head.Status))}
	if c.head.Status == http.StatusNoContent {
		return out, nil
	}
	out.ExecutedVersion, out.ResponseStreamContentType = protocol.Ptr(c.head.ExecutedVersion), protocol.Ptr(c.head.ContentType)
	out.EventStream = &lambdaapi.InvokeWithResponseStreamResponseEvent{InvokeComplete: &c.done,
		PayloadChunk: &lambdaapi.InvokeResponseStreamUpdate{Payload: c.body}}
	return out, nil
}

// streamAdapter passes the executor's stream on as an InvocationStream.
type streamAdapter struct {
	out     InvocationStream
	version string
	begun   bool
}

func (a *streamAdapter) Start(contentType string) error {
	a.begun = true
	return a.out.Begin(StreamHead{Status: http.StatusOK, ExecutedVersion: a.version, ContentType: contentType})
}

func (a *streamAdapter) Write(p []byte) (int, error) {
	if err := a.out.Chunk(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// collected gathers an invocation stream.
type collected struct {
	head StreamHead
	body []byte
	done lambdaapi.InvokeWithResponseStreamCompleteEvent
}

func (c *collected) Begin(h StreamHead) error { c.head = h; return nil }
func (c *collected) Chunk(p []byte) error     { c.body = append(c.body, p...); return nil }
func (c *collected) Complete(e lambdaapi.InvokeWithResponseStreamCompleteEvent) error {
	c.done = e
	return nil
}

// errorTypeOf is the errorType of an error document, "Unhandled" for a document without one.
func errorTypeOf(doc []byte) string {
	var d struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(doc, &d) != nil || d.ErrorType == "" {
		return executor.FunctionErrorUnhandled
	}
	return d.ErrorType
}

// logTailOf is the last 4 KB of a log, as LogResult carries it.
func logTailOf(log []byte) []byte {
	if len(log) > logTail {
		return log[len(log)-logTail:]
	}
	return log
}
