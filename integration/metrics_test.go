package integration

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// /metrics counts Lambda as a user of it would read the numbers: invocations by result, the
// cold starts among them, throttles apart (a throttled call never ran), and the execution
// environments alive now.
func TestMetricsCountInvocationsColdStartsAndSandboxes(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	f.create("warm")
	f.create("stopped")
	for _, name := range []string{"warm", "stopped"} {
		if err := lambda.NewFunctionActiveV2Waiter(f.c).Wait(f.ctx, &lambda.GetFunctionInput{FunctionName: aws.String(name)}, 10*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	must[*lambda.PutFunctionConcurrencyOutput](t)(f.c.PutFunctionConcurrency(f.ctx, &lambda.PutFunctionConcurrencyInput{
		FunctionName: aws.String("stopped"), ReservedConcurrentExecutions: aws.Int32(0)}))
	for range 2 {
		out := must[*lambda.InvokeOutput](t)(f.c.Invoke(f.ctx, &lambda.InvokeInput{FunctionName: aws.String("warm")}))
		if out.FunctionError != nil {
			t.Fatalf("invoke: %s", out.Payload)
		}
	}
	if _, err := f.c.Invoke(f.ctx, &lambda.InvokeInput{FunctionName: aws.String("stopped")}); err == nil {
		t.Fatal("a function with reserved concurrency 0 ran")
	}
	want := []string{
		`iamlocal_lambda_invocations_total{result="success"} 2`,
		`iamlocal_lambda_invocations_total{result="error"} 0`,
		`iamlocal_lambda_cold_starts_total 1`,
		`iamlocal_lambda_throttles_total 1`,
		"# TYPE iamlocal_lambda_sandboxes gauge",
		`iamlocal_lambda_sandboxes{state="busy"} 0`,
		`iamlocal_lambda_sandboxes{state="idle"} 1`,
	}
	var body string
	// The environment is handed back just after the answer: give it a moment to turn idle.
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		body = metricsText(t, f.srv.URL)
		if strings.Contains(body, want[len(want)-1]) || time.Now().After(deadline) {
			break
		}
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("/metrics lacks %s\n%s", w, body)
		}
	}
}

func metricsText(t *testing.T, base string) string {
	t.Helper()
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("/metrics: %d %v", resp.StatusCode, err)
	}
	return string(b)
}
