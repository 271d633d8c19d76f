package emulator

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/gorilla/mux"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/model"
	"github.com/iamlocal/iamlocal/protocol/restjson"
	"github.com/iamlocal/iamlocal/sigv4"
)

// restFrontend serves a REST-JSON service (Lambda).
type restFrontend struct {
	log       *slog.Logger
	model     *model.Service
	authorize authorizeFunc
	router    *mux.Router
}

type ctxBody struct{}

func newRestFrontend(svc *model.Service, ops []protocol.Operation, log *slog.Logger, authorize authorizeFunc) *restFrontend {
	f := &restFrontend{log: log, model: svc, authorize: authorize}
	f.router = restjson.NewRouter(ops, func(op protocol.Operation) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { f.call(w, r, op) })
	})
	f.router.NotFoundHandler = http.HandlerFunc(f.notFound)
	f.router.MethodNotAllowedHandler = http.HandlerFunc(f.notFound)
	return f
}

func (f *restFrontend) service() string { return f.model.Name }

// Lambda allows 5 minutes of skew ("- 5 min." in its Signature expired text).
func (f *restFrontend) maxSkew() time.Duration { return 5 * time.Minute }

// authError maps SigV4 failures to Lambda's codes (conformance/errors README).
func (f *restFrontend) authError(e *sigv4.Error) *awserr.Error {
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

func (f *restFrontend) writeError(w http.ResponseWriter, e *awserr.Error, requestID string) {
	res := restjson.EncodeError(f.model, e)
	writeBody(w, res.Status, res.ContentType, requestID, res.Body, res.Header)
}

func (f *restFrontend) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte, info *reqctx.Info) {
	ctx = context.WithValue(ctx, ctxBody{}, body)
	f.router.ServeHTTP(w, r.WithContext(ctx))
}

// notFound answers paths and methods Lambda does not have, as its front end does.
func (f *restFrontend) notFound(w http.ResponseWriter, r *http.Request) {
	info := reqctx.From(r.Context())
	f.writeError(w, awserr.New("UnknownOperationException", http.StatusNotFound, true, "Unknown operation %s %s", r.Method, r.URL.Path), info.RequestID)
}

func (f *restFrontend) call(w http.ResponseWriter, r *http.Request, op protocol.Operation) {
	ctx := r.Context()
	info := reqctx.From(ctx)
	info.Operation = op.Name()
	body, _ := ctx.Value(ctxBody{}).([]byte)
	in := op.NewInput()
	if err := restjson.Decode(op.Model, r, mux.Vars(r), body, in); err != nil {
		f.fail(w, err, info)
		return
	}
	out, err := dispatch(ctx, info, op, in, f.authorize, invalidREST)
	if err != nil {
		f.fail(w, err, info)
		return
	}
	res := restjson.EncodeResult(op.Model, out)
	writeBody(w, res.Status, res.ContentType, info.RequestID, res.Body, res.Header)
}

func (f *restFrontend) fail(w http.ResponseWriter, err error, info *reqctx.Info) {
	f.writeError(w, wireError(f.log, err, info, func() *awserr.Error {
		return awserr.New("ServiceException", http.StatusInternalServerError, false, "An internal error occurred.")
	}), info.RequestID)
}

// invalidREST words model constraint failures as Lambda's ValidationException.
func invalidREST(vs []protocol.Violation) *awserr.Error {
	return awserr.New("ValidationException", http.StatusBadRequest, true, "%s", protocol.ValidationMessage(vs))
}
