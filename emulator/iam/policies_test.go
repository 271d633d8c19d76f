package iam

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/iam/awsmanaged"
	"github.com/iamlocal/iamlocal/protocol"
)

func TestCreatePolicy(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	bigDoc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":[` +
		strings.TrimSuffix(strings.Repeat(`"arn:aws:s3:::bucket-with-a-long-name/*",`, 160), ",") + `]}]}`
	tests := []struct {
		name string
		in   iamapi.CreatePolicyRequest
		code string
		msg  string
	}{
		{name: "ok", in: iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("p"), PolicyDocument: protocol.Ptr(rpDoc), Path: protocol.Ptr("/team/")}},
		{name: "duplicate differs in case", in: iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("P"), PolicyDocument: protocol.Ptr(rpDoc)},
			code: "EntityAlreadyExists", msg: "A policy called P already exists. Duplicate names are not allowed."},
		{name: "old version", in: iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("q"), PolicyDocument: protocol.Ptr(
			`{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`)},
			code: "MalformedPolicyDocument", msg: "Policy document must be version 2012-10-17 or greater."},
		{name: "syntax", in: iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("q"), PolicyDocument: protocol.Ptr("not json")},
			code: "MalformedPolicyDocument", msg: "Syntax errors in policy."},
		{name: "too big", in: iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("q"), PolicyDocument: &bigDoc},
			code: "LimitExceeded", msg: "Cannot exceed quota for PolicySize: 6144"},
		{name: "duplicate tag keys with case allowed", in: iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("q"), PolicyDocument: protocol.Ptr(rpDoc),
			Tags: []iamapi.Tag{{Key: protocol.Ptr("a"), Value: protocol.Ptr("x")}, {Key: protocol.Ptr("A"), Value: protocol.Ptr("y")}}}},
		{name: "duplicate tag keys", in: iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("r"), PolicyDocument: protocol.Ptr(rpDoc),
			Tags: []iamapi.Tag{{Key: protocol.Ptr("a"), Value: protocol.Ptr("x")}, {Key: protocol.Ptr("a"), Value: protocol.Ptr("y")}}},
			code: "InvalidInput", msg: "Duplicate tag keys found."},
	}
	for _, tt := range tests {
		out, err := e.s.CreatePolicy(e.ctx, &tt.in)
		if tt.code != "" {
			if err == nil {
				t.Fatalf("%s: no error, want %s", tt.name, tt.code)
			}
			rpWant(t, err, tt.code, tt.msg)
			continue
		}
		rpOK(t, err)
		p := out.Policy
		if p.Description != nil || *p.DefaultVersionId != "v1" || *p.AttachmentCount != 0 || !*p.IsAttachable || (*p.PolicyId)[:4] != "ANPA" {
			t.Errorf("%s: CreatePolicy = %+v", tt.name, p)
		}
		if (tt.in.Tags == nil) != (p.Tags == nil) {
			t.Errorf("%s: tags %v", tt.name, p.Tags)
		}
	}
	g, err := e.s.GetPolicy(e.ctx, &iamapi.GetPolicyRequest{PolicyArn: protocol.Ptr("arn:aws:iam::123456789012:policy/team/p")})
	rpOK(t, err)
	if g.Policy.Tags == nil || *g.Policy.Path != "/team/" {
		t.Errorf("GetPolicy = %+v", g.Policy)
	}
	lt, err := e.s.ListPolicyTags(e.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: protocol.Ptr("arn:aws:iam::123456789012:policy/q")})
	rpOK(t, err)
	if len(lt.Tags) != 2 || *lt.Tags[0].Key != "A" {
		t.Errorf("ListPolicyTags = %+v, want A before a", lt.Tags)
	}
}

func TestGetPolicyErrors(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	tests := []struct{ arn, code, msg string }{
		{"arn:aws:iam::123456789012:policy/none", "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/none was not found."},
		{"arn:aws:iam::210987654321:policy/other", "NoSuchEntity", "Policy arn:aws:iam::210987654321:policy/other was not found."},
		{"arn:aws:iam::aws:policy/NoSuchAWSPolicy", "NoSuchEntity", ""},
		{"longpolicynamebutnoarn", "ValidationError", "Invalid ARN:  Could not be parsed!"},
		{"arn:aws:iam::123456789012:role/r", "InvalidInput", "ARN arn:aws:iam::123456789012:role/r is not valid."},
	}
	for _, tt := range tests {
		_, err := e.s.GetPolicy(e.ctx, &iamapi.GetPolicyRequest{PolicyArn: protocol.Ptr(tt.arn)})
		rpWant(t, err, tt.code, tt.msg)
	}
}

func TestAWSManagedPolicies(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	const arn = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	e.role("r")
	_, err := e.s.AttachRolePolicy(e.ctx, &iamapi.AttachRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyArn: protocol.Ptr(arn)})
	rpOK(t, err)
	g, err := e.s.GetPolicy(e.ctx, &iamapi.GetPolicyRequest{PolicyArn: protocol.Ptr(arn)})
	rpOK(t, err)
	p := g.Policy
	if *p.AttachmentCount != 1 || !*p.IsAttachable || p.Description == nil || *p.Path != "/service-role/" || p.Tags == nil {
		t.Errorf("GetPolicy(aws) = %+v", p)
	}
	v, err := e.s.GetPolicyVersion(e.ctx, &iamapi.GetPolicyVersionRequest{PolicyArn: protocol.Ptr(arn), VersionId: p.DefaultVersionId})
	rpOK(t, err)
	if !strings.Contains(decoded(t, v.PolicyVersion.Document), "logs:CreateLogGroup") || !*v.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion(aws) = %+v", v.PolicyVersion)
	}
	_, err = e.s.GetPolicyVersion(e.ctx, &iamapi.GetPolicyVersionRequest{PolicyArn: protocol.Ptr(arn), VersionId: protocol.Ptr("v99")})
	rpWant(t, err, "NoSuchEntity", "Policy "+arn+" version v99 does not exist or is not attachable.")

	for _, dep := range []string{"AWSLambdaReadOnlyAccess", "AWSLambdaFullAccess"} {
		_, err := e.s.AttachRolePolicy(e.ctx, &iamapi.AttachRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyArn: protocol.Ptr("arn:aws:iam::aws:policy/" + dep)})
		rpOK(t, err)
	}

	// AWS managed policies are read-only.
	_, err = e.s.CreatePolicyVersion(e.ctx, &iamapi.CreatePolicyVersionRequest{PolicyArn: protocol.Ptr(arn), PolicyDocument: protocol.Ptr(rpDoc)})
	rpWant(t, err, "AccessDenied", "User: arn:aws:iam::123456789012:root is not authorized to perform: iam:CreatePolicyVersion on resource: policy "+arn+
		" because no resource-based policy allows the iam:CreatePolicyVersion action")
	_, err = e.s.DeletePolicy(e.ctx, &iamapi.DeletePolicyRequest{PolicyArn: protocol.Ptr(arn)})
	rpWant(t, err, "AccessDenied", "")
	_, err = e.s.SetDefaultPolicyVersion(e.ctx, &iamapi.SetDefaultPolicyVersionRequest{PolicyArn: protocol.Ptr(arn), VersionId: protocol.Ptr("v1")})
	rpWant(t, err, "AccessDenied", "")
	_, err = e.s.DeletePolicyVersion(e.ctx, &iamapi.DeletePolicyVersionRequest{PolicyArn: protocol.Ptr(arn), VersionId: protocol.Ptr("v1")})
	rpWant(t, err, "AccessDenied", "")
	_, err = e.s.TagPolicy(e.ctx, &iamapi.TagPolicyRequest{PolicyArn: protocol.Ptr(arn), Tags: []iamapi.Tag{{Key: protocol.Ptr("k"), Value: protocol.Ptr("v")}}})
	rpWant(t, err, "InvalidInput", "Tags not supported for policies in this domain")
	_, err = e.s.UntagPolicy(e.ctx, &iamapi.UntagPolicyRequest{PolicyArn: protocol.Ptr(arn), TagKeys: []string{"k"}})
	rpWant(t, err, "InvalidInput", "Tags not supported for policies in this domain")
	tags, err := e.s.ListPolicyTags(e.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: protocol.Ptr(arn)})
	rpOK(t, err)
	if tags.Tags == nil || len(tags.Tags) != 0 {
		t.Errorf("ListPolicyTags(aws) = %+v", tags)
	}
	vs, err := e.s.ListPolicyVersions(e.ctx, &iamapi.ListPolicyVersionsRequest{PolicyArn: protocol.Ptr(arn)})
	rpOK(t, err)
	if len(vs.Versions) != 1 || vs.Versions[0].Document != nil {
		t.Errorf("ListPolicyVersions(aws) = %+v", vs.Versions)
	}
}

func listAllPolicies(t *testing.T, e *rpEnv, in iamapi.ListPoliciesRequest) []iamapi.Policy {
	t.Helper()
	var out []iamapi.Policy
	for {
		page, err := e.s.ListPolicies(e.ctx, &in)
		rpOK(t, err)
		out = append(out, page.Policies...)
		if !*page.IsTruncated {
			return out
		}
		in.Marker = page.Marker
	}
}

func TestListPolicies(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	local := e.policy("mine")
	e.role("r")
	_, err := e.s.AttachRolePolicy(e.ctx, &iamapi.AttachRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyArn: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	rpOK(t, err)
	_, err = e.s.PutRolePermissionsBoundary(e.ctx, &iamapi.PutRolePermissionsBoundaryRequest{RoleName: protocol.Ptr("r"), PermissionsBoundary: &local})
	rpOK(t, err)

	n := awsmanaged.Len()
	tests := []struct {
		name string
		in   iamapi.ListPoliciesRequest
		want int
	}{
		{"all", iamapi.ListPoliciesRequest{MaxItems: protocol.Ptr(int32(1000))}, n + 1},
		{"aws", iamapi.ListPoliciesRequest{Scope: protocol.Ptr("AWS"), MaxItems: protocol.Ptr(int32(300))}, n},
		{"local", iamapi.ListPoliciesRequest{Scope: protocol.Ptr("Local")}, 1},
		{"only attached", iamapi.ListPoliciesRequest{OnlyAttached: protocol.Ptr(true)}, 1},
		{"boundaries", iamapi.ListPoliciesRequest{PolicyUsageFilter: protocol.Ptr("PermissionsBoundary")}, 1},
		{"path prefix", iamapi.ListPoliciesRequest{PathPrefix: protocol.Ptr("/job-function/")}, len(awsmanaged.List("/job-function/"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := listAllPolicies(t, e, tt.in)
			if len(got) != tt.want {
				t.Fatalf("%d policies, want %d", len(got), tt.want)
			}
			seen := map[string]bool{}
			for _, p := range got {
				if seen[*p.Arn] {
					t.Fatalf("%s listed twice", *p.Arn)
				}
				seen[*p.Arn] = true
				if p.Description != nil || p.Tags != nil {
					t.Fatalf("ListPolicies returned Description/Tags for %s", *p.Arn)
				}
			}
		})
	}
	attached := listAllPolicies(t, e, iamapi.ListPoliciesRequest{OnlyAttached: protocol.Ptr(true)})
	if *attached[0].Arn != "arn:aws:iam::aws:policy/ReadOnlyAccess" || *attached[0].AttachmentCount != 1 {
		t.Errorf("OnlyAttached = %+v", attached[0])
	}
	first, err := e.s.ListPolicies(e.ctx, &iamapi.ListPoliciesRequest{})
	rpOK(t, err)
	if len(first.Policies) != 100 || !*first.IsTruncated || first.Marker == nil || *first.Policies[0].Arn != local {
		t.Errorf("first default page: %d policies, truncated %v, first %s", len(first.Policies), *first.IsTruncated, *first.Policies[0].Arn)
	}
	if *first.Policies[0].PermissionsBoundaryUsageCount != 1 {
		t.Errorf("PermissionsBoundaryUsageCount = %d", *first.Policies[0].PermissionsBoundaryUsageCount)
	}
}

func TestPolicyVersions(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	arn := e.policy("p")
	doc := func(action string) *string {
		return protocol.Ptr(`{"Version":"2012-10-17","Statement":[{"Sid":"Statement1","Effect":"Allow","Action":["` + action + `"],"Resource":"*"}]}`)
	}
	v2, err := e.s.CreatePolicyVersion(e.ctx, &iamapi.CreatePolicyVersionRequest{PolicyArn: &arn, PolicyDocument: doc("s3:ListBucket"), SetAsDefault: protocol.Ptr(true)})
	rpOK(t, err)
	if *v2.PolicyVersion.VersionId != "v2" || !*v2.PolicyVersion.IsDefaultVersion || v2.PolicyVersion.Document != nil {
		t.Errorf("CreatePolicyVersion = %+v", v2.PolicyVersion)
	}
	for i := 3; i <= 5; i++ {
		_, err := e.s.CreatePolicyVersion(e.ctx, &iamapi.CreatePolicyVersionRequest{PolicyArn: &arn, PolicyDocument: doc("ec2:DescribeInstances")})
		rpOK(t, err)
	}
	_, err = e.s.CreatePolicyVersion(e.ctx, &iamapi.CreatePolicyVersionRequest{PolicyArn: &arn, PolicyDocument: doc("ec2:DescribeInstances")})
	rpWant(t, err, "LimitExceeded", "A managed policy can have up to 5 versions. Before you create a new version, you must delete an existing version.")

	vs, err := e.s.ListPolicyVersions(e.ctx, &iamapi.ListPolicyVersionsRequest{PolicyArn: &arn})
	rpOK(t, err)
	var ids []string
	for _, v := range vs.Versions {
		ids = append(ids, *v.VersionId)
		if *v.IsDefaultVersion != (*v.VersionId == "v2") {
			t.Errorf("%s IsDefaultVersion = %v", *v.VersionId, *v.IsDefaultVersion)
		}
	}
	if join(ids) != "v5,v4,v3,v2,v1" {
		t.Errorf("versions = %s, want newest first", join(ids))
	}

	_, err = e.s.DeletePolicyVersion(e.ctx, &iamapi.DeletePolicyVersionRequest{PolicyArn: &arn, VersionId: protocol.Ptr("v2")})
	rpWant(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
	_, err = e.s.DeletePolicyVersion(e.ctx, &iamapi.DeletePolicyVersionRequest{PolicyArn: &arn, VersionId: protocol.Ptr("v9")})
	rpWant(t, err, "NoSuchEntity", "Policy "+arn+" version v9 does not exist or is not attachable.")
	_, err = e.s.SetDefaultPolicyVersion(e.ctx, &iamapi.SetDefaultPolicyVersionRequest{PolicyArn: protocol.Ptr("arn:aws:iam::123456789012:policy/TestNonExistingPolicy"), VersionId: protocol.Ptr("v1")})
	rpWant(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/TestNonExistingPolicy version v1 does not exist or is not attachable.")
	_, err = e.s.GetPolicyVersion(e.ctx, &iamapi.GetPolicyVersionRequest{PolicyArn: protocol.Ptr("arn:aws:iam::123456789012:policy/TestNonExistingPolicy"), VersionId: protocol.Ptr("v1")})
	rpWant(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/TestNonExistingPolicy version v1 does not exist or is not attachable.")

	_, err = e.s.DeletePolicyVersion(e.ctx, &iamapi.DeletePolicyVersionRequest{PolicyArn: &arn, VersionId: protocol.Ptr("v5")})
	rpOK(t, err)
	v6, err := e.s.CreatePolicyVersion(e.ctx, &iamapi.CreatePolicyVersionRequest{PolicyArn: &arn, PolicyDocument: doc("iam:GetUser")})
	rpOK(t, err)
	if *v6.PolicyVersion.VersionId != "v6" {
		t.Errorf("version after a delete = %s, want v6 (numbers are not reused)", *v6.PolicyVersion.VersionId)
	}
	_, err = e.s.SetDefaultPolicyVersion(e.ctx, &iamapi.SetDefaultPolicyVersionRequest{PolicyArn: &arn, VersionId: protocol.Ptr("v1")})
	rpOK(t, err)
	got, err := e.s.GetPolicyVersion(e.ctx, &iamapi.GetPolicyVersionRequest{PolicyArn: &arn, VersionId: protocol.Ptr("v1")})
	rpOK(t, err)
	if decoded(t, got.PolicyVersion.Document) != rpDoc || !*got.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion(v1) = %+v", got.PolicyVersion)
	}
	pol, _ := e.s.GetPolicy(e.ctx, &iamapi.GetPolicyRequest{PolicyArn: &arn})
	if *pol.Policy.DefaultVersionId != "v1" {
		t.Errorf("DefaultVersionId = %s", *pol.Policy.DefaultVersionId)
	}

	_, err = e.s.DeletePolicy(e.ctx, &iamapi.DeletePolicyRequest{PolicyArn: &arn})
	rpWant(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	for _, v := range []string{"v2", "v3", "v4", "v6"} {
		_, err := e.s.DeletePolicyVersion(e.ctx, &iamapi.DeletePolicyVersionRequest{PolicyArn: &arn, VersionId: protocol.Ptr(v)})
		rpOK(t, err)
	}
	_, err = e.s.DeletePolicy(e.ctx, &iamapi.DeletePolicyRequest{PolicyArn: &arn})
	rpOK(t, err)
	_, err = e.s.GetPolicy(e.ctx, &iamapi.GetPolicyRequest{PolicyArn: &arn})
	rpWant(t, err, "NoSuchEntity", "Policy "+arn+" was not found.")
}

func TestDeletePolicyInUse(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	arn := e.policy("p")
	e.role("r")
	_, err := e.s.AttachRolePolicy(e.ctx, &iamapi.AttachRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyArn: &arn})
	rpOK(t, err)
	del := func() error {
		_, err := e.s.DeletePolicy(e.ctx, &iamapi.DeletePolicyRequest{PolicyArn: &arn})
		return err
	}
	rpWant(t, del(), "DeleteConflict", "Cannot delete a policy attached to entities.")
	_, err = e.s.DetachRolePolicy(e.ctx, &iamapi.DetachRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyArn: &arn})
	rpOK(t, err)
	_, err = e.s.PutRolePermissionsBoundary(e.ctx, &iamapi.PutRolePermissionsBoundaryRequest{RoleName: protocol.Ptr("r"), PermissionsBoundary: &arn})
	rpOK(t, err)
	rpWant(t, del(), "DeleteConflict", "Cannot delete a policy attached to entities.")
	_, err = e.s.DeleteRolePermissionsBoundary(e.ctx, &iamapi.DeleteRolePermissionsBoundaryRequest{RoleName: protocol.Ptr("r")})
	rpOK(t, err)
	rpOK(t, del())
}

func TestPolicyTags(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	arn := e.policy("p")
	tags := []iamapi.Tag{{Key: protocol.Ptr("somekey"), Value: protocol.Ptr("somevalue")}, {Key: protocol.Ptr("someotherkey"), Value: protocol.Ptr("x")}}
	_, err := e.s.TagPolicy(e.ctx, &iamapi.TagPolicyRequest{PolicyArn: &arn, Tags: tags})
	rpOK(t, err)
	p1, err := e.s.ListPolicyTags(e.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: &arn, MaxItems: protocol.Ptr(int32(1))})
	rpOK(t, err)
	if len(p1.Tags) != 1 || *p1.Tags[0].Key != "somekey" || !*p1.IsTruncated {
		t.Fatalf("page 1 = %+v", p1)
	}
	p2, err := e.s.ListPolicyTags(e.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: &arn, Marker: p1.Marker})
	rpOK(t, err)
	if len(p2.Tags) != 1 || *p2.Tags[0].Key != "someotherkey" || *p2.IsTruncated {
		t.Fatalf("page 2 = %+v", p2)
	}
	_, err = e.s.UntagPolicy(e.ctx, &iamapi.UntagPolicyRequest{PolicyArn: &arn, TagKeys: []string{"SOMEKEY"}}) // keys keep case
	rpOK(t, err)
	all, _ := e.s.ListPolicyTags(e.ctx, &iamapi.ListPolicyTagsRequest{PolicyArn: &arn})
	if len(all.Tags) != 2 {
		t.Errorf("untag with other case removed a tag: %+v", all.Tags)
	}
	_, err = e.s.TagPolicy(e.ctx, &iamapi.TagPolicyRequest{PolicyArn: protocol.Ptr("arn:aws:iam::123456789012:policy/NotAPolicy"), Tags: tags})
	rpWant(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/NotAPolicy was not found.")
}
