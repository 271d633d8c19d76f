package lambda

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

func TestURLEvent(t *testing.T) {
	t.Parallel()
	at := time.Date(2020, 3, 12, 19, 3, 58, 390_000_000, time.UTC)
	target := URLTarget{ID: "mq75dt64puwxk3u6gjw2rhak4m0bcmmi", Account: "123456789012", Region: "us-west-2", Function: "f", AuthType: "NONE"}
	base := func() URLRequest {
		return URLRequest{Method: "GET", RawPath: "/", Protocol: "HTTP/1.1", Host: "127.0.0.1:4566",
			DomainName: target.ID + ".lambda-url.us-west-2.on.aws", Header: http.Header{"User-Agent": {"agent"}},
			SourceIP: "123.123.123.123", RequestID: "e1506fd5-9e7b-434f-bd42-4f8fa224b599", Time: at}
	}
	tests := []struct {
		name   string
		golden string
		edit   func(*URLRequest)
	}{
		{name: "a GET without query or body", golden: "urlevent-get.json", edit: func(*URLRequest) {}},
		{name: "the docs' example request", golden: "urlevent-post.json", edit: func(r *URLRequest) {
			r.Method, r.RawPath = "POST", "/my/path"
			r.RawQuery = "parameter1=value1&parameter1=value2&parameter2=value"
			r.Header.Set("Content-Type", "text/plain")
			r.Header.Set("Cookie", "cookie1; cookie2")
			r.Header.Set("Header1", "value1")
			r.Header["Header2"] = []string{"value1", "value2"}
			r.Body = []byte("Hello from client!")
		}},
		{name: "a signed request to an AWS_IAM URL", golden: "urlevent-iam.json", edit: func(r *URLRequest) {
			r.Method, r.Header["Content-Type"], r.Body = "PUT", []string{"application/json; charset=utf-8"}, []byte(`{"k":"v"}`)
			r.Host, r.DomainName = target.ID+".lambda-url.us-west-2.localhost:4566", target.ID+".lambda-url.us-west-2.localhost"
			r.Caller = &reqctx.Caller{Type: reqctx.User, Account: "111122223333", ARN: "arn:aws:iam::111122223333:user/example-user",
				UserID: "AIDACKCEVSQ6C2EXAMPLE", AccessKeyID: "AKIAIOSFODNN7EXAMPLE", UserName: "example-user"}
		}},
		{name: "binary and form bodies are base64", golden: "urlevent-binary.json", edit: func(r *URLRequest) {
			r.Method, r.Header["Content-Type"], r.Body = "POST", []string{"application/x-www-form-urlencoded"}, []byte("a=1&b=%00")
			r.Header.Set("X-Forwarded-For", "10.0.0.1")
			r.Secure = true
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := base()
			tc.edit(&r)
			tg := target
			if r.Caller != nil {
				tg.AuthType = "AWS_IAM"
			}
			got, err := URLEvent(tg, r)
			if err != nil {
				t.Fatal(err)
			}
			var pretty bytes.Buffer
			if err := json.Indent(&pretty, got, "", "  "); err != nil {
				t.Fatal(err)
			}
			pretty.WriteByte('\n')
			golden(t, tc.golden, pretty.Bytes())
		})
	}
}

// renderResponse writes a URLResponse as a small HTTP-like document for golden files.
func renderResponse(res URLResponse) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%d %s\n", res.Status, http.StatusText(res.Status))
	keys := make([]string, 0, len(res.Header))
	for k := range res.Header {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		for _, v := range res.Header[k] {
			fmt.Fprintf(&b, "%s: %s\n", k, v)
		}
	}
	fmt.Fprintf(&b, "\n%q\n", res.Body)
	return b.Bytes()
}

func TestMapURLResponse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, payload, golden string
		wantErr               bool
	}{
		{name: "string", payload: `"Hello, world!"`, golden: "urlresponse-string.txt"},
		{name: "object without statusCode", payload: `{"message":"Hello, world!"}`, golden: "urlresponse-object.txt"},
		{name: "array", payload: `[1,"two"]`, golden: "urlresponse-array.txt"},
		{name: "null", payload: `null`, golden: "urlresponse-null.txt"},
		{name: "custom", golden: "urlresponse-custom.txt", payload: `{"statusCode":201,"headers":{"Content-Type":"application/json",` +
			`"My-Custom-Header":"Custom Value","X-Count":3,"X-Flag":true},"body":"{ \"message\": \"Hello, world!\" }",` +
			`"cookies":["Cookie_1=Value1; Expires=21 Oct 2021 07:48 GMT","Cookie_2=Value2; Max-Age=78000"],"isBase64Encoded":false}`},
		{name: "status as a string, no headers", payload: `{"statusCode":"418","body":"i'm a teapot"}`, golden: "urlresponse-teapot.txt"},
		{name: "base64 body", payload: `{"statusCode":200,"headers":{"content-type":"image/png"},"body":"iVBORw0K","isBase64Encoded":true}`,
			golden: "urlresponse-base64.txt"},
		{name: "object body", payload: `{"statusCode":200,"body":{"nested":true}}`, golden: "urlresponse-objectbody.txt"},
		{name: "no body", payload: `{"statusCode":204}`, golden: "urlresponse-nobody.txt"},
		{name: "status out of range", payload: `{"statusCode":99}`, wantErr: true},
		{name: "status not a number", payload: `{"statusCode":"abc"}`, wantErr: true},
		{name: "bad base64", payload: `{"statusCode":200,"body":"***","isBase64Encoded":true}`, wantErr: true},
		{name: "header not a string", payload: `{"statusCode":200,"headers":{"a":{"b":1}}}`, wantErr: true},
		{name: "not JSON", payload: `{`, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := MapURLResponse([]byte(tc.payload))
			if tc.wantErr {
				if !errors.Is(err, ErrBadURLResponse) {
					t.Fatalf("err = %v, want ErrBadURLResponse", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, renderResponse(res))
		})
	}
}

func TestPrelude(t *testing.T) {
	t.Parallel()
	zero := strings.Repeat("\x00", 8)
	tests := []struct {
		name       string
		chunks     []string
		wantStatus int
		wantHeader string // Name: value
		wantRest   string
		wantErr    bool
	}{
		{name: "one chunk", chunks: []string{`{"statusCode":201,"headers":{"x-a":"b"}}` + zero + "body"}, wantStatus: 201,
			wantHeader: "X-A: b", wantRest: "body"},
		{name: "split prelude and delimiter", chunks: []string{`{"statusCode":`, `202,"cookies":["c=1"]}` + zero[:3], zero[3:] + "rest"},
			wantStatus: 202, wantHeader: "Set-Cookie: c=1", wantRest: "rest"},
		{name: "empty prelude", chunks: []string{zero}, wantStatus: 200, wantHeader: "Content-Type: application/octet-stream"},
		{name: "bad prelude", chunks: []string{`{"statusCode":` + zero}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var p Prelude
			for i, c := range tc.chunks {
				res, rest, done, err := p.Feed([]byte(c))
				if tc.wantErr {
					if err != nil {
						return
					}
					continue
				}
				if err != nil {
					t.Fatal(err)
				}
				if done != (i == len(tc.chunks)-1) {
					t.Fatalf("chunk %d: done = %v", i, done)
				}
				if !done {
					continue
				}
				name, value, _ := strings.Cut(tc.wantHeader, ": ")
				if res.Status != tc.wantStatus || res.Header.Get(name) != value || string(rest) != tc.wantRest {
					t.Fatalf("got %d %v %q", res.Status, res.Header, rest)
				}
			}
			if tc.wantErr {
				t.Fatal("no error")
			}
		})
	}
	t.Run("no delimiter in 64 KiB", func(t *testing.T) {
		t.Parallel()
		var p Prelude
		if _, _, _, err := p.Feed(bytes.Repeat([]byte("x"), maxPrelude+1)); !errors.Is(err, ErrBadURLResponse) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestURLCORS(t *testing.T) {
	t.Parallel()
	yes := true
	cors := &lambdaapi.Cors{AllowOrigins: []string{"https://app.example.com"}, AllowMethods: []string{"GET", "POST"},
		AllowHeaders: []string{"x-custom", "content-type"}, ExposeHeaders: []string{"x-answer"}, MaxAge: ptr(int32(300)), AllowCredentials: &yes}
	anyOrigin := &lambdaapi.Cors{AllowOrigins: []string{"*"}, AllowMethods: []string{"*"}}
	tests := []struct {
		name    string
		cors    *lambdaapi.Cors
		method  string
		header  http.Header
		preflig bool
		want    http.Header
	}{
		{name: "preflight allowed", cors: cors, method: "OPTIONS", preflig: true,
			header: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"post"}},
			want: http.Header{"Access-Control-Allow-Origin": {"https://app.example.com"}, "Access-Control-Allow-Methods": {"GET,POST"},
				"Access-Control-Allow-Headers": {"x-custom,content-type"}, "Access-Control-Max-Age": {"300"},
				"Access-Control-Allow-Credentials": {"true"}, "Vary": {"Origin"}}},
		{name: "preflight from another origin", cors: cors, method: "OPTIONS", preflig: true,
			header: http.Header{"Origin": {"https://evil.example"}, "Access-Control-Request-Method": {"GET"}}, want: http.Header{}},
		{name: "preflight of a method not allowed", cors: cors, method: "OPTIONS", preflig: true,
			header: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"DELETE"}}, want: http.Header{}},
		{name: "preflight, any origin", cors: anyOrigin, method: "OPTIONS", preflig: true,
			header: http.Header{"Origin": {"http://localhost:3000"}, "Access-Control-Request-Method": {"PATCH"}},
			want:   http.Header{"Access-Control-Allow-Origin": {"http://localhost:3000"}, "Access-Control-Allow-Methods": {"*"}, "Vary": {"Origin"}}},
		{name: "OPTIONS without a request method", cors: cors, method: "OPTIONS", header: http.Header{"Origin": {"https://app.example.com"}}},
		{name: "no CORS configured", cors: nil, method: "OPTIONS",
			header: http.Header{"Origin": {"https://app.example.com"}, "Access-Control-Request-Method": {"GET"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := IsPreflight(tc.cors, tc.method, tc.header); got != tc.preflig {
				t.Fatalf("IsPreflight = %v", got)
			}
			if !tc.preflig {
				return
			}
			if got := PreflightHeaders(tc.cors, tc.header); fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Fatalf("headers\n got %v\nwant %v", got, tc.want)
			}
		})
	}
	t.Run("answers", func(t *testing.T) {
		t.Parallel()
		fromFunction := func() http.Header {
			return http.Header{"Access-Control-Allow-Origin": {"*"}, "Content-Type": {"text/plain"}}
		}
		h := fromFunction()
		ApplyCORS(cors, "https://app.example.com", h)
		want := http.Header{"Access-Control-Allow-Origin": {"https://app.example.com"}, "Access-Control-Expose-Headers": {"x-answer"},
			"Access-Control-Allow-Credentials": {"true"}, "Vary": {"Origin"}, "Content-Type": {"text/plain"}}
		if fmt.Sprint(h) != fmt.Sprint(want) {
			t.Errorf("configured: %v", h)
		}
		h = fromFunction()
		ApplyCORS(cors, "https://evil.example", h)
		if fmt.Sprint(h) != fmt.Sprint(http.Header{"Content-Type": {"text/plain"}}) {
			t.Errorf("another origin: %v", h)
		}
		h = fromFunction()
		ApplyCORS(nil, "https://app.example.com", h)
		if fmt.Sprint(h) != fmt.Sprint(fromFunction()) {
			t.Errorf("no configuration: %v", h)
		}
	})
}
