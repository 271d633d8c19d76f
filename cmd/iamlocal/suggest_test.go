package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

func noEnv(string) string { return "" }

// `iamlocal policy suggest` prints, on stdout alone, the policy that covers what a principal
// did on a running server: a document IAM accepts as it is.
func TestPolicySuggestCommand(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	for _, name := range []string{"ann", "bob"} {
		if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := root.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	env := func(k string) string { return map[string]string{"AWS_ENDPOINT_URL": srv.URL}[k] }
	var stdout, stderr bytes.Buffer
	rootARN := "arn:aws:iam::123456789012:root"
	if code := policyCommand(ctx, []string{"suggest", "-principal", rootARN, "-since", "1h"}, env, nil, &stdout, &stderr); code != lintClean {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var doc struct {
		Version   string
		Statement []struct {
			Effect   string
			Action   any
			Resource any
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &doc); err != nil || doc.Version != "2012-10-17" || len(doc.Statement) == 0 {
		t.Fatalf("stdout is not a policy (%v):\n%s", err, stdout.String())
	}
	for _, want := range []string{`"iam:CreateUser"`, `"iam:GetUser"`, `arn:aws:iam::123456789012:user/bob`} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("suggested policy lacks %s:\n%s", want, stdout.String())
		}
	}
	if !strings.Contains(stderr.String(), "allowed call(s) of "+rootARN) {
		t.Errorf("stderr: %s", stderr.String())
	}
	// The document is one IAM takes.
	if _, err := root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("ann"), PolicyName: aws.String("suggested"),
		PolicyDocument: aws.String(stdout.String())}); err != nil {
		t.Errorf("IAM refuses the suggested policy: %v", err)
	}
}

func TestPolicySuggestCommandRefusesBadUse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no principal", []string{"suggest"}, lintUsage, "usage: iamlocal policy suggest -principal ARN"},
		{"bad since", []string{"suggest", "-principal", "arn:aws:iam::123456789012:user/ann", "-since", "yesterday"}, lintUsage, "want an RFC 3339 time"},
		{"no server", []string{"suggest", "-principal", "arn:aws:iam::123456789012:user/ann", "-endpoint", "http://127.0.0.1:1"}, lintBlocking, "iamlocal policy suggest: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			code := policyCommand(context.Background(), tt.args, noEnv, nil, &stdout, &stderr)
			if code != tt.code || !strings.Contains(stderr.String(), tt.stderr) || stdout.Len() != 0 {
				t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
			}
		})
	}
}

func TestParseSince(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 2, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{"2026-12-01T10:00:00Z", time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC), true},
		{"30m", now.Add(-30 * time.Minute), true},
		{"-5m", time.Time{}, false},
		{"monday", time.Time{}, false},
	}
	for _, tt := range tests {
		got, err := parseSince(tt.in, now)
		if (err == nil) != tt.ok || !got.Equal(tt.want) {
			t.Errorf("parseSince(%q) = %v, %v", tt.in, got, err)
		}
	}
}
