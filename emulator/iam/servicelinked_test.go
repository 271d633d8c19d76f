package iam

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
)

func TestCreateServiceLinkedRole(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	tests := []struct {
		service, suffix, wantName, wantPolicy, code, msg string
	}{
		{service: "autoscaling.amazonaws.com", wantName: "AWSServiceRoleForAutoScaling",
			wantPolicy: "arn:aws:iam::aws:policy/aws-service-role/AutoScalingServiceRolePolicy"},
		{service: "autoscaling.amazonaws.com", suffix: "fleet", wantName: "AWSServiceRoleForAutoScaling_fleet"},
		{service: "ecs.amazonaws.com", wantName: "AWSServiceRoleForECS", wantPolicy: "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"},
		{service: "replicator.lambda.amazonaws.com", wantName: "AWSServiceRoleForLambdaReplicator"},
		{service: "newservice.amazonaws.com", wantName: "AWSServiceRoleForNewservice"},
		{service: "acm.amazonaws.com", suffix: "x", code: "InvalidInput", msg: "Custom suffix is not allowed for acm.amazonaws.com"},
		{service: "batch.amazonaws.com", wantName: "AWSServiceRoleForBatch"},
		{service: "batch.amazonaws.com", code: "InvalidInput", msg: "Service role name AWSServiceRoleForBatch has been taken in this account, please try a different suffix."},
	}
	for _, tt := range tests {
		in := &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: protocol.Ptr(tt.service)}
		if tt.suffix != "" {
			in.CustomSuffix = protocol.Ptr(tt.suffix)
		}
		out, err := e.s.CreateServiceLinkedRole(e.ctx, in)
		if tt.code != "" {
			rpWant(t, err, tt.code, tt.msg)
			continue
		}
		rpOK(t, err)
		r := out.Role
		if *r.RoleName != tt.wantName || *r.Path != "/aws-service-role/"+tt.service+"/" ||
			*r.Arn != "arn:aws:iam::123456789012:role/aws-service-role/"+tt.service+"/"+tt.wantName {
			t.Errorf("%s: role = %s %s %s", tt.service, *r.RoleName, *r.Path, *r.Arn)
		}
		if !strings.Contains(decoded(t, r.AssumeRolePolicyDocument), `"Service":"`+tt.service+`"`) {
			t.Errorf("%s: trust policy = %s", tt.service, decoded(t, r.AssumeRolePolicyDocument))
		}
		if tt.wantPolicy != "" {
			att, err := e.s.ListAttachedRolePolicies(e.ctx, &iamapi.ListAttachedRolePoliciesRequest{RoleName: r.RoleName})
			rpOK(t, err)
			if len(att.AttachedPolicies) != 1 || *att.AttachedPolicies[0].PolicyArn != tt.wantPolicy {
				t.Errorf("%s: attached = %+v", tt.service, att.AttachedPolicies)
			}
		}
	}
}

func TestServiceLinkedRoleProtection(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	_, err := e.s.CreateServiceLinkedRole(e.ctx, &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: protocol.Ptr("ecs.amazonaws.com")})
	rpOK(t, err)
	name := protocol.Ptr("AWSServiceRoleForECS")
	const msg = "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - this role is only modifiable by AWS"
	errs := map[string]error{}
	_, errs["DeleteRole"] = e.s.DeleteRole(e.ctx, &iamapi.DeleteRoleRequest{RoleName: name})
	_, errs["UpdateAssumeRolePolicy"] = e.s.UpdateAssumeRolePolicy(e.ctx, &iamapi.UpdateAssumeRolePolicyRequest{RoleName: name, PolicyDocument: protocol.Ptr(rpTrust)})
	_, errs["PutRolePolicy"] = e.s.PutRolePolicy(e.ctx, &iamapi.PutRolePolicyRequest{RoleName: name, PolicyName: protocol.Ptr("p"), PolicyDocument: protocol.Ptr(rpDoc)})
	_, errs["AttachRolePolicy"] = e.s.AttachRolePolicy(e.ctx, &iamapi.AttachRolePolicyRequest{RoleName: name, PolicyArn: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	_, errs["DetachRolePolicy"] = e.s.DetachRolePolicy(e.ctx, &iamapi.DetachRolePolicyRequest{RoleName: name, PolicyArn: protocol.Ptr("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy")})
	_, errs["PutRolePermissionsBoundary"] = e.s.PutRolePermissionsBoundary(e.ctx, &iamapi.PutRolePermissionsBoundaryRequest{RoleName: name, PermissionsBoundary: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	for op, err := range errs {
		if err == nil {
			t.Errorf("%s on a service-linked role succeeded", op)
			continue
		}
		rpWant(t, err, "UnmodifiableEntity", msg)
	}
	_, err = e.s.UpdateRoleDescription(e.ctx, &iamapi.UpdateRoleDescriptionRequest{RoleName: name, Description: protocol.Ptr("mine")})
	rpOK(t, err)

	e.role("plain")
	_, err = e.s.DeleteServiceLinkedRole(e.ctx, &iamapi.DeleteServiceLinkedRoleRequest{RoleName: protocol.Ptr("plain")})
	rpWant(t, err, "NoSuchEntity", "The role with name plain cannot be found.")

	out, err := e.s.DeleteServiceLinkedRole(e.ctx, &iamapi.DeleteServiceLinkedRoleRequest{RoleName: name})
	rpOK(t, err)
	task := *out.DeletionTaskId
	if !strings.HasPrefix(task, "task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/") || len(task) != len("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/")+36 {
		t.Errorf("DeletionTaskId = %s", task)
	}
	st, err := e.s.GetServiceLinkedRoleDeletionStatus(e.ctx, &iamapi.GetServiceLinkedRoleDeletionStatusRequest{DeletionTaskId: &task})
	rpOK(t, err)
	if *st.Status != "SUCCEEDED" {
		t.Errorf("status = %s", *st.Status)
	}
	_, err = e.s.GetRole(e.ctx, &iamapi.GetRoleRequest{RoleName: name})
	rpWant(t, err, "NoSuchEntity", "")
	_, err = e.s.GetServiceLinkedRoleDeletionStatus(e.ctx, &iamapi.GetServiceLinkedRoleDeletionStatusRequest{DeletionTaskId: protocol.Ptr("task/none")})
	rpWant(t, err, "NoSuchEntity", "")
	ents, err := e.s.ListEntitiesForPolicy(e.ctx, &iamapi.ListEntitiesForPolicyRequest{PolicyArn: protocol.Ptr("arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy")})
	rpOK(t, err)
	if len(ents.PolicyRoles) != 0 {
		t.Errorf("the deleted role's attachment survived: %+v", ents.PolicyRoles)
	}
}
