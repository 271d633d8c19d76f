package integration

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The AWS CLI v1 and boto3 come with the machine image; a test that needs one fails saying
// plainly what is missing instead of skipping.

func needAWSCLI(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("aws")
	if err != nil {
		t.Fatal("this test drives iamlocal with the AWS CLI v1, and `aws` is not on PATH: install the AWS CLI (package awscli) and rerun")
	}
	return path
}

func needBoto3(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Fatal("this test drives iamlocal with boto3, and `python3` is not on PATH: install python3 with boto3 and rerun")
	}
	if out, err := exec.Command(py, "-c", "import boto3").CombinedOutput(); err != nil {
		t.Fatalf("this test drives iamlocal with boto3, and `python3 -c 'import boto3'` fails: install boto3 and rerun\n%s", out)
	}
	return py
}

// clientEnv is an environment for AWS tools that reads no local AWS configuration.
func clientEnv(srv *emulatortest.Server, key, secret, token string) []string {
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir(),
		"AWS_ACCESS_KEY_ID=" + key, "AWS_SECRET_ACCESS_KEY=" + secret,
		"AWS_DEFAULT_REGION=" + srv.Region(), "AWS_ENDPOINT_URL=" + srv.URL,
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_MAX_ATTEMPTS=1", "PYTHONWARNINGS=ignore",
	}
	if token != "" {
		env = append(env, "AWS_SESSION_TOKEN="+token)
	}
	for _, k := range []string{"PYENV_ROOT", "PYENV_VERSION", "PYTHONPATH"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// runCLI runs `aws <args>` against srv with the given credentials and returns stdout, stderr.
func runCLI(t *testing.T, srv *emulatortest.Server, key, secret string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.Command(needAWSCLI(t), append([]string{"--endpoint-url", srv.URL, "--output", "json"}, args...)...)
	cmd.Env = clientEnv(srv, key, secret, "")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return out.String(), errb.String(), err
}

// runBoto3 runs a python script with boto3 against srv (endpoint and credentials in the
// environment) and returns its stdout; the script fails the test by exiting non-zero.
func runBoto3(t *testing.T, srv *emulatortest.Server, key, secret, script string) string {
	t.Helper()
	cmd := exec.Command(needBoto3(t), "-c", script)
	cmd.Env = clientEnv(srv, key, secret, "")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		t.Fatalf("boto3 script failed: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errb.String())
	}
	return strings.TrimSpace(out.String())
}
