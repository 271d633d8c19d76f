package integration

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

func zipOf(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for name, body := range files {
		f, err := w.Create(name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.Write([]byte(body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

const pythonWhoAmI = `
import boto3

def handler(event, context):
    out = {"event": event, "function": context.function_name,
           "arn": boto3.client("sts").get_caller_identity()["Arn"]}
    try:
        boto3.client("iam").list_roles()
        out["listRoles"] = "allowed"
    except Exception as e:
        out["listRoles"] = e.response["Error"]["Code"]
    print("hello from", context.function_name)
    return out

def fail(event, context):
    raise ValueError("bad input: " + str(event.get("n")))
`

// A Python function runs as a local process with its execution role's temporary credentials:
// its own boto3 calls come back to iamlocal as arn:aws:sts::ACCT:assumed-role/ROLE/FUNCTION
// and are authorized with the role's policies ("Lambda execution role").
func TestInvokePythonWithRoleCredentials(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "py-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	code := zipOf(t, map[string]string{"app.py": pythonWhoAmI})
	for _, h := range []string{"handler", "fail"} {
		if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("py-" + h), Role: aws.String(role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app." + h), Code: &lambdatypes.FunctionCode{ZipFile: code}, Timeout: aws.Int32(30)}); err != nil {
			t.Fatal(err)
		}
	}
	invoke := func() map[string]any {
		out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("py-handler"), Payload: []byte(`{"n":1}`), LogType: lambdatypes.LogTypeTail})
		if err != nil {
			t.Fatal(err)
		}
		if out.StatusCode != 200 || out.FunctionError != nil || aws.ToString(out.ExecutedVersion) != "$LATEST" {
			t.Fatalf("invoke: %d %v %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
		}
		log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		if !strings.Contains(string(log), "hello from py-handler") || !strings.Contains(string(log), "REPORT RequestId:") {
			t.Errorf("log tail:\n%s", log)
		}
		var got map[string]any
		if err := json.Unmarshal(out.Payload, &got); err != nil {
			t.Fatalf("payload %s: %v", out.Payload, err)
		}
		return got
	}
	got := invoke()
	if got["arn"] != "arn:aws:sts::123456789012:assumed-role/py-exec/py-handler" || got["function"] != "py-handler" ||
		got["listRoles"] != "AccessDenied" || got["event"].(map[string]any)["n"] != 1.0 {
		t.Fatalf("first invoke: %v", got)
	}
	// Granting the role iam:ListRoles changes what the function may do.
	if _, err := admin.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("py-exec"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")}); err != nil {
		t.Fatal(err)
	}
	if got := invoke(); got["listRoles"] != "allowed" {
		t.Fatalf("after granting: %v", got)
	}
	// An exception is a function error: 200 with X-Amz-Function-Error and AWS's error document.
	out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("py-fail"), Payload: []byte(`{"n":7}`)})
	if err != nil {
		t.Fatal(err)
	}
	var doc struct{ ErrorMessage, ErrorType string }
	_ = json.Unmarshal(out.Payload, &doc)
	if out.StatusCode != 200 || aws.ToString(out.FunctionError) != "Unhandled" || doc.ErrorType != "ValueError" || doc.ErrorMessage != "bad input: 7" {
		t.Fatalf("function error: %d %v %s", out.StatusCode, aws.ToString(out.FunctionError), out.Payload)
	}
	// DryRun checks and answers 204; Event queues and answers 202.
	if out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("py-handler"), InvocationType: lambdatypes.InvocationTypeDryRun}); err != nil || out.StatusCode != 204 {
		t.Fatalf("DryRun: %v %v", out, err)
	}
	if out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("py-handler"), InvocationType: lambdatypes.InvocationTypeEvent, Payload: []byte(`{}`)}); err != nil || out.StatusCode != 202 {
		t.Fatalf("Event: %v %v", out, err)
	}
}

// A Node.js function (ES module) runs too, and a missing function is Lambda's 404.
func TestInvokeNode(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "node-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	code := zipOf(t, map[string]string{"index.mjs": `export const handler = async (event, context) => ({sum: event.a + event.b, region: process.env.AWS_REGION, fn: context.functionName});`})
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("adder"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimeNodejs20x, Handler: aws.String("index.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code}, Publish: true}); err != nil {
		t.Fatal(err)
	}
	out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("adder"), Qualifier: aws.String("1"), Payload: []byte(`{"a":2,"b":3}`)})
	if err != nil {
		t.Fatal(err)
	}
	if string(out.Payload) != `{"sum":5,"region":"us-east-1","fn":"adder"}` || aws.ToString(out.ExecutedVersion) != "1" {
		t.Fatalf("node: %s %s", out.Payload, aws.ToString(out.ExecutedVersion))
	}
	_, err = fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("nope")})
	assertDenied(t, err, "ResourceNotFoundException", "Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope")
}

// GetFunction's Code.Location downloads the deployment package, as AWS's presigned URL does.
func TestGetFunctionCodeLocation(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "dl-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	code := zipOf(t, map[string]string{"app.py": "def handler(e, c):\n    return 1\n"})
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("dl"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: code}}); err != nil {
		t.Fatal(err)
	}
	out, err := fns.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("dl")})
	if err != nil || out.Code.Location == nil {
		t.Fatalf("GetFunction: %v %v", out, err)
	}
	resp, body := rawDo(t, mustReq(t, "GET", aws.ToString(out.Code.Location)))
	if resp.StatusCode != 200 || body != string(code) {
		t.Fatalf("download: %d, %d bytes (want %d)", resp.StatusCode, len(body), len(code))
	}
}

// A layer version's Content.Location downloads its archive, as AWS's presigned URL does
// (LayerVersionContentOutput), from PublishLayerVersion, GetLayerVersion and
// GetLayerVersionByArn alike.
func TestLayerContentLocation(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	archive := zipOf(t, map[string]string{"python/helper.py": "VALUE = 42\n"})
	pub, err := fns.PublishLayerVersion(ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("dl-layer"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: archive}})
	if err != nil {
		t.Fatal(err)
	}
	got, err := fns.GetLayerVersion(ctx, &lambda.GetLayerVersionInput{LayerName: aws.String("dl-layer"), VersionNumber: aws.Int64(1)})
	if err != nil {
		t.Fatal(err)
	}
	byARN, err := fns.GetLayerVersionByArn(ctx, &lambda.GetLayerVersionByArnInput{Arn: pub.LayerVersionArn})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		content *lambdatypes.LayerVersionContentOutput
	}{
		{"PublishLayerVersion", pub.Content},
		{"GetLayerVersion", got.Content},
		{"GetLayerVersionByArn", byARN.Content},
	}
	for _, c := range cases {
		if c.content == nil || c.content.Location == nil {
			t.Fatalf("%s: no Content.Location", c.name)
		}
		resp, body := rawDo(t, mustReq(t, "GET", aws.ToString(c.content.Location)))
		if resp.StatusCode != 200 || body != string(archive) {
			t.Errorf("%s download: %d, %d bytes (want %d)", c.name, resp.StatusCode, len(body), len(archive))
		}
	}
	// The token is what makes the URL: the same path with another one is not found.
	loc := aws.ToString(got.Content.Location)
	forged := loc[:len(loc)-4] + "0000"
	if forged == loc {
		forged = loc[:len(loc)-4] + "1111"
	}
	resp, _ := rawDo(t, mustReq(t, "GET", forged))
	if resp.StatusCode != 404 {
		t.Errorf("forged token: %d, want 404", resp.StatusCode)
	}
}
