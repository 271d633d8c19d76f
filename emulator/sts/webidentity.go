package sts

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// AssumeRoleWithWebIdentity (STS API Reference; IAM User Guide, "OIDC federation",
// "Available keys for AWS OIDC federation"). The token must be a JWT whose issuer is an IAM
// OIDC provider of the role's account, whose audience is one of the provider's client ids,
// that has not expired, and whose signature verifies with the issuer's keys. AWS fetches
// those from the issuer; iamlocal is offline, so they are supplied with SetIssuerKeys.

// Claims STS reads besides the registered ones.
const (
	claimSourceIdentity = "https://aws.amazon.com/source_identity"
	claimTagsName       = "https://aws.amazon.com/tags"
)

// SetIssuerKeys stores the JSON Web Key Set that verifies the tokens of an OpenID Connect
// issuer (its jwks_uri document). The issuer is given as its URL, with or without https://;
// the keys serve every account that registers the issuer as an IAM OIDC provider.
func (s *Service) SetIssuerKeys(issuer string, keySet []byte) error {
	key := storage.OIDCProviderKey(strings.TrimSpace(issuer))
	if key == "" {
		return fmt.Errorf("sts: issuer URL is empty")
	}
	if _, err := parseJWKS(keySet); err != nil {
		return err
	}
	rec := storage.IssuerKeysRecord{V: 1, Issuer: issuer, JWKS: string(keySet), Updated: s.clock().UTC()}
	return s.db.Update("", func(tx *storage.Tx) error { return storage.IssuerKeys(tx).Put(key, rec) })
}

func invalidToken(format string, args ...any) error {
	return stsapi.ErrInvalidIdentityToken(format, args...)
}

// webIdentityKeys are the trust policy condition keys a token provides, under the provider
// URL as registered: :aud is the azp claim when the token has one (the aud values then go to
// :oaud), :sub the subject, :amr the authentication methods.
func webIdentityKeys(prefix string, t *jwt) map[string][]string {
	keys := map[string][]string{}
	aud := t.strs("aud")
	if azp := t.str("azp"); azp != "" {
		keys[prefix+":aud"] = []string{azp}
		keys[prefix+":oaud"] = aud
	} else {
		keys[prefix+":aud"] = aud
	}
	if sub := t.str("sub"); sub != "" {
		keys[prefix+":sub"] = []string{sub}
	}
	if amr := t.strs("amr"); len(amr) > 0 {
		keys[prefix+":amr"] = amr
	}
	return keys
}

// checkWebIdentity verifies the token against the role account's provider and the issuer's
// keys; it returns the provider and the audience that matched.
func (s *Service) checkWebIdentity(ctx context.Context, account string, t *jwt) (storage.OIDCProviderRecord, string, error) {
	var prov storage.OIDCProviderRecord
	iss := t.str("iss")
	if iss == "" {
		return prov, "", invalidToken("Missing a required claim: iss")
	}
	var keys storage.IssuerKeysRecord
	haveKeys := false
	err := s.db.View(account, func(tx *storage.Tx) error {
		var err error
		prov, err = storage.OIDCProviders(tx).Get(storage.OIDCProviderKey(iss))
		if isNotFound(err) {
			return invalidToken("No OpenIDConnect provider found in your account for %s", iss)
		} else if err != nil {
			return err
		}
		keys, err = storage.IssuerKeys(tx).Get(storage.OIDCProviderKey(iss))
		haveKeys = err == nil
		if err != nil && !isNotFound(err) {
			return err
		}
		return nil
	})
	if err != nil {
		return prov, "", err
	}
	aud := t.strs("aud")
	if len(aud) == 0 {
		return prov, "", invalidToken("Missing a required claim: aud")
	}
	matched := ""
	if azp := t.str("azp"); azp != "" && slices.Contains(prov.ClientIDs, azp) {
		matched = azp
	}
	for _, a := range aud {
		if matched == "" && slices.Contains(prov.ClientIDs, a) {
			matched = a
		}
	}
	if matched == "" {
		return prov, "", invalidToken("Incorrect token audience")
	}
	now := s.now(ctx).Unix()
	exp, ok := t.num("exp")
	if !ok {
		return prov, "", invalidToken("Missing a required claim: exp")
	}
	if now >= exp {
		return prov, "", stsapi.ErrExpiredToken("Token expired: current date/time %d must be before the expiration date/time %d", now, exp)
	}
	if nbf, ok := t.num("nbf"); ok && now < nbf {
		return prov, "", invalidToken("Token not yet valid: current date/time %d must be after the not before date/time %d", now, nbf)
	}
	if !haveKeys {
		return prov, "", invalidToken("Couldn't retrieve verification key from your identity provider,  please reference AssumeRoleWithWebIdentity documentation for requirements")
	}
	set, err := parseJWKS([]byte(keys.JWKS))
	if err != nil || !t.verify(set) {
		return prov, "", invalidToken("Couldn't verify the signature of the token with the keys of your identity provider")
	}
	return prov, matched, nil
}

func (s *Service) AssumeRoleWithWebIdentity(ctx context.Context, in *stsapi.AssumeRoleWithWebIdentityRequest) (*stsapi.AssumeRoleWithWebIdentityResponse, error) {
	arn := protocol.Val(in.RoleArn)
	ref, isRole, err := parseRoleARN(s.partition(ctx), arn)
	if err != nil {
		return nil, err
	}
	t, err := parseJWT(protocol.Val(in.WebIdentityToken))
	if err != nil {
		return nil, invalidToken("The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)")
	}
	const action = "sts:AssumeRoleWithWebIdentity"
	if !isRole {
		return nil, accessDenied("Not authorized to perform %s", action)
	}
	prov, audience, err := s.checkWebIdentity(ctx, ref.Scope.Account, t)
	if err != nil {
		return nil, err
	}
	policies, err := parseSessionPolicies(s.partition(ctx), in.Policy, in.PolicyArns)
	if err != nil {
		return nil, err
	}
	tags, ok := claimTags(t.Claims[claimTagsName])
	if !ok {
		return nil, invalidToken("The session tags in the token are invalid.")
	}
	source := t.str(claimSourceIdentity)
	f := federated{
		Action: action, Role: ref, Provider: prov.ARN, Session: protocol.Val(in.RoleSessionName),
		Duration: in.DurationSeconds, Context: webIdentityKeys(prov.URL, t), Policies: policies, Tags: tags, Source: source,
	}
	rec, packed, err := s.assumeFederated(ctx, f)
	if err != nil {
		return nil, err
	}
	out := &stsapi.AssumeRoleWithWebIdentityResponse{
		AssumedRoleUser:             &stsapi.AssumedRoleUser{Arn: protocol.Ptr(rec.ARN), AssumedRoleId: protocol.Ptr(rec.UserID)},
		Audience:                    protocol.Ptr(audience),
		Credentials:                 wireCredentials(rec),
		PackedPolicySize:            packed,
		Provider:                    protocol.Ptr(prov.ARN),
		SubjectFromWebIdentityToken: protocol.Ptr(t.str("sub")),
	}
	if source != "" {
		out.SourceIdentity = protocol.Ptr(source)
	}
	return out, nil
}
