package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

const pythonEnvironment = `
import os, platform, resource, traceback

def handler(event, context):
    keys = ["PWD", "PYTHONPATH", "LAMBDA_TASK_ROOT", "LAMBDA_RUNTIME_DIR", "TZ", "LANG", "AWS_EXECUTION_ENV",
            "AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_XRAY_CONTEXT_MISSING", "AWS_XRAY_DAEMON_ADDRESS",
            "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME", "_X_AMZN_TRACE_ID", "AWS_ACCESS_KEY"]
    try:
        raise RuntimeError("where")
    except RuntimeError:
        frame = traceback.extract_tb(__import__("sys").exc_info()[2])[-1].filename
    return {"env": {k: os.environ.get(k) for k in keys}, "cwd": os.getcwd(), "frame": frame,
            "platform": platform.platform(), "nofile": resource.getrlimit(resource.RLIMIT_NOFILE)[0]}
`

const nodeEnvironment = `exports.handler = async () => {
  const os = require('os');
  const stack = new Error('where').stack.split('\n')[1];
  return { env: { PWD: process.env.PWD, NODE_PATH: process.env.NODE_PATH, TZ: process.env.TZ,
    AWS_XRAY_CONTEXT_MISSING: process.env.AWS_XRAY_CONTEXT_MISSING, _X_AMZN_TRACE_ID: process.env._X_AMZN_TRACE_ID,
    AWS_LAMBDA_INITIALIZATION_TYPE: process.env.AWS_LAMBDA_INITIALIZATION_TYPE },
    cwd: process.cwd(), stack, platform: os.platform(), cpus: os.cpus().length > 0 };
};`

// A python and a node handler report what they see of their execution environment: the
// variables Lambda defines ("Defined runtime environment variables"), the task root as their
// working directory, /var/task in their stack traces when the environment is isolated, a new
// trace header per invocation, and the platform's introspection working.
func TestExecutionEnvironmentAsHandlersSeeIt(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	fns := lambda.NewFromConfig(srv.AWSConfig(ctx))
	role := createRole(t, iam.NewFromConfig(srv.AWSConfig(ctx)), "env-exec", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	isolated := strings.HasPrefix(srv.Isolation(), "namespaces")
	tests := []struct {
		name, runtime, file, code string
		want                      map[string]string
	}{
		{"python", "python3.12", "app.py", pythonEnvironment, map[string]string{"PYTHONPATH": "/var/runtime", "TZ": ":UTC", "LANG": "en_US.UTF-8",
			"AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
			"AWS_XRAY_DAEMON_ADDRESS": "169.254.79.2:2000", "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/env-python"}},
		{"node", "nodejs20.x", "index.js", nodeEnvironment, map[string]string{"TZ": ":UTC", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR",
			"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			name := "env-" + tc.name
			handler := strings.Split(tc.file, ".")[0] + ".handler"
			if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(name), Role: aws.String(role),
				Runtime: lambdatypes.Runtime(tc.runtime), Handler: aws.String(handler), Code: &lambdatypes.FunctionCode{ZipFile: zipOf(t, map[string]string{tc.file: tc.code})}}); err != nil {
				t.Fatal(err)
			}
			var traces []string
			for range 2 {
				out, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(name), Payload: []byte(`{}`)})
				if err != nil || out.FunctionError != nil {
					t.Fatalf("invoke: %v %s", err, out.Payload)
				}
				var got struct {
					Env      map[string]string
					Cwd      string
					Frame    string
					Stack    string
					Platform string
				}
				if err := json.Unmarshal(out.Payload, &got); err != nil {
					t.Fatalf("%v: %s", err, out.Payload)
				}
				for k, v := range tc.want {
					if got.Env[k] != v {
						t.Errorf("%s = %q, want %q", k, got.Env[k], v)
					}
				}
				if got.Env["PWD"] != got.Cwd || got.Platform == "" {
					t.Errorf("PWD %q, cwd %q, platform %q", got.Env["PWD"], got.Cwd, got.Platform)
				}
				if isolated && (got.Cwd != "/var/task" || !strings.Contains(got.Frame+got.Stack, "/var/task/")) {
					t.Errorf("cwd %q, stack %q %q: want /var/task", got.Cwd, got.Frame, got.Stack)
				}
				traces = append(traces, got.Env["_X_AMZN_TRACE_ID"])
			}
			if !strings.HasPrefix(traces[0], "Root=1-") || !strings.HasSuffix(traces[0], ";Sampled=0") || traces[0] == traces[1] {
				t.Errorf("trace headers %q: want a new Root=1-...;Sampled=0 per invocation", traces)
			}
		})
	}
}
