package lambda

import (
	"context"
	"strconv"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/storage"
)

type recordingRunner struct{ fn executor.Function }

func (r *recordingRunner) Invoke(_ context.Context, fn executor.Function, _ executor.Invocation) (executor.Result, error) {
	r.fn = fn
	return executor.Result{Payload: []byte("null"), ExecutedVersion: fn.Version}, nil
}

// Invoke hands the executor the content of the function's layer versions, in the function's
// order: of its own account and of another account iamlocal holds, and versions deleted since
// (read through the reference's code key). Layers iamlocal cannot read (AWS-managed, unknown
// accounts) are left out, never an error: Lambda keeps running functions on layers deleted or
// no longer shared.
func TestInvokePassesLayerContent(t *testing.T) {
	e := newEnv(t)
	rr := &recordingRunner{}
	e.s.hooks.Runner = rr

	other := "210987654321"
	otherCtx := reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: region, Service: "lambda",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: other, ARN: "arn:aws:iam::" + other + ":root", UserID: other}})
	publish := func(ctx context.Context, name, body string) (string, []byte) {
		t.Helper()
		z := zipOf(t, map[string]string{"python/" + name + ".py": body})
		out, err := e.s.PublishLayerVersion(ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr(name), Content: &lambdaapi.LayerVersionContentInput{ZipFile: z}})
		ok(t, err)
		return *out.LayerVersionArn, z
	}
	mine, mineZip := publish(e.ctx, "mine", "A = 1\n")
	doomed, doomedZip := publish(e.ctx, "doomed", "B = 2\n")
	theirs, theirsZip := publish(otherCtx, "theirs", "C = 3\n")
	unknown := "arn:aws:lambda:us-east-1:555555555555:layer:nowhere:1"
	e.create("f", func(r *lambdaapi.CreateFunctionRequest) { r.Layers = []string{theirs, doomed, unknown, mine} })
	n, _ := strconv.ParseInt(doomed[len(doomed)-1:], 10, 64)
	_, err := e.s.DeleteLayerVersion(e.ctx, &lambdaapi.DeleteLayerVersionRequest{LayerName: ptr("doomed"), VersionNumber: &n})
	ok(t, err)

	_, err = e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("f"), Payload: []byte("{}")})
	ok(t, err)
	got := rr.fn.Layers
	if len(got) != 3 || got[0].ARN != theirs || got[1].ARN != doomed || got[2].ARN != mine {
		t.Fatalf("layers %+v, want %s, %s then %s", got, theirs, doomed, mine)
	}
	if string(got[0].Code) != string(theirsZip) || string(got[1].Code) != string(doomedZip) || string(got[2].Code) != string(mineZip) ||
		got[0].CodeSHA == "" || got[0].CodeSHA == got[2].CodeSHA {
		t.Errorf("layer content or shas wrong: %q %q %q", got[0].CodeSHA, got[1].CodeSHA, got[2].CodeSHA)
	}
}

// A deleted layer version stays readable by the function versions that refer to it, in its own
// account and across accounts, while GetLayerVersion answers not found; its package is freed
// once the last reference goes (DeleteLayerVersion: Lambda keeps "a copy of the layer version"
// until no functions refer to it).
func TestDeletedLayerVersionKeptWhileReferenced(t *testing.T) {
	e := newEnv(t)
	rr := &recordingRunner{}
	e.s.hooks.Runner = rr
	other := "210987654321"
	otherCtx := reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: region, Service: "lambda",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: other, ARN: "arn:aws:iam::" + other + ":root", UserID: other}})
	publish := func(ctx context.Context, name, body string) (*lambdaapi.PublishLayerVersionResponse, []byte) {
		t.Helper()
		z := zipOf(t, map[string]string{"python/" + name + ".py": body})
		out, err := e.s.PublishLayerVersion(ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr(name), Content: &lambdaapi.LayerVersionContentInput{ZipFile: z}})
		ok(t, err)
		return out, z
	}
	mine, mineZip := publish(e.ctx, "mine", "A = 1\n")
	theirs, theirsZip := publish(otherCtx, "theirs", "C = 3\n")
	e.create("f", func(r *lambdaapi.CreateFunctionRequest) {
		r.Layers = []string{*mine.LayerVersionArn, *theirs.LayerVersionArn}
	})
	_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	ok(t, err)

	_, err = e.s.DeleteLayerVersion(e.ctx, &lambdaapi.DeleteLayerVersionRequest{LayerName: ptr("mine"), VersionNumber: ptr(int64(1))})
	ok(t, err)
	_, err = e.s.DeleteLayerVersion(otherCtx, &lambdaapi.DeleteLayerVersionRequest{LayerName: ptr("theirs"), VersionNumber: ptr(int64(1))})
	ok(t, err)
	_, err = e.s.GetLayerVersion(e.ctx, &lambdaapi.GetLayerVersionRequest{LayerName: ptr("mine"), VersionNumber: ptr(int64(1))})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)
	_, err = e.s.GetLayerVersionByArn(otherCtx, &lambdaapi.GetLayerVersionByArnRequest{Arn: theirs.LayerVersionArn})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)

	for _, q := range []string{"", "1"} {
		rr.fn = executor.Function{}
		_, err = e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("f"), Qualifier: ptr(q), Payload: []byte("{}")})
		ok(t, err)
		got := rr.fn.Layers
		if len(got) != 2 || string(got[0].Code) != string(mineZip) || string(got[1].Code) != string(theirsZip) || got[0].CodeSHA != hexSHA256(mineZip) {
			t.Fatalf("qualifier %q: layers %+v", q, got)
		}
	}

	stored := func(account string, z []byte) bool {
		t.Helper()
		var has bool
		ok(t, e.db.ViewRegion(account, region, func(tx *storage.Tx) error {
			_, err := storage.LambdaCode(tx, hexSHA256(z))
			has = err == nil
			return nil
		}))
		return has
	}
	// $LATEST drops the layers; version 1 still refers to them.
	_, err = e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("f"), Layers: []string{}})
	ok(t, err)
	if !stored(acct, mineZip) || !stored(other, theirsZip) {
		t.Fatal("layer packages freed while version 1 refers to them")
	}
	_, err = e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("f"), Qualifier: ptr("1")})
	ok(t, err)
	if stored(acct, mineZip) || stored(other, theirsZip) {
		t.Error("layer packages of deleted layer versions kept after the last reference went")
	}
}
