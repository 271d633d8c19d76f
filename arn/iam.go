package arn

import "strings"

// IAM and STS resource names ("IAM identifiers", IAM User Guide; "Actions, resources, and
// condition keys for AWS Identity and Access Management" and "... for AWS Security Token
// Service"). IAM names carry no region. A path is "/" or "/a/b/" and sits between the
// resource type and the name ("user/division_abc/subdivision_xyz/Bob"); an empty path is "/".
// An empty name gives the path prefix the IAM list actions are authorized against
// ("arn:aws:iam::123456789012:role/").

// AWSAccount is the account field of AWS managed policies ("arn:aws:iam::aws:policy/...").
const AWSAccount = "aws"

func (s Scope) iam(resource string) ARN {
	return ARN{Partition: s.Partition, Service: "iam", Account: s.Account, Resource: resource}
}

func (s Scope) iamPath(kind, path, name string) ARN {
	if path == "" {
		path = "/"
	}
	return s.iam(kind + path + name)
}

// Root is the account's root user: arn:aws:iam::123456789012:root.
func (s Scope) Root() ARN { return s.iam("root") }

// User is an IAM user: arn:aws:iam::123456789012:user/path/name.
func (s Scope) User(path, name string) ARN { return s.iamPath("user", path, name) }

// Group is an IAM group: arn:aws:iam::123456789012:group/path/name.
func (s Scope) Group(path, name string) ARN { return s.iamPath("group", path, name) }

// Role is an IAM role: arn:aws:iam::123456789012:role/path/name.
func (s Scope) Role(path, name string) ARN { return s.iamPath("role", path, name) }

// Policy is a customer managed policy: arn:aws:iam::123456789012:policy/path/name.
func (s Scope) Policy(path, name string) ARN { return s.iamPath("policy", path, name) }

// InstanceProfile is arn:aws:iam::123456789012:instance-profile/path/name.
func (s Scope) InstanceProfile(path, name string) ARN {
	return s.iamPath("instance-profile", path, name)
}

// ServerCertificate is arn:aws:iam::123456789012:server-certificate/path/name.
func (s Scope) ServerCertificate(path, name string) ARN {
	return s.iamPath("server-certificate", path, name)
}

// MFA is a virtual MFA device, whose ARN is its serial number: arn:aws:iam::123456789012:mfa/path/name.
func (s Scope) MFA(path, name string) ARN { return s.iamPath("mfa", path, name) }

// OIDCProvider is arn:aws:iam::123456789012:oidc-provider/host/path (the URL without its scheme).
func (s Scope) OIDCProvider(url string) ARN { return s.iam("oidc-provider/" + url) }

// SAMLProvider is arn:aws:iam::123456789012:saml-provider/name.
func (s Scope) SAMLProvider(name string) ARN { return s.iam("saml-provider/" + name) }

// AccessReport is arn:aws:iam::123456789012:access-report/entity-path.
func (s Scope) AccessReport(entityPath string) ARN { return s.iam("access-report/" + entityPath) }

// DelegationRequest is arn:aws:iam::123456789012:delegation-request/id.
func (s Scope) DelegationRequest(id string) ARN { return s.iam("delegation-request/" + id) }

// AssumedRole is an STS role session: arn:aws:sts::123456789012:assumed-role/role/session (the
// role's name without its path).
func (s Scope) AssumedRole(role, session string) ARN {
	return ARN{Partition: s.Partition, Service: "sts", Account: s.Account, Resource: "assumed-role/" + role + "/" + session}
}

// FederatedUser is a GetFederationToken session: arn:aws:sts::123456789012:federated-user/name.
func (s Scope) FederatedUser(name string) ARN {
	return ARN{Partition: s.Partition, Service: "sts", Account: s.Account, Resource: "federated-user/" + name}
}

// AWSManagedPolicy is an AWS managed policy, which exists in every account of a partition:
// arn:aws:iam::aws:policy/path/name, arn:aws-cn:iam::aws:policy/... in China.
func AWSManagedPolicy(partition, path, name string) ARN {
	return Scope{Partition: partition, Account: AWSAccount}.Policy(path, name)
}

// InIAM reports an IAM ARN of scope's partition and account (with no region, as IAM names
// have none): the only ones that can name an entity of that account.
func (a ARN) InIAM(s Scope) bool {
	return a.Service == "iam" && a.Partition == s.Partition && a.Account == s.Account && a.Region == ""
}

// SplitIAMResource splits an IAM resource "kind/path/name" into its type, its path ("/" or
// "/a/b/") and its name (after the last slash; "" when the resource ends with one). ok is
// false when there is no slash at all ("root").
func SplitIAMResource(resource string) (kind, path, name string, ok bool) {
	kind, rest, ok := strings.Cut(resource, "/")
	if !ok {
		return "", "", "", false
	}
	i := strings.LastIndexByte(rest, '/')
	return kind, "/" + rest[:i+1], rest[i+1:], true
}

// RoleRef is a parsed role ARN: the role's partition and account, its path and its name.
type RoleRef struct {
	Scope
	Path string
	Name string
}

// ParseRole reads the ARN of an IAM role of partition (arn:aws:iam::123456789012:role/path/name),
// as STS reads a RoleArn and the authorizer the role whose trust policy it evaluates. ok is
// false for text that is not an ARN, one of another partition or service, one with a region,
// an account that is not 12 digits, or a resource that is not a named role.
func ParseRole(partition, text string) (RoleRef, bool) {
	a, err := Parse(text)
	if err != nil || a.Partition != partition || a.Service != "iam" || a.Region != "" || !IsAccountID(a.Account) {
		return RoleRef{}, false
	}
	kind, path, name, ok := SplitIAMResource(a.Resource)
	if !ok || kind != "role" || name == "" {
		return RoleRef{}, false
	}
	return RoleRef{Scope: Scope{Partition: a.Partition, Account: a.Account}, Path: path, Name: name}, true
}
