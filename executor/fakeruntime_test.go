package executor

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

// fakeRuntimeMain is a custom runtime written against the Runtime API
// ("Using the Lambda runtime API for custom runtimes"). It runs either as
// this test binary re-executed by a `provided` bootstrap, or in-process
// behind the mock Launcher. It returns the exit code; ctx ends it.
//
// Modes: echo (answers the event and the invocation headers), env (answers
// its environment), error, initerror, exit, sleep, slow, big, log,
// ignoreterm, child.
func fakeRuntimeMain(ctx context.Context, api, mode string, out io.Writer) int {
	base := "http://" + api + "/2018-06-01/runtime"
	client := &http.Client{}
	do := func(method, path string, body []byte, hdr map[string]string) (*http.Response, []byte, error) {
		req, err := http.NewRequestWithContext(ctx, method, base+path, bytes.NewReader(body))
		if err != nil {
			return nil, nil, err
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		resp, err := client.Do(req)
		if err != nil {
			return nil, nil, err
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		return resp, b, err
	}
	fmt.Fprintf(out, "fake runtime starting in mode %s\n", mode)
	switch mode {
	case "initerror":
		do("POST", "/init/error", []byte(`{"errorMessage":"cannot start","errorType":"Fake.InitError"}`),
			map[string]string{"Lambda-Runtime-Function-Error-Type": "Fake.InitError"})
		return 1
	case "ignoreterm":
		signal.Ignore(syscall.SIGTERM)
	}
	var childPid int
	if mode == "child" {
		child := exec.Command("sleep", "60")
		if err := child.Start(); err != nil {
			fmt.Fprintln(out, "child:", err)
			return 2
		}
		childPid = child.Process.Pid
	}
	count := 0
	for {
		resp, event, err := do("GET", "/invocation/next", nil, nil)
		if err != nil {
			return 0 // stopped
		}
		count++
		id := resp.Header.Get("Lambda-Runtime-Aws-Request-Id")
		fmt.Fprintf(out, "handling %s\n", id)
		respond := func(v any) {
			b, _ := json.Marshal(v)
			do("POST", "/invocation/"+id+"/response", b, nil)
		}
		switch mode {
		case "echo", "ignoreterm", "child":
			respond(map[string]any{
				"event":         json.RawMessage(event),
				"requestId":     id,
				"deadlineMs":    resp.Header.Get("Lambda-Runtime-Deadline-Ms"),
				"arn":           resp.Header.Get("Lambda-Runtime-Invoked-Function-Arn"),
				"trace":         resp.Header.Get("Lambda-Runtime-Trace-Id"),
				"clientContext": resp.Header.Get("Lambda-Runtime-Client-Context"),
				"cognito":       resp.Header.Get("Lambda-Runtime-Cognito-Identity"),
				"count":         count,
				"pid":           os.Getpid(),
				"childPid":      childPid,
				"stream":        os.Getenv("AWS_LAMBDA_LOG_STREAM_NAME"),
			})
		case "env":
			env := map[string]string{}
			for _, kv := range os.Environ() {
				k, v, _ := strings.Cut(kv, "=")
				env[k] = v
			}
			respond(env)
		case "error":
			do("POST", "/invocation/"+id+"/error", []byte(`{"errorMessage":"fake failure","errorType":"FakeError"}`),
				map[string]string{"Lambda-Runtime-Function-Error-Type": "FakeError"})
		case "exit":
			fmt.Fprintln(out, "exiting with 3")
			return 3
		case "sleep":
			<-ctx.Done()
			return 0
		case "slow":
			select {
			case <-time.After(300 * time.Millisecond):
			case <-ctx.Done():
				return 0
			}
			respond(map[string]any{"count": count})
		case "big":
			r, b, err := do("POST", "/invocation/"+id+"/response", bytes.Repeat([]byte("x"), MaxResponsePayload+1), nil)
			if err == nil {
				fmt.Fprintf(out, "response refused: %d %s\n", r.StatusCode, b)
			}
		case "log":
			fmt.Fprintln(out, "line one")
			fmt.Fprintln(os.Stderr, "line two on stderr")
			fmt.Fprint(out, "partial line without newline")
			respond("logged")
		default:
			fmt.Fprintln(out, "unknown mode", mode)
			return 2
		}
	}
}
