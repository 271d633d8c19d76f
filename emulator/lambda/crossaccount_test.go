package lambda

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// otherAcct is a second account; the handlers are called as its root user through otherCtx.
const otherAcct = "210987654321"

func (e *env) otherCtx() context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: region, Service: "lambda",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: otherAcct, ARN: "arn:aws:iam::" + otherAcct + ":root", UserID: otherAcct}})
}

// createInOther creates function name in otherAcct, with an execution role of that account.
func (e *env) createInOther(name string, edit ...func(*lambdaapi.CreateFunctionRequest)) {
	e.t.Helper()
	ok(e.t, e.db.Update(otherAcct, func(tx *storage.Tx) error {
		return storage.Roles(tx).Put(storage.Key("exec"), storage.RoleRecord{V: 1, Name: "exec", ID: "AROAOTHER", Path: "/", Created: testNow, TrustPolicy: lambdaTrust})
	}))
	in := e.createReq(name)
	in.Role = ptr("arn:aws:iam::" + otherAcct + ":role/exec")
	for _, f := range edit {
		f(in)
	}
	_, err := e.s.CreateFunction(e.otherCtx(), in)
	ok(e.t, err)
}

// The authorizer's hooks read a function and a layer version of another account in that
// account, from a transaction of the caller's: the owner's policies are what may let the
// caller in ("Cross-account policy evaluation logic").
func TestAuthorizerHooksReadTheOwnersAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.otherCtx()
	e.createInOther("shared", func(in *lambdaapi.CreateFunctionRequest) { in.Tags = map[string]string{"team": "red"} })
	e.create("shared", func(in *lambdaapi.CreateFunctionRequest) { in.Tags = map[string]string{"team": "blue"} })
	_, err := e.s.AddPermission(other, &lambdaapi.AddPermissionRequest{FunctionName: ptr("shared"), StatementId: ptr("a"),
		Action: ptr("lambda:InvokeFunction"), Principal: ptr(acct)})
	ok(t, err)
	pub, err := e.s.PublishLayerVersion(other, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr("lib"),
		Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/x.py": "X = 1\n"})}})
	ok(t, err)
	_, err = e.s.AddLayerVersionPermission(other, &lambdaapi.AddLayerVersionPermissionRequest{LayerName: ptr("lib"), VersionNumber: ptr(int64(1)),
		StatementId: ptr("all"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("*")})
	ok(t, err)
	otherFn := "arn:aws:lambda:us-east-1:" + otherAcct + ":function:shared"
	ok(t, e.db.View(acct, func(tx *storage.Tx) error {
		tests := []struct {
			name, arn, want string
			hook            func(*storage.Tx, string) (string, error)
		}{
			{"another account's function policy", otherFn, `"Principal":{"AWS":"arn:aws:iam::123456789012:root"}`, FunctionPolicy},
			{"the caller's own function has none", fnARN + "shared", "", FunctionPolicy},
			{"another account's missing function", "arn:aws:lambda:us-east-1:" + otherAcct + ":function:none", "", FunctionPolicy},
			{"another account's layer version policy", deref(pub.LayerVersionArn), `"Principal":"*","Action":"lambda:GetLayerVersion"`, LayerVersionPolicy},
			{"a missing layer version", "arn:aws:lambda:us-east-1:" + otherAcct + ":layer:lib:2", "", LayerVersionPolicy},
			{"a layer the caller's account does not hold", "arn:aws:lambda:us-east-1:" + acct + ":layer:lib:1", "", LayerVersionPolicy},
			{"not a layer version", "arn:aws:lambda:us-east-1:" + otherAcct + ":layer:lib", "", LayerVersionPolicy},
		}
		for _, tt := range tests {
			doc, err := tt.hook(tx, tt.arn)
			if err != nil {
				return err
			}
			if tt.want == "" && doc != "" || tt.want != "" && !strings.Contains(doc, tt.want) {
				t.Errorf("%s: %s gives %q, want %q", tt.name, tt.arn, doc, tt.want)
			}
		}
		tags, err := FunctionTags(tx, otherFn)
		if tags["team"] != "red" {
			t.Errorf("tags of another account's function = %v, want its own", tags)
		}
		return err
	}))
}

// GetLayerVersion and GetLayerVersionByArn read another account's layer version where it
// lives, the one thing a layer version permission shares; every other layer operation finds
// nothing under another account's ARN and leaves the caller's own layer of that name alone.
func TestLayerOfAnotherAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	other := e.otherCtx()
	publish := func(ctx context.Context, body string) *lambdaapi.PublishLayerVersionResponse {
		t.Helper()
		out, err := e.s.PublishLayerVersion(ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr("lib"), Description: ptr(body),
			Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/x.py": body})}})
		ok(t, err)
		return out
	}
	theirs := publish(other, "theirs")
	publish(e.ctx, "mine")
	theirLayer := "arn:aws:lambda:us-east-1:" + otherAcct + ":layer:lib"

	got, err := e.s.GetLayerVersionByArn(e.ctx, &lambdaapi.GetLayerVersionByArnRequest{Arn: theirs.LayerVersionArn})
	ok(t, err)
	if deref(got.Description) != "theirs" || deref(got.LayerVersionArn) != deref(theirs.LayerVersionArn) || deref(got.LayerArn) != theirLayer {
		t.Errorf("GetLayerVersionByArn = %s %s %s", deref(got.Description), deref(got.LayerVersionArn), deref(got.LayerArn))
	}
	got, err = e.s.GetLayerVersion(e.ctx, &lambdaapi.GetLayerVersionRequest{LayerName: ptr(theirLayer), VersionNumber: ptr(int64(1))})
	ok(t, err)
	if deref(got.Description) != "theirs" {
		t.Errorf("GetLayerVersion by layer ARN = %s", deref(got.Description))
	}
	_, err = e.s.GetLayerVersion(e.ctx, &lambdaapi.GetLayerVersionRequest{LayerName: ptr(theirLayer), VersionNumber: ptr(int64(2))})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)

	versions, err := e.s.ListLayerVersions(e.ctx, &lambdaapi.ListLayerVersionsRequest{LayerName: ptr(theirLayer)})
	ok(t, err)
	if len(versions.LayerVersions) != 0 {
		t.Errorf("ListLayerVersions of another account's layer = %+v", versions.LayerVersions)
	}
	_, err = e.s.AddLayerVersionPermission(e.ctx, &lambdaapi.AddLayerVersionPermissionRequest{LayerName: ptr(theirLayer), VersionNumber: ptr(int64(1)),
		StatementId: ptr("x"), Action: ptr("lambda:GetLayerVersion"), Principal: ptr("*")})
	wantErr(t, err, "ResourceNotFoundException", "Layer version "+theirLayer+":1 does not exist.")
	_, err = e.s.PublishLayerVersion(e.ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr(theirLayer),
		Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/x.py": "x"})}})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)
	_, err = e.s.DeleteLayerVersion(e.ctx, &lambdaapi.DeleteLayerVersionRequest{LayerName: ptr(theirLayer), VersionNumber: ptr(int64(1))})
	ok(t, err)
	for _, ctx := range []context.Context{e.ctx, other} {
		if _, err := e.s.GetLayerVersion(ctx, &lambdaapi.GetLayerVersionRequest{LayerName: ptr("lib"), VersionNumber: ptr(int64(1))}); err != nil {
			t.Errorf("a layer version deleted through another account's ARN: %v", err)
		}
	}
}

// A caller of another account that a function policy admits invokes the function where it
// lives: its configuration, code and execution role credentials are the owner's, and its
// metrics go to the owner. The log tail stays the owner's ("Cross-account log access is not
// allowed", common-fate/glide#559).
func TestInvokeFunctionOfAnotherAccount(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rr := &recordingRunner{}
	var recorded []Invoked
	e.s.hooks.Runner = rr
	e.s.hooks.Record = func(inv Invoked) { recorded = append(recorded, inv) }
	e.s.hooks.Credentials = func(tx *storage.Tx, roleName, session string, now time.Time, d time.Duration) (storage.SessionRecord, error) {
		return storage.SessionRecord{AccessKeyID: "ASIA" + tx.Account() + roleName, Expiration: now.Add(d)}, nil
	}
	e.createInOther("shared", func(in *lambdaapi.CreateFunctionRequest) { in.Handler = ptr("app.theirs") })
	e.create("shared")
	theirs := "arn:aws:lambda:us-east-1:" + otherAcct + ":function:shared"

	out, err := e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr(theirs), Payload: []byte("{}")})
	ok(t, err)
	if rr.fn.Account != otherAcct || rr.fn.Handler != "app.theirs" || rr.fn.ARN != theirs ||
		rr.fn.Credentials.AccessKeyID != "ASIA"+otherAcct+"exec" || deref(out.StatusCode) != 200 {
		t.Errorf("ran %s %s %s as %s", rr.fn.Account, rr.fn.ARN, rr.fn.Handler, rr.fn.Credentials.AccessKeyID)
	}
	if len(recorded) != 1 || recorded[0].Account != otherAcct {
		t.Errorf("recorded %+v, want the owner's account", recorded)
	}
	_, err = e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr(theirs), LogType: ptr("Tail")})
	if d, isDenial := awserr.AsDenial(err); !isDenial || d.Message != "Cross-account log access is not allowed" {
		t.Errorf("cross-account Tail: %v", err)
	}
	_, err = e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr("shared"), LogType: ptr("Tail")})
	ok(t, err)
	if rr.fn.Account != acct || rr.fn.Handler != "app.handler" {
		t.Errorf("the caller's own function ran as %s %s", rr.fn.Account, rr.fn.Handler)
	}
}
