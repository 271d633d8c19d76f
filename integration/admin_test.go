package integration

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
	"github.com/iamlocal/iamlocal/ids"
)

// adminReq builds an admin request; body may be "".
func adminReq(t *testing.T, method, u, body string, headers map[string]string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range headers {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return req
}

// signV4 signs req with SigV4 for the given credentials, service and region.
func signV4(t *testing.T, req *http.Request, body, key, secret, service, region string) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	creds := aws.Credentials{AccessKeyID: key, SecretAccessKey: secret}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, region, time.Now()); err != nil {
		t.Fatal(err)
	}
}

// assertAdminAnswer checks an admin answer: the status, a JSON body, and no CORS header.
func assertAdminAnswer(t *testing.T, resp *http.Response, body string, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Errorf("status = %d %s, want %d", resp.StatusCode, body, status)
	}
	for name := range resp.Header {
		if strings.HasPrefix(strings.ToLower(name), "access-control-") {
			t.Errorf("CORS header %s: %s sent", name, resp.Header.Get(name))
		}
	}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && !json.Valid([]byte(body)) {
		t.Errorf("body is not JSON: %q", body)
	}
}

func userExists(t *testing.T, admin *iam.Client, name string) bool {
	t.Helper()
	_, err := admin.GetUser(context.Background(), &iam.GetUserInput{UserName: aws.String(name)})
	return err == nil
}

// No web page a developer visits can drive the admin endpoints of a loopback server: a
// state-changing request a browser sends for another origin (its Origin, its Sec-Fetch-Site),
// a preflight, or a request to a name rebound to 127.0.0.1 is refused with 403 and a JSON
// error, and no answer carries a CORS header. Scripts (no Origin, no Sec-Fetch-*) and pages
// of the server's own origin keep working.
func TestAdminRefusesWebPages(t *testing.T) {
	t.Parallel()
	cross := map[string]string{"Origin": "https://evil.example"}
	cases := []struct {
		name, method, path, body string
		headers                  map[string]string
		status                   int
		resets                   bool // the request wipes the accounts
	}{
		{name: "script reset", method: "POST", path: "/_iamlocal/reset", status: 200, resets: true},
		{name: "script moto reset", method: "POST", path: "/moto-api/reset", status: 200, resets: true},
		{name: "same-origin page", method: "POST", path: "/_iamlocal/reset", headers: map[string]string{"Origin": "SELF", "Sec-Fetch-Site": "same-origin"}, status: 200, resets: true},
		{name: "cross-origin fetch", method: "POST", path: "/_iamlocal/reset", headers: cross, status: 403},
		{name: "cross-origin moto reset", method: "POST", path: "/moto-api/reset", headers: cross, status: 403},
		{name: "sandboxed frame", method: "POST", path: "/_iamlocal/reset", headers: map[string]string{"Origin": "null"}, status: 403},
		{name: "form post without Origin", method: "POST", path: "/moto-api/reset", body: "a=b",
			headers: map[string]string{"Content-Type": "application/x-www-form-urlencoded", "Sec-Fetch-Site": "cross-site"}, status: 403},
		{name: "text/plain post from a sibling site", method: "POST", path: "/_iamlocal/reset", body: "x",
			headers: map[string]string{"Content-Type": "text/plain", "Sec-Fetch-Site": "same-site"}, status: 403},
		{name: "cross-origin OIDC keys", method: "PUT", path: "/_iamlocal/oidc-keys?issuer=https%3A%2F%2Fevil.example", body: `{"keys":[]}`, headers: cross, status: 403},
		{name: "cross-origin DELETE of any admin path", method: "DELETE", path: "/_iamlocal/anything", headers: map[string]string{"Sec-Fetch-Site": "cross-site"}, status: 403},
		{name: "preflight", method: "OPTIONS", path: "/_iamlocal/reset",
			headers: map[string]string{"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}, status: 403},
		{name: "DNS rebinding reset", method: "POST", path: "/_iamlocal/reset", headers: map[string]string{"Host": "evil.example", "Origin": "http://evil.example"}, status: 403},
		{name: "DNS rebinding decision log", method: "GET", path: "/_iamlocal/decisions", headers: map[string]string{"Host": "evil.example"}, status: 403},
		{name: "health from any page", method: "GET", path: "/_iamlocal/health", headers: cross, status: 200},
		{name: "unknown admin path", method: "GET", path: "/_iamlocal/nothing-here", status: 404},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t)
			admin := iam.NewFromConfig(srv.AWSConfig(context.Background()))
			newUser(t, srv, admin, "survivor")
			headers := map[string]string{}
			for k, v := range tc.headers {
				headers[k] = strings.ReplaceAll(v, "SELF", srv.URL)
			}
			resp, body := rawDo(t, adminReq(t, tc.method, srv.URL+tc.path, tc.body, headers))
			assertAdminAnswer(t, resp, body, tc.status)
			if got := !userExists(t, admin, "survivor"); got != tc.resets {
				t.Errorf("accounts wiped = %v, want %v", got, tc.resets)
			}
		})
	}
}

// A server listening beyond loopback (AdminAuthenticated) serves its admin endpoints only to
// requests signed with an account's root credentials (SigV4 under any service name and
// region) or carrying the admin token; health and the outbound JWKS stay open.
func TestAdminOffLoopbackNeedsRootOrToken(t *testing.T) {
	t.Parallel()
	const token = "t0ken-for-tests"
	jwks := testJWKS(t)
	type signer func(t *testing.T, req *http.Request, body string, srv *emulatortest.Server, user [2]string)
	root := func(service, region string) signer {
		return func(t *testing.T, req *http.Request, body string, srv *emulatortest.Server, _ [2]string) {
			signV4(t, req, body, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, service, region)
		}
	}
	header := func(k, v string) signer {
		return func(_ *testing.T, req *http.Request, _ string, _ *emulatortest.Server, _ [2]string) {
			req.Header.Set(k, v)
		}
	}
	asUser := func(t *testing.T, req *http.Request, body string, _ *emulatortest.Server, user [2]string) {
		signV4(t, req, body, user[0], user[1], "iamlocal", "us-east-1")
	}
	badSecret := func(t *testing.T, req *http.Request, body string, srv *emulatortest.Server, _ [2]string) {
		signV4(t, req, body, srv.Root.AccessKeyID, "not-the-secret", "iamlocal", "us-east-1")
	}
	cases := []struct {
		name, method, path, body string
		sign                     signer // nil: unsigned
		status                   int
	}{
		{name: "health", method: "GET", path: "/_iamlocal/health", status: 200},
		{name: "outbound JWKS", method: "GET", path: "/_iamlocal/outbound-jwks/123456789012", status: 200},
		{name: "unsigned reset", method: "POST", path: "/_iamlocal/reset", status: 401},
		{name: "unsigned moto reset", method: "POST", path: "/moto-api/reset", status: 401},
		{name: "unsigned decision log", method: "GET", path: "/_iamlocal/decisions", status: 401},
		{name: "unsigned OIDC keys", method: "PUT", path: "/_iamlocal/oidc-keys?issuer=https%3A%2F%2Fidp.example", body: jwks, status: 401},
		{name: "bearer token", method: "POST", path: "/_iamlocal/reset", sign: header("Authorization", "Bearer "+token), status: 200},
		{name: "token header", method: "GET", path: "/_iamlocal/decisions", sign: header("X-Iamlocal-Admin-Token", token), status: 200},
		{name: "wrong bearer token", method: "POST", path: "/_iamlocal/reset", sign: header("Authorization", "Bearer nope"), status: 403},
		{name: "wrong token header", method: "POST", path: "/_iamlocal/reset", sign: header("X-Iamlocal-Admin-Token", "nope"), status: 401},
		{name: "root signature", method: "POST", path: "/_iamlocal/reset", sign: root("iamlocal", "us-east-1"), status: 200},
		{name: "root signature, any service and region", method: "GET", path: "/_iamlocal/decisions", sign: root("execute-api", "eu-west-3"), status: 200},
		{name: "root signature over a body", method: "PUT", path: "/_iamlocal/oidc-keys?issuer=https%3A%2F%2Fidp.example", body: jwks, sign: root("iamlocal", "us-east-1"), status: 200},
		{name: "administrator user's signature", method: "POST", path: "/_iamlocal/reset", sign: asUser, status: 403},
		{name: "root key with a wrong secret", method: "POST", path: "/_iamlocal/reset", sign: badSecret, status: 403},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := emulatortest.New(t, func(o *emulator.Options) { o.AdminAccess, o.AdminToken = emulator.AdminAuthenticated, token })
			admin := iam.NewFromConfig(srv.AWSConfig(context.Background()))
			key := adminUserKey(t, admin)
			req := adminReq(t, tc.method, srv.URL+tc.path, tc.body, nil)
			if tc.sign != nil {
				tc.sign(t, req, tc.body, srv, key)
			}
			resp, body := rawDo(t, req)
			assertAdminAnswer(t, resp, body, tc.status)
		})
	}
}

// testJWKS is a JWKS document of one fresh RSA key.
func testJWKS(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	set, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())}}})
	return string(set)
}

// adminUserKey creates an IAM user allowed everything and returns its access key.
func adminUserKey(t *testing.T, admin *iam.Client) [2]string {
	t.Helper()
	ctx := context.Background()
	if _, err := admin.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("administrator")}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("administrator"),
		PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	key, err := admin.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("administrator")})
	if err != nil {
		t.Fatal(err)
	}
	return [2]string{aws.ToString(key.AccessKey.AccessKeyId), aws.ToString(key.AccessKey.SecretAccessKey)}
}

// Without a configured token a server beyond loopback makes one from its ids source; a
// loopback server has none.
func TestAdminTokenGenerated(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t, func(o *emulator.Options) { o.AdminAccess, o.IDs = emulator.AdminAuthenticated, ids.NewSeeded(7) })
	tok := srv.AdminToken()
	if len(tok) != 48 || strings.Trim(tok, "0123456789abcdef") != "" {
		t.Fatalf("generated token %q", tok)
	}
	resp, body := rawDo(t, adminReq(t, "POST", srv.URL+"/_iamlocal/reset", "", map[string]string{"Authorization": "Bearer " + tok}))
	assertAdminAnswer(t, resp, body, 200)
	if tok := emulatortest.New(t).AdminToken(); tok != "" {
		t.Errorf("loopback server token %q", tok)
	}
}

// GetFunction's Code.Location carries a token only the answer knows: the zip's SHA-256 (which
// GetFunctionConfiguration gives away) is not enough to download it. Off loopback the
// download also needs the admin token or a root signature.
func TestCodeLocationCarriesToken(t *testing.T) {
	t.Parallel()
	for _, access := range []emulator.AdminAccess{emulator.AdminLoopback, emulator.AdminAuthenticated} {
		srv := emulatortest.New(t, func(o *emulator.Options) { o.AdminAccess, o.AdminToken = access, "code-token" })
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
		loc, err := url.Parse(aws.ToString(out.Code.Location))
		if err != nil {
			t.Fatal(err)
		}
		sha := sha256.Sum256(code)
		parts := strings.Split(loc.Path, "/")
		if tok := parts[len(parts)-1]; len(tok) != 32 || tok == hex.EncodeToString(sha[:]) || parts[len(parts)-2] != hex.EncodeToString(sha[:]) {
			t.Fatalf("Code.Location path %s: want .../<sha256>/<token>", loc.Path)
		}
		auth := map[string]string{}
		if access == emulator.AdminAuthenticated {
			auth["X-Iamlocal-Admin-Token"] = "code-token"
			resp, body := rawDo(t, adminReq(t, "GET", loc.String(), "", nil))
			assertAdminAnswer(t, resp, body, 401)
		}
		guessed := strings.TrimSuffix(loc.String(), "/"+parts[len(parts)-1])
		for _, u := range []string{guessed, guessed + "/" + strings.Repeat("0", 32), guessed + "/" + hex.EncodeToString(sha[:16])} {
			resp, body := rawDo(t, adminReq(t, "GET", u, "", auth))
			assertAdminAnswer(t, resp, body, 404)
		}
		resp, body := rawDo(t, adminReq(t, "GET", loc.String(), "", auth))
		if resp.StatusCode != 200 || body != string(code) {
			t.Fatalf("download with the token: %d, %d bytes", resp.StatusCode, len(body))
		}
	}
}
