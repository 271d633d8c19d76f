package authorize

import (
	"strings"

	"github.com/iamlocal/iamlocal/api/members"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/storage"
)

// check is one authorization question an operation asks: an action on a resource.
type check struct {
	action   string
	resource string              // the ARN policies are matched against
	text     string              // how the denial message names the resource
	ctx      map[string][]string // operation-specific condition keys
	// trustRole, when set, makes the role's trust policy the resource-based policy of the check
	// (sts:AssumeRole, sts:TagSession, sts:SetSourceIdentity).
	trustRole *roleRef
	// noReason drops the "because ..." suffix: AWS words sts:AssumeRole denials without it.
	noReason bool
	// function marks a check on a Lambda function (or version or alias): its resource-based
	// policy and tags take part, read through Options.FunctionPolicy and FunctionTags.
	function bool
	// layerVersion marks lambda:GetLayerVersion on a layer version, which the version's
	// permissions can grant to another account (Options.LayerVersionPolicy).
	layerVersion bool
	// owner is the account of a Lambda resource of another account than the caller's, "" for
	// the caller's own: both accounts must then allow (decideCrossAccount).
	owner string
}

// roleRef is the role whose trust policy a check evaluates: its partition and account, and name.
type roleRef struct {
	arn.Scope
	name string
}

// env is what target resolution may read: the caller's account in the request's transaction.
type env struct {
	tx        *storage.Tx // nil on the fast path: a lookup then sets needTx instead
	account   string
	region    string
	partition string
	caller    reqctx.Caller
	self      *principalPolicies
	needTx    bool
}

// scope is where the request names its resources: the request's partition and region and the
// caller's account.
func (e *env) scope() arn.Scope {
	return arn.Scope{Partition: e.partition, Region: e.region, Account: e.account}
}

// store returns the transaction, or nil after noting that this resolution needs one.
func (e *env) store() *storage.Tx {
	if e.tx == nil {
		e.needTx = true
	}
	return e.tx
}

// entityARN returns the ARN of an existing user/group/role/instance profile (with its stored
// path) and its tags; a missing entity gets path "/" since AWS authorizes before it looks.
func (e *env) entityARN(kind, name string) (string, []storage.Tag) {
	path := "/"
	var tags []storage.Tag
	if kind == "user" && e.caller.Type == reqctx.User && !e.caller.Temporary && name == e.caller.UserName && e.self != nil {
		for k, v := range e.self.tags { // the caller acting on itself: known without a read
			tags = append(tags, storage.Tag{Key: k, Value: v})
		}
		return e.caller.ARN, tags
	}
	tx := e.store()
	if tx == nil {
		return entityARN(e.scope(), kind, path, name), nil
	}
	switch kind {
	case "user":
		if r, err := storage.Users(tx).Get(storage.Key(name)); err == nil {
			path, tags = r.Path, r.Tags
		}
	case "group":
		if r, err := storage.Groups(tx).Get(storage.Key(name)); err == nil {
			path = r.Path
		}
	case "role":
		if r, err := storage.Roles(tx).Get(storage.Key(name)); err == nil {
			path, tags = r.Path, r.Tags
		}
	}
	return entityARN(e.scope(), kind, path, name), tags
}

// entityARN is the ARN of a user, group or role.
func entityARN(in arn.Scope, kind, path, name string) string {
	switch kind {
	case "user":
		return in.User(path, name).String()
	case "group":
		return in.Group(path, name).String()
	}
	return in.Role(path, name).String()
}

func resourceTags(ctx *map[string][]string, tags []storage.Tag, iamToo bool) {
	for _, t := range tags {
		put(ctx, "aws:ResourceTag/"+t.Key, []string{t.Value})
		if iamToo {
			put(ctx, "iam:ResourceTag/"+t.Key, []string{t.Value})
		}
	}
}

// selfUser is the user an operation acts on when UserName is omitted: the calling IAM user.
func (e *env) selfUser() string {
	if e.caller.Type == reqctx.User {
		return e.caller.UserName
	}
	return ""
}

// listPrefixes are the IAM list actions AWS authorizes against the path prefix of the listed
// kind (a denied ListRoles names arn:aws:iam::ACCT:role/): the kind's builder with no name.
var listPrefixes = map[string]func(arn.Scope, string, string) arn.ARN{
	"ListUsers": arn.Scope.User, "ListGroups": arn.Scope.Group, "ListRoles": arn.Scope.Role, "ListPolicies": arn.Scope.Policy,
	"ListInstanceProfiles": arn.Scope.InstanceProfile, "ListServerCertificates": arn.Scope.ServerCertificate,
}

// iamChecks maps an IAM operation to its checks. IAM names an existing user, group or role in
// denials as "<kind> <name>" and a managed policy as "policy <arn>"; resources that do not exist
// yet (Create*) and list prefixes are named by ARN (see docs/authorization.md for the sources).
func iamChecks(op string, in any, e *env) []check {
	action, info := iamAction(op)
	c := check{action: action, resource: "*", text: "*"}
	tagContext(in, &c.ctx)
	if prefix, ok := listPrefixes[op]; ok {
		c.resource = prefix(e.scope(), normPath(members.PathPrefix(in)), "").String()
		c.text = c.resource
		return []check{c}
	}
	if !e.iamResource(op, info.resourceType(), in, &c) {
		return []check{c} // the root user acting on itself
	}
	if policyARN := members.PolicyArn(in); policyARN != "" && info.hasKey("iam:PolicyARN") {
		put(&c.ctx, "iam:PolicyARN", []string{policyARN})
	}
	if info.hasKey("iam:PermissionsBoundary") {
		if b := members.PermissionsBoundary(in); b != "" {
			put(&c.ctx, "iam:PermissionsBoundary", []string{b})
		} else if b := e.currentBoundary(info.resourceType(), in); b != "" {
			put(&c.ctx, "iam:PermissionsBoundary", []string{b})
		}
	}
	return append([]check{c}, e.renameTargets(op, action, in)...)
}

// iamResource sets the check's resource and denial text for the operation's resource type; false
// when the operation is the root user's acting on itself (no resource: the check stays on "*").
func (e *env) iamResource(op, resourceType string, in any, c *check) bool {
	creating := strings.HasPrefix(op, "Create") || strings.HasPrefix(op, "Upload")
	byARN := func(a string) { c.resource, c.text = a, a }
	switch resourceType {
	case "user":
		return e.userResource(op, in, c)
	case "group":
		name := members.GroupName(in)
		if creating {
			byARN(e.scope().Group(normPath(members.Path(in)), name).String())
		} else {
			c.resource, _ = e.entityARN("group", name)
			c.text = "group " + name
		}
	case "role":
		e.roleResource(op, in, c)
	case "policy":
		policyARN := members.PolicyArn(in)
		if op == "CreatePolicy" {
			policyARN = e.scope().Policy(normPath(members.Path(in)), members.PolicyName(in)).String()
			c.text = policyARN
		} else {
			c.text = "policy " + policyARN
			if tx := e.store(); tx != nil {
				if rec, ok := customerPolicy(tx, policyARN); ok {
					resourceTags(&c.ctx, rec.Tags, false)
				}
			}
		}
		c.resource = policyARN
	case "instance-profile":
		name := members.InstanceProfileName(in)
		byARN(e.scope().InstanceProfile(normPath(members.Path(in)), name).String())
		if !creating {
			c.text = "instance-profile " + name
		}
	case "mfa":
		if sn := members.SerialNumber(in); sn != "" {
			byARN(sn)
		} else {
			byARN(e.scope().MFA(normPath(members.Path(in)), members.VirtualMFADeviceName(in)).String())
		}
	case "oidc-provider":
		if provider := members.OpenIDConnectProviderArn(in); provider != "" {
			byARN(provider)
		} else {
			u := strings.TrimPrefix(strings.TrimPrefix(members.Url(in), "https://"), "http://")
			byARN(e.scope().OIDCProvider(u).String())
		}
	case "saml-provider":
		if provider := members.SAMLProviderArn(in); provider != "" {
			byARN(provider)
		} else {
			byARN(e.scope().SAMLProvider(members.Name(in)).String())
		}
	case "server-certificate":
		byARN(e.scope().ServerCertificate(normPath(members.Path(in)), members.ServerCertificateName(in)).String())
	case "access-report":
		byARN(e.scope().AccessReport(members.EntityPath(in)).String())
	case "delegation-request":
		byARN(e.scope().DelegationRequest(members.DelegationRequestId(in)).String())
	}
	return true
}

// userResource names the user an operation acts on: UserName, the owner of AccessKeyId for
// GetAccessKeyLastUsed, or the calling user; false for the root user acting on itself.
func (e *env) userResource(op string, in any, c *check) bool {
	name := members.UserName(in)
	if op == "GetAccessKeyLastUsed" {
		if tx := e.store(); tx != nil {
			if k, err := storage.AccessKeys(tx).Get(members.AccessKeyId(in)); err == nil && k.Account == e.account {
				name = k.UserName
			}
		}
	}
	if name == "" {
		name = e.selfUser()
	}
	if name == "" {
		return false
	}
	if op == "CreateUser" {
		c.resource = e.scope().User(normPath(members.Path(in)), name).String()
		c.text = c.resource
		return true
	}
	var tags []storage.Tag
	c.resource, tags = e.entityARN("user", name)
	c.text = "user " + name
	resourceTags(&c.ctx, tags, true)
	return true
}

func (e *env) roleResource(op string, in any, c *check) {
	name := members.RoleName(in)
	switch op {
	case "CreateRole":
		c.resource = e.scope().Role(normPath(members.Path(in)), name).String()
		c.text = c.resource
	case "CreateServiceLinkedRole":
		svc := members.AWSServiceName(in)
		c.resource = e.scope().Role("/aws-service-role/"+svc+"/", "").String()
		c.text = c.resource
		put(&c.ctx, "iam:AWSServiceName", []string{svc})
	default:
		var tags []storage.Tag
		c.resource, tags = e.entityARN("role", name)
		c.text = "role " + name
		resourceTags(&c.ctx, tags, true)
	}
}

// renameTargets are the checks on the new name of a rename or move ("UpdateUser": "the
// requester must have appropriate permissions on both the source object and the target object").
func (e *env) renameTargets(op, action string, in any) []check {
	switch {
	case op == "UpdateUser" && (members.NewUserName(in) != "" || members.NewPath(in) != ""):
		name := firstNonEmpty(members.NewUserName(in), members.UserName(in))
		path := members.NewPath(in)
		if tx := e.store(); path == "" && tx != nil {
			if r, err := storage.Users(tx).Get(storage.Key(members.UserName(in))); err == nil {
				path = r.Path
			}
		}
		return []check{{action: action, resource: e.scope().User(normPath(path), name).String(), text: "user " + name}}
	case op == "UpdateGroup" && (members.NewGroupName(in) != "" || members.NewPath(in) != ""):
		name := firstNonEmpty(members.NewGroupName(in), members.GroupName(in))
		return []check{{action: action, resource: e.scope().Group(normPath(members.NewPath(in)), name).String(), text: "group " + name}}
	}
	return nil
}

// customerPolicy is the account's managed policy a policy ARN names, if any.
func customerPolicy(tx *storage.Tx, policyARN string) (storage.PolicyRecord, bool) {
	a, err := arn.Parse(policyARN)
	if err != nil {
		return storage.PolicyRecord{}, false
	}
	_, _, name, _ := arn.SplitIAMResource(a.Resource)
	rec, err := storage.Policies(tx).Get(storage.Key(name))
	return rec, err == nil && rec.ARN == policyARN
}

// currentBoundary is the boundary set on the user or role an operation targets, which AWS puts
// in iam:PermissionsBoundary for the policy-changing operations.
func (e *env) currentBoundary(kind string, in any) string {
	tx := e.store()
	if tx == nil {
		return ""
	}
	switch kind {
	case "user":
		if r, err := storage.Users(tx).Get(storage.Key(firstNonEmpty(members.UserName(in), e.selfUser()))); err == nil {
			return r.Boundary
		}
	case "role":
		if r, err := storage.Roles(tx).Get(storage.Key(members.RoleName(in))); err == nil {
			return r.Boundary
		}
	}
	return ""
}

// normPath returns an IAM path in ARN form: "/" when empty, always with leading and trailing "/".
func normPath(p string) string {
	if p == "" {
		return "/"
	}
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
