package authorize

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const fnARN = "arn:aws:lambda:us-east-1:123456789012:function:fn"

// A same-account function policy that names the caller allows on its own ("Using
// resource-based policies in Lambda"; IAM User Guide, "Policy evaluation logic": identity-based
// and resource-based policies within one account), and function tags reach aws:ResourceTag.
func TestFunctionPolicyAndTags(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	_ = db.Update("123456789012", func(tx *storage.Tx) error {
		return storage.Users(tx).Put("ann", storage.UserRecord{Name: "ann", Path: "/"})
	})
	policies := map[string]string{
		fnARN: `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"ann","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ann"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `"},
			{"Sid":"deny-tagged","Effect":"Deny","Principal":"*","Action":"lambda:GetFunction","Resource":"` + fnARN + `","Condition":{"StringEquals":{"aws:ResourceTag/stage":"prod"}}}]}`,
	}
	a := New(Options{DB: db,
		FunctionPolicy: func(_ *storage.Tx, arn string) (string, error) {
			return policies[strings.TrimSuffix(arn, ":live")], nil
		},
		FunctionTags: func(_ *storage.Tx, arn string) (map[string]string, error) {
			return map[string]string{"stage": "prod"}, nil
		},
	})
	info := func() *reqctx.Info {
		return &reqctx.Info{Service: "lambda", Region: "us-east-1", Partition: "aws", Now: time.Unix(1700000000, 0), RequestID: "r",
			Caller: reqctx.Caller{Type: reqctx.User, Account: "123456789012", UserName: "ann", ARN: "arn:aws:iam::123456789012:user/ann", UserID: "AIDAANN"}}
	}
	ctx := context.Background()
	if err := a.Authorize(ctx, info(), Lambda, "Invoke", &lambdaapi.InvocationRequest{FunctionName: protocol.Ptr("fn")}); err != nil {
		t.Fatalf("function policy naming the user: %v", err)
	}
	err := a.Authorize(ctx, info(), Lambda, "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("fn")})
	e, ok := awserr.AsDenial(err)
	if !ok || !strings.HasSuffix(e.Message, "with an explicit deny in a resource-based policy") {
		t.Fatalf("tag-conditioned deny: %v", err)
	}
	err = a.Authorize(ctx, info(), Lambda, "DeleteFunction", &lambdaapi.DeleteFunctionRequest{FunctionName: protocol.Ptr("fn")})
	if e, ok := awserr.AsDenial(err); !ok || !strings.Contains(e.Message, "lambda:DeleteFunction on resource: "+fnARN+" because no") {
		t.Fatalf("no grant: %v", err)
	}
}

// checksFor is a service's mapping by its SigV4 signing name, for tests that range over services.
func checksFor(service, op string, in any, e *env) []check {
	svc := map[string]Service{"iam": IAM, "sts": STS, "lambda": Lambda, "logs": Logs, "monitoring": CloudWatch}[service]
	return svc.checks(op, in, e)
}
