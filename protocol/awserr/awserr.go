// Package awserr is the one typed error every layer returns for AWS-visible failures. Only the
// codecs turn it into bytes; everything else builds it with a constructor and passes it up.
package awserr

import (
	"errors"
	"fmt"
	"net/http"
)

// Error is an AWS error response in protocol-neutral form.
type Error struct {
	Code    string // wire code: NoSuchEntity, ResourceNotFoundException, ...
	Message string // AWS's exact message text
	Status  int    // HTTP status
	Sender  bool   // client fault (<Type>Sender</Type>, "Type":"User")
	// Fields are extra body members some errors carry (Lambda's Reason, retryAfterSeconds).
	Fields map[string]any
	// MessageKey overrides the body key of the message where a service spells an unmodelled
	// error its own way (Lambda's AccessDeniedException says "Message"); "" keeps the codec's.
	MessageKey string
	// Untyped leaves the "Type" member out of a Lambda body where AWS sends none for a
	// modelled error (restjson.EncodeError).
	Untyped bool
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New builds an error with a formatted message.
func New(code string, status int, sender bool, format string, args ...any) *Error {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	return &Error{Code: code, Message: msg, Status: status, Sender: sender}
}

// As unwraps err into an *Error.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// NotImplemented answers a modelled operation that iamlocal does not emulate yet.
func NotImplemented(op string) *Error {
	return New("NotImplemented", http.StatusNotImplemented, false,
		"The operation %s is not implemented by iamlocal.", op)
}

// Internal is what any unexpected error becomes on the wire; the cause is logged, never sent.
func Internal() *Error {
	return New("InternalFailure", http.StatusInternalServerError, false,
		"The request processing has failed because of an unknown error, exception or failure.")
}

// Validation is the error code the Query services (IAM, STS) use for model constraint failures.
func Validation(format string, args ...any) *Error {
	return New("ValidationError", http.StatusBadRequest, true, format, args...)
}

// Denial is an authorization denial before the service has worded it: the authorizer returns
// it with AWS's message text, and the service's dialect chooses the code, status and body.
type Denial struct{ Message string }

func (d *Denial) Error() string { return "access denied: " + d.Message }

// AsDenial unwraps err into a *Denial.
func AsDenial(err error) (*Denial, bool) {
	if err == nil {
		return nil, false // without errors.As, whose target escapes: every allowed call asks
	}
	var d *Denial
	if errors.As(err, &d) {
		return d, true
	}
	return nil, false
}
