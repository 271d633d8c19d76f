package integration

import (
	"context"
	"errors"
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
