package integration

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The IAM providers family driven through aws-sdk-go-v2: OpenID Connect and SAML identity
// providers, server certificates, centralized root access of a standalone account, outbound
// web identity federation and the STS global endpoint token preference.

func provClient(t *testing.T) (*iam.Client, string) {
	t.Helper()
	srv := emulatortest.New(t)
	return iam.NewFromConfig(srv.AWSConfig(context.Background())), srv.Root.ID
}

// provErr asserts err is an AWS API error with code (and message, when not empty).
func provErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("error = %s: %s, want %s: %s", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func provOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func provTags(tags []types.Tag) string {
	var out []string
	for _, tg := range tags {
		out = append(out, aws.ToString(tg.Key)+"="+aws.ToString(tg.Value))
	}
	return strings.Join(out, ",")
}

type provCert struct {
	cert            *x509.Certificate
	key             *ecdsa.PrivateKey
	certPEM, keyPEM string
}

func newProvCert(t *testing.T, cn string, isCA bool, parent *provCert) *provCert {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	provOK(t, err)
	serial, err := rand.Int(rand.Reader, big.NewInt(1<<62))
	provOK(t, err)
	tmpl := &x509.Certificate{
		SerialNumber: serial, Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		IsCA: isCA, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	provOK(t, err)
	cert, err := x509.ParseCertificate(der)
	provOK(t, err)
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	provOK(t, err)
	return &provCert{cert: cert, key: key,
		certPEM: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyPEM:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}))}
}

// provMetadata is IdP metadata over the model's 1000-character minimum.
func provMetadata(t *testing.T, entityID string) string {
	cert := newProvCert(t, "idp", false, nil)
	return fmt.Sprintf(`<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="%s">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
        <ds:X509Data><ds:X509Certificate>%s</ds:X509Certificate></ds:X509Data>
      </ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:persistent</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:2.0:nameid-format:transient</md:NameIDFormat>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="%s/sso/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="%s/sso/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>
`, entityID, base64.StdEncoding.EncodeToString(cert.cert.Raw), entityID, entityID)
}

func TestIAMOpenIDConnectProviders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, acct := provClient(t)
	thumb := "9e99a48a9960b14926bb7f3b02e22da2b0ab7280"
	out, err := c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{
		Url:            aws.String("https://token.actions.githubusercontent.com"),
		ClientIDList:   []string{"sts.amazonaws.com"},
		ThumbprintList: []string{thumb},
		Tags:           []types.Tag{{Key: aws.String("team"), Value: aws.String("ci")}, {Key: aws.String("Env"), Value: aws.String("prod")}},
	})
	provOK(t, err)
	arn := "arn:aws:iam::" + acct + ":oidc-provider/token.actions.githubusercontent.com"
	if aws.ToString(out.OpenIDConnectProviderArn) != arn || provTags(out.Tags) != "Env=prod,team=ci" {
		t.Fatalf("create = %s %s", aws.ToString(out.OpenIDConnectProviderArn), provTags(out.Tags))
	}
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("https://token.actions.githubusercontent.com")})
	provErr(t, err, "EntityAlreadyExists", "Provider with url https://token.actions.githubusercontent.com already exists.")
	_, err = c.CreateOpenIDConnectProvider(ctx, &iam.CreateOpenIDConnectProviderInput{Url: aws.String("http://insecure.example.com")})
	var invalid *types.InvalidInputException
	if !errors.As(err, &invalid) {
		t.Fatalf("http URL: %v", err)
	}

	on := aws.String(arn)
	for _, step := range []func() error{
		func() error {
			_, err := c.AddClientIDToOpenIDConnectProvider(ctx, &iam.AddClientIDToOpenIDConnectProviderInput{OpenIDConnectProviderArn: on, ClientID: aws.String("my-app")})
			return err
		},
		func() error {
			_, err := c.RemoveClientIDFromOpenIDConnectProvider(ctx, &iam.RemoveClientIDFromOpenIDConnectProviderInput{OpenIDConnectProviderArn: on, ClientID: aws.String("sts.amazonaws.com")})
			return err
		},
		func() error {
			_, err := c.UpdateOpenIDConnectProviderThumbprint(ctx, &iam.UpdateOpenIDConnectProviderThumbprintInput{OpenIDConnectProviderArn: on, ThumbprintList: []string{thumb, strings.Repeat("b", 40)}})
			return err
		},
		func() error {
			_, err := c.TagOpenIDConnectProvider(ctx, &iam.TagOpenIDConnectProviderInput{OpenIDConnectProviderArn: on, Tags: []types.Tag{{Key: aws.String("owner"), Value: aws.String("me")}}})
			return err
		},
		func() error {
			_, err := c.UntagOpenIDConnectProvider(ctx, &iam.UntagOpenIDConnectProviderInput{OpenIDConnectProviderArn: on, TagKeys: []string{"env"}})
			return err
		},
	} {
		provOK(t, step())
	}
	got, err := c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: on})
	provOK(t, err)
	if aws.ToString(got.Url) != "token.actions.githubusercontent.com" || strings.Join(got.ClientIDList, ",") != "my-app" ||
		len(got.ThumbprintList) != 2 || got.CreateDate == nil || provTags(got.Tags) != "owner=me,team=ci" {
		t.Fatalf("get = %+v", got)
	}
	list, err := c.ListOpenIDConnectProviders(ctx, &iam.ListOpenIDConnectProvidersInput{})
	provOK(t, err)
	if len(list.OpenIDConnectProviderList) != 1 || aws.ToString(list.OpenIDConnectProviderList[0].Arn) != arn {
		t.Fatalf("list = %+v", list.OpenIDConnectProviderList)
	}
	// Tags page with the SDK paginator.
	var tags []types.Tag
	pages := iam.NewListOpenIDConnectProviderTagsPaginator(c, &iam.ListOpenIDConnectProviderTagsInput{OpenIDConnectProviderArn: on, MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		provOK(t, err)
		tags = append(tags, p.Tags...)
	}
	if provTags(tags) != "owner=me,team=ci" {
		t.Fatalf("paged tags = %s", provTags(tags))
	}

	for range 2 { // idempotent
		_, err = c.DeleteOpenIDConnectProvider(ctx, &iam.DeleteOpenIDConnectProviderInput{OpenIDConnectProviderArn: on})
		provOK(t, err)
	}
	_, err = c.GetOpenIDConnectProvider(ctx, &iam.GetOpenIDConnectProviderInput{OpenIDConnectProviderArn: on})
	var missing *types.NoSuchEntityException
	if !errors.As(err, &missing) || aws.ToString(missing.Message) != "OpenIDConnect Provider not found for arn "+arn {
		t.Fatalf("after delete: %v", err)
	}
}

func TestIAMSAMLProviders(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, acct := provClient(t)
	doc := provMetadata(t, "https://idp.example.com/saml")
	out, err := c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{
		Name: aws.String("Okta"), SAMLMetadataDocument: aws.String(doc),
		Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("sso")}},
	})
	provOK(t, err)
	arn := "arn:aws:iam::" + acct + ":saml-provider/Okta"
	if aws.ToString(out.SAMLProviderArn) != arn || provTags(out.Tags) != "team=sso" {
		t.Fatalf("create = %+v", out)
	}
	_, err = c.CreateSAMLProvider(ctx, &iam.CreateSAMLProviderInput{Name: aws.String("Bad"), SAMLMetadataDocument: aws.String(strings.Repeat("x", 1200))})
	provErr(t, err, "InvalidInput", "Could not parse metadata.")

	on := aws.String(arn)
	_, err = c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{
		SAMLProviderArn: on, AddPrivateKey: aws.String(newProvCert(t, "k", false, nil).keyPEM),
		AssertionEncryptionMode: types.AssertionEncryptionModeTypeRequired,
	})
	provOK(t, err)
	got, err := c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: on})
	provOK(t, err)
	if aws.ToString(got.SAMLMetadataDocument) != doc || got.AssertionEncryptionMode != types.AssertionEncryptionModeTypeRequired ||
		len(got.PrivateKeyList) != 1 || len(aws.ToString(got.SAMLProviderUUID)) < 22 ||
		got.ValidUntil == nil || got.CreateDate == nil || got.ValidUntil.Year() != got.CreateDate.Year()+100 {
		t.Fatalf("get = %+v", got)
	}
	_, err = c.UpdateSAMLProvider(ctx, &iam.UpdateSAMLProviderInput{SAMLProviderArn: on, RemovePrivateKey: got.PrivateKeyList[0].KeyId})
	var invalid *types.InvalidInputException
	if !errors.As(err, &invalid) {
		t.Fatalf("removing the last key of a Required provider: %v", err)
	}

	list, err := c.ListSAMLProviders(ctx, &iam.ListSAMLProvidersInput{})
	provOK(t, err)
	if len(list.SAMLProviderList) != 1 || aws.ToString(list.SAMLProviderList[0].Arn) != arn {
		t.Fatalf("list = %+v", list.SAMLProviderList)
	}
	_, err = c.TagSAMLProvider(ctx, &iam.TagSAMLProviderInput{SAMLProviderArn: on, Tags: []types.Tag{{Key: aws.String("Env"), Value: aws.String("prod")}}})
	provOK(t, err)
	_, err = c.UntagSAMLProvider(ctx, &iam.UntagSAMLProviderInput{SAMLProviderArn: on, TagKeys: []string{"TEAM"}})
	provOK(t, err)
	tags, err := c.ListSAMLProviderTags(ctx, &iam.ListSAMLProviderTagsInput{SAMLProviderArn: on})
	provOK(t, err)
	if provTags(tags.Tags) != "Env=prod" || tags.IsTruncated {
		t.Fatalf("tags = %+v", tags)
	}

	_, err = c.DeleteSAMLProvider(ctx, &iam.DeleteSAMLProviderInput{SAMLProviderArn: on})
	provOK(t, err)
	_, err = c.GetSAMLProvider(ctx, &iam.GetSAMLProviderInput{SAMLProviderArn: on})
	provErr(t, err, "NoSuchEntity", "Manifest not found for arn "+arn)
}

func TestIAMServerCertificates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, acct := provClient(t)
	root := newProvCert(t, "root", true, nil)
	inter := newProvCert(t, "intermediate", true, root)
	leaf := newProvCert(t, "www.example.com", false, inter)
	out, err := c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("web"), Path: aws.String("/cloudfront/"),
		CertificateBody: aws.String(leaf.certPEM), PrivateKey: aws.String(leaf.keyPEM),
		CertificateChain: aws.String(inter.certPEM + root.certPEM),
		Tags:             []types.Tag{{Key: aws.String("team"), Value: aws.String("web")}},
	})
	provOK(t, err)
	md := out.ServerCertificateMetadata
	if aws.ToString(md.Arn) != "arn:aws:iam::"+acct+":server-certificate/cloudfront/web" ||
		!strings.HasPrefix(aws.ToString(md.ServerCertificateId), "ASCA") || !md.Expiration.Equal(leaf.cert.NotAfter.Truncate(time.Second)) {
		t.Fatalf("upload = %+v", md)
	}
	other := newProvCert(t, "other", false, nil)
	_, err = c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("mismatch"), CertificateBody: aws.String(leaf.certPEM), PrivateKey: aws.String(other.keyPEM),
	})
	var mismatch *types.KeyPairMismatchException
	if !errors.As(err, &mismatch) {
		t.Fatalf("mismatched key: %v", err)
	}
	_, err = c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("garbage"), CertificateBody: aws.String("not a certificate"), PrivateKey: aws.String(leaf.keyPEM),
	})
	provErr(t, err, "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	_, err = c.UploadServerCertificate(ctx, &iam.UploadServerCertificateInput{
		ServerCertificateName: aws.String("self"), CertificateBody: aws.String(other.certPEM), PrivateKey: aws.String(other.keyPEM),
	})
	provOK(t, err)

	got, err := c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: aws.String("web")})
	provOK(t, err)
	if aws.ToString(got.ServerCertificate.CertificateBody) != leaf.certPEM || provTags(got.ServerCertificate.Tags) != "team=web" {
		t.Fatalf("get = %+v", got.ServerCertificate)
	}
	list, err := c.ListServerCertificates(ctx, &iam.ListServerCertificatesInput{PathPrefix: aws.String("/cloudfront/")})
	provOK(t, err)
	if len(list.ServerCertificateMetadataList) != 1 || aws.ToString(list.ServerCertificateMetadataList[0].ServerCertificateName) != "web" {
		t.Fatalf("list = %+v", list.ServerCertificateMetadataList)
	}
	var names []string
	pages := iam.NewListServerCertificatesPaginator(c, &iam.ListServerCertificatesInput{MaxItems: aws.Int32(1)})
	for pages.HasMorePages() {
		p, err := pages.NextPage(ctx)
		provOK(t, err)
		for _, m := range p.ServerCertificateMetadataList {
			names = append(names, aws.ToString(m.ServerCertificateName))
		}
	}
	if strings.Join(names, ",") != "self,web" {
		t.Fatalf("paged = %v", names)
	}

	_, err = c.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("web"), NewServerCertificateName: aws.String("self")})
	provErr(t, err, "EntityAlreadyExists", "The Server Certificate with name self already exists.")
	_, err = c.UpdateServerCertificate(ctx, &iam.UpdateServerCertificateInput{ServerCertificateName: aws.String("web"), NewServerCertificateName: aws.String("www"), NewPath: aws.String("/")})
	provOK(t, err)
	name := aws.String("www")
	_, err = c.TagServerCertificate(ctx, &iam.TagServerCertificateInput{ServerCertificateName: name, Tags: []types.Tag{{Key: aws.String("Env"), Value: aws.String("prod")}}})
	provOK(t, err)
	_, err = c.UntagServerCertificate(ctx, &iam.UntagServerCertificateInput{ServerCertificateName: name, TagKeys: []string{"team"}})
	provOK(t, err)
	tags, err := c.ListServerCertificateTags(ctx, &iam.ListServerCertificateTagsInput{ServerCertificateName: name})
	provOK(t, err)
	if provTags(tags.Tags) != "Env=prod" {
		t.Fatalf("tags = %+v", tags.Tags)
	}
	_, err = c.DeleteServerCertificate(ctx, &iam.DeleteServerCertificateInput{ServerCertificateName: name})
	provOK(t, err)
	_, err = c.GetServerCertificate(ctx, &iam.GetServerCertificateInput{ServerCertificateName: name})
	provErr(t, err, "NoSuchEntity", "The Server Certificate with name www cannot be found.")
}

// A standalone account is in no AWS Organization (IAM API Reference, ListOrganizationsFeatures).
func TestIAMOrganizationsFeaturesStandalone(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := provClient(t)
	calls := map[string]func() error{
		"ListOrganizationsFeatures": func() error {
			_, err := c.ListOrganizationsFeatures(ctx, &iam.ListOrganizationsFeaturesInput{})
			return err
		},
		"EnableOrganizationsRootCredentialsManagement": func() error {
			_, err := c.EnableOrganizationsRootCredentialsManagement(ctx, &iam.EnableOrganizationsRootCredentialsManagementInput{})
			return err
		},
		"DisableOrganizationsRootCredentialsManagement": func() error {
			_, err := c.DisableOrganizationsRootCredentialsManagement(ctx, &iam.DisableOrganizationsRootCredentialsManagementInput{})
			return err
		},
		"EnableOrganizationsRootSessions": func() error {
			_, err := c.EnableOrganizationsRootSessions(ctx, &iam.EnableOrganizationsRootSessionsInput{})
			return err
		},
		"DisableOrganizationsRootSessions": func() error {
			_, err := c.DisableOrganizationsRootSessions(ctx, &iam.DisableOrganizationsRootSessionsInput{})
			return err
		},
	}
	for name, call := range calls {
		var notFound *types.OrganizationNotFoundException
		if err := call(); !errors.As(err, &notFound) {
			t.Errorf("%s: %v, want OrganizationNotFoundException", name, err)
		}
	}
}

func TestIAMOutboundFederationAndTokenPreference(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _ := provClient(t)
	_, err := c.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	var disabled *types.FeatureDisabledException
	if !errors.As(err, &disabled) {
		t.Fatalf("before enable: %v", err)
	}
	on, err := c.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	provOK(t, err)
	if !regexp.MustCompile(`^https://[0-9a-f-]{36}\.tokens\.sts\.global\.api\.aws$`).MatchString(aws.ToString(on.IssuerIdentifier)) {
		t.Fatalf("issuer = %s", aws.ToString(on.IssuerIdentifier))
	}
	_, err = c.EnableOutboundWebIdentityFederation(ctx, &iam.EnableOutboundWebIdentityFederationInput{})
	var enabled *types.FeatureEnabledException
	if !errors.As(err, &enabled) {
		t.Fatalf("second enable: %v", err)
	}
	info, err := c.GetOutboundWebIdentityFederationInfo(ctx, &iam.GetOutboundWebIdentityFederationInfoInput{})
	provOK(t, err)
	if aws.ToString(info.IssuerIdentifier) != aws.ToString(on.IssuerIdentifier) || !info.JwtVendingEnabled {
		t.Fatalf("info = %+v", info)
	}
	_, err = c.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	provOK(t, err)
	_, err = c.DisableOutboundWebIdentityFederation(ctx, &iam.DisableOutboundWebIdentityFederationInput{})
	if !errors.As(err, &disabled) {
		t.Fatalf("second disable: %v", err)
	}

	summary := func() int32 {
		s, err := c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})
		provOK(t, err)
		return s.SummaryMap["GlobalEndpointTokenVersion"]
	}
	if v := summary(); v != 1 {
		t.Fatalf("default GlobalEndpointTokenVersion = %d", v)
	}
	_, err = c.SetSecurityTokenServicePreferences(ctx, &iam.SetSecurityTokenServicePreferencesInput{GlobalEndpointTokenVersion: types.GlobalEndpointTokenVersionV2Token})
	provOK(t, err)
	if v := summary(); v != 2 {
		t.Fatalf("GlobalEndpointTokenVersion after v2Token = %d", v)
	}
}
