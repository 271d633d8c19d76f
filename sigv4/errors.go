package sigv4

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies a verification failure. The server maps it to the
// per-protocol AWS code (Query: InvalidClientTokenId, REST-JSON:
// UnrecognizedClientException, and so on); this package knows no protocol.
type Kind int

const (
	// KindMissingAuthentication: no Authorization header and no presign
	// query parameters. AWS: MissingAuthenticationToken.
	KindMissingAuthentication Kind = iota + 1
	// KindIncomplete: a malformed Authorization header, missing presign
	// parameters, a bad date or a malformed credential. AWS: IncompleteSignature.
	KindIncomplete
	// KindUnknownKey: the access key id is not known. AWS: InvalidClientTokenId.
	KindUnknownKey
	// KindMismatch: the signature or the credential scope is wrong.
	// AWS: SignatureDoesNotMatch.
	KindMismatch
	// KindSkew: X-Amz-Date is outside the allowed clock skew.
	// AWS: SignatureDoesNotMatch with a "Signature expired: ..." text.
	KindSkew
	// KindPresignExpired: a presigned URL is past X-Amz-Date + X-Amz-Expires.
	// AWS (Query front end): RequestExpired.
	KindPresignExpired
	// KindExpiredToken: the temporary credentials have expired. AWS: ExpiredToken.
	KindExpiredToken
	// KindInvalidToken: the session token is missing, wrong, or sent with a
	// long-term key. AWS: InvalidClientTokenId.
	KindInvalidToken
)

func (k Kind) String() string {
	switch k {
	case KindMissingAuthentication:
		return "MissingAuthentication"
	case KindIncomplete:
		return "Incomplete"
	case KindUnknownKey:
		return "UnknownKey"
	case KindMismatch:
		return "Mismatch"
	case KindSkew:
		return "Skew"
	case KindPresignExpired:
		return "PresignExpired"
	case KindExpiredToken:
		return "ExpiredToken"
	case KindInvalidToken:
		return "InvalidToken"
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Error is a verification failure. Message is AWS's exact message text, ready
// to be put on the wire.
type Error struct {
	Kind    Kind
	Message string
}

func (e *Error) Error() string { return "sigv4: " + e.Kind.String() + ": " + e.Message }

func newError(k Kind, format string, args ...any) *Error {
	if len(args) == 0 {
		return &Error{Kind: k, Message: format}
	}
	return &Error{Kind: k, Message: fmt.Sprintf(format, args...)}
}

// ErrUnknownKey is what Options.Lookup returns (possibly wrapped) for an
// access key id it does not know.
var ErrUnknownKey = errors.New("sigv4: unknown access key id")

// AWS message texts. Sources are in conformance/errors/README.md unless noted.
const (
	msgMissingAuth = "Request is missing Authentication Token"
	msgInvalidKey  = "The security token included in the request is invalid."
	msgExpiredTok  = "The security token included in the request is expired"
	msgMismatch    = "The request signature we calculated does not match the signature you provided. " +
		"Check your AWS Secret Access Key and signing method. Consult the service documentation for details."

	// Header form. The "requires" sentences are joined by a space and end
	// with " Authorization=<header value>" (brendanhay/amazonka#316).
	msgReqCredential    = "Authorization header requires 'Credential' parameter."
	msgReqSignature     = "Authorization header requires 'Signature' parameter."
	msgReqSignedHeaders = "Authorization header requires 'SignedHeaders' parameter."
	msgReqDate          = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header."
	// jenkinsci/aws-credentials-plugin#72 (STS), iann0036/cloud9-sync#10.
	msgNotKeyValue = "'%s' not a valid key=value pair (missing equal-sign) in Authorization header: '%s'."
	// The texts below follow dacut/scratchstack-aws-signature (src/canonical.rs,
	// src/auth.rs), which reproduces the AWS front end's wording and ordering.
	msgUnsupportedAlg = "Unsupported AWS 'algorithm': '%s'."
	msgBadDate        = "Date must be in ISO-8601 'basic format'. Got '%s'. See http://en.wikipedia.org/wiki/ISO_8601"
	msgCredentialFive = "Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got '%s'"
	msgHostUnsigned   = "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."
	msgMustBeSigned   = "'%s' must be a 'SignedHeader' in the AWS Authorization."
	msgScopeRegion    = "Credential should be scoped to a valid region, not '%s'."
	msgScopeService   = "Credential should be scoped to correct service: '%s'."
	msgScopeTerm      = "Credential should be scoped with a valid terminator: 'aws4_request', not '%s'."
	msgScopeDate      = "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '%s' != '%s', from '%s'."
	msgSkewPast       = "Signature expired: %s is now earlier than %s (%s - %d min.)"
	msgSkewFuture     = "Signature not yet current: %s is still later than %s (%s + %d min.)"

	// Query (presigned) form: one sentence per missing parameter, then
	// msgReexamine. X-Amz-Algorithm is our addition in the same pattern.
	msgQueryMust = "AWS query-string parameters must include '%s'."
	msgReexamine = "Re-examine the query-string parameters."
	// X-Amz-Expires texts are S3's AuthorizationQueryParametersError wording
	// (bryanjos/aws_auth#31, minio/minio-js#1312); IAM/STS/Lambda have no
	// public capture.
	msgExpiresNumber   = "X-Amz-Expires should be a number"
	msgExpiresNegative = "X-Amz-Expires must be non-negative"
	msgExpiresWeek     = "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"
	// Expired presigned URL: the Query front end's RequestExpired text, as
	// EC2 returns it (aws/aws-sdk-java#1443: "Request has expired. (Service:
	// AmazonEC2; Status Code: 400; Error Code: RequestExpired"). S3 says
	// "Request has expired" without the period; STS has no public capture.
	msgPresignExpired = "Request has expired."
)

// amzDateFormat is ISO 8601 basic format, as used by X-Amz-Date.
const amzDateFormat = "20060102T150405Z"

func skewError(amz, now time.Time, skew time.Duration) *Error {
	mins := int(skew / time.Minute)
	if amz.Before(now) {
		return newError(KindSkew, msgSkewPast, amz.Format(amzDateFormat),
			now.Add(-skew).Format(amzDateFormat), now.Format(amzDateFormat), mins)
	}
	return newError(KindSkew, msgSkewFuture, amz.Format(amzDateFormat),
		now.Add(skew).Format(amzDateFormat), now.Format(amzDateFormat), mins)
}
