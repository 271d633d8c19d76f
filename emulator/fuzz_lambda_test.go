package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator"
)

var uriLabel = regexp.MustCompile(`\{[^}]*\}`)

// FuzzSignedLambda sends correctly signed REST requests to every Lambda route with arbitrary
// path labels, query strings and bodies: the answer is never a 5xx other than 501
// NotImplemented, and every error is JSON with x-amzn-ErrorType.
func FuzzSignedLambda(f *testing.F) {
	ops := lambdaapi.Model().OpNames
	for i := range ops {
		f.Add(uint16(i), "fn", "", `{}`)
	}
	f.Add(uint16(0), "arn:aws:lambda:us-east-1:123456789012:function:x:1", "Qualifier=%24LATEST", `{"FunctionName":"x","Role":"arn:aws:iam::123456789012:role/r","Code":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}`)
	f.Add(uint16(1), "%2F%2e%2e", "MaxItems=-1&Marker=%00", `[1,2`)
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	srv, err := emulator.New(emulator.Options{DBPath: filepath.Join(f.TempDir(), "db"), Clock: func() time.Time { return now }})
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	f.Fuzz(func(t *testing.T, op uint16, label, query, body string) {
		m := lambdaapi.Model().Operations[ops[int(op)%len(ops)]]
		path, static, _ := strings.Cut(m.RequestURI, "?")
		path = uriLabel.ReplaceAllLiteralString(path, label)
		target := path
		if q := strings.Trim(static+"&"+query, "&"); q != "" {
			target += "?" + q
		}
		if _, err := url.ParseRequestURI(target); err != nil || strings.ContainsAny(target, " #") {
			return // not a request line an HTTP client could send
		}
		req := httptest.NewRequest(m.Method, "http://127.0.0.1"+target, strings.NewReader(body))
		sum := sha256.Sum256([]byte(body))
		if err := v4.NewSigner().SignHTTP(context.Background(), root, req, hex.EncodeToString(sum[:]), "lambda", "us-east-1", now); err != nil {
			return
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 && rec.Code != 501 {
			t.Fatalf("%s %s: %d %s", m.Method, target, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			var doc map[string]any
			if rec.Header().Get("x-amzn-ErrorType") == "" || json.Unmarshal(rec.Body.Bytes(), &doc) != nil {
				t.Fatalf("%s %s: malformed error %d %v %q", m.Method, target, rec.Code, rec.Header(), rec.Body.String())
			}
		}
	})
}
