package integration

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// STS through aws-sdk-go-v2: temporary credentials issued by STS sign later requests.

const stsAllowAll = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:*","Resource":"*"}]}`

// stsFixture is a server with an IAM user bob (allowed sts:*) and a role app that trusts bob.
type stsFixture struct {
	srv     *emulatortest.Server
	admin   *iam.Client
	bob     aws.Config
	bobARN  string
	roleARN string
}

func newSTSFixture(t *testing.T, opts ...func(*emulator.Options)) *stsFixture {
	t.Helper()
	ctx := context.Background()
	srv := emulatortest.New(t, opts...)
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	f := &stsFixture{srv: srv, admin: admin, bob: newUser(t, srv, admin, "bob")}
	putUserPolicy(t, admin, "bob", "sts", stsAllowAll)
	f.bobARN = "arn:aws:iam::" + srv.Root.ID + ":user/bob"
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + f.bobARN + `"},"Action":["sts:AssumeRole","sts:TagSession","sts:SetSourceIdentity"]}]}`
	role, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	f.roleARN = aws.ToString(role.Role.Arn)
	return f
}

func credsConfig(srv *emulatortest.Server, c *ststypes.Credentials) aws.Config {
	return srv.ConfigFor(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

// STS API Reference, AssumeRole: the credentials act as the assumed-role session, and the
// session token is part of them (a wrong one is InvalidClientTokenId).
func TestSTSAssumeRoleCredentialsSignRequests(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newSTSFixture(t)
	out, err := sts.NewFromConfig(f.bob).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(f.roleARN), RoleSessionName: aws.String("ci"), DurationSeconds: aws.Int32(900),
		Tags: []ststypes.Tag{{Key: aws.String("Project"), Value: aws.String("blue")}}, SourceIdentity: aws.String("bob"),
	})
	if err != nil {
		t.Fatal(err)
	}
	acct := f.srv.Root.ID
	if aws.ToString(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+acct+":assumed-role/app/ci" || aws.ToString(out.SourceIdentity) != "bob" ||
		!strings.HasSuffix(aws.ToString(out.AssumedRoleUser.AssumedRoleId), ":ci") || out.PackedPolicySize == nil {
		t.Errorf("AssumeRole output %+v", out.AssumedRoleUser)
	}
	session := sts.NewFromConfig(credsConfig(f.srv, out.Credentials))
	id, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(id.Arn) != "arn:aws:sts::"+acct+":assumed-role/app/ci" || aws.ToString(id.UserId) != aws.ToString(out.AssumedRoleUser.AssumedRoleId) ||
		aws.ToString(id.Account) != acct {
		t.Errorf("GetCallerIdentity %s %s %s", aws.ToString(id.Arn), aws.ToString(id.UserId), aws.ToString(id.Account))
	}
	info, err := sts.NewFromConfig(f.bob).GetAccessKeyInfo(ctx, &sts.GetAccessKeyInfoInput{AccessKeyId: out.Credentials.AccessKeyId})
	if err != nil || aws.ToString(info.Account) != acct {
		t.Errorf("GetAccessKeyInfo %v %v", info, err)
	}
	bad := *out.Credentials
	bad.SessionToken = aws.String(aws.ToString(bad.SessionToken)[:40] + "tampered")
	_, err = sts.NewFromConfig(credsConfig(f.srv, &bad)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assertCode(t, err, "InvalidClientTokenId")

	// Role sessions cannot mint user sessions (STS API Reference, GetSessionToken).
	_, err = session.GetSessionToken(ctx, &sts.GetSessionTokenInput{})
	assertCode(t, err, "AccessDenied")
	role, err := f.admin.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("app")})
	if err != nil {
		t.Fatal(err)
	}
	if role.Role.RoleLastUsed == nil || role.Role.RoleLastUsed.LastUsedDate == nil {
		t.Errorf("RoleLastUsed not recorded: %+v", role.Role.RoleLastUsed)
	}
}

// Requests signed with expired session credentials are refused with ExpiredToken. The
// emulator's clock is moved while staying within the 15 minutes of signature skew that the
// SDK's real-time signing needs.
func TestSTSExpiredSessionCredentials(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	var offset atomic.Int64
	offset.Store(int64(-14 * time.Minute))
	f := newSTSFixture(t, func(o *emulator.Options) {
		o.Clock = func() time.Time { return time.Now().Add(time.Duration(offset.Load())) }
	})
	out, err := sts.NewFromConfig(f.bob).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String(f.roleARN), RoleSessionName: aws.String("short"), DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	session := sts.NewFromConfig(credsConfig(f.srv, out.Credentials))
	if _, err := session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Fatalf("fresh credentials: %v", err)
	}
	offset.Store(int64(2 * time.Minute)) // now past the 15-minute session
	_, err = session.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	assertCode(t, err, "ExpiredToken")
}

// GetSessionToken credentials act as the user; GetFederationToken credentials as a
// federated user (STS API Reference, GetSessionToken and GetFederationToken).
func TestSTSSessionAndFederationTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newSTSFixture(t)
	client := sts.NewFromConfig(f.bob)
	st, err := client.GetSessionToken(ctx, &sts.GetSessionTokenInput{DurationSeconds: aws.Int32(900)})
	if err != nil {
		t.Fatal(err)
	}
	id, err := sts.NewFromConfig(credsConfig(f.srv, st.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != f.bobARN {
		t.Fatalf("GetSessionToken credentials: %v %v", aws.ToString(id.Arn), err)
	}
	ft, err := client.GetFederationToken(ctx, &sts.GetFederationTokenInput{Name: aws.String("carol"), Policy: aws.String(stsAllowAll)})
	if err != nil {
		t.Fatal(err)
	}
	acct := f.srv.Root.ID
	if aws.ToString(ft.FederatedUser.Arn) != "arn:aws:sts::"+acct+":federated-user/carol" || aws.ToString(ft.FederatedUser.FederatedUserId) != acct+":carol" {
		t.Errorf("FederatedUser %+v", ft.FederatedUser)
	}
	id, err = sts.NewFromConfig(credsConfig(f.srv, ft.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+acct+":federated-user/carol" || aws.ToString(id.UserId) != acct+":carol" {
		t.Fatalf("federated GetCallerIdentity: %v %v", id, err)
	}
	_, err = client.DecodeAuthorizationMessage(ctx, &sts.DecodeAuthorizationMessageInput{EncodedMessage: aws.String("not-a-message")})
	assertCode(t, err, "InvalidAuthorizationMessageException")
}

// The GitHub Actions set-up of the IAM User Guide ("Configuring a role for GitHub OIDC
// identity provider"): an IAM OIDC provider for token.actions.githubusercontent.com with
// audience sts.amazonaws.com, and a role whose trust policy checks the repository in sub.
// The SDK sends AssumeRoleWithWebIdentity unsigned.
func TestSTSAssumeRoleWithWebIdentityGitHubActions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emulatortest.New(t)
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	prov, err := admin.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url: aws.String("https://token.actions.githubusercontent.com"), ClientIDList: []string{"sts.amazonaws.com"}})
	if err != nil {
		t.Fatal(err)
	}
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	putIssuerKeys(t, srv, "https://token.actions.githubusercontent.com", key)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + aws.ToString(prov.OpenIDConnectProviderArn) + `"},
	  "Action":"sts:AssumeRoleWithWebIdentity","Condition":{
	  "StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com"},
	  "StringLike":{"token.actions.githubusercontent.com:sub":"repo:octo-org/octo-repo:*"}}}]}`
	role, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("gha"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	anon := srv.ConfigFor("", "", "")
	anon.Credentials = nil
	client := sts.NewFromConfig(anon)
	assume := func(sub string) (*sts.AssumeRoleWithWebIdentityOutput, error) {
		now := time.Now()
		tok := mintRS256(t, key, map[string]any{"iss": "https://token.actions.githubusercontent.com", "aud": "sts.amazonaws.com",
			"sub": sub, "iat": now.Unix(), "nbf": now.Unix(), "exp": now.Add(5 * time.Minute).Unix(), "repository": "octo-org/octo-repo"})
		return client.AssumeRoleWithWebIdentity(ctx, &sts.AssumeRoleWithWebIdentityInput{
			RoleArn: role.Role.Arn, RoleSessionName: aws.String("gh-run"), WebIdentityToken: aws.String(tok)})
	}
	out, err := assume("repo:octo-org/octo-repo:ref:refs/heads/main")
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.Provider) != aws.ToString(prov.OpenIDConnectProviderArn) || aws.ToString(out.Audience) != "sts.amazonaws.com" ||
		aws.ToString(out.SubjectFromWebIdentityToken) != "repo:octo-org/octo-repo:ref:refs/heads/main" {
		t.Errorf("output %s %s %s", aws.ToString(out.Provider), aws.ToString(out.Audience), aws.ToString(out.SubjectFromWebIdentityToken))
	}
	id, err := sts.NewFromConfig(credsConfig(srv, out.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+srv.Root.ID+":assumed-role/gha/gh-run" {
		t.Fatalf("web identity session: %v %v", id, err)
	}
	_, err = assume("repo:someone-else/repo:ref:refs/heads/main")
	assertCode(t, err, "AccessDenied")
}

// putIssuerKeys hands the issuer's JWKS to the emulator (PUT /_iamlocal/oidc-keys), as the
// jwks_uri AWS would fetch.
func putIssuerKeys(t *testing.T, srv *emulatortest.Server, issuer string, key *rsa.PrivateKey) {
	t.Helper()
	set, _ := json.Marshal(map[string]any{"keys": []map[string]string{{"kty": "RSA", "kid": "k1", "alg": "RS256", "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()), "e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes())}}})
	req, _ := http.NewRequest(http.MethodPut, srv.URL+"/_iamlocal/oidc-keys?issuer="+url.QueryEscape(issuer), bytes.NewReader(set))
	req.Header.Set("Content-Type", "application/json")
	resp, body := rawDo(t, req)
	if resp.StatusCode/100 != 2 {
		t.Fatalf("PUT oidc-keys: %d %s", resp.StatusCode, body)
	}
}

func mintRS256(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	t.Helper()
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	signed := enc(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"}) + "." + enc(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + base64.RawURLEncoding.EncodeToString(sig)
}

// AssumeRoleWithSAML through the SDK (sent unsigned): an IdP registered with IAM
// CreateSAMLProvider signs the assertion; the IAM User Guide's "Configure SAML assertions for
// the authentication response" lists the attributes it carries.
func TestSTSAssumeRoleWithSAML(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	srv := emulatortest.New(t)
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "idp"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	entity := "https://idp.example.com/metadata"
	metadata := `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="` + entity + `">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data>
      <ds:X509Certificate>` + base64.StdEncoding.EncodeToString(der) + `</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/sso/post"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`
	prov, err := admin.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Corp"), SAMLMetadataDocument: aws.String(metadata)})
	if err != nil {
		t.Fatal(err)
	}
	provARN := aws.ToString(prov.SAMLProviderArn)
	trust := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + provARN + `"},
	  "Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`
	role, err := admin.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("corp-admin"), AssumeRolePolicyDocument: aws.String(trust)})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	doc := etree.NewDocument()
	if err := doc.ReadFromString(`<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_r1" Version="2.0" IssueInstant="` + now.Format(time.RFC3339) + `" Destination="https://signin.aws.amazon.com/saml">
<saml:Issuer xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion">` + entity + `</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1" Version="2.0" IssueInstant="` + now.Format(time.RFC3339) + `">
<saml:Issuer>` + entity + `</saml:Issuer>
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:transient">_8e8dc5f69a98cc4c1ff3427e5ce34606fd672f91e6</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="` + now.Add(5*time.Minute).Format(time.RFC3339) + `" Recipient="https://signin.aws.amazon.com/saml"/></saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="` + now.Add(-time.Minute).Format(time.RFC3339) + `" NotOnOrAfter="` + now.Add(5*time.Minute).Format(time.RFC3339) + `"><saml:AudienceRestriction><saml:Audience>urn:amazon:webservices</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AttributeStatement>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/Role"><saml:AttributeValue>` + aws.ToString(role.Role.Arn) + `,` + provARN + `</saml:AttributeValue></saml:Attribute>
<saml:Attribute Name="https://aws.amazon.com/SAML/Attributes/RoleSessionName"><saml:AttributeValue>alice@example.com</saml:AttributeValue></saml:Attribute>
</saml:AttributeStatement></saml:Assertion></samlp:Response>`); err != nil {
		t.Fatal(err)
	}
	sc, err := dsig.NewSigningContext(key, [][]byte{der})
	if err != nil {
		t.Fatal(err)
	}
	sc.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	signed, err := sc.SignEnveloped(doc.Root())
	if err != nil {
		t.Fatal(err)
	}
	doc.SetRoot(signed)
	raw, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	anon := srv.ConfigFor("", "", "")
	anon.Credentials = nil
	out, err := sts.NewFromConfig(anon).AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{
		RoleArn: role.Role.Arn, PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(base64.StdEncoding.EncodeToString(raw))})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.SubjectType) != "transient" || aws.ToString(out.Issuer) != entity ||
		aws.ToString(out.Audience) != "https://signin.aws.amazon.com/saml" || aws.ToString(out.NameQualifier) == "" {
		t.Errorf("output %s %s %s %s", aws.ToString(out.SubjectType), aws.ToString(out.Issuer), aws.ToString(out.Audience), aws.ToString(out.NameQualifier))
	}
	id, err := sts.NewFromConfig(credsConfig(srv, out.Credentials)).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil || aws.ToString(id.Arn) != "arn:aws:sts::"+srv.Root.ID+":assumed-role/corp-admin/alice@example.com" {
		t.Fatalf("SAML session: %v %v", id, err)
	}
	// A tampered assertion fails the signature check.
	tampered := strings.Replace(string(raw), "alice@example.com", "mallory@example.com", 1)
	_, err = sts.NewFromConfig(anon).AssumeRoleWithSAML(ctx, &sts.AssumeRoleWithSAMLInput{
		RoleArn: role.Role.Arn, PrincipalArn: aws.String(provARN), SAMLAssertion: aws.String(base64.StdEncoding.EncodeToString([]byte(tampered)))})
	assertCode(t, err, "InvalidIdentityToken")
}
