package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const (
	cleanPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:ListFunctions", "Resource": "*"}]}`
	// The seed page's step 3 policy: lambda:ListEventSourceMapping does not exist.
	seedStep3 = `{ "Version": "2012-10-17", "Statement": [ { "Sid": "DisplayFunctionDetailsPermissions", "Effect": "Allow", "Action": [ "lambda:ListVersionsByFunction", "lambda:ListAliases", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListEventSourceMapping", "lambda:GetPolicy" ], "Resource": "*" } ] }`
	noVersion = `{"Statement": [{"Effect": "Allow", "Action": "lambda:ListFunctions", "Resource": "*"}]}`
	// logs:DescribeLogGroups on a log group: only iamlocal's own check finds it.
	logGroups = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*"}]}`
)

func writePolicy(t *testing.T, dir, name, doc string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPolicyLint(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	clean, seed := writePolicy(t, dir, "clean.json", cleanPolicy), writePolicy(t, dir, "seed.json", seedStep3)
	unversioned, groups := writePolicy(t, dir, "noversion.json", noVersion), writePolicy(t, dir, "loggroups.json", logGroups)
	tests := []struct {
		name      string
		args      []string
		stdin     string
		code      int
		stdout    string // a line the output must hold
		notStdout string
	}{
		{"clean", []string{"lint", clean}, "", lintClean, "", "ERROR"},
		{"an error", []string{"lint", seed}, "", lintBlocking,
			seed + ":1:232: ERROR INVALID_ACTION: The action lambda:ListEventSourceMapping does not exist. Did you mean lambda:ListEventSourceMappings?", ""},
		{"from standard input", []string{"lint", "-"}, seedStep3, lintBlocking, "-:1:232: ERROR INVALID_ACTION", ""},
		{"errors that do not block", []string{"lint", "-fail-on", "", seed}, "", lintClean, "INVALID_ACTION", ""},
		{"a warning that does not block", []string{"lint", unversioned}, "", lintClean, "WARNING MISSING_VERSION", ""},
		{"a warning that blocks", []string{"lint", "-fail-on", "error,warning", unversioned}, "", lintBlocking, "MISSING_VERSION", ""},
		{"iamlocal's own check", []string{"lint", groups}, "", lintBlocking, "ERROR RESOURCE_MISMATCH", ""},
		{"AWS's checks only", []string{"lint", "-aws-only", groups}, "", lintClean, "", "RESOURCE_MISMATCH"},
		{"several files", []string{"lint", clean, seed}, "", lintBlocking, seed + ":1:232:", clean + ":"},
		{"a trust policy", []string{"lint", "-type", "trust", "-"},
			`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]}`, lintClean, "", "ERROR"},
		{"a missing file", []string{"lint", filepath.Join(dir, "nothing.json")}, "", lintUsage, "", ""},
		{"no file", []string{"lint"}, "", lintUsage, "", ""},
		{"a bad type", []string{"lint", "-type", "bucket", clean}, "", lintUsage, "", ""},
		{"a bad finding type", []string{"lint", "-fail-on", "FATAL", clean}, "", lintUsage, "", ""},
		{"a bad format", []string{"lint", "-format", "xml", clean}, "", lintUsage, "", ""},
		{"not lint", []string{"check", clean}, "", lintUsage, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := policyCommand(context.Background(), tt.args, noEnv, strings.NewReader(tt.stdin), &stdout, &stderr)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout.String(), stderr.String())
			}
			if tt.stdout != "" && !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout does not hold %q:\n%s", tt.stdout, stdout.String())
			}
			if tt.notStdout != "" && strings.Contains(stdout.String(), tt.notStdout) {
				t.Errorf("stdout holds %q:\n%s", tt.notStdout, stdout.String())
			}
			if code == lintBlocking && !strings.Contains(stderr.String(), "of a blocking type") {
				t.Errorf("stderr does not say why the run fails:\n%s", stderr.String())
			}
		})
	}
}

// -format json prints ValidatePolicy's findings, as `aws accessanalyzer validate-policy` does.
func TestPolicyLintJSON(t *testing.T) {
	t.Parallel()
	var stdout bytes.Buffer
	if code := policyCommand(context.Background(), []string{"lint", "-format", "json", "-"}, noEnv, strings.NewReader(seedStep3), &stdout, &bytes.Buffer{}); code != lintBlocking {
		t.Fatalf("exit %d", code)
	}
	var out struct {
		Findings []struct {
			FindingType, IssueCode, FindingDetails, LearnMoreLink string
			Locations                                             []struct {
				Path []map[string]any
				Span struct {
					Start, End struct{ Line, Column, Offset int }
				}
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		t.Fatalf("%v:\n%s", err, stdout.String())
	}
	if len(out.Findings) != 1 {
		t.Fatalf("findings %+v", out.Findings)
	}
	f := out.Findings[0]
	if f.IssueCode != "INVALID_ACTION" || f.FindingType != "ERROR" || len(f.Locations) != 1 || f.Locations[0].Span.Start.Column != 231 ||
		len(f.Locations[0].Path) != 4 || f.Locations[0].Path[3]["index"] != float64(4) {
		t.Errorf("finding %+v", f)
	}
}

// The binary's exit status, for a CI step: 1 with blocking findings, 0 without, 2 on misuse.
func TestPolicyLintExitStatus(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		args  []string
		stdin string
		code  int
	}{
		{[]string{"policy", "lint", writePolicy(t, dir, "seed.json", seedStep3)}, "", 1},
		{[]string{"policy", "lint", writePolicy(t, dir, "clean.json", cleanPolicy)}, "", 0},
		{[]string{"policy", "lint", "-"}, seedStep3, 1},
		{[]string{"policy", "lint", "-fail-on", "", "-"}, seedStep3, 0},
		{[]string{"policy", "lint"}, "", 2},
	}
	for _, tt := range tests {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, os.Args[0], tt.args...)
		cmd.Env = append(os.Environ(), "IAMLOCAL_TEST_AS_MAIN=1")
		cmd.Stdin = strings.NewReader(tt.stdin)
		err := cmd.Run()
		cancel()
		code := 0
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			code = exit.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code {
			t.Errorf("%q: exit %d, want %d", tt.args, code, tt.code)
		}
	}
}
