package iam

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Test helpers of the roles-and-policies family (prefixed "rp" to stay clear of other families').

const rpAcct = "123456789012"

var rpNow = time.Date(2024, 6, 1, 9, 30, 0, 0, time.UTC)

const rpTrust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
const rpDoc = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}`

type rpEnv struct {
	t   *testing.T
	s   *Service
	db  *storage.DB
	ctx context.Context
}

func newRPEnv(t *testing.T) *rpEnv {
	t.Helper()
	db := storagetest.Open(t)
	s := New(Options{DB: db, Clock: func() time.Time { return rpNow }, IDs: ids.Generator{Src: ids.NewSeeded(42)}})
	ctx := reqctx.With(context.Background(), &reqctx.Info{Now: rpNow, Region: "us-east-1",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: rpAcct, ARN: "arn:aws:iam::" + rpAcct + ":root", UserID: rpAcct}})
	return &rpEnv{t: t, s: s, db: db, ctx: ctx}
}

func rpOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// rpCode is the AWS error code of err ("" for nil).
func rpCode(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("not an AWS error: %v", err)
	}
	return e.Code
}

func rpWant(t *testing.T, err error, code, msg string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("error = %v, want %s", err, code)
	}
	if e.Code != code || msg != "" && e.Message != msg {
		t.Fatalf("error = %s: %q, want %s: %q", e.Code, e.Message, code, msg)
	}
}

func (e *rpEnv) role(name string) *iamapi.Role {
	e.t.Helper()
	out, err := e.s.CreateRole(e.ctx, &iamapi.CreateRoleRequest{RoleName: &name, AssumeRolePolicyDocument: protocol.Ptr(rpTrust)})
	rpOK(e.t, err)
	return out.Role
}

func (e *rpEnv) policy(name string) string {
	e.t.Helper()
	out, err := e.s.CreatePolicy(e.ctx, &iamapi.CreatePolicyRequest{PolicyName: &name, PolicyDocument: protocol.Ptr(rpDoc)})
	rpOK(e.t, err)
	return *out.Policy.Arn
}

// user and group write records directly: users and groups belong to the identities family.
func (e *rpEnv) user(name string) {
	e.t.Helper()
	rpOK(e.t, e.db.Update(rpAcct, func(tx *storage.Tx) error {
		return storage.Users(tx).Insert(storage.Key(name), storage.UserRecord{V: 1, Name: name, ID: "AIDA" + name, Path: "/", Created: rpNow})
	}))
}

func (e *rpEnv) group(name string, members ...string) {
	e.t.Helper()
	rpOK(e.t, e.db.Update(rpAcct, func(tx *storage.Tx) error {
		if err := storage.Groups(tx).Insert(storage.Key(name), storage.GroupRecord{V: 1, Name: name, ID: "AGPA" + name, Path: "/", Created: rpNow}); err != nil {
			return err
		}
		for _, u := range members {
			if err := storage.UserScope(tx, u).JoinGroup(storage.MembershipRecord{V: 1, User: u, Group: name}); err != nil {
				return err
			}
		}
		return nil
	}))
}

func decoded(t *testing.T, s *string) string {
	t.Helper()
	d, err := url.QueryUnescape(protocol.Val(s))
	rpOK(t, err)
	return d
}

func TestCreateRole(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	boundary := e.policy("boundary")
	tests := []struct {
		name string
		in   iamapi.CreateRoleRequest
		code string
		msg  string
	}{
		{name: "defaults", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r1"), AssumeRolePolicyDocument: protocol.Ptr(rpTrust)}},
		{name: "duplicate name differs in case", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("R1"), AssumeRolePolicyDocument: protocol.Ptr(rpTrust)},
			code: "EntityAlreadyExists", msg: "Role with name R1 already exists."},
		{name: "invalid json", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r2"), AssumeRolePolicyDocument: protocol.Ptr("{")},
			code: "MalformedPolicyDocument", msg: "This policy contains invalid Json"},
		{name: "trust policy with Resource", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r2"), AssumeRolePolicyDocument: protocol.Ptr(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Resource":"*"}]}`)},
			code: "MalformedPolicyDocument", msg: "Has prohibited field Resource"},
		{name: "missing principal of this account", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r2"), AssumeRolePolicyDocument: protocol.Ptr(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:user/ghost"},"Action":"sts:AssumeRole"}]}`)},
			code: "MalformedPolicyDocument", msg: `Invalid principal in policy: "AWS":"arn:aws:iam::123456789012:user/ghost"`},
		{name: "other account principal accepted", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r3"), AssumeRolePolicyDocument: protocol.Ptr(
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:user/x"},"Action":"sts:AssumeRole"}]}`)}},
		{name: "boundary not a policy", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r4"), AssumeRolePolicyDocument: protocol.Ptr(rpTrust),
			PermissionsBoundary: protocol.Ptr("arn:aws:iam::123456789012:not_a_policy/invalid")},
			code: "InvalidInput", msg: "ARN arn:aws:iam::123456789012:not_a_policy/invalid is not valid."},
		{name: "boundary missing", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r4"), AssumeRolePolicyDocument: protocol.Ptr(rpTrust),
			PermissionsBoundary: protocol.Ptr("arn:aws:iam::123456789012:policy/nope")},
			code: "NoSuchEntity", msg: "Scope ARN: arn:aws:iam::123456789012:policy/nope does not exist or is not attachable."},
		{name: "boundary ok", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r5"), AssumeRolePolicyDocument: protocol.Ptr(rpTrust), PermissionsBoundary: &boundary}},
		{name: "aws managed boundary ok", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r6"), AssumeRolePolicyDocument: protocol.Ptr(rpTrust),
			PermissionsBoundary: protocol.Ptr("arn:aws:iam::aws:policy/PowerUserAccess")}},
		{name: "duplicate tags without case", in: iamapi.CreateRoleRequest{RoleName: protocol.Ptr("r7"), AssumeRolePolicyDocument: protocol.Ptr(rpTrust),
			Tags: []iamapi.Tag{{Key: protocol.Ptr("mykey"), Value: protocol.Ptr("1")}, {Key: protocol.Ptr("MyKey"), Value: protocol.Ptr("2")}}},
			code: "InvalidInput", msg: "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
	}
	for _, tt := range tests { // sequential: cases build on the same account
		_, err := e.s.CreateRole(e.ctx, &tt.in)
		if tt.code == "" {
			rpOK(t, err)
			continue
		}
		if err == nil {
			t.Fatalf("%s: no error, want %s", tt.name, tt.code)
		}
		rpWant(t, err, tt.code, tt.msg)
	}
}

func TestCreateRoleTrustPolicySize(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	big := `{"Version":"2012-10-17","Statement":[`
	for i := 0; i < 40; i++ {
		if i > 0 {
			big += ","
		}
		big += `{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}`
	}
	big += `]}`
	_, err := e.s.CreateRole(e.ctx, &iamapi.CreateRoleRequest{RoleName: protocol.Ptr("big"), AssumeRolePolicyDocument: &big})
	rpWant(t, err, "LimitExceeded", "Cannot exceed quota for ACLSizePerRole: 2048")
}

// TestRoleViews checks the members each operation returns (recorded AWS responses).
func TestRoleViews(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	created, err := e.s.CreateRole(e.ctx, &iamapi.CreateRoleRequest{RoleName: protocol.Ptr("web"), Path: protocol.Ptr("/app/"),
		AssumeRolePolicyDocument: protocol.Ptr(rpTrust), Description: protocol.Ptr("d"),
		Tags: []iamapi.Tag{{Key: protocol.Ptr("b"), Value: protocol.Ptr("2")}, {Key: protocol.Ptr("a"), Value: protocol.Ptr("1")}}})
	rpOK(t, err)
	c := created.Role
	if c.Description != nil || c.MaxSessionDuration != nil || c.RoleLastUsed != nil {
		t.Errorf("CreateRole returned Description/MaxSessionDuration/RoleLastUsed: %+v", c)
	}
	if *c.Arn != "arn:aws:iam::123456789012:role/app/web" || len(*c.RoleId) != 21 || (*c.RoleId)[:4] != "AROA" {
		t.Errorf("CreateRole ARN/id = %s %s", *c.Arn, *c.RoleId)
	}
	if len(c.Tags) != 2 || *c.Tags[0].Key != "b" {
		t.Errorf("CreateRole tags not echoed in request order: %v", c.Tags)
	}
	if decoded(t, c.AssumeRolePolicyDocument) != rpTrust {
		t.Errorf("trust policy does not round-trip")
	}
	if got := *c.AssumeRolePolicyDocument; got[:9] != "%7B%22Ver" {
		t.Errorf("trust policy not URL-encoded: %s", got)
	}

	g, err := e.s.GetRole(e.ctx, &iamapi.GetRoleRequest{RoleName: protocol.Ptr("WEB")})
	rpOK(t, err)
	r := g.Role
	if *r.RoleName != "web" || protocol.Val(r.Description) != "d" || protocol.Val(r.MaxSessionDuration) != 3600 || r.RoleLastUsed == nil {
		t.Errorf("GetRole = %+v", r)
	}
	if len(r.Tags) != 2 || *r.Tags[0].Key != "a" {
		t.Errorf("GetRole tags not sorted: %v", r.Tags)
	}

	l, err := e.s.ListRoles(e.ctx, &iamapi.ListRolesRequest{PathPrefix: protocol.Ptr("/app/")})
	rpOK(t, err)
	if len(l.Roles) != 1 || l.Roles[0].Tags != nil || l.Roles[0].RoleLastUsed != nil || l.Roles[0].MaxSessionDuration == nil {
		t.Errorf("ListRoles = %+v", l.Roles)
	}
	l, err = e.s.ListRoles(e.ctx, &iamapi.ListRolesRequest{PathPrefix: protocol.Ptr("/other/")})
	rpOK(t, err)
	if l.Roles == nil || len(l.Roles) != 0 || *l.IsTruncated {
		t.Errorf("ListRoles(/other/) = %+v", l)
	}
}

func TestUpdateRole(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	e.role("r")
	_, err := e.s.UpdateRole(e.ctx, &iamapi.UpdateRoleRequest{RoleName: protocol.Ptr("r"), Description: protocol.Ptr("one"), MaxSessionDuration: protocol.Ptr(int32(7200))})
	rpOK(t, err)
	_, err = e.s.UpdateRole(e.ctx, &iamapi.UpdateRoleRequest{RoleName: protocol.Ptr("r")}) // nothing given: nothing changes
	rpOK(t, err)
	d, err := e.s.UpdateRoleDescription(e.ctx, &iamapi.UpdateRoleDescriptionRequest{RoleName: protocol.Ptr("r"), Description: protocol.Ptr("two")})
	rpOK(t, err)
	if protocol.Val(d.Role.Description) != "two" || d.Role.MaxSessionDuration != nil {
		t.Errorf("UpdateRoleDescription = %+v", d.Role)
	}
	g, _ := e.s.GetRole(e.ctx, &iamapi.GetRoleRequest{RoleName: protocol.Ptr("r")})
	if protocol.Val(g.Role.Description) != "two" || *g.Role.MaxSessionDuration != 7200 {
		t.Errorf("GetRole after updates = %+v", g.Role)
	}
	_, err = e.s.UpdateRole(e.ctx, &iamapi.UpdateRoleRequest{RoleName: protocol.Ptr("ghost")})
	rpWant(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")

	trust2 := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	_, err = e.s.UpdateAssumeRolePolicy(e.ctx, &iamapi.UpdateAssumeRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyDocument: &trust2})
	rpOK(t, err)
	g, _ = e.s.GetRole(e.ctx, &iamapi.GetRoleRequest{RoleName: protocol.Ptr("r")})
	if decoded(t, g.Role.AssumeRolePolicyDocument) != trust2 {
		t.Errorf("trust policy not updated")
	}
	_, err = e.s.UpdateAssumeRolePolicy(e.ctx, &iamapi.UpdateAssumeRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyDocument: protocol.Ptr(
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"s3:GetObject"}]}`)})
	rpWant(t, err, "MalformedPolicyDocument", "AssumeRole policy may only specify STS AssumeRole actions.")
}

func TestDeleteRoleConflicts(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	e.role("r")
	arn := e.policy("p")
	_, err := e.s.AttachRolePolicy(e.ctx, &iamapi.AttachRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyArn: &arn})
	rpOK(t, err)
	_, err = e.s.PutRolePolicy(e.ctx, &iamapi.PutRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyName: protocol.Ptr("in"), PolicyDocument: protocol.Ptr(rpDoc)})
	rpOK(t, err)
	_, err = e.s.CreateInstanceProfile(e.ctx, &iamapi.CreateInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip")})
	rpOK(t, err)
	_, err = e.s.AddRoleToInstanceProfile(e.ctx, &iamapi.AddRoleToInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip"), RoleName: protocol.Ptr("r")})
	rpOK(t, err)

	del := func() error {
		_, err := e.s.DeleteRole(e.ctx, &iamapi.DeleteRoleRequest{RoleName: protocol.Ptr("r")})
		return err
	}
	rpWant(t, del(), "DeleteConflict", "Cannot delete entity, must detach all policies first.")
	_, err = e.s.DetachRolePolicy(e.ctx, &iamapi.DetachRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyArn: &arn})
	rpOK(t, err)
	rpWant(t, del(), "DeleteConflict", "Cannot delete entity, must delete policies first.")
	_, err = e.s.DeleteRolePolicy(e.ctx, &iamapi.DeleteRolePolicyRequest{RoleName: protocol.Ptr("r"), PolicyName: protocol.Ptr("in")})
	rpOK(t, err)
	rpWant(t, del(), "DeleteConflict", "Cannot delete entity, must remove roles from instance profile first.")
	_, err = e.s.RemoveRoleFromInstanceProfile(e.ctx, &iamapi.RemoveRoleFromInstanceProfileRequest{InstanceProfileName: protocol.Ptr("ip"), RoleName: protocol.Ptr("r")})
	rpOK(t, err)
	rpOK(t, del())
	rpWant(t, del(), "NoSuchEntity", "The role with name r cannot be found.")
}

func TestListRolesPagination(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	for _, n := range []string{"c", "A", "b", "D", "e"} {
		e.role(n)
	}
	var names []string
	var marker *string
	for {
		out, err := e.s.ListRoles(e.ctx, &iamapi.ListRolesRequest{MaxItems: protocol.Ptr(int32(2)), Marker: marker})
		rpOK(t, err)
		for _, r := range out.Roles {
			names = append(names, *r.RoleName)
		}
		if !*out.IsTruncated {
			if out.Marker != nil {
				t.Fatal("marker on the last page")
			}
			break
		}
		marker = out.Marker
	}
	if got := join(names); got != "A,b,c,D,e" {
		t.Errorf("roles = %s, want case-insensitive name order", got)
	}
}

func join(ss []string) string {
	out := ""
	for i, s := range ss {
		if i > 0 {
			out += ","
		}
		out += s
	}
	return out
}

func TestRoleTags(t *testing.T) {
	t.Parallel()
	e := newRPEnv(t)
	e.role("r")
	tag := func(kv ...string) []iamapi.Tag {
		var out []iamapi.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, iamapi.Tag{Key: protocol.Ptr(kv[i]), Value: protocol.Ptr(kv[i+1])})
		}
		return out
	}
	list := func() string {
		out, err := e.s.ListRoleTags(e.ctx, &iamapi.ListRoleTagsRequest{RoleName: protocol.Ptr("r")})
		rpOK(t, err)
		s := ""
		for _, t := range out.Tags {
			s += *t.Key + "=" + *t.Value + ";"
		}
		return s
	}
	_, err := e.s.TagRole(e.ctx, &iamapi.TagRoleRequest{RoleName: protocol.Ptr("r"), Tags: tag("somekey", "somevalue", "someotherkey", "someothervalue")})
	rpOK(t, err)
	if got := list(); got != "somekey=somevalue;someotherkey=someothervalue;" {
		t.Errorf("tags = %s", got)
	}
	_, err = e.s.TagRole(e.ctx, &iamapi.TagRoleRequest{RoleName: protocol.Ptr("r"), Tags: tag("SOMEKEY", "")})
	rpOK(t, err)
	if got := list(); got != "SOMEKEY=;someotherkey=someothervalue;" {
		t.Errorf("tags after case-insensitive replace = %s", got)
	}
	_, err = e.s.UntagRole(e.ctx, &iamapi.UntagRoleRequest{RoleName: protocol.Ptr("r"), TagKeys: []string{"somekey", "absent"}})
	rpOK(t, err)
	if got := list(); got != "someotherkey=someothervalue;" {
		t.Errorf("tags after untag = %s", got)
	}
	var many []iamapi.Tag
	for i := 0; i < 50; i++ {
		many = append(many, iamapi.Tag{Key: protocol.Ptr(string(rune('A'+i%26)) + string(rune('a'+i/26))), Value: protocol.Ptr("v")})
	}
	_, err = e.s.TagRole(e.ctx, &iamapi.TagRoleRequest{RoleName: protocol.Ptr("r"), Tags: many})
	rpWant(t, err, "LimitExceeded", "")
	_, err = e.s.TagRole(e.ctx, &iamapi.TagRoleRequest{RoleName: protocol.Ptr("ghost"), Tags: tag("a", "b")})
	rpWant(t, err, "NoSuchEntity", "The role with name ghost cannot be found.")
	out, err := e.s.ListRoleTags(e.ctx, &iamapi.ListRoleTagsRequest{RoleName: protocol.Ptr("r"), MaxItems: protocol.Ptr(int32(1))})
	rpOK(t, err)
	if len(out.Tags) != 1 || *out.IsTruncated {
		t.Errorf("ListRoleTags page = %+v", out)
	}
}
