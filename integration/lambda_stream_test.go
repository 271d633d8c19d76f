package integration

import (
	"bufio"
	"encoding/base64"
	"io"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// Node handlers written as for the Lambda Node.js runtime's response streaming
// (awslambda.streamifyResponse, awslambda.HttpResponseStream.from).
const nodeStreamHandlers = `
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
exports.chunks = awslambda.streamifyResponse(async (event, stream) => {
  stream.setContentType('text/plain');
  for (const part of ['one ', 'two ', 'three']) {
    stream.write(part);
    await sleep(300);
  }
  stream.end();
});
exports.http = awslambda.streamifyResponse(async (event, stream) => {
  stream = awslambda.HttpResponseStream.from(stream, { statusCode: 201, headers: { 'content-type': 'text/html', 'x-stream': 'yes' }, cookies: ['a=1'] });
  stream.write('<p>first</p>');
  await sleep(500);
  stream.end('<p>last</p>');
});
exports.midway = awslambda.streamifyResponse(async (event, stream) => {
  stream.write('partial');
  await sleep(50);
  throw new TypeError('broke midway');
});
exports.early = awslambda.streamifyResponse(async () => {
  throw new Error('before any byte');
});
exports.buffered = async () => ({ statusCode: 201, body: 'not interpreted' });
`

func newStreamFixture(t *testing.T) *urlFixture {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Fatal("these tests run node functions, and `node` is not on PATH: install Node.js and rerun")
	}
	f := newURLFixture(t)
	for _, h := range []string{"chunks", "http", "midway", "early", "buffered"} {
		f.function("stream-"+h, string(lambdatypes.RuntimeNodejs22x), "index."+h, map[string]string{"index.js": nodeStreamHandlers})
	}
	return f
}

// InvokeWithResponseStream answers an event stream the SDK reads: PayloadChunk events as the
// function writes, then InvokeComplete with a failure's type and document and the log tail.
func TestInvokeWithResponseStream(t *testing.T) {
	t.Parallel()
	f := newStreamFixture(t)
	type result struct {
		chunks   []string
		at       []time.Time
		complete *lambdatypes.InvokeWithResponseStreamCompleteEvent
		version  string
	}
	invoke := func(t *testing.T, name string) result {
		// A client per stream: aws-sdk-go-v2's clients share one event-stream decoder among their
		// open streams, which races under -race (aws/smithy-go#714, open).
		fns := lambda.NewFromConfig(f.srv.AWSConfig(f.ctx))
		out, err := fns.InvokeWithResponseStream(f.ctx, &lambda.InvokeWithResponseStreamInput{FunctionName: aws.String(name),
			Payload: []byte(`{"k":1}`), LogType: lambdatypes.LogTypeTail})
		if err != nil {
			t.Fatal(err)
		}
		stream := out.GetStream()
		defer stream.Close()
		r := result{version: aws.ToString(out.ExecutedVersion)}
		if out.StatusCode != 200 {
			t.Fatalf("StatusCode = %d", out.StatusCode)
		}
		for ev := range stream.Events() {
			switch v := ev.(type) {
			case *lambdatypes.InvokeWithResponseStreamResponseEventMemberPayloadChunk:
				r.chunks, r.at = append(r.chunks, string(v.Value.Payload)), append(r.at, time.Now())
			case *lambdatypes.InvokeWithResponseStreamResponseEventMemberInvokeComplete:
				r.complete = &v.Value
			}
		}
		if err := stream.Err(); err != nil {
			t.Fatal(err)
		}
		if r.complete == nil {
			t.Fatal("no InvokeComplete event")
		}
		return r
	}
	t.Run("chunks as they are written", func(t *testing.T) {
		t.Parallel()
		r := invoke(t, "stream-chunks")
		if strings.Join(r.chunks, "") != "one two three" || len(r.chunks) < 3 || r.version != "$LATEST" || r.complete.ErrorCode != nil {
			t.Fatalf("stream %q %s %+v", r.chunks, r.version, r.complete)
		}
		if gap := r.at[len(r.at)-1].Sub(r.at[0]); gap < 400*time.Millisecond {
			t.Fatalf("the chunks came %v apart; the function waits 300 ms after each", gap)
		}
		log, _ := base64.StdEncoding.DecodeString(aws.ToString(r.complete.LogResult))
		if !strings.Contains(string(log), "START RequestId:") || !strings.Contains(string(log), "REPORT RequestId:") {
			t.Fatalf("log tail %q", log)
		}
	})
	t.Run("an error midway", func(t *testing.T) {
		t.Parallel()
		r := invoke(t, "stream-midway")
		if strings.Join(r.chunks, "") != "partial" || aws.ToString(r.complete.ErrorCode) != "TypeError" ||
			!strings.Contains(aws.ToString(r.complete.ErrorDetails), `"errorMessage":"broke midway"`) {
			t.Fatalf("stream %q %+v", r.chunks, r.complete)
		}
	})
	t.Run("a function that does not stream", func(t *testing.T) {
		t.Parallel()
		r := invoke(t, "stream-buffered")
		if strings.Join(r.chunks, "") != `{"statusCode":201,"body":"not interpreted"}` || r.complete.ErrorCode != nil {
			t.Fatalf("stream %q %+v", r.chunks, r.complete)
		}
	})
	t.Run("boto3", func(t *testing.T) {
		t.Parallel()
		needBoto3(t)
		out := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3
r = boto3.client("lambda").invoke_with_response_stream(FunctionName="stream-midway")
parts, done = [], None
for ev in r["EventStream"]:
    if "PayloadChunk" in ev:
        parts.append(ev["PayloadChunk"]["Payload"].decode())
    if "InvokeComplete" in ev:
        done = ev["InvokeComplete"]
print("".join(parts), done.get("ErrorCode"), r["ExecutedVersion"])`)
		if out != "partial TypeError $LATEST" {
			t.Fatalf("boto3: %q", out)
		}
	})
	// Invoke of a streaming function answers its whole body, as Lambda buffers it.
	t.Run("Invoke", func(t *testing.T) {
		t.Parallel()
		out, err := f.fns.Invoke(f.ctx, &lambda.InvokeInput{FunctionName: aws.String("stream-chunks")})
		if err != nil || string(out.Payload) != "one two three" || out.FunctionError != nil {
			t.Fatalf("Invoke: %v %+v", err, out)
		}
	})
}

// A RESPONSE_STREAM URL sends the function's stream as it comes: the status, headers and
// cookies of its HttpResponseStream prelude, then the body chunk by chunk; a stream without a
// prelude is a 200 of its content type, a function that does not stream is sent as it
// answers, and one that fails before writing is a failed function.
func TestFunctionURLResponseStream(t *testing.T) {
	t.Parallel()
	f := newStreamFixture(t)
	urls := map[string]string{}
	for _, h := range []string{"chunks", "http", "early", "buffered"} {
		f.grantPublic("stream-"+h, true)
		urls[h] = f.url(&lambda.CreateFunctionUrlConfigInput{FunctionName: aws.String("stream-" + h), AuthType: lambdatypes.FunctionUrlAuthTypeNone,
			InvokeMode: lambdatypes.InvokeModeResponseStream})
	}
	t.Run("prelude and chunks", func(t *testing.T) {
		t.Parallel()
		resp, err := f.client.Get(urls["http"])
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 201 || resp.Header.Get("Content-Type") != "text/html" || resp.Header.Get("X-Stream") != "yes" ||
			strings.Join(resp.Header.Values("Set-Cookie"), ";") != "a=1" {
			t.Fatalf("head %d %v", resp.StatusCode, resp.Header)
		}
		r := bufio.NewReader(resp.Body)
		first := make([]byte, len("<p>first</p>"))
		start := time.Now()
		if _, err := io.ReadFull(r, first); err != nil || string(first) != "<p>first</p>" {
			t.Fatalf("first chunk %q: %v", first, err)
		}
		firstAt := time.Since(start)
		rest, err := io.ReadAll(r)
		if err != nil || string(rest) != "<p>last</p>" {
			t.Fatalf("rest %q: %v", rest, err)
		}
		if lastAt := time.Since(start); lastAt-firstAt < 300*time.Millisecond {
			t.Fatalf("the first chunk came at %v, the last at %v: not streamed", firstAt, lastAt)
		}
	})
	tests := []struct {
		name, url, wantType, wantBody string
		wantStatus                    int
	}{
		{"a stream without a prelude", urls["chunks"], "text/plain", "one two three", 200},
		{"a function that does not stream", urls["buffered"], "application/json", `{"statusCode":201,"body":"not interpreted"}`, 200},
		{"a failure before any byte", urls["early"], "application/json", "Internal Server Error", 502},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			status, h, body := f.call(f.request("GET", tc.url, "", nil))
			if status != tc.wantStatus || h.Get("Content-Type") != tc.wantType || body != tc.wantBody {
				t.Fatalf("got %d %q %q", status, h.Get("Content-Type"), body)
			}
		})
	}
	t.Run("curl", func(t *testing.T) {
		t.Parallel()
		out, err := exec.Command(needCurl(t), "-sSN", "-i", urls["http"]).CombinedOutput()
		if err != nil || !strings.HasPrefix(string(out), "HTTP/1.1 201") || !strings.HasSuffix(string(out), "<p>first</p><p>last</p>") ||
			!strings.Contains(strings.ToLower(string(out)), "transfer-encoding: chunked") {
			t.Fatalf("curl: %v\n%s", err, out)
		}
	})
}
