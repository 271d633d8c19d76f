package executor

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
)

// The first process of an execution environment is this same binary,
// re-executed through /proc/self/exe with argv[0] set to sandboxInitArg0, as
// PID 1 of new mount, PID and IPC namespaces. It assembles the environment's
// root, starts the runtime, reaps every orphan, forwards SIGTERM and reports
// how the runtime ended; when it exits the kernel kills whatever is left in
// the PID namespace, setsid or not ("pid_namespaces(7)": the termination of
// the init process of a namespace kills all its processes). Lambda's own
// environments are built the same way, with /var/rapid/init as PID 1.
const sandboxInitArg0 = "iamlocal-sandbox-init"

// Why an init function: every program that links the executor (iamlocal,
// each package's test binary, any suite embedding the emulator) must be able
// to act as an environment's PID 1 before its main runs, parses flags or
// starts tests, without wiring of its own. It acts only on the argv[0] that
// only sandboxLauncher sets, and touches no state otherwise.
func init() {
	if len(os.Args) == 1 && os.Args[0] == sandboxInitArg0 {
		os.Exit(sandboxInitMain())
	}
}

// The file descriptors sandboxLauncher hands the init (exec.Cmd.ExtraFiles).
const (
	initConfigFD = 3 // initConfig as JSON, then EOF
	initReportFD = 4 // initReport lines
)

// initConfig is the plan of an environment, written by the launcher.
type initConfig struct {
	Probe    bool        `json:"probe,omitempty"` // assemble the root, then exit
	Root     string      `json:"root"`            // an empty host directory to assemble the root on
	Binds    []initBind  `json:"binds,omitempty"`
	Links    []initLink  `json:"links,omitempty"`
	Files    []initFile  `json:"files,omitempty"`
	Devices  []string    `json:"devices,omitempty"` // /dev nodes bound from the host
	TmpBytes int64       `json:"tmpBytes"`
	Run      initCommand `json:"run"`
}

type initBind struct {
	Source string `json:"source"`
	Target string `json:"target"`
}

type initLink struct {
	Path   string `json:"path"`
	Target string `json:"target"`
}

type initFile struct {
	Path string `json:"path"`
	Data string `json:"data"`
}

type initCommand struct {
	Path  string   `json:"path"`
	Args  []string `json:"args"`
	Dir   string   `json:"dir"`
	Env   []string `json:"env"`
	UID   int      `json:"uid"` // -1 keeps the init's
	GID   int      `json:"gid"`
	NProc int      `json:"nproc,omitempty"` // RLIMIT_NPROC, when no control group bounds processes
}

// initReport is one line the init writes: Ready once the runtime runs (or
// the probe's root is assembled), Error when it could not get there (Exec
// when the runtime itself could not be executed), Exited when the runtime
// ended.
type initReport struct {
	Ready    bool   `json:"ready,omitempty"`
	Error    string `json:"error,omitempty"`
	Exec     bool   `json:"exec,omitempty"`
	Exited   bool   `json:"exited,omitempty"`
	ExitCode int    `json:"exitCode,omitempty"`
	Signal   int    `json:"signal,omitempty"`
}

func sandboxInitMain() int {
	// PR_SET_NO_NEW_PRIVS and the capability bounding set are per thread,
	// and the runtime is forked from the calling thread: stay on one.
	runtime.LockOSThread()
	syscall.CloseOnExec(initConfigFD)
	syscall.CloseOnExec(initReportFD)
	report := json.NewEncoder(os.NewFile(initReportFD, "report"))
	var cfg initConfig
	cfgFile := os.NewFile(initConfigFD, "config")
	err := json.NewDecoder(cfgFile).Decode(&cfg)
	cfgFile.Close()
	if err == nil {
		err = assembleRoot(cfg)
	}
	if err != nil {
		_ = report.Encode(initReport{Error: err.Error()})
		return 1
	}
	if cfg.Probe {
		_ = report.Encode(initReport{Ready: true})
		return 0
	}
	if err := dropPrivileges(cfg.Run); err != nil {
		_ = report.Encode(initReport{Error: err.Error()})
		return 1
	}
	cmd := &exec.Cmd{Path: cfg.Run.Path, Args: append([]string{cfg.Run.Path}, cfg.Run.Args...), Dir: cfg.Run.Dir,
		Env: cfg.Run.Env, Stdout: os.Stdout, Stderr: os.Stderr, SysProcAttr: &syscall.SysProcAttr{}}
	if cmd.Env == nil {
		cmd.Env = []string{}
	}
	if cfg.Run.UID >= 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uint32(cfg.Run.UID), Gid: uint32(cfg.Run.GID),
			Groups: []uint32{uint32(cfg.Run.GID)}}
	}
	if err := cmd.Start(); err != nil {
		_ = report.Encode(initReport{Error: err.Error(), Exec: true})
		return 1
	}
	_ = report.Encode(initReport{Ready: true})
	forwardSignals()
	ws := reapUntil(cmd.Process.Pid)
	out := initReport{Exited: true}
	if ws.Signaled() {
		out.Signal = int(ws.Signal())
	} else {
		out.ExitCode = ws.ExitStatus()
	}
	_ = report.Encode(out)
	return 0
}

// forwardSignals passes the signals the executor stops an environment with
// to every process in it: kill(-1) from PID 1 reaches the whole namespace,
// setsid or not, but not the init itself.
func forwardSignals() {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		for sig := range ch {
			_ = syscall.Kill(-1, sig.(syscall.Signal))
		}
	}()
}

// reapUntil waits for every child, orphans included (they are the init's
// now), until the runtime itself has ended.
func reapUntil(pid int) syscall.WaitStatus {
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(-1, &ws, 0, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || got == pid {
			return ws
		}
	}
}

// Mount flags the syscall package names only in part.
const (
	msNoSuid   = syscall.MS_NOSUID
	msNoDev    = syscall.MS_NODEV
	msNoExec   = syscall.MS_NOEXEC
	msRdOnly   = syscall.MS_RDONLY
	msBind     = syscall.MS_BIND
	msRec      = syscall.MS_REC
	msRemount  = syscall.MS_REMOUNT
	msPrivate  = syscall.MS_PRIVATE
	mntDetach  = syscall.MNT_DETACH
	stRdOnly   = 0x1
	stNoSuid   = 0x2
	stNoDev    = 0x4
	stNoExec   = 0x8
	stNoAtime  = 0x400
	stNoDirAtm = 0x800
	stRelAtime = 0x1000
)

// assembleRoot builds the environment's root on a tmpfs over cfg.Root, in
// the init's own mount namespace (nothing propagates back to the host), and
// pivots into it. Everything but /tmp is read-only, as on Lambda.
func assembleRoot(cfg initConfig) error {
	if err := syscall.Mount("", "/", "", msRec|msPrivate, ""); err != nil {
		return fmt.Errorf("sandbox: make mounts private: %w", err)
	}
	root := cfg.Root
	if err := syscall.Mount("tmpfs", root, "tmpfs", msNoSuid|msNoDev, "mode=0755,size=4m"); err != nil {
		return fmt.Errorf("sandbox: root tmpfs: %w", err)
	}
	in := func(p string) string { return filepath.Join(root, p) }
	// /tmp first: read-only paths under the host's /tmp (a test binary)
	// are bound onto it rather than hidden by it.
	tmpOpts := "mode=1777,size=" + strconv.FormatInt(cfg.TmpBytes, 10)
	if err := mountAt("tmpfs", in("tmp"), "tmpfs", msNoSuid|msNoDev, tmpOpts); err != nil {
		return err
	}
	if err := mountDev(in("dev"), cfg.Devices); err != nil {
		return err
	}
	for _, b := range cfg.Binds {
		if err := bindReadOnly(b.Source, in(b.Target), true); err != nil {
			return err
		}
	}
	for _, l := range cfg.Links {
		if err := os.MkdirAll(filepath.Dir(in(l.Path)), 0o755); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		if err := os.Symlink(l.Target, in(l.Path)); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	for _, f := range cfg.Files {
		if err := os.MkdirAll(filepath.Dir(in(f.Path)), 0o755); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
		if err := os.WriteFile(in(f.Path), []byte(f.Data), 0o644); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	if err := mountProc(in("proc")); err != nil {
		return err
	}
	if err := syscall.Mount("", root, "", msBind|msRemount|msRdOnly|msNoSuid|msNoDev, ""); err != nil {
		return fmt.Errorf("sandbox: read-only root: %w", err)
	}
	return pivotInto(root)
}

func mountAt(source, target, fstype string, flags uintptr, data string) error {
	if err := os.MkdirAll(target, 0o755); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := syscall.Mount(source, target, fstype, flags, data); err != nil {
		return fmt.Errorf("sandbox: mount %s on %s: %w", fstype, target, err)
	}
	return nil
}

// procReadOnly are the parts of /proc through which a process that is root
// on the host could change the host (sysctl, sysrq, irq affinity), made
// read-only as container runtimes do: the runtime is not such a process,
// this holds if it ever were.
var procReadOnly = []string{"sys", "sysrq-trigger", "irq", "bus", "fs"}

// mountProc mounts the PID namespace's own /proc.
func mountProc(dir string) error {
	if err := mountAt("proc", dir, "proc", msNoSuid|msNoDev|msNoExec, ""); err != nil {
		return err
	}
	for _, name := range procReadOnly {
		p := filepath.Join(dir, name)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if err := syscall.Mount(p, p, "", msBind|msRec, ""); err != nil {
			return fmt.Errorf("sandbox: bind %s: %w", p, err)
		}
		if err := remountReadOnly(p); err != nil {
			return err
		}
	}
	return nil
}

// bindReadOnly binds source (a directory or a file) at target, then makes
// the bind read-only unless told otherwise.
func bindReadOnly(source, target string, readOnly bool) error {
	fi, err := os.Stat(source)
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if fi.IsDir() {
		err = os.MkdirAll(target, 0o755)
	} else if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
		err = os.WriteFile(target, nil, 0o644)
	}
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := syscall.Mount(source, target, "", msBind|msRec, ""); err != nil {
		return fmt.Errorf("sandbox: bind %s: %w", source, err)
	}
	if !readOnly {
		return nil
	}
	return remountReadOnly(target)
}

// remountReadOnly makes the bind at target read-only and nosuid. A remount
// must keep the flags the mount has (nodev, noexec, atime): in a user
// namespace they are locked and a remount without them is refused.
func remountReadOnly(target string) error {
	var st syscall.Statfs_t
	if err := syscall.Statfs(target, &st); err != nil {
		return fmt.Errorf("sandbox: statfs %s: %w", target, err)
	}
	flags := uintptr(msBind | msRemount | msRdOnly | msNoSuid)
	for stFlag, msFlag := range map[int64]uintptr{stNoDev: msNoDev, stNoExec: msNoExec,
		stNoAtime: syscall.MS_NOATIME, stNoDirAtm: syscall.MS_NODIRATIME, stRelAtime: syscall.MS_RELATIME} {
		if int64(st.Flags)&stFlag != 0 {
			flags |= msFlag
		}
	}
	if err := syscall.Mount("", target, "", flags, ""); err != nil {
		return fmt.Errorf("sandbox: read-only %s: %w", target, err)
	}
	return nil
}

// mountDev is a minimal /dev: the host's character devices a runtime uses,
// bound, and the /proc/self/fd links. Lambda has no /dev/shm (Python's
// multiprocessing.Pool and Queue fail there), and neither does this one.
func mountDev(dev string, devices []string) error {
	if err := mountAt("tmpfs", dev, "tmpfs", msNoSuid|msNoExec, "mode=0755,size=64k"); err != nil {
		return err
	}
	for _, d := range devices {
		if err := bindReadOnly(filepath.Join("/dev", d), filepath.Join(dev, d), false); err != nil {
			return err
		}
	}
	for name, target := range map[string]string{"fd": "/proc/self/fd", "stdin": "/proc/self/fd/0",
		"stdout": "/proc/self/fd/1", "stderr": "/proc/self/fd/2"} {
		if err := os.Symlink(target, filepath.Join(dev, name)); err != nil {
			return fmt.Errorf("sandbox: %w", err)
		}
	}
	return nil
}

// pivotInto makes root the root and detaches the old one, so that nothing
// of the host's tree stays reachable (pivot_root(2): pivot_root(".", ".")
// stacks the old root on the new one, and unmounting "." detaches it).
func pivotInto(root string) error {
	if err := syscall.Chdir(root); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if err := syscall.PivotRoot(".", "."); err != nil {
		return fmt.Errorf("sandbox: pivot_root: %w", err)
	}
	if err := syscall.Unmount(".", mntDetach); err != nil {
		return fmt.Errorf("sandbox: detach the old root: %w", err)
	}
	return syscall.Chdir("/")
}

const (
	prSetNoNewPrivs = 38
	prCapBSetDrop   = 24
)

// dropPrivileges runs on the init's thread, before it forks the runtime:
// no_new_privs (no setuid binary or file capability grants anything) and an
// empty capability bounding set, so that the runtime has no capability even
// as root of a user namespace, and cannot undo the mounts above; and Lambda's
// resource limits, which the runtime inherits.
func dropPrivileges(run initCommand) error {
	if _, _, errno := syscall.RawSyscall6(syscall.SYS_PRCTL, prSetNoNewPrivs, 1, 0, 0, 0, 0); errno != 0 {
		return fmt.Errorf("sandbox: no_new_privs: %w", errno)
	}
	for c := 0; c < 64; c++ {
		_, _, errno := syscall.RawSyscall6(syscall.SYS_PRCTL, prCapBSetDrop, uintptr(c), 0, 0, 0, 0)
		if errno == syscall.EINVAL {
			break // past the kernel's last capability
		}
		if errno != 0 {
			return fmt.Errorf("sandbox: drop capability %d: %w", c, errno)
		}
	}
	if err := setLambdaLimits(); err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	if run.NProc > 0 {
		lim := &syscall.Rlimit{Cur: uint64(run.NProc), Max: uint64(run.NProc)}
		if err := syscall.Setrlimit(rlimitNProc, lim); err != nil {
			return fmt.Errorf("sandbox: RLIMIT_NPROC: %w", err)
		}
	}
	return nil
}

const rlimitNProc = 6 // RLIMIT_NPROC on Linux
