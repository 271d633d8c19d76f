package executor

import (
	"context"
	"fmt"
	"testing"
)

// Every line of a sandbox goes to the sink in the function's own account and region, whatever
// region other functions of the executor run in.
func TestLogSinkGetsTheFunctionsAccountAndRegion(t *testing.T) {
	t.Parallel()
	tests := []struct {
		account, region string
	}{
		{"123456789012", "eu-west-1"},
		{"210987654321", "ap-southeast-2"},
	}
	for _, tc := range tests {
		t.Run(tc.region, func(t *testing.T) {
			t.Parallel()
			sink := &memSink{}
			e := newTestExecutor(t, Options{Logs: sink})
			fn := providedFunction(t, "where", "log")
			fn.Account, fn.Region = tc.account, tc.region
			fn.ARN = fmt.Sprintf("arn:aws:lambda:%s:%s:function:where", tc.region, tc.account)
			if _, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "req-where"}); err != nil {
				t.Fatal(err)
			}
			got := sink.places()
			if want := tc.account + "/" + tc.region; len(got) != 1 || !got[want] {
				t.Errorf("lines written to %v, want only %s", got, want)
			}
		})
	}
}
