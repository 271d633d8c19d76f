package sts

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// GetWebIdentityToken (STS API Reference; IAM User Guide, "Getting started with outbound
// identity federation", "Understanding token claims"): once IAM's
// EnableOutboundWebIdentityFederation is on, principals get JWTs signed by their account,
// with the account's issuer URL as iss, verifiable with the keys OutboundJWKS publishes.
const (
	defaultTokenLife = 5 * time.Minute
	stsClaimsNS      = "https://sts.amazonaws.com/"
	// maxTokenPayload bounds the JSON payload (JWTPayloadSizeExceeded); AWS does not publish
	// its limit.
	maxTokenPayload = 8192
)

// outboundKeys returns the account's signing keys, making them on first use.
func (s *Service) outboundKeys(tx *storage.Tx) (storage.TokenSigningKeysRecord, error) {
	table := storage.TokenSigningKeys(tx)
	rec, err := table.Get(storage.SettingsKey)
	if err == nil || !isNotFound(err) {
		return rec, err
	}
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return rec, err
	}
	ecKey, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		return rec, err
	}
	rec = storage.TokenSigningKeysRecord{V: 1, RSAKeyID: s.ids.UUID(), ECKeyID: s.ids.UUID(), Created: s.clock().UTC()}
	if rec.RSAPEM, err = pkcs8PEM(rsaKey); err != nil {
		return rec, err
	}
	if rec.ECPEM, err = pkcs8PEM(ecKey); err != nil {
		return rec, err
	}
	return rec, table.Put(storage.SettingsKey, rec)
}

func pkcs8PEM(key any) (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

func parsePKCS8(s string) (crypto.Signer, error) {
	block, _ := pem.Decode([]byte(s))
	if block == nil {
		return nil, fmt.Errorf("sts: stored signing key is not PEM")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	signer, ok := key.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("sts: stored signing key cannot sign")
	}
	return signer, nil
}

// OutboundJWKS is the JSON Web Key Set of the account's outbound web identity tokens, the
// document AWS serves at <issuer>/.well-known/jwks.json.
func (s *Service) OutboundJWKS(account string) ([]byte, error) {
	var rec storage.TokenSigningKeysRecord
	err := s.db.Update(account, func(tx *storage.Tx) (err error) { rec, err = s.outboundKeys(tx); return err })
	if err != nil {
		return nil, err
	}
	rsaKey, err := parsePKCS8(rec.RSAPEM)
	if err != nil {
		return nil, err
	}
	ecKey, err := parsePKCS8(rec.ECPEM)
	if err != nil {
		return nil, err
	}
	rp := rsaKey.Public().(*rsa.PublicKey)
	ep := ecKey.Public().(*ecdsa.PublicKey)
	set := jwks{Keys: []jwk{
		{Kty: "RSA", Kid: rec.RSAKeyID, Alg: "RS256", Use: "sig", N: b64url(rp.N.Bytes()), E: b64url(big.NewInt(int64(rp.E)).Bytes())},
		{Kty: "EC", Kid: rec.ECKeyID, Alg: "ES384", Use: "sig", Crv: "P-384",
			X: b64url(ep.X.FillBytes(make([]byte, 48))), Y: b64url(ep.Y.FillBytes(make([]byte, 48)))},
	}}
	return json.Marshal(set)
}

// principalSubject is the sub claim: the principal's ARN, and for a role session the role's.
func principalSubject(c reqctx.Caller) string {
	if c.Type == reqctx.AssumedRole && c.RoleARN != "" {
		return c.RoleARN
	}
	return c.ARN
}

func (s *Service) GetWebIdentityToken(ctx context.Context, in *stsapi.GetWebIdentityTokenRequest) (*stsapi.GetWebIdentityTokenResponse, error) {
	info := reqctx.From(ctx)
	caller := info.Caller
	now := s.now(ctx)
	life := defaultTokenLife
	if in.DurationSeconds != nil {
		life = time.Duration(*in.DurationSeconds) * time.Second
	}
	alg := protocol.Val(in.SigningAlgorithm)
	if alg != "RS256" && alg != "ES384" {
		return nil, invalidParameter("The signing algorithm %s is not supported. Use RS256 or ES384.", alg)
	}
	tags, err := parseTags(in.Tags, nil)
	if err != nil {
		return nil, err
	}
	exp := now.Add(life).Truncate(time.Second)
	var token string
	err = s.db.Update(caller.Account, func(tx *storage.Tx) error {
		fed, err := storage.OutboundFederation(tx).Get(storage.SettingsKey)
		if isNotFound(err) || (err == nil && !fed.Enabled) {
			return stsapi.ErrOutboundWebIdentityFederationDisabled("The outbound web identity federation feature is not enabled for this account. To use this feature, you must first enable it through the AWS Management Console or API.")
		} else if err != nil {
			return err
		}
		if caller.Temporary && caller.SessionID != "" {
			if sess, err := storage.Sessions(tx).Get(caller.SessionID); err == nil && exp.After(sess.Expiration) {
				return stsapi.ErrSessionDurationEscalation("The requested token duration would extend the session beyond its original expiration time.")
			}
		}
		keys, err := s.outboundKeys(tx)
		if err != nil {
			return err
		}
		ns := map[string]any{"aws_account": caller.Account, "source_region": info.Region, "principal_id": caller.ARN}
		if len(tags.Keys) > 0 {
			rt := map[string]string{}
			for _, k := range tags.Keys {
				rt[k] = tags.Values[k]
			}
			ns["request_tags"] = rt
		}
		claims := map[string]any{
			"iss": fed.Issuer, "sub": principalSubject(caller), "iat": now.Unix(), "exp": exp.Unix(), "jti": s.ids.UUID(),
			stsClaimsNS: ns,
		}
		if len(in.Audience) == 1 {
			claims["aud"] = in.Audience[0]
		} else {
			claims["aud"] = in.Audience
		}
		if body, _ := json.Marshal(claims); len(body) > maxTokenPayload {
			return stsapi.ErrJWTPayloadSizeExceeded("The requested token payload size exceeds the maximum allowed size. Reduce the number of request tags included in the GetWebIdentityToken API call to reduce the token payload size.")
		}
		pemKey, kid := keys.RSAPEM, keys.RSAKeyID
		if alg == "ES384" {
			pemKey, kid = keys.ECPEM, keys.ECKeyID
		}
		signer, err := parsePKCS8(pemKey)
		if err != nil {
			return err
		}
		token, err = signJWT(jwtHeader{Alg: alg, Kid: kid, Typ: "JWT"}, claims, signer)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &stsapi.GetWebIdentityTokenResponse{WebIdentityToken: protocol.Ptr(token), Expiration: protocol.Ptr(exp)}, nil
}

// AssumeRoot needs AWS Organizations: the caller must belong to the management account (or
// the delegated administrator for IAM) of an organization with centralized root access
// (STS API Reference, AssumeRoot). An iamlocal account is a standalone account, like IAM's
// Organizations operations answer (OrganizationNotFoundException), so the target's root can
// never be assumed.
func (s *Service) AssumeRoot(ctx context.Context, in *stsapi.AssumeRootRequest) (*stsapi.AssumeRootResponse, error) {
	caller := reqctx.From(ctx).Caller
	target := protocol.Val(in.TargetPrincipal)
	if arn.IsAccountID(target) {
		target = arn.Scope{Partition: s.partition(ctx), Account: target}.Root().String()
	}
	return nil, notAuthorized(caller.ARN, "sts:AssumeRoot", target)
}

func b64url(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }
