package emulator_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/internal/bench/yardstick"
)

// benchServer is a server with a fixed clock, one IAM user "bench" holding an access key, ten
// customer managed policies of twenty statements each, and a group policy.
func benchServer(b *testing.B, mode authorize.Mode) (http.Handler, aws.Credentials, time.Time) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	// The request line is formatted and written, as the binary does at its default level.
	logger := slog.New(emulator.NewLogHandler(io.Discard, false, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, err := emulator.New(emulator.Options{DBPath: filepath.Join(b.TempDir(), "db"), Enforce: mode,
		Clock: func() time.Time { return now }, Logger: logger})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	h := srv.Handler()
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	call := func(creds aws.Credentials, form string) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, signedQuery(b, creds, now, form))
		if rec.Code != 200 {
			b.Fatalf("%s: %d %s", form, rec.Code, rec.Body.String())
		}
		return rec.Body.String()
	}
	call(root, "Action=CreateUser&Version=2010-05-08&UserName=bench")
	call(root, "Action=CreateGroup&Version=2010-05-08&GroupName=g")
	call(root, "Action=AddUserToGroup&Version=2010-05-08&GroupName=g&UserName=bench")
	for i := 0; i < 10; i++ {
		var stmts []string
		for j := 0; j < 20; j++ {
			stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["svc%d:Get*","svc%d:List%d"],"Resource":"arn:aws:svc%d:::thing/%d/*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`, j, j, i, i, j))
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		call(root, fmt.Sprintf("Action=CreatePolicy&Version=2010-05-08&PolicyName=p%d&PolicyDocument=%s", i, urlEncode(doc)))
		call(root, fmt.Sprintf("Action=AttachUserPolicy&Version=2010-05-08&UserName=bench&PolicyArn=arn:aws:iam::123456789012:policy/p%d", i))
	}
	call(root, "Action=PutGroupPolicy&Version=2010-05-08&GroupName=g&PolicyName=read&PolicyDocument="+
		urlEncode(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`))
	out := call(root, "Action=CreateAccessKey&Version=2010-05-08&UserName=bench")
	return h, aws.Credentials{AccessKeyID: between(out, "<AccessKeyId>", "<"), SecretAccessKey: between(out, "<SecretAccessKey>", "<")}, now
}

func signedQuery(b testing.TB, creds aws.Credentials, now time.Time, form string) *http.Request {
	return signedQueryFor(b, creds, now, "iam", form)
}

// signedQueryFor signs a Query POST for service (iam or sts) at now.
func signedQueryFor(b testing.TB, creds aws.Credentials, now time.Time, service, form string) *http.Request {
	req := httptest.NewRequest("POST", "http://127.0.0.1/", strings.NewReader(form))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", now); err != nil {
		b.Fatal(err)
	}
	return req
}

// BenchmarkSignedGetUser measures one SigV4-signed iam:GetUser by an IAM user with 11 policies
// (10 managed x 20 statements, 1 group inline), end to end through the handler, with policy
// enforcement on and off. The request is signed once and replayed: client signing is not counted.
func BenchmarkSignedGetUser(b *testing.B) {
	for _, mode := range []authorize.Mode{authorize.Off, authorize.On} {
		b.Run("enforce="+string(mode), func(b *testing.B) {
			h, creds, now := benchServer(b, mode)
			form := "Action=GetUser&Version=2010-05-08"
			proto := signedQuery(b, creds, now, form)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				req := proto.Clone(context.Background())
				req.Body = http.NoBody
				req.Body = readCloser(form)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body.String())
				}
			}
		})
	}
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	return s[:strings.Index(s, end)]
}

func urlEncode(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "=", "%3D", " ", "%20", "\"", "%22", "{", "%7B", "}", "%7D", "[", "%5B", "]", "%5D", ":", "%3A", ",", "%2C", "/", "%2F", "*", "%2A")
	return r.Replace(s)
}

// BenchmarkStartup measures what a new server costs until its first health answer: New on a
// fresh database (storage.Open with its check and migrations, the services, the executor), then
// GET /_iamlocal/health, whose isolation field needs the executor's probe of namespaces.
func BenchmarkStartup(b *testing.B) {
	dir := b.TempDir()
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		data := filepath.Join(dir, fmt.Sprint(i))
		if err := os.Mkdir(data, 0o700); err != nil {
			b.Fatal(err)
		}
		srv, err := emulator.New(emulator.Options{DBPath: filepath.Join(data, "iamlocal.db")})
		if err != nil {
			b.Fatal(err)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "http://127.0.0.1/_iamlocal/health", nil))
		if rec.Code != 200 {
			b.Fatalf("health: %d %s", rec.Code, rec.Body.String())
		}
		if err := srv.Close(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkYardstick is BenchmarkSignedGetUser's request answered by internal/bench/yardstick
// (SigV4 verification and a fixed body, what internal/bench/load's minimal server does): what
// SignedGetUser costs beyond it is iamlocal's own work per request, measured without a socket.
func BenchmarkYardstick(b *testing.B) {
	now := time.Now()
	creds := aws.Credentials{AccessKeyID: "AKIAYARDSTICK0000001", SecretAccessKey: "yardstick-secret"}
	h := yardstick.Handler(creds.AccessKeyID, creds.SecretAccessKey)
	form := "Action=GetUser&Version=2010-05-08"
	proto := signedQuery(b, creds, now, form)
	b.ReportAllocs()
	for b.Loop() {
		req := proto.Clone(context.Background())
		req.Body = readCloser(form)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body.String())
		}
	}
}
