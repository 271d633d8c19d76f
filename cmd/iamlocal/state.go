package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/config"
	"github.com/iamlocal/iamlocal/storage"
)

const stateUsage = "usage: iamlocal state export|import [-endpoint URL] [-admin-token TOKEN] [-data-dir DIR] FILE"

// stateCommand runs `iamlocal state export FILE` and `iamlocal state import FILE`: the state
// file of a running server over HTTP (GET and PUT /_iamlocal/state, the server from
// AWS_ENDPOINT_URL), or, with -data-dir, of a stopped server's database. Export writes FILE
// readable by its owner only, since it holds secrets; "-" writes to standard output.
func stateCommand(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || (args[0] != "export" && args[0] != "import") {
		return errors.New(stateUsage)
	}
	verb := args[0]
	fs := flag.NewFlagSet("iamlocal state "+verb, flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoint := fs.String("endpoint", firstSet(getenv("AWS_ENDPOINT_URL"), "http://"+config.DefaultAddr), "the running server (AWS_ENDPOINT_URL)")
	token := fs.String("admin-token", getenv("IAMLOCAL_ADMIN_TOKEN"), "admin token of a server beyond loopback (IAMLOCAL_ADMIN_TOKEN)")
	dir := fs.String("data-dir", "", "the data directory of a stopped server, instead of a running one")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New(stateUsage)
	}
	file := fs.Arg(0)
	if verb == "import" && file == "-" {
		return errors.New("iamlocal state import: name the state file (standard input is not read)")
	}
	st := stateSource{endpoint: strings.TrimSuffix(*endpoint, "/"), token: *token, dir: *dir, region: config.RegionFromEnv(getenv)}
	report := stdout
	if file == "-" {
		report = stderr // stdout carries the file
	}
	if verb == "export" {
		n, err := st.export(ctx, file, stdout)
		if err != nil {
			return err
		}
		fmt.Fprintf(report, "exported the state of %s to %s (%d bytes; the file holds secrets)\n", st, file, n)
		return nil
	}
	if err := st.importFile(ctx, file); err != nil {
		return err
	}
	fmt.Fprintf(report, "replaced the state of %s with %s\n", st, file)
	return nil
}

// stateSource is a running server (endpoint) or a stopped one's data directory (dir).
type stateSource struct {
	endpoint, token, dir, region string
}

func (s stateSource) String() string {
	if s.dir != "" {
		return filepath.Join(s.dir, config.DBFile)
	}
	return s.endpoint
}

// export writes the state file to file ("-": stdout) and returns its size.
func (s stateSource) export(ctx context.Context, file string, stdout io.Writer) (int, error) {
	var body bytes.Buffer
	if s.dir != "" {
		if err := s.offline(false, func(db *storage.DB) error {
			snap, err := db.Snapshot()
			if err != nil {
				return err
			}
			return snap.WriteJSON(&body)
		}); err != nil {
			return 0, err
		}
	} else if err := s.request(ctx, http.MethodGet, nil, &body); err != nil {
		return 0, err
	}
	if file == "-" {
		_, err := stdout.Write(body.Bytes())
		return body.Len(), err
	}
	return body.Len(), writeFileAtomic(file, body.Bytes())
}

// importFile replaces the state with the file's.
func (s stateSource) importFile(ctx context.Context, file string) error {
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	defer f.Close()
	if s.dir == "" {
		return s.request(ctx, http.MethodPut, f, io.Discard)
	}
	snap, err := storage.ReadState(f)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return s.offline(true, func(db *storage.DB) error { return db.Restore(snap) })
}

// offline opens the stopped server's database (create: a missing one may be made, for an
// import that prepares a data directory).
func (s stateSource) offline(create bool, fn func(*storage.DB) error) error {
	path := filepath.Join(s.dir, config.DBFile)
	if _, err := os.Stat(path); err != nil && (!create || !errors.Is(err, os.ErrNotExist)) {
		return err
	}
	if err := os.MkdirAll(s.dir, 0o700); err != nil {
		return err
	}
	db, err := storage.Open(path, storage.Options{Timeout: time.Second, Region: s.region})
	if errors.Is(err, storage.ErrLocked) {
		return fmt.Errorf("%w; a running server holds it: leave -data-dir out to go through it", err)
	}
	if err != nil {
		return err
	}
	return errors.Join(fn(db), db.Close())
}

// request sends one request to the state endpoint and copies a 200 answer's body to out.
func (s stateSource) request(ctx context.Context, method string, body io.Reader, out io.Writer) error {
	resp, err := adminRequest(ctx, method, s.endpoint+"/_iamlocal/state", s.token, "application/json", body)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, err = io.Copy(out, resp.Body)
	return err
}

// writeFileAtomic writes data to path, readable by its owner only, through a temporary file
// beside it, so a failed export leaves no half file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// applyInit applies the init file at start and logs what it did, a line per thing created.
func applyInit(ctx context.Context, srv *emulator.Server, path string, log *slog.Logger) error {
	report, err := srv.ApplyInit(ctx, path)
	for _, what := range report.Created {
		log.Info("init: created", "what", what)
	}
	if err != nil {
		return fmt.Errorf("init file %s: %w", path, err)
	}
	for _, what := range report.LeftOut {
		log.Warn("init: not applied from the state file (import it for an exact copy: iamlocal state import)", "what", what)
	}
	if len(report.Created) == 0 {
		log.Info("init: nothing to create, everything the file names exists", "file", path, "present", report.Present)
		return nil
	}
	log.Info("init: applied", "file", path, "created", len(report.Created), "present", report.Present)
	return nil
}
