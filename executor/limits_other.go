//go:build !linux

package executor

// limitProcess leaves the process as it is: only Linux sets another process's limits
// (prlimit(2)), so plain processes elsewhere keep the server's.
func limitProcess(int) error { return nil }
