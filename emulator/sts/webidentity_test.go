package sts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"math/big"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

const ghIssuer = "https://token.actions.githubusercontent.com"

var (
	testRSAKey, _ = rsa.GenerateKey(rand.Reader, 2048)
	testECKey, _  = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
)

func testJWKS() []byte {
	set := jwks{Keys: []jwk{
		{Kty: "RSA", Kid: "rsa1", Alg: "RS256", Use: "sig", N: b64url(testRSAKey.N.Bytes()), E: b64url(big.NewInt(int64(testRSAKey.E)).Bytes())},
		{Kty: "EC", Kid: "ec1", Crv: "P-256", X: b64url(testECKey.X.FillBytes(make([]byte, 32))), Y: b64url(testECKey.Y.FillBytes(make([]byte, 32)))},
	}}
	b, _ := json.Marshal(set)
	return b
}

// ghClaims are the claims of a GitHub Actions OIDC token (GitHub docs, "About security
// hardening with OpenID Connect").
func ghClaims(mod func(map[string]any)) map[string]any {
	c := map[string]any{
		"iss": ghIssuer, "aud": "sts.amazonaws.com", "sub": "repo:octo-org/octo-repo:ref:refs/heads/main",
		"iat": testNow.Unix() - 60, "nbf": testNow.Unix() - 60, "exp": testNow.Unix() + 300,
		"repository": "octo-org/octo-repo",
	}
	if mod != nil {
		mod(c)
	}
	return c
}

func mint(t *testing.T, alg, kid string, claims map[string]any) string {
	t.Helper()
	var key crypto.Signer = testRSAKey
	if strings.HasPrefix(alg, "ES") {
		key = testECKey
	}
	tok, err := signJWT(jwtHeader{Alg: alg, Kid: kid, Typ: "JWT"}, claims, key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

const ghTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow",
 "Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
 "Action":["sts:AssumeRoleWithWebIdentity","sts:TagSession"],
 "Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
  "StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}}]}`

func webIdentityFixture(t *testing.T, withKeys bool) (*Service, *storage.DB) {
	t.Helper()
	s, db := newTestService(t)
	putRole(t, db, acct, storage.RoleRecord{Name: "deploy", TrustPolicy: ghTrust})
	if err := db.Update(acct, func(tx *storage.Tx) error {
		return storage.OIDCProviders(tx).Put("token.actions.githubusercontent.com", storage.OIDCProviderRecord{
			V: 1, URL: "token.actions.githubusercontent.com", ARN: "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com",
			ClientIDs: []string{"sts.amazonaws.com"}})
	}); err != nil {
		t.Fatal(err)
	}
	if withKeys {
		if err := s.SetIssuerKeys(ghIssuer, testJWKS()); err != nil {
			t.Fatal(err)
		}
	}
	return s, db
}

func webIn(token string) *stsapi.AssumeRoleWithWebIdentityRequest {
	return &stsapi.AssumeRoleWithWebIdentityRequest{RoleArn: protocol.Ptr("arn:aws:iam::" + acct + ":role/deploy"),
		RoleSessionName: protocol.Ptr("gh-run-1"), WebIdentityToken: protocol.Ptr(token)}
}

// AssumeRoleWithWebIdentity with a GitHub Actions token, as the IAM User Guide's "Configuring
// a role for GitHub OIDC identity provider" sets it up.
func TestAssumeRoleWithWebIdentity(t *testing.T) {
	t.Parallel()
	s, db := webIdentityFixture(t, true)
	for _, alg := range []struct{ alg, kid string }{{"RS256", "rsa1"}, {"ES256", "ec1"}, {"RS256", ""}} {
		tok := mint(t, alg.alg, alg.kid, ghClaims(func(c map[string]any) {
			c[claimTagsName] = map[string]any{"principal_tags": map[string]any{"Repo": []any{"octo-repo"}}, "transitive_tag_keys": []any{"Repo"}}
		}))
		out, err := s.AssumeRoleWithWebIdentity(ctxAs(reqctx.Caller{}), webIn(tok))
		if err != nil {
			t.Fatalf("%s: %v", alg.alg, err)
		}
		if protocol.Val(out.Provider) != "arn:aws:iam::"+acct+":oidc-provider/token.actions.githubusercontent.com" ||
			protocol.Val(out.Audience) != "sts.amazonaws.com" ||
			protocol.Val(out.SubjectFromWebIdentityToken) != "repo:octo-org/octo-repo:ref:refs/heads/main" ||
			protocol.Val(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+acct+":assumed-role/deploy/gh-run-1" {
			t.Errorf("response %+v %+v", out, out.AssumedRoleUser)
		}
		rec := getSession(t, db, protocol.Val(out.Credentials.AccessKeyId))
		if rec.Type != "AssumedRole" || rec.Provider != protocol.Val(out.Provider) || rec.Tags["Repo"] != "octo-repo" ||
			len(rec.Transitive) != 1 || !rec.Expiration.Equal(testNow.Add(defaultRoleSession)) {
			t.Errorf("record %+v", rec)
		}
	}
}

func TestAssumeRoleWithWebIdentityErrors(t *testing.T) {
	t.Parallel()
	exp := testNow.Unix() - 1
	tests := []struct {
		name     string
		noKeys   bool
		token    func(t *testing.T) string
		roleARN  string
		code     string
		message  string
		duration int32
	}{
		{name: "not a JWT", token: func(*testing.T) string { return "opaque-access-token" }, code: "InvalidIdentityToken",
			message: "The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)"},
		{name: "unknown issuer", token: func(t *testing.T) string {
			return mint(t, "RS256", "rsa1", ghClaims(func(c map[string]any) { c["iss"] = "https://idp.example.com" }))
		}, code: "InvalidIdentityToken", message: "No OpenIDConnect provider found in your account for https://idp.example.com"},
		{name: "wrong audience", token: func(t *testing.T) string {
			return mint(t, "RS256", "rsa1", ghClaims(func(c map[string]any) { c["aud"] = "sigstore" }))
		}, code: "InvalidIdentityToken", message: "Incorrect token audience"},
		{name: "no audience", token: func(t *testing.T) string {
			return mint(t, "RS256", "rsa1", ghClaims(func(c map[string]any) { delete(c, "aud") }))
		}, code: "InvalidIdentityToken", message: "Missing a required claim: aud"},
		{name: "expired", token: func(t *testing.T) string {
			return mint(t, "RS256", "rsa1", ghClaims(func(c map[string]any) { c["exp"] = exp }))
		}, code: "ExpiredTokenException", message: "Token expired: current date/time 1772600767 must be before the expiration date/time 1772600766"},
		{name: "no keys supplied", noKeys: true, token: func(t *testing.T) string { return mint(t, "RS256", "rsa1", ghClaims(nil)) },
			code: "InvalidIdentityToken"},
		{name: "bad signature", token: func(t *testing.T) string {
			tok := mint(t, "RS256", "rsa1", ghClaims(nil))
			return tok[:len(tok)-4] + "AAAA"
		}, code: "InvalidIdentityToken"},
		{name: "unknown kid", token: func(t *testing.T) string { return mint(t, "RS256", "other", ghClaims(nil)) }, code: "InvalidIdentityToken"},
		{name: "trust policy: other repository", token: func(t *testing.T) string {
			return mint(t, "RS256", "rsa1", ghClaims(func(c map[string]any) { c["sub"] = "repo:evil/repo:ref:refs/heads/main" }))
		}, code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{name: "missing role", roleARN: "arn:aws:iam::" + acct + ":role/nope", token: func(t *testing.T) string { return mint(t, "RS256", "rsa1", ghClaims(nil)) },
			code: "AccessDenied", message: "Not authorized to perform sts:AssumeRoleWithWebIdentity"},
		{name: "over MaxSessionDuration", duration: 7200, token: func(t *testing.T) string { return mint(t, "RS256", "rsa1", ghClaims(nil)) },
			code: "ValidationError", message: "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, _ := webIdentityFixture(t, !tc.noKeys)
			in := webIn(tc.token(t))
			if tc.roleARN != "" {
				in.RoleArn = protocol.Ptr(tc.roleARN)
			}
			if tc.duration != 0 {
				in.DurationSeconds = protocol.Ptr(tc.duration)
			}
			_, err := s.AssumeRoleWithWebIdentity(ctxAs(reqctx.Caller{}), in)
			wantCode(t, err, tc.code, tc.message)
		})
	}
}

func TestSetIssuerKeysRejectsBadSets(t *testing.T) {
	t.Parallel()
	s, _ := newTestService(t)
	for _, doc := range []string{``, `{}`, `{"keys":[]}`, `{"keys":[{"kty":"oct","k":"AA"}]}`, `{"keys":[{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}]}`} {
		if err := s.SetIssuerKeys(ghIssuer, []byte(doc)); err == nil {
			t.Errorf("accepted %q", doc)
		}
	}
}
