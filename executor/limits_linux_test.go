package executor

import (
	"context"
	"fmt"
	"syscall"
	"testing"
)

const limitsApp = `
import resource

def limits(event, context):
    return {name: list(resource.getrlimit(getattr(resource, name)))
            for name in ("RLIMIT_NOFILE", "RLIMIT_MEMLOCK", "RLIMIT_STACK")}
`

// A function reads Lambda's resource limits, in an execution environment and as a plain
// process alike: 1,024 file descriptors (Lambda quotas page), 64 KiB of locked memory and an
// 8 MiB stack (LocalStack's recording against AWS, TestLambdaBehavior::test_runtime_ulimits),
// each hard limit no higher than the host's.
func TestFunctionsSeeLambdasResourceLimits(t *testing.T) {
	t.Parallel()
	requireTool(t, "python3")
	hard := func(resource int) int64 {
		var r syscall.Rlimit
		if err := syscall.Getrlimit(resource, &r); err != nil {
			t.Fatal(err)
		}
		if r.Max == rlimInfinity {
			return -1 // Python's RLIM_INFINITY
		}
		return int64(r.Max)
	}
	capped := func(aws, host int64) int64 {
		if host >= 0 && (aws < 0 || host < aws) {
			return host
		}
		return aws
	}
	nofile, memlock, stack := hard(syscall.RLIMIT_NOFILE), hard(rlimitMemlock), hard(syscall.RLIMIT_STACK)
	want := fmt.Sprint(map[string]any{
		"RLIMIT_NOFILE":  []any{capped(1024, nofile), capped(1024, nofile)},
		"RLIMIT_MEMLOCK": []any{capped(65536, memlock), capped(65536, memlock)},
		"RLIMIT_STACK":   []any{capped(8<<20, stack), stack},
	})
	cases := []struct {
		name      string
		launcher  func() Launcher
		isolation string
	}{
		{"execution environment", SandboxLauncher, "namespaces+cgroup"},
		{"plain process", LocalLauncher, "none: the launcher runs plain processes"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			e := newTestExecutor(t, Options{Launcher: c.launcher()})
			if got := e.Isolation(); got != c.isolation {
				t.Fatalf("Isolation() = %q, want %q", got, c.isolation)
			}
			fn := testFunction("py-limits", "python3.12", "app.limits", codeOf(t, "app.py", limitsApp))
			res, err := e.Invoke(context.Background(), fn, Invocation{RequestID: "limits-1", Payload: []byte(`{}`)})
			if err != nil {
				t.Fatal(err)
			}
			if res.FunctionError != "" {
				t.Fatalf("FunctionError %q: %s\n%s", res.FunctionError, res.Payload, res.Log)
			}
			got := map[string]any{}
			for k, v := range decode(t, res.Payload) {
				var ints []any
				for _, n := range v.([]any) {
					ints = append(ints, int64(n.(float64)))
				}
				got[k] = ints
			}
			if fmt.Sprint(got) != want {
				t.Errorf("limits %v, want %v", got, want)
			}
		})
	}
}
