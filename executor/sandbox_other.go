//go:build !linux

package executor

import "context"

// SandboxLauncher is LocalLauncher where Linux namespaces do not exist: the
// executor then reports "none: ..." as its isolation.
func SandboxLauncher() Launcher { return otherLauncher{} }

type otherLauncher struct{}

func (otherLauncher) Start(ctx context.Context, spec Spec) (Proc, error) {
	return localLauncher{}.Start(ctx, spec)
}

func (otherLauncher) isolation() isolation {
	return isolation{reason: "execution environments need Linux namespaces"}
}
