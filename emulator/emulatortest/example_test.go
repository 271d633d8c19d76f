package emulatortest_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// A test gets its own server (listening on 127.0.0.1, its database in t.TempDir(), closed at
// cleanup) and SDK configs signed as the account's root. A fixture set up once is saved as a
// snapshot and put back before each case in milliseconds.
func ExampleNew() {
	runAsTest(func(t testing.TB) { // in a suite: func TestUsers(t *testing.T) {
		ctx := context.Background()
		srv := emulatortest.New(t)
		client := iam.NewFromConfig(srv.AWSConfig(ctx))
		out, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(aws.ToString(out.User.Arn))

		srv.Snapshot(t, "alice-only")
		if _, err := client.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}); err != nil {
			t.Fatal(err)
		}
		srv.Restore(t, "alice-only") // bob is gone
		users, err := client.ListUsers(ctx, &iam.ListUsersInput{})
		if err != nil {
			t.Fatal(err)
		}
		fmt.Println(len(users.Users), "user")
	})
	// Output:
	// arn:aws:iam::123456789012:user/alice
	// 1 user
}

// runAsTest runs body as `go test` runs a test, which an example cannot ask it to: with a
// testing.TB whose temporary directory and cleanups end with the body, and whose Fatal stops
// it and is printed (so the example's output shows it).
func runAsTest(body func(t testing.TB)) {
	t := &exampleT{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		body(t)
	}()
	<-done
	for i := len(t.cleanups) - 1; i >= 0; i-- {
		t.cleanups[i]()
	}
	for _, dir := range t.dirs {
		os.RemoveAll(dir)
	}
}

// exampleT implements the testing.TB methods emulatortest and the example call; embedding the
// interface supplies its unexported method, and any other method would panic.
type exampleT struct {
	testing.TB
	dirs     []string
	cleanups []func()
	failed   bool
}

func (t *exampleT) Helper()           {}
func (t *exampleT) Cleanup(f func())  { t.cleanups = append(t.cleanups, f) }
func (t *exampleT) Failed() bool      { return t.failed }
func (t *exampleT) Fatal(args ...any) { t.Error(args...); runtime.Goexit() }
func (t *exampleT) Fatalf(format string, args ...any) {
	t.Errorf(format, args...)
	runtime.Goexit()
}
func (t *exampleT) Error(args ...any) {
	t.failed = true
	fmt.Println(append([]any{"FAIL:"}, args...)...)
}
func (t *exampleT) Errorf(format string, args ...any) {
	t.failed = true
	fmt.Printf("FAIL: "+format+"\n", args...)
}

func (t *exampleT) TempDir() string {
	dir, err := os.MkdirTemp("", "emulatortest-example-")
	if err != nil {
		t.Fatal(err)
	}
	t.dirs = append(t.dirs, dir)
	return dir
}
