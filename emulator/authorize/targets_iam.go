package authorize

import (
	"strings"

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
func iamChecks(op string, in input, e *env) []check {
	action := "iam:" + op
	info := lookupAction(action)
	c := check{action: action, resource: "*", text: "*"}
	tagContext(in, &c.ctx)
	creating := strings.HasPrefix(op, "Create") || strings.HasPrefix(op, "Upload")
	if prefix, ok := listPrefixes[op]; ok {
		c.resource = prefix(e.scope(), normPath(in.str("PathPrefix")), "").String()
		c.text = c.resource
		return []check{c}
	}
	switch info.resourceType() {
	case "user":
		name := in.str("UserName")
		if op == "GetAccessKeyLastUsed" {
			if tx := e.store(); tx != nil {
				if k, err := storage.AccessKeys(tx).Get(in.str("AccessKeyId")); err == nil && k.Account == e.account {
					name = k.UserName
				}
			}
		}
		if name == "" {
			name = e.selfUser()
		}
		if name == "" { // the root user acting on itself
			return []check{c}
		}
		if op == "CreateUser" {
			c.resource = e.scope().User(normPath(in.str("Path")), name).String()
			c.text = c.resource
		} else {
			var tags []storage.Tag
			c.resource, tags = e.entityARN("user", name)
			c.text = "user " + name
			resourceTags(&c.ctx, tags, true)
		}
	case "group":
		name := in.str("GroupName")
		if creating {
			c.resource = e.scope().Group(normPath(in.str("Path")), name).String()
			c.text = c.resource
		} else {
			c.resource, _ = e.entityARN("group", name)
			c.text = "group " + name
		}
	case "role":
		name := in.str("RoleName")
		switch {
		case op == "CreateRole":
			c.resource = e.scope().Role(normPath(in.str("Path")), name).String()
			c.text = c.resource
		case op == "CreateServiceLinkedRole":
			svc := in.str("AWSServiceName")
			c.resource = e.scope().Role("/aws-service-role/"+svc+"/", "").String()
			c.text = c.resource
			put(&c.ctx, "iam:AWSServiceName", []string{svc})
		default:
			var tags []storage.Tag
			c.resource, tags = e.entityARN("role", name)
			c.text = "role " + name
			resourceTags(&c.ctx, tags, true)
		}
	case "policy":
		policyARN := in.str("PolicyArn")
		if op == "CreatePolicy" {
			policyARN = e.scope().Policy(normPath(in.str("Path")), in.str("PolicyName")).String()
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
		name := in.str("InstanceProfileName")
		c.resource = e.scope().InstanceProfile(normPath(in.str("Path")), name).String()
		c.text = c.resource
		if !creating {
			c.text = "instance-profile " + name
		}
	case "mfa":
		if sn := in.str("SerialNumber"); sn != "" {
			c.resource = sn
		} else {
			c.resource = e.scope().MFA(normPath(in.str("Path")), in.str("VirtualMFADeviceName")).String()
		}
		c.text = c.resource
	case "oidc-provider":
		if provider := in.str("OpenIDConnectProviderArn"); provider != "" {
			c.resource = provider
		} else {
			u := in.str("Url")
			u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
			c.resource = e.scope().OIDCProvider(u).String()
		}
		c.text = c.resource
	case "saml-provider":
		if provider := in.str("SAMLProviderArn"); provider != "" {
			c.resource = provider
		} else {
			c.resource = e.scope().SAMLProvider(in.str("Name")).String()
		}
		c.text = c.resource
	case "server-certificate":
		c.resource = e.scope().ServerCertificate(normPath(in.str("Path")), in.str("ServerCertificateName")).String()
		c.text = c.resource
	case "access-report":
		c.resource = e.scope().AccessReport(in.str("EntityPath")).String()
		c.text = c.resource
	case "delegation-request":
		c.resource = e.scope().DelegationRequest(in.str("DelegationRequestId")).String()
		c.text = c.resource
	}
	if policyARN := in.str("PolicyArn"); policyARN != "" && info.hasKey("iam:PolicyARN") {
		put(&c.ctx, "iam:PolicyARN", []string{policyARN})
	}
	if info.hasKey("iam:PermissionsBoundary") {
		if b := in.str("PermissionsBoundary"); b != "" {
			put(&c.ctx, "iam:PermissionsBoundary", []string{b})
		} else if b := e.currentBoundary(info.resourceType(), in); b != "" {
			put(&c.ctx, "iam:PermissionsBoundary", []string{b})
		}
	}
	checks := []check{c}
	// Renaming or moving needs permission on the new name too ("UpdateUser": "the requester
	// must have appropriate permissions on both the source object and the target object").
	if op == "UpdateUser" && (in.str("NewUserName") != "" || in.str("NewPath") != "") {
		name := firstNonEmpty(in.str("NewUserName"), in.str("UserName"))
		path := in.str("NewPath")
		if tx := e.store(); path == "" && tx != nil {
			if r, err := storage.Users(tx).Get(storage.Key(in.str("UserName"))); err == nil {
				path = r.Path
			}
		}
		target := e.scope().User(normPath(path), name).String()
		checks = append(checks, check{action: action, resource: target, text: "user " + name})
	}
	if op == "UpdateGroup" && (in.str("NewGroupName") != "" || in.str("NewPath") != "") {
		name := firstNonEmpty(in.str("NewGroupName"), in.str("GroupName"))
		target := e.scope().Group(normPath(in.str("NewPath")), name).String()
		checks = append(checks, check{action: action, resource: target, text: "group " + name})
	}
	return checks
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
func (e *env) currentBoundary(kind string, in input) string {
	tx := e.store()
	if tx == nil {
		return ""
	}
	switch kind {
	case "user":
		if r, err := storage.Users(tx).Get(storage.Key(firstNonEmpty(in.str("UserName"), e.selfUser()))); err == nil {
			return r.Boundary
		}
	case "role":
		if r, err := storage.Roles(tx).Get(storage.Key(in.str("RoleName"))); err == nil {
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
