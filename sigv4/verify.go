package sigv4

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// DefaultMaxSkew is the clock skew IAM and STS allow ("- 15 min." in their
// "Signature expired" text). Lambda allows 5 minutes.
const DefaultMaxSkew = 15 * time.Minute

// Secret is what Options.Lookup knows about an access key.
type Secret struct {
	SecretAccessKey string
	// SessionToken is set for temporary (ASIA...) credentials: the request
	// must carry exactly this token.
	SessionToken string
	// Expiration of temporary credentials; zero never expires.
	Expiration time.Time
}

// Options inject everything Verify would otherwise take from its
// environment.
type Options struct {
	// Now is the verifier's clock. It must be set: Verify never reads the
	// system clock.
	Now time.Time
	// MaxSkew is the allowed difference between X-Amz-Date and Now (IAM/STS
	// 15m, Lambda 5m). Zero means DefaultMaxSkew. The "min." number in the
	// skew message is MaxSkew in whole minutes.
	MaxSkew time.Duration
	// Lookup returns the secret of an access key id, or an error wrapping
	// ErrUnknownKey. Any other error is returned by Verify wrapped but not as
	// an *Error: it is the server's fault (InternalFailure), not the client's.
	Lookup func(accessKeyID string) (Secret, error)
	// Region and Service, when set, must equal the credential scope's
	// (for example IAM accepts only us-east-1). Empty means any.
	Region  string
	Service string
	// Keys, when set, remembers the signing keys Verify derives (a server keeps one for its
	// lifetime); nil derives each request's key anew.
	Keys *SigningKeys
}

// Verify checks the SigV4 signature of r, whose complete body the caller has
// already read into body. It returns the parsed parameters on success.
//
// When the request could be parsed, the *Parsed is returned even with an
// error, so the caller can choose the error's protocol from p.Service.
// Authentication failures are *Error; see the package documentation for the
// order of the checks.
func Verify(r *http.Request, body []byte, opts Options) (*Parsed, error) {
	p, err := Parse(r)
	if err != nil {
		return nil, err
	}
	return VerifyParsed(p, r, body, opts)
}

// VerifyParsed is Verify for a request whose signature the caller already parsed with Parse
// (the server parses once, to route by the credential scope, then verifies).
func VerifyParsed(p *Parsed, r *http.Request, body []byte, opts Options) (*Parsed, error) {
	if p.both {
		// Authorization header and presigned query at once: the AWS front
		// end refuses to choose (scratchstack-aws-signature rule 5).
		return p, newError(KindMismatch, msgMismatch)
	}
	if !hasHeader(p.SignedHeaders, "host") {
		return p, newError(KindMismatch, msgHostUnsigned)
	}
	// Every AWS SDK signs the token it sends; an unsigned one (the suite's
	// post-sts-header-after) could be swapped in transit, so it is refused.
	if !p.Presigned && p.SessionToken != "" && !hasHeader(p.SignedHeaders, "x-amz-security-token") {
		return p, newError(KindMismatch, msgMustBeSigned, "X-Amz-Security-Token")
	}

	now := opts.Now.UTC()
	skew := opts.MaxSkew
	if skew <= 0 {
		skew = DefaultMaxSkew
	}
	if err := checkTime(p, now, skew); err != nil {
		return p, err
	}
	if err := checkScope(p, opts); err != nil {
		return p, err
	}

	if opts.Lookup == nil {
		return p, newError(KindUnknownKey, msgInvalidKey)
	}
	sec, err := opts.Lookup(p.AccessKeyID)
	if errors.Is(err, ErrUnknownKey) {
		return p, newError(KindUnknownKey, msgInvalidKey)
	}
	if err != nil {
		return p, fmt.Errorf("sigv4: looking up access key: %w", err)
	}
	if err := checkToken(p, sec, now); err != nil {
		return p, err
	}

	// A declared payload hash must be the body's, or the body could be
	// replaced under a valid signature.
	if v, ok := headerValues(r.Header, "x-amz-content-sha256"); ok {
		if h := strings.TrimSpace(v[0]); h != UnsignedPayload && !strings.EqualFold(h, bodyHash(body)) {
			return p, newError(KindMismatch, msgMismatch)
		}
	}
	cr, err := CanonicalRequest(r, body, p)
	if err != nil {
		return p, err
	}
	want := Signature(opts.Keys.key(sec.SecretAccessKey, p.Date, p.Region, p.Service), StringToSign(p.AmzDate, p.Scope(), cr))
	if subtle.ConstantTimeCompare([]byte(want), []byte(p.Signature)) != 1 {
		return p, newError(KindMismatch, msgMismatch)
	}
	return p, nil
}

// checkTime applies the skew window to header-form requests. A presigned
// URL may not be dated beyond the skew in the future either, and expires at
// X-Amz-Date + X-Amz-Expires; without X-Amz-Expires it lives for the skew
// window, which is what non-S3 services do for every presigned URL
// (aws/aws-sdk-go#2167, #2224).
func checkTime(p *Parsed, now time.Time, skew time.Duration) error {
	if p.AmzDate.After(now.Add(skew)) {
		return skewError(p.AmzDate, now, skew)
	}
	if !p.Presigned {
		if p.AmzDate.Before(now.Add(-skew)) {
			return skewError(p.AmzDate, now, skew)
		}
		return nil
	}
	life := p.Expires
	if !p.expiresSet {
		life = skew
	}
	if now.After(p.AmzDate.Add(life)) {
		return newError(KindPresignExpired, msgPresignExpired)
	}
	return nil
}

// checkScope reports every scope problem in one message, as AWS does, with
// SignatureDoesNotMatch: AWS answers a wrong region that way (IAM:
// JuliaCloud/AWS.jl#565; STS: cognitect-labs/aws-api#27).
func checkScope(p *Parsed, opts Options) error {
	parts := strings.Split(p.Credential, "/") // five parts, checked by Parse
	var msgs []string
	if opts.Region != "" && p.Region != opts.Region {
		msgs = append(msgs, fmt.Sprintf(msgScopeRegion, p.Region))
	}
	if opts.Service != "" && p.Service != opts.Service {
		msgs = append(msgs, fmt.Sprintf(msgScopeService, opts.Service))
	}
	if parts[4] != "aws4_request" {
		msgs = append(msgs, fmt.Sprintf(msgScopeTerm, parts[4]))
	}
	if day := p.AmzDate.Format("20060102"); p.Date != day {
		msgs = append(msgs, fmt.Sprintf(msgScopeDate, p.Date, day, p.AmzDate.Format(amzDateFormat)))
	}
	if len(msgs) > 0 {
		return &Error{Kind: KindMismatch, Message: strings.Join(msgs, " ")}
	}
	return nil
}

// checkToken runs before the signature check. AWS cannot do otherwise: a
// session token carries the encrypted secret of its temporary key, so the
// token is decoded (and found invalid or expired) before there is a secret
// to sign with.
func checkToken(p *Parsed, sec Secret, now time.Time) error {
	if sec.SessionToken == "" {
		if p.SessionToken != "" {
			return newError(KindInvalidToken, msgInvalidKey)
		}
		return nil
	}
	if subtle.ConstantTimeCompare([]byte(p.SessionToken), []byte(sec.SessionToken)) != 1 {
		return newError(KindInvalidToken, msgInvalidKey)
	}
	if !sec.Expiration.IsZero() && now.After(sec.Expiration) {
		return newError(KindExpiredToken, msgExpiredTok)
	}
	return nil
}
