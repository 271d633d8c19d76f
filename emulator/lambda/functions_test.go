package lambda

import (
	"fmt"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// CreateFunction answers as recorded against Lambda (localstack test_lambda_api snapshots:
// test_function_lifecycle create_response): 201 body with defaults, State Pending.
func TestCreateFunctionDefaults(t *testing.T) {
	e := newEnv(t)
	in := e.createReq("hello")
	out, err := e.s.CreateFunction(e.ctx, in)
	ok(t, err)
	checks := map[string][2]any{
		"FunctionArn":      {deref(out.FunctionArn), fnARN + "hello"},
		"Version":          {deref(out.Version), "$LATEST"},
		"State":            {deref(out.State), "Pending"},
		"StateReasonCode":  {deref(out.StateReasonCode), "Creating"},
		"LastUpdateStatus": {deref(out.LastUpdateStatus), ""},
		"Timeout":          {deref(out.Timeout), int32(3)},
		"MemorySize":       {deref(out.MemorySize), int32(128)},
		"Ephemeral":        {deref(out.EphemeralStorage.Size), int32(512)},
		"Architectures":    {fmt.Sprint(out.Architectures), "[x86_64]"},
		"PackageType":      {deref(out.PackageType), "Zip"},
		"Tracing":          {deref(out.TracingConfig.Mode), "PassThrough"},
		"LogGroup":         {deref(out.LoggingConfig.LogGroup), "/aws/lambda/hello"},
		"LogFormat":        {deref(out.LoggingConfig.LogFormat), "Text"},
		"LastModified":     {deref(out.LastModified), "2024-01-02T03:04:05.000+0000"},
		"CodeSha256":       {deref(out.CodeSha256), codeSha256(in.Code.ZipFile)},
		"CodeSize":         {deref(out.CodeSize), int64(len(in.Code.ZipFile))},
		"SnapStart":        {deref(out.SnapStart.ApplyOn), "None"},
		"Description":      {deref(out.Description), ""},
	}
	for name, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s = %v, want %v", name, c[0], c[1])
		}
	}
	if out.Environment != nil || out.RevisionId == nil || out.RuntimeVersionConfig == nil {
		t.Errorf("environment %v, revision %v, runtime version %v", out.Environment, out.RevisionId, out.RuntimeVersionConfig)
	}
	got, err := e.s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("hello")})
	ok(t, err)
	if deref(got.Configuration.State) != "Active" || deref(got.Configuration.LastUpdateStatus) != "Successful" ||
		deref(got.Code.RepositoryType) != "S3" || got.Tags != nil || got.Concurrency != nil {
		t.Errorf("GetFunction = %+v %+v", got.Configuration, got.Code)
	}
	// The code is stored once, under its SHA-256, for an executor to read.
	err = e.db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		r, err := Resolve(tx, arn.Scope{Partition: "aws", Region: region}, "hello", "")
		if err != nil {
			return err
		}
		zip, err := storage.LambdaCode(tx, r.Version.CodeKey)
		if err == nil && string(zip) != string(in.Code.ZipFile) {
			t.Error("stored code differs")
		}
		return err
	})
	ok(t, err)
}

// The checks CreateFunction makes, with Lambda's codes and texts (conformance/errors
// recordings; the role text from numeract/aws-lambda-r#20; "Runtime and Handler are mandatory
// ..." from pipe-cd/pipecd#1400; "Please provide a source for function code." from
// aws/aws-sdk-go#2183).
func TestCreateFunctionErrors(t *testing.T) {
	e := newEnv(t)
	e.create("taken")
	bigEnv := map[string]string{"LARGE_VAR": strings.Repeat("x", 4096)}
	cases := []struct {
		name      string
		edit      func(*lambdaapi.CreateFunctionRequest)
		code, msg string
	}{
		{"duplicate", func(in *lambdaapi.CreateFunctionRequest) { in.FunctionName = ptr("taken") },
			"ResourceConflictException", "Function already exist: taken"},
		{"bad zip", func(in *lambdaapi.CreateFunctionRequest) { in.Code.ZipFile = []byte("not a zip") },
			"InvalidParameterValueException", msgBadZip},
		{"no code", func(in *lambdaapi.CreateFunctionRequest) { in.Code = &lambdaapi.FunctionCode{} },
			"InvalidParameterValueException", msgNoCodeSource},
		{"s3 bucket", func(in *lambdaapi.CreateFunctionRequest) {
			in.Code = &lambdaapi.FunctionCode{S3Bucket: ptr("b"), S3Key: ptr("k.zip")}
		}, "InvalidParameterValueException", msgNoSuchBucket},
		{"unknown role", func(in *lambdaapi.CreateFunctionRequest) { in.Role = ptr("arn:aws:iam::123456789012:role/nobody") },
			"InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."},
		{"role with wrong path", func(in *lambdaapi.CreateFunctionRequest) { in.Role = ptr("arn:aws:iam::123456789012:role/exec") },
			"InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."},
		{"role lambda cannot assume", func(in *lambdaapi.CreateFunctionRequest) { in.Role = ptr("arn:aws:iam::123456789012:role/ec2only") },
			"InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."},
		{"role of another account", func(in *lambdaapi.CreateFunctionRequest) {
			in.Role = ptr("arn:aws:iam::210987654321:role/service/exec")
		},
			"InvalidParameterValueException", "The role defined for the function cannot be assumed by Lambda."},
		{"no handler", func(in *lambdaapi.CreateFunctionRequest) { in.Handler = nil },
			"InvalidParameterValueException", "Runtime and Handler are mandatory parameters for functions created with deployment packages."},
		{"deprecated runtime", func(in *lambdaapi.CreateFunctionRequest) { in.Runtime = ptr("python3.7") },
			"InvalidParameterValueException", "The runtime parameter of python3.7 is no longer supported for creating or updating AWS Lambda functions. We recommend you use a supported runtime while creating or updating functions."},
		{"timeout", func(in *lambdaapi.CreateFunctionRequest) { in.Timeout = ptr(int32(901)) },
			"ValidationException", "1 validation error detected: Value '901' at 'timeout' failed to satisfy constraint: Member must have value less than or equal to 900"},
		{"memory", func(in *lambdaapi.CreateFunctionRequest) { in.MemorySize = ptr(int32(10241)) },
			"ValidationException", "'MemorySize' value failed to satisfy constraint: Member must have value less than or equal to 10240"},
		{"environment 4KB", func(in *lambdaapi.CreateFunctionRequest) { in.Environment = &lambdaapi.Environment{Variables: bigEnv} },
			"InvalidParameterValueException", `Lambda was unable to configure your environment variables because the environment variables you have provided exceeded the 4KB limit. String measured: {"LARGE_VAR":"` + bigEnv["LARGE_VAR"] + `"}`},
		{"reserved env key", func(in *lambdaapi.CreateFunctionRequest) {
			in.Environment = &lambdaapi.Environment{Variables: map[string]string{"AWS_REGION": "x"}}
		}, "InvalidParameterValueException", ""},
		{"six layers", func(in *lambdaapi.CreateFunctionRequest) {
			for i := 0; i < 6; i++ {
				in.Layers = append(in.Layers, fmt.Sprintf("arn:aws:lambda:us-east-1:123456789012:layer:l%d:1", i))
			}
		}, "InvalidParameterValueException", "Cannot reference more than 5 layers."},
		{"missing own layer", func(in *lambdaapi.CreateFunctionRequest) {
			in.Layers = []string{"arn:aws:lambda:us-east-1:123456789012:layer:nope:1"}
		},
			"InvalidParameterValueException", "Layer version arn:aws:lambda:us-east-1:123456789012:layer:nope:1 does not exist."},
		{"layer of another region", func(in *lambdaapi.CreateFunctionRequest) {
			in.Layers = []string{"arn:aws:lambda:eu-west-1:123456789012:layer:l:1"}
		},
			"InvalidParameterValueException", "Layers are not in the same region as the function. Layers are expected to be in region us-east-1."},
		{"image with handler", func(in *lambdaapi.CreateFunctionRequest) {
			in.PackageType = ptr("Image")
			in.Code = &lambdaapi.FunctionCode{ImageUri: ptr("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest")}
		}, "InvalidParameterValueException", "Please don't provide Handler or Runtime or Layer when the intended function PackageType is Image."},
		{"bad image", func(in *lambdaapi.CreateFunctionRequest) {
			in.PackageType, in.Runtime, in.Handler = ptr("Image"), nil, nil
			in.Code = &lambdaapi.FunctionCode{ImageUri: ptr("docker.io/library/app:latest")}
		}, "InvalidParameterValueException", "Source image docker.io/library/app:latest is not valid. Provide a valid source image."},
		{"long name", func(in *lambdaapi.CreateFunctionRequest) { in.FunctionName = ptr(strings.Repeat("a", 65)) },
			"InvalidParameterValueException", "1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'functionName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"other region", func(in *lambdaapi.CreateFunctionRequest) {
			in.FunctionName = ptr("arn:aws:lambda:ap-southeast-1:123456789012:function:f")
		},
			"ResourceNotFoundException", "Functions from 'ap-southeast-1' are not reachable in this region ('us-east-1')"},
		{"too many tags", func(in *lambdaapi.CreateFunctionRequest) {
			in.Tags = map[string]string{}
			for i := 0; i < 51; i++ {
				in.Tags[fmt.Sprint("k", i)] = "v"
			}
		}, "InvalidParameterValueException", "Number of tags exceeds resource tag limit."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := e.createReq("fn-" + strings.ReplaceAll(c.name, " ", "-"))
			c.edit(in)
			_, err := e.s.CreateFunction(e.ctx, in)
			wantErr(t, err, c.code, c.msg)
		})
	}
}

// An image function is stored as given (iamlocal cannot pull it); GetFunction answers ECR.
func TestCreateImageFunction(t *testing.T) {
	e := newEnv(t)
	uri := "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:latest"
	out, err := e.s.CreateFunction(e.ctx, &lambdaapi.CreateFunctionRequest{FunctionName: ptr("img"), Role: ptr(roleARN),
		PackageType: ptr("Image"), Code: &lambdaapi.FunctionCode{ImageUri: ptr(uri)}})
	ok(t, err)
	if deref(out.PackageType) != "Image" || out.Runtime != nil || out.Handler != nil {
		t.Fatalf("create image = %+v", out)
	}
	got, err := e.s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("img")})
	ok(t, err)
	if deref(got.Code.RepositoryType) != "ECR" || deref(got.Code.ImageUri) != uri ||
		!strings.HasPrefix(deref(got.Code.ResolvedImageUri), "123456789012.dkr.ecr.us-east-1.amazonaws.com/app@sha256:") {
		t.Errorf("code = %+v", got.Code)
	}
	_, err = e.s.UpdateFunctionCode(e.ctx, &lambdaapi.UpdateFunctionCodeRequest{FunctionName: ptr("img"), ZipFile: zipOf(t, nil)})
	wantErr(t, err, "InvalidParameterValueException", "Please provide ImageUri when updating a function with packageType Image.")
}

// Names, partial ARNs and full ARNs all find the function; a qualifier names a version or
// alias; the not-found text carries the qualifier (recorded: version_not_found_exception).
func TestFunctionNameForms(t *testing.T) {
	e := newEnv(t)
	e.create("forms", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	cases := []struct {
		name, qualifier string
		wantARN, err    string
	}{
		{"forms", "", fnARN + "forms", ""},
		{"123456789012:function:forms", "", fnARN + "forms", ""},
		{fnARN + "forms", "", fnARN + "forms", ""},
		{"forms:1", "", fnARN + "forms:1", ""},
		{"forms", "$LATEST", fnARN + "forms:$LATEST", ""},
		{fnARN + "forms:1", "1", fnARN + "forms:1", ""},
		{"forms:1221", "", "", "Function not found: " + fnARN + "forms:1221"},
		{"forms:1", "2", "", msgQualifierDiffer},
		{"nope", "", "", "Function not found: " + fnARN + "nope"},
		{"arn:aws:lambda:eu-west-1:123456789012:function:forms", "", "", "Functions from 'eu-west-1' are not reachable in this region ('us-east-1')"},
	}
	for _, c := range cases {
		got, err := e.s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr(c.name), Qualifier: ptrOrNil(c.qualifier)})
		if c.err != "" {
			if e, isAWS := err.(interface{ Error() string }); !isAWS || !strings.HasSuffix(e.Error(), c.err) {
				t.Errorf("%s %s: err = %v, want %q", c.name, c.qualifier, err, c.err)
			}
			continue
		}
		ok(t, err)
		if deref(got.Configuration.FunctionArn) != c.wantARN {
			t.Errorf("%s %s: ARN = %s, want %s", c.name, c.qualifier, deref(got.Configuration.FunctionArn), c.wantARN)
		}
	}
}

func ptrOrNil(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ListFunctions pages 50 at most with NextMarker; FunctionVersion=ALL adds every version
// and qualifies $LATEST (recorded: test_list_functions list_all, list_default).
func TestListFunctionsPagination(t *testing.T) {
	e := newEnv(t)
	for i := 0; i < 7; i++ {
		e.create(fmt.Sprintf("f%02d", i), func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(i == 0) })
	}
	var names []string
	var marker *string
	for pages := 0; ; pages++ {
		out, err := e.s.ListFunctions(e.ctx, &lambdaapi.ListFunctionsRequest{MaxItems: ptr(int32(3)), Marker: marker})
		ok(t, err)
		for _, f := range out.Functions {
			names = append(names, deref(f.FunctionName))
			if f.State != nil || f.RuntimeVersionConfig != nil || !strings.HasSuffix(deref(f.FunctionArn), deref(f.FunctionName)) {
				t.Errorf("list item = %+v", f)
			}
		}
		if marker = out.NextMarker; marker == nil {
			if pages != 2 {
				t.Errorf("pages = %d", pages+1)
			}
			break
		}
	}
	if strings.Join(names, ",") != "f00,f01,f02,f03,f04,f05,f06" {
		t.Errorf("names = %v", names)
	}
	all, err := e.s.ListFunctions(e.ctx, &lambdaapi.ListFunctionsRequest{FunctionVersion: ptr("ALL")})
	ok(t, err)
	if len(all.Functions) != 8 || deref(all.Functions[0].FunctionArn) != fnARN+"f00:$LATEST" || deref(all.Functions[1].FunctionArn) != fnARN+"f00:1" {
		t.Errorf("ALL = %d items, first %s %s", len(all.Functions), deref(all.Functions[0].FunctionArn), deref(all.Functions[1].FunctionArn))
	}
}

// DeleteFunction removes the function and its code; with a Qualifier one version; $LATEST
// alone cannot be deleted (recorded: test_ops_with_arn_qualifier_mismatch[delete_function]).
func TestDeleteFunction(t *testing.T) {
	e := newEnv(t)
	e.create("gone", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	_, err := e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("gone"), Qualifier: ptr("$LATEST")})
	wantErr(t, err, "InvalidParameterValueException", "$LATEST version cannot be deleted without deleting the function.")
	out, err := e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("gone"), Qualifier: ptr("1")})
	ok(t, err)
	if deref(out.StatusCode) != 204 {
		t.Errorf("status = %d", deref(out.StatusCode))
	}
	_, err = e.s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("gone:1")})
	wantErr(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"gone:1")
	_, err = e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("gone")})
	ok(t, err)
	_, err = e.s.DeleteFunction(e.ctx, &lambdaapi.DeleteFunctionRequest{FunctionName: ptr("gone")})
	wantErr(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"gone")
	err = e.db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		keys, err := storage.RegionTable[struct{}](tx, "lambda.code").Keys("")
		if len(keys) != 0 {
			t.Errorf("code left behind: %v", keys)
		}
		return err
	})
	ok(t, err)
	// Re-created, the function numbers its versions from 1 again.
	pub := e.create("gone", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	if deref(pub.Version) != "1" {
		t.Errorf("version after re-create = %s", deref(pub.Version))
	}
}
