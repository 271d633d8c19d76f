package iam

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/protocol"
)

// listFn is one List* call reduced to what paging is about: the page's items and its paging
// members.
type listFn func(marker *string, maxItems *int32) (items []string, truncated *bool, next *string, err error)

// walkPages follows a listing page by page with MaxItems max and returns every item, checking
// that every page but the last is full and carries a marker, and the last none.
func walkPages(t *testing.T, max int32, list listFn) []string {
	t.Helper()
	var all []string
	var marker *string
	for range 100 {
		items, truncated, next, err := list(marker, &max)
		if err != nil {
			t.Fatalf("MaxItems %d: %v", max, err)
		}
		all = append(all, items...)
		if !protocol.Val(truncated) {
			if next != nil {
				t.Fatalf("MaxItems %d: a marker on the last page", max)
			}
			return all
		}
		if len(items) != int(max) || next == nil {
			t.Fatalf("MaxItems %d: truncated page of %d items, marker %v", max, len(items), next)
		}
		marker = next
	}
	t.Fatal("more than 100 pages")
	return nil
}

// newListEnv is an account with entities on several paths, policies attached and used as
// boundaries, and the children each list reads.
func newListEnv(t *testing.T) *idEnv {
	t.Helper()
	e := newIDEnv(t)
	ctx := e.root
	must := func(_ any, err error) { t.Helper(); idOK(t, err) }
	for _, u := range []struct{ name, path string }{{"ann", "/"}, {"Bob", "/eng/"}, {"carl", "/eng/"}, {"dora", "/ops/"}, {"eve", "/eng/sub/"}} {
		must(e.s.CreateUser(ctx, &iamapi.CreateUserRequest{UserName: idp(u.name), Path: idp(u.path)}))
	}
	for _, g := range []struct{ name, path string }{{"admins", "/"}, {"Devs", "/eng/"}, {"ops", "/ops/"}} {
		must(e.s.CreateGroup(ctx, &iamapi.CreateGroupRequest{GroupName: idp(g.name), Path: idp(g.path)}))
	}
	for _, m := range [][2]string{{"Bob", "admins"}, {"Bob", "devs"}, {"Bob", "ops"}, {"ann", "devs"}, {"carl", "devs"}, {"eve", "devs"}} {
		must(e.s.AddUserToGroup(ctx, &iamapi.AddUserToGroupRequest{UserName: idp(m[0]), GroupName: idp(m[1])}))
	}
	for _, r := range []struct{ name, path string }{{"app", "/svc/"}, {"Batch", "/svc/"}, {"cron", "/"}} {
		must(e.s.CreateRole(ctx, &iamapi.CreateRoleRequest{RoleName: idp(r.name), Path: idp(r.path), AssumeRolePolicyDocument: idp(rpTrust)}))
	}
	arns := map[string]string{}
	for _, p := range []struct{ name, path string }{{"alpha", "/"}, {"Beta", "/team/"}, {"gamma", "/team/"}, {"delta", "/x/"}, {"Zeta", "/"}} {
		out, err := e.s.CreatePolicy(ctx, &iamapi.CreatePolicyRequest{PolicyName: idp(p.name), Path: idp(p.path), PolicyDocument: idp(rpDoc)})
		idOK(t, err)
		arns[p.name] = *out.Policy.Arn
	}
	readOnly, viewOnly := awsmanaged.Prefix("aws")+"/ReadOnlyAccess", awsmanaged.Prefix("aws")+"/job-function/ViewOnlyAccess"
	must(e.s.AttachUserPolicy(ctx, &iamapi.AttachUserPolicyRequest{UserName: idp("ann"), PolicyArn: idp(arns["alpha"])}))
	must(e.s.AttachGroupPolicy(ctx, &iamapi.AttachGroupPolicyRequest{GroupName: idp("devs"), PolicyArn: idp(arns["alpha"])}))
	must(e.s.AttachRolePolicy(ctx, &iamapi.AttachRolePolicyRequest{RoleName: idp("app"), PolicyArn: idp(arns["alpha"])}))
	must(e.s.AttachUserPolicy(ctx, &iamapi.AttachUserPolicyRequest{UserName: idp("Bob"), PolicyArn: idp(arns["gamma"])}))
	must(e.s.AttachUserPolicy(ctx, &iamapi.AttachUserPolicyRequest{UserName: idp("carl"), PolicyArn: idp(readOnly)}))
	must(e.s.AttachGroupPolicy(ctx, &iamapi.AttachGroupPolicyRequest{GroupName: idp("ops"), PolicyArn: idp(readOnly)}))
	must(e.s.AttachRolePolicy(ctx, &iamapi.AttachRolePolicyRequest{RoleName: idp("app"), PolicyArn: idp(viewOnly)}))
	must(e.s.PutUserPermissionsBoundary(ctx, &iamapi.PutUserPermissionsBoundaryRequest{UserName: idp("bob"), PermissionsBoundary: idp(arns["alpha"])}))
	must(e.s.PutRolePermissionsBoundary(ctx, &iamapi.PutRolePermissionsBoundaryRequest{RoleName: idp("cron"), PermissionsBoundary: idp(arns["alpha"])}))
	must(e.s.PutUserPermissionsBoundary(ctx, &iamapi.PutUserPermissionsBoundaryRequest{UserName: idp("ann"), PermissionsBoundary: idp(arns["alpha"])}))
	must(e.s.PutRolePermissionsBoundary(ctx, &iamapi.PutRolePermissionsBoundaryRequest{RoleName: idp("batch"), PermissionsBoundary: idp(viewOnly)}))
	for _, p := range []string{"p3", "P2", "p1"} {
		must(e.s.PutUserPolicy(ctx, &iamapi.PutUserPolicyRequest{UserName: idp("ann"), PolicyName: idp(p), PolicyDocument: idp(rpDoc)}))
	}
	for _, ip := range []struct{ name, path, role string }{{"ip3", "/svc/", "app"}, {"ip1", "/", "app"}, {"ip2", "/svc/", ""}, {"ip4", "/", "cron"}} {
		must(e.s.CreateInstanceProfile(ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: idp(ip.name), Path: idp(ip.path)}))
		if ip.role != "" {
			must(e.s.AddRoleToInstanceProfile(ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: idp(ip.name), RoleName: idp(ip.role)}))
		}
	}
	e.enabledMFA("Bob", "tablet")
	e.enabledMFA("Bob", "phone")
	e.enabledMFA("carl", "key")
	e.newMFA("spare")
	return e
}

func userNames(us []iamapi.User) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, *u.UserName)
	}
	return out
}

func groupNames(gs []iamapi.Group) []string {
	out := make([]string, 0, len(gs))
	for _, g := range gs {
		out = append(out, *g.GroupName)
	}
	return out
}

// Every List operation that reads its page from storage answers the same listing whatever the
// page size, in AWS's order, with its filters applied before paging.
func TestListPagesSeekFromTheMarker(t *testing.T) {
	t.Parallel()
	e := newListEnv(t)
	ctx := e.root
	policies := func(in iamapi.ListPoliciesRequest) listFn {
		return func(m *string, n *int32) ([]string, *bool, *string, error) {
			in.Marker, in.MaxItems = m, n
			out, err := e.s.ListPolicies(ctx, &in)
			if err != nil {
				return nil, nil, nil, err
			}
			var names []string
			for _, p := range out.Policies {
				names = append(names, strings.TrimPrefix(strings.TrimPrefix(*p.Arn, "arn:aws:iam::"+idAcct+":policy"), awsmanaged.Prefix("aws"))+
					"="+strings.Repeat("a", int(*p.AttachmentCount))+strings.Repeat("b", int(*p.PermissionsBoundaryUsageCount)))
			}
			return names, out.IsTruncated, out.Marker, nil
		}
	}
	entities := func(in iamapi.ListEntitiesForPolicyRequest) listFn {
		in.PolicyArn = idp("arn:aws:iam::" + idAcct + ":policy/alpha")
		return func(m *string, n *int32) ([]string, *bool, *string, error) {
			in.Marker, in.MaxItems = m, n
			out, err := e.s.ListEntitiesForPolicy(ctx, &in)
			if err != nil {
				return nil, nil, nil, err
			}
			var names []string
			for _, g := range out.PolicyGroups {
				names = append(names, "g:"+*g.GroupName)
			}
			for _, r := range out.PolicyRoles {
				names = append(names, "r:"+*r.RoleName)
			}
			for _, u := range out.PolicyUsers {
				names = append(names, "u:"+*u.UserName)
			}
			return names, out.IsTruncated, out.Marker, nil
		}
	}
	var jobFunction []string
	for _, p := range awsmanaged.List("/job-function/") {
		jobFunction = append(jobFunction, strings.TrimPrefix(p.ARN("aws"), awsmanaged.Prefix("aws"))+map[bool]string{true: "=ab", false: "="}[p.Name == "ViewOnlyAccess"])
	}
	tests := []struct {
		name string
		list listFn
		want []string
	}{
		{"ListUsers", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListUsers(ctx, &iamapi.ListUsersRequest{Marker: m, MaxItems: n})
			return userNames(out.Users), out.IsTruncated, out.Marker, err
		}, []string{"ann", "Bob", "carl", "dora", "eve"}},
		{"ListUsers PathPrefix", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListUsers(ctx, &iamapi.ListUsersRequest{PathPrefix: idp("/eng/"), Marker: m, MaxItems: n})
			return userNames(out.Users), out.IsTruncated, out.Marker, err
		}, []string{"Bob", "carl", "eve"}},
		{"ListGroups PathPrefix", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListGroups(ctx, &iamapi.ListGroupsRequest{PathPrefix: idp("/"), Marker: m, MaxItems: n})
			return groupNames(out.Groups), out.IsTruncated, out.Marker, err
		}, []string{"admins", "Devs", "ops"}},
		{"ListRoles PathPrefix", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListRoles(ctx, &iamapi.ListRolesRequest{PathPrefix: idp("/svc/"), Marker: m, MaxItems: n})
			var names []string
			for _, r := range out.Roles {
				names = append(names, *r.RoleName)
			}
			return names, out.IsTruncated, out.Marker, err
		}, []string{"app", "Batch"}},
		{"GetGroup members", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.GetGroup(ctx, &iamapi.GetGroupRequest{GroupName: idp("devs"), Marker: m, MaxItems: n})
			return userNames(out.Users), out.IsTruncated, out.Marker, err
		}, []string{"ann", "Bob", "carl", "eve"}},
		{"ListGroupsForUser", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListGroupsForUser(ctx, &iamapi.ListGroupsForUserRequest{UserName: idp("bob"), Marker: m, MaxItems: n})
			return groupNames(out.Groups), out.IsTruncated, out.Marker, err
		}, []string{"admins", "Devs", "ops"}},
		{"ListUserPolicies", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListUserPolicies(ctx, &iamapi.ListUserPoliciesRequest{UserName: idp("ann"), Marker: m, MaxItems: n})
			return out.PolicyNames, out.IsTruncated, out.Marker, err
		}, []string{"P2", "p1", "p3"}},
		{"ListInstanceProfiles", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListInstanceProfiles(ctx, &iamapi.ListInstanceProfilesRequest{PathPrefix: idp("/svc/"), Marker: m, MaxItems: n})
			var names []string
			for _, p := range out.InstanceProfiles {
				names = append(names, *p.InstanceProfileName)
			}
			return names, out.IsTruncated, out.Marker, err
		}, []string{"ip2", "ip3"}},
		{"ListInstanceProfilesForRole", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListInstanceProfilesForRole(ctx, &iamapi.ListInstanceProfilesForRoleRequest{RoleName: idp("APP"), Marker: m, MaxItems: n})
			var names []string
			for _, p := range out.InstanceProfiles {
				names = append(names, *p.InstanceProfileName+"/"+*p.Roles[0].RoleName)
			}
			return names, out.IsTruncated, out.Marker, err
		}, []string{"ip1/app", "ip3/app"}},
		{"ListMFADevices", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListMFADevices(ctx, &iamapi.ListMFADevicesRequest{UserName: idp("bob"), Marker: m, MaxItems: n})
			var names []string
			for _, d := range out.MFADevices {
				names = append(names, strings.TrimPrefix(*d.SerialNumber, "arn:aws:iam::"+idAcct+":mfa/")+"/"+*d.UserName)
			}
			return names, out.IsTruncated, out.Marker, err
		}, []string{"phone/Bob", "tablet/Bob"}},
		{"ListVirtualMFADevices Assigned", func(m *string, n *int32) ([]string, *bool, *string, error) {
			out, err := e.s.ListVirtualMFADevices(ctx, &iamapi.ListVirtualMFADevicesRequest{AssignmentStatus: idp("Assigned"), Marker: m, MaxItems: n})
			var names []string
			for _, d := range out.VirtualMFADevices {
				names = append(names, strings.TrimPrefix(*d.SerialNumber, "arn:aws:iam::"+idAcct+":mfa/")+"/"+*d.User.UserName)
			}
			return names, out.IsTruncated, out.Marker, err
		}, []string{"key/carl", "phone/Bob", "tablet/Bob"}},
		{"ListPolicies Local", policies(iamapi.ListPoliciesRequest{Scope: idp("Local")}),
			[]string{"/Zeta=", "/alpha=aaabbb", "/team/Beta=", "/team/gamma=a", "/x/delta="}},
		{"ListPolicies Local PathPrefix", policies(iamapi.ListPoliciesRequest{Scope: idp("Local"), PathPrefix: idp("/team/")}),
			[]string{"/team/Beta=", "/team/gamma=a"}},
		{"ListPolicies OnlyAttached across both scopes", policies(iamapi.ListPoliciesRequest{OnlyAttached: protocol.Ptr(true)}),
			[]string{"/alpha=aaabbb", "/team/gamma=a", "/ReadOnlyAccess=aa", "/job-function/ViewOnlyAccess=ab"}},
		{"ListPolicies OnlyAttached PermissionsPolicy PathPrefix", policies(iamapi.ListPoliciesRequest{OnlyAttached: protocol.Ptr(true),
			PolicyUsageFilter: idp("PermissionsPolicy"), PathPrefix: idp("/job")}), []string{"/job-function/ViewOnlyAccess=ab"}},
		{"ListPolicies PermissionsBoundary", policies(iamapi.ListPoliciesRequest{PolicyUsageFilter: idp("PermissionsBoundary")}),
			[]string{"/alpha=aaabbb", "/job-function/ViewOnlyAccess=ab"}},
		{"ListPolicies AWS PathPrefix", policies(iamapi.ListPoliciesRequest{Scope: idp("AWS"), PathPrefix: idp("/job-function/")}), jobFunction},
		{"ListEntitiesForPolicy", entities(iamapi.ListEntitiesForPolicyRequest{}),
			[]string{"g:Devs", "r:app", "r:cron", "u:ann", "u:Bob"}},
		{"ListEntitiesForPolicy PermissionsPolicy", entities(iamapi.ListEntitiesForPolicyRequest{PolicyUsageFilter: idp("PermissionsPolicy")}),
			[]string{"g:Devs", "r:app", "u:ann"}},
		{"ListEntitiesForPolicy PermissionsBoundary", entities(iamapi.ListEntitiesForPolicyRequest{PolicyUsageFilter: idp("PermissionsBoundary")}),
			[]string{"r:cron", "u:ann", "u:Bob"}},
		{"ListEntitiesForPolicy EntityFilter User PathPrefix", entities(iamapi.ListEntitiesForPolicyRequest{EntityFilter: idp("User"), PathPrefix: idp("/eng/")}),
			[]string{"u:Bob"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			for _, max := range []int32{1, 2, 3, 1000} {
				if got := walkPages(t, max, tc.list); strings.Join(got, ",") != strings.Join(tc.want, ",") {
					t.Errorf("MaxItems %d: %q, want %q", max, got, tc.want)
				}
			}
		})
	}
}
