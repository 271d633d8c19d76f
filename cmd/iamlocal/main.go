// Command iamlocal runs the emulator: `iamlocal [serve] [flags]`. It parses configuration, builds
// the embeddable server and serves it until SIGINT or SIGTERM, then shuts down gracefully.
// `iamlocal db check [-data-dir DIR]` checks the database of a stopped server; `iamlocal state
// export|import FILE` writes or replaces a server's state; `iamlocal policy lint FILE|-` checks
// policy documents as IAM Access Analyzer does; `iamlocal policy suggest -principal ARN` prints
// the least-privilege policy for what a principal did.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/config"
)

// gcPercent is the collector's target when GOGC is not set. Go's default (100) collects every
// time the heap doubles; a server whose live heap is a few MB then collects every few thousand
// requests. Measured side by side (docs/request-cost.md), 400 cut the CPU a request costs under
// load by a sixth against 100, for about 13 MB more resident memory under load. gcSoftLimit
// (when GOMEMLIMIT is not set) has a large heap collected sooner than 400% would.
const (
	gcPercent   = 400
	gcSoftLimit = 256 << 20
)

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcSoftLimit)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(os.Args) > 1 && os.Args[1] == "policy" {
		code := policyCommand(ctx, os.Args[2:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
		stop()
		os.Exit(code)
	}
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "iamlocal:", err)
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			args = args[1:]
		case "version":
			fmt.Fprintln(stdout, "iamlocal", emulator.Version)
			return nil
		case "db":
			return dbCommand(args[1:], getenv, stdout, stderr)
		case "decisions":
			return decisionsCommand(ctx, args[1:], getenv, stdout, stderr)
		case "state":
			return stateCommand(ctx, args[1:], getenv, stdout, stderr)
		}
	}
	cfg, err := config.Load(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil // -h: the usage is printed, and asking for it is no failure
	}
	if err != nil {
		return err
	}
	return serve(ctx, cfg, stdout, stderr)
}

// newLogger logs at the configured level, as text or JSON (-log-format).
func newLogger(cfg config.Config, stderr io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	// slog's text or JSON handler, with the request line written by the server itself.
	return slog.New(emulator.NewLogHandler(stderr, cfg.LogFormat == "json", &slog.HandlerOptions{Level: level}))
}

// banner says where the server listens and with what: the root credentials (the secret only
// while it is the well-known default), the accounts, region, enforcement, function isolation and
// data file.
func banner(w io.Writer, cfg config.Config, addr string, srv *emulator.Server, generatedToken bool) {
	root := cfg.Accounts[0]
	fmt.Fprintf(w, "iamlocal %s listening on http://%s (region %s, account %s, data %s, function isolation %s)\n",
		emulator.Version, addr, cfg.Region, root.ID, cfg.DBPath(), srv.Isolation())
	if generatedToken {
		fmt.Fprintf(w, "admin endpoints (listening beyond loopback) need a root-signed request or this generated token "+
			"(set IAMLOCAL_ADMIN_TOKEN to choose one): Authorization: Bearer %s\n", srv.AdminToken())
	}
	secret := "(set)"
	if root.SecretAccessKey == emulator.DefaultSecretAccessKey {
		secret = root.SecretAccessKey
	}
	fmt.Fprintf(w, "  root credentials: AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", root.AccessKeyID, secret)
	if len(cfg.Accounts) > 1 {
		ids := make([]string, 0, len(cfg.Accounts)-1)
		for _, a := range cfg.Accounts[1:] {
			ids = append(ids, a.ID+" (key "+a.AccessKeyID+")")
		}
		fmt.Fprintf(w, "  more accounts: %s\n", strings.Join(ids, ", "))
	}
	fmt.Fprintf(w, "  enforcement %s; AWS_ENDPOINT_URL=http://%s\n", cfg.Enforce, addr)
}

// logBatchInterval is how long a log line may wait to be written with the lines after it.
const logBatchInterval = 10 * time.Millisecond

func serve(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) error {
	// Written before serve returns, and so before main reports an error of its own.
	logs := emulator.NewBatchWriter(stderr, logBatchInterval)
	defer logs.Close()
	logger := newLogger(cfg, logs)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	access := emulator.AdminAccessFor(cfg.Addr)
	srv, err := emulator.New(cfg.LambdaOptions(emulator.Options{DBPath: cfg.DBPath(), Accounts: cfg.Accounts, Region: cfg.Region, Partition: cfg.Partition, Logger: logger,
		Enforce: authorize.Mode(cfg.Enforce), AdminAccess: access, AdminToken: cfg.AdminToken,
		Runtimes: cfg.Runtimes, NodeSDKPath: cfg.NodeSDKPath, URLBase: cfg.URLBase, URLAuth: emulator.URLAuth(cfg.URLAuth)}))
	if err != nil {
		return startError(err, cfg)
	}
	defer srv.Close()
	// Applied before the listener opens: no client sees the state half made.
	if cfg.Init != "" {
		if err := applyInit(ctx, srv, cfg.Init, logger); err != nil {
			return err
		}
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv.SetEndpoint("http://" + ln.Addr().String())
	// Slow headers, slow bodies and idle connections are cut off; the handler holds each
	// API body to its own size at the server's minimum rate.
	t := srv.Timeouts()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}
	banner(stdout, cfg, ln.Addr().String(), srv, access == emulator.AdminAuthenticated && cfg.AdminToken == "")
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// In-flight requests finish before the database closes (deferred above).
	if err := hs.Shutdown(shutdownCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
