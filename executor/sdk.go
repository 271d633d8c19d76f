package executor

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
)

// bundledSDK is the host directory of the AWS SDK the sandbox's runtime sees
// as the one Lambda's managed runtimes include: for python, the site
// directory its interpreter imports boto3 from, else the PATH's python3's
// ("Building Lambda functions with Python": the runtimes include the AWS
// SDK for Python); for nodejs18.x and later, the node_modules directory
// holding @aws-sdk (the AWS SDK for JavaScript v3 those runtimes include,
// "Building Lambda functions with Node.js"); "" otherwise.
func (sb *sandbox) bundledSDK(ctx context.Context) string {
	switch sb.plan.kind {
	case kindPython:
		if sb.interp.sdk != "" {
			return sb.interp.sdk
		}
		return sb.e.tools.hostBoto3(ctx)
	case kindNode:
		if major, err := strconv.Atoi(sb.plan.version); err == nil && major >= 18 {
			return sb.e.tools.nodeSDKDir(ctx)
		}
	}
	return ""
}

// nodeSDKOnPath is the directory NODE_PATH names for the bundled SDK: in an
// execution environment the SDK is at /var/runtime/node_modules, already on
// NODE_PATH where Lambda's is; a plain process finds it where the host has it.
func (sb *sandbox) nodeSDKOnPath(isolated bool) string {
	if sb.plan.kind != kindNode || isolated {
		return ""
	}
	return sb.sdk
}

// sdkMounts show the bundled SDK inside an execution environment: Python's
// site directory where the host has it (the runtime client adds it to
// sys.path last), Node.js's at /var/runtime/node_modules.
func (sb *sandbox) sdkMounts() []Mount {
	if sb.sdk == "" {
		return nil
	}
	abs, err := filepath.Abs(sb.sdk)
	if err != nil || under(sb.e.dir, []string{abs}) {
		return nil
	}
	if _, err := os.Stat(abs); err != nil {
		return nil
	}
	switch sb.plan.kind {
	case kindPython:
		if under(abs, systemRoots) || under(abs, sb.interp.roots) {
			return nil // already shown
		}
		return []Mount{{Source: abs, Target: abs}}
	case kindNode:
		// The mount point must exist: the runtime directory is read-only
		// inside the environment.
		if err := os.MkdirAll(filepath.Join(sb.runtimeDir, "node_modules"), 0o755); err != nil {
			return nil
		}
		return []Mount{{Source: abs, Target: guestRuntimeDir + "/node_modules"}}
	}
	return nil
}
