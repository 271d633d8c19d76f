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
}

// QueryAuth is the Query services' answer to SigV4 failures (IAM, STS, and CloudWatch, which
// keeps its Query codes on every face): conformance/errors README, "Authentication failures".
func QueryAuth(e *sigv4.Error) *awserr.Error {
	switch e.Kind {
	case sigv4.KindMissingAuthentication:
		return awserr.New("MissingAuthenticationToken", http.StatusForbidden, true, "%s", e.Message)
	case sigv4.KindIncomplete:
		return awserr.New("IncompleteSignature", http.StatusBadRequest, true, "%s", e.Message)
	case sigv4.KindUnknownKey, sigv4.KindInvalidToken:
		return awserr.New("InvalidClientTokenId", http.StatusForbidden, true, "%s", e.Message)
	case sigv4.KindExpiredToken:
		return awserr.New("ExpiredToken", http.StatusForbidden, true, "%s", e.Message)
	case sigv4.KindPresignExpired:
		return awserr.New("AccessDenied", http.StatusForbidden, true, "%s", e.Message)
	}
	return awserr.New("SignatureDoesNotMatch", http.StatusForbidden, true, "%s", e.Message)
}

// RESTAuth is Lambda's answer to SigV4 failures (conformance/errors README, Lambda section).
func RESTAuth(e *sigv4.Error) *awserr.Error {
	switch e.Kind {
	case sigv4.KindMissingAuthentication:
		return awserr.New("MissingAuthenticationTokenException", http.StatusForbidden, true, "Missing Authentication Token")
	case sigv4.KindIncomplete:
		return awserr.New("IncompleteSignatureException", http.StatusBadRequest, true, "%s", e.Message)
	case sigv4.KindUnknownKey, sigv4.KindInvalidToken:
		return awserr.New("UnrecognizedClientException", http.StatusForbidden, true, "%s", e.Message)
	case sigv4.KindExpiredToken:
		return awserr.New("ExpiredTokenException", http.StatusForbidden, true, "%s", e.Message)
	}
	return awserr.New("InvalidSignatureException", http.StatusForbidden, true, "%s", e.Message)
}

// JSONAuth is the AWS JSON services' answer to SigV4 failures: their exceptions with 400, as
// CloudWatch Logs answers its AccessDeniedException (elastic/apm-aws-lambda#526: "StatusCode:
// 400 ... api error AccessDeniedException").
func JSONAuth(e *sigv4.Error) *awserr.Error {
	switch e.Kind {
	case sigv4.KindMissingAuthentication:
		return awserr.New("MissingAuthenticationTokenException", http.StatusBadRequest, true, "%s", e.Message)
	case sigv4.KindIncomplete:
		return awserr.New("IncompleteSignatureException", http.StatusBadRequest, true, "%s", e.Message)
	case sigv4.KindUnknownKey, sigv4.KindInvalidToken:
		return awserr.New("UnrecognizedClientException", http.StatusBadRequest, true, "%s", e.Message)
	case sigv4.KindExpiredToken:
		return awserr.New("ExpiredTokenException", http.StatusBadRequest, true, "%s", e.Message)
	}
	return awserr.New("InvalidSignatureException", http.StatusBadRequest, true, "%s", e.Message)
}

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
