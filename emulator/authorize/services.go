package authorize

import (
	"strings"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
)

// Service is how the authorizer sees one service: the IAM action prefix of its operations,
// the checks each operation makes, and the calls AWS does not authorize at all. A service
// declares one; the server's service table hands it to Authorize with every call.
type Service struct {
	// Prefix is the service's IAM action prefix (cloudwatch for CloudWatch, whose SigV4
	// signing name is monitoring); the caller's policies are pre-filtered per prefix.
	Prefix string
	checks func(op string, in any, e *env) []check
	// unchecked reports a call that needs no permission.
	unchecked func(op string, c reqctx.Caller) bool
}

// The services iamlocal maps operation by operation.
var (
	IAM    = Service{Prefix: "iam", checks: iamChecks}
	STS    = Service{Prefix: "sts", checks: stsChecks, unchecked: stsUnchecked}
	Lambda = Service{Prefix: "lambda", checks: lambdaChecks}
	Logs   = Service{Prefix: "logs", checks: logsChecks}
	// CloudWatch is CloudWatch metrics and alarms.
	CloudWatch = Service{Prefix: "cloudwatch", checks: cloudwatchChecks}
)

// Generic is a service without a mapping of its own: each operation is the action
// prefix:Operation on resource "*".
func Generic(prefix string) Service {
	return Service{Prefix: prefix, checks: func(op string, _ any, _ *env) []check {
		return []check{{action: prefix + ":" + op, resource: "*", text: "*"}}
	}}
}

// OnBehalf is one action on one resource that a service calls as a principal on its behalf:
// Lambda sending an invocation record to an SQS, SNS, EventBridge or S3 destination as the
// function's execution role. op is only what the decision log names.
func OnBehalf(action, resource string) Service {
	prefix, _, _ := strings.Cut(action, ":")
	return Service{Prefix: prefix, checks: func(string, any, *env) []check {
		return []check{{action: action, resource: resource, text: resource}}
	}}
}

// stsUnchecked: GetCallerIdentity is never denied ("No permissions are required to perform
// this operation", STS API Reference); nor is GetSessionToken ("No permissions are required for
// users to perform this operation. [...] You cannot use policies to control authentication
// operations", STS API Reference, GetSessionToken; the IAM User Guide's "Permissions for
// GetSessionToken" adds that a policy naming the action "has no effect"), whose handler refuses
// session credentials itself. AssumeRole by an account's root is left to the handler, which
// answers AWS's "Roles may not be assumed by root accounts."
func stsUnchecked(op string, c reqctx.Caller) bool {
	return op == "GetCallerIdentity" || op == "GetSessionToken" || (op == "AssumeRole" && c.Type == reqctx.Account)
}
