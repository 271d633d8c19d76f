package iam

import (
	"context"
	"errors"
	"strings"
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

// Test helpers of the identities family (prefixed "id" to stay clear of other families').

const idAcct = "123456789012"

var idNow = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC)

type idEnv struct {
	t    *testing.T
	s    *Service
	db   *storage.DB
	now  time.Time
	root context.Context
}

func newIDEnv(t *testing.T) *idEnv {
	t.Helper()
	db := storagetest.Open(t)
	e := &idEnv{t: t, db: db, now: idNow,
		s: New(Options{DB: db, Clock: func() time.Time { return idNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)}})}
	e.root = e.ctx(reqctx.Caller{Type: reqctx.Account, Account: idAcct, ARN: "arn:aws:iam::" + idAcct + ":root", UserID: idAcct})
	return e
}

func (e *idEnv) ctx(c reqctx.Caller) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Caller: c, Now: e.now, Region: "us-east-1"})
}

// at is the root context at another time.
func (e *idEnv) at(t time.Time) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{Caller: reqctx.From(e.root).Caller, Now: t})
}

func (e *idEnv) asUser(name string) context.Context {
	return e.ctx(reqctx.Caller{Type: reqctx.User, Account: idAcct, UserName: name,
		ARN: "arn:aws:iam::" + idAcct + ":user/" + name})
}

func (e *idEnv) asRole() context.Context {
	return e.ctx(reqctx.Caller{Type: reqctx.AssumedRole, Account: idAcct, RoleName: "r",
		ARN: "arn:aws:sts::" + idAcct + ":assumed-role/r/s"})
}

func (e *idEnv) user(name string) *iamapi.User {
	e.t.Helper()
	out, err := e.s.CreateUser(e.root, &iamapi.CreateUserRequest{UserName: &name})
	idOK(e.t, err)
	return out.User
}

func (e *idEnv) group(name string) {
	e.t.Helper()
	_, err := e.s.CreateGroup(e.root, &iamapi.CreateGroupRequest{GroupName: &name})
	idOK(e.t, err)
}

func (e *idEnv) tx(fn func(tx *storage.Tx) error) {
	e.t.Helper()
	idOK(e.t, e.db.Update(idAcct, fn))
}

func idOK(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("unexpected error: %v", err)
	}
}

// idCode asserts an AWS error code and, when given, its exact message.
func idCode(t *testing.T, err error, code string, msg ...string) {
	t.Helper()
	e, ok := awserr.As(err)
	if !ok {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if e.Code != code {
		t.Fatalf("code = %s (%s), want %s", e.Code, e.Message, code)
	}
	if len(msg) > 0 && e.Message != msg[0] {
		t.Fatalf("message = %q, want %q", e.Message, msg[0])
	}
}

func idp[T any](v T) *T { return protocol.Ptr(v) }

func TestUserLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	out, err := e.s.CreateUser(e.root, &iamapi.CreateUserRequest{UserName: idp("Alice"), Path: idp("/eng/"),
		Tags: []iamapi.Tag{{Key: idp("team"), Value: idp("core")}}})
	idOK(t, err)
	u := out.User
	if *u.Arn != "arn:aws:iam::123456789012:user/eng/Alice" || *u.Path != "/eng/" || !strings.HasPrefix(*u.UserId, "AIDA") ||
		len(*u.UserId) != 21 || !u.CreateDate.Equal(idNow) || len(u.Tags) != 1 {
		t.Fatalf("CreateUser = %+v", u)
	}
	// Names are unique without case and looked up without case; the display name is kept.
	_, err = e.s.CreateUser(e.root, &iamapi.CreateUserRequest{UserName: idp("ALICE")})
	idCode(t, err, "EntityAlreadyExists", "User with name ALICE already exists.")
	got, err := e.s.GetUser(e.root, &iamapi.GetUserRequest{UserName: idp("alice")})
	idOK(t, err)
	if *got.User.UserName != "Alice" || *got.User.UserId != *u.UserId || len(got.User.Tags) != 1 {
		t.Fatalf("GetUser = %+v", got.User)
	}
	list, err := e.s.ListUsers(e.root, &iamapi.ListUsersRequest{})
	idOK(t, err)
	if len(list.Users) != 1 || list.Users[0].Tags != nil || *list.IsTruncated || list.Marker != nil {
		t.Fatalf("ListUsers = %+v (ListUsers leaves tags out)", list)
	}
	_, err = e.s.DeleteUser(e.root, &iamapi.DeleteUserRequest{UserName: idp("alice")})
	idOK(t, err)
	_, err = e.s.GetUser(e.root, &iamapi.GetUserRequest{UserName: idp("Alice")})
	idCode(t, err, "NoSuchEntity", "The user with name Alice cannot be found.")
	_, err = e.s.DeleteUser(e.root, &iamapi.DeleteUserRequest{UserName: idp("Alice")})
	idCode(t, err, "NoSuchEntity")
}

func TestCreateUserPermissionsBoundary(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	tests := []struct {
		arn, code string
	}{
		{"arn:aws:iam::aws:policy/AdministratorAccess", ""},
		{"arn:aws:iam::aws:policy/NoSuchManagedPolicy", "NoSuchEntity"},
		{"arn:aws:iam::123456789012:policy/missing", "NoSuchEntity"},
		{"not-an-arn-at-all-really", "InvalidInput"},
	}
	for i, tc := range tests {
		out, err := e.s.CreateUser(e.root, &iamapi.CreateUserRequest{UserName: idp("u" + string(rune('a'+i))), PermissionsBoundary: &tc.arn})
		if tc.code != "" {
			idCode(t, err, tc.code)
			continue
		}
		idOK(t, err)
		if pb := out.User.PermissionsBoundary; pb == nil || *pb.PermissionsBoundaryArn != tc.arn || *pb.PermissionsBoundaryType != "PermissionsBoundaryPolicy" {
			t.Fatalf("boundary = %+v", pb)
		}
	}
	_, err := e.s.CreateUser(e.root, &iamapi.CreateUserRequest{UserName: idp("x"), PermissionsBoundary: idp("arn:aws:iam::123456789012:policy/missing")})
	idCode(t, err, "NoSuchEntity", "Scope ARN: arn:aws:iam::123456789012:policy/missing does not exist or is not attachable.")
}

// GetUser without UserName describes the caller; the root user has the account id as UserId
// and no UserName; roles must name a user.
func TestGetUserCaller(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("bob")
	root, err := e.s.GetUser(e.root, &iamapi.GetUserRequest{})
	idOK(t, err)
	if *root.User.Arn != "arn:aws:iam::123456789012:root" || *root.User.UserId != idAcct || root.User.UserName != nil || root.User.CreateDate == nil {
		t.Fatalf("root GetUser = %+v", root.User)
	}
	me, err := e.s.GetUser(e.asUser("bob"), &iamapi.GetUserRequest{})
	idOK(t, err)
	if *me.User.UserName != "bob" {
		t.Fatalf("user GetUser = %+v", me.User)
	}
	_, err = e.s.GetUser(e.asRole(), &iamapi.GetUserRequest{})
	idCode(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")
}

func TestListUsersPathPrefixAndPages(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	for _, n := range []string{"c", "a", "b", "d", "e"} {
		path := "/x/"
		if n == "e" {
			path = "/y/"
		}
		_, err := e.s.CreateUser(e.root, &iamapi.CreateUserRequest{UserName: idp(n), Path: &path})
		idOK(t, err)
	}
	var names []string
	var marker *string
	for {
		out, err := e.s.ListUsers(e.root, &iamapi.ListUsersRequest{PathPrefix: idp("/x"), MaxItems: idp(int32(3)), Marker: marker})
		idOK(t, err)
		for _, u := range out.Users {
			names = append(names, *u.UserName)
		}
		if !*out.IsTruncated {
			break
		}
		marker = out.Marker
	}
	if strings.Join(names, ",") != "a,b,c,d" {
		t.Fatalf("users = %v", names)
	}
	_, err := e.s.ListUsers(e.root, &iamapi.ListUsersRequest{Marker: idp("bogus")})
	idCode(t, err, "ValidationError", "Invalid Marker.")
}

func TestUserTags(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("t")
	tag := func(kv ...string) []iamapi.Tag {
		var out []iamapi.Tag
		for i := 0; i < len(kv); i += 2 {
			out = append(out, iamapi.Tag{Key: idp(kv[i]), Value: idp(kv[i+1])})
		}
		return out
	}
	_, err := e.s.TagUser(e.root, &iamapi.TagUserRequest{UserName: idp("t"), Tags: tag("k1", "v1", "k2", "v2")})
	idOK(t, err)
	// User tag keys are case-insensitive: Department replaces department.
	_, err = e.s.TagUser(e.root, &iamapi.TagUserRequest{UserName: idp("t"), Tags: tag("K1", "new")})
	idOK(t, err)
	_, err = e.s.TagUser(e.root, &iamapi.TagUserRequest{UserName: idp("t"), Tags: tag("a", "1", "A", "2")})
	idCode(t, err, "InvalidInput")
	_, err = e.s.UntagUser(e.root, &iamapi.UntagUserRequest{UserName: idp("t"), TagKeys: []string{"k2", "absent"}})
	idOK(t, err)
	out, err := e.s.ListUserTags(e.root, &iamapi.ListUserTagsRequest{UserName: idp("t")})
	idOK(t, err)
	if len(out.Tags) != 1 || *out.Tags[0].Key != "K1" || *out.Tags[0].Value != "new" {
		t.Fatalf("tags = %+v", out.Tags)
	}
	var many []iamapi.Tag
	for i := range 50 {
		many = append(many, iamapi.Tag{Key: idp(string(rune('a'+i%26)) + strings.Repeat("x", i)), Value: idp("")})
	}
	_, err = e.s.TagUser(e.root, &iamapi.TagUserRequest{UserName: idp("t"), Tags: many})
	idCode(t, err, "LimitExceeded")
	for _, op := range []func() error{
		func() error {
			_, err := e.s.TagUser(e.root, &iamapi.TagUserRequest{UserName: idp("nope"), Tags: tag("a", "b")})
			return err
		},
		func() error {
			_, err := e.s.UntagUser(e.root, &iamapi.UntagUserRequest{UserName: idp("nope"), TagKeys: []string{"a"}})
			return err
		},
		func() error {
			_, err := e.s.ListUserTags(e.root, &iamapi.ListUserTagsRequest{UserName: idp("nope")})
			return err
		},
	} {
		idCode(t, op(), "NoSuchEntity", "The user with name nope cannot be found.")
	}
	empty, err := e.s.ListUserTags(e.root, &iamapi.ListUserTagsRequest{UserName: idp("t"), MaxItems: idp(int32(1))})
	idOK(t, err)
	if empty.Tags == nil {
		t.Fatal("ListUserTags must answer a list")
	}
}

// A rename carries every record keyed by the user's name (localstack TestUserRename recorded
// against AWS: keys, login profile, SSH keys, MFA and service credentials follow the user;
// the service user name keeps the old name).
func TestUpdateUserRenameMovesEverything(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("old")
	e.group("g")
	_, err := e.s.AddUserToGroup(e.root, &iamapi.AddUserToGroupRequest{GroupName: idp("g"), UserName: idp("old")})
	idOK(t, err)
	key, err := e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("old")})
	idOK(t, err)
	_, err = e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("old"), Password: idp("Passw0rd!x")})
	idOK(t, err)
	cred, err := e.s.CreateServiceSpecificCredential(e.root, &iamapi.CreateServiceSpecificCredentialRequest{UserName: idp("old"), ServiceName: idp("codecommit.amazonaws.com")})
	idOK(t, err)
	serial := e.enabledMFA("old", "dev")
	e.tx(func(tx *storage.Tx) error {
		return errors.Join(
			storage.UserScope(tx, "old").InlinePolicies().Put("p", storage.InlinePolicyRecord{Name: "p", Document: "{}"}),
			storage.UserScope(tx, "old").Attachments().Put("arn:x", storage.AttachmentRecord{PolicyARN: "arn:x"}),
		)
	})

	_, err = e.s.UpdateUser(e.root, &iamapi.UpdateUserRequest{UserName: idp("old"), NewUserName: idp("New"), NewPath: idp("/p/")})
	idOK(t, err)
	got, err := e.s.GetUser(e.root, &iamapi.GetUserRequest{UserName: idp("new")})
	idOK(t, err)
	if *got.User.Arn != "arn:aws:iam::123456789012:user/p/New" {
		t.Fatalf("renamed user = %+v", got.User)
	}
	keys, err := e.s.ListAccessKeys(e.root, &iamapi.ListAccessKeysRequest{UserName: idp("New")})
	idOK(t, err)
	if len(keys.AccessKeyMetadata) != 1 || *keys.AccessKeyMetadata[0].UserName != "New" || *keys.AccessKeyMetadata[0].AccessKeyId != *key.AccessKey.AccessKeyId {
		t.Fatalf("keys after rename = %+v", keys.AccessKeyMetadata)
	}
	groups, err := e.s.ListGroupsForUser(e.root, &iamapi.ListGroupsForUserRequest{UserName: idp("New")})
	idOK(t, err)
	members, err := e.s.GetGroup(e.root, &iamapi.GetGroupRequest{GroupName: idp("g")})
	idOK(t, err)
	if len(groups.Groups) != 1 || len(members.Users) != 1 || *members.Users[0].UserName != "New" {
		t.Fatalf("membership after rename: %+v / %+v", groups.Groups, members.Users)
	}
	lp, err := e.s.GetLoginProfile(e.root, &iamapi.GetLoginProfileRequest{UserName: idp("New")})
	idOK(t, err)
	if *lp.LoginProfile.UserName != "New" {
		t.Fatalf("login profile = %+v", lp.LoginProfile)
	}
	mfa, err := e.s.ListMFADevices(e.root, &iamapi.ListMFADevicesRequest{UserName: idp("New")})
	idOK(t, err)
	if len(mfa.MFADevices) != 1 || *mfa.MFADevices[0].SerialNumber != serial || *mfa.MFADevices[0].UserName != "New" {
		t.Fatalf("mfa = %+v", mfa.MFADevices)
	}
	creds, err := e.s.ListServiceSpecificCredentials(e.root, &iamapi.ListServiceSpecificCredentialsRequest{UserName: idp("New")})
	idOK(t, err)
	if len(creds.ServiceSpecificCredentials) != 1 || *creds.ServiceSpecificCredentials[0].ServiceUserName != *cred.ServiceSpecificCredential.ServiceUserName ||
		*creds.ServiceSpecificCredentials[0].UserName != "New" {
		t.Fatalf("creds = %+v", creds.ServiceSpecificCredentials)
	}
	e.tx(func(tx *storage.Tx) error {
		if !storage.UserScope(tx, "new").InlinePolicies().Has("p") ||
			!storage.UserScope(tx, "new").Attachments().Has("arn:x") ||
			storage.UserScope(tx, "old").InlinePolicies().Count() != 0 {
			t.Fatal("policies did not follow the rename")
		}
		k, err := storage.AccessKeys(tx).Get(*key.AccessKey.AccessKeyId)
		if err != nil || k.UserName != "New" {
			t.Fatalf("global access key index = %+v, %v", k, err)
		}
		return nil
	})
	_, err = e.s.GetUser(e.root, &iamapi.GetUserRequest{UserName: idp("old")})
	idCode(t, err, "NoSuchEntity")

	// A case-only rename keeps the records in place; a rename onto another user is refused.
	_, err = e.s.UpdateUser(e.root, &iamapi.UpdateUserRequest{UserName: idp("new"), NewUserName: idp("NEW")})
	idOK(t, err)
	e.user("other")
	_, err = e.s.UpdateUser(e.root, &iamapi.UpdateUserRequest{UserName: idp("NEW"), NewUserName: idp("Other")})
	idCode(t, err, "EntityAlreadyExists", "User with name Other already exists.")
	_, err = e.s.UpdateUser(e.root, &iamapi.UpdateUserRequest{UserName: idp("ghost"), NewUserName: idp("x")})
	idCode(t, err, "NoSuchEntity", "The user with name ghost cannot be found.")
}

// DeleteUser refuses while anything hangs off the user, with AWS's text for each kind.
func TestDeleteUserConflicts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(e *idEnv)
		msg   string
	}{
		{"inline policy", func(e *idEnv) {
			e.tx(func(tx *storage.Tx) error {
				return storage.UserScope(tx, "u").InlinePolicies().Put("p", storage.InlinePolicyRecord{Name: "p"})
			})
		}, "Cannot delete entity, must delete policies first."},
		{"attached policy", func(e *idEnv) {
			e.tx(func(tx *storage.Tx) error {
				return storage.UserScope(tx, "u").Attachments().Put("arn:p", storage.AttachmentRecord{PolicyARN: "arn:p"})
			})
		}, "Cannot delete entity, must detach all policies first."},
		{"group", func(e *idEnv) {
			e.group("g")
			_, err := e.s.AddUserToGroup(e.root, &iamapi.AddUserToGroupRequest{GroupName: idp("g"), UserName: idp("u")})
			idOK(e.t, err)
		}, "Cannot delete entity, must remove users from group first."},
		{"login profile", func(e *idEnv) {
			_, err := e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("u"), Password: idp("Passw0rd!x")})
			idOK(e.t, err)
		}, "Cannot delete entity, must delete login profile first."},
		{"access key", func(e *idEnv) {
			_, err := e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("u")})
			idOK(e.t, err)
		}, "Cannot delete entity, must delete access keys first."},
		{"mfa", func(e *idEnv) { e.enabledMFA("u", "d") }, "Cannot delete entity, must delete MFA device first."},
		{"ssh key", func(e *idEnv) {
			_, err := e.s.UploadSSHPublicKey(e.root, &iamapi.UploadSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyBody: idp(testSSHKey(e.t))})
			idOK(e.t, err)
		}, "Cannot delete entity, must remove referenced objects first."},
		{"service credential", func(e *idEnv) {
			_, err := e.s.CreateServiceSpecificCredential(e.root, &iamapi.CreateServiceSpecificCredentialRequest{UserName: idp("u"), ServiceName: idp("cassandra.amazonaws.com")})
			idOK(e.t, err)
		}, "Cannot delete entity, must remove referenced objects first."},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newIDEnv(t)
			e.user("u")
			tc.setup(e)
			_, err := e.s.DeleteUser(e.root, &iamapi.DeleteUserRequest{UserName: idp("u")})
			idCode(t, err, "DeleteConflict", tc.msg)
		})
	}
	// A permissions boundary does not block deletion.
	e := newIDEnv(t)
	_, err := e.s.CreateUser(e.root, &iamapi.CreateUserRequest{UserName: idp("b"), PermissionsBoundary: idp("arn:aws:iam::aws:policy/ReadOnlyAccess")})
	idOK(t, err)
	_, err = e.s.DeleteUser(e.root, &iamapi.DeleteUserRequest{UserName: idp("b")})
	idOK(t, err)
}

// A rename moves only the renamed user's membership: a fellow member whose name starts with the
// old name keeps hers (a prefix move once carried "bob2" along with "bob").
func TestUpdateUserRenameLeavesOtherMembers(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.group("g")
	for _, u := range []string{"bob", "bob2"} {
		e.user(u)
		_, err := e.s.AddUserToGroup(e.root, &iamapi.AddUserToGroupRequest{GroupName: idp("g"), UserName: idp(u)})
		idOK(t, err)
	}
	_, err := e.s.UpdateUser(e.root, &iamapi.UpdateUserRequest{UserName: idp("bob"), NewUserName: idp("ann")})
	idOK(t, err)
	members, err := e.s.GetGroup(e.root, &iamapi.GetGroupRequest{GroupName: idp("g")})
	idOK(t, err)
	if got := strings.Join(userNames(members.Users), ","); got != "ann,bob2" {
		t.Fatalf("members after rename = %s", got)
	}
	groups, err := e.s.ListGroupsForUser(e.root, &iamapi.ListGroupsForUserRequest{UserName: idp("bob2")})
	idOK(t, err)
	if len(groups.Groups) != 1 {
		t.Fatalf("bob2's groups = %+v", groups.Groups)
	}
}
