package iam

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
)

// testCertPEM makes a self-signed certificate (ECDSA keys are cheap to generate).
func testCertPEM(t *testing.T, cn string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	idOK(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: cn},
		NotBefore: idNow.Add(-time.Hour), NotAfter: idNow.Add(365 * 24 * time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	idOK(t, err)
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestSigningCertificateLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	body := testCertPEM(t, "one")
	out, err := e.s.UploadSigningCertificate(e.root, &iamapi.UploadSigningCertificateRequest{UserName: idp("u"), CertificateBody: &body})
	idOK(t, err)
	c := out.Certificate
	if *c.CertificateBody != body || len(*c.CertificateId) != 32 || *c.Status != "Active" || *c.UserName != "u" {
		t.Fatalf("upload = %+v", c)
	}
	_, err = e.s.UploadSigningCertificate(e.root, &iamapi.UploadSigningCertificateRequest{UserName: idp("u"), CertificateBody: &body})
	idCode(t, err, "DuplicateCertificate")
	_, err = e.s.UploadSigningCertificate(e.asUser("u"), &iamapi.UploadSigningCertificateRequest{CertificateBody: idp(testCertPEM(t, "two"))})
	idOK(t, err)
	_, err = e.s.UploadSigningCertificate(e.root, &iamapi.UploadSigningCertificateRequest{UserName: idp("u"), CertificateBody: idp(testCertPEM(t, "three"))})
	idCode(t, err, "LimitExceeded", "Cannot exceed quota for CertificatesPerUser: 2")

	_, err = e.s.UpdateSigningCertificate(e.root, &iamapi.UpdateSigningCertificateRequest{UserName: idp("u"), CertificateId: c.CertificateId, Status: idp("Inactive")})
	idOK(t, err)
	list, err := e.s.ListSigningCertificates(e.asUser("u"), &iamapi.ListSigningCertificatesRequest{})
	idOK(t, err)
	if len(list.Certificates) != 2 {
		t.Fatalf("list = %+v", list.Certificates)
	}
	for _, lc := range list.Certificates {
		if *lc.CertificateId == *c.CertificateId && *lc.Status != "Inactive" {
			t.Fatalf("status not updated: %+v", lc)
		}
	}
	_, err = e.s.DeleteSigningCertificate(e.root, &iamapi.DeleteSigningCertificateRequest{UserName: idp("u"), CertificateId: c.CertificateId})
	idOK(t, err)
	for _, err := range []error{
		func() error {
			_, err := e.s.DeleteSigningCertificate(e.root, &iamapi.DeleteSigningCertificateRequest{UserName: idp("u"), CertificateId: idp("NONEXISTENTCERTID12345678901")})
			return err
		}(),
		func() error {
			_, err := e.s.UpdateSigningCertificate(e.root, &iamapi.UpdateSigningCertificateRequest{UserName: idp("u"), CertificateId: idp("NONEXISTENTCERTID12345678901"), Status: idp("Active")})
			return err
		}(),
	} {
		idCode(t, err, "NoSuchEntity", "The Certificate with id NONEXISTENTCERTID12345678901 cannot be found.")
	}
}

func TestSigningCertificateErrorsAndRoot(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	_, err := e.s.UploadSigningCertificate(e.root, &iamapi.UploadSigningCertificateRequest{UserName: idp("u"), CertificateBody: idp("invalid-certificate-body")})
	idCode(t, err, "MalformedCertificate", "Certificate invalid-certificate-body is malformed.")
	_, err = e.s.UploadSigningCertificate(e.root, &iamapi.UploadSigningCertificateRequest{UserName: idp("nonexistent-user"), CertificateBody: idp(testCertPEM(t, "x"))})
	idCode(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
	_, err = e.s.ListSigningCertificates(e.root, &iamapi.ListSigningCertificatesRequest{UserName: idp("nonexistent-user")})
	idCode(t, err, "NoSuchEntity")

	// The root user has certificates of its own, reported by GetAccountSummary.
	out, err := e.s.UploadSigningCertificate(e.root, &iamapi.UploadSigningCertificateRequest{CertificateBody: idp(testCertPEM(t, "root"))})
	idOK(t, err)
	if out.Certificate.UserName != nil {
		t.Fatalf("root certificate has a user: %+v", out.Certificate)
	}
	list, err := e.s.ListSigningCertificates(e.root, &iamapi.ListSigningCertificatesRequest{})
	idOK(t, err)
	users, err := e.s.ListSigningCertificates(e.root, &iamapi.ListSigningCertificatesRequest{UserName: idp("u")})
	idOK(t, err)
	if len(list.Certificates) != 1 || len(users.Certificates) != 0 {
		t.Fatalf("root %d, user %d certificates", len(list.Certificates), len(users.Certificates))
	}
	sum, err := e.s.GetAccountSummary(e.root, &iamapi.Empty{})
	idOK(t, err)
	if sum.SummaryMap["AccountSigningCertificatesPresent"] != 1 {
		t.Fatalf("AccountSigningCertificatesPresent = %d", sum.SummaryMap["AccountSigningCertificatesPresent"])
	}
	_, err = e.s.UploadSigningCertificate(e.asRole(), &iamapi.UploadSigningCertificateRequest{CertificateBody: idp(testCertPEM(t, "r"))})
	idCode(t, err, "ValidationError")
}
