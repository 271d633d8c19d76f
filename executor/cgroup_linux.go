package executor

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// cgroupRoots are the control group directories sandboxes' groups are made
// under: the server's own groups (delegation: a process may manage the
// subtree it is in), for the memory and pids controllers. Under cgroup v1
// each controller is its own hierarchy; under v2 both are one directory.
type cgroupRoots struct {
	memory, pids string // "" when the controller is not available
	v2           bool
}

// findCgroupRoots finds the server's memory and pids groups and keeps those
// it can create a child in and set a limit on.
func findCgroupRoots() cgroupRoots {
	mountinfo, _ := os.ReadFile("/proc/self/mountinfo")
	own, _ := os.ReadFile("/proc/self/cgroup")
	r := cgroupCandidates(string(mountinfo), string(own))
	if r.v2 && !enableControllers(r.memory) {
		return cgroupRoots{}
	}
	if r.memory != "" && !r.canCreate(r.memory, r.limitFile()) {
		r.memory = ""
	}
	if r.pids != "" && !r.canCreate(r.pids, "pids.max") {
		r.pids = ""
	}
	if r.memory == "" {
		return cgroupRoots{}
	}
	return r
}

// cgroupCandidates are the server's own memory and pids groups, from
// /proc/self/mountinfo and /proc/self/cgroup: a v1 memory hierarchy where
// one is mounted (with the v1 pids one), else the v2 unified hierarchy.
func cgroupCandidates(mountinfo, procCgroup string) cgroupRoots {
	mounts, own := parseCgroupMounts(mountinfo), parseProcCgroup(procCgroup)
	if m, ok := mounts["memory"]; ok {
		r := cgroupRoots{memory: m.dirFor(own["memory"])}
		if p, ok := mounts["pids"]; ok {
			r.pids = p.dirFor(own["pids"])
		}
		return r
	}
	if m, ok := mounts[""]; ok {
		if dir := m.dirFor(own[""]); dir != "" {
			return cgroupRoots{memory: dir, pids: dir, v2: true}
		}
	}
	return cgroupRoots{}
}

func (r cgroupRoots) limitFile() string {
	if r.v2 {
		return "memory.max"
	}
	return "memory.limit_in_bytes"
}

// canCreate makes and removes a probe group under dir.
func (r cgroupRoots) canCreate(dir, limit string) bool {
	probe := filepath.Join(dir, fmt.Sprintf("iamlocal-probe-%d", os.Getpid()))
	if err := os.Mkdir(probe, 0o755); err != nil {
		return false
	}
	defer os.Remove(probe)
	_, err := os.Stat(filepath.Join(probe, limit))
	return err == nil
}

// enableControllers makes memory and pids available to dir's children
// (cgroup.subtree_control). The kernel refuses it while dir itself holds
// processes ("no internal processes"), which is the server's case unless
// its group was delegated for this.
func enableControllers(dir string) bool {
	b, err := os.ReadFile(filepath.Join(dir, "cgroup.subtree_control"))
	if err == nil && hasWords(string(b), "memory", "pids") {
		return true
	}
	return os.WriteFile(filepath.Join(dir, "cgroup.subtree_control"), []byte("+memory +pids"), 0) == nil
}

func hasWords(s string, words ...string) bool {
	have := map[string]bool{}
	for _, f := range strings.Fields(s) {
		have[f] = true
	}
	for _, w := range words {
		if !have[w] {
			return false
		}
	}
	return true
}

type cgroupMount struct{ root, point string }

// dirFor is the directory of the group at path (as /proc/self/cgroup names
// it) under this mount, whose own root may be a subtree.
func (m cgroupMount) dirFor(path string) string {
	rel, err := filepath.Rel(m.root, path)
	if err != nil || strings.HasPrefix(rel, "..") {
		return ""
	}
	return filepath.Join(m.point, rel)
}

// parseCgroupMounts reads mountinfo: controller -> mount, "" for the
// cgroup2 hierarchy.
func parseCgroupMounts(mountinfo string) map[string]cgroupMount {
	out := map[string]cgroupMount{}
	for _, line := range strings.Split(mountinfo, "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		fields, tail := strings.Fields(pre), strings.Fields(post)
		if !ok || len(fields) < 5 || len(tail) < 3 {
			continue
		}
		m := cgroupMount{root: fields[3], point: fields[4]}
		switch tail[0] {
		case "cgroup2":
			if _, seen := out[""]; !seen {
				out[""] = m
			}
		case "cgroup":
			for _, opt := range strings.Split(tail[2], ",") {
				if _, seen := out[opt]; !seen && (opt == "memory" || opt == "pids") {
					out[opt] = m
				}
			}
		}
	}
	return out
}

// parseProcCgroup reads /proc/self/cgroup: controller -> path, "" for
// cgroup2.
func parseProcCgroup(text string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out
}

// sandboxCgroup is one environment's groups.
type sandboxCgroup struct {
	memory, pids string // the memory group's directory; the pids group's ("" none, or memory's under v2)
	v2           bool
}

// create makes group's directories (the executor's directory, then the
// sandbox's) and sets the limits. Swap is limited too, where the kernel
// accounts it: a function must not page out to outlive its MemorySize.
func (r cgroupRoots) create(group string, memBytes int64, procs int) (*sandboxCgroup, error) {
	cg := &sandboxCgroup{v2: r.v2, memory: filepath.Join(r.memory, group)}
	if r.pids != "" {
		cg.pids = filepath.Join(r.pids, group)
	}
	for _, dir := range []string{cg.memory, cg.pids} {
		if dir == "" || (r.v2 && dir == cg.pids) {
			continue
		}
		if err := mkdirGroup(dir, r.v2); err != nil {
			cg.remove()
			return nil, err
		}
	}
	limit := strconv.FormatInt(memBytes, 10)
	var writes [][2]string
	if r.v2 {
		writes = [][2]string{{"memory.max", limit}, {"memory.swap.max", "0"}}
	} else {
		writes = [][2]string{{"memory.limit_in_bytes", limit}, {"memory.memsw.limit_in_bytes", limit}}
	}
	for _, w := range writes {
		err := os.WriteFile(filepath.Join(cg.memory, w[0]), []byte(w[1]), 0)
		if err != nil && !(errors.Is(err, os.ErrNotExist) && strings.Contains(w[0], "sw")) {
			cg.remove()
			return nil, fmt.Errorf("%s: %w", w[0], err)
		}
	}
	if cg.pids != "" && procs > 0 {
		if err := os.WriteFile(filepath.Join(cg.pids, "pids.max"), []byte(strconv.Itoa(procs)), 0); err != nil {
			cg.remove()
			return nil, fmt.Errorf("pids.max: %w", err)
		}
	}
	return cg, nil
}

// mkdirGroup makes dir and its parent, the executor's group. Under v2 the
// parent must hand the controllers down to it. A parent removed meanwhile
// by another sandbox's cleanup (it was empty) is made again.
func mkdirGroup(dir string, v2 bool) error {
	var err error
	for range 3 {
		if err = os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
			continue
		}
		if v2 {
			_ = os.WriteFile(filepath.Join(filepath.Dir(dir), "cgroup.subtree_control"), []byte("+memory +pids"), 0)
		}
		if err = os.Mkdir(dir, 0o755); err == nil || errors.Is(err, os.ErrExist) {
			return nil
		}
	}
	return err
}

func (cg *sandboxCgroup) boundsProcesses() bool { return cg.pids != "" }

// place moves pid (the environment's init, before it runs anything) into
// the groups.
func (cg *sandboxCgroup) place(pid int) error {
	for _, dir := range []string{cg.memory, cg.pids} {
		if dir == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0); err != nil {
			return fmt.Errorf("sandbox: control group %s: %w", dir, err)
		}
		if cg.v2 {
			break
		}
	}
	return nil
}

// peak is the group's highest memory use (cgroup v1
// memory.max_usage_in_bytes, v2 memory.peak, or memory.current on kernels
// before 5.19 that have no peak).
func (cg *sandboxCgroup) peak() int64 {
	names := []string{"memory.max_usage_in_bytes"}
	if cg.v2 {
		names = []string{"memory.peak", "memory.current"}
	}
	for _, n := range names {
		if b, err := os.ReadFile(filepath.Join(cg.memory, n)); err == nil {
			v, _ := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
			return v
		}
	}
	return 0
}

// oomKilled reports whether the kernel's OOM killer ended a process of the
// group: the oom_kill counter of v1 memory.oom_control (Linux 4.13+) or v2
// memory.events.
func (cg *sandboxCgroup) oomKilled() bool {
	name := "memory.oom_control"
	if cg.v2 {
		name = "memory.events"
	}
	b, err := os.ReadFile(filepath.Join(cg.memory, name))
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if n, ok := strings.CutPrefix(line, "oom_kill "); ok {
			v, _ := strconv.Atoi(strings.TrimSpace(n))
			return v > 0
		}
	}
	return false
}

// remove removes the sandbox's groups, killing what is left in them, then
// the executor's group when it is empty.
func (cg *sandboxCgroup) remove() {
	for _, dir := range []string{cg.memory, cg.pids} {
		if dir != "" {
			removeGroupDir(dir)
			_ = os.Remove(filepath.Dir(dir)) // fails while other sandboxes live
		}
	}
}

// removeGroup removes an executor's groups left by a server that was
// killed, sandboxes first.
func (r cgroupRoots) removeGroup(group string) {
	for _, root := range []string{r.memory, r.pids} {
		if root == "" {
			continue
		}
		dir := filepath.Join(root, group)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if e.IsDir() {
				removeGroupDir(filepath.Join(dir, e.Name()))
			}
		}
		removeGroupDir(dir)
	}
}

// removeGroupDir kills the processes of a group and removes it. The kernel
// refuses rmdir (EBUSY) until the last of them is gone.
func removeGroupDir(dir string) {
	for i := 0; i < 200; i++ {
		err := os.Remove(dir)
		if err == nil || errors.Is(err, os.ErrNotExist) {
			return
		}
		if b, rerr := os.ReadFile(filepath.Join(dir, "cgroup.procs")); rerr == nil {
			for _, f := range strings.Fields(string(b)) {
				if pid, _ := strconv.Atoi(f); pid > 0 {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
}
