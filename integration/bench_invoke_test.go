package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Benchmarks of Invoke (docs/request-cost.md, "What an invocation costs"). Not timed tests:
// run them with
//
//	go test -run XXX -bench Invoke -benchtime 2s ./integration/
//
// Each reports the median and 90th percentile of its samples beside ns/op.

const pythonEcho = "def handler(event, context):\n    return event\n"

// benchEcho is a server with the python function echo, warmed by one call.
func benchEcho(b *testing.B) (*emulatortest.Server, *lambda.Client) {
	b.Helper()
	needBoto3(&testing.T{}) // python3 must be there; boto3 is not used
	srv := emulatortest.New(b)
	ctx := context.Background()
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	out, err := iam.NewFromConfig(srv.AWSConfig(ctx)).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("echo-exec"),
		AssumeRolePolicyDocument: aws.String(lambdaExecTrust)})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("echo"), Role: out.Role.Arn,
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(&testing.T{}, map[string]string{"app.py": pythonEcho})}}); err != nil {
		b.Fatal(err)
	}
	if _, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{}`)}); err != nil {
		b.Fatal(err)
	}
	return srv, fns
}

// report adds the median and 90th percentile of samples (milliseconds) to the benchmark.
func report(b *testing.B, name string, samples []float64) {
	if len(samples) == 0 {
		return
	}
	sort.Float64s(samples)
	b.ReportMetric(samples[len(samples)/2], name+"-p50-ms")
	b.ReportMetric(samples[len(samples)*9/10], name+"-p90-ms")
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

var reportDuration = regexp.MustCompile(`REPORT RequestId: \S+\tDuration: ([0-9.]+) ms`)

// BenchmarkInvokeOverhead is the server's time on top of the handler's: a signed Invoke
// served by Handler() with no socket and no client, less the Duration its REPORT gives (the
// function's time from receiving the event to answering).
func BenchmarkInvokeOverhead(b *testing.B) {
	srv, _ := benchEcho(b)
	h := srv.Handler()
	body := []byte(`{"n":1}`)
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/2015-03-31/functions/echo/invocations", bytes.NewReader(body))
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("X-Amz-Log-Type", "Tail")
	sum := sha256.Sum256(body)
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}, req,
		hex.EncodeToString(sum[:]), "lambda", srv.Region(), time.Now()); err != nil {
		b.Fatal(err)
	}
	var overhead, total []float64
	b.ResetTimer()
	for b.Loop() {
		r := req.Clone(context.Background())
		r.Body = readCloserOf(body)
		rec := httptest.NewRecorder()
		start := time.Now()
		h.ServeHTTP(rec, r)
		took := time.Since(start)
		if rec.Code != 200 {
			b.Fatalf("%d %s", rec.Code, rec.Body)
		}
		tail, _ := base64.StdEncoding.DecodeString(rec.Header().Get("X-Amz-Log-Result"))
		m := reportDuration.FindSubmatch(tail)
		if m == nil {
			b.Fatalf("no REPORT in %q", tail)
		}
		fn, _ := strconv.ParseFloat(string(m[1]), 64)
		total = append(total, ms(took))
		overhead = append(overhead, ms(took)-fn)
	}
	report(b, "overhead", overhead)
	report(b, "served", total)
}

// BenchmarkInvokeWarmSDK is a warm python echo end to end: aws-sdk-go-v2 signing, HTTP on
// loopback, the server, the function.
func BenchmarkInvokeWarmSDK(b *testing.B) {
	_, fns := benchEcho(b)
	ctx := context.Background()
	var samples []float64
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		if _, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"n":1}`)}); err != nil {
			b.Fatal(err)
		}
		samples = append(samples, ms(time.Since(start)))
	}
	report(b, "e2e", samples)
}

// BenchmarkInvokeWarmSDKParallel is BenchmarkInvokeWarmSDK from several goroutines: the
// sustained rate of warm invocations (invocations/s is 1e9 / ns/op).
func BenchmarkInvokeWarmSDKParallel(b *testing.B) {
	_, fns := benchEcho(b)
	ctx := context.Background()
	b.SetParallelism(2) // 2 × GOMAXPROCS callers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{"n":1}`)}); err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "invokes/s")
}

// BenchmarkInvokeColdSDK is a cold python echo end to end: each iteration changes the
// function's environment (untimed), so the timed call starts a new execution environment.
// Its REPORT's Init Duration is the runtime's own start.
func BenchmarkInvokeColdSDK(b *testing.B) {
	_, fns := benchEcho(b)
	ctx := context.Background()
	var e2e, initDur []float64
	i := 0
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		i++
		if _, err := fns.UpdateFunctionConfiguration(ctx, &lambda.UpdateFunctionConfigurationInput{FunctionName: aws.String("echo"),
			Environment: &lambdatypes.Environment{Variables: map[string]string{"ITERATION": strconv.Itoa(i)}}}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("echo"), Payload: []byte(`{}`), LogType: lambdatypes.LogTypeTail})
		if err != nil {
			b.Fatal(err)
		}
		e2e = append(e2e, ms(time.Since(start)))
		tail, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		var d float64
		if _, err := fmt.Sscanf(string(regexp.MustCompile(`Init Duration: [0-9.]+`).Find(tail)), "Init Duration: %f", &d); err != nil {
			b.Fatalf("no Init Duration in %q", tail)
		}
		initDur = append(initDur, d)
	}
	report(b, "cold", e2e)
	report(b, "init", initDur)
}

func readCloserOf(b []byte) *readCloser { return &readCloser{bytes.NewReader(b)} }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
