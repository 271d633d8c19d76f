package iam

import (
	"context"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Outbound web identity federation (2025): once enabled, principals of the account may call
// STS GetWebIdentityToken for JWTs that external services verify against the account's
// issuer URL, which hosts /.well-known/openid-configuration and /.well-known/jwks.json.
// The issuer has the form of the API Reference's example,
// https://a1d2b0fd-1177-4468-9351-2fEXAMPLE723.tokens.sts.global.api.aws; it is made on the
// first enable and kept, so relying parties that trust it keep working after a re-enable.

func (s *Service) EnableOutboundWebIdentityFederation(ctx context.Context, _ *iamapi.Empty) (*iamapi.EnableOutboundWebIdentityFederationResponse, error) {
	var rec storage.OutboundFederationRecord
	err := s.update(ctx, func(tx *storage.Tx) error {
		table := storage.OutboundFederation(tx)
		var err error
		rec, err = table.Get(storage.SettingsKey)
		if err != nil && !isNotFound(err) {
			return err
		}
		if rec.Enabled {
			return iamapi.ErrFeatureEnabled("Outbound identity federation is already enabled for this account. Call GetOutboundWebIdentityFederationInfo for its issuer URL.")
		}
		if rec.Issuer == "" {
			rec.Issuer = "https://" + s.ids.UUID() + ".tokens.sts.global.api.aws"
		}
		rec.V, rec.Enabled = 1, true
		return table.Put(storage.SettingsKey, rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.EnableOutboundWebIdentityFederationResponse{IssuerIdentifier: protocol.Ptr(rec.Issuer)}, nil
}

func errFederationDisabled() error {
	return iamapi.ErrFeatureDisabled("Outbound identity federation is not enabled for this account.")
}

// DisableOutboundWebIdentityFederation stops new tokens; tokens already issued stay valid.
func (s *Service) DisableOutboundWebIdentityFederation(ctx context.Context, _ *iamapi.Empty) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		table := storage.OutboundFederation(tx)
		rec, err := table.Get(storage.SettingsKey)
		if isNotFound(err) || (err == nil && !rec.Enabled) {
			return errFederationDisabled()
		}
		if err != nil {
			return err
		}
		rec.Enabled = false
		return table.Put(storage.SettingsKey, rec)
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// GetOutboundWebIdentityFederationInfo answers FeatureDisabled while the feature is off, the
// only error its model declares (the Terraform AWS provider reads it as "not enabled").
func (s *Service) GetOutboundWebIdentityFederationInfo(ctx context.Context, _ *iamapi.Empty) (*iamapi.GetOutboundWebIdentityFederationInfoResponse, error) {
	var rec storage.OutboundFederationRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		var err error
		rec, err = storage.OutboundFederation(tx).Get(storage.SettingsKey)
		if isNotFound(err) || (err == nil && !rec.Enabled) {
			return errFederationDisabled()
		}
		return err
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.GetOutboundWebIdentityFederationInfoResponse{
		IssuerIdentifier: protocol.Ptr(rec.Issuer), JwtVendingEnabled: protocol.Ptr(true),
	}, nil
}
