package emulator

import (
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iamlocal/iamlocal/api/accessanalyzerapi"
	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/lambda"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsjson"
	"github.com/iamlocal/iamlocal/protocol/awsquery"
	"github.com/iamlocal/iamlocal/protocol/model"
	"github.com/iamlocal/iamlocal/protocol/restjson"
	"github.com/iamlocal/iamlocal/protocol/rpcv2cbor"
)

// service is one entry of the service table: everything the server needs to route, sign,
// word, authorize and report a service. Routing, unsigned detection, health, the policy
// pre-filter, the decision log and the docs' service list all derive from the table, so adding
// a service is one declaration here plus its package.
type service struct {
	name        string // as health and the docs list it: cloudwatch
	title       string // as people name it: CloudWatch
	signingName string // the SigV4 credential scope's service: monitoring
	// model loads the service's API model (parsed on first use, then shared).
	model func() *model.Service
	// regional services keep their state per account and region; IAM and STS are global.
	regional bool
	// faces are the protocols the service answers, tried in order against a request's shape;
	// the last answers any request of the service that none recognizes. The table's are
	// lazyCodecs: built on the first request that needs them.
	faces   []protocol.Codec
	dialect protocol.Dialect
	authz   authorize.Service
	// unsigned are the operations AWS serves without a signature (the request carries its own
	// credential, a token or an assertion, which the handler checks).
	unsigned []string
	// limits bound request bodies (limits.go); none: the server's MaxBodyBytes.
	limits bodyLimits
	// streamed are the operations answered as an event stream (responsestream.go).
	streamed map[string]streamedOp
}

// face picks the protocol of a request to this service.
func (s *service) face(r *http.Request, body []byte) protocol.Codec {
	for _, f := range s.faces[:len(s.faces)-1] {
		if f.Recognizes(r, body) {
			return f
		}
	}
	return s.faces[len(s.faces)-1]
}

// recognizes reports a request with the shape of one of the service's faces.
func (s *service) recognizes(r *http.Request, body []byte) (protocol.Codec, bool) {
	for _, f := range s.faces {
		if f.Recognizes(r, body) {
			return f, true
		}
	}
	return nil, false
}

func (s *service) allowsUnsigned(op string) bool { return slices.Contains(s.unsigned, op) }

// compressed reports whether any operation accepts a gzip-compressed body (the model's
// requestcompression trait: CloudWatch's PutMetricData, which the SDKs compress).
func (s *service) compressed() bool {
	for _, op := range s.model().Operations {
		if slices.Contains(op.RequestCompression, "gzip") {
			return true
		}
	}
	return false
}

// The dialects of the services iamlocal emulates (conformance/errors README for the codes).
var (
	// IAM leaves values out of validation messages since 2025.
	iamDialect = protocol.Dialect{MaxSkew: 15 * time.Minute, Auth: protocol.QueryAuth,
		Denied:   protocol.Denial("AccessDenied", http.StatusForbidden, ""),
		Invalid:  protocol.ValidationErrors("ValidationError", true),
		Internal: awserr.Internal}
	stsDialect = protocol.Dialect{MaxSkew: 15 * time.Minute, Auth: protocol.QueryAuth,
		Denied:   protocol.Denial("AccessDenied", http.StatusForbidden, ""),
		Invalid:  protocol.ValidationErrors("ValidationError", false),
		Internal: awserr.Internal}
	// Lambda allows 5 minutes of skew ("- 5 min." in its Signature expired text) and spells its
	// denial's message key "Message" (danilop/LambdAuth#37).
	lambdaDialect = protocol.Dialect{MaxSkew: 5 * time.Minute, Auth: protocol.RESTAuth,
		Denied:   protocol.Denial("AccessDeniedException", http.StatusForbidden, "Message"),
		Invalid:  protocol.ValidationErrors("ValidationException", false),
		Internal: protocol.InternalError("ServiceException", "An internal error occurred.")}
	// CloudWatch Logs answers 400 AccessDeniedException (elastic/apm-aws-lambda#526) and
	// InvalidParameterException for constraint failures (grafana/grafana#79155,
	// aws/serverless-application-model#182).
	logsDialect = protocol.Dialect{MaxSkew: 5 * time.Minute, Auth: protocol.JSONAuth,
		Denied:   protocol.Denial("AccessDeniedException", http.StatusBadRequest, ""),
		Invalid:  protocol.ValidationErrors("InvalidParameterException", false),
		Internal: protocol.InternalError("ServiceUnavailableException", "The service is unavailable. Please try again later.")}
	// CloudWatch, a former Query service, keeps its Query codes and 15 minutes on every face.
	cloudwatchDialect = protocol.Dialect{MaxSkew: 15 * time.Minute, Auth: protocol.QueryAuth,
		Denied:   protocol.Denial("AccessDenied", http.StatusForbidden, ""),
		Invalid:  protocol.ValidationErrors("ValidationError", false),
		Internal: awserr.Internal}
	// IAM Access Analyzer, a REST JSON service like Lambda, answers SigV4 failures as Lambda's
	// front end does; its model gives AccessDeniedException (403, "message"), a
	// ValidationException that carries a reason and the failing fields, and
	// InternalServerException (500).
	accessAnalyzerDialect = protocol.Dialect{MaxSkew: 5 * time.Minute, Auth: protocol.RESTAuth,
		Denied:   protocol.Denial("AccessDeniedException", http.StatusForbidden, ""),
		Invalid:  accessAnalyzerInvalid,
		Internal: protocol.InternalError("InternalServerException", "Internal server error")}
)

// accessAnalyzerInvalid words constraint failures as Access Analyzer's ValidationException:
// the model requires its reason (fieldValidationFailed) and lists the fields (name, message).
func accessAnalyzerInvalid(vs []protocol.Violation) *awserr.Error {
	e := protocol.ValidationErrors("ValidationException", false)(vs)
	fields := make([]map[string]string, len(vs))
	for i, v := range vs {
		fields[i] = map[string]string{"name": v.Path, "message": v.Text}
	}
	e.Fields = map[string]any{"reason": "fieldValidationFailed", "fieldList": fields}
	return e
}

// handlers are the service implementations the table binds.
type handlers struct {
	iam        iamapi.Handler
	sts        stsapi.Handler
	lambda     lambdaapi.Handler
	logs       logsapi.Handler
	cloudwatch cloudwatchapi.Handler
	// accessAnalyzer serves IAM Access Analyzer's policy checks.
	accessAnalyzer accessanalyzerapi.Handler
}

// declareServices is the service table. The first entry answers requests no entry recognizes.
// Each face is built on first use: a codec parses its model and compiles its routes (tens of
// milliseconds for the five), which a server should not spend before it answers its first
// request, nor at all for a service it is never sent.
func declareServices(h handlers) []*service {
	cwOps := sync.OnceValue(func() []protocol.Operation { return cloudwatchapi.Operations(h.cloudwatch) })
	lambdaWords := lambdaDialect
	lambdaWords.Constraints = sync.OnceValue(func() *protocol.Constraints { return lambda.Constraints(lambdaapi.Model()) })
	return []*service{
		{name: "iam", title: "IAM", signingName: "iam", model: iamapi.Model, dialect: iamDialect, authz: authorize.IAM, limits: iamLimits(),
			faces: []protocol.Codec{lazy("awsQuery", func() protocol.Codec { return awsquery.New(iamapi.Model(), iamapi.Operations(h.iam)) })}},
		{name: "sts", title: "STS", signingName: "sts", model: stsapi.Model, dialect: stsDialect, authz: authorize.STS, limits: stsLimits(),
			faces:    []protocol.Codec{lazy("awsQuery", func() protocol.Codec { return awsquery.New(stsapi.Model(), stsapi.Operations(h.sts)) })},
			unsigned: []string{"AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"}},
		{name: "lambda", title: "Lambda", signingName: "lambda", model: lambdaapi.Model, regional: true, dialect: lambdaWords, authz: authorize.Lambda,
			limits: lambdaLimits(), faces: []protocol.Codec{lazy("restJson1", func() protocol.Codec {
				return restjson.New(lambdaapi.Model(), lambdaapi.Operations(h.lambda))
			})},
			streamed: lambdaStreamed(h.lambda)},
		{name: "logs", title: "CloudWatch Logs", signingName: "logs", model: logsapi.Model, regional: true, dialect: logsDialect, authz: authorize.Logs,
			limits: logsLimits(), faces: []protocol.Codec{lazy("awsJson1_1", func() protocol.Codec {
				return awsjson.New(&awsjson.Codec{Service: logsapi.Model()}, logsapi.Operations(h.logs))
			})}},
		// Clients pick CloudWatch's face by what they support (the model lists
		// smithy-rpc-v2-cbor, json, query): aws-sdk-go-v2 sends CBOR, botocore 1.43 JSON 1.0,
		// older SDKs Query.
		{name: "cloudwatch", title: "CloudWatch", signingName: "monitoring", model: cloudwatchapi.Model, regional: true, dialect: cloudwatchDialect, authz: authorize.CloudWatch,
			limits: cloudwatchLimits(), faces: []protocol.Codec{
				lazy("rpcv2Cbor", func() protocol.Codec {
					return rpcv2cbor.New(&rpcv2cbor.Codec{Service: cloudwatchapi.Model(), ServiceName: "GraniteServiceVersion20100801",
						Namespace: "com.amazonaws.cloudwatch", QueryCompatible: true}, cwOps())
				}),
				lazy("awsJson1_0", func() protocol.Codec {
					return awsjson.New(&awsjson.Codec{Service: cloudwatchapi.Model(), QueryCompatible: true}, cwOps())
				}),
				lazy("awsQuery", func() protocol.Codec { return awsquery.New(cloudwatchapi.Model(), cwOps()) }),
			}},
		// Access Analyzer is regional (access-analyzer.<region>.amazonaws.com); its policy
		// checks keep no state.
		{name: "accessanalyzer", title: "IAM Access Analyzer", signingName: "access-analyzer", model: accessanalyzerapi.Model, regional: true, dialect: accessAnalyzerDialect,
			authz: authorize.Generic("access-analyzer"), limits: accessAnalyzerLimits(),
			faces: []protocol.Codec{lazy("restJson1", func() protocol.Codec {
				return restjson.New(accessanalyzerapi.Model(), accessanalyzerapi.Operations(h.accessAnalyzer))
			})}},
	}
}

// lazyCodec is a codec built on its first use but for its name, which the table and the docs
// read without a request.
type lazyCodec struct {
	name  string
	codec func() protocol.Codec
	built atomic.Bool // for tests: whether anything has needed the codec yet
}

var _ protocol.Codec = (*lazyCodec)(nil)

func lazy(name string, build func() protocol.Codec) *lazyCodec {
	c := &lazyCodec{name: name}
	c.codec = sync.OnceValue(func() protocol.Codec {
		c.built.Store(true)
		return build()
	})
	return c
}

func (c *lazyCodec) Name() string { return c.name }

func (c *lazyCodec) Recognizes(r *http.Request, body []byte) bool {
	return c.codec().Recognizes(r, body)
}

func (c *lazyCodec) Route(r *http.Request, body []byte) (protocol.Route, *awserr.Error) {
	return c.codec().Route(r, body)
}

func (c *lazyCodec) Result(op *protocol.Operation, out any, requestID string) protocol.Wire {
	return c.codec().Result(op, out, requestID)
}

func (c *lazyCodec) Failure(e *awserr.Error, requestID string) protocol.Wire {
	return c.codec().Failure(e, requestID)
}
