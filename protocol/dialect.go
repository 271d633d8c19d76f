package protocol

import (
	"net/http"
	"time"

	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/sigv4"
)

// Dialect is how one service words the errors that do not come from its handlers, whatever
// protocol face the request used: clock skew it accepts, its codes for authentication
// failures, its AccessDenied, its wording of model constraint failures and of an internal
// failure. It is the one place each of these is spelled for a service.
type Dialect struct {
	MaxSkew time.Duration
	// Auth maps a SigV4 failure to the service's error.
	Auth func(e *sigv4.Error) *awserr.Error
	// Denied is an authorization denial with AWS's message text.
	Denied func(message string) *awserr.Error
	// Invalid words model constraint failures.
	Invalid func(vs []Violation) *awserr.Error
	// Internal is what an unexpected error or a panic becomes; its cause is never sent.
	Internal func() *awserr.Error
	// Constraints correct the model where the service enforces newer constraints (nil: none).
	// A function, so that a service resolves its table against its model on first use.
	Constraints func() *Constraints
}

// authAnswer is how a service family answers one kind of SigV4 failure: its code and status, and
// a fixed message where it does not repeat the verifier's.
type authAnswer struct {
	code    string
	status  int
	message string
}

// authAnswers builds an Auth function from a family's answers; other kinds (a signature that
// does not match, clock skew) get fallback.
func authAnswers(fallback authAnswer, byKind map[sigv4.Kind]authAnswer) func(*sigv4.Error) *awserr.Error {
	return func(e *sigv4.Error) *awserr.Error {
		a, ok := byKind[e.Kind]
		if !ok {
			a = fallback
		}
		msg := a.message
		if msg == "" {
			msg = e.Message
		}
		return awserr.New(a.code, a.status, true, "%s", msg)
	}
}

var (
	// QueryAuth is the Query services' answer to SigV4 failures (IAM, STS, and CloudWatch, which
	// keeps its Query codes on every face): conformance/errors README, "Authentication failures".
	QueryAuth = authAnswers(authAnswer{"SignatureDoesNotMatch", http.StatusForbidden, ""}, map[sigv4.Kind]authAnswer{
		sigv4.KindMissingAuthentication: {"MissingAuthenticationToken", http.StatusForbidden, ""},
		sigv4.KindIncomplete:            {"IncompleteSignature", http.StatusBadRequest, ""},
		sigv4.KindUnknownKey:            {"InvalidClientTokenId", http.StatusForbidden, ""},
		sigv4.KindInvalidToken:          {"InvalidClientTokenId", http.StatusForbidden, ""},
		sigv4.KindExpiredToken:          {"ExpiredToken", http.StatusForbidden, ""},
		sigv4.KindPresignExpired:        {"AccessDenied", http.StatusForbidden, ""},
	})
	// RESTAuth is Lambda's answer to SigV4 failures (conformance/errors README, Lambda section).
	RESTAuth = authAnswers(authAnswer{"InvalidSignatureException", http.StatusForbidden, ""}, map[sigv4.Kind]authAnswer{
		sigv4.KindMissingAuthentication: {"MissingAuthenticationTokenException", http.StatusForbidden, "Missing Authentication Token"},
		sigv4.KindIncomplete:            {"IncompleteSignatureException", http.StatusBadRequest, ""},
		sigv4.KindUnknownKey:            {"UnrecognizedClientException", http.StatusForbidden, ""},
		sigv4.KindInvalidToken:          {"UnrecognizedClientException", http.StatusForbidden, ""},
		sigv4.KindExpiredToken:          {"ExpiredTokenException", http.StatusForbidden, ""},
	})
	// JSONAuth is the AWS JSON services' answer to SigV4 failures: their exceptions with 400, as
	// CloudWatch Logs answers its AccessDeniedException (elastic/apm-aws-lambda#526: "StatusCode:
	// 400 ... api error AccessDeniedException").
	JSONAuth = authAnswers(authAnswer{"InvalidSignatureException", http.StatusBadRequest, ""}, map[sigv4.Kind]authAnswer{
		sigv4.KindMissingAuthentication: {"MissingAuthenticationTokenException", http.StatusBadRequest, ""},
		sigv4.KindIncomplete:            {"IncompleteSignatureException", http.StatusBadRequest, ""},
		sigv4.KindUnknownKey:            {"UnrecognizedClientException", http.StatusBadRequest, ""},
		sigv4.KindInvalidToken:          {"UnrecognizedClientException", http.StatusBadRequest, ""},
		sigv4.KindExpiredToken:          {"ExpiredTokenException", http.StatusBadRequest, ""},
	})
)

// Denial builds a Denied function: the code and status the service answers a denial with, and
// the body key of its message ("" for the protocol's own).
func Denial(code string, status int, messageKey string) func(string) *awserr.Error {
	return func(msg string) *awserr.Error {
		e := awserr.New(code, status, true, "%s", msg)
		e.MessageKey = messageKey
		return e
	}
}

// ValidationErrors words constraint failures under code, with values quoted or, for IAM
// since 2025, left out.
func ValidationErrors(code string, redacted bool) func([]Violation) *awserr.Error {
	return func(vs []Violation) *awserr.Error {
		msg := ValidationMessage(vs)
		if redacted {
			msg = RedactedValidationMessage(vs)
		}
		return awserr.New(code, http.StatusBadRequest, true, "%s", msg)
	}
}

// InternalError builds an Internal function answering code with status 500 and msg.
func InternalError(code, msg string) func() *awserr.Error {
	return func() *awserr.Error { return awserr.New(code, http.StatusInternalServerError, false, "%s", msg) }
}
