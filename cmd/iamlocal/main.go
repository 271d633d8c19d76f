// Command iamlocal runs the emulator: `iamlocal [serve] [flags]`. It parses configuration, builds
// the embeddable server and serves it until SIGINT or SIGTERM, then shuts down gracefully.
// `iamlocal db check [-data-dir DIR]` checks the database of a stopped server.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/config"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
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
		}
	}
	cfg, err := config.Load(args, getenv, stderr)
	if err != nil {
		return err
	}
	return serve(ctx, cfg, stdout, stderr)
}

func serve(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) error {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel)) // validated by config
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("data directory: %w", err)
	}
	access := emulator.AdminAccessFor(cfg.Addr)
	srv, err := emulator.New(cfg.LambdaOptions(emulator.Options{DBPath: cfg.DBPath(), Accounts: cfg.Accounts, Region: cfg.Region, Partition: cfg.Partition, Logger: logger,
		Enforce: authorize.Mode(cfg.Enforce), AdminAccess: access, AdminToken: cfg.AdminToken}))
	if err != nil {
		return startError(err, cfg)
	}
	defer srv.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv.SetEndpoint("http://" + ln.Addr().String())
	// Slow headers, slow bodies and idle connections are cut off; the handler holds each
	// API body to its own size at the server's minimum rate.
	t := srv.Timeouts()
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: t.ReadHeader, ReadTimeout: t.Read, IdleTimeout: t.Idle}
	fmt.Fprintf(stdout, "iamlocal %s listening on http://%s (region %s, account %s, data %s, function isolation %s)\n",
		emulator.Version, ln.Addr(), cfg.Region, cfg.Accounts[0].ID, cfg.DBPath(), srv.Isolation())
	if access == emulator.AdminAuthenticated && cfg.AdminToken == "" {
		fmt.Fprintf(stdout, "admin endpoints (listening beyond loopback) need a root-signed request or this generated token "+
			"(set IAMLOCAL_ADMIN_TOKEN to choose one): Authorization: Bearer %s\n", srv.AdminToken())
	}
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
