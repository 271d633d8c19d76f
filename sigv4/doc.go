// Package sigv4 verifies AWS Signature Version 4 (AWS4-HMAC-SHA256) requests
// the way the IAM, STS and Lambda front ends do. It is pure: no globals, no
// clock (Options.Now), no logging, no HTTP serving. SigV4a is not supported.
//
// # Contract
//
//	Parse(r) (*Parsed, error)                  syntax only, for routing before verification
//	Verify(r, body, Options) (*Parsed, error)  full check; body is the complete request body
//
// Both accept the Authorization-header form and the presigned query form
// (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
// X-Amz-SignedHeaders, X-Amz-Signature, X-Amz-Security-Token). Failures are
// *Error{Kind, Message}, where Message is AWS's text and Kind is mapped to a
// wire code by the server:
//
//	Kind                       Query code / Lambda code                         Message
//	KindMissingAuthentication  MissingAuthenticationToken(Exception)            Request is missing Authentication Token
//	KindIncomplete             IncompleteSignature(Exception)                   Authorization header requires ... Authorization=<header>, and others
//	KindUnknownKey             InvalidClientTokenId / UnrecognizedClient...     The security token included in the request is invalid.
//	KindMismatch               SignatureDoesNotMatch / InvalidSignatureExc...   The request signature we calculated does not match ..., or a scope text
//	KindSkew                   SignatureDoesNotMatch / InvalidSignatureExc...   Signature expired: ... - 15 min.) / Signature not yet current: ... + 15 min.)
//	KindPresignExpired         RequestExpired (Query front end)                 Request has expired.
//	KindExpiredToken           ExpiredToken / ExpiredTokenException             The security token included in the request is expired
//	KindInvalidToken           InvalidClientTokenId / UnrecognizedClient...     The security token included in the request is invalid.
//
// Lambda wants "Missing Authentication Token" for MissingAuthenticationTokenException;
// the server substitutes that text.
//
// # Order of checks
//
// Verify follows the AWS front end's order (as reproduced by
// scratchstack-aws-signature's "AWS Auth Error Ordering"), so a request with
// several faults gets the error AWS would give:
//
//  1. no Authorization header and no X-Amz-Algorithm/X-Amz-Signature query: KindMissingAuthentication
//  2. header: tokens must be key=value; Credential, Signature, SignedHeaders and
//     a X-Amz-Date or Date header must exist; the algorithm must be AWS4-HMAC-SHA256.
//     Query: X-Amz-Algorithm must be AWS4-HMAC-SHA256 (else 1), the parameters must
//     exist, X-Amz-Expires must be 0..604800. Then the date format and the five-part
//     credential. All KindIncomplete.
//  3. both forms at once, host not signed, or a session-token header that is not
//     signed: KindMismatch
//  4. clock: KindSkew (header form, or presigned dated in the future);
//     KindPresignExpired past X-Amz-Date+X-Amz-Expires (+MaxSkew when the URL
//     has no X-Amz-Expires)
//  5. credential scope (terminator, date, optional Options.Region/Service): KindMismatch
//  6. Lookup: KindUnknownKey
//  7. session token: KindInvalidToken, then KindExpiredToken (before the signature:
//     AWS must decode a token to learn the temporary secret)
//  8. x-amz-content-sha256 must match the body unless UNSIGNED-PAYLOAD, then the
//     signature, compared in constant time: KindMismatch
//
// # Canonicalisation
//
// The stages are exported for golden tests: CanonicalRequest, StringToSign,
// SigningKey, Signature. Paths are normalised (".", "..", empty segments) and
// double-encoded as for every service but S3; S3-style unnormalised
// signatures therefore do not verify. The raw target comes from
// r.RequestURI, so handlers behind prefix-stripping middleware still verify
// what the client signed.
package sigv4
