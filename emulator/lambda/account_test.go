package lambda

import (
	"fmt"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/storage"
)

// Tags of functions (recorded: TestLambdaTag::test_tag_lifecycle, TestLambdaTags::test_tag_versions).
func TestTags(t *testing.T) {
	e := newEnv(t)
	e.create("tagged", func(in *lambdaapi.CreateFunctionRequest) { in.Tags = map[string]string{"A": "tag-a"} })
	arn := fnARN + "tagged"
	_, err := e.s.TagResource(e.ctx, &lambdaapi.TagResourceRequest{Resource: ptr(arn), Tags: map[string]string{"B": "b", "A": "new"}})
	ok(t, err)
	_, err = e.s.UntagResource(e.ctx, &lambdaapi.UntagResourceRequest{Resource: ptr(arn), TagKeys: []string{"B", "missing"}})
	ok(t, err)
	got, err := e.s.ListTags(e.ctx, &lambdaapi.ListTagsRequest{Resource: ptr(arn)})
	ok(t, err)
	if fmt.Sprint(got.Tags) != "map[A:new]" {
		t.Errorf("tags = %v", got.Tags)
	}
	cases := []struct {
		resource  string
		tags      map[string]string
		code, msg string
	}{
		{arn + ":1", map[string]string{"k": "v"}, "InvalidParameterValueException", "Tags on function aliases and versions are not supported. Please specify a function ARN."},
		{arn + ":$LATEST", map[string]string{"k": "v"}, "InvalidParameterValueException", "Tags on function aliases and versions are not supported. Please specify a function ARN."},
		{fnARN + "doesnotexist", map[string]string{"k": "v"}, "ResourceNotFoundException", "Function not found: " + fnARN + "doesnotexist"},
		{arn, map[string]string{}, "InvalidParameterValueException", "An error occurred and the request cannot be processed."},
		{"arn:aws:lambda:us-east-1:123456789012:event-source-mapping:0f7ebc3e-5b8e-4a52-9c6b-d9d1c6bfa4a1", map[string]string{"k": "v"},
			"ResourceNotFoundException", "Event source mapping not found: arn:aws:lambda:us-east-1:123456789012:event-source-mapping:0f7ebc3e-5b8e-4a52-9c6b-d9d1c6bfa4a1"},
	}
	for _, c := range cases {
		_, err := e.s.TagResource(e.ctx, &lambdaapi.TagResourceRequest{Resource: ptr(c.resource), Tags: c.tags})
		wantErr(t, err, c.code, c.msg)
	}
	many := map[string]string{}
	for i := 0; i < 50; i++ {
		many[fmt.Sprint("k", i)] = "v"
	}
	_, err = e.s.TagResource(e.ctx, &lambdaapi.TagResourceRequest{Resource: ptr(arn), Tags: many})
	wantErr(t, err, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.")
}

// Account settings count functions and the code of every version; reserved concurrency
// lowers the unreserved pool, which keeps at least 100.
func TestAccountSettingsAndConcurrency(t *testing.T) {
	e := newEnv(t)
	a := e.create("a", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	e.create("b")
	_, err := e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("a"), ReservedConcurrentExecutions: ptr(int32(200))})
	ok(t, err)
	_, err = e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("b"), ReservedConcurrentExecutions: ptr(int32(701))})
	wantErr(t, err, "InvalidParameterValueException", "Specified ReservedConcurrentExecutions for function decreases account's UnreservedConcurrentExecution below its minimum value of [100].")
	_, err = e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("a:1"), ReservedConcurrentExecutions: ptr(int32(1))})
	wantErr(t, err, "InvalidParameterValueException", msgUnqualifiedOnly)
	_, err = e.s.PutFunctionConcurrency(e.ctx, &lambdaapi.PutFunctionConcurrencyRequest{FunctionName: ptr("doesnotexist"), ReservedConcurrentExecutions: ptr(int32(1))})
	wantErr(t, err, "ResourceNotFoundException", "Function not found: "+fnARN+"doesnotexist:$LATEST")
	st, err := e.s.GetAccountSettings(e.ctx, &lambdaapi.GetAccountSettingsRequest{})
	ok(t, err)
	if deref(st.AccountUsage.FunctionCount) != 2 || deref(st.AccountUsage.TotalCodeSize) != 3*deref(a.CodeSize) ||
		deref(st.AccountLimit.UnreservedConcurrentExecutions) != 800 || deref(st.AccountLimit.CodeSizeZipped) != 52428800 {
		t.Errorf("settings = %+v %+v", st.AccountLimit, st.AccountUsage)
	}
	got, err := e.s.GetFunction(e.ctx, &lambdaapi.GetFunctionRequest{FunctionName: ptr("a")})
	ok(t, err)
	if deref(got.Concurrency.ReservedConcurrentExecutions) != 200 {
		t.Errorf("concurrency = %+v", got.Concurrency)
	}
	_, err = e.s.DeleteFunctionConcurrency(e.ctx, &lambdaapi.DeleteFunctionConcurrencyRequest{FunctionName: ptr("a")})
	ok(t, err)
	c, err := e.s.GetFunctionConcurrency(e.ctx, &lambdaapi.GetFunctionConcurrencyRequest{FunctionName: ptr("a")})
	ok(t, err)
	if c.ReservedConcurrentExecutions != nil {
		t.Errorf("after delete: %d", *c.ReservedConcurrentExecutions)
	}
}

// Event invoke configs (recorded: TestLambdaEventInvokeConfig).
func TestEventInvokeConfig(t *testing.T) {
	e := newEnv(t)
	e.create("ev", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	e.create("other")
	put := func(q string, retries *int32, dc *lambdaapi.DestinationConfig) (*lambdaapi.FunctionEventInvokeConfig, error) {
		return e.s.PutFunctionEventInvokeConfig(e.ctx, &lambdaapi.PutFunctionEventInvokeConfigRequest{FunctionName: ptr("ev"), Qualifier: ptrOrNil(q),
			MaximumRetryAttempts: retries, DestinationConfig: dc})
	}
	_, err := put("", nil, nil)
	wantErr(t, err, "InvalidParameterValueException", "You must specify at least one of error handling or destination setting.")
	_, err = put("doesnotexist", ptr(int32(1)), nil)
	wantErr(t, err, "ResourceNotFoundException", "The function doesn't exist.")
	onSuccess := func(arn string) *lambdaapi.DestinationConfig {
		return &lambdaapi.DestinationConfig{OnSuccess: &lambdaapi.OnSuccess{Destination: ptr(arn)}}
	}
	_, err = put("", nil, onSuccess(fnARN+"ev"))
	wantErr(t, err, "InvalidParameterValueException", "You can't specify the function as a destination for itself.")
	_, err = put("", nil, onSuccess(fnARN+"doesnotexist"))
	wantErr(t, err, "InvalidParameterValueException", "The destination ARN "+fnARN+"doesnotexist is invalid.")
	_, err = put("", nil, onSuccess("arn:aws:iam:us-east-1:123456789012:function:ev"))
	wantErr(t, err, "InvalidParameterValueException", "The provided destination config DestinationConfig(onSuccess=OnSuccess(destination=arn:aws:iam:us-east-1:123456789012:function:ev), onFailure=null) is invalid.")
	out, err := put("", ptr(int32(1)), onSuccess(fnARN+"other"))
	ok(t, err)
	if deref(out.FunctionArn) != fnARN+"ev:$LATEST" || deref(out.DestinationConfig.OnSuccess.Destination) != fnARN+"other" ||
		out.DestinationConfig.OnFailure == nil || deref(out.MaximumRetryAttempts) != 1 || !deref(out.LastModified).Equal(testNow) {
		t.Errorf("put = %+v", out)
	}
	upd, err := e.s.UpdateFunctionEventInvokeConfig(e.ctx, &lambdaapi.UpdateFunctionEventInvokeConfigRequest{FunctionName: ptr("ev"), MaximumEventAgeInSeconds: ptr(int32(60))})
	ok(t, err)
	if deref(upd.MaximumRetryAttempts) != 1 || deref(upd.MaximumEventAgeInSeconds) != 60 {
		t.Errorf("update = %+v", upd)
	}
	_, err = e.s.UpdateFunctionEventInvokeConfig(e.ctx, &lambdaapi.UpdateFunctionEventInvokeConfigRequest{FunctionName: ptr("ev"), Qualifier: ptr("1"), MaximumEventAgeInSeconds: ptr(int32(60))})
	wantErr(t, err, "ResourceNotFoundException", "The function "+fnARN+"ev:1 doesn't have an EventInvokeConfig")
	// Put replaces: what it is not given is gone.
	again, err := put("", ptr(int32(0)), nil)
	ok(t, err)
	if again.MaximumEventAgeInSeconds != nil || again.DestinationConfig.OnSuccess.Destination != nil {
		t.Errorf("put again = %+v", again)
	}
	_, err = put("1", ptr(int32(2)), nil)
	ok(t, err)
	list, err := e.s.ListFunctionEventInvokeConfigs(e.ctx, &lambdaapi.ListFunctionEventInvokeConfigsRequest{FunctionName: ptr("ev")})
	ok(t, err)
	if len(list.FunctionEventInvokeConfigs) != 2 || deref(list.FunctionEventInvokeConfigs[0].FunctionArn) != fnARN+"ev:$LATEST" {
		t.Errorf("list = %+v", list.FunctionEventInvokeConfigs)
	}
	_, err = e.s.DeleteFunctionEventInvokeConfig(e.ctx, &lambdaapi.DeleteFunctionEventInvokeConfigRequest{FunctionName: ptr("ev")})
	ok(t, err)
	_, err = e.s.GetFunctionEventInvokeConfig(e.ctx, &lambdaapi.GetFunctionEventInvokeConfigRequest{FunctionName: ptr("ev")})
	wantErr(t, err, "ResourceNotFoundException", "The function "+fnARN+"ev:$LATEST doesn't have an EventInvokeConfig")
	_, err = e.s.ListFunctionEventInvokeConfigs(e.ctx, &lambdaapi.ListFunctionEventInvokeConfigsRequest{FunctionName: ptr("doesnotexist")})
	wantErr(t, err, "ResourceNotFoundException", "The function doesn't exist.")
}

// Function URL configs (recorded: TestLambdaUrl).
func TestFunctionURLConfig(t *testing.T) {
	e := newEnv(t)
	e.create("u", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	_, err := e.s.CreateAlias(e.ctx, &lambdaapi.CreateAliasRequest{FunctionName: ptr("u"), Name: ptr("urlalias"), FunctionVersion: ptr("1")})
	ok(t, err)
	out, err := e.s.CreateFunctionUrlConfig(e.ctx, &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: ptr("u"), AuthType: ptr("NONE")})
	ok(t, err)
	if !urlPattern.MatchString(deref(out.FunctionUrl)) || out.InvokeMode != nil || deref(out.FunctionArn) != fnARN+"u" {
		t.Errorf("create = %+v", out)
	}
	_, err = e.s.CreateFunctionUrlConfig(e.ctx, &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: ptr("u"), AuthType: ptr("NONE")})
	wantErr(t, err, "ResourceConflictException", "Failed to create function url config for [functionArn = "+fnARN+"u]. Error message:  FunctionUrlConfig exists for this Lambda function")
	_, err = e.s.CreateFunctionUrlConfig(e.ctx, &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: ptr("u"), Qualifier: ptr("nope"), AuthType: ptr("NONE")})
	wantErr(t, err, "ResourceNotFoundException", "Function does not exist")
	_, err = e.s.CreateFunctionUrlConfig(e.ctx, &lambdaapi.CreateFunctionUrlConfigRequest{FunctionName: ptr("u"), Qualifier: ptr("urlalias"), AuthType: ptr("AWS_IAM"), InvokeMode: ptr("RESPONSE_STREAM")})
	ok(t, err)
	upd, err := e.s.UpdateFunctionUrlConfig(e.ctx, &lambdaapi.UpdateFunctionUrlConfigRequest{FunctionName: ptr("u"), AuthType: ptr("AWS_IAM")})
	ok(t, err)
	if deref(upd.AuthType) != "AWS_IAM" || deref(upd.FunctionUrl) != deref(out.FunctionUrl) {
		t.Errorf("update = %+v", upd)
	}
	list, err := e.s.ListFunctionUrlConfigs(e.ctx, &lambdaapi.ListFunctionUrlConfigsRequest{FunctionName: ptr("u")})
	ok(t, err)
	if len(list.FunctionUrlConfigs) != 2 || deref(list.FunctionUrlConfigs[0].InvokeMode) != "BUFFERED" || deref(list.FunctionUrlConfigs[1].InvokeMode) != "RESPONSE_STREAM" {
		t.Errorf("list = %+v", list.FunctionUrlConfigs)
	}
	_, err = e.s.DeleteFunctionUrlConfig(e.ctx, &lambdaapi.DeleteFunctionUrlConfigRequest{FunctionName: ptr("u")})
	ok(t, err)
	_, err = e.s.GetFunctionUrlConfig(e.ctx, &lambdaapi.GetFunctionUrlConfigRequest{FunctionName: ptr("u")})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)
}

// Event source mappings and code signing configs take tags through TagResource, UntagResource
// and ListTags as functions do ("Resource", TagResource, Lambda API Reference), kept with
// their records next to the tags given at create; a function's tags, which the authorizer
// reads for aws:ResourceTag, are their own.
func TestTagsOfMappingsAndSigningConfigs(t *testing.T) {
	e := newEnv(t)
	e.create("f", func(in *lambdaapi.CreateFunctionRequest) { in.Tags = map[string]string{"fn": "only"} })
	esm, err := e.s.CreateEventSourceMapping(e.ctx, &lambdaapi.CreateEventSourceMappingRequest{FunctionName: ptr("f"),
		EventSourceArn: ptr("arn:aws:sqs:us-east-1:123456789012:q"), Tags: map[string]string{"created": "esm"}})
	ok(t, err)
	csc, err := e.s.CreateCodeSigningConfig(e.ctx, &lambdaapi.CreateCodeSigningConfigRequest{
		AllowedPublishers: &lambdaapi.AllowedPublishers{SigningProfileVersionArns: []string{signer}}})
	ok(t, err)
	for _, arn := range []string{*esm.EventSourceMappingArn, *csc.CodeSigningConfig.CodeSigningConfigArn} {
		_, err = e.s.TagResource(e.ctx, &lambdaapi.TagResourceRequest{Resource: ptr(arn), Tags: map[string]string{"team": "x", "gone": "y"}})
		ok(t, err)
		_, err = e.s.UntagResource(e.ctx, &lambdaapi.UntagResourceRequest{Resource: ptr(arn), TagKeys: []string{"gone", "missing"}})
		ok(t, err)
		got, err := e.s.ListTags(e.ctx, &lambdaapi.ListTagsRequest{Resource: ptr(arn)})
		ok(t, err)
		want := "map[team:x]"
		if arn == *esm.EventSourceMappingArn {
			want = "map[created:esm team:x]"
		}
		if fmt.Sprint(got.Tags) != want {
			t.Errorf("%s: tags = %v, want %s", arn, got.Tags, want)
		}
		many := map[string]string{}
		for i := 0; i < 50; i++ {
			many[fmt.Sprint("k", i)] = "v"
		}
		_, err = e.s.TagResource(e.ctx, &lambdaapi.TagResourceRequest{Resource: ptr(arn), Tags: many})
		wantErr(t, err, "InvalidParameterValueException", "Number of tags exceeds resource tag limit.")
		_, err = e.s.TagResource(e.ctx, &lambdaapi.TagResourceRequest{Resource: ptr(arn), Tags: map[string]string{}})
		wantErr(t, err, "InvalidParameterValueException", "An error occurred and the request cannot be processed.")
	}
	fnTags, err := e.s.ListTags(e.ctx, &lambdaapi.ListTagsRequest{Resource: ptr(fnARN + "f")})
	ok(t, err)
	if fmt.Sprint(fnTags.Tags) != "map[fn:only]" {
		t.Errorf("function tags = %v", fnTags.Tags)
	}
	ok(t, e.db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		tags, err := FunctionTags(tx, fnARN+"f")
		if fmt.Sprint(tags) != "map[fn:only]" {
			t.Errorf("FunctionTags(function) = %v", tags)
		}
		if other, _ := FunctionTags(tx, *esm.EventSourceMappingArn); other != nil {
			t.Errorf("FunctionTags(mapping) = %v", other)
		}
		return err
	}))

	// Missing, deleted and other accounts' resources answer not found in Lambda's words.
	missingCSC := "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0"
	otherESM := "arn:aws:lambda:us-east-1:210987654321:event-source-mapping:" + *esm.UUID
	_, err = e.s.DeleteEventSourceMapping(e.ctx, &lambdaapi.DeleteEventSourceMappingRequest{UUID: esm.UUID})
	ok(t, err)
	for _, arn := range []string{missingCSC, otherESM, *esm.EventSourceMappingArn} {
		_, err = e.s.ListTags(e.ctx, &lambdaapi.ListTagsRequest{Resource: ptr(arn)})
		msg := "Event source mapping not found: " + arn
		if arn == missingCSC {
			msg = "The Lambda code signing configuration " + arn + " can not be found."
		}
		wantErr(t, err, "ResourceNotFoundException", msg)
	}
}
