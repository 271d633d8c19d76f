package iam

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// fedChain is a root CA, an intermediate it signed and a leaf the intermediate signed.
type fedChain struct{ root, inter, leaf *fedCert }

func newFedChain(t *testing.T) fedChain {
	t.Helper()
	year := fedNow.AddDate(1, 0, 0)
	root := newFedCert(t, "root", true, nil, year)
	inter := newFedCert(t, "intermediate", true, root, year)
	return fedChain{root: root, inter: inter, leaf: newFedCert(t, "www.example.com", false, inter, year)}
}

func uploadCert(t *testing.T, s *Service, name, path string) *iamapi.UploadServerCertificateResponse {
	t.Helper()
	c := newFedChain(t)
	in := &iamapi.UploadServerCertificateRequest{
		ServerCertificateName: protocol.Ptr(name), CertificateBody: protocol.Ptr(c.leaf.certPEM),
		PrivateKey: protocol.Ptr(c.leaf.keyPEM), CertificateChain: protocol.Ptr(c.inter.certPEM + c.root.certPEM),
	}
	if path != "" {
		in.Path = protocol.Ptr(path)
	}
	out, err := s.UploadServerCertificate(fedCtx(fedAccount), in)
	fedOK(t, err)
	return out
}

func TestUploadServerCertificateChecks(t *testing.T) {
	t.Parallel()
	c := newFedChain(t)
	other := newFedCert(t, "other", false, nil, fedNow.AddDate(1, 0, 0))
	expired := newFedCert(t, "old", false, nil, fedNow.Add(-time.Hour))
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	fedOK(t, err)
	rsaPEM := string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rsaKey)}))

	tests := []struct {
		name, body, key, chain, code string
	}{
		{name: "leaf with its chain", body: c.leaf.certPEM, key: c.leaf.keyPEM, chain: c.inter.certPEM + c.root.certPEM},
		{name: "leaf with its issuer only", body: c.leaf.certPEM, key: c.leaf.keyPEM, chain: c.inter.certPEM},
		{name: "no chain", body: c.leaf.certPEM, key: c.leaf.keyPEM},
		{name: "self-signed", body: other.certPEM, key: other.keyPEM},
		{name: "not PEM", body: "MIIB...", key: c.leaf.keyPEM, code: "MalformedCertificate"},
		{name: "two certificates as the body", body: c.leaf.certPEM + c.inter.certPEM, key: c.leaf.keyPEM, code: "MalformedCertificate"},
		{name: "expired", body: expired.certPEM, key: expired.keyPEM, code: "MalformedCertificate"},
		{name: "key not PEM", body: c.leaf.certPEM, key: "secret", code: "MalformedCertificate"},
		{name: "key of another certificate", body: c.leaf.certPEM, key: other.keyPEM, code: "KeyPairMismatch"},
		{name: "RSA key of another certificate", body: c.leaf.certPEM, key: rsaPEM, code: "KeyPairMismatch"},
		{name: "chain out of order", body: c.leaf.certPEM, key: c.leaf.keyPEM, chain: c.root.certPEM + c.inter.certPEM, code: "MalformedCertificate"},
		{name: "chain of a stranger", body: c.leaf.certPEM, key: c.leaf.keyPEM, chain: other.certPEM, code: "MalformedCertificate"},
		{name: "chain not PEM", body: c.leaf.certPEM, key: c.leaf.keyPEM, chain: "garbage", code: "MalformedCertificate"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := checkServerCertificate(tc.body, tc.key, tc.chain, fedNow)
			if tc.code == "" {
				fedOK(t, err)
			} else {
				fedCode(t, err, tc.code, "")
			}
		})
	}
	// Texts quoted in public reports of these errors (e.g. aws/aws-cli#715, openshift-ansible#11214).
	_, err = checkServerCertificate("MIIB...", c.leaf.keyPEM, "", fedNow)
	fedCode(t, err, "MalformedCertificate", "Unable to parse certificate. Please ensure the certificate is in PEM format.")
	_, err = checkServerCertificate(c.leaf.certPEM, c.leaf.keyPEM, c.root.certPEM, fedNow)
	fedCode(t, err, "MalformedCertificate", "Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order.")
}

func TestServerCertificateLifecycle(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	c := newFedChain(t)
	out, err := s.UploadServerCertificate(ctx, &iamapi.UploadServerCertificateRequest{
		ServerCertificateName: protocol.Ptr("Prod"), Path: protocol.Ptr("/cloudfront/"),
		CertificateBody: protocol.Ptr(c.leaf.certPEM), PrivateKey: protocol.Ptr(c.leaf.keyPEM),
		CertificateChain: protocol.Ptr(c.inter.certPEM), Tags: fedTags("team", "web"),
	})
	fedOK(t, err)
	md := out.ServerCertificateMetadata
	if protocol.Val(md.Arn) != "arn:aws:iam::123456789012:server-certificate/cloudfront/Prod" ||
		protocol.Val(md.Path) != "/cloudfront/" || protocol.Val(md.ServerCertificateName) != "Prod" ||
		!strings.HasPrefix(protocol.Val(md.ServerCertificateId), "ASCA") || len(protocol.Val(md.ServerCertificateId)) != 21 ||
		!protocol.Val(md.Expiration).Equal(c.leaf.cert.NotAfter) || !protocol.Val(md.UploadDate).Equal(fedNow) ||
		fedTagString(out.Tags) != "team=web" {
		t.Fatalf("upload = %+v %+v", md, out.Tags)
	}

	// Names are unique without case (AWS's text, as fog's IAM mock records it).
	_, err = s.UploadServerCertificate(ctx, &iamapi.UploadServerCertificateRequest{
		ServerCertificateName: protocol.Ptr("PROD"), CertificateBody: protocol.Ptr(c.leaf.certPEM), PrivateKey: protocol.Ptr(c.leaf.keyPEM),
	})
	fedCode(t, err, "EntityAlreadyExists", "The Server Certificate with name PROD already exists.")

	got, err := s.GetServerCertificate(ctx, &iamapi.GetServerCertificateRequest{ServerCertificateName: protocol.Ptr("prod")})
	fedOK(t, err)
	if protocol.Val(got.ServerCertificate.CertificateBody) != c.leaf.certPEM || protocol.Val(got.ServerCertificate.CertificateChain) != c.inter.certPEM ||
		protocol.Val(got.ServerCertificate.ServerCertificateMetadata.ServerCertificateId) != protocol.Val(md.ServerCertificateId) {
		t.Fatalf("get = %+v", got.ServerCertificate)
	}

	// Rename and move; the new name must be free.
	uploadCert(t, s, "Taken", "")
	_, err = s.UpdateServerCertificate(ctx, &iamapi.UpdateServerCertificateRequest{ServerCertificateName: protocol.Ptr("Prod"), NewServerCertificateName: protocol.Ptr("taken")})
	fedCode(t, err, "EntityAlreadyExists", "The Server Certificate with name taken already exists.")
	_, err = s.UpdateServerCertificate(ctx, &iamapi.UpdateServerCertificateRequest{
		ServerCertificateName: protocol.Ptr("Prod"), NewServerCertificateName: protocol.Ptr("Production"), NewPath: protocol.Ptr("/web/"),
	})
	fedOK(t, err)
	_, err = s.GetServerCertificate(ctx, &iamapi.GetServerCertificateRequest{ServerCertificateName: protocol.Ptr("Prod")})
	fedCode(t, err, "NoSuchEntity", "The Server Certificate with name Prod cannot be found.")
	got, err = s.GetServerCertificate(ctx, &iamapi.GetServerCertificateRequest{ServerCertificateName: protocol.Ptr("Production")})
	fedOK(t, err)
	if m := got.ServerCertificate.ServerCertificateMetadata; protocol.Val(m.Arn) != "arn:aws:iam::123456789012:server-certificate/web/Production" ||
		protocol.Val(m.ServerCertificateId) != protocol.Val(md.ServerCertificateId) || fedTagString(got.ServerCertificate.Tags) != "team=web" {
		t.Fatalf("after update = %+v", m)
	}
	// A rename that only changes case is allowed.
	_, err = s.UpdateServerCertificate(ctx, &iamapi.UpdateServerCertificateRequest{ServerCertificateName: protocol.Ptr("Production"), NewServerCertificateName: protocol.Ptr("PRODUCTION")})
	fedOK(t, err)

	name := protocol.Ptr("PRODUCTION")
	_, err = s.TagServerCertificate(ctx, &iamapi.TagServerCertificateRequest{ServerCertificateName: name, Tags: fedTags("Env", "prod")})
	fedOK(t, err)
	_, err = s.UntagServerCertificate(ctx, &iamapi.UntagServerCertificateRequest{ServerCertificateName: name, TagKeys: []string{"team"}})
	fedOK(t, err)
	tags, err := s.ListServerCertificateTags(ctx, &iamapi.ListServerCertificateTagsRequest{ServerCertificateName: name})
	fedOK(t, err)
	if fedTagString(tags.Tags) != "Env=prod" {
		t.Fatalf("tags = %+v", tags)
	}

	_, err = s.DeleteServerCertificate(ctx, &iamapi.DeleteServerCertificateRequest{ServerCertificateName: name})
	fedOK(t, err)
	_, err = s.DeleteServerCertificate(ctx, &iamapi.DeleteServerCertificateRequest{ServerCertificateName: name})
	fedCode(t, err, "NoSuchEntity", "The Server Certificate with name PRODUCTION cannot be found.")
	for _, call := range []func() error{
		func() error {
			_, err := s.UpdateServerCertificate(ctx, &iamapi.UpdateServerCertificateRequest{ServerCertificateName: name, NewPath: protocol.Ptr("/x/")})
			return err
		},
		func() error {
			_, err := s.TagServerCertificate(ctx, &iamapi.TagServerCertificateRequest{ServerCertificateName: name, Tags: fedTags("k", "v")})
			return err
		},
		func() error {
			_, err := s.ListServerCertificateTags(ctx, &iamapi.ListServerCertificateTagsRequest{ServerCertificateName: name})
			return err
		},
	} {
		fedCode(t, call(), "NoSuchEntity", "")
	}
}

func TestListServerCertificates(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	for i, path := range []string{"/", "/cloudfront/a/", "/cloudfront/b/", "/web/", "/cloudfront/"} {
		uploadCert(t, s, fmt.Sprintf("cert%d", i), path)
	}
	names := func(l []iamapi.ServerCertificateMetadata) string {
		var out []string
		for _, m := range l {
			out = append(out, protocol.Val(m.ServerCertificateName))
		}
		return strings.Join(out, ",")
	}
	all, err := s.ListServerCertificates(ctx, &iamapi.ListServerCertificatesRequest{})
	fedOK(t, err)
	if names(all.ServerCertificateMetadataList) != "cert0,cert1,cert2,cert3,cert4" || protocol.Val(all.IsTruncated) {
		t.Fatalf("all = %s", names(all.ServerCertificateMetadataList))
	}
	cf, err := s.ListServerCertificates(ctx, &iamapi.ListServerCertificatesRequest{PathPrefix: protocol.Ptr("/cloudfront/")})
	fedOK(t, err)
	if names(cf.ServerCertificateMetadataList) != "cert1,cert2,cert4" {
		t.Fatalf("cloudfront = %s", names(cf.ServerCertificateMetadataList))
	}
	// Pages of two, resumed by the opaque marker.
	var seen []string
	var marker *string
	for {
		p, err := s.ListServerCertificates(ctx, &iamapi.ListServerCertificatesRequest{MaxItems: protocol.Ptr(int32(2)), Marker: marker})
		fedOK(t, err)
		seen = append(seen, names(p.ServerCertificateMetadataList))
		if !protocol.Val(p.IsTruncated) {
			break
		}
		marker = p.Marker
	}
	if strings.Join(seen, "|") != "cert0,cert1|cert2,cert3|cert4" {
		t.Fatalf("pages = %v", seen)
	}
	// 20 certificates per account (IAM and AWS STS quotas).
	for i := 5; i < maxServerCertificates; i++ {
		uploadCert(t, s, fmt.Sprintf("more%d", i), "")
	}
	c := newFedChain(t)
	_, err = s.UploadServerCertificate(ctx, &iamapi.UploadServerCertificateRequest{
		ServerCertificateName: protocol.Ptr("one-more"), CertificateBody: protocol.Ptr(c.leaf.certPEM), PrivateKey: protocol.Ptr(c.leaf.keyPEM),
	})
	fedCode(t, err, "LimitExceeded", "Cannot exceed quota for ServerCertificatesPerAccount: 20")
}
