package integration

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A function with Layers runs with its layers' content where the runtime looks for it
// ("Layer paths for each Lambda runtime"): a module of a published layer version is imported
// by the handler, and a function moved to a newer layer version runs that version's content.
func TestInvokeWithLayers(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "layer-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)

	publish := func(name string, files map[string]string) string {
		t.Helper()
		out, err := fns.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String(name),
			Content: &lambdatypes.LayerVersionContentInput{ZipFile: zipOf(t, files)}})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.LayerVersionArn)
	}
	invoke := func(name string) string {
		t.Helper()
		out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)})
		if err != nil {
			t.Fatal(err)
		}
		if out.FunctionError != nil {
			t.Fatalf("%s: %s: %s", name, aws.ToString(out.FunctionError), out.Payload)
		}
		return string(out.Payload)
	}

	greet1 := publish("greetings", map[string]string{"python/greet.py": "def hi():\n    return 'hello v1'\n"})
	shared := publish("shared", map[string]string{"python/lib/python3.12/site-packages/shared/__init__.py": "WHO = 'site-packages'\n"})
	app := "import greet, shared\n\ndef handler(event, context):\n    return {'greet': greet.hi(), 'shared': shared.WHO}\n"
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("py-layers"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": app})},
		Layers: []string{greet1, shared}, Timeout: aws.Int32(30)}); err != nil {
		t.Fatal(err)
	}
	if got := invoke("py-layers"); got != `{"greet": "hello v1", "shared": "site-packages"}` {
		t.Fatalf("py-layers: %s", got)
	}

	greet2 := publish("greetings", map[string]string{"python/greet.py": "def hi():\n    return 'hello v2'\n"})
	if _, err := fns.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("py-layers"),
		Layers: []string{shared, greet2}}); err != nil {
		t.Fatal(err)
	}
	if got := invoke("py-layers"); got != `{"greet": "hello v2", "shared": "site-packages"}` {
		t.Fatalf("py-layers after the update: %s", got)
	}

	// Node.js: a package under nodejs/node_modules, found through NODE_PATH.
	pad := publish("leftpad", map[string]string{
		"nodejs/node_modules/leftpad/package.json": `{"name":"leftpad","main":"lib.js"}`,
		"nodejs/node_modules/leftpad/lib.js":       "module.exports = (s, n) => String(s).padStart(n, '0');\n",
	})
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("node-layers"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"),
		Code:   &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"index.js": "const pad = require('leftpad');\nexports.handler = async () => ({ id: pad(42, 5) });\n"})},
		Layers: []string{pad}}); err != nil {
		t.Fatal(err)
	}
	if got := invoke("node-layers"); got != `{"id":"00042"}` {
		t.Fatalf("node-layers: %s", got)
	}
}
