package executor

import (
	"fmt"
	"syscall"
	"unsafe"
)

// lambdaLimit is one resource limit as a Lambda execution environment reports it.
type lambdaLimit struct {
	name     string
	resource int
	soft     uint64
	hard     uint64
}

const rlimInfinity = ^uint64(0)

// lambdaLimits are the limits a python3.12 function reads from resource.getrlimit on Lambda
// (recorded against AWS by LocalStack, TestLambdaBehavior::test_runtime_ulimits, 24-11-2025);
// the file descriptors are the Lambda quotas page's "1,024". The rest of that recording is
// left as the host has it: RLIMIT_NPROC (742 there) is bounded by Options.MaxProcesses,
// since it counts every process of the user; RLIMIT_CORE (10 GiB there) would let a
// crashing function dump its memory, credentials included, wherever the host's
// core_pattern sends cores; AS, CPU, DATA, FSIZE and RSS are unlimited there, and a
// process cannot raise a hard limit the host set lower.
var lambdaLimits = []lambdaLimit{
	{"RLIMIT_NOFILE", syscall.RLIMIT_NOFILE, 1024, 1024},
	{"RLIMIT_MEMLOCK", rlimitMemlock, 65536, 65536},
	{"RLIMIT_STACK", syscall.RLIMIT_STACK, 8 << 20, rlimInfinity},
}

const rlimitMemlock = 8 // RLIMIT_MEMLOCK on Linux

// within is l as a process whose hard limit is hard can set it: hard limits are only lowered.
func (l lambdaLimit) within(hard uint64) syscall.Rlimit {
	r := syscall.Rlimit{Cur: l.soft, Max: min(l.hard, hard)}
	r.Cur = min(r.Cur, r.Max)
	return r
}

// setLambdaLimits sets this process's limits to Lambda's; what it starts inherits them.
// syscall.Setrlimit (not a raw call) so that os/exec does not restore the RLIMIT_NOFILE the
// Go runtime started with in the children.
func setLambdaLimits() error {
	for _, l := range lambdaLimits {
		var cur syscall.Rlimit
		if err := syscall.Getrlimit(l.resource, &cur); err != nil {
			return fmt.Errorf("%s: %w", l.name, err)
		}
		want := l.within(cur.Max)
		if err := syscall.Setrlimit(l.resource, &want); err != nil {
			return fmt.Errorf("%s: %w", l.name, err)
		}
	}
	return nil
}

// limitProcess sets the limits of the started process pid to Lambda's with prlimit(2). A
// plain process gets them right after its exec, before it has read its first invocation;
// what it starts afterwards inherits them.
func limitProcess(pid int) error {
	for _, l := range lambdaLimits {
		var cur syscall.Rlimit
		if err := prlimit(pid, l.resource, nil, &cur); err != nil {
			return fmt.Errorf("%s: %w", l.name, err)
		}
		want := l.within(cur.Max)
		if err := prlimit(pid, l.resource, &want, nil); err != nil {
			return fmt.Errorf("%s: %w", l.name, err)
		}
	}
	return nil
}

func prlimit(pid, resource int, set, old *syscall.Rlimit) error {
	_, _, errno := syscall.RawSyscall6(syscall.SYS_PRLIMIT64, uintptr(pid), uintptr(resource),
		uintptr(unsafe.Pointer(set)), uintptr(unsafe.Pointer(old)), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
