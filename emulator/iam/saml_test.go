package iam

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

func TestParseSAMLMetadata(t *testing.T) {
	t.Parallel()
	good := fedMetadata(t, "https://idp.example.com/saml", "")
	md, err := parseSAMLMetadata(good)
	fedOK(t, err)
	if md.entityID != "https://idp.example.com/saml" || len(md.certs) != 1 || !md.validUntil.IsZero() {
		t.Fatalf("parsed = %+v", md)
	}
	md, err = parseSAMLMetadata(fedMetadata(t, "urn:idp", "2030-01-02T03:04:05.678Z"))
	fedOK(t, err)
	if want := time.Date(2030, 1, 2, 3, 4, 5, 678e6, time.UTC); !md.validUntil.Equal(want) {
		t.Fatalf("validUntil = %v, want %v", md.validUntil, want)
	}

	filler := strings.Repeat("<!-- padding -->", 70)
	bad := map[string]string{
		"not XML":                 strings.Repeat("x", 1200),
		"another root element":    `<a>` + filler + `</a>`,
		"EntityDescriptor, no ns": `<EntityDescriptor entityID="e">` + filler + `</EntityDescriptor>`,
		"no entityID":             `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">` + filler + `</md:EntityDescriptor>`,
		"bad validUntil":          strings.Replace(good, `entityID=`, `validUntil="tomorrow" entityID=`, 1),
		"certificate not base64":  strings.Replace(good, "<ds:X509Certificate>", "<ds:X509Certificate>!!", 1),
		"certificate not a cert":  strings.Replace(good, "<ds:X509Certificate>", "<ds:X509Certificate>QUJD", 1),
		"truncated":               good[:len(good)/2],
	}
	for name, doc := range bad {
		t.Run(name, func(t *testing.T) {
			_, err := parseSAMLMetadata(doc)
			fedCode(t, err, "InvalidInput", "Could not parse metadata.")
		})
	}
}

func TestSAMLProviderLifecycle(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	doc := fedMetadata(t, "https://idp.example.com/saml", "")
	out, err := s.CreateSAMLProvider(ctx, &iamapi.CreateSAMLProviderRequest{
		Name: protocol.Ptr("Okta"), SAMLMetadataDocument: protocol.Ptr(doc), Tags: fedTags("team", "a"),
	})
	fedOK(t, err)
	arn := "arn:aws:iam::123456789012:saml-provider/Okta"
	if protocol.Val(out.SAMLProviderArn) != arn || fedTagString(out.Tags) != "team=a" {
		t.Fatalf("create = %+v", out)
	}
	on := protocol.Ptr(arn)

	// Names are unique without case.
	_, err = s.CreateSAMLProvider(ctx, &iamapi.CreateSAMLProviderRequest{Name: protocol.Ptr("OKTA"), SAMLMetadataDocument: protocol.Ptr(doc)})
	fedCode(t, err, "EntityAlreadyExists", "")

	got, err := s.GetSAMLProvider(ctx, &iamapi.GetSAMLProviderRequest{SAMLProviderArn: on})
	fedOK(t, err)
	uuid := protocol.Val(got.SAMLProviderUUID)
	if len(uuid) != 22 || strings.Trim(uuid, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		t.Fatalf("SAMLProviderUUID %q does not match [A-Z0-9]{22,64}", uuid)
	}
	// Without validUntil in the metadata, a provider is valid for a hundred years (IAM User
	// Guide, get-saml-provider example: CreateDate 2017-03-06, ValidUntil 2117-03-06).
	if protocol.Val(got.SAMLMetadataDocument) != doc || !protocol.Val(got.CreateDate).Equal(fedNow) ||
		!protocol.Val(got.ValidUntil).Equal(fedNow.AddDate(100, 0, 0)) || got.AssertionEncryptionMode != nil || got.PrivateKeyList != nil {
		t.Fatalf("get = %+v", got)
	}
	// The ARN resolves without case, as names do.
	_, err = s.GetSAMLProvider(ctx, &iamapi.GetSAMLProviderRequest{SAMLProviderArn: protocol.Ptr(strings.ToLower(arn))})
	fedOK(t, err)

	list, err := s.ListSAMLProviders(ctx, &iamapi.ListSAMLProvidersRequest{})
	fedOK(t, err)
	if len(list.SAMLProviderList) != 1 || protocol.Val(list.SAMLProviderList[0].Arn) != arn ||
		!protocol.Val(list.SAMLProviderList[0].ValidUntil).Equal(fedNow.AddDate(100, 0, 0)) {
		t.Fatalf("list = %+v", list)
	}

	// A new document replaces the old; its validUntil is the provider's.
	other := fedMetadata(t, "https://other.example.com/saml", "2031-05-06T07:08:09Z")
	up, err := s.UpdateSAMLProvider(ctx, &iamapi.UpdateSAMLProviderRequest{SAMLProviderArn: on, SAMLMetadataDocument: protocol.Ptr(other)})
	fedOK(t, err)
	if protocol.Val(up.SAMLProviderArn) != arn {
		t.Fatalf("update = %+v", up)
	}
	fedOK(t, s.view(ctx, func(tx *storage.Tx) error {
		rec, err := storage.SAMLProviders(tx).Get("okta")
		if rec.EntityID != "https://other.example.com/saml" || len(rec.SigningCerts) != 1 ||
			!rec.ValidUntil.Equal(time.Date(2031, 5, 6, 7, 8, 9, 0, time.UTC)) {
			t.Errorf("record = %+v", rec)
		}
		return err
	}))

	_, err = s.TagSAMLProvider(ctx, &iamapi.TagSAMLProviderRequest{SAMLProviderArn: on, Tags: fedTags("Env", "prod")})
	fedOK(t, err)
	_, err = s.UntagSAMLProvider(ctx, &iamapi.UntagSAMLProviderRequest{SAMLProviderArn: on, TagKeys: []string{"TEAM"}})
	fedOK(t, err)
	tags, err := s.ListSAMLProviderTags(ctx, &iamapi.ListSAMLProviderTagsRequest{SAMLProviderArn: on})
	fedOK(t, err)
	if fedTagString(tags.Tags) != "Env=prod" {
		t.Fatalf("tags = %+v", tags)
	}

	_, err = s.DeleteSAMLProvider(ctx, &iamapi.DeleteSAMLProviderRequest{SAMLProviderArn: on})
	fedOK(t, err)
	// AWS's text for a SAML provider that does not exist.
	_, err = s.GetSAMLProvider(ctx, &iamapi.GetSAMLProviderRequest{SAMLProviderArn: on})
	fedCode(t, err, "NoSuchEntity", "Manifest not found for arn "+arn)
	_, err = s.DeleteSAMLProvider(ctx, &iamapi.DeleteSAMLProviderRequest{SAMLProviderArn: on})
	fedCode(t, err, "NoSuchEntity", "Manifest not found for arn "+arn)
	_, err = s.ListSAMLProviderTags(ctx, &iamapi.ListSAMLProviderTagsRequest{SAMLProviderArn: on})
	fedCode(t, err, "NoSuchEntity", "")
	_, err = s.GetSAMLProvider(ctx, &iamapi.GetSAMLProviderRequest{SAMLProviderArn: protocol.Ptr("Okta")})
	fedCode(t, err, "ValidationError", "")
}

func TestSAMLProviderPrivateKeys(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	doc := fedMetadata(t, "https://idp.example.com/saml", "")
	key := func() string { return newFedCert(t, "k", false, nil, fedNow.AddDate(1, 0, 0)).keyPEM }

	// Required encryption needs a key to decrypt with.
	_, err := s.CreateSAMLProvider(ctx, &iamapi.CreateSAMLProviderRequest{
		Name: protocol.Ptr("p"), SAMLMetadataDocument: protocol.Ptr(doc), AssertionEncryptionMode: protocol.Ptr("Required"),
	})
	fedCode(t, err, "InvalidInput", "")
	_, err = s.CreateSAMLProvider(ctx, &iamapi.CreateSAMLProviderRequest{
		Name: protocol.Ptr("p"), SAMLMetadataDocument: protocol.Ptr(doc), AddPrivateKey: protocol.Ptr("not a key"),
	})
	fedCode(t, err, "InvalidInput", "")
	out, err := s.CreateSAMLProvider(ctx, &iamapi.CreateSAMLProviderRequest{
		Name: protocol.Ptr("p"), SAMLMetadataDocument: protocol.Ptr(doc),
		AssertionEncryptionMode: protocol.Ptr("Required"), AddPrivateKey: protocol.Ptr(key()),
	})
	fedOK(t, err)
	on := out.SAMLProviderArn
	update := func(in iamapi.UpdateSAMLProviderRequest) error {
		in.SAMLProviderArn = on
		_, err := s.UpdateSAMLProvider(ctx, &in)
		return err
	}
	keyIDs := func() []string {
		got, err := s.GetSAMLProvider(ctx, &iamapi.GetSAMLProviderRequest{SAMLProviderArn: on})
		fedOK(t, err)
		var ids []string
		for _, k := range got.PrivateKeyList {
			if !protocol.Val(k.Timestamp).Equal(fedNow) {
				t.Errorf("key timestamp = %v", k.Timestamp)
			}
			ids = append(ids, protocol.Val(k.KeyId))
		}
		return ids
	}

	tests := []struct {
		name string
		in   iamapi.UpdateSAMLProviderRequest
		code string
	}{
		{"nothing to update", iamapi.UpdateSAMLProviderRequest{}, "InvalidInput"},
		{"add and remove at once", iamapi.UpdateSAMLProviderRequest{AddPrivateKey: protocol.Ptr(key()), RemovePrivateKey: protocol.Ptr(strings.Repeat("A", 22))}, "InvalidInput"},
		{"remove an unknown key", iamapi.UpdateSAMLProviderRequest{RemovePrivateKey: protocol.Ptr(strings.Repeat("A", 22))}, "InvalidInput"},
		{"bad metadata", iamapi.UpdateSAMLProviderRequest{SAMLMetadataDocument: protocol.Ptr(strings.Repeat("x", 1000))}, "InvalidInput"},
		{"second key", iamapi.UpdateSAMLProviderRequest{AddPrivateKey: protocol.Ptr(key())}, ""},
		{"third key is over the limit of two", iamapi.UpdateSAMLProviderRequest{AddPrivateKey: protocol.Ptr(key())}, "LimitExceeded"},
	}
	for _, tc := range tests {
		err := update(tc.in)
		if tc.code == "" {
			fedOK(t, err)
		} else {
			fedCode(t, err, tc.code, "")
		}
	}
	ids := keyIDs()
	if len(ids) != 2 || ids[0] == ids[1] {
		t.Fatalf("key ids = %v", ids)
	}
	// Rotation: remove the old key; the last key cannot go while encryption is Required.
	fedOK(t, update(iamapi.UpdateSAMLProviderRequest{RemovePrivateKey: protocol.Ptr(ids[0])}))
	fedCode(t, update(iamapi.UpdateSAMLProviderRequest{RemovePrivateKey: protocol.Ptr(ids[1])}), "InvalidInput", "")
	fedOK(t, update(iamapi.UpdateSAMLProviderRequest{AssertionEncryptionMode: protocol.Ptr("Allowed")}))
	fedOK(t, update(iamapi.UpdateSAMLProviderRequest{RemovePrivateKey: protocol.Ptr(ids[1])}))
	got, err := s.GetSAMLProvider(ctx, &iamapi.GetSAMLProviderRequest{SAMLProviderArn: on})
	fedOK(t, err)
	if protocol.Val(got.AssertionEncryptionMode) != "Allowed" || got.PrivateKeyList != nil {
		t.Fatalf("get = %+v", got)
	}
}

func TestSAMLProviderQuota(t *testing.T) {
	t.Parallel()
	s, ctx := fedService(t)
	doc := fedMetadata(t, "https://idp.example.com/saml", "")
	for i := range maxSAMLProviders {
		_, err := s.CreateSAMLProvider(ctx, &iamapi.CreateSAMLProviderRequest{Name: protocol.Ptr(fmt.Sprintf("p%d", i)), SAMLMetadataDocument: protocol.Ptr(doc)})
		fedOK(t, err)
	}
	_, err := s.CreateSAMLProvider(ctx, &iamapi.CreateSAMLProviderRequest{Name: protocol.Ptr("one-more"), SAMLMetadataDocument: protocol.Ptr(doc)})
	fedCode(t, err, "LimitExceeded", "Cannot exceed quota for SAMLProvidersPerAccount: 100")
}
