package initfile

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// Target is the server a file is applied to.
type Target struct {
	IAM    iamapi.Handler
	Lambda lambdaapi.Handler
	// Accounts are the server's accounts, its default first; each one's part of the file is
	// applied as its root user.
	Accounts []Root
	// Region is the default region of functions and layers; Partition that of every ARN.
	Region, Partition string
	Clock             func() time.Time
	// PutAccessKey stores an access key with the id and secret the file gives a user, and
	// reports whether it was new. No AWS API takes a chosen key id, so the server writes it,
	// with CreateAccessKey's checks, after the user exists.
	PutAccessKey func(ctx context.Context, account, user string, key AccessKey) (created bool, err error)
}

// Root is an account and its root user's access key id.
type Root struct{ Account, AccessKeyID string }

// Report is what applying a file did.
type Report struct {
	Created []string // one line per thing created: `user "alice" (account 123456789012)`
	Present int      // things the file names that existed already, left as they are
	LeftOut []string // what a state file holds that an init file does not apply
}

// applier applies one file; its methods stop at the first failure.
type applier struct {
	ctx     context.Context
	t       Target
	f       *File
	account string
	report  Report
}

// Apply applies f: per account, policies, groups, users, roles, instance profiles, OIDC
// providers, layers and functions, each created when missing. The first failure stops it;
// what was created before stays (a second start creates the rest).
func Apply(ctx context.Context, f *File, t Target) (Report, error) {
	if t.Clock == nil {
		t.Clock = time.Now
	}
	a := &applier{ctx: ctx, t: t, f: f}
	a.report.LeftOut = f.leftOut
	for _, id := range f.accounts() {
		acct := id
		if id == "" {
			acct = t.Accounts[0].Account
		} else if !a.configured(id) {
			return a.report, fmt.Errorf("account %s is in the file but not configured (-account ACCOUNT:KEY:SECRET)", id)
		}
		a.account = acct
		if err := a.applyAccount(f.account(id)); err != nil {
			return a.report, fmt.Errorf("account %s: %w", acct, err)
		}
	}
	return a.report, nil
}

func (a *applier) configured(id string) bool {
	for _, r := range a.t.Accounts {
		if r.Account == id {
			return true
		}
	}
	return false
}

func (a *applier) applyAccount(acct *Account) error {
	steps := []func(*Account) error{a.policies, a.groups, a.users, a.roles, a.instanceProfiles, a.oidcProviders,
		a.layers, a.functions}
	for _, step := range steps {
		if err := step(acct); err != nil {
			return err
		}
	}
	return nil
}

// ctxFor is a request context of the account's root in service and region, as the pipeline
// would hand a handler.
func (a *applier) ctxFor(service, region string) context.Context {
	key := ""
	for _, r := range a.t.Accounts {
		if r.Account == a.account {
			key = r.AccessKeyID
		}
	}
	root := reqctx.Caller{Type: reqctx.Account, Account: a.account, ARN: "arn:" + a.t.Partition + ":iam::" + a.account + ":root",
		UserID: a.account, AccessKeyID: key}
	return reqctx.With(a.ctx, &reqctx.Info{RequestID: "iamlocal-init", Service: service, Region: region,
		Partition: a.t.Partition, Now: a.t.Clock(), Caller: root})
}

func (a *applier) created(what string) {
	a.report.Created = append(a.report.Created, fmt.Sprintf("%s (account %s)", what, a.account))
}

// call runs one operation as the pipeline does after authorization: the model's constraints
// first (AWS's ValidationError text), then the handler.
func call[In, Out any](ctx context.Context, svc func() *model.Service, op string, h func(context.Context, *In) (*Out, error), in *In) (*Out, error) {
	if o := svc().Operations[op]; o != nil && o.Input != nil {
		if vs := protocol.Validate(o.Input, in); len(vs) > 0 {
			return nil, fmt.Errorf("%s: %w", op, awserr.Validation("%s", protocol.ValidationMessage(vs)))
		}
	}
	out, err := h(ctx, in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", op, err)
	}
	return out, nil
}

// missing reports the error of a Get that found nothing; another error is returned as is.
func missing(err error) (bool, error) {
	if err == nil {
		return false, nil
	}
	if e, ok := awserr.As(err); ok && (e.Code == "NoSuchEntity" || e.Code == "ResourceNotFoundException") {
		return true, nil
	}
	return false, err
}

// ensure creates a thing when get finds none: present counts it otherwise.
func (a *applier) ensure(what string, get func() error, create func() error) error {
	absent, err := missing(get())
	if err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	if !absent {
		a.report.Present++
		return nil
	}
	if err := create(); err != nil {
		return fmt.Errorf("%s: %w", what, err)
	}
	a.created(what)
	return nil
}

func (a *applier) iam() context.Context { return a.ctxFor("iam", a.t.Region) }

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func tags(m map[string]string) []iamapi.Tag {
	var out []iamapi.Tag
	for _, k := range sortedKeys(m) {
		out = append(out, iamapi.Tag{Key: protocol.Ptr(k), Value: protocol.Ptr(m[k])})
	}
	return out
}

// policyARN resolves a managed policy reference: an ARN as it is, else the name of a customer
// managed policy of the account (its path from the file when the file has it).
func (a *applier) policyARN(acct *Account, ref string) string {
	if strings.HasPrefix(ref, "arn:") {
		return ref
	}
	path := "/"
	for _, p := range acct.Policies {
		if p.Name == ref && p.Path != "" {
			path = p.Path
		}
	}
	return "arn:" + a.t.Partition + ":iam::" + a.account + ":policy" + path + ref
}

func (a *applier) policies(acct *Account) error {
	for _, p := range acct.Policies {
		arn := a.policyARN(acct, p.Name)
		err := a.ensure("policy "+quote(p.Name), func() error {
			_, err := call(a.iam(), iamapi.Model, "GetPolicy", a.t.IAM.GetPolicy, &iamapi.GetPolicyRequest{PolicyArn: &arn})
			return err
		}, func() error {
			_, err := call(a.iam(), iamapi.Model, "CreatePolicy", a.t.IAM.CreatePolicy, &iamapi.CreatePolicyRequest{
				PolicyName: ptr(p.Name), Path: ptr(p.Path), Description: ptr(p.Description), PolicyDocument: ptr(string(p.Document)), Tags: tags(p.Tags)})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (a *applier) groups(acct *Account) error {
	for _, g := range acct.Groups {
		what := "group " + quote(g.Name)
		err := a.ensure(what, func() error {
			_, err := call(a.iam(), iamapi.Model, "GetGroup", a.t.IAM.GetGroup, &iamapi.GetGroupRequest{GroupName: ptr(g.Name), MaxItems: protocol.Ptr[int32](1)})
			return err
		}, func() error {
			_, err := call(a.iam(), iamapi.Model, "CreateGroup", a.t.IAM.CreateGroup, &iamapi.CreateGroupRequest{GroupName: ptr(g.Name), Path: ptr(g.Path)})
			return err
		})
		if err != nil {
			return err
		}
		if err := a.attach(acct, entity{storageKind: "group", name: g.Name}, g.ManagedPolicies); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := a.inline(entity{storageKind: "group", name: g.Name}, g.InlinePolicies); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

func (a *applier) users(acct *Account) error {
	for _, u := range acct.Users {
		what := "user " + quote(u.Name)
		err := a.ensure(what, func() error {
			_, err := call(a.iam(), iamapi.Model, "GetUser", a.t.IAM.GetUser, &iamapi.GetUserRequest{UserName: ptr(u.Name)})
			return err
		}, func() error {
			_, err := call(a.iam(), iamapi.Model, "CreateUser", a.t.IAM.CreateUser, &iamapi.CreateUserRequest{UserName: ptr(u.Name),
				Path: ptr(u.Path), PermissionsBoundary: ptr(u.PermissionsBoundary), Tags: tags(u.Tags)})
			return err
		})
		if err != nil {
			return err
		}
		steps := []func() error{
			func() error { return a.memberships(u) },
			func() error { return a.attach(acct, entity{storageKind: "user", name: u.Name}, u.ManagedPolicies) },
			func() error { return a.inline(entity{storageKind: "user", name: u.Name}, u.InlinePolicies) },
			func() error { return a.accessKeys(u) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
	}
	return nil
}

func (a *applier) memberships(u User) error {
	in := map[string]bool{}
	var marker *string
	for {
		out, err := call(a.iam(), iamapi.Model, "ListGroupsForUser", a.t.IAM.ListGroupsForUser,
			&iamapi.ListGroupsForUserRequest{UserName: ptr(u.Name), Marker: marker})
		if err != nil {
			return err
		}
		for _, g := range out.Groups {
			in[strings.ToLower(protocol.Val(g.GroupName))] = true
		}
		if !protocol.Val(out.IsTruncated) {
			break
		}
		marker = out.Marker
	}
	for _, g := range u.Groups {
		if in[strings.ToLower(g)] {
			a.report.Present++
			continue
		}
		if _, err := call(a.iam(), iamapi.Model, "AddUserToGroup", a.t.IAM.AddUserToGroup,
			&iamapi.AddUserToGroupRequest{UserName: ptr(u.Name), GroupName: ptr(g)}); err != nil {
			return err
		}
		a.created(fmt.Sprintf("membership of user %s in group %s", quote(u.Name), quote(g)))
	}
	return nil
}

func (a *applier) accessKeys(u User) error {
	for _, k := range u.AccessKeys {
		if a.t.PutAccessKey == nil {
			return errors.New("access keys with given ids cannot be applied to this server")
		}
		isNew, err := a.t.PutAccessKey(a.iam(), a.account, u.Name, k)
		if err != nil {
			return fmt.Errorf("access key %s: %w", k.ID, err)
		}
		if !isNew {
			a.report.Present++
			continue
		}
		a.created(fmt.Sprintf("access key %s of user %s", k.ID, quote(u.Name)))
	}
	return nil
}

func (a *applier) roles(acct *Account) error {
	for _, r := range acct.Roles {
		what := "role " + quote(r.Name)
		err := a.ensure(what, func() error {
			_, err := call(a.iam(), iamapi.Model, "GetRole", a.t.IAM.GetRole, &iamapi.GetRoleRequest{RoleName: ptr(r.Name)})
			return err
		}, func() error {
			in := &iamapi.CreateRoleRequest{RoleName: ptr(r.Name), Path: ptr(r.Path), Description: ptr(r.Description),
				AssumeRolePolicyDocument: ptr(string(r.TrustPolicy)), PermissionsBoundary: ptr(r.PermissionsBoundary), Tags: tags(r.Tags)}
			if r.MaxSessionDuration != 0 {
				in.MaxSessionDuration = protocol.Ptr(r.MaxSessionDuration)
			}
			_, err := call(a.iam(), iamapi.Model, "CreateRole", a.t.IAM.CreateRole, in)
			return err
		})
		if err != nil {
			return err
		}
		if err := a.attach(acct, entity{storageKind: "role", name: r.Name}, r.ManagedPolicies); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		if err := a.inline(entity{storageKind: "role", name: r.Name}, r.InlinePolicies); err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
	}
	return nil
}

func (a *applier) instanceProfiles(acct *Account) error {
	for _, p := range acct.InstanceProfiles {
		what := "instance profile " + quote(p.Name)
		var has []iamapi.Role
		err := a.ensure(what, func() error {
			out, err := call(a.iam(), iamapi.Model, "GetInstanceProfile", a.t.IAM.GetInstanceProfile,
				&iamapi.GetInstanceProfileRequest{InstanceProfileName: ptr(p.Name)})
			if err == nil && out.InstanceProfile != nil {
				has = out.InstanceProfile.Roles
			}
			return err
		}, func() error {
			_, err := call(a.iam(), iamapi.Model, "CreateInstanceProfile", a.t.IAM.CreateInstanceProfile,
				&iamapi.CreateInstanceProfileRequest{InstanceProfileName: ptr(p.Name), Path: ptr(p.Path)})
			return err
		})
		if err != nil {
			return err
		}
		for _, role := range p.Roles {
			if hasRole(has, role) {
				a.report.Present++
				continue
			}
			if _, err := call(a.iam(), iamapi.Model, "AddRoleToInstanceProfile", a.t.IAM.AddRoleToInstanceProfile,
				&iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: ptr(p.Name), RoleName: ptr(role)}); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
			a.created(fmt.Sprintf("role %s in instance profile %s", quote(role), quote(p.Name)))
		}
	}
	return nil
}

func hasRole(roles []iamapi.Role, name string) bool {
	for _, r := range roles {
		if strings.EqualFold(protocol.Val(r.RoleName), name) {
			return true
		}
	}
	return false
}

func (a *applier) oidcProviders(acct *Account) error {
	for _, p := range acct.OIDCProviders {
		host := strings.TrimPrefix(strings.TrimPrefix(p.URL, "https://"), "http://")
		arn := "arn:" + a.t.Partition + ":iam::" + a.account + ":oidc-provider/" + host
		err := a.ensure("OIDC provider "+quote(p.URL), func() error {
			_, err := call(a.iam(), iamapi.Model, "GetOpenIDConnectProvider", a.t.IAM.GetOpenIDConnectProvider,
				&iamapi.GetOpenIDConnectProviderRequest{OpenIDConnectProviderArn: &arn})
			return err
		}, func() error {
			_, err := call(a.iam(), iamapi.Model, "CreateOpenIDConnectProvider", a.t.IAM.CreateOpenIDConnectProvider,
				&iamapi.CreateOpenIDConnectProviderRequest{Url: ptr(p.URL), ClientIDList: p.ClientIDs, ThumbprintList: p.Thumbprints})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}
