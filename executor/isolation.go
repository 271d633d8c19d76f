package executor

// SandboxSpec asks a Launcher for an execution environment of its own: the
// runtime sees Mounts (read-only) and a private /tmp, no other file of the
// host, no other process, and it is bounded in memory and processes. A
// launcher that cannot isolate runs Spec as a plain process and says so
// through the executor's Isolation.
type SandboxSpec struct {
	// Group names the environment among every other, unique per work
	// directory: "<executor directory>/<sandbox>". Control groups are named
	// after it, so that a later executor can find and remove leftovers.
	Group string
	// Dir is a host directory of the sandbox's own the launcher may use
	// (the new root's mountpoint goes there).
	Dir string
	// Mounts are host paths the runtime sees read-only, besides the system
	// directories every runtime needs (/usr, /lib*, /bin, /sbin, some of
	// /etc, a minimal /dev, /proc of its own PID namespace).
	Mounts []Mount
	// TmpBytes is the size of the private /tmp (Function.EphemeralStorageMB).
	TmpBytes int64
	// MemoryBytes bounds the memory of everything in the environment
	// (Function.MemoryMB); exceeding it kills the environment.
	MemoryBytes int64
	// MaxProcesses bounds its processes and threads.
	MaxProcesses int
}

// Mount makes the host path Source visible, read-only, at Target.
type Mount struct{ Source, Target string }

// MemoryMeter is implemented by a Proc whose launcher measures the memory
// of the whole environment (a control group, or the sampled resident set of
// its process tree) rather than the executor reading one pid's peak.
type MemoryMeter interface {
	// MaxMemoryUsed is the environment's peak memory so far, in bytes.
	MaxMemoryUsed() int64
	// OutOfMemory reports, once Wait has returned, whether the environment
	// was killed for exceeding SandboxSpec.MemoryBytes.
	OutOfMemory() bool
}

// isolation is what a launcher enforces, found once by probing the host.
type isolation struct {
	namespaces bool   // mount, PID and IPC namespaces, a root of its own
	userNS     bool   // and a user namespace (the server is not root)
	cgroup     bool   // memory (and processes, where delegated) by control group
	reason     string // why there are no namespaces, when there are none
}

// String is what Executor.Isolation and the health endpoint report.
func (i isolation) String() string {
	switch {
	case !i.namespaces:
		return "none: " + i.reason
	case i.cgroup:
		return "namespaces+cgroup"
	}
	return "namespaces"
}

// isolationReporter is implemented by launchers that isolate; any other
// launcher (LocalLauncher, a test's fake) runs plain processes.
type isolationReporter interface {
	isolation() isolation
}

// leftoverRemover is implemented by launchers that leave host state behind
// a killed server (control groups): removeLeftovers removes what belonged to
// the executor directory named group.
type leftoverRemover interface {
	removeLeftovers(group string)
}

// Where the environment's own files appear inside it, as on Lambda
// ("Defined runtime environment variables": LAMBDA_TASK_ROOT /var/task,
// LAMBDA_RUNTIME_DIR /var/runtime; layers in /opt).
const (
	guestTaskRoot   = "/var/task"
	guestRuntimeDir = "/var/runtime"
	guestOptDir     = "/opt"
)

// Lambda's quotas page ("Lambda quotas", function configuration, deployment
// and execution): "Execution processes/threads: 1,024", and /tmp storage
// between 512 MB (the default) and 10,240 MB.
const (
	defaultMaxProcesses       = 1024
	defaultEphemeralStorageMB = 512
)
