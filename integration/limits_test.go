package integration

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logstypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A test waits this long for an answer the server must give at once: far less than the body
// timeout the servers of these tests are given, so an answer within it was not waiting for
// the body.
const promptly = 5 * time.Second

// head is a request whose line and headers a test writes itself on a raw connection, to send
// a body slowly, partly, or not at all.
type head struct {
	service string // SigV4 scope; "" leaves the request unsigned
	method  string
	target  string // path and query
	headers map[string]string
}

// open dials srv, writes h with the framing header given (Content-Length: n, or
// Transfer-Encoding: chunked) and returns the connection and a reader of its answers.
func (h head) open(t *testing.T, srv *emulatortest.Server, framing string) (net.Conn, *bufio.Reader) {
	t.Helper()
	req, err := http.NewRequest(h.method, srv.URL+h.target, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h.headers {
		req.Header.Set(k, v)
	}
	if h.service != "" {
		// The payload hash is whatever the body would have: the limit is applied before the
		// signature is verified, on what the scope and the request line say.
		creds := aws.Credentials{AccessKeyID: srv.Root.AccessKeyID, SecretAccessKey: srv.Root.SecretAccessKey}
		if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(""), h.service, srv.Region(), time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	conn, err := net.Dial("tcp", req.URL.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", h.method, req.URL.RequestURI(), req.URL.Host)
	for k, vs := range req.Header {
		for _, v := range vs {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(&b, "%s\r\n\r\n", framing)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		t.Fatal(err)
	}
	return conn, bufio.NewReader(conn)
}

// answer reads one response within wait.
func answer(t *testing.T, conn net.Conn, br *bufio.Reader, wait time.Duration) (*http.Response, string) {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		t.Fatalf("no answer within %v: %v", wait, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	return resp, string(body)
}

// closedWithin reports whether the server closes conn within wait.
func closedWithin(t *testing.T, conn net.Conn, br *bufio.Reader, wait time.Duration) bool {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(wait)); err != nil {
		t.Fatal(err)
	}
	_, err := br.ReadByte()
	return errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || isReset(err)
}

func isReset(err error) bool {
	var ne net.Error
	return err != nil && !(errors.As(err, &ne) && ne.Timeout())
}

// slowBodyServer is a server whose body timeout is far longer than a test waits: an answer
// that arrives promptly was not waiting for a body.
func slowBodyServer(t *testing.T) *emulatortest.Server {
	return emulatortest.New(t, func(o *emulator.Options) { o.BodyTimeout = 10 * time.Minute })
}

var (
	lambdaInvoke = head{service: "lambda", method: "POST", target: "/2015-03-31/functions/f/invocations"}
	stsForm      = head{service: "sts", method: "POST", target: "/",
		headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
)

// A body whose Content-Length is over its limit is refused before a byte of it is read: the
// client sends the headers alone and has its answer at once, and the connection is closed.
func TestOversizeByContentLengthRefusedUnread(t *testing.T) {
	t.Parallel()
	srv := slowBodyServer(t)
	tests := []struct {
		name    string
		req     head
		length  int64
		status  int
		code    string // as the body spells it
		message string
	}{
		{"unsigned 100 MB POST", head{method: "POST", target: "/",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			100 << 20, 403, "<Code>MissingAuthenticationToken</Code>", ""},
		{"unsigned STS over the unsigned limit", head{method: "POST", target: "/?Action=AssumeRoleWithSAML&Version=2011-06-15",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
			384<<10 + 1, 413, "<Code>RequestEntityTooLarge</Code>", "Request size 393217 exceeded 393216 bytes"},
		{"synchronous Invoke 6 MB + 1", lambdaInvoke, 6291457, 413, "RequestEntityTooLargeException",
			"Request must be smaller than 6291456 bytes for the InvokeFunction operation"},
		{"Event Invoke 1 MB + 1", head{service: "lambda", method: "POST", target: lambdaInvoke.target,
			headers: map[string]string{"X-Amz-Invocation-Type": "Event"}}, 1048577, 413, "RequestEntityTooLargeException",
			"1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)"},
		{"CreateFunction over 70167211", head{service: "lambda", method: "POST", target: "/2015-03-31/functions"},
			70167212, 413, "RequestEntityTooLargeException", "Request must be smaller than 70167211 bytes for the CreateFunction operation"},
		{"PutLogEvents", head{service: "logs", method: "POST", target: "/",
			headers: map[string]string{"X-Amz-Target": "Logs_20140328.PutLogEvents", "Content-Type": "application/x-amz-json-1.1"}},
			8 << 20, 400, `"InvalidParameterException"`, "Upload too large: 8388608 bytes exceeds limit of 1048576"},
		{"PutMetricData over RPC v2 CBOR", head{service: "monitoring", method: "POST",
			target:  "/service/GraniteServiceVersion20100801/operation/PutMetricData",
			headers: map[string]string{"Smithy-Protocol": "rpc-v2-cbor", "Content-Type": "application/cbor"}},
			1048577, 413, "RequestEntityTooLarge", "Request size 1048577 exceeded 1048576 bytes"},
		{"STS", stsForm, 384<<10 + 1, 413, "<Code>RequestEntityTooLarge</Code>", "Request size 393217 exceeded 393216 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, br := tt.req.open(t, srv, fmt.Sprintf("Content-Length: %d", tt.length))
			resp, body := answer(t, conn, br, promptly)
			body = resp.Header.Get("X-Amzn-ErrorType") + " " + body // where REST-JSON names the error
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.code) || !strings.Contains(body, tt.message) {
				t.Fatalf("%d %s, want %d %s %q", resp.StatusCode, body, tt.status, tt.code, tt.message)
			}
			if !closedWithin(t, conn, br, promptly) {
				t.Error("the connection stays open with its body unread")
			}
		})
	}
}

// A chunked body, whose length is not declared, is refused as soon as it passes its limit:
// the client never ends it and still has its answer. Under the limit it is served.
func TestOversizeChunkedRefusedWhileReading(t *testing.T) {
	t.Parallel()
	srv := slowBodyServer(t)
	form := "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("x", 390<<10)
	tests := []struct {
		name   string
		body   string
		end    bool // send the last chunk
		status int
		want   string
	}{
		{"under the limit, ended", "Action=GetCallerIdentity&Version=2011-06-15", true, 200, "<Arn>arn:aws:iam::123456789012:root</Arn>"},
		{"over the limit, never ended", form, false, 413, "Request size 393217 exceeded 393216 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			conn, br := signedChunked(t, srv, tt.body)
			for i := 0; i < len(tt.body); i += 8 << 10 {
				chunk := tt.body[i:min(i+8<<10, len(tt.body))]
				if _, err := fmt.Fprintf(conn, "%x\r\n%s\r\n", len(chunk), chunk); err != nil {
					break // the server answered and closed: the answer is read below
				}
			}
			if tt.end {
				io.WriteString(conn, "0\r\n\r\n")
			}
			resp, body := answer(t, conn, br, promptly)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.want) {
				t.Fatalf("%d %s, want %d %q", resp.StatusCode, body, tt.status, tt.want)
			}
		})
	}
}

// signedChunked opens a chunked STS form request signed over body, the whole of it, as the
// signer needs it, though the test sends it in chunks (or not all of it).
func signedChunked(t *testing.T, srv *emulatortest.Server, body string) (net.Conn, *bufio.Reader) {
	t.Helper()
	req, _ := http.NewRequest(stsForm.method, srv.URL+stsForm.target, nil)
	for k, v := range stsForm.headers {
		req.Header.Set(k, v)
	}
	creds := aws.Credentials{AccessKeyID: srv.Root.AccessKeyID, SecretAccessKey: srv.Root.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), "sts", srv.Region(), time.Now()); err != nil {
		t.Fatal(err)
	}
	signed := head{method: stsForm.method, target: stsForm.target, headers: map[string]string{}}
	for k := range req.Header {
		signed.headers[k] = req.Header.Get(k)
	}
	return signed.open(t, srv, "Transfer-Encoding: chunked")
}

// Slow bodies are cut off: connections trickling a byte a second are answered and closed once
// the body timeout has passed; a body arriving above the minimum rate is read to the end.
func TestSlowBodiesCutOff(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) { o.BodyTimeout = time.Second })
	for i := 0; i < 20; i++ {
		t.Run(fmt.Sprintf("a byte a second %d", i), func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			conn, br := stsForm.open(t, srv, "Content-Length: 100")
			stop := make(chan struct{})
			defer close(stop)
			go func() { // a byte a second until the server gives up
				for {
					select {
					case <-stop:
						return
					case <-time.After(time.Second):
						if _, err := conn.Write([]byte("x")); err != nil {
							return
						}
					}
				}
			}()
			resp, body := answer(t, conn, br, promptly)
			if resp.StatusCode != 400 || !strings.Contains(body, "Could not read the request body.") {
				t.Errorf("slow body: %d %s", resp.StatusCode, body)
			}
			if !closedWithin(t, conn, br, promptly) {
				t.Error("a slow-body connection stays open")
			}
			if elapsed := time.Since(start); elapsed > promptly {
				t.Errorf("cut off after %v", elapsed)
			}
		})
	}
	t.Run("twice the minimum rate", func(t *testing.T) {
		t.Parallel()
		// 256 KiB at about 128 KiB/s over two seconds, twice the body timeout: served.
		body := "Action=GetCallerIdentity&Version=2011-06-15&Pad=" + strings.Repeat("x", 256<<10)
		conn, br := signedChunked(t, srv, body)
		for i := 0; i < len(body); i += 16 << 10 {
			chunk := body[i:min(i+16<<10, len(body))]
			fmt.Fprintf(conn, "%x\r\n%s\r\n", len(chunk), chunk)
			time.Sleep(125 * time.Millisecond)
		}
		io.WriteString(conn, "0\r\n\r\n")
		if resp, got := answer(t, conn, br, promptly); resp.StatusCode != 200 {
			t.Fatalf("a body at twice the minimum rate: %d %s", resp.StatusCode, got)
		}
	})
}

// An idle keep-alive connection is closed after the idle timeout.
func TestIdleKeepAliveClosed(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) { o.IdleTimeout = 300 * time.Millisecond })
	conn, br := head{method: "GET", target: "/_iamlocal/health"}.open(t, srv, "Connection: keep-alive")
	if resp, body := answer(t, conn, br, promptly); resp.StatusCode != 200 || resp.Close {
		t.Fatalf("health: %d close=%v %s", resp.StatusCode, resp.Close, body)
	}
	if !closedWithin(t, conn, br, promptly) {
		t.Fatal("an idle keep-alive connection stays open")
	}
}

// Through aws-sdk-go-v2: Invoke payloads are held to 6 MB synchronously and 1 MB as Event,
// with Lambda's code and words, and a payload at the limit goes through (to the function's
// absence here); PutLogEvents bodies beyond any batch AWS accepts are refused in Logs' words.
func TestSDKRequestsOverTheLimit(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	lc := lambda.NewFromConfig(srv.AWSConfig(ctx))
	invoke := func(size int, typ lambdatypes.InvocationType) error {
		_, err := lc.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("absent"), InvocationType: typ,
			Payload: bytes.Repeat([]byte("a"), size)})
		return err
	}
	logc := cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx))
	putLogs := func(events, size int) error {
		var in []logstypes.InputLogEvent
		for i := 0; i < events; i++ {
			in = append(in, logstypes.InputLogEvent{Message: aws.String(strings.Repeat("m", size)), Timestamp: aws.Int64(time.Now().UnixMilli())})
		}
		_, err := logc.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{LogGroupName: aws.String("absent"),
			LogStreamName: aws.String("s"), LogEvents: in})
		return err
	}
	tests := []struct {
		name    string
		call    func() error
		code    string
		message string
	}{
		{"synchronous at the limit", func() error { return invoke(6291456, lambdatypes.InvocationTypeRequestResponse) },
			"ResourceNotFoundException", ""},
		{"synchronous over", func() error { return invoke(6291457, lambdatypes.InvocationTypeRequestResponse) },
			"RequestEntityTooLargeException", "Request must be smaller than 6291456 bytes for the InvokeFunction operation"},
		{"Event at the limit", func() error { return invoke(1048576, lambdatypes.InvocationTypeEvent) }, "ResourceNotFoundException", ""},
		{"Event over", func() error { return invoke(1048577, lambdatypes.InvocationTypeEvent) },
			"RequestEntityTooLargeException", "1048577 byte payload is too large for the Event invocation type (limit 1048576 bytes)"},
		{"PutLogEvents within", func() error { return putLogs(6, 1_000_000) }, "ResourceNotFoundException", ""},
		{"PutLogEvents over", func() error { return putLogs(7, 1_000_000) }, "InvalidParameterException", "Upload too large: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var ae smithy.APIError
			if err := tt.call(); !errors.As(err, &ae) || ae.ErrorCode() != tt.code || !strings.Contains(ae.ErrorMessage(), tt.message) {
				t.Fatalf("err = %v, want %s %q", err, tt.code, tt.message)
			}
		})
	}
}
