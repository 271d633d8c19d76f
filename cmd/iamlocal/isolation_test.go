package main

import (
	"archive/zip"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

var isolationRE = regexp.MustCompile(`function isolation ([^)]+)\)`)

// startServer runs the real main in a child process on dataDir and returns
// it with its URL and the isolation its start banner names.
func startServer(t *testing.T, dataDir string) (*exec.Cmd, string, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0])
	cmd.Env = append(os.Environ(), "IAMLOCAL_TEST_AS_MAIN=1", "IAMLOCAL_ADDR=127.0.0.1:0", "IAMLOCAL_DATA_DIR="+dataDir)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(out).ReadString('\n')
	url, iso := listenRE.FindStringSubmatch(line), isolationRE.FindStringSubmatch(line)
	if err != nil || url == nil || iso == nil {
		t.Fatalf("startup line %q: %v", line, err)
	}
	go io.Copy(io.Discard, out)
	return cmd, url[1], iso[1]
}

// The start banner and /_iamlocal/health say which isolation functions run
// under; on this Linux host, namespaces.
func TestBannerAndHealthNameTheIsolation(t *testing.T) {
	t.Parallel()
	_, url, banner := startServer(t, t.TempDir())
	resp, err := http.Get(url + "/_iamlocal/health")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var health struct{ Isolation string }
	if err := json.NewDecoder(resp.Body).Decode(&health); err != nil {
		t.Fatal(err)
	}
	if health.Isolation != banner || !strings.HasPrefix(banner, "namespaces") {
		t.Errorf("banner says %q, health says %q: want the same, namespaces on Linux", banner, health.Isolation)
	}
}

const sleeperApp = `
import subprocess, time

def handler(event, context):
    subprocess.Popen(["sleep", event["marker"]], start_new_session=True)
    time.sleep(300)
`

// kill -9 of the server takes its functions' environments with it (the
// runtime and a setsid grandchild), and the next start on the same data
// directory removes the sandbox directories the killed server left.
func TestKilledServerLeavesNoRuntimeAndNextStartCleansUp(t *testing.T) {
	t.Parallel()
	dataDir := t.TempDir()
	server, url, _ := startServer(t, dataDir)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	fns := lambdaClient(ctx, t, url)
	marker := fmt.Sprintf("%d.%d", 8000+os.Getpid()%1000, time.Now().UnixNano()%1000)
	go func() {
		_, _ = fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("sleeper"), Payload: []byte(`{"marker":"` + marker + `"}`)})
	}()
	grandchild := waitForCmdline(t, "sleep\x00"+marker+"\x00")
	runtime := parentOf(t, grandchild)
	leftovers, _ := filepath.Glob(filepath.Join(dataDir, "sandboxes", "iamlocal-executor-*", "sb-*"))
	if len(leftovers) != 1 {
		t.Fatalf("sandbox directories %v, want the sleeper's", leftovers)
	}

	if err := server.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = server.Wait()
	for _, pid := range []int{runtime, grandchild} {
		waitGone(t, pid)
	}
	if _, err := os.Stat(leftovers[0]); err != nil {
		t.Fatalf("the killed server's sandbox directory: %v, want it left behind", err)
	}

	startServer(t, dataDir)
	if _, err := os.Stat(filepath.Dir(leftovers[0])); !os.IsNotExist(err) {
		t.Errorf("the next start kept %s: %v", filepath.Dir(leftovers[0]), err)
	}
}

// lambdaClient creates the sleeper function on the server at url.
func lambdaClient(ctx context.Context, t *testing.T, url string) *lambda.Client {
	t.Helper()
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Retryer: func() aws.Retryer { return aws.NopRetryer{} },
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("exec"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	f, _ := zw.Create("app.py")
	_, _ = f.Write([]byte(sleeperApp))
	_ = zw.Close()
	fns := lambda.NewFromConfig(cfg)
	if _, err := fns.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("sleeper"), Role: role.Role.Arn,
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: buf.Bytes()},
		Timeout: aws.Int32(300)}); err != nil {
		t.Fatal(err)
	}
	return fns
}

// waitForCmdline finds the host process whose /proc command line is cmdline.
func waitForCmdline(t *testing.T, cmdline string) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		dirs, _ := filepath.Glob("/proc/[0-9]*")
		for _, d := range dirs {
			if b, _ := os.ReadFile(d + "/cmdline"); string(b) == cmdline {
				pid, _ := strconv.Atoi(filepath.Base(d))
				return pid
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no process runs %q", cmdline)
	return 0
}

// parentOf is the parent pid of pid (field 4 of /proc/<pid>/stat, after the
// parenthesised command).
func parentOf(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	ppid, _ := strconv.Atoi(f[1])
	return ppid
}

// waitGone waits for pid to exit (a zombie counts as gone).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil || strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))[0] == "Z" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs", pid)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
