package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/storage"
)

// streamingRunner answers as a runtime would: chunks through the invocation's stream when it
// has one, then its result or error.
type streamingRunner struct {
	contentType string
	chunks      []string
	res         executor.Result
	err         error
	got         executor.Invocation
	fn          executor.Function
}

func (r *streamingRunner) Invoke(_ context.Context, fn executor.Function, inv executor.Invocation) (executor.Result, error) {
	r.got, r.fn = inv, fn
	if inv.Stream != nil && r.contentType != "" {
		if err := inv.Stream.Start(r.contentType); err != nil {
			return executor.Result{}, err
		}
		for _, c := range r.chunks {
			if _, err := inv.Stream.Write([]byte(c)); err != nil {
				return executor.Result{}, err
			}
		}
	}
	res := r.res
	res.ExecutedVersion = fn.Version
	return res, r.err
}

func TestStreamInvocation(t *testing.T) {
	t.Parallel()
	errDoc := `{"errorType":"TypeError","errorMessage":"broke midway","trace":[]}`
	tests := []struct {
		name   string
		runner streamingRunner
		in     lambdaapi.InvokeWithResponseStreamRequest
		want   string // the collected stream
		err    string
	}{
		{name: "chunks then complete", runner: streamingRunner{contentType: "text/plain", chunks: []string{"a", "b"}},
			want: "200 $LATEST text/plain [ab] {<nil> <nil> <nil>}"},
		{name: "a buffered answer is one chunk", runner: streamingRunner{contentType: "application/json", chunks: []string{`{"k":1}`}},
			want: `200 $LATEST application/json [{"k":1}] {<nil> <nil> <nil>}`},
		{name: "an error midway", runner: streamingRunner{contentType: "text/plain", chunks: []string{"part"},
			res: executor.Result{FunctionError: "Unhandled", Payload: []byte(errDoc)}},
			want: "200 $LATEST text/plain [part] {TypeError " + errDoc + " <nil>}"},
		{name: "an error before streaming", runner: streamingRunner{res: executor.Result{FunctionError: "Unhandled", Payload: []byte(`{"errorMessage":"x"}`)}},
			want: `200 $LATEST application/json [] {Unhandled {"errorMessage":"x"} <nil>}`},
		{name: "the log tail", runner: streamingRunner{contentType: "text/plain", chunks: []string{"x"}, res: executor.Result{Log: []byte("START\nEND\n")}},
			in:   lambdaapi.InvokeWithResponseStreamRequest{LogType: ptr("Tail")},
			want: "200 $LATEST text/plain [x] {<nil> <nil> " + base64.StdEncoding.EncodeToString([]byte("START\nEND\n")) + "}"},
		{name: "a platform error before streaming is the operation's", runner: streamingRunner{err: lambdaapi.ErrTooManyRequests("Rate Exceeded.")},
			err: "TooManyRequestsException"},
		{name: "a platform error midway completes the stream", runner: streamingRunner{contentType: "text/plain", chunks: []string{"x"},
			err: lambdaapi.ErrService("gone")}, want: "200 $LATEST text/plain [x] {ServiceException gone <nil>}"},
		{name: "DryRun", in: lambdaapi.InvokeWithResponseStreamRequest{InvocationType: ptr("DryRun")}, want: "204   [] {<nil> <nil> <nil>}"},
		{name: "client context must be base64", in: lambdaapi.InvokeWithResponseStreamRequest{ClientContext: ptr("%%%")},
			err: "InvalidRequestContentException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.create("f")
			runner := tc.runner
			e.s.hooks.Runner = &runner
			in := tc.in
			in.FunctionName = ptr("f")
			var c collected
			err := e.s.StreamInvocation(e.ctx, &in, &c)
			if tc.err != "" {
				wantErr(t, err, tc.err, "")
				return
			}
			ok(t, err)
			got := fmt.Sprintf("%d %s %s [%s] {%s %s %s}", c.head.Status, c.head.ExecutedVersion, c.head.ContentType, c.body,
				str0(c.done.ErrorCode), str0(c.done.ErrorDetails), str0(c.done.LogResult))
			if got != tc.want {
				t.Fatalf("stream\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func str0(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// The handler method answers the whole stream at once: one PayloadChunk, then InvokeComplete.
func TestInvokeWithResponseStreamCollects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create("f")
	e.s.hooks.Runner = &streamingRunner{contentType: "text/plain", chunks: []string{"one ", "two"}}
	out, err := e.s.InvokeWithResponseStream(e.ctx, &lambdaapi.InvokeWithResponseStreamRequest{FunctionName: ptr("f")})
	ok(t, err)
	if deref(out.StatusCode) != http.StatusOK || deref(out.ExecutedVersion) != "$LATEST" || string(out.EventStream.PayloadChunk.Payload) != "one two" ||
		out.EventStream.InvokeComplete == nil || out.EventStream.InvokeComplete.ErrorCode != nil {
		t.Fatalf("response %+v %+v", out, out.EventStream)
	}
	e.s.hooks.Runner = nil
	_, err = e.s.InvokeWithResponseStream(e.ctx, &lambdaapi.InvokeWithResponseStreamRequest{FunctionName: ptr("f")})
	wantErr(t, err, "NotImplemented", "")
}

// A URL is found by its id until it, its alias or its function goes; its invocation runs in
// the URL's account and region under the URL request's id.
func TestLookupAndInvokeURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create("f")
	_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	ok(t, err)
	_, err = e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("1")})
	ok(t, err)
	yes := true
	own, err := e.s.CreateFunctionUrlConfig(e.ctx, &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: ptr("f"), AuthType: ptr("NONE"),
		Cors: &lambdaapi.Cors{AllowOrigins: []string{"*"}, AllowCredentials: &yes}})
	ok(t, err)
	alias, err := e.s.CreateFunctionUrlConfig(e.ctx, &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: ptr("f"), Qualifier: ptr("live"),
		AuthType: ptr("AWS_IAM"), InvokeMode: ptr("RESPONSE_STREAM")})
	ok(t, err)
	idOf := func(u *string) string {
		return strings.TrimSuffix(strings.TrimPrefix(deref(u), "https://"), ".lambda-url.us-east-1.on.aws/")
	}
	t1, err := e.s.LookupURL(idOf(own.FunctionUrl))
	ok(t, err)
	if t1.Function != "f" || t1.Qualifier != "" || t1.Account != acct || t1.Region != region || t1.AuthType != "NONE" ||
		t1.Streams() || t1.FunctionARN != fnARN+"f" || t1.Cors == nil || t1.Cors.AllowOrigins[0] != "*" {
		t.Fatalf("function URL %+v", t1)
	}
	t2, err := e.s.LookupURL(idOf(alias.FunctionUrl))
	ok(t, err)
	if t2.Qualifier != "live" || t2.FunctionARN != fnARN+"f:live" || !t2.Streams() || t2.AuthType != "AWS_IAM" {
		t.Fatalf("alias URL %+v", t2)
	}
	runner := &streamingRunner{res: executor.Result{Payload: []byte(`"hi"`)}}
	e.s.hooks.Runner = runner
	// The caller is of another account: the invocation is still the URL owner's.
	other := reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: "eu-west-1", Caller: reqctx.Caller{Type: reqctx.Account, Account: "210987654321"}})
	res, err := e.s.InvokeURL(other, t2, "req-1", []byte(`{"e":1}`), nil)
	ok(t, err)
	if string(res.Payload) != `"hi"` || runner.got.RequestID != "req-1" || string(runner.got.Payload) != `{"e":1}` ||
		runner.fn.ARN != fnARN+"f:live" || runner.fn.Version != "1" || runner.fn.Account != acct || runner.fn.Region != region {
		t.Fatalf("invocation %+v of %+v", runner.got, runner.fn)
	}
	_, err = e.s.DeleteAlias(e.ctx, &lambdaapi.DeleteAliasRequest{FunctionName: ptr("f"), Name: ptr("live")})
	ok(t, err)
	if _, err := e.s.LookupURL(t2.ID); !errors.Is(err, ErrNoURL) {
		t.Fatalf("URL of a deleted alias: %v", err)
	}
	_, err = e.s.DeleteFunctionUrlConfig(e.ctx, &lambdaapi.DeleteFunctionUrlConfigRequest{FunctionName: ptr("f")})
	ok(t, err)
	if _, err := e.s.LookupURL(t1.ID); !errors.Is(err, ErrNoURL) {
		t.Fatalf("deleted URL: %v", err)
	}
	if _, err := e.s.LookupURL(strings.Repeat("z", 32)); !errors.Is(err, ErrNoURL) {
		t.Fatalf("unknown id: %v", err)
	}
}

// A URL missing from the index (made before URLs were indexed) is served once updated.
func TestUpdateIndexesURL(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.create("f")
	out, err := e.s.CreateFunctionUrlConfig(e.ctx, &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: ptr("f"), AuthType: ptr("NONE")})
	ok(t, err)
	id := strings.TrimSuffix(strings.TrimPrefix(deref(out.FunctionUrl), "https://"), ".lambda-url.us-east-1.on.aws/")
	ok(t, e.db.Update("", func(tx *storage.Tx) error { return storage.LambdaURLIndex(tx).Delete(id) }))
	if _, err := e.s.LookupURL(id); !errors.Is(err, ErrNoURL) {
		t.Fatalf("unindexed URL: %v", err)
	}
	_, err = e.s.UpdateFunctionUrlConfig(e.ctx, &lambdaapi.UpdateFunctionUrlConfigRequest{FunctionName: ptr("f"), AuthType: ptr("AWS_IAM")})
	ok(t, err)
	if got, err := e.s.LookupURL(id); err != nil || got.AuthType != "AWS_IAM" {
		t.Fatalf("after update: %+v %v", got, err)
	}
}
