package executor

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// Payload limits of synchronous invocation, from the Lambda quotas page
// ("Invocation payload (request and response): 6 MB each for synchronous").
// The exact byte counts are the ones AWS quotes in its errors: requests
// "must be smaller than 6291456 bytes", responses may not exceed
// "maximum allowed payload size (6291556 bytes)".
const (
	MaxRequestPayload  = 6291456
	MaxResponsePayload = 6291556
)

// FunctionErrorUnhandled is the X-Amz-Function-Error value AWS now returns for
// every function error, including the ones a runtime reports through
// /invocation/{id}/error.
const FunctionErrorUnhandled = "Unhandled"

// InvokeError is a platform failure: the invocation did not reach a runtime
// or the platform could not complete it. The Lambda frontend answers it as
// the AWS error named by Code with HTTP status Status. Function errors are
// never InvokeErrors: they are Results with FunctionError set.
type InvokeError struct {
	Code    string // AWS error code, e.g. InvalidRuntimeException
	Message string // AWS's message where known
	Status  int    // the HTTP status AWS answers with
	Reason  string // TooManyRequestsException's Reason, otherwise ""
	Err     error  // the underlying cause, never shown to clients
}

func (e *InvokeError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *InvokeError) Unwrap() error { return e.Err }

// Codes of the InvokeErrors this package returns; all are in the Invoke
// operation's error list of the Lambda model.
const (
	CodeService         = "ServiceException"
	CodeInvalidRuntime  = "InvalidRuntimeException"
	CodeInvalidZipFile  = "InvalidZipFileException"
	CodeRequestTooLarge = "RequestTooLargeException"
	CodeTooManyRequests = "TooManyRequestsException"
)

func serviceError(msg string, err error) *InvokeError {
	return &InvokeError{Code: CodeService, Message: msg, Status: http.StatusInternalServerError, Err: err}
}

// errorDocument is the body Lambda itself writes for errors it detects
// (timeouts, runtime exits, oversize responses): {"errorMessage","errorType"}.
func errorDocument(errorType, message string) []byte {
	b, _ := json.Marshal(struct {
		ErrorMessage string `json:"errorMessage"`
		ErrorType    string `json:"errorType"`
	}{message, errorType})
	return b
}

// Texts of the errors Lambda reports for a function.
func timeoutMessage(requestID string, seconds float64) string {
	// Current AWS answer body: {"errorMessage":"RequestId: <id> Error: Task
	// timed out after 3.00 seconds","errorType":"Sandbox.Timedout"}.
	return fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds", requestID, seconds)
}

func exitMessage(requestID, reason string) string {
	if reason == "" {
		return fmt.Sprintf("RequestId: %s Error: Runtime exited without providing a reason", requestID)
	}
	return fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s", requestID, reason)
}

const (
	errTypeTimeout = "Sandbox.Timedout"
	errTypeExit    = "Runtime.ExitError"
	// A function killed for exceeding its memory: the same message as an
	// exit by signal, {"errorType":"Runtime.OutOfMemory","errorMessage":
	// "RequestId: <id> Error: Runtime exited with error: signal: killed"},
	// and a REPORT line ending "Status: error\tError Type:
	// Runtime.OutOfMemory" (public captures of Lambda invocations and logs).
	errTypeOutOfMemory     = "Runtime.OutOfMemory"
	errTypeInvalidEntry    = "Runtime.InvalidEntrypoint"
	errTypeResponseTooBig  = "Function.ResponseSizeTooLarge"
	errTypeUnknown         = "Runtime.Unknown"
	responseTooLargeMsg    = "Response payload size exceeded maximum allowed payload size (6291556 bytes)."
	rapiPayloadTooLargeMsg = "Exceeded maximum allowed payload size (6291556 bytes)."
)
