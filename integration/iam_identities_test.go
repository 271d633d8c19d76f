package integration

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base32"
	"encoding/binary"
	"encoding/csv"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The IAM identities family driven through aws-sdk-go-v2: users, groups, access keys, login
// profiles and the password policy, virtual MFA devices, SSH keys, signing certificates,
// service-specific credentials, account aliases, the account summary and credential reports.

type idFixture struct {
	t     *testing.T
	srv   *emulatortest.Server
	admin *iam.Client
	acct  string
	ctx   context.Context
}

func newIDFixture(t *testing.T) *idFixture {
	t.Helper()
	srv := emulatortest.New(t)
	ctx := context.Background()
	return &idFixture{t: t, srv: srv, admin: iam.NewFromConfig(srv.AWSConfig(ctx)), acct: srv.Root.ID, ctx: ctx}
}

// idErr asserts an API error code and, when msg is not empty, its exact message.
func idErr(t *testing.T, err error, code, msg string) {
	t.Helper()
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v, want %s", err, code)
	}
	if ae.ErrorCode() != code || (msg != "" && ae.ErrorMessage() != msg) {
		t.Fatalf("error = %s: %s, want %s: %s", ae.ErrorCode(), ae.ErrorMessage(), code, msg)
	}
}

func idMust[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// adminUser creates a user allowed everything, with an access key, and returns its config.
func (f *idFixture) adminUser(name string) aws.Config {
	f.t.Helper()
	cfg := newUser(f.t, f.srv, f.admin, name)
	putUserPolicy(f.t, f.admin, name, "all", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`)
	return cfg
}

func TestIAMIdentityUsersAndGroups(t *testing.T) {
	t.Parallel()
	f := newIDFixture(t)
	ctx, c := f.ctx, f.admin
	created := idMust[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("Alice"), Path: aws.String("/eng/"),
		PermissionsBoundary: aws.String("arn:aws:iam::aws:policy/ReadOnlyAccess"),
		Tags:                []types.Tag{{Key: aws.String("team"), Value: aws.String("core")}}}))
	u := created.User
	if aws.ToString(u.Arn) != "arn:aws:iam::"+f.acct+":user/eng/Alice" || !strings.HasPrefix(aws.ToString(u.UserId), "AIDA") ||
		u.PermissionsBoundary == nil || len(u.Tags) != 1 {
		t.Fatalf("CreateUser = %+v", u)
	}
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("alice")})
	idErr(t, err, "EntityAlreadyExists", "User with name alice already exists.")
	root := idMust[*iam.GetUserOutput](t)(c.GetUser(ctx, &iam.GetUserInput{}))
	if aws.ToString(root.User.Arn) != "arn:aws:iam::"+f.acct+":root" || aws.ToString(root.User.UserId) != f.acct || root.User.UserName != nil {
		t.Fatalf("root GetUser = %+v", root.User)
	}

	for i := range 5 {
		idMust[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(fmt.Sprintf("bulk%d", i))}))
	}
	var names []string
	for pg := iam.NewListUsersPaginator(c, &iam.ListUsersInput{MaxItems: aws.Int32(2)}); pg.HasMorePages(); {
		for _, u := range idMust[*iam.ListUsersOutput](t)(pg.NextPage(ctx)).Users {
			names = append(names, aws.ToString(u.UserName))
		}
	}
	if strings.Join(names, ",") != "Alice,bulk0,bulk1,bulk2,bulk3,bulk4" {
		t.Fatalf("paged users = %v", names)
	}
	eng := idMust[*iam.ListUsersOutput](t)(c.ListUsers(ctx, &iam.ListUsersInput{PathPrefix: aws.String("/eng")}))
	if len(eng.Users) != 1 {
		t.Fatalf("PathPrefix /eng = %+v", eng.Users)
	}

	idMust[*iam.TagUserOutput](t)(c.TagUser(ctx, &iam.TagUserInput{UserName: aws.String("alice"), Tags: []types.Tag{{Key: aws.String("env"), Value: aws.String("dev")}}}))
	idMust[*iam.UntagUserOutput](t)(c.UntagUser(ctx, &iam.UntagUserInput{UserName: aws.String("alice"), TagKeys: []string{"team"}}))
	tags := idMust[*iam.ListUserTagsOutput](t)(c.ListUserTags(ctx, &iam.ListUserTagsInput{UserName: aws.String("alice")}))
	if provTags(tags.Tags) != "env=dev" {
		t.Fatalf("tags = %s", provTags(tags.Tags))
	}

	idMust[*iam.CreateGroupOutput](t)(c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("devs")}))
	idMust[*iam.AddUserToGroupOutput](t)(c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("devs"), UserName: aws.String("alice")}))
	idMust[*iam.UpdateGroupOutput](t)(c.UpdateGroup(ctx, &iam.UpdateGroupInput{GroupName: aws.String("devs"), NewGroupName: aws.String("Developers"), NewPath: aws.String("/teams/")}))
	idMust[*iam.UpdateUserOutput](t)(c.UpdateUser(ctx, &iam.UpdateUserInput{UserName: aws.String("alice"), NewUserName: aws.String("alice2")}))
	group := idMust[*iam.GetGroupOutput](t)(c.GetGroup(ctx, &iam.GetGroupInput{GroupName: aws.String("developers")}))
	if aws.ToString(group.Group.Arn) != "arn:aws:iam::"+f.acct+":group/teams/Developers" || len(group.Users) != 1 || aws.ToString(group.Users[0].UserName) != "alice2" {
		t.Fatalf("GetGroup = %+v %+v", group.Group, group.Users)
	}
	forUser := idMust[*iam.ListGroupsForUserOutput](t)(c.ListGroupsForUser(ctx, &iam.ListGroupsForUserInput{UserName: aws.String("alice2")}))
	groups := idMust[*iam.ListGroupsOutput](t)(c.ListGroups(ctx, &iam.ListGroupsInput{PathPrefix: aws.String("/teams/")}))
	if len(forUser.Groups) != 1 || len(groups.Groups) != 1 {
		t.Fatalf("ListGroupsForUser %+v, ListGroups %+v", forUser.Groups, groups.Groups)
	}
	_, err = c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("developers")})
	idErr(t, err, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice2")})
	idErr(t, err, "DeleteConflict", "Cannot delete entity, must remove users from group first.")
	idMust[*iam.RemoveUserFromGroupOutput](t)(c.RemoveUserFromGroup(ctx, &iam.RemoveUserFromGroupInput{GroupName: aws.String("developers"), UserName: aws.String("alice2")}))
	idMust[*iam.DeleteGroupOutput](t)(c.DeleteGroup(ctx, &iam.DeleteGroupInput{GroupName: aws.String("developers")}))
	idMust[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("alice2")}))
	_, err = c.GetUser(ctx, &iam.GetUserInput{UserName: aws.String("alice2")})
	idErr(t, err, "NoSuchEntity", "The user with name alice2 cannot be found.")
}

// An access key created through IAM authenticates at once; deactivating it locks it out, and
// GetAccessKeyLastUsed reports the last service and region that saw it.
func TestIAMIdentityAccessKeys(t *testing.T) {
	t.Parallel()
	f := newIDFixture(t)
	ctx, c := f.ctx, f.admin
	idMust[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("bob")}))
	key := idMust[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})).AccessKey
	id := aws.ToString(key.AccessKeyId)
	unused := idMust[*iam.GetAccessKeyLastUsedOutput](t)(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: key.AccessKeyId}))
	if aws.ToString(unused.AccessKeyLastUsed.ServiceName) != "N/A" || aws.ToString(unused.AccessKeyLastUsed.Region) != "N/A" || unused.AccessKeyLastUsed.LastUsedDate != nil {
		t.Fatalf("unused = %+v", unused.AccessKeyLastUsed)
	}
	bob := sts.NewFromConfig(f.srv.ConfigFor(id, aws.ToString(key.SecretAccessKey), ""))
	who := idMust[*sts.GetCallerIdentityOutput](t)(bob.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(who.Arn) != "arn:aws:iam::"+f.acct+":user/bob" {
		t.Fatalf("caller = %s", aws.ToString(who.Arn))
	}
	used := idMust[*iam.GetAccessKeyLastUsedOutput](t)(c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: key.AccessKeyId}))
	if aws.ToString(used.UserName) != "bob" || aws.ToString(used.AccessKeyLastUsed.ServiceName) != "sts" || used.AccessKeyLastUsed.LastUsedDate == nil {
		t.Fatalf("used = %+v", used.AccessKeyLastUsed)
	}
	idMust[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")}))
	_, err := c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("bob")})
	idErr(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")
	list := idMust[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{UserName: aws.String("bob")}))
	if len(list.AccessKeyMetadata) != 2 {
		t.Fatalf("keys = %+v", list.AccessKeyMetadata)
	}
	idMust[*iam.UpdateAccessKeyOutput](t)(c.UpdateAccessKey(ctx, &iam.UpdateAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: key.AccessKeyId, Status: types.StatusTypeInactive}))
	_, err = bob.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	idErr(t, err, "InvalidClientTokenId", "")
	idMust[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: key.AccessKeyId}))
	_, err = c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: key.AccessKeyId})
	idErr(t, err, "NoSuchEntity", "The Access Key with id "+id+" cannot be found.")
	_, err = c.GetAccessKeyLastUsed(ctx, &iam.GetAccessKeyLastUsedInput{AccessKeyId: aws.String("AKIAIOSFODNN7EXAMPLE")})
	idErr(t, err, "AccessDenied", "")

	// The root user's own keys: created without UserName, they authenticate as the root.
	rootKey := idMust[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{})).AccessKey
	asRoot := sts.NewFromConfig(f.srv.ConfigFor(aws.ToString(rootKey.AccessKeyId), aws.ToString(rootKey.SecretAccessKey), ""))
	who = idMust[*sts.GetCallerIdentityOutput](t)(asRoot.GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}))
	if aws.ToString(who.Arn) != "arn:aws:iam::"+f.acct+":root" {
		t.Fatalf("root key caller = %s", aws.ToString(who.Arn))
	}
	rootKeys := idMust[*iam.ListAccessKeysOutput](t)(c.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
	if len(rootKeys.AccessKeyMetadata) != 1 {
		t.Fatalf("root keys = %+v", rootKeys.AccessKeyMetadata)
	}
	idMust[*iam.DeleteAccessKeyOutput](t)(c.DeleteAccessKey(ctx, &iam.DeleteAccessKeyInput{AccessKeyId: rootKey.AccessKeyId}))

	// A user without UserName manages their own keys.
	carol := iam.NewFromConfig(f.adminUser("carol"))
	mine := idMust[*iam.ListAccessKeysOutput](t)(carol.ListAccessKeys(ctx, &iam.ListAccessKeysInput{}))
	if len(mine.AccessKeyMetadata) != 1 || aws.ToString(mine.AccessKeyMetadata[0].UserName) != "carol" {
		t.Fatalf("carol's keys = %+v", mine.AccessKeyMetadata)
	}
}

func TestIAMIdentityLoginProfilesAndPasswordPolicy(t *testing.T) {
	t.Parallel()
	f := newIDFixture(t)
	ctx, c := f.ctx, f.admin
	_, err := c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})
	idErr(t, err, "NoSuchEntity", "The Password Policy with domain name "+f.acct+" cannot be found.")
	idMust[*iam.UpdateAccountPasswordPolicyOutput](t)(c.UpdateAccountPasswordPolicy(ctx, &iam.UpdateAccountPasswordPolicyInput{
		MinimumPasswordLength: aws.Int32(12), RequireNumbers: true, PasswordReusePrevention: aws.Int32(1), AllowUsersToChangePassword: true}))
	pp := idMust[*iam.GetAccountPasswordPolicyOutput](t)(c.GetAccountPasswordPolicy(ctx, &iam.GetAccountPasswordPolicyInput{})).PasswordPolicy
	if aws.ToInt32(pp.MinimumPasswordLength) != 12 || !pp.RequireNumbers || aws.ToInt32(pp.PasswordReusePrevention) != 1 || pp.ExpirePasswords {
		t.Fatalf("policy = %+v", pp)
	}

	dave := iam.NewFromConfig(f.adminUser("dave"))
	_, err = c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dave"), Password: aws.String("short1")})
	idErr(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
	lp := idMust[*iam.CreateLoginProfileOutput](t)(c.CreateLoginProfile(ctx, &iam.CreateLoginProfileInput{UserName: aws.String("dave"),
		Password: aws.String("long-password-1"), PasswordResetRequired: true})).LoginProfile
	if aws.ToString(lp.UserName) != "dave" || !lp.PasswordResetRequired {
		t.Fatalf("login profile = %+v", lp)
	}
	_, err = dave.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("long-password-1"), NewPassword: aws.String("long-password-1")})
	idErr(t, err, "PasswordPolicyViolation", "")
	idMust[*iam.ChangePasswordOutput](t)(dave.ChangePassword(ctx, &iam.ChangePasswordInput{OldPassword: aws.String("long-password-1"), NewPassword: aws.String("long-password-2")}))
	got := idMust[*iam.GetLoginProfileOutput](t)(dave.GetLoginProfile(ctx, &iam.GetLoginProfileInput{}))
	if got.LoginProfile.PasswordResetRequired {
		t.Fatal("ChangePassword must clear PasswordResetRequired")
	}
	idMust[*iam.UpdateLoginProfileOutput](t)(c.UpdateLoginProfile(ctx, &iam.UpdateLoginProfileInput{UserName: aws.String("dave"), PasswordResetRequired: aws.Bool(true)}))
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("dave")})
	idErr(t, err, "DeleteConflict", "Cannot delete entity, must delete policies first.")
	idMust[*iam.DeleteLoginProfileOutput](t)(c.DeleteLoginProfile(ctx, &iam.DeleteLoginProfileInput{UserName: aws.String("dave")}))
	_, err = c.GetLoginProfile(ctx, &iam.GetLoginProfileInput{UserName: aws.String("dave")})
	idErr(t, err, "NoSuchEntity", "Login Profile for User dave cannot be found.")
	idMust[*iam.DeleteAccountPasswordPolicyOutput](t)(c.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{}))
	_, err = c.DeleteAccountPasswordPolicy(ctx, &iam.DeleteAccountPasswordPolicyInput{})
	idErr(t, err, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")
}

// totpCode is RFC 6238 (HMAC-SHA1, 6 digits, 30 s), as an authenticator app computes it.
func totpCode(t *testing.T, seed string, at time.Time) string {
	t.Helper()
	key, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(seed)
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha1.New, key)
	_ = binary.Write(mac, binary.BigEndian, uint64(at.Unix()/30))
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	return fmt.Sprintf("%06d", (binary.BigEndian.Uint32(sum[off:])&0x7fffffff)%1_000_000)
}

func TestIAMIdentityVirtualMFA(t *testing.T) {
	t.Parallel()
	f := newIDFixture(t)
	ctx, c := f.ctx, f.admin
	idMust[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("erin")}))
	dev := idMust[*iam.CreateVirtualMFADeviceOutput](t)(c.CreateVirtualMFADevice(ctx, &iam.CreateVirtualMFADeviceInput{
		VirtualMFADeviceName: aws.String("erin-phone"), Tags: []types.Tag{{Key: aws.String("k"), Value: aws.String("v")}}})).VirtualMFADevice
	serial, seed := aws.ToString(dev.SerialNumber), string(dev.Base32StringSeed)
	if serial != "arn:aws:iam::"+f.acct+":mfa/erin-phone" || len(seed) != 32 || len(dev.QRCodePNG) == 0 {
		t.Fatalf("device = %s seed %q", serial, seed)
	}
	_, err := c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("erin"), SerialNumber: &serial,
		AuthenticationCode1: aws.String("123456"), AuthenticationCode2: aws.String("654321")})
	idErr(t, err, "InvalidAuthenticationCode", "")
	now := time.Now()
	idMust[*iam.EnableMFADeviceOutput](t)(c.EnableMFADevice(ctx, &iam.EnableMFADeviceInput{UserName: aws.String("erin"), SerialNumber: &serial,
		AuthenticationCode1: aws.String(totpCode(t, seed, now.Add(-30*time.Second))), AuthenticationCode2: aws.String(totpCode(t, seed, now))}))
	devices := idMust[*iam.ListMFADevicesOutput](t)(c.ListMFADevices(ctx, &iam.ListMFADevicesInput{UserName: aws.String("erin")}))
	if len(devices.MFADevices) != 1 || aws.ToString(devices.MFADevices[0].SerialNumber) != serial {
		t.Fatalf("ListMFADevices = %+v", devices.MFADevices)
	}
	assigned := idMust[*iam.ListVirtualMFADevicesOutput](t)(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeAssigned}))
	if len(assigned.VirtualMFADevices) != 1 || aws.ToString(assigned.VirtualMFADevices[0].User.UserName) != "erin" {
		t.Fatalf("assigned = %+v", assigned.VirtualMFADevices)
	}
	got := idMust[*iam.GetMFADeviceOutput](t)(c.GetMFADevice(ctx, &iam.GetMFADeviceInput{SerialNumber: &serial, UserName: aws.String("erin")}))
	if aws.ToString(got.UserName) != "erin" || got.EnableDate == nil {
		t.Fatalf("GetMFADevice = %+v", got)
	}
	idMust[*iam.TagMFADeviceOutput](t)(c.TagMFADevice(ctx, &iam.TagMFADeviceInput{SerialNumber: &serial, Tags: []types.Tag{{Key: aws.String("z"), Value: aws.String("1")}}}))
	idMust[*iam.UntagMFADeviceOutput](t)(c.UntagMFADevice(ctx, &iam.UntagMFADeviceInput{SerialNumber: &serial, TagKeys: []string{"k"}}))
	tags := idMust[*iam.ListMFADeviceTagsOutput](t)(c.ListMFADeviceTags(ctx, &iam.ListMFADeviceTagsInput{SerialNumber: &serial}))
	if provTags(tags.Tags) != "z=1" {
		t.Fatalf("device tags = %s", provTags(tags.Tags))
	}
	later := now.Add(90 * time.Second) // codes not used yet, within the resync window
	idMust[*iam.ResyncMFADeviceOutput](t)(c.ResyncMFADevice(ctx, &iam.ResyncMFADeviceInput{UserName: aws.String("erin"), SerialNumber: &serial,
		AuthenticationCode1: aws.String(totpCode(t, seed, later.Add(-30*time.Second))), AuthenticationCode2: aws.String(totpCode(t, seed, later))}))
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("erin")})
	idErr(t, err, "DeleteConflict", "Cannot delete entity, must delete MFA device first.")
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial})
	idErr(t, err, "DeleteConflict", "")
	idMust[*iam.DeactivateMFADeviceOutput](t)(c.DeactivateMFADevice(ctx, &iam.DeactivateMFADeviceInput{UserName: aws.String("erin"), SerialNumber: &serial}))
	unassigned := idMust[*iam.ListVirtualMFADevicesOutput](t)(c.ListVirtualMFADevices(ctx, &iam.ListVirtualMFADevicesInput{AssignmentStatus: types.AssignmentStatusTypeUnassigned}))
	if len(unassigned.VirtualMFADevices) != 1 {
		t.Fatalf("unassigned = %+v", unassigned.VirtualMFADevices)
	}
	idMust[*iam.DeleteVirtualMFADeviceOutput](t)(c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial}))
	_, err = c.DeleteVirtualMFADevice(ctx, &iam.DeleteVirtualMFADeviceInput{SerialNumber: &serial})
	idErr(t, err, "NoSuchEntity", "MFA Device with serial number "+serial+" does not exist.")
	idMust[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("erin")}))
}

func TestIAMIdentitySSHKeysAndSigningCertificates(t *testing.T) {
	t.Parallel()
	f := newIDFixture(t)
	ctx, c := f.ctx, f.admin
	idMust[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("frank")}))
	rsaKey := idMust[*rsa.PrivateKey](t)(rsa.GenerateKey(rand.Reader, 2048))
	der := idMust[[]byte](t)(x509.MarshalPKIXPublicKey(&rsaKey.PublicKey))
	pemKey := string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	up := idMust[*iam.UploadSSHPublicKeyOutput](t)(c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("frank"), SSHPublicKeyBody: &pemKey})).SSHPublicKey
	if !strings.HasPrefix(aws.ToString(up.SSHPublicKeyBody), "ssh-rsa ") || len(aws.ToString(up.Fingerprint)) != 47 {
		t.Fatalf("upload = %+v", up)
	}
	sshBody := aws.ToString(up.SSHPublicKeyBody)
	_, err := c.UploadSSHPublicKey(ctx, &iam.UploadSSHPublicKeyInput{UserName: aws.String("frank"), SSHPublicKeyBody: &sshBody})
	idErr(t, err, "DuplicateSSHPublicKey", "")
	asPEM := idMust[*iam.GetSSHPublicKeyOutput](t)(c.GetSSHPublicKey(ctx, &iam.GetSSHPublicKeyInput{UserName: aws.String("frank"),
		SSHPublicKeyId: up.SSHPublicKeyId, Encoding: types.EncodingTypePem}))
	if !strings.Contains(aws.ToString(asPEM.SSHPublicKey.SSHPublicKeyBody), "BEGIN PUBLIC KEY") {
		t.Fatalf("PEM = %q", aws.ToString(asPEM.SSHPublicKey.SSHPublicKeyBody))
	}
	idMust[*iam.UpdateSSHPublicKeyOutput](t)(c.UpdateSSHPublicKey(ctx, &iam.UpdateSSHPublicKeyInput{UserName: aws.String("frank"), SSHPublicKeyId: up.SSHPublicKeyId, Status: types.StatusTypeInactive}))
	keys := idMust[*iam.ListSSHPublicKeysOutput](t)(c.ListSSHPublicKeys(ctx, &iam.ListSSHPublicKeysInput{UserName: aws.String("frank")}))
	if len(keys.SSHPublicKeys) != 1 || keys.SSHPublicKeys[0].Status != types.StatusTypeInactive {
		t.Fatalf("keys = %+v", keys.SSHPublicKeys)
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("frank")})
	idErr(t, err, "DeleteConflict", "Cannot delete entity, must remove referenced objects first.")
	idMust[*iam.DeleteSSHPublicKeyOutput](t)(c.DeleteSSHPublicKey(ctx, &iam.DeleteSSHPublicKeyInput{UserName: aws.String("frank"), SSHPublicKeyId: up.SSHPublicKeyId}))

	tmpl := &x509.Certificate{SerialNumber: big.NewInt(7), Subject: pkix.Name{CommonName: "frank"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0)}
	certDER := idMust[[]byte](t)(x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rsaKey.PublicKey, rsaKey))
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: certDER}))
	_, err = c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("frank"), CertificateBody: aws.String("invalid-certificate-body")})
	idErr(t, err, "MalformedCertificate", "Certificate invalid-certificate-body is malformed.")
	cert := idMust[*iam.UploadSigningCertificateOutput](t)(c.UploadSigningCertificate(ctx, &iam.UploadSigningCertificateInput{UserName: aws.String("frank"), CertificateBody: &certPEM})).Certificate
	idMust[*iam.UpdateSigningCertificateOutput](t)(c.UpdateSigningCertificate(ctx, &iam.UpdateSigningCertificateInput{UserName: aws.String("frank"), CertificateId: cert.CertificateId, Status: types.StatusTypeInactive}))
	certs := idMust[*iam.ListSigningCertificatesOutput](t)(c.ListSigningCertificates(ctx, &iam.ListSigningCertificatesInput{UserName: aws.String("frank")}))
	if len(certs.Certificates) != 1 || certs.Certificates[0].Status != types.StatusTypeInactive || aws.ToString(certs.Certificates[0].CertificateBody) != certPEM {
		t.Fatalf("certificates = %+v", certs.Certificates)
	}
	idMust[*iam.DeleteSigningCertificateOutput](t)(c.DeleteSigningCertificate(ctx, &iam.DeleteSigningCertificateInput{UserName: aws.String("frank"), CertificateId: cert.CertificateId}))
	idMust[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("frank")}))
}

func TestIAMIdentityServiceSpecificCredentials(t *testing.T) {
	t.Parallel()
	f := newIDFixture(t)
	ctx, c := f.ctx, f.admin
	idMust[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("gina")}))
	cred := idMust[*iam.CreateServiceSpecificCredentialOutput](t)(c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{
		UserName: aws.String("gina"), ServiceName: aws.String("codecommit.amazonaws.com")})).ServiceSpecificCredential
	if aws.ToString(cred.ServiceUserName) != "gina-at-"+f.acct || aws.ToString(cred.ServicePassword) == "" {
		t.Fatalf("credential = %+v", cred)
	}
	_, err := c.CreateServiceSpecificCredential(ctx, &iam.CreateServiceSpecificCredentialInput{UserName: aws.String("gina"), ServiceName: aws.String("lambda.amazonaws.com")})
	idErr(t, err, "NoSuchEntity", "No such service lambda.amazonaws.com is supported for Service Specific Credentials")
	idMust[*iam.UpdateServiceSpecificCredentialOutput](t)(c.UpdateServiceSpecificCredential(ctx, &iam.UpdateServiceSpecificCredentialInput{
		UserName: aws.String("gina"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId, Status: types.StatusTypeInactive}))
	list := idMust[*iam.ListServiceSpecificCredentialsOutput](t)(c.ListServiceSpecificCredentials(ctx, &iam.ListServiceSpecificCredentialsInput{UserName: aws.String("gina")}))
	if len(list.ServiceSpecificCredentials) != 1 || list.ServiceSpecificCredentials[0].Status != types.StatusTypeInactive {
		t.Fatalf("list = %+v", list.ServiceSpecificCredentials)
	}
	reset := idMust[*iam.ResetServiceSpecificCredentialOutput](t)(c.ResetServiceSpecificCredential(ctx, &iam.ResetServiceSpecificCredentialInput{
		UserName: aws.String("gina"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId})).ServiceSpecificCredential
	if aws.ToString(reset.ServicePassword) == aws.ToString(cred.ServicePassword) {
		t.Fatal("reset kept the password")
	}
	_, err = c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("gina")})
	idErr(t, err, "DeleteConflict", "Cannot delete entity, must remove referenced objects first.")
	idMust[*iam.DeleteServiceSpecificCredentialOutput](t)(c.DeleteServiceSpecificCredential(ctx, &iam.DeleteServiceSpecificCredentialInput{
		UserName: aws.String("gina"), ServiceSpecificCredentialId: cred.ServiceSpecificCredentialId}))
	idMust[*iam.DeleteUserOutput](t)(c.DeleteUser(ctx, &iam.DeleteUserInput{UserName: aws.String("gina")}))
}

func TestIAMIdentityAccountSettings(t *testing.T) {
	t.Parallel()
	f := newIDFixture(t)
	ctx, c := f.ctx, f.admin
	idMust[*iam.CreateAccountAliasOutput](t)(c.CreateAccountAlias(ctx, &iam.CreateAccountAliasInput{AccountAlias: aws.String("my-company-" + strings.ToLower(f.acct))}))
	aliases := idMust[*iam.ListAccountAliasesOutput](t)(c.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}))
	if len(aliases.AccountAliases) != 1 {
		t.Fatalf("aliases = %v", aliases.AccountAliases)
	}
	idMust[*iam.DeleteAccountAliasOutput](t)(c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: &aliases.AccountAliases[0]}))
	_, err := c.DeleteAccountAlias(ctx, &iam.DeleteAccountAliasInput{AccountAlias: &aliases.AccountAliases[0]})
	idErr(t, err, "NoSuchEntity", "")

	idMust[*iam.CreateUserOutput](t)(c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("hank")}))
	idMust[*iam.CreateAccessKeyOutput](t)(c.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String("hank")}))
	sum := idMust[*iam.GetAccountSummaryOutput](t)(c.GetAccountSummary(ctx, &iam.GetAccountSummaryInput{})).SummaryMap
	if sum["Users"] != 1 || sum["UsersQuota"] != 5000 || sum["AccessKeysPerUserQuota"] != 2 {
		t.Fatalf("summary = %v", sum)
	}

	_, err = c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{})
	idErr(t, err, "ReportNotPresent", "")
	gen := idMust[*iam.GenerateCredentialReportOutput](t)(c.GenerateCredentialReport(ctx, &iam.GenerateCredentialReportInput{}))
	if gen.State != types.ReportStateTypeStarted {
		t.Fatalf("generate = %+v", gen)
	}
	rep := idMust[*iam.GetCredentialReportOutput](t)(c.GetCredentialReport(ctx, &iam.GetCredentialReportInput{}))
	rows := idMust[[][]string](t)(csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll())
	if rep.ReportFormat != types.ReportFormatTypeTextCsv || len(rows) != 3 || rows[1][0] != "<root_account>" || rows[2][0] != "hank" || rows[2][8] != "true" {
		t.Fatalf("report (%s) = %q", rep.ReportFormat, rows)
	}
}
