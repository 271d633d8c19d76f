package iam

import (
	"context"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Server certificates (IAM API Reference, UploadServerCertificate and related operations;
// IAM User Guide, "Manage server certificates in IAM").

// maxServerCertificates is the quota of server certificates in an account (IAM User Guide,
// "IAM and AWS STS quotas").
const maxServerCertificates = 20

func certNotFound(name string) error {
	return iamapi.ErrNoSuchEntity("The Server Certificate with name %s cannot be found.", name)
}

func certExists(name string) error {
	return iamapi.ErrEntityAlreadyExists("The Server Certificate with name %s already exists.", name)
}

// parseCertificates reads the PEM CERTIFICATE blocks of s; anything else in s is an error.
func parseCertificates(s string) ([]*x509.Certificate, bool) {
	var out []*x509.Certificate
	rest := []byte(s)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if block.Type != "CERTIFICATE" {
			return nil, false
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, false
		}
		out = append(out, c)
	}
	return out, len(out) > 0 && strings.TrimSpace(string(rest)) == ""
}

// parsePrivateKey reads one unencrypted PEM private key (PKCS #1, PKCS #8 or SEC 1).
func parsePrivateKey(s string) (crypto.Signer, bool) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, false
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, true
	}
	if k, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return k, true
	}
	if k, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		signer, ok := k.(crypto.Signer)
		return signer, ok
	}
	return nil, false
}

// checkServerCertificate validates an upload as IAM does: a PEM certificate that has not
// expired, a private key matching its public key (else KeyPairMismatch), and a chain that
// starts with the certificate's issuer followed by each next issuer in order.
func checkServerCertificate(body, key, chain string, now time.Time) (*x509.Certificate, error) {
	certs, ok := parseCertificates(body)
	if !ok || len(certs) != 1 {
		return nil, iamapi.ErrMalformedCertificate("Unable to parse certificate. Please ensure the certificate is in PEM format.")
	}
	cert := certs[0]
	if now.After(cert.NotAfter) {
		return nil, iamapi.ErrMalformedCertificate("The certificate has expired (it is valid until %s).", cert.NotAfter.UTC().Format(time.RFC3339))
	}
	signer, ok := parsePrivateKey(key)
	if !ok {
		return nil, iamapi.ErrMalformedCertificate("Unable to parse private key. Please ensure the private key is an unencrypted key in PEM format.")
	}
	pub, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool })
	if !ok || !pub.Equal(cert.PublicKey) {
		return nil, iamapi.ErrKeyPairMismatch("The public key certificate and the private key do not match.")
	}
	if chain != "" {
		issuers, ok := parseCertificates(chain)
		if !ok {
			return nil, iamapi.ErrMalformedCertificate("Unable to parse certificate chain. Please ensure the certificate chain is in PEM format.")
		}
		child := cert
		for _, issuer := range issuers {
			if child.CheckSignatureFrom(issuer) != nil {
				return nil, iamapi.ErrMalformedCertificate("Unable to validate certificate chain. The certificate chain must start with the immediate signing certificate, followed by any intermediaries in order.")
			}
			child = issuer
		}
	}
	return cert, nil
}

func serverCertMetadata(names arn.Scope, rec storage.ServerCertificateRecord) *iamapi.ServerCertificateMetadata {
	return &iamapi.ServerCertificateMetadata{
		Arn:                   protocol.Ptr(names.ServerCertificate(rec.Path, rec.Name).String()),
		Expiration:            protocol.Ptr(rec.Expiration),
		Path:                  protocol.Ptr(rec.Path),
		ServerCertificateId:   protocol.Ptr(rec.ID),
		ServerCertificateName: protocol.Ptr(rec.Name),
		UploadDate:            protocol.Ptr(rec.Uploaded),
	}
}

func (s *Service) UploadServerCertificate(ctx context.Context, in *iamapi.UploadServerCertificateRequest) (*iamapi.UploadServerCertificateResponse, error) {
	now := s.now(ctx)
	cert, err := checkServerCertificate(protocol.Val(in.CertificateBody), protocol.Val(in.PrivateKey), protocol.Val(in.CertificateChain), now)
	if err != nil {
		return nil, err
	}
	tags, err := userTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	name := protocol.Val(in.ServerCertificateName)
	rec := storage.ServerCertificateRecord{
		V: 1, Name: name, ID: s.ids.UniqueID("ASCA"), Path: "/",
		Body: protocol.Val(in.CertificateBody), Chain: protocol.Val(in.CertificateChain),
		Expiration: cert.NotAfter.UTC().Truncate(time.Second), Uploaded: now, Tags: tags,
	}
	if in.Path != nil {
		rec.Path = *in.Path
	}
	err = s.update(ctx, func(tx *storage.Tx) error {
		table := storage.ServerCertificates(tx)
		if table.Has(storage.Key(name)) {
			return certExists(name)
		}
		if table.Count("") >= maxServerCertificates {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for ServerCertificatesPerAccount: %d", maxServerCertificates)
		}
		return table.Put(storage.Key(name), rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.UploadServerCertificateResponse{
		ServerCertificateMetadata: serverCertMetadata(s.names(ctx), rec), Tags: tagsToAPI(rec.Tags),
	}, nil
}

func getServerCert(tx *storage.Tx, name string) (storage.ServerCertificateRecord, error) {
	return lookup(storage.ServerCertificates(tx), name, certNotFound)
}

// changeServerCert runs fn on a certificate and saves it, in one transaction.
func (s *Service) changeServerCert(ctx context.Context, name string, fn func(*storage.ServerCertificateRecord) error) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		rec, err := getServerCert(tx, name)
		if err != nil {
			return err
		}
		if err := fn(&rec); err != nil {
			return err
		}
		return storage.ServerCertificates(tx).Put(storage.Key(rec.Name), rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) GetServerCertificate(ctx context.Context, in *iamapi.GetServerCertificateRequest) (*iamapi.GetServerCertificateResponse, error) {
	var rec storage.ServerCertificateRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		var err error
		rec, err = getServerCert(tx, protocol.Val(in.ServerCertificateName))
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := &iamapi.ServerCertificate{
		CertificateBody:           protocol.Ptr(rec.Body),
		ServerCertificateMetadata: serverCertMetadata(s.names(ctx), rec),
		Tags:                      tagsToAPI(rec.Tags),
	}
	if rec.Chain != "" {
		out.CertificateChain = protocol.Ptr(rec.Chain)
	}
	return &iamapi.GetServerCertificateResponse{ServerCertificate: out}, nil
}

// ListServerCertificates lists the certificates whose path starts with PathPrefix, by name.
func (s *Service) ListServerCertificates(ctx context.Context, in *iamapi.ListServerCertificatesRequest) (*iamapi.ListServerCertificatesResponse, error) {
	prefix := protocol.Val(in.PathPrefix)
	var p page[storage.ServerCertificateRecord]
	err := s.view(ctx, func(tx *storage.Tx) (err error) {
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.ServerCertificateRecord], error) {
			return storage.ServerCertificates(tx).Page("", from, limit, func(_ string, rec storage.ServerCertificateRecord) (bool, error) {
				return strings.HasPrefix(rec.Path, prefix), nil
			})
		})
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := &iamapi.ListServerCertificatesResponse{
		ServerCertificateMetadataList: []iamapi.ServerCertificateMetadata{},
		IsTruncated:                   p.IsTruncated(), Marker: p.Marker,
	}
	for _, rec := range p.Items {
		out.ServerCertificateMetadataList = append(out.ServerCertificateMetadataList, *serverCertMetadata(s.names(ctx), rec))
	}
	return out, nil
}

// UpdateServerCertificate renames a certificate and/or moves it to another path.
func (s *Service) UpdateServerCertificate(ctx context.Context, in *iamapi.UpdateServerCertificateRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		table := storage.ServerCertificates(tx)
		rec, err := getServerCert(tx, protocol.Val(in.ServerCertificateName))
		if err != nil {
			return err
		}
		oldKey := storage.Key(rec.Name)
		if in.NewServerCertificateName != nil {
			newName := *in.NewServerCertificateName
			if storage.Key(newName) != oldKey && table.Has(storage.Key(newName)) {
				return certExists(newName)
			}
			rec.Name = newName
		}
		if in.NewPath != nil {
			rec.Path = *in.NewPath
		}
		if err := table.Delete(oldKey); err != nil {
			return err
		}
		return table.Put(storage.Key(rec.Name), rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteServerCertificate(ctx context.Context, in *iamapi.DeleteServerCertificateRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		rec, err := getServerCert(tx, protocol.Val(in.ServerCertificateName))
		if err != nil {
			return err
		}
		return storage.ServerCertificates(tx).Delete(storage.Key(rec.Name))
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) TagServerCertificate(ctx context.Context, in *iamapi.TagServerCertificateRequest) (*iamapi.Empty, error) {
	return s.changeServerCert(ctx, protocol.Val(in.ServerCertificateName), func(rec *storage.ServerCertificateRecord) error {
		tags, err := userTagRules.merge(rec.Tags, in.Tags)
		rec.Tags = tags
		return err
	})
}

func (s *Service) UntagServerCertificate(ctx context.Context, in *iamapi.UntagServerCertificateRequest) (*iamapi.Empty, error) {
	return s.changeServerCert(ctx, protocol.Val(in.ServerCertificateName), func(rec *storage.ServerCertificateRecord) error {
		rec.Tags = userTagRules.remove(rec.Tags, in.TagKeys)
		return nil
	})
}

func (s *Service) ListServerCertificateTags(ctx context.Context, in *iamapi.ListServerCertificateTagsRequest) (*iamapi.ListServerCertificateTagsResponse, error) {
	p, err := s.listTags(ctx, userTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		rec, err := getServerCert(tx, protocol.Val(in.ServerCertificateName))
		return rec.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListServerCertificateTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
