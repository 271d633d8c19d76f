package lambda

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

func TestProvisionedConcurrency(t *testing.T) {
	e := newEnv(t)
	e.create("f")
	_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	ok(t, err)
	_, err = e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("f"), Name: ptr("live"), FunctionVersion: ptr("1")})
	ok(t, err)
	put := func(fn, q string, n int32) error {
		_, err := e.s.PutProvisionedConcurrencyConfig(e.ctx, &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: ptr(fn), Qualifier: ptr(q), ProvisionedConcurrentExecutions: ptr(n)})
		return err
	}
	get := func(fn, q string) error {
		_, err := e.s.GetProvisionedConcurrencyConfig(e.ctx, &lambdaapi.GetProvisionedConcurrencyConfigRequest{FunctionName: ptr(fn), Qualifier: ptr(q)})
		return err
	}
	del := func(fn, q string) error {
		_, err := e.s.DeleteProvisionedConcurrencyConfig(e.ctx, &lambdaapi.DeleteProvisionedConcurrencyConfigRequest{FunctionName: ptr(fn), Qualifier: ptr(q)})
		return err
	}
	cases := []struct {
		name string
		err  error
		code string
		msg  string
	}{
		{"put latest", put("f", "$LATEST", 1), "InvalidParameterValueException", msgProvisionedLatest},
		{"get latest", get("f", "$LATEST"), "InvalidParameterValueException", msgProvisionedQualify},
		{"put missing alias", put("f", "doesnotexist", 1), "ResourceNotFoundException", "Cannot find alias arn: " + fnARN + "f:doesnotexist"},
		{"get missing function", get("doesnotexist", "noalias"), "ResourceNotFoundException", "Cannot find alias arn: " + fnARN + "doesnotexist:noalias"},
		{"delete missing function version", del("doesnotexist", "1"), "ResourceNotFoundException", "Function not found: " + fnARN + "doesnotexist:1"},
		{"get none", get("f", "1"), "ProvisionedConcurrencyConfigNotFoundException", msgNoProvisioned},
		{"over unreserved", put("f", "1", 950), "InvalidParameterValueException", "Specified ConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100]."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.err, tc.code, tc.msg) })
	}

	out, err := e.s.PutProvisionedConcurrencyConfig(e.ctx, &lambdaapi.PutProvisionedConcurrencyConfigRequest{FunctionName: ptr("f"), Qualifier: ptr("live"), ProvisionedConcurrentExecutions: ptr(int32(2))})
	ok(t, err)
	if *out.Status != "READY" || *out.RequestedProvisionedConcurrentExecutions != 2 || *out.AllocatedProvisionedConcurrentExecutions != 2 {
		t.Fatalf("put = %+v", out)
	}
	wantErr(t, put("f", "1", 1), "ResourceConflictException", msgVersionUnderAlias)
	_, err = e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr(int32(1))})
	wantErr(t, err, "InvalidParameterValueException", " ReservedConcurrentExecutions  1 should not be lower than function's total provisioned concurrency [2].")

	list, err := e.s.ListProvisionedConcurrencyConfigs(e.ctx, &lambdaapi.ListProvisionedConcurrencyConfigsRequest{FunctionName: ptr("f")})
	ok(t, err)
	if len(list.ProvisionedConcurrencyConfigs) != 1 || *list.ProvisionedConcurrencyConfigs[0].FunctionArn != fnARN+"f:live" {
		t.Fatalf("list = %+v", list)
	}
	ok(t, del("f", "live"))
	wantErr(t, get("f", "live"), "ProvisionedConcurrencyConfigNotFoundException", msgNoProvisioned)

	// A provisioned version blocks its aliases; reserved concurrency caps the total.
	ok(t, put("f", "1", 3))
	wantErr(t, put("f", "live", 1), "ResourceConflictException", msgAliasOnProvisioned)
	_, err = e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("f"), ReservedConcurrentExecutions: ptr(int32(3))})
	ok(t, err)
	wantErr(t, put("f", "1", 4), "InvalidParameterValueException", msgOverReserved)

	// Deleting the alias or version removes its config.
	_, err = e.s.DeleteAlias(e.ctx, &lambdaapi.DeleteAliasRequest{FunctionName: ptr("f"), Name: ptr("live")})
	ok(t, err)
	_, err = e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("f"), Qualifier: ptr("1")})
	ok(t, err)
	list, err = e.s.ListProvisionedConcurrencyConfigs(e.ctx, &lambdaapi.ListProvisionedConcurrencyConfigsRequest{FunctionName: ptr("f")})
	ok(t, err)
	if len(list.ProvisionedConcurrencyConfigs) != 0 {
		t.Fatalf("list after delete = %+v", list)
	}
}
