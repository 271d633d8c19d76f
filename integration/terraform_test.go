//go:build terraform

package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// terraformRun is a Terraform working directory bound to one in-process server.
type terraformRun struct {
	t    *testing.T
	bin  string
	dir  string
	env  []string
	vars []string
}

// newTerraformRun copies testdata/terraform into a fresh directory and initialises it from the
// provider mirror alone: nothing is downloaded. It fails, naming what is missing, when Terraform
// or the cached AWS provider is not on this machine.
func newTerraformRun(t *testing.T, srv *emulatortest.Server, zipPath string) *terraformRun {
	t.Helper()
	bin, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatal("this test applies a Terraform configuration, and `terraform` is not on PATH: install Terraform 1.11 and rerun")
	}
	pluginDir := os.Getenv("IAMLOCAL_TF_PLUGIN_DIR")
	if pluginDir == "" {
		pluginDir = "/opt/tf-plugins"
	}
	provider := filepath.Join(pluginDir, "registry.terraform.io/hashicorp/aws/5.100.0")
	if _, err := os.Stat(provider); err != nil {
		t.Fatalf("this test needs the hashicorp/aws 5.100.0 provider in a filesystem mirror at %s (IAMLOCAL_TF_PLUGIN_DIR): %v", pluginDir, err)
	}
	dir := t.TempDir()
	src, err := os.ReadFile(filepath.Join("testdata", "terraform", "main.tf"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), src, 0o644); err != nil {
		t.Fatal(err)
	}
	home := t.TempDir()
	cliConfig := filepath.Join(home, "terraform.rc")
	if err := os.WriteFile(cliConfig, []byte("disable_checkpoint = true\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A clean environment: no AWS profile, credentials or endpoint of the machine's leaks in.
	env := []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + home, "TF_CLI_CONFIG_FILE=" + cliConfig,
		"TF_IN_AUTOMATION=1", "TF_INPUT=0", "CHECKPOINT_DISABLE=1",
		"AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true",
	}
	for _, k := range []string{"TF_LOG", "TF_LOG_PATH"} {
		if v := os.Getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	r := &terraformRun{t: t, bin: bin, dir: dir, env: env,
		vars: []string{"-var", "endpoint=" + srv.URL, "-var", "zip_path=" + zipPath}}
	r.mustRun("init", "-no-color", "-plugin-dir="+pluginDir)
	return r
}

// run runs one terraform command and returns its combined output and exit code.
func (r *terraformRun) run(args ...string) (string, int) {
	r.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir, cmd.Env = r.dir, r.env
	out, err := cmd.CombinedOutput()
	if err != nil {
		if exit, ok := err.(*exec.ExitError); ok {
			return string(out), exit.ExitCode()
		}
		r.t.Fatalf("terraform %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out), 0
}

func (r *terraformRun) mustRun(args ...string) string {
	r.t.Helper()
	out, code := r.run(args...)
	if code != 0 {
		r.t.Fatalf("terraform %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// withVars is the command with the configuration's variables and no colours.
func (r *terraformRun) withVars(args ...string) []string {
	return append(append(args, "-no-color"), r.vars...)
}

// TestTerraform applies testdata/terraform with the AWS provider against iamlocal: apply, then
// a plan that finds no change (every read after create agrees with what was declared), then
// destroy, which leaves nothing.
func TestTerraform(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	zipPath := filepath.Join(t.TempDir(), "function.zip")
	if err := os.WriteFile(zipPath, zipOf(t, map[string]string{"index.py": terraformHandler}), 0o644); err != nil {
		t.Fatal(err)
	}
	tf := newTerraformRun(t, srv, zipPath)
	tf.mustRun(tf.withVars("apply", "-auto-approve", "-input=false")...)
	if out, code := tf.run(tf.withVars("plan", "-detailed-exitcode", "-input=false")...); code != 0 {
		t.Fatalf("plan after apply: exit %d, want 0 (no changes)\n%s", code, out)
	}
	tf.mustRun(tf.withVars("destroy", "-auto-approve", "-input=false")...)
}

const terraformHandler = `
import json

def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"from": "terraform"})}
`
