package integration

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Asynchronous invocation as Lambda delivers it, through aws-sdk-go-v2 and boto3: the event is
// queued, retried on function errors, and its invocation record goes to the OnSuccess or
// OnFailure function ("Capturing records of Lambda asynchronous invocations"). The servers
// run with an asynchronous delay scale, so Lambda's one-minute retry waits take milliseconds.

const (
	pythonFlaky = `
import os

def handler(event, context):
    if os.environ.get("FAIL") == "1":
        raise ValueError("not this time")
    return {"handled": event}
`
	// pythonSink prints the invocation record it is given, for the test to read in its log.
	pythonSink = `
import json

def handler(event, context):
    print("RECORD " + json.dumps(event))
    return None
`
)

// asyncFixture is a server with the functions flaky (failing while FAIL=1) and sink.
type asyncFixture struct {
	srv  *emulatortest.Server
	fns  *lambda.Client
	logs *cloudwatchlogs.Client
	ctx  context.Context
}

func newAsyncFixture(t *testing.T, srv *emulatortest.Server, fail string) *asyncFixture {
	t.Helper()
	ctx := context.Background()
	f := &asyncFixture{srv: srv, fns: lambda.NewFromConfig(srv.AWSConfig(ctx)), logs: cloudwatchlogs.NewFromConfig(srv.AWSConfig(ctx)), ctx: ctx}
	admin := iam.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, admin, "async-exec", lambdaExecTrust)
	// What a real deployment needs for its destination: Lambda delivers as this role.
	if _, err := admin.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("async-exec"), PolicyName: aws.String("destinations"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:sink"}]}`)}); err != nil {
		t.Fatal(err)
	}
	for name, code := range map[string]string{"flaky": pythonFlaky, "sink": pythonSink} {
		if _, err := f.fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Timeout: aws.Int32(30),
			Environment: &lambdatypes.Environment{Variables: map[string]string{"FAIL": fail}},
			Code:        &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": code})}}); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

func asyncServer(t *testing.T, opts ...func(*emulator.Options)) *emulatortest.Server {
	t.Helper()
	needBoto3(t)
	return emulatortest.New(t, append([]func(*emulator.Options){func(o *emulator.Options) { o.AsyncDelayScale = 0.001 }}, opts...)...)
}

// destination sets flaky's OnSuccess or OnFailure destination to sink.
func (f *asyncFixture) destination(t *testing.T, onSuccess bool) {
	t.Helper()
	sink := "arn:aws:lambda:us-east-1:123456789012:function:sink"
	dc := &lambdatypes.DestinationConfig{OnFailure: &lambdatypes.OnFailure{Destination: aws.String(sink)}}
	if onSuccess {
		dc = &lambdatypes.DestinationConfig{OnSuccess: &lambdatypes.OnSuccess{Destination: aws.String(sink)}}
	}
	if _, err := f.fns.PutFunctionEventInvokeConfig(f.ctx, &lambda.PutFunctionEventInvokeConfigInput{FunctionName: aws.String("flaky"),
		DestinationConfig: dc}); err != nil {
		t.Fatal(err)
	}
}

// event invokes flaky asynchronously and returns the request id of the 202.
func (f *asyncFixture) event(t *testing.T, payload string) string {
	t.Helper()
	out, err := f.fns.Invoke(f.ctx, &lambda.InvokeInput{FunctionName: aws.String("flaky"), InvocationType: lambdatypes.InvocationTypeEvent,
		Payload: []byte(payload)})
	if err != nil || out.StatusCode != 202 {
		t.Fatalf("Event invoke: %v %+v", err, out)
	}
	id, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	return id
}

// record waits for the invocation record sink printed and decodes it.
func (f *asyncFixture) record(t *testing.T, within time.Duration) map[string]any {
	t.Helper()
	deadline := time.Now().Add(within)
	for time.Now().Before(deadline) {
		out, err := f.logs.FilterLogEvents(f.ctx, &cloudwatchlogs.FilterLogEventsInput{LogGroupName: aws.String("/aws/lambda/sink")})
		if err == nil {
			for _, e := range out.Events {
				if _, doc, ok := strings.Cut(aws.ToString(e.Message), "RECORD "); ok {
					var rec map[string]any
					if err := json.Unmarshal([]byte(strings.TrimSpace(doc)), &rec); err != nil {
						t.Fatalf("record %q: %v", doc, err)
					}
					return rec
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatal("no invocation record reached the sink function")
	return nil
}

// wantRecord checks a record's request and response context and its payloads.
func wantRecord(t *testing.T, rec map[string]any, requestID, condition string, count int, response map[string]any) {
	t.Helper()
	wantContext := map[string]any{"requestId": requestID, "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:flaky:$LATEST",
		"condition": condition, "approximateInvokeCount": float64(count)}
	if rec["version"] != "1.0" || !reflect.DeepEqual(rec["requestContext"], wantContext) || !reflect.DeepEqual(rec["responseContext"], response) {
		t.Errorf("record %v\nwant requestContext %v and responseContext %v", rec, wantContext, response)
	}
	if _, err := time.Parse("2006-01-02T15:04:05.000Z", rec["timestamp"].(string)); err != nil {
		t.Errorf("timestamp: %v", err)
	}
}

// A function error is retried MaximumRetryAttempts (2) times; then the record goes to the
// OnFailure function with the last error, and the asynchronous metrics count the event.
func TestAsyncFailureRetriedThenOnFailure(t *testing.T) {
	t.Parallel()
	f := newAsyncFixture(t, asyncServer(t), "1")
	f.destination(t, false)
	id := f.event(t, `{"order":7}`)
	rec := f.record(t, 60*time.Second)
	wantRecord(t, rec, id, "RetriesExhausted", 3, map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST", "functionError": "Unhandled"})
	if !reflect.DeepEqual(rec["requestPayload"], map[string]any{"order": 7.0}) {
		t.Errorf("requestPayload %v", rec["requestPayload"])
	}
	if p, _ := rec["responsePayload"].(map[string]any); p["errorType"] != "ValueError" || p["errorMessage"] != "not this time" {
		t.Errorf("responsePayload %v", rec["responsePayload"])
	}
	cf := &concurrencyFixture{srv: f.srv, cw: cloudwatchClient(f.srv), ctx: f.ctx}
	for metric, want := range map[string]float64{"Invocations": 3, "Errors": 3, "AsyncEventsReceived": 1, "AsyncEventsDropped": 1} {
		if got := cf.metricSum(t, metric, "flaky"); got != want {
			t.Errorf("%s %v, want %v", metric, got, want)
		}
	}
	if got := cf.metricSum(t, "AsyncEventsReceived", "sink"); got != 1 {
		t.Errorf("sink AsyncEventsReceived %v, want 1", got)
	}
}

// With reserved concurrency 0, a new event goes to the OnFailure function at once, without a
// try, and counts as a throttle.
func TestAsyncReservedZeroGoesOnFailure(t *testing.T) {
	t.Parallel()
	f := newAsyncFixture(t, asyncServer(t), "0")
	f.destination(t, false)
	if _, err := f.fns.PutFunctionConcurrency(f.ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("flaky"),
		ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	id := f.event(t, `{"order":8}`)
	rec := f.record(t, 60*time.Second)
	wantRecord(t, rec, id, "RetriesExhausted", 1, map[string]any{"statusCode": 429.0, "executedVersion": "$LATEST"})
	cf := &concurrencyFixture{srv: f.srv, cw: cloudwatchClient(f.srv), ctx: f.ctx}
	for metric, want := range map[string]float64{"Invocations": 0, "Throttles": 1, "AsyncEventsDropped": 1} {
		if got := cf.metricSum(t, metric, "flaky"); got != want {
			t.Errorf("%s %v, want %v", metric, got, want)
		}
	}
}

// boto3: an event that succeeds sends its record, with the function's response, to the
// OnSuccess function.
func TestAsyncOnSuccessBoto3(t *testing.T) {
	t.Parallel()
	srv := asyncServer(t)
	f := newAsyncFixture(t, srv, "0")
	out := runBoto3(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, `
import boto3, json, time
c = boto3.client("lambda")
c.put_function_event_invoke_config(FunctionName="flaky",
    DestinationConfig={"OnSuccess": {"Destination": "arn:aws:lambda:us-east-1:123456789012:function:sink"}})
r = c.invoke(FunctionName="flaky", InvocationType="Event", Payload=json.dumps({"x": 21}))
print(r["StatusCode"], r["ResponseMetadata"]["RequestId"])
`)
	status, id, _ := strings.Cut(out, " ")
	if status != "202" || id == "" {
		t.Fatalf("boto3 invoke: %q", out)
	}
	rec := f.record(t, 60*time.Second)
	wantRecord(t, rec, id, "Success", 1, map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST"})
	if !reflect.DeepEqual(rec["responsePayload"], map[string]any{"handled": map[string]any{"x": 21.0}}) {
		t.Errorf("responsePayload %v", rec["responsePayload"])
	}
}

// An event accepted before the server stops, its retry still waiting, is delivered by the
// server started again on the same data directory.
func TestAsyncEventSurvivesRestart(t *testing.T) {
	t.Parallel()
	needBoto3(t)
	dir := t.TempDir()
	opts := emulator.Options{DBPath: filepath.Join(dir, "iamlocal.db"), AsyncDelayScale: 0.1} // the first retry waits 6 s
	first, stop := startServer(t, opts)
	f := newAsyncFixture(t, first, "1")
	f.destination(t, true)
	id := f.event(t, `{"order":9}`)
	cf := &concurrencyFixture{srv: first, cw: cloudwatchClient(first), ctx: f.ctx}
	deadline := time.Now().Add(30 * time.Second)
	for cf.metricSum(t, "Errors", "flaky") < 1 {
		if time.Now().After(deadline) {
			t.Fatal("the first attempt did not fail")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// The retry will find the function fixed, after the restart.
	if _, err := f.fns.UpdateFunctionConfiguration(f.ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("flaky"),
		Environment: &lambdatypes.Environment{Variables: map[string]string{"FAIL": "0"}}}); err != nil {
		t.Fatal(err)
	}
	if n := cf.metricSum(t, "Invocations", "flaky"); n != 1 {
		t.Fatalf("%v attempts before the restart, want 1", n)
	}
	stop()

	restarted := time.Now().UTC().Truncate(time.Millisecond)
	second, stopAgain := startServer(t, opts)
	defer stopAgain()
	again := &asyncFixture{srv: second, fns: lambda.NewFromConfig(second.AWSConfig(f.ctx)), logs: cloudwatchlogs.NewFromConfig(second.AWSConfig(f.ctx)), ctx: f.ctx}
	rec := again.record(t, 60*time.Second)
	wantRecord(t, rec, id, "Success", 2, map[string]any{"statusCode": 200.0, "executedVersion": "$LATEST"})
	if !reflect.DeepEqual(rec["requestPayload"], map[string]any{"order": 9.0}) {
		t.Errorf("requestPayload %v", rec["requestPayload"])
	}
	if at, _ := time.Parse("2006-01-02T15:04:05.000Z", rec["timestamp"].(string)); at.Before(restarted) {
		t.Errorf("delivered at %s, before the restart at %s", at, restarted)
	}
}

// startServer starts a server on opts' database, as emulatortest does, but for the test to
// stop (and start again) when it likes; stop is safe to call twice.
func startServer(t *testing.T, opts emulator.Options) (*emulatortest.Server, func()) {
	t.Helper()
	srv, err := emulator.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv.Handler())
	srv.SetEndpoint(hs.URL)
	stopped := false
	stop := func() {
		if stopped {
			return
		}
		stopped = true
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	}
	t.Cleanup(stop)
	return &emulatortest.Server{Server: srv, URL: hs.URL, Root: srv.Accounts()[0]}, stop
}
