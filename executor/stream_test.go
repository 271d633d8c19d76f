package executor

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"
)

// Streaming handlers, written as the Lambda Node.js runtime takes them ("Writing response
// streaming-enabled Lambda functions").
const nodeStreaming = `
exports.chunks = awslambda.streamifyResponse(async (event, stream) => {
  stream.setContentType('text/plain');
  stream.write('first;');
  await new Promise((r) => setTimeout(r, 400));
  stream.write('second;');
  stream.end('last');
});
exports.http = awslambda.streamifyResponse(async (event, stream) => {
  stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'x-a': 'b' } });
  stream.write('body');
  stream.end();
});
exports.midway = awslambda.streamifyResponse(async (event, stream) => {
  stream.write('partial');
  await new Promise((r) => setTimeout(r, 50));
  throw new TypeError('broke midway');
});
exports.pipe = awslambda.streamifyResponse(async (event, stream) => {
  const { pipeline } = require('node:stream/promises');
  const { Readable } = require('node:stream');
  await pipeline(Readable.from([Buffer.from('a'), Buffer.from('b'), JSON.stringify(event)]), stream);
});
exports.buffered = async (event) => ({ plain: event });
`

// recordedStream is a ResponseStream that notes when each chunk arrived.
type recordedStream struct {
	mu          sync.Mutex
	contentType string
	starts      int
	chunks      []string
	at          []time.Time
}

func (s *recordedStream) Start(contentType string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.contentType = contentType
	s.starts++
	return nil
}

func (s *recordedStream) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chunks = append(s.chunks, string(p))
	s.at = append(s.at, time.Now())
	return len(p), nil
}

func (s *recordedStream) body() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return strings.Join(s.chunks, "")
}

func TestNodeStreamingHandlers(t *testing.T) {
	t.Parallel()
	requireTool(t, "node")
	e := newTestExecutor(t, Options{})
	code := codeOf(t, "index.js", nodeStreaming)
	tests := []struct {
		name, handler, payload  string
		wantType, wantBody      string
		wantError, wantErrorDoc string
	}{
		{name: "chunks", handler: "index.chunks", wantType: "text/plain", wantBody: "first;second;last"},
		{name: "http prelude", handler: "index.http", wantType: "application/vnd.awslambda.http-integration-response",
			wantBody: `{"statusCode":201,"headers":{"x-a":"b"}}` + strings.Repeat("\x00", 8) + "body"},
		{name: "error midway", handler: "index.midway", wantType: "application/octet-stream", wantBody: "partial",
			wantError: "Unhandled", wantErrorDoc: "TypeError"},
		{name: "pipeline", handler: "index.pipe", payload: `{"k":1}`, wantType: "application/octet-stream", wantBody: `ab{"k":1}`},
		{name: "buffered handler", handler: "index.buffered", payload: `{"k":2}`, wantType: "application/json", wantBody: `{"plain":{"k":2}}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fn := testFunction("stream-"+strings.ReplaceAll(tc.name, " ", "-"), "nodejs22.x", tc.handler, code)
			payload := tc.payload
			if payload == "" {
				payload = "{}"
			}
			s := &recordedStream{}
			res, err := e.Invoke(context.Background(), fn, Invocation{Payload: []byte(payload), Stream: s})
			if err != nil {
				t.Fatal(err)
			}
			if s.starts != 1 || s.contentType != tc.wantType || s.body() != tc.wantBody {
				t.Fatalf("stream: %d starts, type %q, body %q; want %q %q\n%s", s.starts, s.contentType, s.body(), tc.wantType, tc.wantBody, res.Log)
			}
			if res.FunctionError != tc.wantError {
				t.Fatalf("FunctionError = %q, want %q: %s", res.FunctionError, tc.wantError, res.Payload)
			}
			if tc.wantErrorDoc != "" {
				var doc struct{ ErrorType, ErrorMessage string }
				if err := json.Unmarshal(res.Payload, &doc); err != nil || doc.ErrorType != tc.wantErrorDoc || doc.ErrorMessage != "broke midway" {
					t.Fatalf("error document %s: %v", res.Payload, err)
				}
			}
		})
	}
}

// Chunks reach the stream as the function writes them, not when it returns.
func TestNodeStreamArrivesBeforeTheEnd(t *testing.T) {
	t.Parallel()
	requireTool(t, "node")
	e := newTestExecutor(t, Options{})
	fn := testFunction("stream-timing", "nodejs22.x", "index.chunks", codeOf(t, "index.js", nodeStreaming))
	s := &recordedStream{}
	res, err := e.Invoke(context.Background(), fn, Invocation{Payload: []byte(`{}`), Stream: s})
	if err != nil || res.FunctionError != "" {
		t.Fatalf("invoke: %v %s", err, res.Payload)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.chunks) < 2 || s.chunks[0] != "first;" {
		t.Fatalf("chunks = %q", s.chunks)
	}
	if gap := s.at[len(s.at)-1].Sub(s.at[0]); gap < 300*time.Millisecond {
		t.Fatalf("the first chunk came %v before the last; the function waits 400ms between them", gap)
	}
}

// Invoke of a streaming function without a stream answers the whole body, as Lambda's buffered
// Invoke does; a mid-stream error is a function error.
func TestNodeStreamingHandlerBuffered(t *testing.T) {
	t.Parallel()
	requireTool(t, "node")
	e := newTestExecutor(t, Options{})
	code := codeOf(t, "index.js", nodeStreaming)
	tests := []struct{ handler, wantPayload, wantError string }{
		{"index.chunks", "first;second;last", ""},
		{"index.midway", `"errorType":"TypeError"`, "Unhandled"},
	}
	for _, tc := range tests {
		t.Run(tc.handler, func(t *testing.T) {
			t.Parallel()
			res := invoke(t, e, testFunction("buffered-"+tc.handler[6:], "nodejs22.x", tc.handler, code), "{}")
			if res.FunctionError != tc.wantError || !strings.Contains(string(res.Payload), tc.wantPayload) {
				t.Fatalf("result %q %s", res.FunctionError, res.Payload)
			}
		})
	}
}
