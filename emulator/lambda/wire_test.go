package lambda_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

var updateAWS = flag.Bool("update-aws", false, "rewrite the golden files under testdata/golden/aws")

// wireCase is one request and the golden file of Lambda's exact answer: status, error type
// header and body bytes.
type wireCase struct {
	name   string
	method string
	path   string
	body   string
	// source is where the answer was recorded against AWS (conformance/errors names the
	// LocalStack parity snapshot keys).
	source string
}

const (
	wireRole = "arn:aws:iam::123456789012:role/wire"
	wireFn   = "arn:aws:lambda:us-east-1:123456789012:function:"
)

// wireServer starts iamlocal with an execution role and the function "f1" (published once).
func wireServer(t *testing.T) *emulatortest.Server {
	t.Helper()
	srv := emulatortest.New(t)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	wireSend(t, srv, "POST", "/?Action=CreateRole&Version=2010-05-08&RoleName=wire&AssumeRolePolicyDocument="+urlQuery(trust), "", "iam", 200)
	wireSend(t, srv, "POST", "/2015-03-31/functions", createBody("f1", "python3.12", nil), "lambda", 201)
	wireSend(t, srv, "POST", "/2015-03-31/functions/f1/versions", "{}", "lambda", 201)
	return srv
}

func urlQuery(s string) string {
	r := strings.NewReplacer("%", "%25", " ", "%20", "{", "%7B", "}", "%7D", "\"", "%22", ":", "%3A", ",", "%2C", "[", "%5B", "]", "%5D", "/", "%2F")
	return r.Replace(s)
}

// createBody is a CreateFunction body with a one-file python package.
func createBody(name, runtime string, env map[string]string) string {
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	f, _ := w.Create("app.py")
	_, _ = f.Write([]byte("def handler(e, c):\n    return e\n"))
	_ = w.Close()
	body := `{"FunctionName":"` + name + `","Role":"` + wireRole + `","Runtime":"` + runtime +
		`","Handler":"app.handler","Code":{"ZipFile":"` + base64.StdEncoding.EncodeToString(b.Bytes()) + `"}`
	if env != nil {
		body += `,"Environment":{"Variables":{`
		first := true
		for k, v := range env {
			if !first {
				body += ","
			}
			first = false
			body += `"` + k + `":"` + v + `"`
		}
		body += `}}`
	}
	return body + "}"
}

// wireSend signs and sends one request; want > 0 checks the status.
func wireSend(t *testing.T, srv *emulatortest.Server, method, path, body, service string, want int) (int, http.Header, string) {
	t.Helper()
	return wireSendHeader(t, srv, method, path, body, service, want, nil)
}

// wireSendHeader is wireSend with extra request headers.
func wireSendHeader(t *testing.T, srv *emulatortest.Server, method, path, body, service string, want int, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	sum := sha256.Sum256([]byte(body))
	creds, _ := srv.AWSConfig(context.Background()).Credentials.Retrieve(context.Background())
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, _ := io.ReadAll(resp.Body)
	if want > 0 && resp.StatusCode != want {
		t.Fatalf("%s %s: status %d, want %d: %s", method, path, resp.StatusCode, want, got)
	}
	return resp.StatusCode, resp.Header, string(got)
}

// wireGolden compares an answer with testdata/golden/aws/<name>.
func wireGolden(t *testing.T, name string, status int, h http.Header, body string) {
	t.Helper()
	got := http.StatusText(status) + "\n"
	if et := h.Get("X-Amzn-Errortype"); et != "" {
		got = strings.TrimSuffix(got, "\n") + "\nx-amzn-ErrorType: " + et + "\n"
	}
	got = itoa(status) + " " + got + "\n" + body + "\n"
	path := filepath.Join("testdata", "golden", "aws", name)
	if *updateAWS {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("%s differs:\n got %q\nwant %q", name, got, want)
	}
}

func itoa(n int) string {
	var b [8]byte
	i := len(b)
	for n > 0 || i == len(b) {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	return string(b[i:])
}

// The validation texts Lambda sends today: patterns with the European Sovereign Cloud's
// regions, enums in AWS's order and with its members, the runtime in Lambda's own words, and
// the precedence of a long name and a $LATEST deletion.
func TestWireValidationTexts(t *testing.T) {
	t.Parallel()
	srv := wireServer(t)
	cases := []wireCase{
		{"create-name-pattern.json", "POST", "/2015-03-31/functions", createBody("invalid:function:name", "python3.12", nil), "invalid_function_name_exc"},
		{"create-name-too-long.json", "POST", "/2015-03-31/functions", createBody(strings.Repeat("a", 65), "python3.12", nil), "long_function_name_exc"},
		{"create-arn-too-long.json", "POST", "/2015-03-31/functions", createBody(wireFn+strings.Repeat("a", 141-len(wireFn)), "python3.12", nil), "long_function_arn_exc"},
		{"invoke-name-pattern.json", "POST", "/2015-03-31/functions/arn:aws:lambda:us-east-1:123400000000@function:myfn/invocations", "{}", "invoke_function_name_pattern_exc"},
		{"create-runtime-unknown.json", "POST", "/2015-03-31/functions", createBody("f2", "non-existent-runtime", nil), "invalid_runtime_exc"},
		{"create-runtime-uppercase.json", "POST", "/2015-03-31/functions", createBody("f2", "PYTHON3.9", nil), "uppercase_runtime_exc"},
		{"create-runtime-blocked.json", "POST", "/2015-03-31/functions", createBody("f2", "go1.x", nil), "deprecation_error[go1.x]"},
		{"update-runtime-unknown.json", "PUT", "/2015-03-31/functions/f1/configuration", `{"Runtime":"python9"}`, "invalid_runtime_exc, on UpdateFunctionConfiguration by analogy"},
		{"recursion-enum.json", "PUT", "/2024-08-31/functions/f1/recursion-config", `{"RecursiveLoop":"InvalidValue"}`, "put_recursion_invalid_value_error"},
		{"url-invoke-mode-enum.json", "POST", "/2021-10-31/functions/f1/url", `{"AuthType":"NONE","InvokeMode":"UNKNOWN"}`, "invoke_function_invalid_invoke_type"},
		{"layer-arn-pattern.json", "GET", "/2018-10-31/layers?find=LayerVersion&Arn=arn:aws:lambda:us-east-1:111111111111:layer:foo", "", "get_layer_version_by_arn_exc_invalidarn"},
		{"tag-arn-pattern.json", "POST", "/2017-03-31/tags/arn:aws:something", `{"Tags":{"a":"b"}}`, "tag_lambda_invalidarn"},
		{"destination-pattern.json", "PUT", "/2019-09-25/functions/f1/event-invoke-config", `{"DestinationConfig":{"OnFailure":{"Destination":"arn:aws:_-/!lambda:us-east-1:123456789012:function:f1"}}}`, "put_destination_invalid_arn_pattern"},
		{"list-layers-runtime.json", "GET", "/2018-10-31/layers?CompatibleRuntime=runtimedoesnotexist", "", "list_layers_exc_compatibleruntime_invalid"},
		{"publish-layer-runtime.json", "POST", "/2018-10-31/layers/l1/versions", `{"Content":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="},"CompatibleRuntimes":["invalidruntime","invalidruntime2","nodejs20.x"]}`, "publish_layer_version_exc_partially_invalid_values (runtimes only)"},
		{"get-name-too-long.json", "GET", "/2015-03-31/functions/" + strings.Repeat("a", 65), "", "an over-long name names no function"},
		{"delete-latest-missing-function.json", "DELETE", "/2015-03-31/functions/" + wireFn + "some-function:$LATEST?Qualifier=$LATEST", "", "match_exception of test_ops_with_arn_qualifier_mismatch[delete_function]"},
		{"get-latest-missing-function.json", "GET", "/2015-03-31/functions/" + wireFn + "some-function:$LATEST?Qualifier=$LATEST", "", "match_exception of test_ops_with_arn_qualifier_mismatch[get_function]"},
		{"put-concurrency-missing-function.json", "PUT", "/2017-10-31/functions/doesnotexist/concurrency", `{"ReservedConcurrentExecutions":1}`, "put_function_concurrency_with_function_name_doesnotexist"},
		{"alias-latest-weights.json", "POST", "/2015-03-31/functions/f1/aliases", `{"Name":"a1","FunctionVersion":"$LATEST","RoutingConfig":{"AdditionalVersionWeights":{"1":0.5}}}`, "target_version_exc_version_latest (no Type)"},
		{"delete-csc-missing.json", "DELETE", "/2020-04-22/code-signing-configs/arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0", "", "delete_csc_notfound (no Type)"},
		{"put-concurrency-below-floor.json", "PUT", "/2017-10-31/functions/f1/concurrency", `{"ReservedConcurrentExecutions":950}`, "put_function_concurrency_account_limit_exceeded (no Type)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, h, body := wireSend(t, srv, c.method, c.path, c.body, "lambda", 0)
			wireGolden(t, c.name, status, h, body)
		})
	}
}

// recordedMessage is the message LocalStack recorded against AWS under snapshotKey in the test
// whose name starts with test.
func recordedMessage(t *testing.T, test, snapshotKey string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "..", "internal", "awsdata", "conformance", "errors", "localstack-aws-recorded-errors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rec struct {
		Errors map[string][]struct {
			Test, SnapshotKey, Message string
		}
	}
	if err := json.Unmarshal(raw, &rec); err != nil {
		t.Fatal(err)
	}
	for _, e := range rec.Errors["lambda"] {
		if strings.HasPrefix(e.Test, test) && e.SnapshotKey == snapshotKey {
			return e.Message
		}
	}
	t.Fatalf("no recording %s %s", test, snapshotKey)
	return ""
}

// Lambda's lifecycle answers: deletes of what is already gone, the 4 KB environment message and
// payloads that are not UTF-8 JSON. Where the recording has no anonymised part, the message is
// also compared with it.
func TestWireLifecycle(t *testing.T) {
	t.Parallel()
	srv := wireServer(t)
	oneVar := createBody("f3", "python3.12", map[string]string{"LARGE_VAR": strings.Repeat("x", 4081)})
	twoVars := createBody("f3", "python3.12", map[string]string{"LARGE_VAR": strings.Repeat("x", 4064), "SMALL_VAR": "ok"})
	cases := []struct {
		wireCase
		test, key string // the recording the message must equal, if any
	}{
		{wireCase{"delete-missing-version.json", "DELETE", "/2015-03-31/functions/f1?Qualifier=1233", "", "test_delete_on_nonexisting_version"}, "", ""},
		{wireCase{"delete-missing-version-again.json", "DELETE", "/2015-03-31/functions/f1?Qualifier=1233", "", "test_delete_on_nonexisting_version"}, "", ""},
		{wireCase{"delete-missing-alias.json", "DELETE", "/2015-03-31/functions/f1/aliases/nope", "", "test_alias_lifecycle"}, "", ""},
		{wireCase{"delete-alias-missing-function.json", "DELETE", "/2015-03-31/functions/nofn/aliases/nope", "", "function not found first"}, "", ""},
		{wireCase{"delete-provisioned-none.json", "DELETE", "/2019-09-30/functions/f1/provisioned-concurrency?Qualifier=1", "", "brief: no config on an existing version"}, "", ""},
		{wireCase{"delete-provisioned-missing-version.json", "DELETE", "/2019-09-30/functions/f1/provisioned-concurrency?Qualifier=10", "", "delete_provisioned_functionname_doesnotexist"}, "", ""},
		{wireCase{"delete-provisioned-missing-alias.json", "DELETE", "/2019-09-30/functions/f1/provisioned-concurrency?Qualifier=nope", "", "put_provisioned_qualifier_doesnotexist"}, "", ""},
		{wireCase{"environment-4kb.json", "POST", "/2015-03-31/functions", oneVar, "failed_create_fn_result"},
			"TestLambdaSizeLimits::test_large_environment_variables_fails", "failed_create_fn_result"},
		{wireCase{"environment-4kb-two-keys.json", "POST", "/2015-03-31/functions", twoVars, "failured_create_fn_result_multi_key"},
			"TestLambdaSizeLimits::test_large_environment_fails_multiple_keys", "failured_create_fn_result_multi_key"},
		{wireCase{"invoke-payload-utf8.json", "POST", "/2015-03-31/functions/f1/invocations", "n\x87r\x9e\xe9\xb5\xd7I\xee\x9bmt", "invoke_function_invalid_payload_body"},
			"TestLambdaErrors::test_lambda_invoke_payload_encoding_error[body-", "invoke_function_invalid_payload_body"},
		{wireCase{"invoke-payload-ctrl.json", "POST", "/2015-03-31/functions/f1/invocations", "\x99\xeb,j\x07\xa1zYh", "invoke_function_invalid_payload_message"},
			"TestLambdaErrors::test_lambda_invoke_payload_encoding_error[message-", "invoke_function_invalid_payload_message"},
	}
	for _, c := range cases {
		status, h, body := wireSend(t, srv, c.method, c.path, c.body, "lambda", 0)
		t.Run(c.name, func(t *testing.T) {
			wireGolden(t, c.name, status, h, body)
			if c.test == "" {
				return
			}
			var got struct{ Message string }
			_ = json.Unmarshal([]byte(strings.Replace(body, `"message"`, `"Message"`, 1)), &got)
			if want := recordedMessage(t, c.test, c.key); got.Message != want {
				t.Errorf("message differs from the recording:\n got %q\nwant %q", got.Message, want)
			}
		})
	}
}

// An update while the function is still being created is refused in Lambda's words
// (recorded: TestLambdaFunction::test_lambda_concurrent_code_updates,
// update-during-in-progress-update-exc, whose anonymised ARN is the function's here).
func TestWireUpdateInProgress(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) { o.LambdaStateTransition = time.Hour })
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	wireSend(t, srv, "POST", "/?Action=CreateRole&Version=2010-05-08&RoleName=wire&AssumeRolePolicyDocument="+urlQuery(trust), "", "iam", 200)
	wireSend(t, srv, "POST", "/2015-03-31/functions", createBody("f1", "python3.12", nil), "lambda", 201)
	want := strings.ReplaceAll(recordedMessage(t, "TestLambdaFunction::test_lambda_concurrent_code_updates", "update-during-in-progress-update-exc"),
		"arn:<partition>:lambda:<region>:111111111111:function:<function-name:1>", wireFn+"f1")
	cases := []wireCase{
		{"update-config-in-progress.json", "PUT", "/2015-03-31/functions/f1/configuration", `{"Timeout":9}`, "update-during-in-progress-update-exc"},
		{"update-code-in-progress.json", "PUT", "/2015-03-31/functions/f1/code", `{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}`, "update-during-in-progress-update-exc"},
	}
	for _, c := range cases {
		status, h, body := wireSend(t, srv, c.method, c.path, c.body, "lambda", 0)
		t.Run(c.name, func(t *testing.T) {
			wireGolden(t, c.name, status, h, body)
			var got struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal([]byte(body), &got)
			if got.Message != want {
				t.Errorf("message differs from the recording:\n got %q\nwant %q", got.Message, want)
			}
		})
	}
}

// Layer version policy, layer filter and tag errors in the words LocalStack recorded against
// AWS (TestLambdaLayer::test_layer_policy_exceptions and test_layer_exceptions,
// TestLambdaTags::test_tag_exceptions and test_tag_limits); the recordings' anonymised ARNs are
// this server's: layer l1 and function f1.
func TestWireLayersAndTags(t *testing.T) {
	t.Parallel()
	srv := wireServer(t)
	wireSend(t, srv, "POST", "/2018-10-31/layers/l1/versions", `{"Content":{"ZipFile":"UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA=="}}`, "lambda", 201)
	grant := func(sid, action string) string {
		return `{"StatementId":"` + sid + `","Action":"` + action + `","Principal":"*"}`
	}
	wireSend(t, srv, "POST", "/2018-10-31/layers/l1/versions/1/policy", grant("s1", "lambda:GetLayerVersion"), "lambda", 201)
	tooMany := `{"Tags":{`
	for i := range 51 {
		if i > 0 {
			tooMany += ","
		}
		tooMany += `"k` + itoa(i) + `":"v"`
	}
	tooMany += "}}"
	anon := strings.NewReplacer("arn:<partition>:lambda:<region>:111111111111:", "arn:aws:lambda:us-east-1:123456789012:", "<resource:1>", "l1")
	cases := []struct {
		wireCase
		test string
	}{
		{wireCase{"layer-permission-wrong-revision.json", "POST", "/2018-10-31/layers/l1/versions/1/policy?RevisionId=wrong", grant("s2", "lambda:GetLayerVersion"), "layer_permission_wrong_revision"}, "TestLambdaLayer::test_layer_policy_exceptions"},
		{wireCase{"layer-permission-duplicate.json", "POST", "/2018-10-31/layers/l1/versions/1/policy", grant("s1", "lambda:GetLayerVersion"), "layer_permission_duplicate_statement"}, "TestLambdaLayer::test_layer_policy_exceptions"},
		{wireCase{"layer-permission-missing-layer.json", "POST", "/2018-10-31/layers/l1-doesnotexist/versions/1/policy", grant("s2", "lambda:GetLayerVersion"), "layer_permission_layername_doesnotexist_add"}, "TestLambdaLayer::test_layer_policy_exceptions"},
		{wireCase{"layer-permission-missing-version.json", "POST", "/2018-10-31/layers/l1/versions/2/policy", grant("s2", "lambda:GetLayerVersion"), "layer_permission_layerversion_doesnotexist_add"}, "TestLambdaLayer::test_layer_policy_exceptions"},
		{wireCase{"layer-permission-missing-statement.json", "DELETE", "/2018-10-31/layers/l1/versions/1/policy/doesnotexist", "", "layer_permission_statementid_doesnotexist_remove"}, "TestLambdaLayer::test_layer_policy_exceptions"},
		{wireCase{"layer-permission-action.json", "POST", "/2018-10-31/layers/l1/versions/1/policy", grant("s2", "*"), "layer_permission_action_invalid"}, "TestLambdaLayer::test_layer_policy_exceptions"},
		{wireCase{"list-layers-architecture.json", "GET", "/2018-10-31/layers?CompatibleArchitecture=archdoesnotexist", "", "list_layers_exc_compatiblearchitecture_invalid"}, "TestLambdaLayer::test_layer_exceptions"},
		{wireCase{"layer-version-negative.json", "GET", "/2018-10-31/layers/l1/versions/-1", "", "get_layer_version_exc_layer_version_doesnotexist_negative"}, "TestLambdaLayer::test_layer_exceptions"},
		{wireCase{"tag-empty.json", "POST", "/2017-03-31/tags/" + wireFn + "f1", `{"Tags":{}}`, "tag_empty_tags"}, "TestLambdaTags::test_tag_exceptions"},
		{wireCase{"tag-qualified.json", "POST", "/2017-03-31/tags/" + wireFn + "f1:1", `{"Tags":{"a":"b"}}`, "tag_lambda_qualifier_doesnotexist"}, "TestLambdaTags::test_tag_exceptions"},
		{wireCase{"tag-missing-function.json", "POST", "/2017-03-31/tags/" + wireFn + "doesnotexist", `{"Tags":{"a":"b"}}`, "tag_lambda_doesnotexist"}, "TestLambdaTags::test_tag_exceptions"},
		{wireCase{"untag-no-keys.json", "DELETE", "/2017-03-31/tags/" + wireFn + "f1", "", "untag_empty_keys"}, "TestLambdaTags::test_tag_exceptions"},
		{wireCase{"tag-too-many.json", "POST", "/2017-03-31/tags/" + wireFn + "f1", tooMany, "tag_lambda_too_many_tags"}, "TestLambdaTags::test_tag_limits"},
	}
	for _, c := range cases {
		status, h, body := wireSend(t, srv, c.method, c.path, c.body, "lambda", 0)
		t.Run(c.name, func(t *testing.T) {
			wireGolden(t, c.name, status, h, body)
			var got map[string]any
			_ = json.Unmarshal([]byte(body), &got)
			msg, _ := got["message"].(string)
			if m, ok := got["Message"].(string); ok {
				msg = m
			}
			if want := anon.Replace(recordedMessage(t, c.test, c.source)); msg != want {
				t.Errorf("message differs from the recording:\n got %q\nwant %q", msg, want)
			}
		})
	}
}

// Invoking a function that is still being created is refused, however the call names it and
// whatever the operation, in the words of the Lambda Developer Guide ("Troubleshoot invocation
// issues in Lambda": "ResourceConflictException: The operation cannot be performed at this
// time. The function is currently in the following state: Pending"); an update in progress
// does not stop invocations ("you can invoke it while the update is pending").
func TestWireInvokePending(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) { o.LambdaStateTransition = time.Hour })
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	wireSend(t, srv, "POST", "/?Action=CreateRole&Version=2010-05-08&RoleName=wire&AssumeRolePolicyDocument="+urlQuery(trust), "", "iam", 200)
	wireSend(t, srv, "POST", "/2015-03-31/functions", createBody("f1", "python3.12", nil), "lambda", 201)
	wireSend(t, srv, "POST", "/2015-03-31/functions/f1/aliases", `{"Name":"live","FunctionVersion":"$LATEST"}`, "lambda", 201)
	const want = "The operation cannot be performed at this time. The function is currently in the following state: Pending"
	invocations := "/2015-03-31/functions/f1/invocations"
	cases := []struct {
		name, path, body, invocationType string
	}{
		{"unqualified", invocations, "{}", ""},
		{"$LATEST", invocations + "?Qualifier=$LATEST", "{}", ""},
		{"alias of $LATEST", "/2015-03-31/functions/" + wireFn + "f1:live/invocations", "{}", ""},
		{"before the payload is read", invocations, "not json", ""},
		{"Event", invocations, "{}", "Event"},
		{"DryRun", invocations, "{}", "DryRun"},
		{"InvokeAsync", "/2014-11-13/functions/f1/invoke-async", "{}", ""},
		{"InvokeWithResponseStream", "/2021-11-15/functions/f1/response-streaming-invocations", "{}", ""},
	}
	for _, c := range cases {
		header := http.Header{}
		if c.invocationType != "" {
			header.Set("X-Amz-Invocation-Type", c.invocationType)
		}
		status, h, body := wireSendHeader(t, srv, "POST", c.path, c.body, "lambda", 0, header)
		t.Run(c.name, func(t *testing.T) {
			wireGolden(t, "invoke-pending.json", status, h, body)
			var got struct {
				Message string `json:"message"`
			}
			_ = json.Unmarshal([]byte(body), &got)
			if got.Message != want {
				t.Errorf("message %q, want %q", got.Message, want)
			}
		})
	}
}

// An update in progress leaves the function invocable ("Troubleshoot invocation issues in
// Lambda": "you can invoke it while the update is pending"), and so does the end of its
// creation.
func TestWireInvokeUpdating(t *testing.T) {
	t.Parallel()
	var offset atomic.Int64
	srv := emulatortest.New(t, func(o *emulator.Options) {
		o.LambdaStateTransition = time.Minute
		o.Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	})
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	wireSend(t, srv, "POST", "/?Action=CreateRole&Version=2010-05-08&RoleName=wire&AssumeRolePolicyDocument="+urlQuery(trust), "", "iam", 200)
	wireSend(t, srv, "POST", "/2015-03-31/functions", createBody("f1", "python3.12", nil), "lambda", 201)
	dryRun := http.Header{"X-Amz-Invocation-Type": {"DryRun"}}
	wireSendHeader(t, srv, "POST", "/2015-03-31/functions/f1/invocations", "{}", "lambda", 409, dryRun)
	offset.Store(int64(2 * time.Minute)) // Active; within SigV4's five minutes of skew
	wireSendHeader(t, srv, "POST", "/2015-03-31/functions/f1/invocations", "{}", "lambda", 204, dryRun)
	_, _, cfg := wireSend(t, srv, "PUT", "/2015-03-31/functions/f1/configuration", `{"Timeout":9}`, "lambda", 200)
	if !strings.Contains(cfg, `"LastUpdateStatus":"InProgress"`) {
		t.Fatalf("the update is not in progress: %s", cfg)
	}
	wireSendHeader(t, srv, "POST", "/2015-03-31/functions/f1/invocations", "{}", "lambda", 204, dryRun)
}
