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
// Runtimes. python3.N runtimes run on the python3 found on the PATH and
// nodejsN.x runtimes on the node found on the PATH, whatever N is: on a
// machine with Python 3.11 and Node.js 20, python3.13 and nodejs22.x
// functions run on those. AWS_EXECUTION_ENV still names the function's
// declared runtime. The Python and Node.js runtime clients are iamlocal's
// own (runtime/bootstrap.py, runtime/bootstrap.mjs), written against the
// Runtime API with the standard libraries only. provided, provided.al2 and
// provided.al2023 run the deployment package's executable bootstrap file.
//
// The process supervision follows aws-lambda-runtime-interface-emulator: a
// Launcher interface, an explicit environment (never os.Environ()), a new
// process group per sandbox, SIGTERM then SIGKILL to the whole group.
package executor
