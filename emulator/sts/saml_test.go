package sts

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/beevik/etree"
	dsig "github.com/russellhaering/goxmldsig"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

const (
	idpEntity   = "https://idp.example.com/saml"
	samlRoleARN = "arn:aws:iam::" + acct + ":role/saml-admin"
	samlProvARN = "arn:aws:iam::" + acct + ":saml-provider/ExampleIdP"
)

// An IdP key and certificate; expired certificates still verify, as with AWS.
var samlKey, samlCertDER = func() (*rsa.PrivateKey, []byte) {
	key, _ := rsa.GenerateKey(rand.Reader, 2048)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "idp.example.com"},
		NotBefore: time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), NotAfter: time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	return key, der
}()

type samlOpts struct {
	issuer, recipient, audience, session string
	roles                                []string
	issued, notOnOrAfter                 time.Time
	attrs                                map[string]string
	signResponse, unsigned               bool
	key                                  *rsa.PrivateKey
}

// samlResponse builds a base64 SAML 2.0 Response as IdPs post it to AWS (IAM User Guide,
// "Configure SAML assertions for the authentication response").
func samlResponse(t *testing.T, o samlOpts) string {
	t.Helper()
	doc := etree.NewDocument()
	resp := doc.CreateElement("samlp:Response")
	resp.CreateAttr("xmlns:samlp", samlProtocolNS)
	resp.CreateAttr("xmlns:saml", samlAssertionNS)
	resp.CreateAttr("ID", "_resp1")
	resp.CreateAttr("Version", "2.0")
	resp.CreateAttr("IssueInstant", o.issued.Format(time.RFC3339))
	resp.CreateAttr("Destination", o.recipient)
	resp.CreateElement("saml:Issuer").SetText(o.issuer)
	resp.CreateElement("samlp:Status").CreateElement("samlp:StatusCode").CreateAttr("Value", "urn:oasis:names:tc:SAML:2.0:status:Success")
	a := resp.CreateElement("saml:Assertion")
	a.CreateAttr("xmlns:saml", samlAssertionNS)
	a.CreateAttr("ID", "_assert1")
	a.CreateAttr("Version", "2.0")
	a.CreateAttr("IssueInstant", o.issued.Format(time.RFC3339))
	a.CreateElement("saml:Issuer").SetText(o.issuer)
	sub := a.CreateElement("saml:Subject")
	id := sub.CreateElement("saml:NameID")
	id.CreateAttr("Format", "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
	id.SetText("alice@example.com")
	sc := sub.CreateElement("saml:SubjectConfirmation")
	sc.CreateAttr("Method", "urn:oasis:names:tc:SAML:2.0:cm:bearer")
	scd := sc.CreateElement("saml:SubjectConfirmationData")
	scd.CreateAttr("NotOnOrAfter", o.notOnOrAfter.Format(time.RFC3339))
	scd.CreateAttr("Recipient", o.recipient)
	cond := a.CreateElement("saml:Conditions")
	cond.CreateAttr("NotBefore", o.issued.Format(time.RFC3339))
	cond.CreateAttr("NotOnOrAfter", o.notOnOrAfter.Format(time.RFC3339))
	cond.CreateElement("saml:AudienceRestriction").CreateElement("saml:Audience").SetText(o.audience)
	st := a.CreateElement("saml:AttributeStatement")
	attr := func(name string, vals ...string) {
		at := st.CreateElement("saml:Attribute")
		at.CreateAttr("Name", name)
		for _, v := range vals {
			at.CreateElement("saml:AttributeValue").SetText(v)
		}
	}
	attr(samlAttrPrefix+"Role", o.roles...)
	if o.session != "" {
		attr(samlAttrPrefix+"RoleSessionName", o.session)
	}
	for k, v := range o.attrs {
		attr(k, v)
	}
	key := o.key
	if key == nil {
		key = samlKey
	}
	sc2, err := dsig.NewSigningContext(key, [][]byte{samlCertDER})
	if err != nil {
		t.Fatal(err)
	}
	sc2.Canonicalizer = dsig.MakeC14N10ExclusiveCanonicalizerWithPrefixList("")
	switch {
	case o.unsigned:
	case o.signResponse:
		signed, err := sc2.SignEnveloped(resp)
		if err != nil {
			t.Fatal(err)
		}
		doc.SetRoot(signed)
	default:
		signed, err := sc2.SignEnveloped(a)
		if err != nil {
			t.Fatal(err)
		}
		resp.RemoveChild(a)
		resp.AddChild(signed)
	}
	b, err := doc.WriteToBytes()
	if err != nil {
		t.Fatal(err)
	}
	return base64.StdEncoding.EncodeToString(b)
}

func goodSAML() samlOpts {
	return samlOpts{issuer: idpEntity, recipient: "https://signin.aws.amazon.com/saml", audience: "urn:amazon:webservices",
		session: "alice", roles: []string{samlRoleARN + "," + samlProvARN}, issued: testNow.Add(-time.Minute), notOnOrAfter: testNow.Add(4 * time.Minute)}
}

const samlTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"` + samlProvARN + `"},
 "Action":["sts:AssumeRoleWithSAML","sts:TagSession","sts:SetSourceIdentity"],"Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}`

func samlFixture(t *testing.T) *Service {
	t.Helper()
	s, db := newTestService(t)
	putRole(t, db, acct, storage.RoleRecord{Name: "saml-admin", TrustPolicy: samlTrust, MaxSessionDuration: 43200})
	if err := db.Update(acct, func(tx *storage.Tx) error {
		return storage.SAMLProviders(tx).Put("exampleidp", storage.SAMLProviderRecord{V: 1, Name: "ExampleIdP", EntityID: idpEntity,
			SigningCerts: []string{base64.StdEncoding.EncodeToString(samlCertDER)}})
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

func samlIn(assertion string) *stsapi.AssumeRoleWithSAMLRequest {
	return &stsapi.AssumeRoleWithSAMLRequest{RoleArn: protocol.Ptr(samlRoleARN), PrincipalArn: protocol.Ptr(samlProvARN), SAMLAssertion: protocol.Ptr(assertion)}
}

func TestAssumeRoleWithSAML(t *testing.T) {
	t.Parallel()
	for _, signResponse := range []bool{false, true} {
		s := samlFixture(t)
		o := goodSAML()
		o.signResponse = signResponse
		o.attrs = map[string]string{samlAttrPrefix + "SessionDuration": "7200", samlAttrPrefix + "PrincipalTag:Dept": "ops",
			samlAttrPrefix + "SourceIdentity": "alice"}
		o.roles = []string{samlProvARN + "," + samlRoleARN, "arn:aws:iam::" + acct + ":role/other," + samlProvARN}
		out, err := s.AssumeRoleWithSAML(ctxAs(reqctx.Caller{}), samlIn(samlResponse(t, o)))
		if err != nil {
			t.Fatalf("signResponse=%v: %v", signResponse, err)
		}
		if protocol.Val(out.Subject) != "alice@example.com" || protocol.Val(out.SubjectType) != "persistent" ||
			protocol.Val(out.Issuer) != idpEntity || protocol.Val(out.Audience) != "https://signin.aws.amazon.com/saml" ||
			protocol.Val(out.NameQualifier) == "" || protocol.Val(out.SourceIdentity) != "alice" ||
			protocol.Val(out.AssumedRoleUser.Arn) != "arn:aws:sts::"+acct+":assumed-role/saml-admin/alice" ||
			!protocol.Val(out.Credentials.Expiration).Equal(testNow.Add(2*time.Hour)) {
			t.Errorf("response %+v", out)
		}
	}
}

func TestAssumeRoleWithSAMLErrors(t *testing.T) {
	t.Parallel()
	otherKey, _ := rsa.GenerateKey(rand.Reader, 2048)
	tests := []struct {
		name, code, message string
		mod                 func(*samlOpts)
		principal           string
	}{
		{"unsigned", "InvalidIdentityToken", "Response signature invalid", func(o *samlOpts) { o.unsigned = true }, ""},
		{"signed by another key", "InvalidIdentityToken", "Response signature invalid", func(o *samlOpts) { o.key = otherKey }, ""},
		{"expired", "ExpiredTokenException", "Response has expired", func(o *samlOpts) { o.notOnOrAfter = testNow }, ""},
		{"issued too long ago", "ExpiredTokenException", "Token must be redeemed within 5 minutes of issuance", func(o *samlOpts) {
			o.issued = testNow.Add(-6 * time.Minute)
		}, ""},
		{"no session name", "InvalidIdentityToken", "RoleSessionName is required in AuthnResponse", func(o *samlOpts) { o.session = "" }, ""},
		{"role not in assertion", "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", func(o *samlOpts) {
			o.roles = []string{"arn:aws:iam::" + acct + ":role/other," + samlProvARN}
		}, ""},
		{"other recipient", "InvalidIdentityToken", "", func(o *samlOpts) { o.recipient = "https://evil.example.com/acs" }, ""},
		{"other issuer", "InvalidIdentityToken", "", func(o *samlOpts) { o.issuer = "https://other-idp.example.com" }, ""},
		{"unknown provider", "InvalidIdentityToken", "", nil, "arn:aws:iam::" + acct + ":saml-provider/Nope"},
		{"trust policy audience", "AccessDenied", "Not authorized to perform sts:AssumeRoleWithSAML", func(o *samlOpts) {
			o.recipient = "https://eu-west-1.signin.aws.amazon.com/saml"
		}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := samlFixture(t)
			o := goodSAML()
			if tc.mod != nil {
				tc.mod(&o)
			}
			in := samlIn(samlResponse(t, o))
			if tc.principal != "" {
				in.PrincipalArn = protocol.Ptr(tc.principal)
			}
			_, err := s.AssumeRoleWithSAML(ctxAs(reqctx.Caller{}), in)
			wantCode(t, err, tc.code, tc.message)
		})
	}
	s := samlFixture(t)
	_, err := s.AssumeRoleWithSAML(ctxAs(reqctx.Caller{}), samlIn(strings.Repeat("!", 12)))
	wantCode(t, err, "InvalidIdentityToken", "")
}
