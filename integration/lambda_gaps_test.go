package integration

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A function keeps running with a layer version deleted after it was added. DeleteLayerVersion
// (Lambda API Reference): "Deleted versions can no longer be viewed or added to functions. To
// avoid breaking functions, a copy of the version remains in Lambda until no functions refer
// to it." "Adding layers to functions" (Lambda Developer Guide): functions "can continue to use
// any layer version that you've already added, even after that layer version has been deleted".
func TestInvokeWithDeletedLayerVersion(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "deleted-layer-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)

	layer, err := fns.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("kept"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: zipOf(t, map[string]string{"python/kept.py": "WHO = 'still here'\n"})}})
	if err != nil {
		t.Fatal(err)
	}
	app := "import kept\n\ndef handler(event, context):\n    return kept.WHO\n"
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("uses-deleted-layer"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": app})},
		Layers: []string{aws.ToString(layer.LayerVersionArn)}, Timeout: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	if _, err := fns.DeleteLayerVersion(ctx, &lambda.DeleteLayerVersionInput{LayerName: aws.String("kept"), VersionNumber: aws.Int64(layer.Version)}); err != nil {
		t.Fatal(err)
	}
	_, err = fns.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("kept"), VersionNumber: aws.Int64(layer.Version)})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Fatalf("GetLayerVersion of a deleted version = %v, want ResourceNotFoundException", err)
	}
	out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("uses-deleted-layer"), Payload: []byte(`{}`)})
	if err != nil {
		t.Fatal(err)
	}
	if out.FunctionError != nil || string(out.Payload) != `"still here"` {
		t.Fatalf("invoke after DeleteLayerVersion: %v %s", aws.ToString(out.FunctionError), out.Payload)
	}
	cfg, err := fns.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("uses-deleted-layer")})
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Layers) != 1 || aws.ToString(cfg.Layers[0].Arn) != aws.ToString(layer.LayerVersionArn) {
		t.Errorf("function layers after DeleteLayerVersion: %+v", cfg.Layers)
	}
}

// TagResource, UntagResource and ListTags take the ARN of a function, an event source mapping
// or a code signing configuration (TagResource, Lambda API Reference: "Adds tags to a function,
// event source mapping, or code signing configuration"; ListTags: "Returns a function, event
// source mapping, or code signing configuration's tags").
func TestTagMappingsAndSigningConfigs(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "tags-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("tag-target"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})},
		Tags: map[string]string{"owner": "function"}}); err != nil {
		t.Fatal(err)
	}
	esm, err := fns.CreateEventSourceMapping(ctx, &lambda.CreateEventSourceMappingInput{FunctionName: aws.String("tag-target"),
		EventSourceArn: aws.String("arn:aws:sqs:us-east-1:123456789012:tag-queue"), Tags: map[string]string{"at": "create"}})
	if err != nil {
		t.Fatal(err)
	}
	csc, err := fns.CreateCodeSigningConfig(ctx, &lambda.CreateCodeSigningConfigInput{
		AllowedPublishers: &lambdatypes.AllowedPublishers{SigningProfileVersionArns: []string{"arn:aws:signer:us-east-1:123456789012:/signing-profiles/p/abcdef1234"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{aws.ToString(esm.EventSourceMappingArn): "map[at:create env:dev]",
		aws.ToString(csc.CodeSigningConfig.CodeSigningConfigArn): "map[env:dev]"}
	for arn, tags := range want {
		if _, err := fns.TagResource(ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"env": "dev", "tmp": "1"}}); err != nil {
			t.Fatalf("TagResource %s: %v", arn, err)
		}
		if _, err := fns.UntagResource(ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"tmp"}}); err != nil {
			t.Fatalf("UntagResource %s: %v", arn, err)
		}
		out, err := fns.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(arn)})
		if err != nil {
			t.Fatalf("ListTags %s: %v", arn, err)
		}
		if got := fmt.Sprint(out.Tags); got != tags {
			t.Errorf("%s: tags %s, want %s", arn, got, tags)
		}
	}
	fn, err := fns.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("arn:aws:lambda:us-east-1:123456789012:function:tag-target")})
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(fn.Tags); got != "map[owner:function]" {
		t.Errorf("function tags %s", got)
	}
	_, err = fns.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String("arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) {
		t.Errorf("ListTags of a missing code signing config = %v, want ResourceNotFoundException", err)
	}
}
