package iam

import (
	"context"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// SetSecurityTokenServicePreferences records which session tokens the STS global endpoint
// issues for the account; GetAccountSummary reports it as GlobalEndpointTokenVersion.
// (IAM API Reference, SetSecurityTokenServicePreferences.)
func (s *Service) SetSecurityTokenServicePreferences(ctx context.Context, in *iamapi.SetSecurityTokenServicePreferencesRequest) (*iamapi.Empty, error) {
	version := int32(1)
	if protocol.Val(in.GlobalEndpointTokenVersion) == "v2Token" {
		version = 2
	}
	err := s.update(ctx, func(tx *storage.Tx) error {
		return storage.STSPreferences(tx).Put(storage.SettingsKey,
			storage.STSPreferencesRecord{V: 1, GlobalEndpointTokenVersion: version})
	})
	if err != nil {
		return nil, asAWS(err)
	}
	return &iamapi.Empty{}, nil
}

// globalEndpointTokenVersion is the account's GetAccountSummary GlobalEndpointTokenVersion:
// 1 until SetSecurityTokenServicePreferences chooses v2Token (version 1 tokens are the
// global endpoint's default, valid in the Regions enabled by default).
func globalEndpointTokenVersion(tx *storage.Tx) int32 {
	rec, err := storage.STSPreferences(tx).Get(storage.SettingsKey)
	if err != nil || rec.GlobalEndpointTokenVersion == 0 {
		return 1
	}
	return rec.GlobalEndpointTokenVersion
}

// errUnparsableARN is IAM's answer to an ARN parameter that is not an ARN at all (two spaces
// after the colon, as AWS writes it: conformance/errors README, ValidationError rows).
func errUnparsableARN() error {
	return awserr.Validation("Invalid ARN:  Could not be parsed!")
}

// arnResource returns the part of an IAM ARN after "<kind>/" when the ARN names a resource of
// that kind in account. A string that is not an ARN answers ValidationError with IAM's text
// for unparseable ARNs; an ARN of another service, account or kind names nothing here, so
// found is false and the caller answers its own NoSuchEntity.
func arnResource(text, account, kind string) (rest string, found bool, err error) {
	a, err := arn.Parse(text)
	if err != nil {
		return "", false, errUnparsableARN()
	}
	if a.Service != "iam" || a.Account != account {
		return "", false, nil
	}
	rest, ok := strings.CutPrefix(a.Resource, kind+"/")
	if !ok || rest == "" {
		return "", false, nil
	}
	return rest, true, nil
}
