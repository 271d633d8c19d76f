package executor

import (
	"sort"
	"strconv"
	"strings"
)

// reservedEnv are the keys "Defined runtime environment variables" lists as
// reserved: Lambda sets them and a function's Environment.Variables cannot
// override them (CreateFunction refuses them; the executor ignores them).
var reservedEnv = map[string]bool{
	"_HANDLER":                        true,
	"_X_AMZN_TRACE_ID":                true,
	"AWS_DEFAULT_REGION":              true,
	"AWS_REGION":                      true,
	"AWS_EXECUTION_ENV":               true,
	"AWS_LAMBDA_FUNCTION_NAME":        true,
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": true,
	"AWS_LAMBDA_FUNCTION_VERSION":     true,
	"AWS_LAMBDA_INITIALIZATION_TYPE":  true,
	"AWS_LAMBDA_LOG_GROUP_NAME":       true,
	"AWS_LAMBDA_LOG_STREAM_NAME":      true,
	"AWS_ACCESS_KEY":                  true,
	"AWS_ACCESS_KEY_ID":               true,
	"AWS_SECRET_ACCESS_KEY":           true,
	"AWS_SESSION_TOKEN":               true,
	"AWS_LAMBDA_RUNTIME_API":          true,
	"LAMBDA_TASK_ROOT":                true,
	"LAMBDA_RUNTIME_DIR":              true,
	"TZ":                              true,
}

// ReservedEnvKeys returns, sorted, the keys of env that Lambda reserves, for
// CreateFunction and UpdateFunctionConfiguration to refuse as AWS does.
func ReservedEnvKeys(env map[string]string) []string {
	var keys []string
	for k := range env {
		if reservedEnv[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

type envParams struct {
	fn         Function // defaults already applied
	rt         runtimePlan
	taskRoot   string
	runtimeDir string
	optDir     string // the emulated /opt; "" for none
	runtimeAPI string // host:port of the sandbox's Runtime API
	logStream  string
	path       string // PATH handed to the function
	nodeSDK    string // the bundled SDK's node_modules, for NODE_PATH; "" when it is /var/runtime/node_modules or absent
	// provisioned: the environment is initialised for provisioned concurrency.
	provisioned bool
}

// xrayDaemon is the X-Ray daemon address Lambda gives every function, traced or not, as
// captured from a function's environment (gist Sleavely/d4e99dc362860f3c6e27f955e755f1e8:
// AWS_XRAY_DAEMON_ADDRESS '169.254.79.2:2000'). Nothing listens there locally, which the X-Ray
// SDKs (UDP) do not notice.
const (
	xrayDaemonHost = "169.254.79.2"
	xrayDaemonPort = "2000"
)

// buildEnv is the runtime process's whole environment: the unreserved
// defaults (LANG, PATH, LD_LIBRARY_PATH, NODE_PATH, AWS_ENDPOINT_URL), then
// the function's variables, then the reserved variables, which win. Nothing
// comes from the executor's own environment except PATH, given explicitly.
func buildEnv(p envParams) []string {
	fn := p.fn
	path := p.path
	libs := []string{p.runtimeDir + "/lib", p.taskRoot, p.taskRoot + "/lib"}
	var nodePath []string
	if p.optDir != "" {
		// Lambda's defaults end with /opt/bin and /opt/lib and NODE_PATH
		// starts with /opt/nodejs/nodeN/node_modules:/opt/nodejs/node_modules
		// ("Defined runtime environment variables", "Layer paths for each
		// Lambda runtime"); the sandbox's opt directory stands for /opt.
		path = strings.TrimSuffix(path, ":") + ":" + p.optDir + "/bin"
		if p.path == "" {
			path = p.optDir + "/bin"
		}
		libs = append(libs, p.optDir+"/lib")
		if m := nodeRuntime.FindStringSubmatch(p.fn.Runtime); m != nil {
			nodePath = append(nodePath, p.optDir+"/nodejs/node"+m[1]+"/node_modules")
		}
		nodePath = append(nodePath, p.optDir+"/nodejs/node_modules")
	}
	env := map[string]string{
		"LANG":            "en_US.UTF-8",
		"PATH":            path,
		"LD_LIBRARY_PATH": strings.Join(libs, ":"),
		// The runtime starts in the task root ("Defined runtime environment variables" lists
		// LAMBDA_TASK_ROOT; a handler's os.getcwd() and $PWD are /var/task).
		"PWD": p.taskRoot,
	}
	switch p.rt.kind {
	case kindNode:
		// Lambda's: the layers' node_modules, /var/runtime/node_modules
		// (the bundled SDK), /var/runtime, /var/task.
		nodePath = append(nodePath, p.runtimeDir+"/node_modules")
		if p.nodeSDK != "" {
			nodePath = append(nodePath, p.nodeSDK)
		}
		env["NODE_PATH"] = strings.Join(append(nodePath, p.runtimeDir, p.taskRoot), ":")
	case kindRuby:
		for k, v := range rubyPaths(p) {
			env[k] = v
		}
	case kindPython:
		// "PYTHONPATH – (Python) The Python library path ($LAMBDA_RUNTIME_DIR)", unreserved.
		env["PYTHONPATH"] = p.runtimeDir
	}
	if fn.Endpoint != "" {
		env["AWS_ENDPOINT_URL"] = fn.Endpoint
	}
	for k, v := range fn.Env {
		if k == "" || reservedEnv[k] || strings.ContainsAny(k, "=\x00") || strings.ContainsRune(v, 0) {
			continue
		}
		env[k] = v
	}
	set := func(k, v string) {
		if v != "" {
			env[k] = v
		}
	}
	set("AWS_LAMBDA_FUNCTION_NAME", fn.Name)
	set("AWS_LAMBDA_FUNCTION_VERSION", fn.Version)
	set("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", strconv.Itoa(fn.MemoryMB))
	set("AWS_LAMBDA_LOG_GROUP_NAME", fn.LogGroup)
	set("AWS_LAMBDA_LOG_STREAM_NAME", p.logStream)
	initType := "on-demand"
	if p.provisioned {
		initType = "provisioned-concurrency"
	}
	set("AWS_LAMBDA_INITIALIZATION_TYPE", initType)
	set("AWS_REGION", fn.Region)
	set("AWS_DEFAULT_REGION", fn.Region)
	set("AWS_EXECUTION_ENV", p.rt.executionEnv) // not set for OS-only runtimes
	set("AWS_LAMBDA_RUNTIME_API", p.runtimeAPI)
	set("LAMBDA_TASK_ROOT", p.taskRoot)
	set("LAMBDA_RUNTIME_DIR", p.runtimeDir)
	set("TZ", ":UTC")
	// "AWS_XRAY_CONTEXT_MISSING – For X-Ray tracing, Lambda sets this to LOG_ERROR";
	// AWS_XRAY_DAEMON_ADDRESS and its two halves as the managed runtimes have them.
	set("AWS_XRAY_CONTEXT_MISSING", "LOG_ERROR")
	set("AWS_XRAY_DAEMON_ADDRESS", xrayDaemonHost+":"+xrayDaemonPort)
	set("_AWS_XRAY_DAEMON_ADDRESS", xrayDaemonHost)
	set("_AWS_XRAY_DAEMON_PORT", xrayDaemonPort)
	if fn.LogFormat == logFormatJSON {
		// What the managed runtimes' clients read to write JSON records and
		// drop the levels below the application log level (the Lambda
		// runtime interface clients' log setup).
		set("AWS_LAMBDA_LOG_FORMAT", logFormatJSON)
		set("AWS_LAMBDA_LOG_LEVEL", strings.ToUpper(nonEmptyLevel(fn.AppLogLevel)))
	}
	if p.rt.kind != kindProvided {
		set("_HANDLER", fn.Handler)
	} else if fn.Handler != "" {
		set("_HANDLER", fn.Handler) // custom runtimes read it too
	}
	set("AWS_ACCESS_KEY_ID", fn.Credentials.AccessKeyID)
	set("AWS_ACCESS_KEY", fn.Credentials.AccessKeyID) // listed beside AWS_ACCESS_KEY_ID
	set("AWS_SECRET_ACCESS_KEY", fn.Credentials.SecretAccessKey)
	set("AWS_SESSION_TOKEN", fn.Credentials.SessionToken)

	out := make([]string, 0, len(env))
	for k, v := range env {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// rubyPaths are the Ruby runtime's load and gem paths: RUBYLIB the task
// root, the runtime directory's lib and the layers' ruby/lib; GEM_PATH the
// function's vendored bundle and the layers' ruby/gems for the declared
// version ("Layer paths for each Lambda runtime": ruby/gems/3.x.0,
// ruby/lib).
func rubyPaths(p envParams) map[string]string {
	v := p.rt.version + ".0"
	lib := []string{p.taskRoot, p.runtimeDir + "/lib"}
	gems := []string{p.taskRoot + "/vendor/bundle/ruby/" + v}
	if p.optDir != "" {
		lib = append(lib, p.optDir+"/ruby/lib")
		gems = append(gems, p.optDir+"/ruby/gems/"+v)
	}
	return map[string]string{"RUBYLIB": strings.Join(lib, ":"), "GEM_PATH": strings.Join(gems, ":")}
}

func nonEmptyLevel(level string) string {
	if level == "" {
		return defaultLogLevel
	}
	return level
}
