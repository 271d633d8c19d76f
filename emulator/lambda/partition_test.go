package lambda

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Function, version, layer, runtime and principal ARNs are in the request's partition (the
// service's when the request carries none); a function ARN of another partition names the
// function of this one, as the authorizer reads it too (arn.ResolveFunction).
func TestPartitionARNs(t *testing.T) {
	t.Parallel()
	const govRole = "arn:aws-us-gov:iam::123456789012:role/service/exec"
	db := storagetest.Open(t)
	s := New(Options{DB: db, Clock: func() time.Time { return testNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)},
		Region: "us-gov-west-1", Partition: "aws-us-gov"})
	e := &env{t: t, s: s, db: db, ctx: reqctx.With(context.Background(), &reqctx.Info{Now: testNow, Region: "us-gov-west-1",
		Partition: "aws-us-gov", Service: "lambda", Caller: reqctx.Caller{Type: reqctx.Account, Account: acct, UserID: acct}})}
	e.role("exec", "/service/", lambdaTrust)
	bare := reqctx.With(context.Background(), &reqctx.Info{Caller: reqctx.Caller{Type: reqctx.Account, Account: acct}})

	fn := e.create("f", func(in *lambdaapi.CreateFunctionRequest) { in.Role = ptr(govRole) })
	if got := deref(fn.FunctionArn); got != "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f" {
		t.Errorf("FunctionArn %s", got)
	}
	if got := deref(fn.RuntimeVersionConfig.RuntimeVersionArn); !strings.HasPrefix(got, "arn:aws-us-gov:lambda:us-gov-west-1::runtime:") {
		t.Errorf("RuntimeVersionArn %s", got)
	}
	v, err := s.PublishVersion(bare, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	ok(t, err)
	if got := deref(v.FunctionArn); got != "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:1" {
		t.Errorf("version ARN %s", got)
	}
	got, err := s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("arn:aws:lambda:us-gov-west-1:123456789012:function:f")})
	ok(t, err)
	if arn := deref(got.Configuration.FunctionArn); arn != "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f" {
		t.Errorf("GetFunction by an aws ARN answered %s", arn)
	}

	perm, err := s.AddPermission(e.ctx, &lambdaapi.AddPermissionRequest{FunctionName: ptr("f"), Qualifier: ptr("1"), StatementId: ptr("x"),
		Action: ptr("lambda:InvokeFunction"), Principal: ptr("210987654321")})
	ok(t, err)
	if st := deref(perm.Statement); !strings.Contains(st, `"Principal":{"AWS":"arn:aws-us-gov:iam::210987654321:root"}`) ||
		!strings.Contains(st, `"Resource":"arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f:1"`) {
		t.Errorf("statement %s", st)
	}

	layer, err := s.PublishLayerVersion(e.ctx, &lambdaapi.PublishLayerVersionRequest{LayerName: ptr("lib"),
		Content: &lambdaapi.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/lib.py": "X = 1\n"})}})
	ok(t, err)
	if deref(layer.LayerArn) != "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:lib" ||
		deref(layer.LayerVersionArn) != "arn:aws-us-gov:lambda:us-gov-west-1:123456789012:layer:lib:1" {
		t.Errorf("layer %s %s", deref(layer.LayerArn), deref(layer.LayerVersionArn))
	}
	byARN, err := s.GetLayerVersionByArn(e.ctx, &lambdaapi.GetLayerVersionByArnRequest{Arn: layer.LayerVersionArn})
	ok(t, err)
	if deref(byARN.Version) != 1 {
		t.Errorf("GetLayerVersionByArn version %d", deref(byARN.Version))
	}
	_, err = s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("f"), Layers: []string{deref(layer.LayerVersionArn)}})
	ok(t, err)
}
