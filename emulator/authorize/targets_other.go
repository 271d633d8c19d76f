package authorize

import (
	"reflect"
	"strings"
)

// stsChecks maps an STS operation to its checks. sts:AssumeRole and the session-tagging and
// source-identity permissions it implies are evaluated against the role with its trust policy
// as the resource-based policy ("Passing session tags in AWS STS": sts:TagSession;
// "Monitor and control actions taken with assumed roles": sts:SetSourceIdentity).
func stsChecks(op string, in input, e *env) []check {
	action := "sts:" + op
	c := check{action: action, resource: "*", text: ""}
	tagContext(in, &c.ctx)
	switch op {
	case "AssumeRole":
		arn := in.str("RoleArn")
		c.resource, c.text, c.noReason = arn, arn, true
		c.trustRole = &roleRef{account: arnAccount(arn), name: lastSegment(arn)}
		setIf(&c.ctx, "sts:ExternalId", in.str("ExternalId"))
		setIf(&c.ctx, "sts:RoleSessionName", in.str("RoleSessionName"))
		setIf(&c.ctx, "sts:SourceIdentity", in.str("SourceIdentity"))
		if keys := in.strs("TransitiveTagKeys"); len(keys) > 0 {
			put(&c.ctx, "sts:TransitiveTagKeys", keys)
		}
		checks := []check{c}
		if len(in.tags()) > 0 || len(in.strs("TransitiveTagKeys")) > 0 {
			tag := c
			tag.action = "sts:TagSession"
			checks = append(checks, tag)
		}
		if in.str("SourceIdentity") != "" {
			src := c
			src.action = "sts:SetSourceIdentity"
			checks = append(checks, src)
		}
		return checks
	case "GetFederationToken":
		c.resource = "arn:aws:sts::" + e.account + ":federated-user/" + in.str("Name")
		c.text = c.resource
	case "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML":
		c.resource, c.text = in.str("RoleArn"), in.str("RoleArn")
	case "AssumeRoot":
		c.resource = "arn:aws:iam::" + in.str("TargetPrincipal") + ":root"
		c.text = c.resource
	}
	return []check{c}
}

// lambdaActions are the operations whose IAM action has another name.
var lambdaActions = map[string]string{
	"Invoke": "InvokeFunction", "InvokeWithResponseStream": "InvokeFunction", "GetLayerVersionByArn": "GetLayerVersion",
}

// lambdaChecks maps a Lambda operation to its checks. Lambda names the resource by ARN (keeping
// any qualifier) and "*" for actions without resource-level permissions; creating or
// reconfiguring a function with a role also needs iam:PassRole with iam:PassedToService, and
// each layer needs lambda:GetLayerVersion (Lambda Developer Guide, "Identity-based IAM policies
// for Lambda": function, layer and PassRole sections).
func lambdaChecks(op string, in input, e *env) []check {
	name := op
	if a, ok := lambdaActions[op]; ok {
		name = a
	}
	action := "lambda:" + name
	info := lookupAction(action)
	c := check{action: action, resource: "*", text: "*"}
	tagContext(in, &c.ctx)
	fnARN := ""
	if fn := in.str("FunctionName"); fn != "" {
		fnARN = functionARN(fn, e)
	}
	switch info.resourceType() {
	case "function", "function version", "function alias":
		if fnARN != "" {
			c.resource = fnARN
			if q := in.str("Qualifier"); q != "" && strings.Count(fnARN, ":") == 6 {
				c.resource += ":" + q
			}
			c.function = true
		}
	case "layer":
		c.resource = layerARN(in.str("LayerName"), e)
	case "layerVersion":
		if arn := in.str("Arn"); arn != "" {
			c.resource = arn
		} else if v := in.field("VersionNumber"); v.IsValid() && !(v.Kind() == reflect.Pointer && v.IsNil()) {
			c.resource = layerARN(in.str("LayerName"), e) + ":" + versionText(v)
		} else {
			c.resource = layerARN(in.str("LayerName"), e)
		}
	case "eventSourceMapping":
		if id := in.str("UUID"); id != "" {
			c.resource = "arn:aws:lambda:" + e.region + ":" + e.account + ":event-source-mapping:" + id
		}
	case "code signing config":
		if arn := in.str("CodeSigningConfigArn"); arn != "" {
			c.resource = arn
		}
	case "capacityProvider":
		if n := in.str("CapacityProviderName"); strings.HasPrefix(n, "arn:") {
			c.resource = n
		} else if n != "" {
			c.resource = "arn:aws:lambda:" + e.region + ":" + e.account + ":capacity-provider:" + n
		}
	case "durable execution":
		if arn := in.str("DurableExecutionArn"); arn != "" {
			c.resource = arn
		}
	}
	// Tagging operations name their resource by ARN in the path.
	if arn := in.str("Resource"); strings.HasPrefix(arn, "arn:") {
		c.resource = arn
	}
	if c.resource != "*" {
		c.text = c.resource
	}
	if fnARN != "" && info.hasKey("lambda:FunctionArn") {
		put(&c.ctx, "lambda:FunctionArn", []string{fnARN})
	}
	setIf(&c.ctx, "lambda:Principal", in.str("Principal"))
	setIf(&c.ctx, "lambda:FunctionUrlAuthType", firstNonEmpty(in.str("AuthType"), in.str("FunctionUrlAuthType")))
	layers := in.strs("Layers")
	if len(layers) > 0 {
		put(&c.ctx, "lambda:Layer", layers)
	}
	checks := []check{c}
	if role := in.str("Role"); role != "" && (op == "CreateFunction" || op == "UpdateFunctionConfiguration") {
		checks = append(checks, check{action: "iam:PassRole", resource: role, text: role, ctx: map[string][]string{
			"iam:PassedToService":       {"lambda.amazonaws.com"},
			"iam:AssociatedResourceArn": {fnARN},
		}})
	}
	for _, l := range layers {
		checks = append(checks, check{action: "lambda:GetLayerVersion", resource: l, text: l})
	}
	return checks
}

// functionARN expands a function name, partial ARN (123456789012:function:name) or full ARN,
// each optionally qualified, into a full ARN.
func functionARN(fn string, e *env) string {
	if strings.HasPrefix(fn, "arn:") {
		return fn
	}
	parts := strings.Split(fn, ":")
	switch {
	case len(parts) >= 3 && parts[1] == "function":
		return "arn:aws:lambda:" + e.region + ":" + fn
	default:
		return "arn:aws:lambda:" + e.region + ":" + e.account + ":function:" + fn
	}
}

func layerARN(name string, e *env) string {
	if strings.HasPrefix(name, "arn:") {
		return name
	}
	return "arn:aws:lambda:" + e.region + ":" + e.account + ":layer:" + name
}

// arnAccount is the account field of an ARN ("" when it is not one).
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return ""
	}
	return parts[4]
}

func setIf(ctx *map[string][]string, key, value string) {
	if value != "" {
		put(ctx, key, []string{value})
	}
}
