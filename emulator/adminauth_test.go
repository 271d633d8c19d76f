package emulator

import "testing"

// Only a listen address that names this machine alone keeps unsigned admin access.
func TestAdminAccessFor(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr string
		want AdminAccess
	}{
		{"127.0.0.1:4566", AdminLoopback},
		{"127.0.0.1:0", AdminLoopback},
		{"127.9.9.9:4566", AdminLoopback},
		{"localhost:4566", AdminLoopback},
		{"[::1]:4566", AdminLoopback},
		{"0.0.0.0:4566", AdminAuthenticated},
		{":4566", AdminAuthenticated},
		{"[::]:4566", AdminAuthenticated},
		{"192.168.1.20:4566", AdminAuthenticated},
		{"iamlocal.internal:4566", AdminAuthenticated},
	}
	for _, tc := range cases {
		if got := AdminAccessFor(tc.addr); got != tc.want {
			t.Errorf("AdminAccessFor(%q) = %v, want %v", tc.addr, got, tc.want)
		}
	}
}
