package executor

import (
	_ "embed"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
)

//go:embed runtime/bootstrap.py
var pythonBootstrap []byte

//go:embed runtime/bootstrap.mjs
var nodeBootstrap []byte

//go:embed runtime/bootstrap.rb
var rubyBootstrap []byte

type runtimeKind int

const (
	kindPython runtimeKind = iota + 1
	kindNode
	kindProvided
	kindRuby
)

// runtimePlan is how a sandbox of one runtime is started.
type runtimePlan struct {
	kind         runtimeKind
	executionEnv string // AWS_EXECUTION_ENV, "" for provided runtimes
	tool         string // "python", "node" or "ruby"; "" for provided
	// version is the language version the identifier declares: "3.13" for
	// python3.13, "22" for nodejs22.x, "3.4" for ruby3.4.
	version string
	// candidates are the names looked up on the PATH, best first, when
	// IAMLOCAL_RUNTIMES names no interpreter for the runtime.
	candidates []string
}

var (
	pythonRuntime = regexp.MustCompile(`^python(3\.[0-9]+)$`)
	nodeRuntime   = regexp.MustCompile(`^nodejs([0-9]+)\.x$`)
	rubyRuntime   = regexp.MustCompile(`^ruby(3\.[0-9]+)$`)
	// The managed runtimes of other languages ("Lambda runtimes"; the
	// Runtime enum of the Lambda API model): accepted at create as AWS does,
	// never run here.
	foreignRuntime = regexp.MustCompile(`^(java[0-9]+(\.al2|\.al2023)?|dotnet[0-9]+|dotnetcore[0-9.]+|go1\.x|ruby2\.[0-9]+|ruby4\.[0-9]+)$`)
)

// RuntimeSetting is the setting that chooses an interpreter per runtime, for
// messages: the environment variable of `iamlocal serve`, whose flag and
// Options field (Options.Runtimes) carry the same map.
const RuntimeSetting = "IAMLOCAL_RUNTIMES"

// pythonLayerPaths are the layer directories the Python runtime puts on
// sys.path after the task root ("Layer paths for each Lambda runtime":
// python/lib/python3.N/site-packages, a site directory, then python), for
// the function's declared python3.N whatever the local interpreter is.
func pythonLayerPaths(optDir, runtime string) []string {
	var out []string
	if m := pythonRuntime.FindStringSubmatch(runtime); m != nil {
		out = append(out, filepath.Join(optDir, "python", "lib", "python"+m[1], "site-packages"))
	}
	return append(out, filepath.Join(optDir, "python"))
}

// planFor maps a Lambda runtime identifier to a local plan. python3.N is
// looked for as python3.N, then python3; nodejsN.x as nodeN, then node;
// ruby3.N as ruby3.N, then ruby. A runtime iamlocal cannot run (Java, .NET,
// an unknown identifier) is an *unavailable.
func planFor(runtime string) (runtimePlan, error) {
	env := "AWS_Lambda_" + runtime
	switch {
	case pythonRuntime.MatchString(runtime):
		v := pythonRuntime.FindStringSubmatch(runtime)[1]
		return runtimePlan{kind: kindPython, executionEnv: env, tool: "python", version: v,
			candidates: []string{"python" + v, "python3"}}, nil
	case nodeRuntime.MatchString(runtime):
		v := nodeRuntime.FindStringSubmatch(runtime)[1]
		return runtimePlan{kind: kindNode, executionEnv: env, tool: "node", version: v,
			candidates: []string{"node" + v, "node"}}, nil
	case rubyRuntime.MatchString(runtime):
		v := rubyRuntime.FindStringSubmatch(runtime)[1]
		return runtimePlan{kind: kindRuby, executionEnv: env, tool: "ruby", version: v,
			candidates: []string{"ruby" + v, "ruby"}}, nil
	case runtime == "provided" || runtime == "provided.al2" || runtime == "provided.al2023":
		return runtimePlan{kind: kindProvided}, nil
	case foreignRuntime.MatchString(runtime):
		return runtimePlan{}, &unavailable{fmt.Sprintf("iamlocal cannot run %s functions: it runs python3.x, nodejsN.x and ruby3.x functions "+
			"on interpreters of this machine (chosen with %s) and provided runtimes' own bootstrap, and has no runtime for %s.", runtime, RuntimeSetting, language(runtime))}
	}
	return runtimePlan{}, &unavailable{fmt.Sprintf("iamlocal does not know the runtime %q: it runs python3.x, nodejsN.x, ruby3.x and provided runtimes.", runtime)}
}

// language names a foreign runtime's language for messages.
func language(runtime string) string {
	switch {
	case strings.HasPrefix(runtime, "java"):
		return "Java"
	case strings.HasPrefix(runtime, "dotnet"):
		return ".NET"
	case strings.HasPrefix(runtime, "go"):
		return "the retired Go runtime (use provided.al2023)"
	}
	return "this Ruby version"
}

// unavailable is why a function cannot run here: a runtime iamlocal has no
// interpreter for, or a container image. Invoke answers it as a function
// error (200, X-Amz-Function-Error), never as a 5xx an SDK would retry.
type unavailable struct{ message string }

func (u *unavailable) Error() string { return u.message }

// errTypeUnavailable is the function error of a runtime that cannot be
// started: Lambda's own for an environment whose runtime cannot be executed
// (troubleshooting-invocation: Runtime.InvalidEntrypoint, as for a missing
// or unrunnable bootstrap).
const errTypeUnavailable = errTypeInvalidEntry

// versionMatches reports whether an interpreter's version is the one a plan
// declares: the same major.minor for Python and Ruby, the same major for
// Node.js.
func versionMatches(plan runtimePlan, version string) bool {
	v := strings.TrimPrefix(version, "v")
	return v == plan.version || strings.HasPrefix(v, plan.version+".")
}

// versionNote is the line an environment logs, once, when its interpreter is
// not the version its runtime declares.
func versionNote(runtime string, plan runtimePlan, it interpreter) string {
	how := "found on the PATH as " + filepath.Base(it.name) + ": no working " + plan.candidates[0] + " was found there"
	if it.configured {
		how = "set by " + RuntimeSetting
	}
	return fmt.Sprintf("iamlocal: this %s function runs on %s %s (%s), %s; %s=%s=<interpreter> chooses another.",
		runtime, languageName(plan.kind), strings.TrimPrefix(it.version, "v"), it.path, how, RuntimeSetting, runtime)
}

func languageName(k runtimeKind) string {
	switch k {
	case kindPython:
		return "Python"
	case kindNode:
		return "Node.js"
	}
	return "Ruby"
}
