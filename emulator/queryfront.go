package emulator

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsquery"
	"github.com/iamlocal/iamlocal/protocol/model"
	"github.com/iamlocal/iamlocal/sigv4"
)

// queryFrontend serves an AWS Query service (IAM, STS): POST / or GET /?Action=...
type queryFrontend struct {
	log       *slog.Logger
	model     *model.Service
	authorize authorizeFunc
	ops       map[string]protocol.Operation
}

func newQueryFrontend(svc *model.Service, ops []protocol.Operation, log *slog.Logger, authorize authorizeFunc) *queryFrontend {
	f := &queryFrontend{log: log, model: svc, authorize: authorize, ops: map[string]protocol.Operation{}}
	for _, op := range ops {
		f.ops[op.Name()] = op
	}
	return f
}

func (f *queryFrontend) service() string { return f.model.Name }

// IAM and STS accept 15 minutes of clock skew (their "Signature expired" text says "- 15 min.").
func (f *queryFrontend) maxSkew() time.Duration { return 15 * time.Minute }

// authError maps SigV4 failures to the Query services' codes and statuses
// (conformance/errors README, "Authentication failures").
func (f *queryFrontend) authError(e *sigv4.Error) *awserr.Error {
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

func (f *queryFrontend) writeError(w http.ResponseWriter, e *awserr.Error, requestID string) {
	writeBody(w, e.Status, "text/xml", requestID, awsquery.EncodeError(f.model, e, requestID), nil)
}

func (f *queryFrontend) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte, info *reqctx.Info) {
	params, err := queryParams(r, body)
	if err != nil {
		f.writeError(w, awserr.New("MalformedQueryString", http.StatusBadRequest, true, "%s", err.Error()), info.RequestID)
		return
	}
	action := params.Get("Action")
	op, ok := f.ops[action]
	if !ok {
		f.writeError(w, awserr.New("InvalidAction", http.StatusBadRequest, true,
			"Could not find operation %s for version %s", action, f.model.APIVersion), info.RequestID)
		return
	}
	info.Operation = action
	in := op.NewInput()
	if err := awsquery.Decode(op.Model.Input, params, in); err != nil {
		f.fail(w, err, info)
		return
	}
	out, err := dispatch(ctx, info, op, in, f.authorize, f.invalid)
	if err != nil {
		f.fail(w, err, info)
		return
	}
	writeBody(w, http.StatusOK, "text/xml", info.RequestID, awsquery.EncodeResult(f.model, op.Model, out, info.RequestID), nil)
}

func (f *queryFrontend) fail(w http.ResponseWriter, err error, info *reqctx.Info) {
	f.writeError(w, wireError(f.log, err, info, awserr.Internal), info.RequestID)
}

// invalid words model constraint failures as ValidationError; IAM leaves values out.
func (f *queryFrontend) invalid(vs []protocol.Violation) *awserr.Error {
	if f.model.Name == "iam" {
		return awserr.Validation("%s", protocol.RedactedValidationMessage(vs))
	}
	return awserr.Validation("%s", protocol.ValidationMessage(vs))
}

// queryParams merges the URL query and a form body, dropping the presign parameters.
func queryParams(r *http.Request, body []byte) (url.Values, error) {
	params, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, err
	}
	if r.Method == http.MethodPost && len(body) > 0 {
		form, err := parseForm(body)
		if err != nil {
			return nil, err
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	for k := range params {
		if strings.HasPrefix(k, "X-Amz-") {
			delete(params, k)
		}
	}
	return params, nil
}

func parseForm(body []byte) (url.Values, error) { return url.ParseQuery(string(body)) }
