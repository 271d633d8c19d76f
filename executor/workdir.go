package executor

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// An executor's directory is "iamlocal-executor-*" under Options.WorkDir,
// and holds an owner file the executor keeps locked (flock) while it runs.
// The kernel drops the lock however the process ends, kill -9 included, so
// a later executor can tell a leftover directory from one in use, and only
// ever removes directories that carry the owner file.
const (
	workDirPrefix = "iamlocal-executor-"
	ownerFile     = ".owner"
)

// claimWorkDir makes the executor's directory and locks its owner file. The
// file is locked under a temporary name and only then renamed, so that no
// other executor ever sees it unlocked.
func claimWorkDir(parent string) (string, *os.File, error) {
	dir, err := os.MkdirTemp(parent, workDirPrefix)
	if err != nil {
		return "", nil, err
	}
	tmp := filepath.Join(dir, ownerFile+".new")
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_RDWR, 0o600)
	if err == nil {
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			err = os.Rename(tmp, filepath.Join(dir, ownerFile))
		}
		if err != nil {
			f.Close()
		}
	}
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	return dir, f, nil
}

// removeAbandoned removes the executor directories under parent whose owner
// is gone (left by a server that was killed), and, through forget, what the
// launcher kept for them outside the directory. Directories without an
// owner file are not the executor's to judge and stay.
func removeAbandoned(parent, own string, forget func(group string)) {
	entries, err := os.ReadDir(parent)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		dir := filepath.Join(parent, name)
		if !e.IsDir() || !strings.HasPrefix(name, workDirPrefix) || dir == own {
			continue
		}
		f, err := os.Open(filepath.Join(dir, ownerFile))
		if err != nil {
			continue
		}
		if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
			f.Close() // EWOULDBLOCK: its executor runs
			continue
		}
		if forget != nil {
			forget(name)
		}
		_ = os.RemoveAll(dir)
		f.Close()
	}
}
