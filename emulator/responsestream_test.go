package emulator

import (
	"encoding/binary"
	"encoding/hex"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/lambda"
	"github.com/iamlocal/iamlocal/protocol"
)

// decodeEvent reads one event stream message back: its headers and payload, checking the
// lengths and both CRCs.
func decodeEvent(t *testing.T, msg []byte) (map[string]string, []byte, []byte) {
	t.Helper()
	total, headersLen := binary.BigEndian.Uint32(msg[0:4]), binary.BigEndian.Uint32(msg[4:8])
	if int(total) > len(msg) || binary.BigEndian.Uint32(msg[8:12]) != crc32.ChecksumIEEE(msg[:8]) {
		t.Fatalf("bad prelude % x", msg[:12])
	}
	if binary.BigEndian.Uint32(msg[total-4:total]) != crc32.ChecksumIEEE(msg[:total-4]) {
		t.Fatal("bad message CRC")
	}
	headers := map[string]string{}
	for h := msg[12 : 12+headersLen]; len(h) > 0; {
		name := string(h[1 : 1+h[0]])
		h = h[1+h[0]:]
		if h[0] != 7 {
			t.Fatalf("header %s of type %d", name, h[0])
		}
		n := binary.BigEndian.Uint16(h[1:3])
		headers[name], h = string(h[3:3+n]), h[3+n:]
	}
	return headers, msg[12+headersLen : total-4], msg[total:]
}

func TestEventStreamWriter(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		write      func(w *eventStreamWriter)
		wantStatus int
		wantEvents []string // type:content-type:payload
	}{
		{name: "chunks and complete", write: func(w *eventStreamWriter) {
			_ = w.Begin(lambda.StreamHead{Status: 200, ExecutedVersion: "3", ContentType: "text/plain"})
			_ = w.Chunk([]byte("hello "))
			_ = w.Chunk([]byte("world"))
			_ = w.Complete(lambdaapi.InvokeWithResponseStreamCompleteEvent{ErrorCode: protocol.Ptr("TypeError"), ErrorDetails: protocol.Ptr(`{"a":1}`)})
		}, wantStatus: 200, wantEvents: []string{"PayloadChunk:application/octet-stream:hello ", "PayloadChunk:application/octet-stream:world",
			`InvokeComplete:application/json:{"ErrorCode":"TypeError","ErrorDetails":"{\"a\":1}"}`}},
		{name: "a large chunk is split", write: func(w *eventStreamWriter) {
			_ = w.Begin(lambda.StreamHead{Status: 200, ExecutedVersion: "$LATEST"})
			_ = w.Chunk([]byte(strings.Repeat("x", maxEventPayload+1)))
			_ = w.Complete(lambdaapi.InvokeWithResponseStreamCompleteEvent{})
		}, wantStatus: 200, wantEvents: []string{"PayloadChunk:application/octet-stream:" + strings.Repeat("x", maxEventPayload),
			"PayloadChunk:application/octet-stream:x", "InvokeComplete:application/json:{}"}},
		{name: "DryRun", write: func(w *eventStreamWriter) { _ = w.Begin(lambda.StreamHead{Status: http.StatusNoContent}) }, wantStatus: 204},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rec := httptest.NewRecorder()
			w := &eventStreamWriter{w: rec, rc: http.NewResponseController(rec), requestID: "req"}
			tc.write(w)
			if rec.Code != tc.wantStatus || rec.Header().Get("x-amzn-RequestId") != "req" {
				t.Fatalf("status %d, headers %v", rec.Code, rec.Header())
			}
			if tc.wantStatus == 200 && (rec.Header().Get("Content-Type") != "application/vnd.amazon.eventstream" || rec.Header().Get("X-Amz-Executed-Version") == "") {
				t.Fatalf("headers %v", rec.Header())
			}
			var got []string
			for rest := rec.Body.Bytes(); len(rest) > 0; {
				var h map[string]string
				var payload []byte
				h, payload, rest = decodeEvent(t, rest)
				if h[":message-type"] != "event" {
					t.Fatalf("headers %v", h)
				}
				got = append(got, h[":event-type"]+":"+h[":content-type"]+":"+string(payload))
			}
			if strings.Join(got, "\n") != strings.Join(tc.wantEvents, "\n") {
				t.Fatalf("events\n got %.200q\nwant %.200q", got, tc.wantEvents)
			}
		})
	}
}

// The framing of one event, byte for byte (computed apart, with Python's zlib.crc32 and
// struct.pack).
func TestEventMessageBytes(t *testing.T) {
	t.Parallel()
	const want = "0000006c0000005ab25efdcf" + // total 108, headers 90, prelude CRC
		"0b3a6576656e742d7479706507000c5061796c6f61644368756e6b" + // :event-type PayloadChunk
		"0d3a636f6e74656e742d747970650700186170706c69636174696f6e2f6f637465742d73747265616d" + // :content-type
		"0d3a6d6573736167652d747970650700056576656e74" + // :message-type event
		"6869" + "1162e469" // "hi", message CRC
	if got := hex.EncodeToString(eventMessage("PayloadChunk", "application/octet-stream", []byte("hi"))); got != want {
		t.Fatalf("message\n got %s\nwant %s", got, want)
	}
}
