package emulator

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awsjson"
)

func testServer(t *testing.T, opts Options, extra ...*service) *Server {
	t.Helper()
	opts.DBPath = filepath.Join(t.TempDir(), "db")
	srv, err := newServer(opts, extra...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// The limit table is consistent with the models and the protocols: every service has limits
// with an answer, per-operation limits name real operations, a Query service's limit before
// its body is read is its largest, and the unsigned limit is STS's.
func TestBodyLimitTable(t *testing.T) {
	t.Parallel()
	srv := testServer(t, Options{})
	for _, svc := range srv.services {
		t.Run(svc.name, func(t *testing.T) {
			t.Parallel()
			l := svc.limits
			if l.other.bytes <= 0 || l.other.tooLarge == nil {
				t.Fatalf("no limit for the service's operations: %+v", l.other)
			}
			for op, ol := range l.ops {
				if svc.model().Operations[op] == nil {
					t.Errorf("limit for %s, not an operation of the model", op)
				}
				if ol.bytes <= 0 || ol.tooLarge == nil {
					t.Errorf("%s: %+v", op, ol)
				}
				for _, f := range svc.faces {
					if f.Name() == "awsQuery" && ol.bytes > l.other.bytes {
						t.Errorf("%s: %d over the service's %d, which a Query body is read within", op, ol.bytes, l.other.bytes)
					}
				}
			}
			if got := srv.largestLimit(svc); got > srv.opts.MaxBodyBytes {
				t.Errorf("largest limit %d over MaxBodyBytes", got)
			}
		})
	}
	if got := srv.unsignedLimit(); got != stsMaxBody {
		t.Errorf("unsigned limit %d, want STS's %d", got, stsMaxBody)
	}
	// Lambda's code limit at 64 KiB/s, after the header and body allowances.
	code := float64(lambdaCodeBody)
	want := 10*time.Second + 10*time.Second + time.Duration(code/65536*float64(time.Second))
	if got := srv.Timeouts(); got.Read != want || got.ReadHeader != 10*time.Second || got.Idle != 2*time.Minute {
		t.Errorf("Timeouts() = %+v, want Read %v", got, want)
	}
}

// forbiddenBody fails the test when read: a body refused by its declared length is never read.
type forbiddenBody struct{ t *testing.T }

func (b forbiddenBody) Read([]byte) (int, error) {
	b.t.Error("the body was read")
	return 0, io.EOF
}

// chunks hands out its data a few bytes at a time, as a network does.
type chunks struct{ data string }

func (c *chunks) Read(p []byte) (int, error) {
	if c.data == "" {
		return 0, io.EOF
	}
	n := copy(p[:min(len(p), 7)], c.data)
	c.data = c.data[n:]
	return n, nil
}

func TestBodyReader(t *testing.T) {
	t.Parallel()
	const limit = 100
	fits := strings.Repeat("a", limit)
	tests := []struct {
		name    string
		length  int64 // Content-Length; -1 unknown (chunked)
		body    func(t *testing.T) io.Reader
		want    string
		tooBig  int64 // the size errBodyTooLarge reports; 0 for none
		failure bool  // another error
	}{
		{"declared, at the limit", limit, func(*testing.T) io.Reader { return &chunks{fits} }, fits, 0, false},
		{"declared over: never read", limit + 1, func(t *testing.T) io.Reader { return forbiddenBody{t} }, "", limit + 1, false},
		{"declared, huge: never read", 100 << 30, func(t *testing.T) io.Reader { return forbiddenBody{t} }, "", 100 << 30, false},
		{"empty", 0, func(t *testing.T) io.Reader { return forbiddenBody{t} }, "", 0, false},
		{"chunked, at the limit", -1, func(*testing.T) io.Reader { return &chunks{fits} }, fits, 0, false},
		{"chunked, over: read to limit+1", -1, func(*testing.T) io.Reader { return &chunks{fits + strings.Repeat("b", 1<<20)} }, "", limit + 1, false},
		{"cut off", -1, func(*testing.T) io.Reader { return io.MultiReader(strings.NewReader("ab"), iotestErr{}) }, "", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := httptest.NewRequest("POST", "/", io.NopCloser(tt.body(t)))
			r.ContentLength = tt.length
			b := bodyReader{grace: time.Second, rate: 1, now: time.Now}
			got, err := b.read(r, limit)
			var big *errBodyTooLarge
			switch {
			case tt.tooBig != 0:
				if !errors.As(err, &big) || big.size != tt.tooBig {
					t.Fatalf("err = %v, want too large (%d)", err, tt.tooBig)
				}
			case tt.failure:
				if err == nil || errors.As(err, &big) {
					t.Fatalf("err = %v, want the read error", err)
				}
			case err != nil || string(got) != tt.want:
				t.Fatalf("read = %q, %v; want %q", got, err, tt.want)
			}
		})
	}
}

type iotestErr struct{}

func (iotestErr) Read([]byte) (int, error) { return 0, errors.New("connection reset") }

// A call that outlasts its body's deadline is not cancelled by it (net/http cancels a request's
// context when a read on its connection fails; it clears the deadline before it watches the
// connection once the body is in, and a body read to its declared length is not read on).
func TestLongCallOutlastsBodyDeadline(t *testing.T) {
	t.Parallel()
	const grace = 100 * time.Millisecond
	svc := toyService(t)
	op := svc.model().Operations["Ping"]
	svc.faces = []protocol.Codec{awsjson.New(&awsjson.Codec{Service: svc.model()}, []protocol.Operation{{
		Model: op, NewInput: func() any { return &pingInput{} },
		Call: func(ctx context.Context, _ any) (any, error) {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(10 * grace):
				return &pingOutput{Greeting: protocol.Ptr("still here")}, nil
			}
		}}})}
	srv := testServer(t, Options{BodyTimeout: grace, MinBodyRate: 1 << 30}, svc) // deadlines about grace away
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	for _, chunked := range []bool{false, true} {
		body := `{"Name":"bob"}`
		req, _ := http.NewRequest("POST", hs.URL+"/", strings.NewReader(body))
		if chunked { // read to its end, after which net/http watches the connection
			req.ContentLength, req.TransferEncoding = -1, []string{"chunked"}
		}
		req.Header.Set("X-Amz-Target", "Toy_20260101.Ping")
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		sign(t, req, aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, "toy", body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(got), "still here") {
			t.Fatalf("chunked %v: %d %s", chunked, resp.StatusCode, got)
		}
	}
}

// A Query body is read within its service's limit, its Action being in it; once routed, the
// operation's own limit applies: CloudWatch's GetMetricData takes 614,400 bytes.
func TestQueryBodyHeldToItsOperationLimit(t *testing.T) {
	t.Parallel()
	srv := testServer(t, Options{})
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	tests := []struct {
		name, action string
		pad          int
		status       int
		want         string
	}{
		{"GetMetricData over its own limit", "GetMetricData", 614_400, 413,
			"<Code>RequestEntityTooLarge</Code>\n    <Message>Request size 614444 exceeded 614400 bytes</Message>"},
		{"ListMetrics of the same size", "ListMetrics", 614_400, 200, "<ListMetricsResult>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			form := url.Values{"Action": {tt.action}, "Version": {"2010-08-01"}, "Pad": {strings.Repeat("x", tt.pad)}}.Encode()
			req, _ := http.NewRequest("POST", hs.URL+"/", strings.NewReader(form))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			sign(t, req, root, "monitoring", form)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			got, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(got), tt.want) {
				t.Fatalf("%d %s", resp.StatusCode, got)
			}
		})
	}
}
