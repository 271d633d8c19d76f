package lambda

import (
	"context"
	"strconv"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
)

type recordingRunner struct{ fn executor.Function }

func (r *recordingRunner) Invoke(_ context.Context, fn executor.Function, _ executor.Invocation) (executor.Result, error) {
	r.fn = fn
	return executor.Result{Payload: []byte("null"), ExecutedVersion: fn.Version}, nil
}

// Invoke hands the executor the content of the function's layer versions, in the function's
// order: of its own account and of another account iamlocal holds. Layers iamlocal cannot read
// (AWS-managed, unknown accounts, versions deleted since) are left out, never an error: Lambda
// keeps running functions on layers deleted or no longer shared.
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
	doomed, _ := publish(e.ctx, "doomed", "B = 2\n")
	theirs, theirsZip := publish(otherCtx, "theirs", "C = 3\n")
	unknown := "arn:aws:lambda:us-east-1:555555555555:layer:nowhere:1"
	e.create("f", func(r *lambdaapi.CreateFunctionRequest) { r.Layers = []string{theirs, doomed, unknown, mine} })
	n, _ := strconv.ParseInt(doomed[len(doomed)-1:], 10, 64)
	_, err := e.s.DeleteLayerVersion(e.ctx, &lambdaapi.DeleteLayerVersionRequest{LayerName: ptr("doomed"), VersionNumber: &n})
	ok(t, err)

	_, err = e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("f"), Payload: []byte("{}")})
	ok(t, err)
	got := rr.fn.Layers
	if len(got) != 2 || got[0].ARN != theirs || got[1].ARN != mine {
		t.Fatalf("layers %+v, want %s then %s", got, theirs, mine)
	}
	if string(got[0].Code) != string(theirsZip) || string(got[1].Code) != string(mineZip) || got[0].CodeSHA == "" || got[0].CodeSHA == got[1].CodeSHA {
		t.Errorf("layer content or shas wrong: %q %q", got[0].CodeSHA, got[1].CodeSHA)
	}
}
