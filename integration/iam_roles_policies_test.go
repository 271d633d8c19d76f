package integration

import (
	"context"
	"errors"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The roles-and-policies family driven through aws-sdk-go-v2 against an in-process server.

const (
	rpTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	rpDoc   = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`
)

func rpClient(t *testing.T) *iam.Client {
	t.Helper()
	srv := emulatortest.New(t)
	return iam.NewFromConfig(srv.AWSConfig(context.Background()))
}

func rpOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// rpErr checks an API error's code and, when msg is not empty, its exact message.
func rpErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || msg != "" && ae.ErrorMessage() != msg {
		t.Fatalf("error = %s: %q, want %s: %q", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func rpDecode(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(aws.ToString(s))
	rpOK(t, err)
	return d
}

func rpTagString(tags []types.Tag) string {
	var b strings.Builder
	for _, tg := range tags {
		b.WriteString(aws.ToString(tg.Key) + "=" + aws.ToString(tg.Value) + ";")
	}
	return b.String()
}

func TestIAMRoles(t *testing.T) {
	t.Parallel()
	c, ctx := rpClient(t), context.Background()
	boundary, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("boundary"), PolicyDocument: aws.String(rpDoc)})
	rpOK(t, err)
	created, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("web"), Path: aws.String("/app/"),
		AssumeRolePolicyDocument: aws.String(rpTrust), Description: aws.String("web role"), MaxSessionDuration: aws.Int32(7200),
		PermissionsBoundary: boundary.Policy.Arn, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("a")}}})
	rpOK(t, err)
	if aws.ToString(created.Role.Arn) != "arn:aws:iam::123456789012:role/app/web" || created.Role.PermissionsBoundary == nil {
		t.Errorf("CreateRole = %+v", created.Role)
	}
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("WEB"), AssumeRolePolicyDocument: aws.String(rpTrust)})
	rpErr(t, err, "EntityAlreadyExists", "Role with name WEB already exists.")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String("{")})
	rpErr(t, err, "MalformedPolicyDocument", "This policy contains invalid Json")
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bad"), AssumeRolePolicyDocument: aws.String(rpTrust), MaxSessionDuration: aws.Int32(60)})
	rpErr(t, err, "ValidationError", "")

	got, err := c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("web")})
	rpOK(t, err)
	r := got.Role
	if rpDecode(t, r.AssumeRolePolicyDocument) != rpTrust || aws.ToInt32(r.MaxSessionDuration) != 7200 || aws.ToString(r.Description) != "web role" ||
		r.RoleLastUsed == nil || rpTagString(r.Tags) != "team=a;" || aws.ToString(r.PermissionsBoundary.PermissionsBoundaryArn) != aws.ToString(boundary.Policy.Arn) {
		t.Errorf("GetRole = %+v", r)
	}

	_, err = c.UpdateRole(ctx, &iam.UpdateRoleInput{RoleName: aws.String("web"), MaxSessionDuration: aws.Int32(3600)})
	rpOK(t, err)
	desc, err := c.UpdateRoleDescription(ctx, &iam.UpdateRoleDescriptionInput{RoleName: aws.String("web"), Description: aws.String("new")})
	rpOK(t, err)
	if aws.ToString(desc.Role.Description) != "new" {
		t.Errorf("UpdateRoleDescription = %+v", desc.Role)
	}
	lambdaTrust := strings.Replace(rpTrust, "ec2.amazonaws.com", "lambda.amazonaws.com", 1)
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: aws.String(lambdaTrust)})
	rpOK(t, err)
	_, err = c.UpdateAssumeRolePolicy(ctx, &iam.UpdateAssumeRolePolicyInput{RoleName: aws.String("web"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)})
	rpErr(t, err, "MalformedPolicyDocument", "Has prohibited field Resource")

	_, err = c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("web"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}, {Key: aws.String("TEAM"), Value: aws.String("b")}}})
	rpOK(t, err)
	tags, err := c.ListRoleTags(ctx, &iam.ListRoleTagsInput{RoleName: aws.String("web")})
	rpOK(t, err)
	if rpTagString(tags.Tags) != "TEAM=b;env=dev;" {
		t.Errorf("ListRoleTags = %s", rpTagString(tags.Tags))
	}
	_, err = c.UntagRole(ctx, &iam.UntagRoleInput{RoleName: aws.String("web"), TagKeys: []string{"team"}})
	rpOK(t, err)
	_, err = c.TagRole(ctx, &iam.TagRoleInput{RoleName: aws.String("web"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("1")}, {Key: aws.String("K"), Value: aws.String("2")}}})
	rpErr(t, err, "InvalidInput", "Duplicate tag keys found. Please note that Tag keys are case insensitive.")

	_, err = c.DeleteRolePermissionsBoundary(ctx, &iam.DeleteRolePermissionsBoundaryInput{RoleName: aws.String("web")})
	rpOK(t, err)
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: aws.String("arn:aws:iam::123456789012:policy/nonexistent-policy")})
	rpErr(t, err, "NoSuchEntity", "Scope ARN: arn:aws:iam::123456789012:policy/nonexistent-policy does not exist or is not attachable.")
	_, err = c.PutRolePermissionsBoundary(ctx, &iam.PutRolePermissionsBoundaryInput{RoleName: aws.String("web"), PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/PowerUserAccess")})
	rpOK(t, err)

	for i := 0; i < 4; i++ {
		_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r" + string(rune('a'+i))), AssumeRolePolicyDocument: aws.String(rpTrust)})
		rpOK(t, err)
	}
	var names []string
	pages := 0
	for p := iam.NewListRolesPaginator(c, &iam.ListRolesInput{MaxItems: aws.Int32(2)}); p.HasMorePages(); pages++ {
		page, err := p.NextPage(ctx)
		rpOK(t, err)
		for _, r := range page.Roles {
			names = append(names, aws.ToString(r.RoleName))
			if r.Tags != nil || r.PermissionsBoundary != nil {
				t.Errorf("ListRoles returned tags or boundary for %s", aws.ToString(r.RoleName))
			}
		}
	}
	if strings.Join(names, ",") != "ra,rb,rc,rd,web" || pages != 3 {
		t.Errorf("ListRoles = %v in %d pages", names, pages)
	}

	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("in"), PolicyDocument: aws.String(rpDoc)})
	rpOK(t, err)
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
	rpErr(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("web"), PolicyName: aws.String("in")})
	rpOK(t, err)
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("web")})
	rpOK(t, err)
	_, err = c.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String("web")})
	rpErr(t, err, "NoSuchEntity", "The role with name web cannot be found.")
}

func TestIAMInstanceProfiles(t *testing.T) {
	t.Parallel()
	c, ctx := rpClient(t), context.Background()
	_, err := c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("r"), AssumeRolePolicyDocument: aws.String(rpTrust)})
	rpOK(t, err)
	p, err := c.CreateInstanceProfile(ctx, &iam.CreateInstanceProfileInput{InstanceProfileName: aws.String("ip"), Path: aws.String("/x/"),
		Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	rpOK(t, err)
	if aws.ToString(p.InstanceProfile.Arn) != "arn:aws:iam::123456789012:instance-profile/x/ip" || len(p.InstanceProfile.Roles) != 0 {
		t.Errorf("CreateInstanceProfile = %+v", p.InstanceProfile)
	}
	_, err = c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")})
	rpOK(t, err)
	_, err = c.AddRoleToInstanceProfile(ctx, &iam.AddRoleToInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")})
	rpErr(t, err, "LimitExceeded", "Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1")
	g, err := c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("ip")})
	rpOK(t, err)
	if len(g.InstanceProfile.Roles) != 1 || rpDecode(t, g.InstanceProfile.Roles[0].AssumeRolePolicyDocument) != rpTrust || rpTagString(g.InstanceProfile.Tags) != "k=v;" {
		t.Errorf("GetInstanceProfile = %+v", g.InstanceProfile)
	}
	l, err := c.ListInstanceProfiles(ctx, &iam.ListInstanceProfilesInput{PathPrefix: aws.String("/x/")})
	rpOK(t, err)
	lr, err := c.ListInstanceProfilesForRole(ctx, &iam.ListInstanceProfilesForRoleInput{RoleName: aws.String("r")})
	rpOK(t, err)
	if len(l.InstanceProfiles) != 1 || len(lr.InstanceProfiles) != 1 {
		t.Errorf("lists = %d, %d", len(l.InstanceProfiles), len(lr.InstanceProfiles))
	}
	_, err = c.TagInstanceProfile(ctx, &iam.TagInstanceProfileInput{InstanceProfileName: aws.String("ip"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("b")}}})
	rpOK(t, err)
	_, err = c.UntagInstanceProfile(ctx, &iam.UntagInstanceProfileInput{InstanceProfileName: aws.String("ip"), TagKeys: []string{"k"}})
	rpOK(t, err)
	lt, err := c.ListInstanceProfileTags(ctx, &iam.ListInstanceProfileTagsInput{InstanceProfileName: aws.String("ip")})
	rpOK(t, err)
	if rpTagString(lt.Tags) != "a=b;" {
		t.Errorf("ListInstanceProfileTags = %s", rpTagString(lt.Tags))
	}
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: aws.String("r")})
	rpErr(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ip")})
	rpErr(t, err, "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = c.RemoveRoleFromInstanceProfile(ctx, &iam.RemoveRoleFromInstanceProfileInput{InstanceProfileName: aws.String("ip"), RoleName: aws.String("r")})
	rpOK(t, err)
	_, err = c.DeleteInstanceProfile(ctx, &iam.DeleteInstanceProfileInput{InstanceProfileName: aws.String("ip")})
	rpOK(t, err)
	_, err = c.GetInstanceProfile(ctx, &iam.GetInstanceProfileInput{InstanceProfileName: aws.String("ip")})
	rpErr(t, err, "NoSuchEntity", "Instance Profile ip cannot be found.")
}

func TestIAMManagedPolicies(t *testing.T) {
	t.Parallel()
	c, ctx := rpClient(t), context.Background()
	p, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(rpDoc),
		Description: aws.String("desc"), Tags: []types.Tag{{Key: aws.String("a"), Value: aws.String("1")}}})
	rpOK(t, err)
	arn := p.Policy.Arn
	if aws.ToString(arn) != "arn:aws:iam::123456789012:policy/mine" || aws.ToString(p.Policy.DefaultVersionId) != "v1" {
		t.Errorf("CreatePolicy = %+v", p.Policy)
	}
	_, err = c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("MINE"), PolicyDocument: aws.String(rpDoc)})
	rpErr(t, err, "EntityAlreadyExists", "A policy called MINE already exists. Duplicate names are not allowed.")
	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	rpOK(t, err)
	if aws.ToString(got.Policy.Description) != "desc" || rpTagString(got.Policy.Tags) != "a=1;" {
		t.Errorf("GetPolicy = %+v", got.Policy)
	}

	v2, err := c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: arn, PolicyDocument: aws.String(strings.Replace(rpDoc, "ListBucket", "GetObject", 1)), SetAsDefault: true})
	rpOK(t, err)
	if aws.ToString(v2.PolicyVersion.VersionId) != "v2" || !v2.PolicyVersion.IsDefaultVersion {
		t.Errorf("CreatePolicyVersion = %+v", v2.PolicyVersion)
	}
	gv, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	rpOK(t, err)
	if rpDecode(t, gv.PolicyVersion.Document) != rpDoc || gv.PolicyVersion.IsDefaultVersion {
		t.Errorf("GetPolicyVersion = %+v", gv.PolicyVersion)
	}
	vs, err := c.ListPolicyVersions(ctx, &iam.ListPolicyVersionsInput{PolicyArn: arn})
	rpOK(t, err)
	if len(vs.Versions) != 2 || aws.ToString(vs.Versions[0].VersionId) != "v2" {
		t.Errorf("ListPolicyVersions = %+v", vs.Versions)
	}
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")})
	rpErr(t, err, "DeleteConflict", "Cannot delete the default version of a policy.")
	_, err = c.SetDefaultPolicyVersion(ctx, &iam.SetDefaultPolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v1")})
	rpOK(t, err)
	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	rpErr(t, err, "DeleteConflict", "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.")
	_, err = c.DeletePolicyVersion(ctx, &iam.DeletePolicyVersionInput{PolicyArn: arn, VersionId: aws.String("v2")})
	rpOK(t, err)

	_, err = c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: arn, Tags: []types.Tag{{Key: aws.String("A"), Value: aws.String("2")}}})
	rpOK(t, err)
	_, err = c.UntagPolicy(ctx, &iam.UntagPolicyInput{PolicyArn: arn, TagKeys: []string{"a"}})
	rpOK(t, err)
	lt, err := c.ListPolicyTags(ctx, &iam.ListPolicyTagsInput{PolicyArn: arn})
	rpOK(t, err)
	if rpTagString(lt.Tags) != "A=2;" {
		t.Errorf("ListPolicyTags = %s (policy tag keys keep their case)", rpTagString(lt.Tags))
	}

	// Every AWS managed policy is listed, readable, attachable and read-only.
	count := 0
	for pg := iam.NewListPoliciesPaginator(c, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeAws, MaxItems: aws.Int32(1000)}); pg.HasMorePages(); {
		page, err := pg.NextPage(ctx)
		rpOK(t, err)
		count += len(page.Policies)
	}
	if count != 1628 {
		t.Errorf("ListPolicies(AWS) = %d policies, want 1628", count)
	}
	local, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{Scope: types.PolicyScopeTypeLocal})
	rpOK(t, err)
	if len(local.Policies) != 1 || local.IsTruncated {
		t.Errorf("ListPolicies(Local) = %+v", local.Policies)
	}
	const basic = "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"
	ap, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(basic)})
	rpOK(t, err)
	av, err := c.GetPolicyVersion(ctx, &iam.GetPolicyVersionInput{PolicyArn: aws.String(basic), VersionId: ap.Policy.DefaultVersionId})
	rpOK(t, err)
	if !strings.Contains(rpDecode(t, av.PolicyVersion.Document), "logs:PutLogEvents") {
		t.Errorf("AWSLambdaBasicExecutionRole document = %s", rpDecode(t, av.PolicyVersion.Document))
	}
	for _, dep := range []string{"AWSLambdaReadOnlyAccess", "AWSLambdaFullAccess"} {
		_, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String("arn:aws:iam::aws:policy/" + dep)})
		rpOK(t, err)
	}
	_, err = c.CreatePolicyVersion(ctx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String(basic), PolicyDocument: aws.String(rpDoc)})
	rpErr(t, err, "AccessDenied", "")
	_, err = c.TagPolicy(ctx, &iam.TagPolicyInput{PolicyArn: aws.String(basic), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})
	rpErr(t, err, "InvalidInput", "Tags not supported for policies in this domain")

	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	rpOK(t, err)
	_, err = c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: arn})
	rpErr(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/mine was not found.")
}

func TestIAMAttachmentsInlineAndBoundaries(t *testing.T) {
	t.Parallel()
	c, ctx := rpClient(t), context.Background()
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	rpOK(t, err)
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")})
	rpOK(t, err)
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")})
	rpOK(t, err)
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(rpTrust)})
	rpOK(t, err)
	pol, err := c.CreatePolicy(ctx, &iam.CreatePolicyInput{PolicyName: aws.String("p"), PolicyDocument: aws.String(rpDoc)})
	rpOK(t, err)
	arn := pol.Policy.Arn
	const ro = "arn:aws:iam::aws:policy/ReadOnlyAccess"

	_, err = c.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: arn})
	rpOK(t, err)
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: arn})
	rpOK(t, err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: arn})
	rpOK(t, err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String(ro)})
	rpOK(t, err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::123456789012:policy/nope")})
	rpErr(t, err, "NoSuchEntity", "Policy arn:aws:iam::123456789012:policy/nope does not exist or is not attachable.")
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("longpolicynamebutnoarn")})
	rpErr(t, err, "ValidationError", "Invalid ARN:  Could not be parsed!")

	au, err := c.ListAttachedUserPolicies(ctx, &iam.ListAttachedUserPoliciesInput{UserName: aws.String("alice")})
	rpOK(t, err)
	ag, err := c.ListAttachedGroupPolicies(ctx, &iam.ListAttachedGroupPoliciesInput{GroupName: aws.String("devs")})
	rpOK(t, err)
	ar, err := c.ListAttachedRolePolicies(ctx, &iam.ListAttachedRolePoliciesInput{RoleName: aws.String("app")})
	rpOK(t, err)
	if len(au.AttachedPolicies) != 1 || len(ag.AttachedPolicies) != 1 || len(ar.AttachedPolicies) != 2 {
		t.Errorf("attached = %d %d %d", len(au.AttachedPolicies), len(ag.AttachedPolicies), len(ar.AttachedPolicies))
	}
	got, err := c.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(ro)})
	rpOK(t, err)
	if aws.ToInt32(got.Policy.AttachmentCount) != 1 {
		t.Errorf("ReadOnlyAccess AttachmentCount = %d", aws.ToInt32(got.Policy.AttachmentCount))
	}
	attached, err := c.ListPolicies(ctx, &iam.ListPoliciesInput{OnlyAttached: true})
	rpOK(t, err)
	if len(attached.Policies) != 2 {
		t.Errorf("ListPolicies(OnlyAttached) = %d", len(attached.Policies))
	}

	_, err = c.PutUserPermissionsBoundary(ctx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("alice"), PermissionsBoundary: aws.String(ro)})
	rpOK(t, err)
	ents, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: arn})
	rpOK(t, err)
	if len(ents.PolicyUsers) != 1 || len(ents.PolicyGroups) != 1 || len(ents.PolicyRoles) != 1 {
		t.Errorf("ListEntitiesForPolicy = %+v", ents)
	}
	bounded, err := c.ListEntitiesForPolicy(ctx, &iam.ListEntitiesForPolicyInput{PolicyArn: aws.String(ro), PolicyUsageFilter: types.PolicyUsageTypePermissionsBoundary})
	rpOK(t, err)
	if len(bounded.PolicyUsers) != 1 || len(bounded.PolicyRoles) != 0 {
		t.Errorf("boundary entities = %+v", bounded)
	}
	_, err = c.DeleteUserPermissionsBoundary(ctx, &iam.DeleteUserPermissionsBoundaryInput{UserName: aws.String("alice")})
	rpOK(t, err)

	_, err = c.DeletePolicy(ctx, &iam.DeletePolicyInput{PolicyArn: arn})
	rpErr(t, err, "DeleteConflict", "Cannot delete a policy attached to entities.")
	_, err = c.DetachUserPolicy(ctx, &iam.DetachUserPolicyInput{UserName: aws.String("alice"), PolicyArn: arn})
	rpOK(t, err)
	_, err = c.DetachGroupPolicy(ctx, &iam.DetachGroupPolicyInput{GroupName: aws.String("devs"), PolicyArn: arn})
	rpOK(t, err)
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: arn})
	rpOK(t, err)
	_, err = c.DetachRolePolicy(ctx, &iam.DetachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: arn})
	rpErr(t, err, "NoSuchEntity", "Policy "+aws.ToString(arn)+" was not found.")

	// Inline policies of each kind of entity.
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("u"), PolicyDocument: aws.String(rpDoc)})
	rpOK(t, err)
	_, err = c.PutGroupPolicy(ctx, &iam.PutGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("g"), PolicyDocument: aws.String(rpDoc)})
	rpOK(t, err)
	_, err = c.PutRolePolicy(ctx, &iam.PutRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("r"), PolicyDocument: aws.String(rpDoc)})
	rpOK(t, err)
	gu, err := c.GetUserPolicy(ctx, &iam.GetUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("u")})
	rpOK(t, err)
	gg, err := c.GetGroupPolicy(ctx, &iam.GetGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("g")})
	rpOK(t, err)
	gr, err := c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("r")})
	rpOK(t, err)
	for _, d := range []*string{gu.PolicyDocument, gg.PolicyDocument, gr.PolicyDocument} {
		if rpDecode(t, d) != rpDoc {
			t.Errorf("inline document = %s", aws.ToString(d))
		}
	}
	lu, err := c.ListUserPolicies(ctx, &iam.ListUserPoliciesInput{UserName: aws.String("alice")})
	rpOK(t, err)
	lg, err := c.ListGroupPolicies(ctx, &iam.ListGroupPoliciesInput{GroupName: aws.String("devs")})
	rpOK(t, err)
	lr, err := c.ListRolePolicies(ctx, &iam.ListRolePoliciesInput{RoleName: aws.String("app")})
	rpOK(t, err)
	if len(lu.PolicyNames)+len(lg.PolicyNames)+len(lr.PolicyNames) != 3 {
		t.Errorf("inline names = %v %v %v", lu.PolicyNames, lg.PolicyNames, lr.PolicyNames)
	}
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("big"), PolicyDocument: aws.String(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 2000) + `"}]}`)})
	rpErr(t, err, "LimitExceeded", "Maximum policy size of 2048 bytes exceeded for user alice")
	_, err = c.GetRolePolicy(ctx, &iam.GetRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("none")})
	rpErr(t, err, "NoSuchEntity", "The role policy with name none cannot be found.")
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("u")})
	rpOK(t, err)
	_, err = c.DeleteGroupPolicy(ctx, &iam.DeleteGroupPolicyInput{GroupName: aws.String("devs"), PolicyName: aws.String("g")})
	rpOK(t, err)
	_, err = c.DeleteRolePolicy(ctx, &iam.DeleteRolePolicyInput{RoleName: aws.String("app"), PolicyName: aws.String("r")})
	rpOK(t, err)
	_, err = c.DeleteUserPolicy(ctx, &iam.DeleteUserPolicyInput{UserName: aws.String("ghost"), PolicyName: aws.String("u")})
	rpErr(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
}

func TestIAMServiceLinkedRoles(t *testing.T) {
	t.Parallel()
	c, ctx := rpClient(t), context.Background()
	out, err := c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("autoscaling.amazonaws.com"), CustomSuffix: aws.String("fleet")})
	rpOK(t, err)
	name := out.Role.RoleName
	if aws.ToString(name) != "AWSServiceRoleForAutoScaling_fleet" || aws.ToString(out.Role.Path) != "/aws-service-role/autoscaling.amazonaws.com/" {
		t.Errorf("CreateServiceLinkedRole = %+v", out.Role)
	}
	_, err = c.CreateServiceLinkedRole(ctx, &iam.CreateServiceLinkedRoleInput{AWSServiceName: aws.String("acm.amazonaws.com"), CustomSuffix: aws.String("x")})
	rpErr(t, err, "InvalidInput", "Custom suffix is not allowed for acm.amazonaws.com")
	_, err = c.DeleteRole(ctx, &iam.DeleteRoleInput{RoleName: name})
	rpErr(t, err, "UnmodifiableEntity", "Cannot perform the operation on the protected role 'AWSServiceRoleForAutoScaling_fleet' - this role is only modifiable by AWS")
	del, err := c.DeleteServiceLinkedRole(ctx, &iam.DeleteServiceLinkedRoleInput{RoleName: name})
	rpOK(t, err)
	if !strings.HasPrefix(aws.ToString(del.DeletionTaskId), "task/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling_fleet/") {
		t.Errorf("DeletionTaskId = %s", aws.ToString(del.DeletionTaskId))
	}
	st, err := c.GetServiceLinkedRoleDeletionStatus(ctx, &iam.GetServiceLinkedRoleDeletionStatusInput{DeletionTaskId: del.DeletionTaskId})
	rpOK(t, err)
	if st.Status != types.DeletionTaskStatusTypeSucceeded {
		t.Errorf("status = %s", st.Status)
	}
}

func TestIAMAuthorizationDetailsAndLastAccessed(t *testing.T) {
	t.Parallel()
	c, ctx := rpClient(t), context.Background()
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	rpOK(t, err)
	_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(rpTrust)})
	rpOK(t, err)
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("alice"), PolicyName: aws.String("s3"), PolicyDocument: aws.String(rpDoc)})
	rpOK(t, err)
	_, err = c.AttachRolePolicy(ctx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AWSLambda_ReadOnlyAccess")})
	rpOK(t, err)

	var users, roles, policies int
	for p := iam.NewGetAccountAuthorizationDetailsPaginator(c, &iam.GetAccountAuthorizationDetailsInput{MaxItems: aws.Int32(1)}); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		rpOK(t, err)
		users += len(page.UserDetailList)
		roles += len(page.RoleDetailList)
		policies += len(page.Policies)
		for _, u := range page.UserDetailList {
			if len(u.UserPolicyList) != 1 || rpDecode(t, u.UserPolicyList[0].PolicyDocument) != rpDoc {
				t.Errorf("user detail = %+v", u)
			}
		}
	}
	if users != 1 || roles != 1 || policies != 1 {
		t.Errorf("details: %d users, %d roles, %d policies", users, roles, policies)
	}

	grant, err := c.ListPoliciesGrantingServiceAccess(ctx, &iam.ListPoliciesGrantingServiceAccessInput{
		Arn: aws.String("arn:aws:iam::123456789012:role/app"), ServiceNamespaces: []string{"lambda", "s3"}})
	rpOK(t, err)
	if len(grant.PoliciesGrantingServiceAccess) != 2 || len(grant.PoliciesGrantingServiceAccess[0].Policies) != 1 ||
		grant.PoliciesGrantingServiceAccess[0].Policies[0].PolicyType != types.PolicyTypeManaged {
		t.Errorf("ListPoliciesGrantingServiceAccess = %+v", grant.PoliciesGrantingServiceAccess)
	}

	job, err := c.GenerateServiceLastAccessedDetails(ctx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String("arn:aws:iam::123456789012:user/alice")})
	rpOK(t, err)
	d, err := c.GetServiceLastAccessedDetails(ctx, &iam.GetServiceLastAccessedDetailsInput{JobId: job.JobId})
	rpOK(t, err)
	if d.JobStatus != types.JobStatusTypeCompleted || len(d.ServicesLastAccessed) != 1 || aws.ToString(d.ServicesLastAccessed[0].ServiceNamespace) != "s3" {
		t.Errorf("GetServiceLastAccessedDetails = %+v", d)
	}
	w, err := c.GetServiceLastAccessedDetailsWithEntities(ctx, &iam.GetServiceLastAccessedDetailsWithEntitiesInput{JobId: job.JobId, ServiceNamespace: aws.String("s3")})
	rpOK(t, err)
	if len(w.EntityDetailsList) != 1 || aws.ToString(w.EntityDetailsList[0].EntityInfo.Name) != "alice" || w.EntityDetailsList[0].EntityInfo.Type != types.PolicyOwnerEntityTypeUser {
		t.Errorf("GetServiceLastAccessedDetailsWithEntities = %+v", w.EntityDetailsList)
	}
}
