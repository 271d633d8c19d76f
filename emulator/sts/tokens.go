package sts

import (
	"context"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// GetSessionToken and GetFederationToken (STS API Reference; IAM User Guide, "Compare AWS
// STS credentials"): both take the long-term credentials of an IAM user or of the root user.
const (
	defaultUserSession = 12 * time.Hour
	// rootMax caps root sessions; a longer request is not an error, it gets one hour.
	rootMax = time.Hour
)

// userDuration applies the default and the root cap to DurationSeconds (the model bounds it
// to 900..129600).
func userDuration(requested *int32, root bool) time.Duration {
	d := defaultUserSession
	if requested != nil {
		d = time.Duration(*requested) * time.Second
	}
	if root && d > rootMax {
		d = rootMax
	}
	return d
}

// GetSessionToken issues credentials that act as the calling user (or root) itself,
// optionally MFA-authenticated.
func (s *Service) GetSessionToken(ctx context.Context, in *stsapi.GetSessionTokenRequest) (*stsapi.GetSessionTokenResponse, error) {
	caller := reqctx.From(ctx).Caller
	if caller.Temporary {
		return nil, accessDenied("Cannot call GetSessionToken with session credentials")
	}
	root := caller.Type == reqctx.Account
	now := s.now(ctx)
	serial, code := protocol.Val(in.SerialNumber), protocol.Val(in.TokenCode)
	var rec storage.SessionRecord
	err := s.db.Update(caller.Account, func(tx *storage.Tx) error {
		mfa := false
		if serial != "" || code != "" {
			ok := false
			if serial != "" && code != "" && !root {
				var err error
				if ok, err = mfaCheck(tx, s.partition(ctx), caller.UserName, serial, code, now); err != nil {
					return err
				}
			}
			if !ok {
				return accessDenied("GetSessionToken call failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")
			}
			mfa = true
		}
		rec = s.newSession(caller.Account, now, userDuration(in.DurationSeconds, root))
		rec.Type = string(caller.Type)
		rec.ARN, rec.UserID, rec.UserName = caller.ARN, caller.UserID, caller.UserName
		rec.SourceKeyID = caller.AccessKeyID
		rec.MFA = mfa
		return putSession(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	return &stsapi.GetSessionTokenResponse{Credentials: wireCredentials(rec)}, nil
}

// GetFederationToken issues credentials of a federated user whose permissions are the
// intersection of the calling user's policies and the session policies passed here (none
// passed: no permissions). The session keeps the calling user's name so that the
// authorizer can load that user's policies.
func (s *Service) GetFederationToken(ctx context.Context, in *stsapi.GetFederationTokenRequest) (*stsapi.GetFederationTokenResponse, error) {
	caller := reqctx.From(ctx).Caller
	if caller.Temporary {
		return nil, accessDenied("Cannot call GetFederationToken with session credentials")
	}
	policies, err := parseSessionPolicies(s.partition(ctx), in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	tags, err := parseTags(in.Tags, nil)
	if err != nil {
		return nil, err
	}
	packed, err := checkPacked(policies, tags)
	if err != nil {
		return nil, err
	}
	if packed == nil {
		// Unlike AssumeRole, GetFederationToken always reports the packed size, 0 when no
		// session policy or tag was passed (LocalStack test_sts.snapshot.json
		// test_get_federation_token, recorded against AWS 2024-06-05: "PackedPolicySize": 0).
		packed = protocol.Ptr(int32(0))
	}
	name := protocol.Val(in.Name)
	acct := caller.Account
	now := s.now(ctx)
	rec := s.newSession(acct, now, userDuration(in.DurationSeconds, caller.Type == reqctx.Account))
	rec.Type = string(reqctx.FederatedUser)
	rec.ARN = arn.Scope{Partition: s.partition(ctx), Account: acct}.FederatedUser(name).String()
	rec.UserID = acct + ":" + name
	rec.UserName = caller.UserName // "" when the root user federates
	rec.SessionName = name
	rec.Policies, rec.PolicyARNs = policies.records()
	rec.Tags, _ = tags.record()
	rec.SourceKeyID = caller.AccessKeyID
	if err := s.db.Update(acct, func(tx *storage.Tx) error { return putSession(tx, rec) }); err != nil {
		return nil, err
	}
	return &stsapi.GetFederationTokenResponse{
		Credentials:      wireCredentials(rec),
		FederatedUser:    &stsapi.FederatedUser{Arn: protocol.Ptr(rec.ARN), FederatedUserId: protocol.Ptr(rec.UserID)},
		PackedPolicySize: packed,
	}, nil
}
