package emulator

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sort"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/storage"
)

// State as a whole, for fixtures: the state file (GET and PUT /_iamlocal/state, the format in
// docs/state-format.md) and named snapshots kept in memory (/_iamlocal/snapshots/...). Both
// sit on storage's Snapshot and Restore: one read transaction to take, one write transaction
// to put back, so requests in flight see the state before or after, never a mix, and the
// authorizer's caches, keyed by the accounts' storage generations, see the change. Like
// Reset, putting state back forgets the recorded decisions, which were about the old state.

// maxStateBody bounds a state file sent to PUT /_iamlocal/state: deployment packages go in
// it (each up to 250 MB unzipped, 70 MB uploaded), base64 adds a third.
const maxStateBody = 1 << 30

// ErrNoSnapshot is the error of a snapshot name that was never saved (or was deleted), and
// ErrSnapshotName of a name SaveSnapshot refuses.
var (
	ErrNoSnapshot   = errors.New("emulator: no such snapshot")
	ErrSnapshotName = errors.New("emulator: snapshot names have 1 to 128 letters, digits, '.', '_' or '-', and start with a letter or digit")
)

// snapshotName keeps names usable in a URL path segment and a log line as they are.
var snapshotName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// SnapshotInfo describes a saved snapshot.
type SnapshotInfo struct {
	Name    string    `json:"name"`
	Created time.Time `json:"created"`
	Bytes   int64     `json:"bytes"` // the size of its records
}

// snapshotStore holds the named snapshots of one server, in memory: they are fixtures of a
// test run and end with the process. The zero value is empty and ready.
type snapshotStore struct {
	mu sync.Mutex
	m  map[string]savedSnapshot
}

type savedSnapshot struct {
	snap    *storage.Snapshot
	created time.Time
}

// ExportState writes every account's state as a state file.
func (s *Server) ExportState(w io.Writer) error {
	snap, err := s.db.Snapshot()
	if err != nil {
		return err
	}
	return snap.WriteJSON(w)
}

// ImportState replaces every account's state with the state file read from r: what the file
// holds and nothing else, as a fixture. A file that cannot be read changes nothing and is
// storage.ErrStateFile.
func (s *Server) ImportState(r io.Reader) error {
	snap, err := storage.ReadState(r)
	if err != nil {
		return err
	}
	return s.restore(snap)
}

// SaveSnapshot keeps the current state under name, replacing a snapshot of that name.
func (s *Server) SaveSnapshot(name string) (SnapshotInfo, error) {
	if !snapshotName.MatchString(name) {
		return SnapshotInfo{}, fmt.Errorf("%w: %q", ErrSnapshotName, name)
	}
	snap, err := s.db.Snapshot()
	if err != nil {
		return SnapshotInfo{}, err
	}
	saved := savedSnapshot{snap: snap, created: s.clock().UTC()}
	s.snapshots.mu.Lock()
	if s.snapshots.m == nil {
		s.snapshots.m = map[string]savedSnapshot{}
	}
	s.snapshots.m[name] = saved
	s.snapshots.mu.Unlock()
	return saved.info(name), nil
}

// RestoreSnapshot puts back the state saved under name; ErrNoSnapshot when there is none.
func (s *Server) RestoreSnapshot(name string) error {
	s.snapshots.mu.Lock()
	saved, ok := s.snapshots.m[name]
	s.snapshots.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %q", ErrNoSnapshot, name)
	}
	return s.restore(saved.snap)
}

// DeleteSnapshot forgets the snapshot saved under name; ErrNoSnapshot when there is none.
func (s *Server) DeleteSnapshot(name string) error {
	s.snapshots.mu.Lock()
	defer s.snapshots.mu.Unlock()
	if _, ok := s.snapshots.m[name]; !ok {
		return fmt.Errorf("%w: %q", ErrNoSnapshot, name)
	}
	delete(s.snapshots.m, name)
	return nil
}

// Snapshots lists the saved snapshots by name.
func (s *Server) Snapshots() []SnapshotInfo {
	s.snapshots.mu.Lock()
	out := make([]SnapshotInfo, 0, len(s.snapshots.m))
	for name, saved := range s.snapshots.m {
		out = append(out, saved.info(name))
	}
	s.snapshots.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

func (v savedSnapshot) info(name string) SnapshotInfo {
	return SnapshotInfo{Name: name, Created: v.created, Bytes: v.snap.Bytes()}
}

// restore puts snap back as Reset empties: the decisions recorded so far go with the state.
func (s *Server) restore(snap *storage.Snapshot) error {
	s.authz.Log().Clear()
	return s.db.Restore(snap)
}

// getState serves GET /_iamlocal/state: the state file, encoded whole before it is sent.
func (s *Server) getState(w http.ResponseWriter, _ *http.Request) {
	var body bytes.Buffer
	if err := s.ExportState(&body); err != nil {
		s.adminFailure(w, "export state", err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Content-Disposition", `attachment; filename="iamlocal-state.json"`)
	_, _ = w.Write(body.Bytes())
}

// putState serves PUT /_iamlocal/state: every account's state becomes the file's.
func (s *Server) putState(w http.ResponseWriter, r *http.Request) {
	body := http.MaxBytesReader(w, r.Body, maxStateBody)
	err := s.ImportState(body)
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		adminError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("a state file may have at most %d bytes", int64(maxStateBody)))
	case errors.Is(err, storage.ErrStateFile):
		adminError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		s.adminFailure(w, "import state", err)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "imported"})
	}
}

// saveSnapshot serves POST /_iamlocal/snapshots/{name}.
func (s *Server) saveSnapshot(w http.ResponseWriter, r *http.Request) {
	info, err := s.SaveSnapshot(r.PathValue("name"))
	switch {
	case errors.Is(err, ErrSnapshotName):
		adminError(w, http.StatusBadRequest, err.Error())
	case err != nil:
		s.adminFailure(w, "save snapshot", err)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"status": "saved", "snapshot": info})
	}
}

// restoreSnapshot serves POST /_iamlocal/snapshots/{name}/restore.
func (s *Server) restoreSnapshot(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	err := s.RestoreSnapshot(name)
	switch {
	case errors.Is(err, ErrNoSnapshot):
		adminError(w, http.StatusNotFound, "no snapshot named "+name)
	case err != nil:
		s.adminFailure(w, "restore snapshot", err)
	default:
		writeJSON(w, http.StatusOK, map[string]string{"status": "restored", "name": name})
	}
}

// deleteSnapshot serves DELETE /_iamlocal/snapshots/{name}.
func (s *Server) deleteSnapshot(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.DeleteSnapshot(name); err != nil {
		adminError(w, http.StatusNotFound, "no snapshot named "+name)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "deleted", "name": name})
}

// listSnapshots serves GET /_iamlocal/snapshots.
func (s *Server) listSnapshots(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{"snapshots": s.Snapshots()})
}

// adminFailure answers an admin request the database failed: logged, noted for health, and
// answered without its cause.
func (s *Server) adminFailure(w http.ResponseWriter, what string, err error) {
	s.log.Error(what, "err", err)
	s.noteStorageFailure(err)
	adminError(w, http.StatusInternalServerError, what+" failed")
}
