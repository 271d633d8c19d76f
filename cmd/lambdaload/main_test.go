package main

import (
	"bytes"
	"strings"
	"testing"
)

// lambdaload refuses bad settings and, against an iamlocal of its own, reports the calls it
// made (needs python3).
func TestRun(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		args    []string
		wantErr string
		want    []string
	}{
		{name: "bad rate", args: []string{"-rate", "0"}, wantErr: "must be positive"},
		{name: "a short run", args: []string{"-rate", "20", "-duration", "500ms", "-warmup", "0"},
			want: []string{"asked 20/s for 500ms: 10 calls", "latency p50", "errors 0, started late 0"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out bytes.Buffer
			err := run(tc.args, &out)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output\n%s\nlacks %q", out.String(), w)
				}
			}
		})
	}
}
