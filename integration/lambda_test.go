package integration

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The Lambda control plane through aws-sdk-go-v2, boto3 and the AWS CLI, as the account's
// root user (authorization allows every call).

const lambdaExecTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`

// lambdaFixture is a server with an execution role and a Lambda client.
type lambdaFixture struct {
	t    *testing.T
	ctx  context.Context
	srv  *emulatortest.Server
	c    *lambda.Client
	role string
}

func newLambdaFixture(t *testing.T) *lambdaFixture {
	t.Helper()
	srv := emulatortest.New(t)
	ctx := context.Background()
	role := createRole(t, iam.NewFromConfig(srv.AWSConfig(ctx)), "lambda-exec", lambdaExecTrust)
	return &lambdaFixture{t: t, ctx: ctx, srv: srv, c: lambda.NewFromConfig(srv.AWSConfig(ctx)), role: role}
}

// lambdaZip is a deployment package with one Python handler.
func lambdaZip(t testing.TB, body string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, err := w.Create("app.py")
	if err == nil {
		_, err = f.Write([]byte(body))
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func (f *lambdaFixture) create(name string, edit ...func(*lambda.CreateFunctionInput)) *lambda.CreateFunctionOutput {
	f.t.Helper()
	in := &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(f.role), Runtime: lambdatypes.RuntimePython312,
		Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: lambdaZip(f.t, "def handler(e, c):\n    return 1\n")}}
	for _, e := range edit {
		e(in)
	}
	out, err := f.c.CreateFunction(f.ctx, in)
	if err != nil {
		f.t.Fatalf("CreateFunction %s: %v", name, err)
	}
	return out
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// A function's life through the SDK: create (201, Pending), the FunctionActiveV2 and
// FunctionUpdatedV2 waiters, configuration and code updates, versions, aliases, deletion.
func TestLambdaFunctionLifecycle(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	created := f.create("life", func(in *lambda.CreateFunctionInput) {
		in.Environment = &lambdatypes.Environment{Variables: map[string]string{"STAGE": "dev"}}
		in.Tags = map[string]string{"team": "blue"}
	})
	if created.State != lambdatypes.StatePending || aws.ToString(created.Version) != "$LATEST" ||
		aws.ToString(created.FunctionArn) != "arn:aws:lambda:us-east-1:123456789012:function:life" || aws.ToInt32(created.Timeout) != 3 {
		t.Fatalf("create = %+v", created)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000-0700", aws.ToString(created.LastModified)); err != nil {
		t.Errorf("LastModified %q: %v", aws.ToString(created.LastModified), err)
	}
	waitCtx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	if err := lambda.NewFunctionActiveV2Waiter(f.c).Wait(waitCtx, &lambda.GetFunctionInput{FunctionName: aws.String("life")}, 10*time.Second); err != nil {
		t.Fatalf("FunctionActiveV2: %v", err)
	}
	got := must[*lambda.GetFunctionOutput](t)(f.c.GetFunction(f.ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")}))
	if got.Configuration.State != lambdatypes.StateActive || got.Tags["team"] != "blue" || aws.ToString(got.Code.RepositoryType) != "S3" ||
		got.Configuration.Environment.Variables["STAGE"] != "dev" {
		t.Errorf("GetFunction = %+v %+v", got.Configuration, got.Tags)
	}
	upd := must[*lambda.UpdateFunctionConfigurationOutput](t)(f.c.UpdateFunctionConfiguration(f.ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("life"), MemorySize: aws.Int32(256), RevisionId: got.Configuration.RevisionId}))
	if upd.LastUpdateStatus != lambdatypes.LastUpdateStatusInProgress || aws.ToInt32(upd.MemorySize) != 256 {
		t.Errorf("update = %+v", upd)
	}
	if err := lambda.NewFunctionUpdatedV2Waiter(f.c).Wait(waitCtx, &lambda.GetFunctionInput{FunctionName: aws.String("life")}, 10*time.Second); err != nil {
		t.Fatalf("FunctionUpdatedV2: %v", err)
	}
	_, err := f.c.UpdateFunctionConfiguration(f.ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("life"), RevisionId: got.Configuration.RevisionId})
	var pre *lambdatypes.PreconditionFailedException
	if !errors.As(err, &pre) || !strings.Contains(aws.ToString(pre.Message), "The Revision Id provided does not match the latest Revision Id") {
		t.Errorf("stale revision: %v", err)
	}
	v1 := must[*lambda.PublishVersionOutput](t)(f.c.PublishVersion(f.ctx, &lambda.PublishVersionInput{FunctionName: aws.String("life")}))
	code := must[*lambda.UpdateFunctionCodeOutput](t)(f.c.UpdateFunctionCode(f.ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String("life"),
		ZipFile: lambdaZip(t, "def handler(e, c):\n    return 2\n"), Publish: true}))
	if aws.ToString(v1.Version) != "1" || aws.ToString(code.Version) != "2" || aws.ToString(code.CodeSha256) == aws.ToString(v1.CodeSha256) {
		t.Errorf("versions: publish %s, code update %s", aws.ToString(v1.Version), aws.ToString(code.Version))
	}
	var versions []string
	pages := lambda.NewListVersionsByFunctionPaginator(f.c, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("life"), MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		page := must[*lambda.ListVersionsByFunctionOutput](t)(pages.NextPage(f.ctx))
		for _, v := range page.Versions {
			versions = append(versions, aws.ToString(v.Version))
		}
	}
	if strings.Join(versions, ",") != "$LATEST,1,2" {
		t.Errorf("versions = %v", versions)
	}

	alias := must[*lambda.CreateAliasOutput](t)(f.c.CreateAlias(f.ctx, &lambda.CreateAliasInput{FunctionName: aws.String("life"), Name: aws.String("live"),
		FunctionVersion: aws.String("1"), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{"2": 0.25}}}))
	if aws.ToString(alias.AliasArn) != "arn:aws:lambda:us-east-1:123456789012:function:life:live" || alias.RoutingConfig.AdditionalVersionWeights["2"] != 0.25 {
		t.Errorf("alias = %+v", alias)
	}
	_, err = f.c.CreateAlias(f.ctx, &lambda.CreateAliasInput{FunctionName: aws.String("life"), Name: aws.String("live"), FunctionVersion: aws.String("1")})
	var conflict *lambdatypes.ResourceConflictException
	if !errors.As(err, &conflict) {
		t.Errorf("duplicate alias: %v", err)
	}
	viaAlias := must[*lambda.GetFunctionConfigurationOutput](t)(f.c.GetFunctionConfiguration(f.ctx, &lambda.GetFunctionConfigurationInput{
		FunctionName: aws.String("arn:aws:lambda:us-east-1:123456789012:function:life:live")}))
	if aws.ToString(viaAlias.Version) != "1" || aws.ToString(viaAlias.FunctionArn) != aws.ToString(alias.AliasArn) {
		t.Errorf("via alias = %s %s", aws.ToString(viaAlias.Version), aws.ToString(viaAlias.FunctionArn))
	}
	must[*lambda.UpdateAliasOutput](t)(f.c.UpdateAlias(f.ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("life"), Name: aws.String("live"),
		FunctionVersion: aws.String("2"), RoutingConfig: &lambdatypes.AliasRoutingConfiguration{}, RevisionId: alias.RevisionId}))
	aliases := must[*lambda.ListAliasesOutput](t)(f.c.ListAliases(f.ctx, &lambda.ListAliasesInput{FunctionName: aws.String("life")}))
	if len(aliases.Aliases) != 1 || aws.ToString(aliases.Aliases[0].FunctionVersion) != "2" || aliases.Aliases[0].RoutingConfig != nil {
		t.Errorf("aliases = %+v", aliases.Aliases)
	}
	must[*lambda.DeleteAliasOutput](t)(f.c.DeleteAlias(f.ctx, &lambda.DeleteAliasInput{FunctionName: aws.String("life"), Name: aws.String("live")}))
	must[*lambda.DeleteFunctionOutput](t)(f.c.DeleteFunction(f.ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("life")}))
	_, err = f.c.GetFunction(f.ctx, &lambda.GetFunctionInput{FunctionName: aws.String("life")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "Function not found: arn:aws:lambda:us-east-1:123456789012:function:life" || aws.ToString(nf.Type) != "User" {
		t.Errorf("after delete: %v", err)
	}
}

// ListFunctions pages with Marker/NextMarker through the SDK paginator.
func TestLambdaListFunctionsPaginator(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	for i := 0; i < 5; i++ {
		f.create(fmt.Sprintf("page-%d", i))
	}
	var names []string
	pages := lambda.NewListFunctionsPaginator(f.c, &lambda.ListFunctionsInput{MaxItems: aws.Int32(2)})
	for n := 0; pages.HasMorePages(); n++ {
		page := must[*lambda.ListFunctionsOutput](t)(pages.NextPage(f.ctx))
		if len(page.Functions) > 2 {
			t.Errorf("page %d has %d functions", n, len(page.Functions))
		}
		for _, fn := range page.Functions {
			names = append(names, aws.ToString(fn.FunctionName))
		}
	}
	if strings.Join(names, ",") != "page-0,page-1,page-2,page-3,page-4" {
		t.Errorf("names = %v", names)
	}
}

// AddPermission, GetPolicy and RemovePermission through the SDK, with the statement as Lambda
// writes it (AddPermission example of the Lambda API Reference).
func TestLambdaPermissions(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	f.create("my-function")
	add := must[*lambda.AddPermissionOutput](t)(f.c.AddPermission(f.ctx, &lambda.AddPermissionInput{FunctionName: aws.String("my-function"),
		StatementId: aws.String("s3"), Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("s3.amazonaws.com"),
		SourceAccount: aws.String("123456789012"), SourceArn: aws.String("arn:aws:s3:::my-bucket-1xpuxmplzrlbh")}))
	want := `{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:my-function","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}`
	if aws.ToString(add.Statement) != want {
		t.Errorf("statement = %s", aws.ToString(add.Statement))
	}
	_, err := f.c.AddPermission(f.ctx, &lambda.AddPermissionInput{FunctionName: aws.String("my-function"), StatementId: aws.String("s3"),
		Action: aws.String("lambda:InvokeFunction"), Principal: aws.String("sns.amazonaws.com")})
	var conflict *lambdatypes.ResourceConflictException
	if !errors.As(err, &conflict) || aws.ToString(conflict.Message) != "The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement." {
		t.Errorf("duplicate sid: %v", err)
	}
	pol := must[*lambda.GetPolicyOutput](t)(f.c.GetPolicy(f.ctx, &lambda.GetPolicyInput{FunctionName: aws.String("my-function")}))
	var doc struct {
		Version, Id string
		Statement   []json.RawMessage
	}
	if err := json.Unmarshal([]byte(aws.ToString(pol.Policy)), &doc); err != nil || doc.Version != "2012-10-17" || doc.Id != "default" ||
		len(doc.Statement) != 1 || string(doc.Statement[0]) != want || aws.ToString(pol.RevisionId) == "" {
		t.Errorf("policy = %s (%v)", aws.ToString(pol.Policy), err)
	}
	must[*lambda.RemovePermissionOutput](t)(f.c.RemovePermission(f.ctx, &lambda.RemovePermissionInput{FunctionName: aws.String("my-function"), StatementId: aws.String("s3")}))
	_, err = f.c.GetPolicy(f.ctx, &lambda.GetPolicyInput{FunctionName: aws.String("my-function")})
	var nf *lambdatypes.ResourceNotFoundException
	if !errors.As(err, &nf) || aws.ToString(nf.Message) != "The resource you requested does not exist." {
		t.Errorf("policy after removal: %v", err)
	}
}

// Tags, reserved concurrency, account settings, event invoke and URL configs, and layers.
func TestLambdaSettings(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	fn := f.create("settings")
	arn := aws.ToString(fn.FunctionArn)
	must[*lambda.TagResourceOutput](t)(f.c.TagResource(f.ctx, &lambda.TagResourceInput{Resource: aws.String(arn), Tags: map[string]string{"a": "1", "b": "2"}}))
	must[*lambda.UntagResourceOutput](t)(f.c.UntagResource(f.ctx, &lambda.UntagResourceInput{Resource: aws.String(arn), TagKeys: []string{"b"}}))
	tags := must[*lambda.ListTagsOutput](t)(f.c.ListTags(f.ctx, &lambda.ListTagsInput{Resource: aws.String(arn)}))
	if fmt.Sprint(tags.Tags) != "map[a:1]" {
		t.Errorf("tags = %v", tags.Tags)
	}
	must[*lambda.PutFunctionConcurrencyOutput](t)(f.c.PutFunctionConcurrency(f.ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("settings"), ReservedConcurrentExecutions: aws.Int32(10)}))
	acct := must[*lambda.GetAccountSettingsOutput](t)(f.c.GetAccountSettings(f.ctx, &lambda.GetAccountSettingsInput{}))
	if acct.AccountUsage.FunctionCount != 1 || acct.AccountUsage.TotalCodeSize != aws.ToInt64(&fn.CodeSize) ||
		aws.ToInt32(acct.AccountLimit.UnreservedConcurrentExecutions) != 990 {
		t.Errorf("account = %+v %+v", acct.AccountLimit, acct.AccountUsage)
	}
	eic := must[*lambda.PutFunctionEventInvokeConfigOutput](t)(f.c.PutFunctionEventInvokeConfig(f.ctx, &lambda.PutFunctionEventInvokeConfigInput{
		FunctionName: aws.String("settings"), MaximumRetryAttempts: aws.Int32(0)}))
	if aws.ToString(eic.FunctionArn) != arn+":$LATEST" || eic.LastModified == nil || aws.ToInt32(eic.MaximumRetryAttempts) != 0 {
		t.Errorf("event invoke = %+v", eic)
	}
	url := must[*lambda.CreateFunctionUrlConfigOutput](t)(f.c.CreateFunctionUrlConfig(f.ctx, &lambda.CreateFunctionUrlConfigInput{
		FunctionName: aws.String("settings"), AuthType: lambdatypes.FunctionUrlAuthTypeAwsIam}))
	// The URL is the local one iamlocal serves (lambda_urls_test.go), not AWS's
	// https://<url-id>.lambda-url.<region>.on.aws/, which nothing serves locally.
	if !localURL.MatchString(aws.ToString(url.FunctionUrl)) {
		t.Errorf("url = %s", aws.ToString(url.FunctionUrl))
	}
	got := must[*lambda.GetFunctionUrlConfigOutput](t)(f.c.GetFunctionUrlConfig(f.ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String("settings")}))
	if got.InvokeMode != lambdatypes.InvokeModeBuffered || aws.ToString(got.FunctionUrl) != aws.ToString(url.FunctionUrl) {
		t.Errorf("url config = %+v", got)
	}
	layer := must[*lambda.PublishLayerVersionOutput](t)(f.c.PublishLayerVersion(f.ctx, &lambda.PublishLayerVersionInput{LayerName: aws.String("deps"),
		Content: &lambdatypes.LayerVersionContentInput{ZipFile: lambdaZip(t, "X = 1\n")}, CompatibleRuntimes: []lambdatypes.Runtime{lambdatypes.RuntimePython312}}))
	withLayer := must[*lambda.UpdateFunctionConfigurationOutput](t)(f.c.UpdateFunctionConfiguration(f.ctx, &lambda.UpdateFunctionConfigurationInput{
		FunctionName: aws.String("settings"), Layers: []string{aws.ToString(layer.LayerVersionArn)}}))
	if len(withLayer.Layers) != 1 || aws.ToString(withLayer.Layers[0].Arn) != "arn:aws:lambda:us-east-1:123456789012:layer:deps:1" {
		t.Errorf("layers = %+v", withLayer.Layers)
	}
	_, err := f.c.CreateFunction(f.ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("bad-zip"), Role: aws.String(f.role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: []byte("not a zip")}})
	var bad *lambdatypes.InvalidParameterValueException
	if !errors.As(err, &bad) || aws.ToString(bad.Message) != "Could not unzip uploaded file. Please check your file, then try to upload again." {
		t.Errorf("bad zip: %v", err)
	}
}

// boto3 creates a function from a zip, waits for it with botocore's function_active_v2 waiter
// and reads its policy back.
func TestLambdaBoto3(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	if err := os.WriteFile(zipPath, lambdaZip(t, "def handler(e, c):\n    return 1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, fmt.Sprintf(`
import boto3, botocore, json
lam = boto3.client("lambda")
fn = lam.create_function(FunctionName="py-fn", Runtime="python3.12", Role=%q, Handler="app.handler",
    Code={"ZipFile": open(%q, "rb").read()}, Publish=True)
print(fn["ResponseMetadata"]["HTTPStatusCode"], fn["Version"], fn["State"])
lam.get_waiter("function_active_v2").wait(FunctionName="py-fn")
print(lam.get_function(FunctionName="py-fn")["Configuration"]["State"])
st = json.loads(lam.add_permission(FunctionName="py-fn", Qualifier="1", StatementId="sns", Action="lambda:InvokeFunction",
    Principal="sns.amazonaws.com")["Statement"])
print(st["Resource"])
pol = json.loads(lam.get_policy(FunctionName="py-fn:1")["Policy"])
print(pol["Statement"][0]["Sid"])
try:
    lam.get_function(FunctionName="nope")
except lam.exceptions.ResourceNotFoundException as e:
    print(e.response["Error"]["Code"], e.response["Error"]["Message"])
`, f.role, zipPath))
	want := []string{"201 1 Pending", "Active", "arn:aws:lambda:us-east-1:123456789012:function:py-fn:1", "sns",
		"ResourceNotFoundException Function not found: arn:aws:lambda:us-east-1:123456789012:function:nope"}
	if got := strings.Split(out, "\n"); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("boto3 output:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
}

// The AWS CLI lists and reads functions and reports Lambda's errors in its own words.
func TestLambdaCLI(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	f.create("cli-fn")
	key, secret := f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey
	out, stderr, err := runCLI(t, f.srv, key, secret, "lambda", "get-function-configuration", "--function-name", "cli-fn")
	if err != nil || !strings.Contains(out, `"FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:cli-fn"`) || !strings.Contains(out, `"State": "Active"`) {
		t.Fatalf("get-function-configuration: %v\n%s\n%s", err, out, stderr)
	}
	out, stderr, err = runCLI(t, f.srv, key, secret, "lambda", "list-functions")
	if err != nil || !strings.Contains(out, `"FunctionName": "cli-fn"`) {
		t.Fatalf("list-functions: %v\n%s\n%s", err, out, stderr)
	}
	_, stderr, err = runCLI(t, f.srv, key, secret, "lambda", "delete-function", "--function-name", "missing")
	if err == nil || !strings.Contains(stderr, "An error occurred (ResourceNotFoundException) when calling the DeleteFunction operation: Function not found: arn:aws:lambda:us-east-1:123456789012:function:missing") {
		t.Fatalf("delete missing: %v\n%s", err, stderr)
	}
}
