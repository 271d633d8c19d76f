package config

import (
	"io"
	"strings"
	"testing"
)

// IAMLOCAL_RUNTIMES / -runtimes and IAMLOCAL_NODE_SDK_PATH / -node-sdk-path: read, checked at
// start (an interpreted runtime once, an executable file, an existing directory), flags win.
func TestLoadRuntimeSettings(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name     string
		args     []string
		env      map[string]string
		runtimes map[string]string
		nodeSDK  string
		wantErr  string
	}{
		{name: "none"},
		{name: "environment", env: map[string]string{"IAMLOCAL_RUNTIMES": "python3.13=/bin/sh, nodejs22.x=/bin/sh,ruby3.4=/bin/sh", "IAMLOCAL_NODE_SDK_PATH": dir},
			runtimes: map[string]string{"python3.13": "/bin/sh", "nodejs22.x": "/bin/sh", "ruby3.4": "/bin/sh"}, nodeSDK: dir},
		{name: "flags win", args: []string{"-runtimes", "python3.12=/bin/sh", "-node-sdk-path", dir},
			env: map[string]string{"IAMLOCAL_RUNTIMES": "python3.13=/bin/sh", "IAMLOCAL_NODE_SDK_PATH": "/nowhere"}, runtimes: map[string]string{"python3.12": "/bin/sh"}, nodeSDK: dir},
		{name: "no equals", env: map[string]string{"IAMLOCAL_RUNTIMES": "python3.13"}, wantErr: `"python3.13": want RUNTIME=PATH`},
		{name: "not interpreted", env: map[string]string{"IAMLOCAL_RUNTIMES": "java21=/bin/sh"}, wantErr: `"java21" is not a python3.N, nodejsN.x or ruby3.N runtime`},
		{name: "twice", env: map[string]string{"IAMLOCAL_RUNTIMES": "python3.13=/bin/sh,python3.13=/bin/sh"}, wantErr: "python3.13 given twice"},
		{name: "relative", env: map[string]string{"IAMLOCAL_RUNTIMES": "python3.13=python3"}, wantErr: `"python3" is not an absolute path`},
		{name: "missing", env: map[string]string{"IAMLOCAL_RUNTIMES": "python3.13=/nowhere/python3.13"}, wantErr: "is not an executable file"},
		{name: "directory", env: map[string]string{"IAMLOCAL_RUNTIMES": "nodejs22.x=" + dir}, wantErr: "is not an executable file"},
		{name: "bad sdk path", env: map[string]string{"IAMLOCAL_NODE_SDK_PATH": "/nowhere"}, wantErr: `node SDK path "/nowhere"`},
	} {
		c, err := Load(tc.args, func(k string) string { return tc.env[k] }, io.Discard)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.name, err)
			continue
		}
		if len(c.Runtimes) != len(tc.runtimes) || c.NodeSDKPath != tc.nodeSDK {
			t.Errorf("%s: %+v %q", tc.name, c.Runtimes, c.NodeSDKPath)
		}
		for k, v := range tc.runtimes {
			if c.Runtimes[k] != v {
				t.Errorf("%s: %s = %q", tc.name, k, c.Runtimes[k])
			}
		}
	}
}
