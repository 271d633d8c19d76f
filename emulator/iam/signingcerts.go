package iam

import (
	"context"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base32"
	"encoding/pem"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// quotaCertsPerUser is the signing certificates quota (AWS names it CertificatesPerUser in
// LimitExceeded and SigningCertificatesPerUserQuota in GetAccountSummary).
const quotaCertsPerUser = 2

func sortCerts(certs []storage.SigningCertRecord) {
	sort.Slice(certs, func(i, j int) bool {
		if !certs[i].Uploaded.Equal(certs[j].Uploaded) {
			return certs[i].Uploaded.Before(certs[j].Uploaded)
		}
		return certs[i].ID < certs[j].ID
	})
}

// parseSigningCert accepts one PEM-encoded X.509 certificate. The certificate id is derived
// from the certificate itself (32 base32 characters of its SHA-1), so uploading the same
// certificate twice is recognisable as DuplicateCertificate.
func parseSigningCert(body string) (string, error) {
	block, _ := pem.Decode([]byte(strings.TrimSpace(body)))
	if block == nil || block.Type != "CERTIFICATE" {
		return "", iamapi.ErrMalformedCertificate("Certificate %s is malformed.", body)
	}
	if _, err := x509.ParseCertificate(block.Bytes); err != nil {
		return "", iamapi.ErrMalformedCertificate("Certificate %s is malformed.", body)
	}
	sum := sha1.Sum(block.Bytes)
	return base32.StdEncoding.EncodeToString(sum[:])[:32], nil
}

func wireCert(c storage.SigningCertRecord) iamapi.SigningCertificate {
	out := iamapi.SigningCertificate{
		CertificateBody: protocol.Ptr(c.Body),
		CertificateId:   protocol.Ptr(c.ID),
		Status:          protocol.Ptr(c.Status),
		UploadDate:      protocol.Ptr(c.Uploaded),
	}
	if c.User != "" {
		out.UserName = protocol.Ptr(c.User)
	}
	return out
}

func noSuchCert(id string) error {
	return iamapi.ErrNoSuchEntity("The Certificate with id %s cannot be found.", id)
}

// UploadSigningCertificate adds a certificate to a user, or without UserName to the caller
// (an IAM user, or the root user).
func (s *Service) UploadSigningCertificate(ctx context.Context, in *iamapi.UploadSigningCertificateRequest) (*iamapi.UploadSigningCertificateResponse, error) {
	body := protocol.Val(in.CertificateBody)
	var c storage.SigningCertRecord
	err := s.update(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, true)
		if err != nil {
			return err
		}
		id, err := parseSigningCert(body)
		if err != nil {
			return err
		}
		certs := o.scope(tx).SigningCerts()
		if certs.Has(id) {
			return iamapi.ErrDuplicateCertificate("The Certificate with id %s already exists.", id)
		}
		if certs.Count() >= quotaCertsPerUser {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for CertificatesPerUser: %d", quotaCertsPerUser)
		}
		c = storage.SigningCertRecord{V: 1, ID: id, User: o.User.Name, Body: body, Status: "Active", Uploaded: s.now(ctx)}
		return certs.Insert(id, c)
	})
	if err != nil {
		return nil, err
	}
	out := wireCert(c)
	return &iamapi.UploadSigningCertificateResponse{Certificate: &out}, nil
}

// ListSigningCertificates lists the owner's certificates, oldest first: at most two (the quota).
func (s *Service) ListSigningCertificates(ctx context.Context, in *iamapi.ListSigningCertificatesRequest) (*iamapi.ListSigningCertificatesResponse, error) {
	var certs []storage.SigningCertRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, true)
		if err != nil {
			return err
		}
		certs, err = o.scope(tx).SigningCerts().List()
		return err
	})
	if err != nil {
		return nil, err
	}
	sortCerts(certs)
	p, err := paginate(certs, func(c storage.SigningCertRecord) string {
		return c.Uploaded.UTC().Format("20060102150405") + c.ID
	}, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSigningCertificatesResponse{IsTruncated: p.IsTruncated(), Marker: p.Marker, Certificates: []iamapi.SigningCertificate{}}
	for _, c := range p.Items {
		out.Certificates = append(out.Certificates, wireCert(c))
	}
	return out, nil
}

// ownedCert applies fn to a certificate of the (optionally named) owner, in one transaction.
func (s *Service) ownedCert(ctx context.Context, name *string, id string, fn func(storage.Children[storage.SigningCertRecord], storage.SigningCertRecord) error) error {
	return s.update(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, name, true)
		if err != nil {
			return err
		}
		certs := o.scope(tx).SigningCerts()
		c, err := certs.Get(id)
		if isNotFound(err) {
			return noSuchCert(id)
		} else if err != nil {
			return err
		}
		return fn(certs, c)
	})
}

func (s *Service) UpdateSigningCertificate(ctx context.Context, in *iamapi.UpdateSigningCertificateRequest) (*iamapi.Empty, error) {
	err := s.ownedCert(ctx, in.UserName, protocol.Val(in.CertificateId), func(certs storage.Children[storage.SigningCertRecord], c storage.SigningCertRecord) error {
		c.Status = protocol.Val(in.Status)
		return certs.Put(c.ID, c)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteSigningCertificate(ctx context.Context, in *iamapi.DeleteSigningCertificateRequest) (*iamapi.Empty, error) {
	err := s.ownedCert(ctx, in.UserName, protocol.Val(in.CertificateId), func(certs storage.Children[storage.SigningCertRecord], c storage.SigningCertRecord) error {
		return certs.Delete(c.ID)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}
