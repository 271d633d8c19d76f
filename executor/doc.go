// Package executor runs Lambda functions as local processes behind a Lambda
// Runtime API, without Docker.
//
// One sandbox is one extracted code directory, one runtime process and one
// Runtime API server listening on 127.0.0.1:0 (bound before the process is
// started). Sandboxes are reused for later invocations of the same function,
// code and configuration, and stopped after Options.IdleTimeout.
//
// Behaviour follows the AWS Lambda Developer Guide:
//   - "Using the Lambda runtime API for custom runtimes" (runtimes-api): the
//     /2018-06-01/runtime/invocation/next, /invocation/{AwsRequestId}/response,
//     /invocation/{AwsRequestId}/error and /runtime/init/error paths and the
//     Lambda-Runtime-* headers.
//   - "Defined runtime environment variables" (configuration-envvars-runtime):
//     the variables a runtime process sees; the reserved ones cannot be
//     overridden by the function's Environment.Variables.
//   - "Define Lambda function handler in Python/Node.js" and the error pages:
//     error documents {"errorMessage","errorType","stackTrace"} (Python) and
//     {"errorType","errorMessage","trace"} (Node.js).
//   - "Troubleshoot invocation issues in Lambda" (troubleshooting-invocation):
//     Sandbox.Timedout, Runtime.InvalidEntrypoint, Runtime.ExitError.
//   - The Invoke API reference: a function error is still a successful call
//     (200) whose X-Amz-Function-Error is "Unhandled"; LogType Tail returns
//     the last 4 KB of the log, base64 encoded (Result.LogTail); payloads are
//     limited to 6 MB each way.
//
// Runtimes. A python3.N, nodejsN.x or ruby3.N function runs on the
// interpreter Options.Runtimes names for its identifier, run as given, else
// on the first of python3.N then python3 (nodeN then node, ruby3.N then
// ruby) on the PATH whose probe runs (a pyenv shim of a version that is not
// installed does not). An environment whose interpreter is not the version
// its runtime declares writes a note saying so, once, to its log stream.
// AWS_EXECUTION_ENV still names the function's declared runtime. The
// runtime clients are iamlocal's own (runtime/bootstrap.py, bootstrap.mjs,
// bootstrap.rb), written against the Runtime API with the standard
// libraries only. provided, provided.al2 and provided.al2023 run the
// deployment package's executable bootstrap file. The bundled AWS SDKs are
// the host's: python imports boto3 from its interpreter, else from the PATH
// python3's site directory (appended to sys.path); nodejs18.x and later see
// Options.NodeSDKPath, else npm's global root when it holds @aws-sdk, as
// /var/runtime/node_modules. A function that cannot run here (Java, .NET, a
// missing interpreter, a container image) is a function error,
// Runtime.InvalidEntrypoint, naming what is missing and the setting that
// supplies it; CheckRuntime says so before any invocation.
//
// Logs. With LoggingConfig LogFormat JSON the runtime clients write their
// native loggers' records in the shapes of AWS's runtime interface clients,
// the platform writes platform.start and platform.report records instead of
// START, END and REPORT, application lines below AppLogLevel are dropped
// (a line without a level is INFO) and a SystemLogLevel of WARN drops the
// platform records ("Log-level filtering").
//
// Execution environments. On Linux each sandbox's runtime runs in an
// environment of its own (SandboxLauncher, the default): its first process
// is this binary re-executed as PID 1 of new mount, PID and IPC namespaces
// (and a user namespace when the server is not root), which assembles a
// read-only root from binds of the system directories and the interpreter,
// the code at /var/task, the runtime client at /var/runtime, the layers at
// /opt, a private tmpfs /tmp of EphemeralStorageMB, its own /proc and a
// minimal /dev, then runs the runtime without capabilities (as Lambda's
// sbx_user1051 when the server is root). The environment sees no file of the
// host beyond those, no other process and no other sandbox; it shares the
// server's network namespace, so its Runtime API stays at 127.0.0.1. Memory
// (MemoryMB) and processes (Options.MaxProcesses) are bounded by control
// groups where the host delegates them, else by sampling the resident set
// and RLIMIT_NPROC; exceeding the memory ends the invocation with
// Runtime.OutOfMemory. The runtime has Lambda's RLIMIT_NOFILE, RLIMIT_MEMLOCK
// and RLIMIT_STACK (lambdaLimits), in an environment and, on Linux, as a
// plain process. Unlike Lambda's, this /tmp is memory: what a function
// keeps there counts towards its MemorySize (and its Max Memory Used). The
// environment dies with its PID 1: at a timeout,
// when retired, when the server exits however it exits (Pdeathsig). Where
// namespaces are refused, runtimes run as plain processes and
// Executor.Isolation says why.
//
// Layers. Lambda extracts a function's layers, in order, into /opt, later
// layers overwriting earlier files ("Managing Lambda dependencies with
// layers", "Adding layers to functions", "Packaging your layer content").
// Each sandbox has its own directory for them (<sandbox>/opt, beside the
// task root), filled the same way and seen as /opt inside an execution
// environment. Without one iamlocal cannot write /opt, and the runtimes are
// pointed at the directory where Lambda's look in /opt ("Layer paths for
// each Lambda runtime"): python3.N puts opt/python/lib/python3.N/site-packages
// (a site directory, .pth files read) and opt/python on sys.path after the
// task root; nodejsN.x has opt/nodejs/nodeN/node_modules and
// opt/nodejs/node_modules first on NODE_PATH (require only: Node.js ES module
// imports ignore NODE_PATH, on Lambda too); every runtime has opt/bin last on
// PATH and opt/lib last on LD_LIBRARY_PATH; and a provided function without a
// bootstrap of its own runs opt/bootstrap. There, functions that hard-code
// "/opt/..." paths will not find their layers; LAMBDA_TASK_ROOT's sibling
// "opt" is the directory. What a handler's errors show reads as Lambda's
// all the same: the Python runtime client compiles the modules of the task
// root and of opt under /var/task/... and /opt/... names, the Node.js one
// rewrites stack frames (Error.prepareStackTrace); __file__, __dirname and
// the working directory stay the real ones. The function and its layers
// share the MaxUnzippedSize budget, links are checked once every layer is in
// place, and a layer's file replaces an earlier layer's link rather than
// writing through it.
//
// The process supervision follows aws-lambda-runtime-interface-emulator: a
// Launcher interface, an explicit environment (never os.Environ()), a new
// process group per sandbox, SIGTERM then SIGKILL to the whole group (and,
// in an execution environment, to its whole PID namespace).
package executor
