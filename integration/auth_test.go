package integration

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

func rawDo(t *testing.T, req *http.Request) (*http.Response, string) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// Unsigned requests get each protocol's MissingAuthenticationToken form
// (conformance/errors/wire/sts-MissingAuthenticationToken.http; Lambda per brefphp/bref#1250).
func TestUnsignedRequests(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader("Action=GetCallerIdentity&Version=2011-06-15"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	resp, body := rawDo(t, req)
	rid := resp.Header.Get("x-amzn-RequestId")
	want := `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <Error>
    <Type>Sender</Type>
    <Code>MissingAuthenticationToken</Code>
    <Message>Request is missing Authentication Token</Message>
  </Error>
  <RequestId>` + rid + `</RequestId>
</ErrorResponse>
`
	if resp.StatusCode != 403 || body != want || resp.Header.Get("Content-Type") != "text/xml" {
		t.Errorf("STS unsigned: %d %q\n%s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/2015-03-31/functions/", nil)
	resp, body = rawDo(t, req)
	if resp.StatusCode != 403 || body != `{"message":"Missing Authentication Token"}` ||
		resp.Header.Get("x-amzn-ErrorType") != "MissingAuthenticationTokenException" {
		t.Errorf("Lambda unsigned: %d %v %s", resp.StatusCode, resp.Header, body)
	}
}

// Skewed clocks: IAM/STS allow 15 minutes, Lambda 5 (conformance/errors README, timing constants).
func TestClockSkew(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv := emulatortest.New(t, func(o *emulator.Options) { o.Clock = func() time.Time { return now } })
	ctx := context.Background()
	// The SDK signs with the real clock, which is years away from the emulator's: rejected.
	_, err := sts.NewFromConfig(srv.AWSConfig(ctx)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assertCode(t, err, "SignatureDoesNotMatch")
	if !strings.Contains(err.Error(), "Signature not yet current") && !strings.Contains(err.Error(), "Signature expired") {
		t.Errorf("skew message: %v", err)
	}
	_, err = lambda.NewFromConfig(srv.AWSConfig(ctx)).ListFunctions(ctx, &lambda.ListFunctionsInput{})
	assertCode(t, err, "InvalidSignatureException")

	// Signed 10 minutes in the past: fine for STS (15 min), expired for Lambda (5 min).
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: srv.Root.AccessKeyID, SecretAccessKey: srv.Root.SecretAccessKey}
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := signer.SignHTTP(ctx, creds, req, sha256Hex(body), "sts", "us-east-1", now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if resp, b := rawDo(t, req); resp.StatusCode != 200 {
		t.Errorf("STS 10 min skew: %d %s", resp.StatusCode, b)
	}
	req, _ = http.NewRequest("GET", srv.URL+"/2015-03-31/functions/", nil)
	if err := signer.SignHTTP(ctx, creds, req, sha256Hex(""), "lambda", "us-east-1", now.Add(-10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	resp, b := rawDo(t, req)
	want := `{"message":"Signature expired: 20260102T025405Z is now earlier than 20260102T025905Z (20260102T030405Z - 5 min.)"}`
	if resp.StatusCode != 403 || b != want {
		t.Errorf("Lambda 10 min skew: %d %s\nwant %s", resp.StatusCode, b, want)
	}
}

// A presigned GetCallerIdentity URL (as Vault and EKS authenticators use) verifies until it expires.
func TestPresignedGetCallerIdentity(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	presigner := sts.NewPresignClient(sts.NewFromConfig(srv.AWSConfig(ctx)))
	signed, err := presigner.PresignGetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(signed.Method, signed.URL, nil)
	for k, v := range signed.SignedHeader {
		req.Header[k] = v
	}
	resp, body := rawDo(t, req)
	if resp.StatusCode != 200 || !strings.Contains(body, "<Arn>arn:aws:iam::123456789012:root</Arn>") {
		t.Fatalf("presigned: %d %s", resp.StatusCode, body)
	}
	// One changed byte of the signature is refused.
	u, _ := url.Parse(signed.URL)
	q := u.Query()
	sig := q.Get("X-Amz-Signature")
	q.Set("X-Amz-Signature", flipHex(sig))
	u.RawQuery = q.Encode()
	req, _ = http.NewRequest(signed.Method, u.String(), nil)
	for k, v := range signed.SignedHeader {
		req.Header[k] = v
	}
	if resp, body := rawDo(t, req); resp.StatusCode != 403 || !strings.Contains(body, "<Code>SignatureDoesNotMatch</Code>") {
		t.Errorf("tampered presigned: %d %s", resp.StatusCode, body)
	}
}

func TestUnknownActionAndNotImplemented(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	signer := v4.NewSigner()
	creds := aws.Credentials{AccessKeyID: srv.Root.AccessKeyID, SecretAccessKey: srv.Root.SecretAccessKey}
	post := func(body string) (*http.Response, string) {
		req, _ := http.NewRequest("POST", srv.URL+"/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		_ = signer.SignHTTP(ctx, creds, req, sha256Hex(body), "iam", "us-east-1", time.Now())
		return rawDo(t, req)
	}
	resp, body := post("Action=FrobnicateUser&Version=2010-05-08")
	if resp.StatusCode != 400 || !strings.Contains(body, "<Code>InvalidAction</Code>") ||
		!strings.Contains(body, "Could not find operation FrobnicateUser for version 2010-05-08") {
		t.Errorf("unknown action: %d %s", resp.StatusCode, body)
	}
	// A modelled input constraint is checked before the handler: ValidationError as IAM words it
	// since 2025, without the offending value (recorded IAM responses in conformance/errors).
	_, err := iam.NewFromConfig(srv.AWSConfig(ctx)).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("bad name!")})
	assertCode(t, err, "ValidationError")
	if !strings.Contains(err.Error(), "1 validation error detected: Value at 'roleName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]+") {
		t.Errorf("validation message: %v", err)
	}
	// Lambda operations not emulated yet answer 501 NotImplemented naming the operation.
	_, err = lambda.NewFromConfig(srv.AWSConfig(ctx)).ListCapacityProviders(ctx, &lambda.ListCapacityProvidersInput{})
	assertCode(t, err, "NotImplemented")
	if !strings.Contains(err.Error(), "ListCapacityProviders") || !strings.Contains(err.Error(), "501") {
		t.Errorf("not implemented: %v", err)
	}
}

func TestHealthAndReset(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	resp, body := rawDo(t, mustReq(t, "GET", srv.URL+"/_iamlocal/health"))
	if resp.StatusCode != 200 || !strings.Contains(body, `"status":"ok"`) || !strings.Contains(body, `"services":["iam","sts","lambda","logs","cloudwatch","accessanalyzer"]`) {
		t.Errorf("health: %d %s", resp.StatusCode, body)
	}
	for _, path := range []string{"/_iamlocal/reset", "/moto-api/reset"} {
		if resp, body := rawDo(t, mustReq(t, "POST", srv.URL+path)); resp.StatusCode != 200 {
			t.Errorf("%s: %d %s", path, resp.StatusCode, body)
		}
	}
}

func mustReq(t *testing.T, method, u string) *http.Request {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}
