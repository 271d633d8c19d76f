package emulator

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsjson"
	"github.com/iamlocal/iamlocal/sigv4"
)

// jsonFrontend serves an AWS JSON service: CloudWatch Logs (JSON 1.1), and CloudWatch's JSON
// 1.0 face, which botocore 1.43 (boto3, AWS CLI v1) uses. POST / with X-Amz-Target.
type jsonFrontend struct {
	log       *slog.Logger
	codec     *awsjson.Codec
	authorize authorizeFunc
	ops       map[string]protocol.Operation
}

func newJSONFrontend(codec *awsjson.Codec, ops []protocol.Operation, log *slog.Logger, authorize authorizeFunc) *jsonFrontend {
	f := &jsonFrontend{log: log, codec: codec, authorize: authorize, ops: map[string]protocol.Operation{}}
	for _, op := range ops {
		f.ops[op.Name()] = op
	}
	return f
}

func (f *jsonFrontend) service() string { return f.codec.Service.Name }

// The JSON services allow 5 minutes of skew; CloudWatch, a former Query service, 15 as IAM.
func (f *jsonFrontend) maxSkew() time.Duration {
	if f.codec.QueryCompatible {
		return 15 * time.Minute
	}
	return 5 * time.Minute
}

// authError maps SigV4 failures. A former Query service keeps its Query codes (the JSON type
// goes with them, see awsjson); CloudWatch Logs answers the JSON services' exceptions with 400,
// as its AccessDeniedException does (elastic/apm-aws-lambda#526: "StatusCode: 400 ... api error
// AccessDeniedException").
func (f *jsonFrontend) authError(e *sigv4.Error) *awserr.Error {
	if f.codec.QueryCompatible {
		return (&queryFrontend{}).authError(e)
	}
	return jsonAuthError(e)
}

func jsonAuthError(e *sigv4.Error) *awserr.Error {
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

func (f *jsonFrontend) writeError(w http.ResponseWriter, e *awserr.Error, requestID string) {
	if !f.codec.QueryCompatible && e.Code == "AccessDenied" {
		// The authorizer words denials for the Query services; Logs says AccessDeniedException.
		e = awserr.New("AccessDeniedException", http.StatusBadRequest, true, "%s", e.Message)
	}
	res := f.codec.EncodeError(e)
	writeBody(w, res.Status, f.codec.ContentType(), requestID, res.Body, res.Header)
}

func (f *jsonFrontend) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte, info *reqctx.Info) {
	name, ok := f.codec.Operation(r.Header.Get("X-Amz-Target"))
	op, known := f.ops[name]
	if !ok || !known || r.Method != http.MethodPost {
		f.writeError(w, awserr.New("UnknownOperationException", http.StatusBadRequest, true, "%s", ""), info.RequestID)
		return
	}
	info.Operation = name
	in := op.NewInput()
	if err := f.codec.Decode(op.Model, body, in); err != nil {
		f.fail(w, err, info)
		return
	}
	out, err := dispatch(ctx, info, op, in, f.authorize, func(vs []protocol.Violation) *awserr.Error {
		return validationError(f.codec.QueryCompatible, vs)
	})
	if err != nil {
		f.fail(w, err, info)
		return
	}
	writeBody(w, http.StatusOK, f.codec.ContentType(), info.RequestID, f.codec.EncodeResult(op.Model, out), nil)
}

// validationError words model constraint failures: CloudWatch Logs as InvalidParameterException
// ("1 validation error detected: Value '...' at 'logGroupName' failed to satisfy constraint",
// grafana/grafana#79155, aws/serverless-application-model#182); a former Query service with
// its Query code ValidationError.
func validationError(queryCompatible bool, vs []protocol.Violation) *awserr.Error {
	if queryCompatible {
		return awserr.Validation("%s", protocol.ValidationMessage(vs))
	}
	return awserr.New("InvalidParameterException", http.StatusBadRequest, true, "%s", protocol.ValidationMessage(vs))
}

func (f *jsonFrontend) fail(w http.ResponseWriter, err error, info *reqctx.Info) {
	f.writeError(w, wireError(f.log, err, info, func() *awserr.Error {
		if f.codec.QueryCompatible {
			return awserr.Internal()
		}
		return awserr.New("ServiceUnavailableException", http.StatusInternalServerError, false, "The service is unavailable. Please try again later.")
	}), info.RequestID)
}

// jsonTarget reports whether an unsigned request names an operation of codec's service.
func jsonTarget(r *http.Request, codec *awsjson.Codec) bool {
	return strings.HasPrefix(r.Header.Get("X-Amz-Target"), codec.Service.TargetPrefix+".")
}
