// Package emulatortest starts iamlocal in-process for tests: a real listener on 127.0.0.1:0, a
// database in t.TempDir(), cleanup on test end, and aws-sdk-go-v2 configs pointed at it.
package emulatortest

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/iamlocal/iamlocal/emulator"
)

// Server is a running in-process emulator.
type Server struct {
	*emulator.Server
	URL  string
	Root emulator.Account // the first account's root credentials
}

// New starts a server; opts may adjust the Options (clock, accounts, ...) before it starts.
// It listens on 127.0.0.1, so its admin endpoints take unsigned requests, as iamlocal's do on
// loopback (emulator.AdminLoopback), unless opts set AdminAccess.
func New(t testing.TB, opts ...func(*emulator.Options)) *Server {
	t.Helper()
	o := emulator.Options{DBPath: filepath.Join(t.TempDir(), "iamlocal.db")}
	for _, f := range opts {
		f(&o)
	}
	srv, err := emulator.New(o)
	if err != nil {
		t.Fatalf("emulatortest: %v", err)
	}
	hs := httptest.NewUnstartedServer(srv.Handler())
	lt := srv.Timeouts() // as cmd/iamlocal serves it
	hs.Config.ReadHeaderTimeout, hs.Config.ReadTimeout, hs.Config.IdleTimeout = lt.ReadHeader, lt.Read, lt.Idle
	hs.Start()
	srv.SetEndpoint(hs.URL)
	t.Cleanup(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			t.Errorf("emulatortest: close: %v", err)
		}
	})
	return &Server{Server: srv, URL: hs.URL, Root: srv.Accounts()[0]}
}

// Snapshot saves the server's state under name (as POST /_iamlocal/snapshots/{name}), for
// Restore to put back: set a fixture up once, then restore it at the start of each subtest.
// t fails if it cannot be saved; it is the calling (sub)test's, as Fatal must run in its own
// goroutine.
func (s *Server) Snapshot(t testing.TB, name string) {
	t.Helper()
	if _, err := s.SaveSnapshot(name); err != nil {
		t.Fatalf("emulatortest: snapshot %q: %v", name, err)
	}
}

// Restore puts back the state saved by Snapshot(t, name), in one transaction and in
// milliseconds; t fails if there is no such snapshot.
func (s *Server) Restore(t testing.TB, name string) {
	t.Helper()
	if err := s.RestoreSnapshot(name); err != nil {
		t.Fatalf("emulatortest: restore %q: %v", name, err)
	}
}

// AWSConfig is an SDK config signed with the root credentials of the first account.
func (s *Server) AWSConfig(ctx context.Context) aws.Config {
	return s.ConfigFor(s.Root.AccessKeyID, s.Root.SecretAccessKey, "")
}

// ConfigFor is an SDK config with the given credentials (an IAM user's key, or STS credentials).
func (s *Server) ConfigFor(accessKeyID, secret, sessionToken string) aws.Config {
	return aws.Config{
		Region:       s.Region(),
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secret, sessionToken),
		BaseEndpoint: aws.String(s.URL),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}
