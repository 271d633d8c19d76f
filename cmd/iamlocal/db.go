package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/iamlocal/iamlocal/emulator/config"
	"github.com/iamlocal/iamlocal/storage"
)

// dbCommand runs `iamlocal db check [-data-dir DIR]`: it checks the database while no server
// holds it, prints what the check finds, and fails when the file is damaged.
func dbCommand(args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "check" {
		return errors.New("usage: iamlocal db check [-data-dir DIR]")
	}
	fs := flag.NewFlagSet("iamlocal db check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	dir := fs.String("data-dir", config.DataDirFromEnv(getenv), "directory of the bbolt database (IAMLOCAL_DATA_DIR)")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	path := filepath.Join(*dir, config.DBFile)
	problems, err := storage.CheckFile(path, time.Second)
	if errors.Is(err, storage.ErrLocked) {
		return fmt.Errorf("%w; stop it to check the file", err)
	}
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "%s: ok (every page reads; bbolt's consistency check finds nothing)\n", path)
		return nil
	}
	fmt.Fprintf(stdout, "%s is damaged:\n", path)
	for _, p := range problems {
		fmt.Fprintf(stdout, "  %s\n", p)
	}
	fmt.Fprintln(stdout, moveAside(path))
	return fmt.Errorf("%s is damaged (problems found: %d)", path, len(problems))
}

// moveAside is the advice for a damaged file: iamlocal starts afresh without it.
func moveAside(path string) string {
	return fmt.Sprintf("Move it aside (mv %s %s.damaged) and iamlocal starts with a fresh, empty database.", path, path)
}

// startError says what to do about a database the server cannot start on.
func startError(err error, cfg config.Config) error {
	switch {
	case errors.Is(err, storage.ErrDamaged):
		return fmt.Errorf("%w\n%s `iamlocal db check -data-dir %s` prints what is wrong with it.", err, moveAside(cfg.DBPath()), cfg.DataDir)
	case errors.Is(err, storage.ErrLocked):
		return fmt.Errorf("%w; stop it or choose another -data-dir", err)
	}
	return err
}
