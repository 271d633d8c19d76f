package executor

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// Launcher starts runtime processes. The executor calls Start once per
// sandbox, after the sandbox's Runtime API is already listening.
type Launcher interface {
	Start(ctx context.Context, spec Spec) (Proc, error)
}

// Proc is a started runtime process.
type Proc interface {
	// Wait blocks until the process has exited and returns its exit error.
	// It is called exactly once.
	Wait() error
	// Signal signals the process and everything it started.
	Signal(os.Signal) error
	// Pid is the process id, used for the REPORT line's memory figure.
	Pid() int
}

// Spec is what to run. Env is the complete environment: nothing else is
// inherited. Args are the arguments after the program name.
type Spec struct {
	Path   string
	Args   []string
	Dir    string
	Env    []string
	Stdout io.Writer
	Stderr io.Writer
	// Sandbox, when set, asks for an execution environment of its own;
	// Path, Dir, Args and Env then name paths as the runtime sees them
	// inside it. Launchers that cannot isolate ignore it.
	Sandbox *SandboxSpec
}

// LocalLauncher starts processes with os/exec, each in a new process group
// (Setpgid) with exactly Spec.Env as environment and, on Linux, Lambda's
// resource limits (lambdaLimits). Proc.Signal signals the
// whole group (kill(-pgid)), so the executor's SIGTERM-then-SIGKILL stops
// what the runtime started too.
func LocalLauncher() Launcher { return localLauncher{} }

type localLauncher struct{}

var _ Launcher = localLauncher{}

func (localLauncher) Start(ctx context.Context, spec Spec) (Proc, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	env := spec.Env
	if env == nil {
		env = []string{} // a nil Env would make os/exec inherit os.Environ()
	}
	cmd := &exec.Cmd{
		Path:        spec.Path,
		Args:        append([]string{spec.Path}, spec.Args...),
		Dir:         spec.Dir,
		Env:         env,
		Stdout:      spec.Stdout,
		Stderr:      spec.Stderr,
		SysProcAttr: &syscall.SysProcAttr{Setpgid: true},
		WaitDelay:   time.Second,
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	if err := limitProcess(cmd.Process.Pid); err != nil {
		_ = signalGroup(cmd.Process, syscall.SIGKILL)
		_ = cmd.Wait()
		return nil, fmt.Errorf("resource limits: %w", err)
	}
	return &localProc{cmd: cmd}, nil
}

type localProc struct{ cmd *exec.Cmd }

var _ Proc = (*localProc)(nil)

func (p *localProc) Wait() error { return p.cmd.Wait() }

func (p *localProc) Pid() int { return p.cmd.Process.Pid }

func (p *localProc) Signal(sig os.Signal) error { return signalGroup(p.cmd.Process, sig) }

// signalGroup sends sig to the process group whose leader is proc.
func signalGroup(proc *os.Process, sig os.Signal) error {
	s, ok := sig.(syscall.Signal)
	if !ok {
		return proc.Signal(sig)
	}
	err := syscall.Kill(-proc.Pid, s)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}
