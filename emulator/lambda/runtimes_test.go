package lambda

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/executor"
)

// checkingRunner records invocations and refuses the runtimes it is told to.
type checkingRunner struct {
	recordingRunner
	refuse map[string]string
}

func (r *checkingRunner) CheckRuntime(_ context.Context, runtime string) string {
	return r.refuse[runtime]
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.String()
}

// Lambda accepts every runtime of its list and container images; iamlocal
// stores them too and warns in its log about those it cannot run.
func TestCreateWarnsAboutFunctionsThatCannotRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		edit func(*lambdaapi.CreateFunctionRequest)
		warn string // "" for none
	}{
		{"runnable", func(*lambdaapi.CreateFunctionRequest) {}, ""},
		{"java", func(in *lambdaapi.CreateFunctionRequest) { in.Runtime = ptr("java21") }, "reason=\"no Java here\""},
		{"image", func(in *lambdaapi.CreateFunctionRequest) {
			in.PackageType, in.Runtime, in.Handler = ptr("Image"), nil, nil
			in.Code = &lambdaapi.FunctionCode{ImageUri: ptr("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1")}
		}, "does not run container image functions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			var logs syncBuffer
			e.s.log = slog.New(slog.NewTextHandler(&logs, nil))
			e.s.hooks.Runner = &checkingRunner{refuse: map[string]string{"java21": "no Java here"}}
			out := e.create("f-"+tc.name, tc.edit)
			if deref(out.State) != "Pending" {
				t.Errorf("state %q", deref(out.State))
			}
			got := logs.String()
			if tc.warn == "" && got != "" || tc.warn != "" && (!strings.Contains(got, "level=WARN") || !strings.Contains(got, tc.warn) ||
				!strings.Contains(got, "function=f-"+tc.name)) {
				t.Errorf("server log %q", got)
			}
		})
	}
}

// UpdateFunctionConfiguration to a runtime that cannot run warns the same way.
func TestUpdateWarnsAboutRuntimesThatCannotRun(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var logs syncBuffer
	e.s.log = slog.New(slog.NewTextHandler(&logs, nil))
	e.s.hooks.Runner = &checkingRunner{refuse: map[string]string{"dotnet8": "no .NET here"}}
	e.create("upd")
	_, err := e.s.UpdateFunctionConfiguration(e.ctx, &lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: ptr("upd"), Runtime: ptr("dotnet8")})
	ok(t, err)
	if got := logs.String(); !strings.Contains(got, "no .NET here") {
		t.Errorf("server log %q", got)
	}
}

// Invoke hands a container image function and the LoggingConfig to the
// runner, which answers what cannot run.
func TestInvokePassesImageAndLoggingConfig(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rr := &checkingRunner{}
	e.s.hooks.Runner = rr
	const uri = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1"
	e.create("img", func(in *lambdaapi.CreateFunctionRequest) {
		in.PackageType, in.Runtime, in.Handler = ptr("Image"), nil, nil
		in.Code = &lambdaapi.FunctionCode{ImageUri: ptr(uri)}
	})
	e.create("logs", func(in *lambdaapi.CreateFunctionRequest) {
		in.LoggingConfig = &lambdaapi.LoggingConfig{LogFormat: ptr("JSON"), ApplicationLogLevel: ptr("WARN"), LogGroup: ptr("/custom/logs")}
	})
	for name, want := range map[string]executor.Function{
		"img":  {ImageURI: uri, LogFormat: "Text", LogGroup: "/aws/lambda/img"},
		"logs": {LogFormat: "JSON", AppLogLevel: "WARN", SystemLogLevel: "INFO", LogGroup: "/custom/logs"},
	} {
		_, err := e.s.Invoke(e.ctx, &lambdaapi.InvocationRequest{FunctionName: ptr(name)})
		ok(t, err)
		got := rr.fn
		if got.ImageURI != want.ImageURI || got.LogFormat != want.LogFormat || got.AppLogLevel != want.AppLogLevel ||
			got.SystemLogLevel != want.SystemLogLevel || got.LogGroup != want.LogGroup {
			t.Errorf("%s: %+v", name, got)
		}
	}
}
