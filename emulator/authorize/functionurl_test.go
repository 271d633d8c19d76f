package authorize

import (
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// A function URL request needs lambda:InvokeFunctionUrl and lambda:InvokeFunction (Lambda
// Developer Guide, "Control access to Lambda function URLs", from October 2025), or the first
// alone under the legacy rule; a NONE URL's anonymous caller only through Principal "*".
func TestAuthorizeFunctionURL(t *testing.T) {
	t.Parallel()
	const (
		urlOnly = `{"Sid":"url","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"` + fnARN + `","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}`
		invoke  = `{"Sid":"invoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + fnARN + `","Condition":{"Bool":{"lambda:InvokedViaFunctionUrl":"true"}}}`
		forAnn  = `{"Sid":"ann","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ann"},"Action":["lambda:InvokeFunctionUrl","lambda:InvokeFunction"],"Resource":"` + fnARN + `"}`
	)
	doc := func(statements ...string) string {
		out := `{"Version":"2012-10-17","Id":"default","Statement":[`
		for i, s := range statements {
			if i > 0 {
				out += ","
			}
			out += s
		}
		return out + "]}"
	}
	ann := reqctx.Caller{Type: reqctx.User, Account: "123456789012", UserName: "ann", ARN: "arn:aws:iam::123456789012:user/ann", UserID: "AIDAANN"}
	root := reqctx.Caller{Type: reqctx.Account, Account: "123456789012", ARN: "arn:aws:iam::123456789012:root", UserID: "123456789012"}
	tests := []struct {
		name     string
		policy   string
		caller   reqctx.Caller
		authType string
		legacy   bool
		mode     Mode
		allowed  bool
	}{
		{name: "anonymous, no policy", authType: "NONE"},
		{name: "anonymous, url permission only", policy: doc(urlOnly), authType: "NONE"},
		{name: "anonymous, both permissions", policy: doc(urlOnly, invoke), authType: "NONE", allowed: true},
		{name: "anonymous, url permission for another auth type", policy: doc(urlOnly, invoke), authType: "AWS_IAM"},
		{name: "anonymous, legacy, url permission only", policy: doc(urlOnly), authType: "NONE", legacy: true, allowed: true},
		{name: "anonymous, enforcement soft", authType: "NONE", mode: Soft, allowed: true},
		{name: "anonymous, enforcement off", authType: "NONE", mode: Off, allowed: true},
		{name: "user named by the function policy", policy: doc(forAnn), caller: ann, authType: "AWS_IAM", allowed: true},
		{name: "user the policy does not name", policy: doc(urlOnly), caller: ann, authType: "AWS_IAM"},
		{name: "the account's root", caller: root, authType: "AWS_IAM", allowed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			db := storagetest.Open(t)
			_ = db.Update("123456789012", func(tx *storage.Tx) error {
				return storage.Users(tx).Put("ann", storage.UserRecord{Name: "ann", Path: "/"})
			})
			a := New(Options{DB: db, Mode: tc.mode, FunctionPolicy: func(_ *storage.Tx, arn string) (string, error) {
				if arn == fnARN {
					return tc.policy, nil
				}
				return "", nil
			}})
			info := &reqctx.Info{Service: "lambda", Region: "us-east-1", Partition: "aws", Now: time.Unix(1700000000, 0), RequestID: "r", Caller: tc.caller}
			fn := arn.Function{Scope: arn.Scope{Partition: "aws", Region: "us-east-1", Account: "123456789012"}, Name: "fn"}
			err := a.AuthorizeFunctionURL(context.Background(), info, FunctionURL{Function: fn, AuthType: tc.authType, Legacy: tc.legacy})
			if _, denied := awserr.AsDenial(err); denied == tc.allowed || (!denied && err != nil) {
				t.Fatalf("err = %v, want allowed %v", err, tc.allowed)
			}
			if tc.mode == Off {
				return
			}
			// Every check is in the decision log, the anonymous caller under that name.
			want := map[string]bool{"lambda:InvokeFunctionUrl": true, "lambda:InvokeFunction": !tc.legacy}
			for _, d := range a.Log().Snapshot() {
				if d.Operation != "InvokeFunctionUrl" || d.Resource != fnARN || (tc.caller.ARN == "" && d.Principal != "anonymous") {
					t.Errorf("decision %+v", d)
				}
				delete(want, d.Action)
				if d.Decision != "Allow" && tc.mode != Soft {
					break // the first denial ends the evaluation
				}
			}
			for action, needed := range want {
				if needed && tc.allowed {
					t.Errorf("no decision for %s", action)
				}
			}
		})
	}
}
