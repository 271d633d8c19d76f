package lambda

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// Destinations of asynchronous invocation ("Capturing records of Lambda asynchronous
// invocations"): on success or on failure Lambda sends an invocation record, "details about
// the request and response in JSON format", to the destination of the event invoke config; a
// failed event also goes, as its payload alone, to the function's dead-letter queue
// (DeadLetterConfig). A Lambda destination is invoked asynchronously with the record: its own
// queue, retries and destinations. SQS, SNS, EventBridge and S3 destinations, which iamlocal
// does not emulate, are accepted and kept in the config; what would have been sent to one is
// reported as not delivered in the server's log and in the function's own log.

// invocationRecord is the document Lambda sends a destination, shaped as the Developer
// Guide's example record ("Example invocation record").
type invocationRecord struct {
	Version        string `json:"version"`
	Timestamp      string `json:"timestamp"`
	RequestContext struct {
		RequestID              string `json:"requestId"`
		FunctionArn            string `json:"functionArn"`
		Condition              string `json:"condition"`
		ApproximateInvokeCount int    `json:"approximateInvokeCount"`
	} `json:"requestContext"`
	RequestPayload  json.RawMessage  `json:"requestPayload"`
	ResponseContext *responseContext `json:"responseContext,omitempty"`
	ResponsePayload json.RawMessage  `json:"responsePayload,omitempty"`
}

type responseContext struct {
	StatusCode      int    `json:"statusCode"`
	ExecutedVersion string `json:"executedVersion,omitempty"`
	FunctionError   string `json:"functionError,omitempty"`
}

// asJSON is b when it is JSON, else b as a JSON string: a record embeds the payloads.
func asJSON(b []byte) json.RawMessage {
	if len(b) == 0 {
		return nil
	}
	if json.Valid(b) {
		return b
	}
	return json.RawMessage(quoteJSON(string(b)))
}

func quoteJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// record builds the invocation record of an event settled with condition.
func (s *Service) record(ref storage.LambdaFunctionRef, rec storage.LambdaAsyncEventRecord, condition string, now time.Time) []byte {
	var r invocationRecord
	r.Version = "1.0"
	r.Timestamp = now.UTC().Format("2006-01-02T15:04:05.000Z")
	r.RequestContext.RequestID = rec.RequestID
	r.RequestContext.FunctionArn = arn.Scope{Partition: s.partition, Region: ref.Region, Account: ref.Account}.
		FunctionVersion(ref.Function, nonEmpty(rec.Qualifier, latest)).String()
	r.RequestContext.Condition = condition
	r.RequestContext.ApproximateInvokeCount = rec.Attempts
	r.RequestPayload = asJSON(rec.Payload)
	if r.RequestPayload == nil {
		r.RequestPayload = json.RawMessage("null")
	}
	if last := rec.Last; last != nil {
		r.ResponseContext = &responseContext{StatusCode: last.Status, ExecutedVersion: last.ExecutedVersion, FunctionError: last.FunctionError}
		r.ResponsePayload = asJSON(last.Response)
	}
	b, _ := json.Marshal(r)
	return b
}

// route sends a settled event's record to the destination its condition names, and a failed
// event to the dead-letter queue.
func (s *Service) route(ref storage.LambdaFunctionRef, rec storage.LambdaAsyncEventRecord, es eventSettings, p prepared, condition string, now time.Time) {
	dest := es.onFailure
	if condition == condSuccess {
		dest = es.onSuccess
	}
	if dest != "" {
		s.sendRecord(ref, rec, p, dest, condition, now)
	}
	if condition != condSuccess && p.deadLetter != "" {
		s.notDelivered(ref, p, now, fmt.Sprintf("the event of request %s (%s) was not sent to the dead-letter queue %s: iamlocal does not emulate %s",
			rec.RequestID, condition, p.deadLetter, serviceOf(p.deadLetter)))
	}
}

// sendRecord invokes a Lambda destination asynchronously with the record, or reports a
// destination iamlocal does not emulate (or a function it does not hold) as not delivered.
func (s *Service) sendRecord(ref storage.LambdaFunctionRef, rec storage.LambdaAsyncEventRecord, p prepared, dest, condition string, now time.Time) {
	what := "OnFailure"
	if condition == condSuccess {
		what = "OnSuccess"
	}
	if why := s.deliveryRefused(p, dest); why != "" {
		s.notDelivered(ref, p, now, fmt.Sprintf("the invocation record of request %s (%s) was not sent to the %s destination %s: %s",
			rec.RequestID, condition, what, dest, why))
		return
	}
	if serviceOf(dest) != "lambda" {
		s.notDelivered(ref, p, now, fmt.Sprintf("the invocation record of request %s (%s) was not sent to the %s destination %s: iamlocal does not emulate %s",
			rec.RequestID, condition, what, dest, serviceOf(dest)))
		return
	}
	target, err := ParseFunctionName(dest)
	if err == nil {
		to := storage.LambdaFunctionRef{Account: nonEmpty(target.Account, ref.Account), Region: nonEmpty(target.Region, ref.Region), Function: target.Name}
		err = s.async.enqueue(to, storage.LambdaAsyncEventRecord{V: 1, RequestID: s.ids.UUID(), Qualifier: target.Qualifier,
			Payload: s.record(ref, rec, condition, now), Received: now, NextAt: now})
	}
	if err != nil {
		s.notDelivered(ref, p, now, fmt.Sprintf("the invocation record of request %s (%s) was not sent to the %s destination %s: %v",
			rec.RequestID, condition, what, dest, err))
	}
}

// serviceOf is the service an ARN names ("" when it is none).
func serviceOf(s string) string {
	a, err := arn.Parse(s)
	if err != nil {
		return ""
	}
	return a.Service
}

// notDelivered reports what could not be sent: in the server's log, and as a line of the
// function's log in a stream of its own.
func (s *Service) notDelivered(ref storage.LambdaFunctionRef, p prepared, now time.Time, what string) {
	s.log.Warn("asynchronous invocation: not delivered", "account", ref.Account, "region", ref.Region, "function", ref.Function, "what", what)
	if s.hooks.Log == nil {
		return
	}
	group := nonEmpty(p.fn.LogGroup, "/aws/lambda/"+ref.Function)
	stream := now.UTC().Format("2006/01/02") + "/iamlocal-async-destinations"
	s.hooks.Log(ref.Account, ref.Region, group, stream, now, "iamlocal: "+what)
}
