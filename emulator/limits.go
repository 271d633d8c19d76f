package emulator

import (
	"net/http"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// bodyLimit is the most a request body may carry and AWS's answer to one that carries more
// (size is what the request declared or, for a body of unknown length, what had arrived when
// it passed the limit).
type bodyLimit struct {
	bytes    int64
	tooLarge func(op string, size, limit int64) *awserr.Error
}

// bodyLimits are one service's request-size limits. A body is refused before it is read when
// its Content-Length says it is too large, and while it is read when it turns out to be; the
// limit is chosen before the body is read, from what the request line and headers say.
type bodyLimits struct {
	// other bounds every operation not in ops. A Query service's Action may be in the body
	// alone, so before the body is read only other applies: it must be the largest of the
	// service's limits (a test checks).
	other bodyLimit
	// ops are per-operation limits by model name, checked before the body is read where the
	// operation is known from the request line or headers (REST paths, X-Amz-Target, the RPC
	// v2 CBOR path) and again once the request is routed.
	ops map[string]bodyLimit
	// refine adjusts an operation's limit by the request's headers (Lambda's Event invokes).
	refine func(op string, r *http.Request, l bodyLimit) bodyLimit
}

// forOp is the limit of op ("" when the operation is not known yet).
func (b bodyLimits) forOp(op string, r *http.Request) bodyLimit {
	l, ok := b.ops[op]
	if !ok {
		l = b.other
	}
	if b.refine != nil && op != "" {
		l = b.refine(op, r, l)
	}
	return l
}

// largest is the service's largest limit.
func (b bodyLimits) largest() int64 {
	n := b.other.bytes
	for _, l := range b.ops {
		n = max(n, l.bytes)
	}
	return n
}

// The request-size limits of the services iamlocal emulates. Where AWS publishes a number or a
// capture shows one, it is used with AWS's words; elsewhere the limit is derived from the model
// so that every request the model allows fits, and the source says so.
//
// Form and JSON encodings grow a value: percent-encoding triples a byte at most (%XX), and
// JSON escaping multiplies one by six at most (\u00XX).
const (
	// IAM: the largest member is CreateSAMLProvider's and UpdateSAMLProvider's
	// SAMLMetadataDocument, up to 10,000,000 characters (IAM API reference, Length Constraints),
	// form-encoded, plus 64 KiB for every other parameter. AWS publishes no request size for IAM.
	iamMaxBody = 3*10_000_000 + 64<<10
	// STS: AssumeRoleWithSAML is the largest request, 3 × (100,000 SAMLAssertion + 10 × 2,048
	// PolicyArns + 2,048 Policy + 2 × 2,048 RoleArn and PrincipalArn) = 379,872 bytes of values
	// form-encoded, rounded up to 384 KiB for the parameter names. AWS publishes no request
	// size for STS.
	stsMaxBody = 384 << 10
	// Lambda: "Request must be smaller than 70167211 bytes for the CreateFunction operation"
	// (internal/awsdata/conformance/errors, LocalStack's recording of AWS): a 50 MB zip as
	// base64 in JSON. UpdateFunctionCode and PublishLayerVersion carry the same zip.
	lambdaCodeBody = 70_167_211
	// Lambda synchronous Invoke: "Request must be smaller than 6291456 bytes for the
	// InvokeFunction operation" (JupiterOne/sdk#565, pelmers/streetwarp-web#14); the Lambda
	// quotas page: "6 MB each for request and response (synchronous)". No capture shows the
	// limit of the other control-plane operations: they are given the same 6 MiB.
	lambdaSyncBody = 6_291_456
	// Lambda Invoke with InvocationType Event: 1 MB since 2025 (Invoke API reference: "For
	// asynchronous invocations, the maximum payload size is 1 MB"); AWS answers "264496 byte
	// payload is too large for the Event invocation type (limit 262144 bytes)"
	// (ASFHyP3/hyp3#2241, before the raise; "limit 1048576 bytes" after it,
	// aws-solutions-library-samples/accelerated-intelligent-document-processing-on-aws#611).
	lambdaEventBody = 1_048_576
	// Lambda InvokeAsync (deprecated): "The payload limit is 256KB" (InvokeAsync API reference).
	lambdaInvokeAsyncBody = 262_144
	// CloudWatch Logs PutLogEvents: "The maximum batch size is 1,048,576 bytes. This size is
	// calculated as the sum of all event messages in UTF-8, plus 26 bytes for each log event"
	// and at most 10,000 events (PutLogEvents API reference). The limit is on the batch, not the
	// body, so the body may carry every message JSON-escaped and each event's framing
	// ({"timestamp":...,"message":""}, under 64 bytes) besides the group and stream names.
	logsBatchLimit   = 1_048_576
	logsPutEventBody = 6*logsBatchLimit + 10_000*64 + 4<<10
	// CloudWatch Logs' other operations (the ones iamlocal emulates take names, tags and
	// patterns of at most a few KiB): 1 MiB, the scale of its one published request size.
	logsMaxBody = 1 << 20
	// CloudWatch: "Each PutMetricData request is limited to 1 MB in size for HTTP POST
	// requests" (PutMetricData API reference), answered "RequestEntityTooLarge: Request size
	// 45305 exceeded 40960 bytes" with 413 (aws/aws-sdk-go#4441, from the former 40 KB limit);
	// GetMetricData: "Request size 639468 exceeded 614400 bytes" (influxdata/telegraf#10842).
	// No other operation has a published limit: they are given PutMetricData's.
	cloudwatchMaxBody       = 1_048_576
	cloudwatchGetMetricBody = 614_400
	// IAM Access Analyzer publishes no request size and its model bounds no policy document;
	// the largest policies AWS stores are a few tens of KB (20 KB for an S3 bucket policy), so
	// 1 MiB holds every check's documents JSON-escaped with room to spare.
	accessAnalyzerMaxBody = 1 << 20
)

// The limits of each service, as its declaration in services.go takes them.
func iamLimits() bodyLimits { return bodyLimits{other: bodyLimit{iamMaxBody, queryTooLarge}} }

func stsLimits() bodyLimits { return bodyLimits{other: bodyLimit{stsMaxBody, queryTooLarge}} }

func lambdaLimits() bodyLimits {
	return bodyLimits{
		other: bodyLimit{lambdaSyncBody, lambdaTooLarge},
		ops: map[string]bodyLimit{
			"CreateFunction":      {lambdaCodeBody, lambdaTooLarge},
			"UpdateFunctionCode":  {lambdaCodeBody, lambdaTooLarge},
			"PublishLayerVersion": {lambdaCodeBody, lambdaTooLarge},
			"InvokeAsync":         {lambdaInvokeAsyncBody, lambdaTooLarge},
		},
		refine: lambdaEventInvoke,
	}
}

func logsLimits() bodyLimits {
	return bodyLimits{
		other: bodyLimit{logsMaxBody, logsTooLarge},
		ops:   map[string]bodyLimit{"PutLogEvents": {logsPutEventBody, logsTooLarge}},
	}
}

func cloudwatchLimits() bodyLimits {
	return bodyLimits{
		other: bodyLimit{cloudwatchMaxBody, queryTooLarge},
		ops:   map[string]bodyLimit{"GetMetricData": {cloudwatchGetMetricBody, queryTooLarge}},
	}
}

func accessAnalyzerLimits() bodyLimits {
	return bodyLimits{other: bodyLimit{accessAnalyzerMaxBody, genericTooLarge}}
}

// lambdaEventInvoke applies the asynchronous payload limit to Invoke with InvocationType Event
// (the X-Amz-Invocation-Type header).
func lambdaEventInvoke(op string, r *http.Request, l bodyLimit) bodyLimit {
	if op == "Invoke" && r.Header.Get("X-Amz-Invocation-Type") == "Event" {
		return bodyLimit{lambdaEventBody, func(_ string, size, limit int64) *awserr.Error {
			return lambdaRequestTooLarge("%d byte payload is too large for the Event invocation type (limit %d bytes)", size, limit)
		}}
	}
	return l
}

// lambdaTooLarge names the operation as Lambda's front end does: Invoke is InvokeFunction there.
func lambdaTooLarge(op string, _, limit int64) *awserr.Error {
	if op == "Invoke" {
		op = "InvokeFunction"
	}
	return lambdaRequestTooLarge("Request must be smaller than %d bytes for the %s operation", limit, op)
}

// lambdaRequestTooLarge is the model's RequestTooLargeException under the code AWS sends,
// RequestEntityTooLargeException, without a Type (internal/awsdata/conformance/errors README;
// "Error Code: RequestEntityTooLargeException" in aws/aws-pdk#771).
func lambdaRequestTooLarge(format string, args ...any) *awserr.Error {
	return awserr.New("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, true, format, args...)
}

// logsTooLarge is CloudWatch Logs' answer to a batch over its size: "InvalidParameterException:
// Upload too large: 1049882 bytes exceeds limit of 1048576", 400
// (nhs-england-tools/terraform-aws-opennext#27, cloudstax/firecamp#82). AWS counts the batch;
// the body is what iamlocal can count before decoding, and a body over the limit above carries
// a batch over AWS's.
func logsTooLarge(_ string, size, _ int64) *awserr.Error {
	return logsapi.ErrInvalidParameter("Upload too large: %d bytes exceeds limit of %d", size, logsBatchLimit)
}

// queryTooLarge is CloudWatch's answer (see cloudwatchMaxBody), which IAM and STS, Query
// services on the same front end, are assumed to share: no capture shows theirs.
func queryTooLarge(_ string, size, limit int64) *awserr.Error {
	return awserr.New("RequestEntityTooLarge", http.StatusRequestEntityTooLarge, true, "Request size %d exceeded %d bytes", size, limit)
}

// genericTooLarge answers for a service declared without limits (a test's toy service), and
// for Access Analyzer, whose answer is not on record.
func genericTooLarge(_ string, _, limit int64) *awserr.Error {
	return awserr.New("RequestEntityTooLargeException", http.StatusRequestEntityTooLarge, true,
		"Request must be smaller than %d bytes for the operation", limit)
}

// opBeforeBody is the operation a request calls when its protocol names it outside the body:
// every protocol but Query, whose Action may be in the body ("" then, and for a request no
// operation matches).
func opBeforeBody(face protocol.Codec, r *http.Request) string {
	if face.Name() == "awsQuery" {
		return ""
	}
	route, err := face.Route(r, nil)
	if err != nil {
		return ""
	}
	return route.Op.Name()
}

// limitFor is the limit of a request to svc calling op ("" when unknown), within the server's
// MaxBodyBytes.
func (s *Server) limitFor(svc *service, op string, r *http.Request) bodyLimit {
	l := svc.limits.forOp(op, r)
	if l.bytes == 0 {
		l = bodyLimit{s.opts.MaxBodyBytes, genericTooLarge}
	}
	l.bytes = min(l.bytes, s.opts.MaxBodyBytes)
	return l
}

// largestLimit is the largest body any request to svc may carry.
func (s *Server) largestLimit(svc *service) int64 {
	n := svc.limits.largest()
	if n == 0 {
		n = s.opts.MaxBodyBytes
	}
	return min(n, s.opts.MaxBodyBytes)
}

// unsignedLimit bounds an unsigned body, read before its service is known: the largest limit
// of the services that serve operations unsigned (STS, for AssumeRoleWithSAML), so the only
// bodies an unsigned request can need, and small.
func (s *Server) unsignedLimit() int64 {
	var n int64
	for _, svc := range s.services {
		if len(svc.unsigned) > 0 {
			n = max(n, s.largestLimit(svc))
		}
	}
	return n
}
