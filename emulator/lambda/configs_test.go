package lambda

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

func TestRecursionConfig(t *testing.T) {
	e := newEnv(t)
	e.create("f")
	cases := []struct {
		name, fn, put, want, code, msg string
	}{
		{name: "default", fn: "f", want: "Terminate"},
		{name: "allow", fn: "f", put: "Allow", want: "Allow"},
		{name: "terminate", fn: fnARN + "f", put: "Terminate", want: "Terminate"},
		{name: "missing", fn: "nope", put: "Allow", code: "ResourceNotFoundException", msg: "Function not found: " + fnARN + "nope"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.put != "" {
				_, err := e.s.PutFunctionRecursionConfig(e.ctx, &lambdaapi.PutFunctionRecursionConfigRequest{FunctionName: ptr(tc.fn), RecursiveLoop: ptr(tc.put)})
				if tc.code != "" {
					wantErr(t, err, tc.code, tc.msg)
					return
				}
				ok(t, err)
			}
			got, err := e.s.GetFunctionRecursionConfig(e.ctx, &lambdaapi.GetFunctionRecursionConfigRequest{FunctionName: ptr(tc.fn)})
			ok(t, err)
			if *got.RecursiveLoop != tc.want {
				t.Fatalf("recursion = %s, want %s", *got.RecursiveLoop, tc.want)
			}
		})
	}
}

func TestRuntimeManagementConfig(t *testing.T) {
	e := newEnv(t)
	e.create("f")
	_, err := e.s.PublishVersion(e.ctx, &lambdaapi.PublishVersionRequest{FunctionName: ptr("f")})
	ok(t, err)
	const rv = "arn:aws:lambda:us-east-1::runtime:0123456789abcdef"
	cases := []struct {
		name, q, on, version, code string
		wantARN                    string
	}{
		{name: "latest default", wantARN: fnARN + "f"},
		{name: "manual", q: "1", on: "Manual", version: rv, wantARN: fnARN + "f:1"},
		{name: "manual without version", on: "Manual", code: "InvalidParameterValueException"},
		{name: "auto with version", on: "Auto", version: rv, code: "InvalidParameterValueException"},
		{name: "missing version", q: "9", on: "Auto", code: "ResourceNotFoundException"},
		{name: "function update", on: "FunctionUpdate", wantARN: fnARN + "f"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var q *string
			if tc.q != "" {
				q = ptr(tc.q)
			}
			if tc.on != "" {
				in := &lambdaapi.PutRuntimeManagementConfigRequest{FunctionName: ptr("f"), Qualifier: q, UpdateRuntimeOn: ptr(tc.on)}
				if tc.version != "" {
					in.RuntimeVersionArn = ptr(tc.version)
				}
				_, err := e.s.PutRuntimeManagementConfig(e.ctx, in)
				if tc.code != "" {
					wantErr(t, err, tc.code, "")
					return
				}
				ok(t, err)
			}
			got, err := e.s.GetRuntimeManagementConfig(e.ctx, &lambdaapi.GetRuntimeManagementConfigRequest{FunctionName: ptr("f"), Qualifier: q})
			ok(t, err)
			if *got.FunctionArn != tc.wantARN || *got.UpdateRuntimeOn != nonEmpty(tc.on, "Auto") || deref(got.RuntimeVersionArn) != tc.version {
				t.Fatalf("runtime config = %+v", got)
			}
		})
	}
}
