package authorize

import (
	"strings"

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

type roleRef struct{ account, name string }

// env is what target resolution may read: the caller's account in the request's transaction.
type env struct {
	tx      *storage.Tx // nil on the fast path: a lookup then sets needTx instead
	account string
	region  string
	caller  reqctx.Caller
	self    *principalPolicies
	needTx  bool
}

// store returns the transaction, or nil after noting that this resolution needs one.
func (e *env) store() *storage.Tx {
	if e.tx == nil {
		e.needTx = true
	}
	return e.tx
}

func (e *env) arn(kind, pathAndName string) string {
	return "arn:aws:iam::" + e.account + ":" + kind + pathAndName
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
		return e.arn(kind, path+name), nil
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
	return e.arn(kind, path+name), tags
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
// kind (a denied ListRoles names arn:aws:iam::ACCT:role/).
var listPrefixes = map[string]string{
	"ListUsers": "user", "ListGroups": "group", "ListRoles": "role", "ListPolicies": "policy",
	"ListInstanceProfiles": "instance-profile", "ListServerCertificates": "server-certificate",
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
	if kind, ok := listPrefixes[op]; ok {
		c.resource = e.arn(kind, normPath(in.str("PathPrefix")))
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
			c.resource = e.arn("user", normPath(in.str("Path"))+name)
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
			c.resource = e.arn("group", normPath(in.str("Path"))+name)
			c.text = c.resource
		} else {
			c.resource, _ = e.entityARN("group", name)
			c.text = "group " + name
		}
	case "role":
		name := in.str("RoleName")
		switch {
		case op == "CreateRole":
			c.resource = e.arn("role", normPath(in.str("Path"))+name)
			c.text = c.resource
		case op == "CreateServiceLinkedRole":
			svc := in.str("AWSServiceName")
			c.resource = e.arn("role", "/aws-service-role/"+svc+"/")
			c.text = c.resource
			put(&c.ctx, "iam:AWSServiceName", []string{svc})
		default:
			var tags []storage.Tag
			c.resource, tags = e.entityARN("role", name)
			c.text = "role " + name
			resourceTags(&c.ctx, tags, true)
		}
	case "policy":
		arn := in.str("PolicyArn")
		if op == "CreatePolicy" {
			arn = e.arn("policy", normPath(in.str("Path"))+in.str("PolicyName"))
			c.text = arn
		} else {
			c.text = "policy " + arn
			if tx := e.store(); tx != nil {
				if rec, err := storage.Policies(tx).Get(storage.Key(lastSegment(arn))); err == nil && rec.ARN == arn {
					resourceTags(&c.ctx, rec.Tags, false)
				}
			}
		}
		c.resource = arn
	case "instance-profile":
		name := in.str("InstanceProfileName")
		c.resource = e.arn("instance-profile", normPath(in.str("Path"))+name)
		c.text = c.resource
		if !creating {
			c.text = "instance-profile " + name
		}
	case "mfa":
		if sn := in.str("SerialNumber"); sn != "" {
			c.resource = sn
		} else {
			c.resource = e.arn("mfa", normPath(in.str("Path"))+in.str("VirtualMFADeviceName"))
		}
		c.text = c.resource
	case "oidc-provider":
		if arn := in.str("OpenIDConnectProviderArn"); arn != "" {
			c.resource = arn
		} else {
			u := in.str("Url")
			u = strings.TrimPrefix(strings.TrimPrefix(u, "https://"), "http://")
			c.resource = e.arn("oidc-provider", "/"+u)
		}
		c.text = c.resource
	case "saml-provider":
		if arn := in.str("SAMLProviderArn"); arn != "" {
			c.resource = arn
		} else {
			c.resource = e.arn("saml-provider", "/"+in.str("Name"))
		}
		c.text = c.resource
	case "server-certificate":
		c.resource = e.arn("server-certificate", normPath(in.str("Path"))+in.str("ServerCertificateName"))
		c.text = c.resource
	case "access-report":
		c.resource = e.arn("access-report", "/"+in.str("EntityPath"))
		c.text = c.resource
	case "delegation-request":
		c.resource = e.arn("delegation-request", "/"+in.str("DelegationRequestId"))
		c.text = c.resource
	}
	if arn := in.str("PolicyArn"); arn != "" && info.hasKey("iam:PolicyARN") {
		put(&c.ctx, "iam:PolicyARN", []string{arn})
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
		arn := e.arn("user", normPath(path)+name)
		checks = append(checks, check{action: action, resource: arn, text: "user " + name})
	}
	if op == "UpdateGroup" && (in.str("NewGroupName") != "" || in.str("NewPath") != "") {
		name := firstNonEmpty(in.str("NewGroupName"), in.str("GroupName"))
		arn := e.arn("group", normPath(in.str("NewPath"))+name)
		checks = append(checks, check{action: action, resource: arn, text: "group " + name})
	}
	return checks
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
