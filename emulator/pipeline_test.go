package emulator

import (
	"net"
	"net/http"
	"testing"
)

// remoteIP is the host of RemoteAddr as net.SplitHostPort cuts it (aws:SourceIp), RemoteAddr
// itself when it has no port.
func TestRemoteIP(t *testing.T) {
	t.Parallel()
	for _, addr := range []string{
		"127.0.0.1:4566", "10.0.0.7:1", "[::1]:4566", "[fe80::1%eth0]:80", "::1", "127.0.0.1",
		"", ":80", "host:", "a:b:c", "[::1]", "pipe",
	} {
		want := addr
		if host, _, err := net.SplitHostPort(addr); err == nil {
			want = host
		}
		if got := remoteIP(&http.Request{RemoteAddr: addr}); got != want {
			t.Errorf("remoteIP(%q) = %q, want %q", addr, got, want)
		}
	}
}
