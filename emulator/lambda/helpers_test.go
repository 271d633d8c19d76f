package lambda

import (
	"archive/zip"
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const (
	acct    = "123456789012"
	region  = "us-east-1"
	roleARN = "arn:aws:iam::123456789012:role/service/exec"
	fnARN   = "arn:aws:lambda:us-east-1:123456789012:function:"
)

var testNow = time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)

const lambdaTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

type env struct {
	t   *testing.T
	s   *Service
	db  *storage.DB
	ctx context.Context
}

func newEnv(t *testing.T) *env {
	t.Helper()
	db := storagetest.Open(t)
	s := New(Options{DB: db, Clock: func() time.Time { return testNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)}, Region: region})
	ctx := reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: region, Service: "lambda",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}})
	e := &env{t: t, s: s, db: db, ctx: ctx}
	e.role("exec", "/service/", lambdaTrust)
	e.role("ec2only", "/", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	return e
}

// role stores an IAM role directly, as the IAM service would.
func (e *env) role(name, path, trust string) {
	e.t.Helper()
	err := e.db.Update(acct, func(tx *storage.Tx) error {
		return storage.Roles(tx).Put(storage.Key(name), storage.RoleRecord{V: 1, Name: name, ID: "AROA" + name, Path: path, Created: testNow, TrustPolicy: trust})
	})
	ok(e.t, err)
}

// zipOf builds a zip archive holding the given files.
func zipOf(t testing.TB, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (e *env) createReq(name string) *lambdaapi.CreateFunctionRequest {
	return &lambdaapi.CreateFunctionRequest{FunctionName: ptr(name), Role: ptr(roleARN), Runtime: ptr("python3.12"),
		Handler: ptr("app.handler"), Code: &lambdaapi.FunctionCode{ZipFile: zipOf(e.t, map[string]string{"app.py": "def handler(e, c): return 1\n"})}}
}

func (e *env) create(name string, edit ...func(*lambdaapi.CreateFunctionRequest)) *lambdaapi.FunctionConfiguration {
	e.t.Helper()
	in := e.createReq(name)
	for _, f := range edit {
		f(in)
	}
	out, err := e.s.CreateFunction(e.ctx, in)
	ok(e.t, err)
	return out
}

func ok(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// wantErr checks the AWS code and, when msg is not empty, the exact message.
func wantErr(t testing.TB, err error, code, msg string) {
	t.Helper()
	e, isAWS := awserr.As(err)
	if !isAWS {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if e.Code != code || msg != "" && e.Message != msg {
		t.Fatalf("error = %s: %q, want %s: %q", e.Code, e.Message, code, msg)
	}
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}
