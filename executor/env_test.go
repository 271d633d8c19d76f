package executor

import (
	"strings"
	"testing"
)

func TestBuildEnvReservedKeysWin(t *testing.T) {
	t.Parallel()
	fn := Function{Name: "f", Version: "$LATEST", MemoryMB: 128, Region: "us-east-2", LogGroup: "/aws/lambda/f",
		Handler: "app.handler", Env: map[string]string{
			"AWS_REGION": "evil", "TZ": "Europe/Paris", "LAMBDA_TASK_ROOT": "/evil", "_X_AMZN_TRACE_ID": "x",
			"PATH": "/custom/bin", "OK": "yes", "BAD=KEY": "v", "": "empty", "NUL": "a\x00b",
		}}
	env := map[string]string{}
	for _, kv := range buildEnv(envParams{fn: fn, rt: runtimePlan{kind: kindPython, executionEnv: "AWS_Lambda_python3.12"},
		taskRoot: "/sb/task", runtimeDir: "/sb/runtime", runtimeAPI: "127.0.0.1:9001", logStream: "s", path: "/usr/bin"}) {
		k, v, _ := strings.Cut(kv, "=")
		if _, dup := env[k]; dup {
			t.Errorf("duplicate %s", k)
		}
		env[k] = v
	}
	for k, v := range map[string]string{
		"AWS_REGION": "us-east-2", "TZ": ":UTC", "LAMBDA_TASK_ROOT": "/sb/task", "PATH": "/custom/bin", "OK": "yes",
		"_HANDLER": "app.handler", "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12", "AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001",
	} {
		if env[k] != v {
			t.Errorf("%s = %q, want %q", k, env[k], v)
		}
	}
	for _, k := range []string{"_X_AMZN_TRACE_ID", "BAD=KEY", "", "NUL", "AWS_ACCESS_KEY_ID", "AWS_ENDPOINT_URL", "NODE_PATH"} {
		if _, ok := env[k]; ok {
			t.Errorf("%q should not be set", k)
		}
	}
}

func TestReservedEnvKeys(t *testing.T) {
	t.Parallel()
	got := ReservedEnvKeys(map[string]string{"AWS_REGION": "x", "MINE": "y", "_HANDLER": "z", "AWS_ENDPOINT_URL": "u"})
	if strings.Join(got, ",") != "AWS_REGION,_HANDLER" {
		t.Errorf("got %v", got)
	}
}

func TestPlanForRuntimes(t *testing.T) {
	t.Parallel()
	for rt, kind := range map[string]runtimeKind{
		"python3.9": kindPython, "python3.13": kindPython, "nodejs18.x": kindNode, "nodejs22.x": kindNode,
		"provided": kindProvided, "provided.al2": kindProvided, "provided.al2023": kindProvided,
		"ruby3.3": kindRuby, "ruby3.4": kindRuby,
	} {
		if p, err := planFor(rt); err != nil || p.kind != kind {
			t.Errorf("%s: %+v %v", rt, p, err)
		}
	}
	for _, rt := range []string{"java21", "python2.7", "nodejs", "go1.x", "ruby2.7", ""} {
		if _, err := planFor(rt); err == nil {
			t.Errorf("%q accepted", rt)
		}
	}
}

// The variables of "Defined runtime environment variables" that a handler sees besides the
// function's: per runtime family, and the initialization type of a provisioned environment.
func TestBuildEnvDefinedVariables(t *testing.T) {
	t.Parallel()
	fn := Function{Name: "f", Version: "1", MemoryMB: 256, Region: "eu-west-1", LogGroup: "/aws/lambda/f", Handler: "app.handler",
		Credentials: Credentials{AccessKeyID: "ASIAEXAMPLE", SecretAccessKey: "s", SessionToken: "t"}}
	tests := []struct {
		name        string
		kind        runtimeKind
		provisioned bool
		want        map[string]string
		absent      []string
	}{
		{"python", kindPython, false, map[string]string{"PWD": "/var/task", "PYTHONPATH": "/var/runtime",
			"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR", "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.2:2000",
			"_AWS_XRAY_DAEMON_ADDRESS": "169.254.79.2", "_AWS_XRAY_DAEMON_PORT": "2000",
			"AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand", "AWS_ACCESS_KEY": "ASIAEXAMPLE", "AWS_ACCESS_KEY_ID": "ASIAEXAMPLE",
			"LAMBDA_TASK_ROOT": "/var/task", "LAMBDA_RUNTIME_DIR": "/var/runtime", "LANG": "en_US.UTF-8", "TZ": ":UTC",
			"AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/f", "AWS_LAMBDA_LOG_STREAM_NAME": "stream"}, nil},
		{"node", kindNode, false, map[string]string{"PWD": "/var/task", "AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"}, []string{"PYTHONPATH"}},
		{"provisioned", kindPython, true, map[string]string{"AWS_LAMBDA_INITIALIZATION_TYPE": "provisioned-concurrency"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			env := map[string]string{}
			for _, kv := range buildEnv(envParams{fn: fn, rt: runtimePlan{kind: tc.kind}, taskRoot: "/var/task", runtimeDir: "/var/runtime",
				optDir: "/opt", runtimeAPI: "127.0.0.1:9001", logStream: "stream", path: "/usr/bin", provisioned: tc.provisioned}) {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
			for k, v := range tc.want {
				if env[k] != v {
					t.Errorf("%s = %q, want %q", k, env[k], v)
				}
			}
			for _, k := range tc.absent {
				if _, ok := env[k]; ok {
					t.Errorf("%s is set", k)
				}
			}
		})
	}
}
