package lambda

import (
	"errors"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
)

// A service invokes a function only as the function's policy allows it: the principal under
// one of the names the service goes by, and the policy's conditions on aws:SourceArn and
// aws:SourceAccount. An allowed event runs through the function's asynchronous queue.
func TestInvokeAsService(t *testing.T) {
	t.Parallel()
	const source = "arn:aws:logs:us-east-1:123456789012:log-group:g:*"
	services := []string{"logs.amazonaws.com", "logs.us-east-1.amazonaws.com"}
	tests := []struct {
		name      string
		principal string // "" adds no permission
		sourceArn string
		function  string
		wantErr   error
	}{
		{"global principal", "logs.amazonaws.com", source, fnARN + "f", nil},
		{"regional principal", "logs.us-east-1.amazonaws.com", source, fnARN + "f", nil},
		{"another service", "events.amazonaws.com", "", fnARN + "f", ErrServiceRefused},
		{"another log group", "logs.amazonaws.com", "arn:aws:logs:us-east-1:123456789012:log-group:other:*", fnARN + "f", ErrServiceRefused},
		{"no policy", "", "", fnARN + "f", ErrServiceRefused},
		{"no such function", "logs.amazonaws.com", source, fnARN + "missing", ErrServiceRefused},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newAsyncEnv(t, nil)
			if tt.principal != "" {
				in := &lambdaapi.AddPermissionRequest{FunctionName: ptr("f"), StatementId: ptr("logs"), Action: ptr("lambda:InvokeFunction"),
					Principal: ptr(tt.principal), SourceAccount: ptr(acct)}
				if tt.sourceArn != "" {
					in.SourceArn = ptr(tt.sourceArn)
				}
				_, err := a.s.AddPermission(a.ctx, in)
				ok(t, err)
			}
			err := a.s.InvokeAsService(ServiceInvocation{Function: tt.function, Services: services, SourceARN: source,
				SourceAccount: acct, Payload: []byte(`{"awslogs":{"data":"x"}}`)})
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("err %v, want %v", err, tt.wantErr)
			}
			if tt.wantErr != nil {
				return
			}
			a.runUntil("the event", func() bool { return len(a.runner.invocations("f")) > 0 })
			if got := string(a.runner.invocations("f")[0].Payload); got != `{"awslogs":{"data":"x"}}` {
				t.Errorf("payload %s", got)
			}
		})
	}
}
