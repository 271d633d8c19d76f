package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// lockedBuffer collects a command's output while it runs.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// `iamlocal decisions` prints a running server's decisions readably, filtered by principal and
// outcome, and with -follow keeps printing new ones.
func TestDecisionsCommand(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	if _, err := root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("ann")}); err != nil {
		t.Fatal(err)
	}
	key, err := root.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("ann")})
	if err != nil {
		t.Fatal(err)
	}
	ann := iam.NewFromConfig(srv.ConfigFor(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, ""))
	if _, err := ann.ListRoles(ctx, &iam.ListRolesInput{}); err == nil {
		t.Fatal("ann may list roles")
	}
	env := func(k string) string { return map[string]string{"AWS_ENDPOINT_URL": srv.URL}[k] }
	var out bytes.Buffer
	if err := run(ctx, []string{"decisions", "-denied"}, env, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], " DENY            arn:aws:iam::123456789012:user/ann iam:ListRoles on arn:aws:iam::123456789012:role/  [decided by identity policies]") ||
		!strings.HasPrefix(lines[1], "    User: arn:aws:iam::123456789012:user/ann is not authorized to perform: iam:ListRoles") {
		t.Errorf("decisions -denied:\n%s", out.String())
	}
	out.Reset()
	if err := run(ctx, []string{"decisions", "-principal", "arn:aws:iam::123456789012:root"}, env, &out, io.Discard); err != nil ||
		!strings.Contains(out.String(), "ALLOW           arn:aws:iam::123456789012:root iam:CreateUser") || strings.Contains(out.String(), "user/ann iam:") {
		t.Errorf("decisions -principal root: %v\n%s", err, out.String())
	}

	followCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var followed lockedBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(followCtx, []string{"decisions", "-follow", "-denied"}, env, &followed, io.Discard)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(followed.String(), "iam:ListUsers") && time.Now().Before(deadline) {
		_, _ = ann.ListUsers(ctx, &iam.ListUsersInput{})
		time.Sleep(50 * time.Millisecond)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("follow ended with %v", err)
	}
	if !strings.Contains(followed.String(), "DENY            arn:aws:iam::123456789012:user/ann iam:ListUsers") {
		t.Errorf("follow printed:\n%s", followed.String())
	}
}

func TestDecisionLineShowsStoredPolicyFindings(t *testing.T) {
	t.Parallel()
	d := authorize.Decision{Time: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC), Decision: "Allow", Principal: "arn:aws:iam::123456789012:root",
		Action: "iam:PutUserPolicy", Resource: "arn:aws:iam::123456789012:user/walker",
		PolicyFindings: []string{"ERROR INVALID_ACTION user/walker/details line 1 column 60: ..."}}
	want := "2026-12-02T09:00:00Z ALLOW           arn:aws:iam::123456789012:root iam:PutUserPolicy on arn:aws:iam::123456789012:user/walker\n" +
		"    stored policy: ERROR INVALID_ACTION user/walker/details line 1 column 60: ..."
	if got := decisionLine(d); got != want {
		t.Errorf("decisionLine:\n%s\nwant\n%s", got, want)
	}
}
