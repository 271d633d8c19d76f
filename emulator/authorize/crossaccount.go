package authorize

import (
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/storage"
)

// lambdaCrossAccount are the actions a function policy can grant to another account: the
// operations Lambda serves across accounts through a function's resource-based policy
// (Lambda Developer Guide, "Using resource-based policies for AWS Lambda", "Cross-account
// APIs"; awsdocs/aws-lambda-developer-guide#139 found AddPermission, RemovePermission and
// UpdateFunctionConfiguration refused across accounts whatever the policy said), and a
// function URL's lambda:InvokeFunctionUrl ("Control access to Lambda function URLs": a
// principal of another account needs both its identity-based policy and the function's
// resource-based policy). Any other action on another account's function finds no
// resource-based policy that allows it.
var lambdaCrossAccount = map[string]bool{
	"lambda:InvokeFunction": true, "lambda:InvokeFunctionUrl": true, "lambda:GetFunction": true, "lambda:GetFunctionConfiguration": true,
	"lambda:UpdateFunctionCode": true, "lambda:DeleteFunction": true, "lambda:PublishVersion": true,
	"lambda:ListVersionsByFunction": true, "lambda:CreateAlias": true, "lambda:GetAlias": true, "lambda:ListAliases": true,
	"lambda:UpdateAlias": true, "lambda:DeleteAlias": true, "lambda:GetPolicy": true, "lambda:PutFunctionConcurrency": true,
	"lambda:DeleteFunctionConcurrency": true, "lambda:ListTags": true, "lambda:TagResource": true, "lambda:UntagResource": true,
}

// verdict is one check's decision, with each side's for a resource of another account.
type verdict struct {
	authz.Result
	cross     *CrossAccount
	evaluated []string // the policy types that took part (Decision.Evaluated)
}

// decideCrossAccount decides a check on a Lambda resource of another account: the caller's
// own policies and a resource-based policy of the owner must both allow ("Cross-account
// policy evaluation logic"; Lambda Developer Guide, "Granting function access to other
// accounts" and "Granting layer access to other accounts"), which authz.EvaluateCrossAccount
// decides. The owner's side is the function's policy for the actions Lambda serves across
// accounts (lambdaCrossAccount) and the layer version's permissions for
// lambda:GetLayerVersion; anything else has none, so a resource of another account that
// does not exist, or an action no policy may grant across accounts, is AccessDenied before
// any handler looks. The function's tags take part either way.
func (a *Authorizer) decideCrossAccount(tx *storage.Tx, req authz.Request, set authz.PolicySet, keys *requestKeys, p *principalPolicies, c check) (verdict, error) {
	if c.function && tx != nil {
		if err := a.functionFacts(tx, &req, &set, keys, p, c, lambdaCrossAccount[c.action]); err != nil {
			return verdict{}, err
		}
	}
	if c.layerVersion && tx != nil && a.opts.LayerVersionPolicy != nil {
		doc, err := a.opts.LayerVersionPolicy(tx, c.resource)
		if err != nil {
			return verdict{}, err
		}
		if err := a.addResourcePolicy(&set, c.resource, doc); err != nil {
			return verdict{}, err
		}
	}
	res := authz.EvaluateCrossAccount(req, set)
	return verdict{Result: res.Result, cross: &CrossAccount{Owner: c.owner, Identity: res.Identity.String(), Resource: res.Resource.String()},
		evaluated: evaluatedTypes(req.Principal, set)}, nil
}

// addResourcePolicy compiles a resource-based policy document of resource into the set; ""
// adds nothing.
func (a *Authorizer) addResourcePolicy(set *authz.PolicySet, resource, doc string) error {
	if doc == "" {
		return nil
	}
	pol, err := a.opts.Cache.Compile(doc, authz.KindResource)
	if err != nil {
		return err
	}
	set.Resource = append(append([]authz.Named(nil), set.Resource...), authz.Named{Name: resource, Policy: pol})
	return nil
}

func needsOwner(checks []check) bool {
	for _, c := range checks {
		if c.owner != "" {
			return true
		}
	}
	return false
}
