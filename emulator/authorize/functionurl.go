package authorize

import (
	"context"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// FunctionURL is one request to a Lambda function URL as the authorizer decides it. A URL
// request is no API operation: its checks are those of the URL's invocation.
type FunctionURL struct {
	// Function names what the URL invokes, in the URL's account and region: a function, or
	// its alias (Qualifier) for a URL of an alias.
	Function arn.Function
	AuthType string // AWS_IAM or NONE
	// Legacy asks for the rule before October 2025, lambda:InvokeFunctionUrl alone.
	Legacy bool
}

// functionURLOp names URL requests in the decision log.
const functionURLOp = "InvokeFunctionUrl"

// checks of a URL request: "Starting in October 2025, new function URLs will require both
// lambda:InvokeFunctionUrl and lambda:InvokeFunction permissions" (Lambda Developer Guide,
// "Control access to Lambda function URLs"), the first with lambda:FunctionUrlAuthType and
// lambda:FunctionArn, the second with lambda:InvokedViaFunctionUrl (true), the condition key
// the console's grant carries (Service Authorization Reference: the keys of InvokeFunctionUrl
// and InvokeFunction).
func (u FunctionURL) checks() []check {
	target := u.Function.QualifiedARN().String()
	checks := []check{{action: "lambda:InvokeFunctionUrl", resource: target, text: target, function: true,
		ctx: map[string][]string{"lambda:FunctionUrlAuthType": {u.AuthType}, "lambda:FunctionArn": {u.Function.ARN().String()}}}}
	if !u.Legacy {
		checks = append(checks, check{action: "lambda:InvokeFunction", resource: target, text: target, function: true,
			ctx: map[string][]string{"lambda:InvokedViaFunctionUrl": {"true"}}})
	}
	return checks
}

// AuthorizeFunctionURL decides a request to a function URL, recording each check in the
// decision log as Authorize does. A signed caller (an AWS_IAM URL) is decided as for any
// operation: identity policies and the function's resource-based policy. A request to a NONE
// URL has no caller: "your function's resource-based policy is always in effect and must
// grant public access" (same page), so it is decided on the function policy alone, as an
// anonymous principal that only Principal "*" names. It returns nil when allowed (or when
// enforcement is soft or off), an *awserr.Denial when denied.
func (a *Authorizer) AuthorizeFunctionURL(ctx context.Context, info *reqctx.Info, u FunctionURL) error {
	if a.opts.Mode == Off {
		return nil
	}
	checks := u.checks()
	if !info.Anonymous() {
		svc := Service{Prefix: "lambda", checks: func(string, any, *env) []check { return checks }}
		return a.Authorize(ctx, info, svc, functionURLOp, nil)
	}
	anonymous := *info
	anonymous.Caller.ARN = "anonymous"
	// The anonymous principal: no ARN, no account, no policies of its own.
	p := &principalPolicies{base: map[string][]string{}}
	var denial error
	err := a.opts.DB.View(u.Function.Account, func(tx *storage.Tx) error {
		denial = a.evaluate(tx, &anonymous, functionURLOp, p, checks)
		if _, ok := awserr.AsDenial(denial); !ok && denial != nil {
			return denial
		}
		return nil
	})
	if err != nil {
		return err
	}
	return denial
}
