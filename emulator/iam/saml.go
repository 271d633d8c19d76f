package iam

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"encoding/xml"
	"slices"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// SAML 2.0 identity providers (IAM API Reference, CreateSAMLProvider, UpdateSAMLProvider and
// related operations; IAM User Guide, "Create a SAML identity provider in IAM").
const (
	maxSAMLProviders   = 100 // IAM and AWS STS quotas: SAML providers in an account
	maxSAMLPrivateKeys = 2   // the model caps PrivateKeyList at 2: one key and its successor
	samlMetadataNS     = "urn:oasis:names:tc:SAML:2.0:metadata"
)

// samlMetadata is what IAM reads from a metadata document: the IdP's entity ID (the Issuer
// of its assertions), its expiry and its signing certificates.
type samlMetadata struct {
	XMLName    xml.Name
	EntityID   string `xml:"entityID,attr"`
	ValidUntil string `xml:"validUntil,attr"`
	IDPs       []struct {
		Keys []struct {
			Use   string   `xml:"use,attr"`
			Certs []string `xml:"KeyInfo>X509Data>X509Certificate"`
		} `xml:"KeyDescriptor"`
	} `xml:"IDPSSODescriptor"`
}

type parsedMetadata struct {
	entityID   string
	validUntil time.Time // zero when the document sets none
	certs      []string  // base64 DER
}

// parseSAMLMetadata checks that doc is a SAML 2.0 metadata EntityDescriptor whose
// certificates parse. Anything else is InvalidInput "Could not parse metadata."
func parseSAMLMetadata(doc string) (parsedMetadata, error) {
	bad := iamapi.ErrInvalidInput("Could not parse metadata.")
	var md samlMetadata
	if err := xml.Unmarshal([]byte(doc), &md); err != nil {
		return parsedMetadata{}, bad
	}
	if md.XMLName.Space != samlMetadataNS || md.XMLName.Local != "EntityDescriptor" || strings.TrimSpace(md.EntityID) == "" {
		return parsedMetadata{}, bad
	}
	out := parsedMetadata{entityID: strings.TrimSpace(md.EntityID)}
	if v := strings.TrimSpace(md.ValidUntil); v != "" {
		t, err := time.Parse(time.RFC3339Nano, v)
		if err != nil {
			return parsedMetadata{}, bad
		}
		out.validUntil = t.UTC()
	}
	for _, idp := range md.IDPs {
		for _, k := range idp.Keys {
			if k.Use != "" && k.Use != "signing" {
				continue
			}
			for _, c := range k.Certs {
				c = strings.Join(strings.Fields(c), "")
				der, err := base64.StdEncoding.DecodeString(c)
				if err != nil {
					return parsedMetadata{}, bad
				}
				if _, err := x509.ParseCertificate(der); err != nil {
					return parsedMetadata{}, bad
				}
				if !slices.Contains(out.certs, c) {
					out.certs = append(out.certs, c)
				}
			}
		}
	}
	return out, nil
}

// applyMetadata stores a parsed document. Without a validUntil in the metadata the provider
// is valid for a hundred years from its creation, as the IAM User Guide's get-saml-provider
// example shows (CreateDate 2017-03-06, ValidUntil 2117-03-06).
func applyMetadata(rec *storage.SAMLProviderRecord, doc string, md parsedMetadata) {
	rec.Metadata = doc
	rec.EntityID = md.entityID
	rec.SigningCerts = md.certs
	rec.ValidUntil = md.validUntil
	if rec.ValidUntil.IsZero() {
		rec.ValidUntil = rec.Created.AddDate(100, 0, 0)
	}
}

// samlPrivateKey checks an AddPrivateKey value: one PEM private key (PKCS #1, PKCS #8 or EC).
func samlPrivateKey(s string) error {
	bad := iamapi.ErrInvalidInput("Invalid private key: the key must be an unencrypted PEM-encoded private key.")
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return bad
	}
	if _, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParsePKCS8PrivateKey(block.Bytes); err == nil {
		return nil
	}
	if _, err := x509.ParseECPrivateKey(block.Bytes); err == nil {
		return nil
	}
	return bad
}

// samlID is a SAMLProviderUUID or private key id: the model's [A-Z0-9]{22,64}.
func (s *Service) samlID() string { return "SAML" + s.ids.AccessKeyID("")[:18] }

func (s *Service) addSAMLKey(ctx context.Context, rec *storage.SAMLProviderRecord, pemKey string) error {
	if err := samlPrivateKey(pemKey); err != nil {
		return err
	}
	if len(rec.PrivateKeys) >= maxSAMLPrivateKeys {
		return iamapi.ErrLimitExceeded("Private key limit of %d is reached.", maxSAMLPrivateKeys)
	}
	rec.PrivateKeys = append(rec.PrivateKeys, storage.SAMLKeyRecord{ID: s.samlID(), PEM: pemKey, Added: s.now(ctx)})
	return nil
}

// requireKey enforces that assertions can only be required encrypted with a key to decrypt them.
func requireKey(rec *storage.SAMLProviderRecord) error {
	if rec.Encryption == "Required" && len(rec.PrivateKeys) == 0 {
		return iamapi.ErrInvalidInput("Unable to set AssertionEncryptionMode to Required: the SAML provider has no private key.")
	}
	return nil
}

func (s *Service) CreateSAMLProvider(ctx context.Context, in *iamapi.CreateSAMLProviderRequest) (*iamapi.CreateSAMLProviderResponse, error) {
	name := protocol.Val(in.Name)
	doc := protocol.Val(in.SAMLMetadataDocument)
	md, err := parseSAMLMetadata(doc)
	if err != nil {
		return nil, err
	}
	tags, err := userTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	rec := storage.SAMLProviderRecord{
		V: 1, Name: name, UUID: s.samlID(), Encryption: protocol.Val(in.AssertionEncryptionMode),
		Tags: tags, Created: s.now(ctx),
	}
	applyMetadata(&rec, doc, md)
	if in.AddPrivateKey != nil {
		if err := s.addSAMLKey(ctx, &rec, *in.AddPrivateKey); err != nil {
			return nil, err
		}
	}
	if err := requireKey(&rec); err != nil {
		return nil, err
	}
	err = s.update(ctx, func(tx *storage.Tx) error {
		table := storage.SAMLProviders(tx)
		if table.Has(storage.Key(name)) {
			return iamapi.ErrEntityAlreadyExists("SAMLProvider %s already exists.", name)
		}
		if table.Count("") >= maxSAMLProviders {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for SAMLProvidersPerAccount: %d", maxSAMLProviders)
		}
		return table.Put(storage.Key(name), rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.CreateSAMLProviderResponse{
		SAMLProviderArn: protocol.Ptr(s.names(ctx).SAMLProvider(name).String()), Tags: tagsToAPI(rec.Tags),
	}, nil
}

// getSAML reads the provider an ARN names, or answers IAM's NoSuchEntity.
func getSAML(ctx context.Context, tx *storage.Tx, arn string) (storage.SAMLProviderRecord, error) {
	name, found, err := arnResource(arn, account(ctx), "saml-provider")
	if err != nil {
		return storage.SAMLProviderRecord{}, err
	}
	if found {
		rec, err := storage.SAMLProviders(tx).Get(storage.Key(name))
		if err == nil || !isNotFound(err) {
			return rec, err
		}
	}
	return storage.SAMLProviderRecord{}, iamapi.ErrNoSuchEntity("Manifest not found for arn %s", arn)
}

// changeSAML runs fn on the provider an ARN names and saves it, in one transaction.
func (s *Service) changeSAML(ctx context.Context, arn string, fn func(*storage.SAMLProviderRecord) error) (storage.SAMLProviderRecord, error) {
	var rec storage.SAMLProviderRecord
	err := s.update(ctx, func(tx *storage.Tx) error {
		var err error
		if rec, err = getSAML(ctx, tx, arn); err != nil {
			return err
		}
		if err := fn(&rec); err != nil {
			return err
		}
		return storage.SAMLProviders(tx).Put(storage.Key(rec.Name), rec)
	})
	return rec, asAWS(err)
}

func (s *Service) GetSAMLProvider(ctx context.Context, in *iamapi.GetSAMLProviderRequest) (*iamapi.GetSAMLProviderResponse, error) {
	var rec storage.SAMLProviderRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		var err error
		rec, err = getSAML(ctx, tx, protocol.Val(in.SAMLProviderArn))
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	out := &iamapi.GetSAMLProviderResponse{
		SAMLProviderUUID:     protocol.Ptr(rec.UUID),
		SAMLMetadataDocument: protocol.Ptr(rec.Metadata),
		CreateDate:           protocol.Ptr(rec.Created),
		ValidUntil:           protocol.Ptr(rec.ValidUntil),
		Tags:                 tagsToAPI(rec.Tags),
	}
	if rec.Encryption != "" {
		out.AssertionEncryptionMode = protocol.Ptr(rec.Encryption)
	}
	for _, k := range rec.PrivateKeys {
		out.PrivateKeyList = append(out.PrivateKeyList, iamapi.SAMLPrivateKey{KeyId: protocol.Ptr(k.ID), Timestamp: protocol.Ptr(k.Added)})
	}
	return out, nil
}

// ListSAMLProviders lists every provider; the operation does not page.
func (s *Service) ListSAMLProviders(ctx context.Context, _ *iamapi.ListSAMLProvidersRequest) (*iamapi.ListSAMLProvidersResponse, error) {
	out := &iamapi.ListSAMLProvidersResponse{SAMLProviderList: []iamapi.SAMLProviderListEntry{}}
	names := s.names(ctx)
	err := s.view(ctx, func(tx *storage.Tx) error {
		return storage.SAMLProviders(tx).Scan("", func(_ string, rec storage.SAMLProviderRecord) error {
			out.SAMLProviderList = append(out.SAMLProviderList, iamapi.SAMLProviderListEntry{
				Arn: protocol.Ptr(names.SAMLProvider(rec.Name).String()), ValidUntil: protocol.Ptr(rec.ValidUntil), CreateDate: protocol.Ptr(rec.Created),
			})
			return nil
		})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return out, nil
}

// UpdateSAMLProvider replaces the metadata, sets the encryption mode, or adds or removes one
// private key. Keys rotate in two requests: add the new key, then remove the old one.
func (s *Service) UpdateSAMLProvider(ctx context.Context, in *iamapi.UpdateSAMLProviderRequest) (*iamapi.UpdateSAMLProviderResponse, error) {
	if in.SAMLMetadataDocument == nil && in.AssertionEncryptionMode == nil && in.AddPrivateKey == nil && in.RemovePrivateKey == nil {
		return nil, iamapi.ErrInvalidInput("Unable to update the SAML provider: no update of the metadata document, encryption mode or private keys was requested.")
	}
	if in.AddPrivateKey != nil && in.RemovePrivateKey != nil {
		return nil, iamapi.ErrInvalidInput("Unable to add and remove a private key in the same request; rotate keys in two requests.")
	}
	var md parsedMetadata
	if in.SAMLMetadataDocument != nil {
		var err error
		if md, err = parseSAMLMetadata(*in.SAMLMetadataDocument); err != nil {
			return nil, err
		}
	}
	rec, err := s.changeSAML(ctx, protocol.Val(in.SAMLProviderArn), func(rec *storage.SAMLProviderRecord) error {
		if in.SAMLMetadataDocument != nil {
			applyMetadata(rec, *in.SAMLMetadataDocument, md)
		}
		if in.AssertionEncryptionMode != nil {
			rec.Encryption = *in.AssertionEncryptionMode
		}
		if in.AddPrivateKey != nil {
			if err := s.addSAMLKey(ctx, rec, *in.AddPrivateKey); err != nil {
				return err
			}
		}
		if in.RemovePrivateKey != nil {
			id := *in.RemovePrivateKey
			at := slices.IndexFunc(rec.PrivateKeys, func(k storage.SAMLKeyRecord) bool { return k.ID == id })
			if at < 0 {
				return iamapi.ErrInvalidInput("Failed to remove private key: no private key of this SAML provider has the Key ID %s.", id)
			}
			rec.PrivateKeys = slices.Delete(rec.PrivateKeys, at, at+1)
		}
		return requireKey(rec)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UpdateSAMLProviderResponse{SAMLProviderArn: protocol.Ptr(s.names(ctx).SAMLProvider(rec.Name).String())}, nil
}

// DeleteSAMLProvider leaves roles whose trust policies name the provider as they are; they
// just can no longer be assumed through it.
func (s *Service) DeleteSAMLProvider(ctx context.Context, in *iamapi.DeleteSAMLProviderRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		rec, err := getSAML(ctx, tx, protocol.Val(in.SAMLProviderArn))
		if err != nil {
			return err
		}
		return storage.SAMLProviders(tx).Delete(storage.Key(rec.Name))
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) TagSAMLProvider(ctx context.Context, in *iamapi.TagSAMLProviderRequest) (*iamapi.Empty, error) {
	_, err := s.changeSAML(ctx, protocol.Val(in.SAMLProviderArn), func(rec *storage.SAMLProviderRecord) error {
		tags, err := userTagRules.merge(rec.Tags, in.Tags)
		rec.Tags = tags
		return err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) UntagSAMLProvider(ctx context.Context, in *iamapi.UntagSAMLProviderRequest) (*iamapi.Empty, error) {
	_, err := s.changeSAML(ctx, protocol.Val(in.SAMLProviderArn), func(rec *storage.SAMLProviderRecord) error {
		rec.Tags = userTagRules.remove(rec.Tags, in.TagKeys)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) ListSAMLProviderTags(ctx context.Context, in *iamapi.ListSAMLProviderTagsRequest) (*iamapi.ListSAMLProviderTagsResponse, error) {
	p, err := s.listTags(ctx, userTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		rec, err := getSAML(ctx, tx, protocol.Val(in.SAMLProviderArn))
		return rec.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListSAMLProviderTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
