package authorize

import (
	"strings"

	"github.com/iamlocal/iamlocal/api/members"
	"github.com/iamlocal/iamlocal/arn"
)

// stsChecks maps an STS operation to its checks. sts:AssumeRole and the session-tagging and
// source-identity permissions it implies are evaluated against the role with its trust policy
// as the resource-based policy ("Passing session tags in AWS STS": sts:TagSession;
// "Monitor and control actions taken with assumed roles": sts:SetSourceIdentity).
func stsChecks(op string, in any, e *env) []check {
	action := "sts:" + op
	c := check{action: action, resource: "*", text: ""}
	tagContext(in, &c.ctx)
	switch op {
	case "AssumeRole":
		roleARN := members.RoleArn(in)
		c.resource, c.text, c.noReason = roleARN, roleARN, true
		// The role STS would assume (arn.ParseRole, as sts reads RoleArn); any other text names
		// no role, and STS refuses it whatever the identity policies say.
		if role, ok := arn.ParseRole(e.partition, roleARN); ok {
			c.trustRole = &roleRef{Scope: role.Scope, name: role.Name}
		}
		setIf(&c.ctx, "sts:ExternalId", members.ExternalId(in))
		setIf(&c.ctx, "sts:RoleSessionName", members.RoleSessionName(in))
		setIf(&c.ctx, "sts:SourceIdentity", members.SourceIdentity(in))
		if keys := members.TransitiveTagKeys(in); len(keys) > 0 {
			put(&c.ctx, "sts:TransitiveTagKeys", keys)
		}
		checks := []check{c}
		if len(members.TagsMap(in)) > 0 || len(members.TransitiveTagKeys(in)) > 0 {
			tag := c
			tag.action = "sts:TagSession"
			checks = append(checks, tag)
		}
		if members.SourceIdentity(in) != "" {
			src := c
			src.action = "sts:SetSourceIdentity"
			checks = append(checks, src)
		}
		return checks
	case "GetFederationToken":
		c.resource = e.scope().FederatedUser(members.Name(in)).String()
		c.text = c.resource
	case "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML":
		c.resource, c.text = members.RoleArn(in), members.RoleArn(in)
	case "AssumeRoot":
		c.resource = arn.Scope{Partition: e.partition, Account: members.TargetPrincipal(in)}.Root().String()
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
func lambdaChecks(op string, in any, e *env) []check {
	name := op
	if a, ok := lambdaActions[op]; ok {
		name = a
	}
	action := "lambda:" + name
	info := lookupAction(action)
	c := check{action: action, resource: "*", text: "*"}
	tagContext(in, &c.ctx)
	// The function the handler acts on, read as it reads it (arn.ResolveFunction): fnARN with
	// the name's own qualifier (lambda:FunctionArn, iam:AssociatedResourceArn), the resource
	// with the Qualifier parameter too.
	fnARN, qualifiedARN := "", ""
	if fn := members.FunctionName(in); fn != "" {
		fnARN, qualifiedARN = fn, fn // not a function name: the handler refuses it
		if named, _ := arn.ResolveFunction(e.scope(), fn, ""); named.Name != "" {
			asked, _ := arn.ResolveFunction(e.scope(), fn, members.Qualifier(in))
			fnARN, qualifiedARN = named.QualifiedARN().String(), asked.QualifiedARN().String()
		}
	}
	switch info.resourceType() {
	case "function", "function version", "function alias":
		if qualifiedARN != "" {
			c.resource = qualifiedARN
			c.function = true
		}
	case "layer":
		c.resource = arn.ResolveLayer(e.scope(), members.LayerName(in)).ARN().String()
	case "layerVersion":
		c.layerVersion = action == "lambda:GetLayerVersion"
		layer := arn.ResolveLayer(e.scope(), members.LayerName(in))
		if text := members.Arn(in); text != "" {
			c.resource = text
			if v, err := arn.ParseLayerVersion(text); err == nil {
				c.resource = v.ARN().String() // the version the handler reads
			}
		} else if v, ok := members.VersionNumber(in); ok {
			c.resource = layer.Version(v).String()
		} else {
			c.resource = layer.ARN().String()
		}
	case "eventSourceMapping":
		if id := members.UUID(in); id != "" {
			c.resource = e.scope().EventSourceMapping(id).String()
		}
	case "code signing config":
		if config := members.CodeSigningConfigArn(in); config != "" {
			c.resource = config
		}
	case "capacityProvider":
		if n := members.CapacityProviderName(in); strings.HasPrefix(n, "arn:") {
			c.resource = n
		} else if n != "" {
			c.resource = e.scope().CapacityProvider(n).String()
		}
	case "durable execution":
		if execution := members.DurableExecutionArn(in); execution != "" {
			c.resource = execution
		}
	}
	// Tagging operations name their resource by ARN in the path; a function's takes part with
	// its policy and tags as in every other function operation.
	if resource := members.Resource(in); strings.HasPrefix(resource, "arn:") {
		c.resource = resource
		if a, err := arn.Parse(resource); err == nil && a.Service == "lambda" && strings.HasPrefix(a.Resource, "function:") {
			c.function = true
		}
	}
	if c.resource != "*" {
		c.text = c.resource
	}
	c.owner = e.otherOwner(c.resource)
	if fnARN != "" && info.hasKey("lambda:FunctionArn") {
		put(&c.ctx, "lambda:FunctionArn", []string{fnARN})
	}
	setIf(&c.ctx, "lambda:Principal", members.Principal(in))
	setIf(&c.ctx, "lambda:FunctionUrlAuthType", firstNonEmpty(members.AuthType(in), members.FunctionUrlAuthType(in)))
	layers := members.Layers(in)
	if len(layers) > 0 {
		put(&c.ctx, "lambda:Layer", layers)
	}
	checks := []check{c}
	if role := members.Role(in); role != "" && (op == "CreateFunction" || op == "UpdateFunctionConfiguration") {
		checks = append(checks, check{action: "iam:PassRole", resource: role, text: role, ctx: map[string][]string{
			"iam:PassedToService":       {"lambda.amazonaws.com"},
			"iam:AssociatedResourceArn": {fnARN},
		}})
	}
	for _, l := range layers {
		checks = append(checks, check{action: "lambda:GetLayerVersion", resource: l, text: l, layerVersion: true, owner: e.otherOwner(l)})
	}
	return checks
}

// otherOwner is the account a resource ARN names when it is not the caller's, "" for the
// caller's own resources, "*" and text that is no ARN: a Lambda resource belongs to the
// account of its ARN, and a request for another account's resource is decided by the
// cross-account rule (decideCrossAccount).
func (e *env) otherOwner(resource string) string {
	a, err := arn.Parse(resource)
	if err != nil || a.Account == "" || a.Account == e.account {
		return ""
	}
	return a.Account
}

func setIf(ctx *map[string][]string, key, value string) {
	if value != "" {
		put(ctx, key, []string{value})
	}
}
