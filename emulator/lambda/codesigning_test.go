package lambda

import (
	"regexp"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

const signer = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/p/abcdef1234"

func TestCodeSigningConfigs(t *testing.T) {
	e := newEnv(t)
	e.create("f")
	created, err := e.s.CreateCodeSigningConfig(e.ctx, &lambdaapi.CreateCodeSigningConfigRequest{Description: ptr("d"),
		AllowedPublishers: &lambdaapi.AllowedPublishers{SigningProfileVersionArns: []string{signer}}})
	ok(t, err)
	csc := created.CodeSigningConfig
	if !regexp.MustCompile(`^arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-[0-9a-f]{17}$`).MatchString(*csc.CodeSigningConfigArn) ||
		*csc.CodeSigningPolicies.UntrustedArtifactOnDeployment != "Warn" || *csc.LastModified != "2024-01-02T03:04:05.000+0000" {
		t.Fatalf("create = %+v", csc)
	}
	arn := *csc.CodeSigningConfigArn
	missing := "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"

	upd, err := e.s.UpdateCodeSigningConfig(e.ctx, &lambdaapi.UpdateCodeSigningConfigRequest{CodeSigningConfigArn: ptr(arn),
		CodeSigningPolicies: &lambdaapi.CodeSigningPolicies{UntrustedArtifactOnDeployment: ptr("Enforce")}})
	ok(t, err)
	if *upd.CodeSigningConfig.CodeSigningPolicies.UntrustedArtifactOnDeployment != "Enforce" || *upd.CodeSigningConfig.Description != "d" {
		t.Fatalf("update = %+v", upd.CodeSigningConfig)
	}

	errs := []struct {
		name string
		op   func() error
		code string
		msg  string
	}{
		{"get missing", func() error {
			_, err := e.s.GetCodeSigningConfig(e.ctx, &lambdaapi.GetCodeSigningConfigRequest{CodeSigningConfigArn: ptr(missing)})
			return err
		}, "ResourceNotFoundException", "The Lambda code signing configuration " + missing + " can not be found."},
		{"delete missing", func() error {
			_, err := e.s.DeleteCodeSigningConfig(e.ctx, &lambdaapi.DeleteCodeSigningConfigRequest{CodeSigningConfigArn: ptr(missing)})
			return err
		}, "ResourceNotFoundException", "The Lambda code signing configuration " + missing + " can not be found."},
		{"put missing config", func() error {
			_, err := e.s.PutFunctionCodeSigningConfig(e.ctx, &lambdaapi.PutFunctionCodeSigningConfigRequest{FunctionName: ptr("f"), CodeSigningConfigArn: ptr(missing)})
			return err
		}, "CodeSigningConfigNotFoundException", "The code signing configuration cannot be found. Check that the provided configuration is not deleted: " + missing + "."},
		{"put missing function", func() error {
			_, err := e.s.PutFunctionCodeSigningConfig(e.ctx, &lambdaapi.PutFunctionCodeSigningConfigRequest{FunctionName: ptr("nope"), CodeSigningConfigArn: ptr(arn)})
			return err
		}, "ResourceNotFoundException", "Function not found: " + fnARN + "nope"},
		{"delete function config missing function", func() error {
			_, err := e.s.DeleteFunctionCodeSigningConfig(e.ctx, &lambdaapi.DeleteFunctionCodeSigningConfigRequest{FunctionName: ptr("csc-test-doesnotexist")})
			return err
		}, "ResourceNotFoundException", "Function not found: " + fnARN + "csc-test-doesnotexist"},
	}
	for _, tc := range errs {
		t.Run(tc.name, func(t *testing.T) { wantErr(t, tc.op(), tc.code, tc.msg) })
	}

	none, err := e.s.GetFunctionCodeSigningConfig(e.ctx, &lambdaapi.GetFunctionCodeSigningConfigRequest{FunctionName: ptr("f")})
	ok(t, err)
	if *none.CodeSigningConfigArn != "" || *none.FunctionName != "f" {
		t.Fatalf("get none = %+v", none)
	}
	put, err := e.s.PutFunctionCodeSigningConfig(e.ctx, &lambdaapi.PutFunctionCodeSigningConfigRequest{FunctionName: ptr(fnARN + "f"), CodeSigningConfigArn: ptr(arn)})
	ok(t, err)
	if *put.FunctionName != "f" || *put.CodeSigningConfigArn != arn {
		t.Fatalf("put = %+v", put)
	}
	got, err := e.s.GetFunctionCodeSigningConfig(e.ctx, &lambdaapi.GetFunctionCodeSigningConfigRequest{FunctionName: ptr("f")})
	ok(t, err)
	if *got.CodeSigningConfigArn != arn {
		t.Fatalf("get = %+v", got)
	}
	users, err := e.s.ListFunctionsByCodeSigningConfig(e.ctx, &lambdaapi.ListFunctionsByCodeSigningConfigRequest{CodeSigningConfigArn: ptr(arn)})
	ok(t, err)
	if len(users.FunctionArns) != 1 || users.FunctionArns[0] != fnARN+"f" {
		t.Fatalf("users = %+v", users)
	}
	_, err = e.s.DeleteCodeSigningConfig(e.ctx, &lambdaapi.DeleteCodeSigningConfigRequest{CodeSigningConfigArn: ptr(arn)})
	wantErr(t, err, "ResourceConflictException", "")

	_, err = e.s.DeleteFunctionCodeSigningConfig(e.ctx, &lambdaapi.DeleteFunctionCodeSigningConfigRequest{FunctionName: ptr("f")})
	ok(t, err)
	list, err := e.s.ListCodeSigningConfigs(e.ctx, &lambdaapi.ListCodeSigningConfigsRequest{})
	ok(t, err)
	if len(list.CodeSigningConfigs) != 1 {
		t.Fatalf("list = %+v", list)
	}
	_, err = e.s.DeleteCodeSigningConfig(e.ctx, &lambdaapi.DeleteCodeSigningConfigRequest{CodeSigningConfigArn: ptr(arn)})
	ok(t, err)
	list, err = e.s.ListCodeSigningConfigs(e.ctx, &lambdaapi.ListCodeSigningConfigsRequest{})
	ok(t, err)
	if len(list.CodeSigningConfigs) != 0 {
		t.Fatalf("list after delete = %+v", list)
	}
}

// CreateFunction attaches the configuration it names, as PutFunctionCodeSigningConfig does
// (Lambda API Reference, CreateFunction: CodeSigningConfigArn); Terraform's
// aws_lambda_function sets code_signing_config_arn this way. One that is not there is
// CodeSigningConfigNotFoundException and creates nothing.
func TestCreateFunctionWithCodeSigningConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	created, err := e.s.CreateCodeSigningConfig(e.ctx, &lambdaapi.CreateCodeSigningConfigRequest{
		AllowedPublishers: &lambdaapi.AllowedPublishers{SigningProfileVersionArns: []string{signer}}})
	ok(t, err)
	arn := *created.CodeSigningConfig.CodeSigningConfigArn
	missing := "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"
	tests := []struct {
		name, function, csc string
		wantCode            string
	}{
		{name: "existing config", function: "signed", csc: arn},
		{name: "missing config", function: "unsigned", csc: missing, wantCode: "CodeSigningConfigNotFoundException"},
		{name: "config of another region", function: "elsewhere", csc: "arn:aws:lambda:eu-west-1:123456789012:code-signing-config:" + *created.CodeSigningConfig.CodeSigningConfigId,
			wantCode: "CodeSigningConfigNotFoundException"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := e.s.CreateFunction(e.ctx, func() *lambdaapi.CreateFunctionRequest {
				in := e.createReq(tc.function)
				in.CodeSigningConfigArn = ptr(tc.csc)
				return in
			}())
			got, getErr := e.s.GetFunctionCodeSigningConfig(e.ctx, &lambdaapi.GetFunctionCodeSigningConfigRequest{FunctionName: ptr(tc.function)})
			if tc.wantCode != "" {
				wantErr(t, err, tc.wantCode, "The code signing configuration cannot be found. Check that the provided configuration is not deleted: "+tc.csc+".")
				wantErr(t, getErr, "ResourceNotFoundException", "")
				return
			}
			ok(t, err)
			ok(t, getErr)
			if *got.CodeSigningConfigArn != arn {
				t.Fatalf("attached = %s, want %s", *got.CodeSigningConfigArn, arn)
			}
		})
	}
	users, err := e.s.ListFunctionsByCodeSigningConfig(e.ctx, &lambdaapi.ListFunctionsByCodeSigningConfigRequest{CodeSigningConfigArn: ptr(arn)})
	ok(t, err)
	if len(users.FunctionArns) != 1 || users.FunctionArns[0] != fnARN+"signed" {
		t.Fatalf("functions of the config = %v", users.FunctionArns)
	}
}
