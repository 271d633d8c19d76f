package iam

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Helpers shared by the tests of the providers family (OIDC, SAML, server certificates,
// organizations, outbound federation). Their names carry "fed" so they do not clash with
// the other families' helpers in this package.

const fedAccount = "123456789012"

var fedNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// fedService returns a service on a fresh database and a root caller's context.
func fedService(t *testing.T) (*Service, context.Context) {
	t.Helper()
	s := New(Options{DB: storagetest.Open(t), IDs: ids.Generator{Src: ids.NewSeeded(1)}})
	return s, fedCtx(fedAccount)
}

func fedCtx(acct string) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{
		Now:    fedNow,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: acct, ARN: "arn:aws:iam::" + acct + ":root"},
	})
}

// fedCode asserts err is an AWS error with code (and, if msg is not empty, that message).
func fedCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%s), want %s", e.Code, e.Message, code)
	}
	if msg != "" && e.Message != msg {
		t.Fatalf("message = %q, want %q", e.Message, msg)
	}
}

func asAWSError(err error) (*awserr.Error, bool) { return awserr.As(err) }

func fedOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func fedTags(kv ...string) []iamapi.Tag {
	var out []iamapi.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, iamapi.Tag{Key: protocol.Ptr(kv[i]), Value: protocol.Ptr(kv[i+1])})
	}
	return out
}

func fedTagString(tags []iamapi.Tag) string {
	var parts []string
	for _, t := range tags {
		parts = append(parts, protocol.Val(t.Key)+"="+protocol.Val(t.Value))
	}
	return strings.Join(parts, ",")
}

// fedCert is a certificate with its key, in PEM.
type fedCert struct {
	cert    *x509.Certificate
	key     *ecdsa.PrivateKey
	certPEM string
	keyPEM  string
}

// newFedCert makes a certificate valid until notAfter, signed by parent (self-signed if nil).
func newFedCert(t *testing.T, cn string, isCA bool, parent *fedCert, notAfter time.Time) *fedCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	fedOK(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	fedOK(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: fedNow.Add(-time.Hour), NotAfter: notAfter,
		IsCA: isCA, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	fedOK(t, err)
	cert, err := x509.ParseCertificate(der)
	fedOK(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	fedOK(t, err)
	return &fedCert{
		cert: cert, key: key,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})),
	}
}

// fedMetadata is an IdP metadata document (over the model's 1000-character minimum) for
// entityID, signed by cert, with a validUntil attribute when validUntil is not empty.
func fedMetadata(t *testing.T, entityID, validUntil string) string {
	t.Helper()
	cert := newFedCert(t, "idp", false, nil, fedNow.AddDate(1, 0, 0))
	attr := ""
	if validUntil != "" {
		attr = fmt.Sprintf(` validUntil="%s"`, validUntil)
	}
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s"%s>
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s/sso/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`, entityID, attr, base64.StdEncoding.EncodeToString(cert.cert.Raw), entityID, entityID)
}

func TestSetSecurityTokenServicePreferences(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	version := func() int32 {
		var v int32
		fedOK(t, s.view(ctx, func(tx *storage.Tx) error { v = globalEndpointTokenVersion(tx); return nil }))
		return v
	}
	if got := version(); got != 1 {
		t.Fatalf("default GlobalEndpointTokenVersion = %d, want 1", got)
	}
	for _, tc := range []struct {
		in   string
		want int32
	}{{"v2Token", 2}, {"v1Token", 1}, {"v2Token", 2}} {
		_, err := s.SetSecurityTokenServicePreferences(ctx, &iamapi.SetSecurityTokenServicePreferencesRequest{GlobalEndpointTokenVersion: protocol.Ptr(tc.in)})
		fedOK(t, err)
		if got := version(); got != tc.want {
			t.Fatalf("after %s: version = %d, want %d", tc.in, got, tc.want)
		}
	}
	// The preference is per account.
	other := fedCtx("210987654321")
	fedOK(t, s.view(other, func(tx *storage.Tx) error {
		if v := globalEndpointTokenVersion(tx); v != 1 {
			t.Errorf("other account's version = %d, want 1", v)
		}
		return nil
	}))
}

func TestTagsMerge(t *testing.T) {
	t.Parallel()
	existing := []storage.Tag{{Key: "Env", Value: "dev"}, {Key: "team", Value: "a"}}
	tests := []struct {
		name string
		add  []iamapi.Tag
		want string
		code string
	}{
		{"new key, sorted by key", fedTags("cost", "1"), "cost=1,Env=dev,team=a", ""},
		{"same key in another case replaces", fedTags("TEAM", "b"), "Env=dev,TEAM=b", ""},
		{"empty value", fedTags("x", ""), "Env=dev,team=a,x=", ""},
		{"duplicate keys in one request", fedTags("k", "1", "K", "2"), "", "InvalidInput"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := userTagRules.merge(existing, tc.add)
			if tc.code != "" {
				fedCode(t, err, tc.code, "")
				return
			}
			fedOK(t, err)
			if s := fedTagString(tagsToAPI(got)); s != tc.want {
				t.Fatalf("tags = %s, want %s", s, tc.want)
			}
		})
	}
	// 50 tags is the quota (IAM User Guide, "Tagging IAM resources").
	var many []iamapi.Tag
	for i := range 49 {
		many = append(many, fedTags(fmt.Sprintf("k%02d", i), "v")...)
	}
	_, err := userTagRules.merge(existing[:1], many)
	fedOK(t, err)
	_, err = userTagRules.merge(existing, many)
	fedCode(t, err, "LimitExceeded", "")

	if got := fedTagString(tagsToAPI(userTagRules.remove(existing, []string{"ENV", "absent"}))); got != "team=a" {
		t.Fatalf("after untag: %s", got)
	}
	if len(existing) != 2 {
		t.Fatal("remove changed its input")
	}
}

func TestArnResource(t *testing.T) {
	t.Parallel()
	tests := []struct {
		arn, kind, rest string
		found           bool
		code            string
	}{
		{"arn:aws:iam::123456789012:oidc-provider/example.com/a", "oidc-provider", "example.com/a", true, ""},
		{"arn:aws:iam::123456789012:saml-provider/Okta", "saml-provider", "Okta", true, ""},
		{"arn:aws:iam::210987654321:saml-provider/Okta", "saml-provider", "", false, ""},
		{"arn:aws:iam::123456789012:role/Okta", "saml-provider", "", false, ""},
		{"arn:aws:sts::123456789012:saml-provider/Okta", "saml-provider", "", false, ""},
		{"arn:aws:iam::123456789012:saml-provider/", "saml-provider", "", false, ""},
		{"not-an-arn-at-all-here", "saml-provider", "", false, "ValidationError"},
	}
	for _, tc := range tests {
		rest, found, err := arnResource(tc.arn, fedAccount, tc.kind)
		if tc.code != "" {
			fedCode(t, err, tc.code, "Invalid ARN:  Could not be parsed!")
			continue
		}
		fedOK(t, err)
		if rest != tc.rest || found != tc.found {
			t.Errorf("%s: got %q %v, want %q %v", tc.arn, rest, found, tc.rest, tc.found)
		}
	}
}
