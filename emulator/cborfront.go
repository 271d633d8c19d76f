package emulator

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/cloudwatch"
	"github.com/iamlocal/iamlocal/emulator/logs"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsjson"
	"github.com/iamlocal/iamlocal/protocol/rpcv2cbor"
	"github.com/iamlocal/iamlocal/sigv4"
)

// cborFrontend serves a Smithy RPC v2 CBOR service: CloudWatch as aws-sdk-go-v2's
// service/cloudwatch (v1.75) calls it, POST /service/GraniteServiceVersion20100801/operation/Op.
type cborFrontend struct {
	log       *slog.Logger
	codec     *rpcv2cbor.Codec
	authorize authorizeFunc
	ops       map[string]protocol.Operation
}

func newCBORFrontend(codec *rpcv2cbor.Codec, ops []protocol.Operation, log *slog.Logger, authorize authorizeFunc) *cborFrontend {
	f := &cborFrontend{log: log, codec: codec, authorize: authorize, ops: map[string]protocol.Operation{}}
	for _, op := range ops {
		f.ops[op.Name()] = op
	}
	return f
}

func (f *cborFrontend) service() string { return f.codec.Service.Name }

func (f *cborFrontend) maxSkew() time.Duration { return 15 * time.Minute }

// authError keeps CloudWatch's Query codes, which travel in x-amzn-query-error.
func (f *cborFrontend) authError(e *sigv4.Error) *awserr.Error {
	if f.codec.QueryCompatible {
		return (&queryFrontend{}).authError(e)
	}
	return jsonAuthError(e)
}

func (f *cborFrontend) writeError(w http.ResponseWriter, e *awserr.Error, requestID string) {
	res := f.codec.EncodeError(e)
	res.Header.Set(rpcv2cbor.ProtocolHeader, rpcv2cbor.ProtocolValue)
	writeBody(w, res.Status, rpcv2cbor.ContentType, requestID, res.Body, res.Header)
}

func (f *cborFrontend) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte, info *reqctx.Info) {
	svc, name, ok := rpcv2cbor.ParsePath(r.URL.Path)
	op, known := f.ops[name]
	if !ok || !known || svc != f.codec.ServiceName || r.Method != http.MethodPost {
		f.writeError(w, awserr.New("UnknownOperationException", http.StatusNotFound, true, "%s", ""), info.RequestID)
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
	h := http.Header{}
	h.Set(rpcv2cbor.ProtocolHeader, rpcv2cbor.ProtocolValue)
	writeBody(w, http.StatusOK, rpcv2cbor.ContentType, info.RequestID, f.codec.EncodeResult(op.Model, out), h)
}

func (f *cborFrontend) fail(w http.ResponseWriter, err error, info *reqctx.Info) {
	f.writeError(w, wireError(f.log, err, info, awserr.Internal), info.RequestID)
}

// monitoring holds CloudWatch's three faces: Query (XML), JSON 1.0 and RPC v2 CBOR. Clients pick
// by what they support (the model lists smithy-rpc-v2-cbor, json, query): aws-sdk-go-v2 sends
// CBOR, botocore 1.43 JSON, older SDKs Query.
type monitoring struct {
	query *queryFrontend
	json  *jsonFrontend
	cbor  *cborFrontend
}

// pick chooses the face by the request's shape.
func (m *monitoring) pick(r *http.Request) frontend {
	if _, _, ok := rpcv2cbor.ParsePath(r.URL.Path); ok {
		return inflating{m.cbor}
	}
	if jsonTarget(r, m.json.codec) {
		return inflating{m.json}
	}
	return inflating{m.query}
}

// maxInflated bounds a decompressed CloudWatch request (PutMetricData takes up to 1 MB).
const maxInflated = 8 << 20

// inflating decompresses a gzip request body (Content-Encoding: gzip) after the signature,
// which covers the compressed bytes, has been verified: the SDKs compress PutMetricData
// (Smithy's requestCompression trait; aws-sdk-go-v2 does it for every size).
type inflating struct{ frontend }

func (f inflating) serve(ctx context.Context, w http.ResponseWriter, r *http.Request, body []byte, info *reqctx.Info) {
	if strings.EqualFold(strings.TrimSpace(r.Header.Get("Content-Encoding")), "gzip") {
		raw, err := gunzip(body)
		if err != nil {
			f.writeError(w, awserr.New("SerializationException", http.StatusBadRequest, true, "The request body could not be decompressed."), info.RequestID)
			return
		}
		body = raw
		r.Body = io.NopCloser(bytes.NewReader(raw))
		r.Header.Del("Content-Encoding")
	}
	f.frontend.serve(ctx, w, r, body, info)
}

func gunzip(body []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxInflated+1))
	if err != nil {
		return nil, err
	}
	if len(raw) > maxInflated {
		return nil, errors.New("decompressed body too large")
	}
	return raw, nil
}

// unsignedFace recognises an unsigned CloudWatch or CloudWatch Logs request by its shape, so it
// gets its service's error format (nil when it is neither).
func (s *Server) unsignedFace(r *http.Request, body []byte) frontend {
	if svc, _, ok := rpcv2cbor.ParsePath(r.URL.Path); ok && svc == s.monitoring.cbor.codec.ServiceName {
		return inflating{s.monitoring.cbor}
	}
	if jsonTarget(r, s.logs.codec) {
		return s.logs
	}
	if jsonTarget(r, s.monitoring.json.codec) {
		return inflating{s.monitoring.json}
	}
	if queryParam(r, body, "Version") == s.monitoring.query.model.APIVersion {
		return inflating{s.monitoring.query}
	}
	return nil
}

// buildMonitoring constructs CloudWatch Logs and CloudWatch with their frontends. The Lambda
// executor writes function output through s.logsSvc.Sink() and invocation metrics through
// s.metrics.RecordLambda.
func (s *Server) buildMonitoring() {
	s.logsSvc = logs.New(logs.Options{DB: s.db, Clock: s.clock, Region: s.opts.Region, Partition: s.opts.Partition, Logger: s.log})
	s.logs = newJSONFrontend(&awsjson.Codec{Service: logsapi.Model()}, logsapi.Operations(s.logsSvc), s.log, s.authz.Authorize)
	s.metrics = cloudwatch.New(cloudwatch.Options{DB: s.db, Clock: s.clock, Region: s.opts.Region, Partition: s.opts.Partition, Logger: s.log})
	ops := cloudwatchapi.Operations(s.metrics)
	model := cloudwatchapi.Model()
	s.monitoring = &monitoring{
		query: newQueryFrontend(model, ops, s.log, s.authz.Authorize),
		json:  newJSONFrontend(&awsjson.Codec{Service: model, QueryCompatible: true}, ops, s.log, s.authz.Authorize),
		cbor: newCBORFrontend(&rpcv2cbor.Codec{Service: model, ServiceName: "GraniteServiceVersion20100801",
			Namespace: "com.amazonaws.cloudwatch", QueryCompatible: true}, ops, s.log, s.authz.Authorize),
	}
}
