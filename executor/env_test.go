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
