package iam

import (
	"fmt"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

// attachOps drives Attach/Detach/ListAttached for one kind of entity.
type attachOps struct {
	kind   string
	create func(e *rpEnv, name string)
	attach func(e *rpEnv, name, arn string) error
	detach func(e *rpEnv, name, arn string) error
	list   func(e *rpEnv, name string, prefix *string) ([]iamapi.AttachedPolicy, error)
	quota  string
	absent string
}

var attachKinds = []attachOps{
	{
		kind: "user", create: func(e *rpEnv, n string) { e.user(n) }, quota: "PoliciesPerUser",
		absent: "The user with name ghost cannot be found.",
		attach: func(e *rpEnv, n, a string) error {
			_, err := e.s.AttachUserPolicy(e.ctx, &iamapi.AttachUserPolicyRequest{UserName: &n, PolicyArn: &a})
			return err
		},
		detach: func(e *rpEnv, n, a string) error {
			_, err := e.s.DetachUserPolicy(e.ctx, &iamapi.DetachUserPolicyRequest{UserName: &n, PolicyArn: &a})
			return err
		},
		list: func(e *rpEnv, n string, p *string) ([]iamapi.AttachedPolicy, error) {
			out, err := e.s.ListAttachedUserPolicies(e.ctx, &iamapi.ListAttachedUserPoliciesRequest{UserName: &n, PathPrefix: p})
			if err != nil {
				return nil, err
			}
			return out.AttachedPolicies, nil
		},
	},
	{
		kind: "group", create: func(e *rpEnv, n string) { e.group(n) }, quota: "PoliciesPerGroup",
		absent: "The group with name ghost cannot be found.",
		attach: func(e *rpEnv, n, a string) error {
			_, err := e.s.AttachGroupPolicy(e.ctx, &iamapi.AttachGroupPolicyRequest{GroupName: &n, PolicyArn: &a})
			return err
		},
		detach: func(e *rpEnv, n, a string) error {
			_, err := e.s.DetachGroupPolicy(e.ctx, &iamapi.DetachGroupPolicyRequest{GroupName: &n, PolicyArn: &a})
			return err
		},
		list: func(e *rpEnv, n string, p *string) ([]iamapi.AttachedPolicy, error) {
			out, err := e.s.ListAttachedGroupPolicies(e.ctx, &iamapi.ListAttachedGroupPoliciesRequest{GroupName: &n, PathPrefix: p})
			if err != nil {
				return nil, err
			}
			return out.AttachedPolicies, nil
		},
	},
	{
		kind: "role", create: func(e *rpEnv, n string) { e.role(n) }, quota: "PoliciesPerRole",
		absent: "The role with name ghost cannot be found.",
		attach: func(e *rpEnv, n, a string) error {
			_, err := e.s.AttachRolePolicy(e.ctx, &iamapi.AttachRolePolicyRequest{RoleName: &n, PolicyArn: &a})
			return err
		},
		detach: func(e *rpEnv, n, a string) error {
			_, err := e.s.DetachRolePolicy(e.ctx, &iamapi.DetachRolePolicyRequest{RoleName: &n, PolicyArn: &a})
			return err
		},
		list: func(e *rpEnv, n string, p *string) ([]iamapi.AttachedPolicy, error) {
			out, err := e.s.ListAttachedRolePolicies(e.ctx, &iamapi.ListAttachedRolePoliciesRequest{RoleName: &n, PathPrefix: p})
			if err != nil {
				return nil, err
			}
			return out.AttachedPolicies, nil
		},
	},
}

func TestAttachDetach(t *testing.T) {
	t.Parallel()
	for _, k := range attachKinds {
		t.Run(k.kind, func(t *testing.T) {
			t.Parallel()
			e := newRPEnv(t)
			k.create(e, "x")
			const emr = "arn:aws:iam::aws:policy/service-role/AmazonElasticMapReduceRole"
			const ct = "arn:aws:iam::aws:policy/service-role/AWSControlTowerServiceRolePolicy"
			rpOK(t, k.attach(e, "x", ct))
			rpOK(t, k.attach(e, "x", emr))
			rpOK(t, k.attach(e, "X", emr)) // again, and by another case: no change
			got, err := k.list(e, "x", nil)
			rpOK(t, err)
			if len(got) != 2 || *got[0].PolicyArn != emr || *got[1].PolicyArn != ct {
				t.Fatalf("attached = %+v, want EMR then ControlTower (name order without case)", got)
			}
			got, _ = k.list(e, "x", protocol.Ptr("/job-function/"))
			if got == nil || len(got) != 0 {
				t.Fatalf("attached under /job-function/ = %+v", got)
			}
			rpOK(t, k.detach(e, "x", emr))
			rpWant(t, k.detach(e, "x", emr), "NoSuchEntity", "Policy "+emr+" was not found.")
			rpWant(t, k.detach(e, "x", "arn:aws:iam::aws:policy/Nonexistent"), "NoSuchEntity", "Policy arn:aws:iam::aws:policy/Nonexistent was not found.")
			rpWant(t, k.attach(e, "x", "arn:aws:iam::123456789012:policy/nonexistent-policy"), "NoSuchEntity",
				"Policy arn:aws:iam::123456789012:policy/nonexistent-policy does not exist or is not attachable.")
			// AWS's answer since 2025 (checkPolicyARN); it used to be "ARN <x> is not valid.".
			rpWant(t, k.attach(e, "x", "longpolicynamebutnoarn"), "ValidationError", "Invalid ARN:  Could not be parsed!")
			rpWant(t, k.attach(e, "ghost", ct), "NoSuchEntity", k.absent)
			_, err = k.list(e, "ghost", nil)
			rpWant(t, err, "NoSuchEntity", k.absent)

			for i := 0; i < 9; i++ {
				rpOK(t, k.attach(e, "x", e.policy(fmt.Sprintf("p%d", i))))
			}
			rpWant(t, k.attach(e, "x", e.policy("p10")), "LimitExceeded", "Cannot exceed quota for "+k.quota+": 10")
		})
	}
}

func TestListEntitiesForPolicy(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	arn := e.policy("p")
	e.user("u1")
	e.user("u2")
	e.group("g")
	e.role("r")
	for _, err := range []error{
		attachKinds[0].attach(e, "u1", arn), attachKinds[1].attach(e, "g", arn), attachKinds[2].attach(e, "r", arn),
	} {
		rpOK(t, err)
	}
	_, err := e.s.PutUserPermissionsBoundary(e.ctx, &iamapi.PutUserPermissionsBoundaryRequest{UserName: protocol.Ptr("u2"), PermissionsBoundary: &arn})
	rpOK(t, err)

	list := func(in iamapi.ListEntitiesForPolicyRequest) string {
		in.PolicyArn = &arn
		out, err := e.s.ListEntitiesForPolicy(e.ctx, &in)
		rpOK(t, err)
		s := ""
		for _, g := range out.PolicyGroups {
			s += "g:" + *g.GroupName + ";"
		}
		for _, r := range out.PolicyRoles {
			s += "r:" + *r.RoleName + ";"
		}
		for _, u := range out.PolicyUsers {
			s += "u:" + *u.UserName + ";"
		}
		return s
	}
	tests := []struct {
		name string
		in   iamapi.ListEntitiesForPolicyRequest
		want string
	}{
		{"all", iamapi.ListEntitiesForPolicyRequest{}, "g:g;r:r;u:u1;u:u2;"},
		{"permissions policy", iamapi.ListEntitiesForPolicyRequest{PolicyUsageFilter: protocol.Ptr("PermissionsPolicy")}, "g:g;r:r;u:u1;"},
		{"boundary", iamapi.ListEntitiesForPolicyRequest{PolicyUsageFilter: protocol.Ptr("PermissionsBoundary")}, "u:u2;"},
		{"users", iamapi.ListEntitiesForPolicyRequest{EntityFilter: protocol.Ptr("User")}, "u:u1;u:u2;"},
		{"roles", iamapi.ListEntitiesForPolicyRequest{EntityFilter: protocol.Ptr("Role")}, "r:r;"},
		{"path", iamapi.ListEntitiesForPolicyRequest{PathPrefix: protocol.Ptr("/nope/")}, ""},
		{"page", iamapi.ListEntitiesForPolicyRequest{MaxItems: protocol.Ptr(int32(2))}, "g:g;r:r;"},
	}
	for _, tt := range tests {
		if got := list(tt.in); got != tt.want {
			t.Errorf("%s: %s, want %s", tt.name, got, tt.want)
		}
	}
	_, err = e.s.ListEntitiesForPolicy(e.ctx, &iamapi.ListEntitiesForPolicyRequest{PolicyArn: protocol.Ptr("arn:aws:iam::123456789012:policy/none")})
	rpWant(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/none was not found.")
}

func TestBoundaries(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	arn := e.policy("b")
	e.role("r")
	e.user("u")
	_, err := e.s.PutRolePermissionsBoundary(e.ctx, &iamapi.PutRolePermissionsBoundaryRequest{RoleName: protocol.Ptr("r"), PermissionsBoundary: &arn})
	rpOK(t, err)
	g, _ := e.s.GetRole(e.ctx, &iamapi.GetRoleRequest{RoleName: protocol.Ptr("r")})
	if b := g.Role.PermissionsBoundary; b == nil || *b.PermissionsBoundaryArn != arn || *b.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
		t.Errorf("role boundary = %+v", b)
	}
	l, _ := e.s.ListRoles(e.ctx, &iamapi.ListRolesRequest{})
	if l.Roles[0].PermissionsBoundary != nil {
		t.Errorf("ListRoles shows the boundary")
	}
	_, err = e.s.DeleteRolePermissionsBoundary(e.ctx, &iamapi.DeleteRolePermissionsBoundaryRequest{RoleName: protocol.Ptr("r")})
	rpOK(t, err)
	g, _ = e.s.GetRole(e.ctx, &iamapi.GetRoleRequest{RoleName: protocol.Ptr("r")})
	if g.Role.PermissionsBoundary != nil {
		t.Errorf("boundary not removed")
	}

	tests := []struct{ user, arn, code, msg string }{
		{"u", "arn:aws:iam::aws:policy/AdministratorAccess", "", ""},
		{"u", "arn:aws:iam::aws:policy/NoSuch", "NoSuchEntity", "Scope ARN: arn:aws:iam::aws:policy/NoSuch does not exist or is not attachable."},
		{"u", "arn:aws:iam::123456789012:not_a_policy/invalid", "InvalidInput", "ARN arn:aws:iam::123456789012:not_a_policy/invalid is not valid."},
		{"u", "garbage", "InvalidInput", "ARN garbage is not valid."},
		{"ghost", arn, "NoSuchEntity", "The user with name ghost cannot be found."},
	}
	for _, tt := range tests {
		_, err := e.s.PutUserPermissionsBoundary(e.ctx, &iamapi.PutUserPermissionsBoundaryRequest{UserName: &tt.user, PermissionsBoundary: &tt.arn})
		if tt.code == "" {
			rpOK(t, err)
			continue
		}
		rpWant(t, err, tt.code, tt.msg)
	}
	_, err = e.s.DeleteUserPermissionsBoundary(e.ctx, &iamapi.DeleteUserPermissionsBoundaryRequest{UserName: protocol.Ptr("u")})
	rpOK(t, err)
	_, err = e.s.DeleteUserPermissionsBoundary(e.ctx, &iamapi.DeleteUserPermissionsBoundaryRequest{UserName: protocol.Ptr("ghost")})
	rpWant(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
}
