package iam

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// OpenID Connect identity providers (IAM API Reference, CreateOpenIDConnectProvider and
// related operations; quotas from the IAM User Guide, "IAM and AWS STS quotas").
const (
	maxOIDCProviders   = 100
	maxOIDCClientIDs   = 100
	maxOIDCThumbprints = 5
)

// oidcURL checks a provider URL as IAM does: https, a host, an optional path, no query,
// fragment or user info. It returns the URL without its scheme, which IAM uses in the ARN
// and returns as the provider's Url.
func oidcURL(raw string) (string, error) {
	bad := iamapi.ErrInvalidInput("Invalid Open ID Connect Provider URL")
	rest, ok := cutPrefixFold(raw, "https://")
	if !ok {
		return "", bad
	}
	u, err := url.Parse("https://" + rest)
	if err != nil || u.Host == "" || u.Hostname() == "" || u.User != nil ||
		u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(rest, "#") {
		return "", bad
	}
	return rest, nil
}

func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// oidcThumbprints checks a ThumbprintList: at most five hex SHA-1 digests. Digests are kept
// as given; one given twice (in any case) is kept once.
func oidcThumbprints(list []string) ([]string, error) {
	if len(list) > maxOIDCThumbprints {
		return nil, iamapi.ErrInvalidInput("Thumbprint list must contain fewer than 5 entries.")
	}
	var out []string
	for _, t := range list {
		if len(t) != 40 || strings.Trim(t, "0123456789abcdefABCDEF") != "" {
			return nil, iamapi.ErrInvalidInput("Thumbprint %s is not a 40-character hexadecimal SHA-1 digest.", t)
		}
		if !slices.ContainsFunc(out, func(o string) bool { return strings.EqualFold(o, t) }) {
			out = append(out, t)
		}
	}
	return out, nil
}

// addClientIDs adds audiences not yet registered, keeping the order they were added in.
func addClientIDs(list []string, add ...string) ([]string, error) {
	for _, id := range add {
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	if len(list) > maxOIDCClientIDs {
		return nil, iamapi.ErrLimitExceeded("Cannot exceed quota for ClientIdsPerOpenIdConnectProvider: %d", maxOIDCClientIDs)
	}
	return list, nil
}

// CreateOpenIDConnectProvider registers an OIDC IdP. Since 2024 the thumbprint list is
// optional: AWS then trusts the IdP's certificate through its own root CAs.
func (s *Service) CreateOpenIDConnectProvider(ctx context.Context, in *iamapi.CreateOpenIDConnectProviderRequest) (*iamapi.CreateOpenIDConnectProviderResponse, error) {
	raw := protocol.Val(in.Url)
	bare, err := oidcURL(raw)
	if err != nil {
		return nil, err
	}
	thumbprints, err := oidcThumbprints(in.ThumbprintList)
	if err != nil {
		return nil, err
	}
	clientIDs, err := addClientIDs(nil, in.ClientIDList...)
	if err != nil {
		return nil, err
	}
	tags, err := userTagRules.merge(nil, in.Tags)
	if err != nil {
		return nil, err
	}
	rec := storage.OIDCProviderRecord{
		V: 1, URL: bare, ARN: s.names(ctx).OIDCProvider(bare).String(),
		ClientIDs: clientIDs, Thumbprints: thumbprints, Tags: tags, Created: s.now(ctx),
	}
	err = s.update(ctx, func(tx *storage.Tx) error {
		table := storage.OIDCProviders(tx)
		key := storage.OIDCProviderKey(bare)
		if table.Has(key) {
			return iamapi.ErrEntityAlreadyExists("Provider with url %s already exists.", raw)
		}
		if table.Count("") >= maxOIDCProviders {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for OpenIdConnectProvidersPerAccount: %d", maxOIDCProviders)
		}
		return table.Put(key, rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.CreateOpenIDConnectProviderResponse{
		OpenIDConnectProviderArn: protocol.Ptr(rec.ARN), Tags: tagsToAPI(rec.Tags),
	}, nil
}

// oidcKey resolves a provider ARN of the caller's account to its storage key. A provider
// that cannot exist here (another account, another resource type) reports found false.
func oidcKey(ctx context.Context, arn string) (key string, found bool, err error) {
	rest, found, err := arnResource(arn, account(ctx), "oidc-provider")
	if err != nil || !found {
		return "", false, err
	}
	return storage.OIDCProviderKey(rest), true, nil
}

func oidcNotFound(arn string) error {
	return iamapi.ErrNoSuchEntity("OpenIDConnect Provider not found for arn %s", arn)
}

// getOIDC reads the provider an ARN names, or answers NoSuchEntity.
func getOIDC(ctx context.Context, tx *storage.Tx, arn string) (string, storage.OIDCProviderRecord, error) {
	key, found, err := oidcKey(ctx, arn)
	if err != nil {
		return "", storage.OIDCProviderRecord{}, err
	}
	if found {
		rec, err := storage.OIDCProviders(tx).Get(key)
		if err == nil {
			return key, rec, nil
		}
		if !isNotFound(err) {
			return "", rec, err
		}
	}
	return "", storage.OIDCProviderRecord{}, oidcNotFound(arn)
}

// changeOIDC runs fn on the provider an ARN names and saves it, in one transaction.
func (s *Service) changeOIDC(ctx context.Context, arn string, fn func(*storage.OIDCProviderRecord) error) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		key, rec, err := getOIDC(ctx, tx, arn)
		if err != nil {
			return err
		}
		if err := fn(&rec); err != nil {
			return err
		}
		return storage.OIDCProviders(tx).Put(key, rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) GetOpenIDConnectProvider(ctx context.Context, in *iamapi.GetOpenIDConnectProviderRequest) (*iamapi.GetOpenIDConnectProviderResponse, error) {
	var rec storage.OIDCProviderRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		var err error
		_, rec, err = getOIDC(ctx, tx, protocol.Val(in.OpenIDConnectProviderArn))
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetOpenIDConnectProviderResponse{
		Url:            protocol.Ptr(rec.URL),
		ClientIDList:   rec.ClientIDs,
		ThumbprintList: rec.Thumbprints,
		CreateDate:     protocol.Ptr(rec.Created),
		Tags:           tagsToAPI(rec.Tags),
	}, nil
}

// ListOpenIDConnectProviders lists every provider's ARN; the operation does not page.
func (s *Service) ListOpenIDConnectProviders(ctx context.Context, _ *iamapi.ListOpenIDConnectProvidersRequest) (*iamapi.ListOpenIDConnectProvidersResponse, error) {
	out := &iamapi.ListOpenIDConnectProvidersResponse{OpenIDConnectProviderList: []iamapi.OpenIDConnectProviderListEntry{}}
	err := s.view(ctx, func(tx *storage.Tx) error {
		return storage.OIDCProviders(tx).Scan("", func(_ string, rec storage.OIDCProviderRecord) error {
			out.OpenIDConnectProviderList = append(out.OpenIDConnectProviderList,
				iamapi.OpenIDConnectProviderListEntry{Arn: protocol.Ptr(rec.ARN)})
			return nil
		})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return out, nil
}

// DeleteOpenIDConnectProvider is idempotent: deleting a provider that does not exist
// succeeds (API Reference: "it does not fail or return an error if you call the operation
// for a provider that does not exist").
func (s *Service) DeleteOpenIDConnectProvider(ctx context.Context, in *iamapi.DeleteOpenIDConnectProviderRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		key, found, err := oidcKey(ctx, protocol.Val(in.OpenIDConnectProviderArn))
		if err != nil || !found {
			return err
		}
		if err := storage.OIDCProviders(tx).Delete(key); err != nil && !isNotFound(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// AddClientIDToOpenIDConnectProvider is idempotent for an audience already registered.
func (s *Service) AddClientIDToOpenIDConnectProvider(ctx context.Context, in *iamapi.AddClientIDToOpenIDConnectProviderRequest) (*iamapi.Empty, error) {
	return s.changeOIDC(ctx, protocol.Val(in.OpenIDConnectProviderArn), func(rec *storage.OIDCProviderRecord) error {
		ids, err := addClientIDs(rec.ClientIDs, protocol.Val(in.ClientID))
		rec.ClientIDs = ids
		return err
	})
}

// RemoveClientIDFromOpenIDConnectProvider is idempotent for an audience not registered.
func (s *Service) RemoveClientIDFromOpenIDConnectProvider(ctx context.Context, in *iamapi.RemoveClientIDFromOpenIDConnectProviderRequest) (*iamapi.Empty, error) {
	return s.changeOIDC(ctx, protocol.Val(in.OpenIDConnectProviderArn), func(rec *storage.OIDCProviderRecord) error {
		id := protocol.Val(in.ClientID)
		rec.ClientIDs = slices.DeleteFunc(rec.ClientIDs, func(c string) bool { return c == id })
		return nil
	})
}

// UpdateOpenIDConnectProviderThumbprint replaces the whole list (the lists are not merged).
func (s *Service) UpdateOpenIDConnectProviderThumbprint(ctx context.Context, in *iamapi.UpdateOpenIDConnectProviderThumbprintRequest) (*iamapi.Empty, error) {
	thumbprints, err := oidcThumbprints(in.ThumbprintList)
	if err != nil {
		return nil, err
	}
	return s.changeOIDC(ctx, protocol.Val(in.OpenIDConnectProviderArn), func(rec *storage.OIDCProviderRecord) error {
		rec.Thumbprints = thumbprints
		return nil
	})
}

func (s *Service) TagOpenIDConnectProvider(ctx context.Context, in *iamapi.TagOpenIDConnectProviderRequest) (*iamapi.Empty, error) {
	return s.changeOIDC(ctx, protocol.Val(in.OpenIDConnectProviderArn), func(rec *storage.OIDCProviderRecord) error {
		tags, err := userTagRules.merge(rec.Tags, in.Tags)
		rec.Tags = tags
		return err
	})
}

func (s *Service) UntagOpenIDConnectProvider(ctx context.Context, in *iamapi.UntagOpenIDConnectProviderRequest) (*iamapi.Empty, error) {
	return s.changeOIDC(ctx, protocol.Val(in.OpenIDConnectProviderArn), func(rec *storage.OIDCProviderRecord) error {
		rec.Tags = userTagRules.remove(rec.Tags, in.TagKeys)
		return nil
	})
}

func (s *Service) ListOpenIDConnectProviderTags(ctx context.Context, in *iamapi.ListOpenIDConnectProviderTagsRequest) (*iamapi.ListOpenIDConnectProviderTagsResponse, error) {
	p, err := s.listTags(ctx, userTagRules, in.Marker, in.MaxItems, func(tx *storage.Tx) ([]storage.Tag, error) {
		_, rec, err := getOIDC(ctx, tx, protocol.Val(in.OpenIDConnectProviderArn))
		return rec.Tags, err
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.ListOpenIDConnectProviderTagsResponse{Tags: p.Items, IsTruncated: p.IsTruncated(), Marker: p.Marker}, nil
}
