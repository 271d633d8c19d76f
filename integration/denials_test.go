package integration

import (
	"context"
	"flag"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with testdata/golden/name, after replacing the request id and the
// randomly generated user key id, which differ per run.
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`).ReplaceAllString(got, "REQUEST-ID")
	path := filepath.Join("testdata", "golden", name)
	if *update {
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

// signedRaw sends a request signed with creds and returns status, headers and body bytes.
func signedRaw(t *testing.T, creds aws.Credentials, method, url, service, body string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, sha256Hex(body), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	return rawDo(t, req)
}

// The exact bytes of a denial in each protocol: IAM/STS answer 403 <ErrorResponse> with code
// AccessDenied; Lambda answers 403 with x-amzn-ErrorType AccessDeniedException and a
// {"Message": ...} body (conformance/errors README: IAM, STS and Lambda AccessDenied rows).
func TestDenialWireBytes(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	cfg := newUser(t, srv, admin, "hal")
	creds, _ := cfg.Credentials.Retrieve(ctx)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
	role := createRole(t, admin, "locked", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)

	resp, body := signedRaw(t, creds, "POST", srv.URL+"/", "iam", "Action=GetRole&Version=2010-05-08&RoleName=locked", form)
	if resp.StatusCode != 403 || resp.Header.Get("Content-Type") != "text/xml" {
		t.Errorf("IAM denial: %d %v", resp.StatusCode, resp.Header)
	}
	golden(t, "iam-GetRole-AccessDenied.xml", body)

	resp, body = signedRaw(t, creds, "POST", srv.URL+"/", "sts",
		"Action=AssumeRole&Version=2011-06-15&RoleSessionName=s1&RoleArn="+role, form)
	if resp.StatusCode != 403 {
		t.Errorf("STS denial: %d", resp.StatusCode)
	}
	golden(t, "sts-AssumeRole-AccessDenied.xml", body)

	resp, body = signedRaw(t, creds, "GET", srv.URL+"/2015-03-31/functions/my-fn?Qualifier=live", "lambda", "", nil)
	if resp.StatusCode != 403 || resp.Header.Get("x-amzn-ErrorType") != "AccessDeniedException" || resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Lambda denial: %d %v", resp.StatusCode, resp.Header)
	}
	golden(t, "lambda-GetFunction-AccessDenied.json", body)
}

// AWSLambda_FullAccess lets a user create functions with any role because its PassRole grant
// is conditioned on iam:PassedToService = lambda.amazonaws.com; without PassRole the call is
// denied on the role ("Identity-based IAM policies for Lambda", "Granting a user permissions
// to pass a role"). Past authorization the call reaches the Lambda service.
func TestCreateFunctionNeedsPassRole(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	create := func(cfg aws.Config) error {
		_, err := lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("fn"),
			Role: aws.String(role), Runtime: "python3.12", Handler: aws.String("app.handler"),
			Code: &lambdaTypesFunctionCode})
		return err
	}
	onlyCreate := newUser(t, srv, admin, "ivy")
	putUserPolicy(t, admin, "ivy", "create", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:CreateFunction","Resource":"*"}]}`)
	assertDenied(t, create(onlyCreate), "AccessDeniedException",
		"User: arn:aws:iam::123456789012:user/ivy is not authorized to perform: iam:PassRole on resource: "+role+" because no identity-based policy allows the iam:PassRole action")

	full := newUser(t, srv, admin, "jay")
	if _, err := admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("jay"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSLambda_FullAccess")}); err != nil {
		t.Fatal(err)
	}
	if err := create(full); err != nil && strings.Contains(err.Error(), "AccessDenied") {
		t.Fatalf("AWSLambda_FullAccess was denied: %v", err)
	}
	ds := srv.Decisions()
	var passRole bool
	for _, d := range ds {
		passRole = passRole || (d.Action == "iam:PassRole" && d.Principal == "arn:aws:iam::123456789012:user/jay" && d.Decision == "Allow")
	}
	if !passRole {
		t.Error("no allowed iam:PassRole decision recorded for jay")
	}
}

// boto3 sees the same denials (code, status and message) as the Go SDK.
func TestBoto3SeesDenials(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	cfg := newUser(t, srv, admin, "kim")
	creds, _ := cfg.Credentials.Retrieve(ctx)
	putUserPolicy(t, admin, "kim", "list", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"}]}`)
	out := runBoto3(t, srv, creds.AccessKeyID, creds.SecretAccessKey, `
import boto3, botocore
iam = boto3.client("iam")
print(len(iam.list_users()["Users"]))
for call in (lambda: iam.list_roles(), lambda: boto3.client("lambda").list_functions()):
    try:
        call()
    except botocore.exceptions.ClientError as e:
        print(e.response["Error"]["Code"], e.response["ResponseMetadata"]["HTTPStatusCode"], e.response["Error"]["Message"])
print(boto3.client("sts").get_caller_identity()["Arn"])
`)
	want := strings.Join([]string{"1",
		"AccessDenied 403 User: arn:aws:iam::123456789012:user/kim is not authorized to perform: iam:ListRoles on resource: arn:aws:iam::123456789012:role/ because no identity-based policy allows the iam:ListRoles action",
		"AccessDeniedException 403 User: arn:aws:iam::123456789012:user/kim is not authorized to perform: lambda:ListFunctions on resource: * because no identity-based policy allows the lambda:ListFunctions action",
		"arn:aws:iam::123456789012:user/kim"}, "\n")
	if out != want {
		t.Errorf("boto3:\n%s\nwant:\n%s", out, want)
	}
}
