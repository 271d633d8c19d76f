package executor

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// LocalLauncher passes exactly Spec.Env (an empty one too: never
// os.Environ()) and signals the whole process group.
func TestLocalLauncherEnvAndProcessGroup(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p, err := LocalLauncher().Start(context.Background(), Spec{Path: "/usr/bin/env", Stdout: &out})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Wait(); err != nil || out.Len() != 0 {
		t.Fatalf("env with an empty Spec.Env printed %q (%v)", out.String(), err)
	}

	r, w, _ := os.Pipe()
	defer r.Close()
	p, err = LocalLauncher().Start(context.Background(), Spec{
		Path: "/bin/sh", Args: []string{"-c", "sleep 60 & pid=$!; trap '' TERM; echo $pid; wait; sleep 60"},
		Env: []string{"PATH=" + os.Getenv("PATH")}, Stdout: w,
	})
	w.Close()
	if err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(r).ReadString('\n')
	child, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil {
		t.Fatalf("child pid %q", line)
	}
	if pgid, _ := syscall.Getpgid(child); pgid != p.Pid() {
		t.Errorf("child pgid %d, want the leader's pid %d", pgid, p.Pid())
	}
	waited := make(chan error, 1)
	go func() { waited <- p.Wait() }()
	_ = p.Signal(syscall.SIGTERM) // the shell ignores it; its child does not
	waitGone(t, child)
	select {
	case <-waited:
		t.Fatal("the shell ignoring SIGTERM exited")
	case <-time.After(100 * time.Millisecond):
	}
	_ = p.Signal(syscall.SIGKILL)
	if err := <-waited; err == nil || !strings.Contains(err.Error(), "killed") {
		t.Errorf("Wait after SIGKILL: %v", err)
	}
	// Once the group's last member is reaped, signalling reports it gone.
	deadline := time.Now().Add(5 * time.Second)
	for p.Signal(syscall.Signal(0)) != os.ErrProcessDone {
		if time.Now().After(deadline) {
			t.Fatal("the process group outlived SIGKILL")
		}
		time.Sleep(10 * time.Millisecond)
	}
}
