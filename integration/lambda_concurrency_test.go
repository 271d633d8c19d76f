package integration

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// Concurrency as Lambda counts it, through aws-sdk-go-v2 and boto3: reserved concurrency
// caps a function ("Configuring reserved concurrency"), the account's limit caps the others,
// the machine's cap on environments makes invocations wait rather than fail, and provisioned
// concurrency keeps environments initialised.

const pythonSleeper = `
import time

def handler(event, context):
    time.sleep(event.get("sleep", 0))
    return {"slept": event.get("sleep", 0)}
`

// concurrencyFixture is a server with a sleeping python function "sleeper".
type concurrencyFixture struct {
	srv *emulatortest.Server
	fns *lambda.Client
	cw  *cloudwatch.Client
	ctx context.Context
}

func newConcurrencyFixture(t *testing.T, opts ...func(*emulator.Options)) *concurrencyFixture {
	t.Helper()
	needBoto3(t)
	srv := emulatortest.New(t, opts...)
	ctx := context.Background()
	f := &concurrencyFixture{srv: srv, fns: lambda.NewFromConfig(srv.AWSConfig(ctx)), cw: cloudwatch.NewFromConfig(srv.AWSConfig(ctx)), ctx: ctx}
	role := createRole(t, iam.NewFromConfig(srv.AWSConfig(ctx)), "sleeper-exec", lambdaExecTrust)
	if _, err := f.fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("sleeper"), Role: aws.String(role),
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Timeout: aws.Int32(30),
		Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{"app.py": pythonSleeper})}}); err != nil {
		t.Fatal(err)
	}
	return f
}

// parallel invokes sleeper n times at once, each sleeping for sleep, and returns the errors.
func (f *concurrencyFixture) parallel(n int, sleep string) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			out, err := f.fns.Invoke(f.ctx, &lambda.InvokeInput{FunctionName: aws.String("sleeper"), Payload: []byte(`{"sleep":` + sleep + `}`)})
			if err == nil && (out.StatusCode != 200 || out.FunctionError != nil) {
				err = errors.New("function error: " + string(out.Payload))
			}
			errs[i] = err
		})
	}
	wg.Wait()
	return errs
}

// throttleReasons counts the errors by TooManyRequestsException Reason ("" for success) and
// fails on any other error.
func throttleReasons(t *testing.T, errs []error) map[string]int {
	t.Helper()
	out := map[string]int{}
	for _, err := range errs {
		var tm *lambdatypes.TooManyRequestsException
		switch {
		case err == nil:
			out[""]++
		case errors.As(err, &tm) && aws.ToString(tm.Message) == "Rate Exceeded." && aws.ToString(tm.Type) == "User":
			out[string(tm.Reason)]++
		default:
			t.Errorf("invoke: %v", err)
		}
	}
	return out
}

// metricSum is the Sum of a function's AWS/Lambda metric over the last hour.
func (f *concurrencyFixture) metricSum(t *testing.T, metric, function string) float64 {
	t.Helper()
	out, err := f.cw.GetMetricStatistics(f.ctx, &cloudwatch.GetMetricStatisticsInput{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(metric),
		Dimensions: []cwtypes.Dimension{{Name: aws.String("FunctionName"), Value: aws.String(function)}},
		StartTime:  aws.Time(time.Now().Add(-time.Hour)), EndTime: aws.Time(time.Now().Add(time.Minute)), Period: aws.Int32(3600),
		Statistics: []cwtypes.Statistic{cwtypes.StatisticSum}})
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, dp := range out.Datapoints {
		sum += aws.ToFloat64(dp.Sum)
	}
	return sum
}

// Reserved concurrency 1 runs one of three parallel calls; the other two are throttled with
// ReservedFunctionConcurrentInvocationLimitExceeded and counted in Throttles. Reserved
// concurrency 0 throttles every call, here through boto3.
func TestReservedConcurrencyThrottles(t *testing.T) {
	t.Parallel()
	f := newConcurrencyFixture(t)
	if _, err := f.fns.PutFunctionConcurrency(f.ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("sleeper"),
		ReservedConcurrentExecutions: aws.Int32(1)}); err != nil {
		t.Fatal(err)
	}
	got := throttleReasons(t, f.parallel(3, "1.5"))
	if got[""] != 1 || got[string(lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded)] != 2 {
		t.Fatalf("outcomes %v", got)
	}
	if n := f.metricSum(t, "Throttles", "sleeper"); n != 2 {
		t.Errorf("Throttles %v, want 2", n)
	}
	if n := f.metricSum(t, "Invocations", "sleeper"); n != 1 {
		t.Errorf("Invocations %v, want 1", n)
	}

	if _, err := f.fns.PutFunctionConcurrency(f.ctx, &lambda.PutFunctionConcurrencyInput{FunctionName: aws.String("sleeper"),
		ReservedConcurrentExecutions: aws.Int32(0)}); err != nil {
		t.Fatal(err)
	}
	out := runBoto3(t, f.srv, f.srv.Root.AccessKeyID, f.srv.Root.SecretAccessKey, `
import boto3, botocore
c = boto3.client("lambda")
try:
    c.invoke(FunctionName="sleeper", Payload=b"{}")
    print("invoked")
except botocore.exceptions.ClientError as e:
    r = e.response
    print(r["ResponseMetadata"]["HTTPStatusCode"], r["Error"]["Code"], r["Error"]["Message"], r.get("Reason"))
`)
	if out != "429 TooManyRequestsException Rate Exceeded. ReservedFunctionConcurrentInvocationLimitExceeded" {
		t.Errorf("boto3 at reserved concurrency 0: %q", out)
	}
	if n := f.metricSum(t, "Throttles", "sleeper"); n != 3 {
		t.Errorf("Throttles %v, want 3", n)
	}
}

// With nothing reserved, a hundred concurrent calls all succeed: past the 32 environments the
// machine keeps alive, calls wait for one instead of being refused.
func TestUnreservedConcurrencyBeyondTheMachine(t *testing.T) {
	t.Parallel()
	f := newConcurrencyFixture(t)
	if got := throttleReasons(t, f.parallel(100, "0.3")); got[""] != 100 {
		t.Fatalf("outcomes %v", got)
	}
}

// Past the account's concurrency (here 2) the others are throttled with
// ConcurrentInvocationLimitExceeded; GetAccountSettings reports the limit.
func TestAccountConcurrencyLimit(t *testing.T) {
	t.Parallel()
	f := newConcurrencyFixture(t, func(o *emulator.Options) { o.LambdaConcurrency = 2 })
	settings, err := f.fns.GetAccountSettings(f.ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		t.Fatal(err)
	}
	if settings.AccountLimit.ConcurrentExecutions != 2 || aws.ToInt32(settings.AccountLimit.UnreservedConcurrentExecutions) != 2 {
		t.Errorf("account limit %+v", settings.AccountLimit)
	}
	got := throttleReasons(t, f.parallel(3, "1.5"))
	if got[""] != 2 || got[string(lambdatypes.ThrottleReasonConcurrentInvocationLimitExceeded)] != 1 {
		t.Fatalf("outcomes %v", got)
	}
}

// Provisioned concurrency initialises its environments before any call: the config turns
// READY, and a call of the alias runs warm, its REPORT without Init Duration, where a cold
// call of $LATEST reports one.
func TestProvisionedConcurrencyEnvironments(t *testing.T) {
	t.Parallel()
	f := newConcurrencyFixture(t)
	if _, err := f.fns.PublishVersion(f.ctx, &lambda.PublishVersionInput{FunctionName: aws.String("sleeper")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.fns.CreateAlias(f.ctx, &lambda.CreateAliasInput{FunctionName: aws.String("sleeper"), Name: aws.String("live"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.fns.PutProvisionedConcurrencyConfig(f.ctx, &lambda.PutProvisionedConcurrencyConfigInput{FunctionName: aws.String("sleeper"),
		Qualifier: aws.String("live"), ProvisionedConcurrentExecutions: aws.Int32(2)}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := f.fns.GetProvisionedConcurrencyConfig(f.ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("sleeper"), Qualifier: aws.String("live")})
		if err != nil {
			t.Fatal(err)
		}
		if got.Status == lambdatypes.ProvisionedConcurrencyStatusEnumReady {
			if aws.ToInt32(got.AllocatedProvisionedConcurrentExecutions) != 2 || aws.ToInt32(got.AvailableProvisionedConcurrentExecutions) != 2 {
				t.Fatalf("ready config %+v", got)
			}
			break
		}
		if got.Status != lambdatypes.ProvisionedConcurrencyStatusEnumInProgress || time.Now().After(deadline) {
			t.Fatalf("config status %s (%s)", got.Status, aws.ToString(got.StatusReason))
		}
		time.Sleep(50 * time.Millisecond)
	}
	report := func(qualifier string) string {
		t.Helper()
		out, err := f.fns.Invoke(f.ctx, &lambda.InvokeInput{FunctionName: aws.String("sleeper"), Qualifier: aws.String(qualifier),
			Payload: []byte(`{}`), LogType: lambdatypes.LogTypeTail})
		if err != nil || out.FunctionError != nil {
			t.Fatalf("invoke %s: %v", qualifier, err)
		}
		log, _ := base64.StdEncoding.DecodeString(aws.ToString(out.LogResult))
		for _, line := range strings.Split(string(log), "\n") {
			if strings.HasPrefix(line, "REPORT RequestId:") {
				return line
			}
		}
		t.Fatalf("no REPORT in\n%s", log)
		return ""
	}
	if line := report("live"); strings.Contains(line, "Init Duration") {
		t.Errorf("provisioned call: %s", line)
	}
	if line := report("$LATEST"); !strings.Contains(line, "Init Duration") {
		t.Errorf("cold call: %s", line)
	}
	if _, err := f.fns.DeleteProvisionedConcurrencyConfig(f.ctx, &lambda.DeleteProvisionedConcurrencyConfigInput{FunctionName: aws.String("sleeper"),
		Qualifier: aws.String("live")}); err != nil {
		t.Fatal(err)
	}
	if line := report("live"); !strings.Contains(line, "Init Duration") {
		t.Errorf("call after the config was deleted (its environments retired): %s", line)
	}
}

func cloudwatchClient(srv *emulatortest.Server) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(srv.AWSConfig(context.Background()))
}
