// Package awsjson is the AWS JSON 1.0/1.1 protocol codec (CloudWatch Logs, and CloudWatch's JSON
// face): POST / with X-Amz-Target: <targetPrefix>.<Operation>, a JSON body decoded into the
// generated input struct, a JSON result, and errors as {"__type":"<Code>","message":"..."} with
// the error's HTTP status (Smithy "AWS JSON 1.1 protocol", "Operation error serialization").
//
// A service that used to speak Query (CloudWatch carries awsQueryCompatible) also sends its
// Query error code in the x-amzn-query-error header, "<Code>;Sender|Receiver": botocore
// (parsers.py, _do_query_compatible_error_parse) and aws-sdk-go-v2 read the code from there,
// so callers see InvalidParameterValue, not InvalidParameterValueException.
package awsjson

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// Codec encodes and decodes one service's JSON protocol.
type Codec struct {
	Service *model.Service
	// QueryCompatible marks a former Query service: error shapes are named apart from their
	// Query codes, and responses carry x-amzn-query-error.
	QueryCompatible bool
}

// ContentType is the media type of the service's bodies: application/x-amz-json-1.0 or -1.1.
func (c *Codec) ContentType() string {
	v := c.Service.JSONVersion
	if v == "" {
		v = "1.1"
	}
	return "application/x-amz-json-" + v
}

// Operation returns the operation an X-Amz-Target header names, if it is the service's.
func (c *Codec) Operation(target string) (string, bool) {
	prefix, op, ok := strings.Cut(target, ".")
	if !ok || prefix != c.Service.TargetPrefix || op == "" {
		return "", false
	}
	return op, true
}

// Decode fills in (a pointer to the operation's input struct) from the JSON body. An empty
// body is an empty input, as the SDKs send "{}" or nothing for operations without members.
func (c *Codec) Decode(op *model.Operation, body []byte, in any) error {
	if op.Input == nil {
		if len(bytes.TrimSpace(body)) > 0 && !json.Valid(body) {
			return serializationError("Start of structure or map found where not expected.")
		}
		return nil
	}
	if err := jsonshape.Unmarshal(op.Input, body, in); err != nil {
		if te, ok := err.(*jsonshape.TypeError); ok {
			return serializationError("Unexpected value type in payload at " + te.Path + ": expected " + te.Want)
		}
		return serializationError("Start of structure or map found where not expected.")
	}
	return nil
}

// serializationError is how the JSON services answer a body they cannot read.
func serializationError(msg string) *awserr.Error {
	return awserr.New("SerializationException", http.StatusBadRequest, true, "%s", msg)
}

// EncodeResult renders the operation's output; an operation without output answers "{}".
func (c *Codec) EncodeResult(op *model.Operation, out any) []byte {
	if op.Output == nil || out == nil {
		return []byte("{}")
	}
	return jsonshape.Marshal(op.Output, out)
}

// EncodeError renders e. The body's "__type" is the error shape's name; the message key is the
// one the shape declares ("message" when it declares none, as botocore and the Go SDK read both).
func (c *Codec) EncodeError(e *awserr.Error) protocol.Wire {
	res := protocol.NewWire(e.Status, c.ContentType(), nil)
	typ, sh := ErrorType(c.Service, e.Code, c.QueryCompatible)
	if c.QueryCompatible {
		res.Header.Set("x-amzn-query-error", QueryErrorHeader(e))
	}
	fields := map[string]any{}
	for k, v := range e.Fields {
		fields[k] = v
	}
	key := "message"
	if sh != nil && sh.MemberNamed("Message") != nil {
		key = "Message"
	}
	fields[key] = e.Message
	fields["__type"] = typ
	res.Body = jsonshape.MarshalFields(fields)
	return res
}

// QueryErrorHeader is the x-amzn-query-error value of e: its Query code and fault.
func QueryErrorHeader(e *awserr.Error) string {
	if e.Sender {
		return e.Code + ";Sender"
	}
	return e.Code + ";Receiver"
}

// unmodelledTypes names, for a query-compatible service, the JSON type of errors that no shape
// models (authentication and authorization failures raised before the service runs); their
// Query codes travel in x-amzn-query-error.
var unmodelledTypes = map[string]string{
	"AccessDenied":               "AccessDeniedException",
	"ValidationError":            "ValidationException",
	"InvalidClientTokenId":       "UnrecognizedClientException",
	"SignatureDoesNotMatch":      "InvalidSignatureException",
	"MissingAuthenticationToken": "MissingAuthenticationTokenException",
	"IncompleteSignature":        "IncompleteSignatureException",
	"ExpiredToken":               "ExpiredTokenException",
}

// ErrorType returns the wire type of an error code and its shape, if modelled. A query-compatible
// model gives several shapes a Query code of their own (InvalidParameterValueException has code
// InvalidParameterValue); the shape whose name is the code wins when two share one.
func ErrorType(svc *model.Service, code string, queryCompatible bool) (string, *model.Shape) {
	if sh, ok := svc.Shapes[code]; ok && sh.Exception && (!queryCompatible || sh.ErrorCode() == code) {
		return code, sh
	}
	if queryCompatible {
		names := make([]string, 0, 4)
		for name, sh := range svc.Shapes {
			if sh.Exception && sh.ErrorCode() == code {
				names = append(names, name)
			}
		}
		if len(names) > 0 {
			sort.Strings(names)
			return names[0], svc.Shapes[names[0]]
		}
		if t, ok := unmodelledTypes[code]; ok {
			return t, nil
		}
	}
	return code, nil
}
