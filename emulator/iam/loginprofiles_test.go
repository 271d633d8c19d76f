package iam

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
)

func TestLoginProfileLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	out, err := e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("u"), Password: idp("TestPassword123!")})
	idOK(t, err)
	if *out.LoginProfile.UserName != "u" || *out.LoginProfile.PasswordResetRequired || !out.LoginProfile.CreateDate.Equal(idNow) {
		t.Fatalf("CreateLoginProfile = %+v", out.LoginProfile)
	}
	_, err = e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("u"), Password: idp("AnotherPassword123!")})
	idCode(t, err, "EntityAlreadyExists", "Login Profile for user u already exists.")
	_, err = e.s.UpdateLoginProfile(e.root, &iamapi.UpdateLoginProfileRequest{UserName: idp("u"), Password: idp("NewPassword456!"), PasswordResetRequired: idp(true)})
	idOK(t, err)
	got, err := e.s.GetLoginProfile(e.asUser("u"), &iamapi.GetLoginProfileRequest{})
	idOK(t, err)
	if !*got.LoginProfile.PasswordResetRequired {
		t.Fatalf("GetLoginProfile = %+v", got.LoginProfile)
	}
	_, err = e.s.DeleteLoginProfile(e.root, &iamapi.DeleteLoginProfileRequest{UserName: idp("u")})
	idOK(t, err)
	for _, err := range []error{
		func() error {
			_, err := e.s.GetLoginProfile(e.root, &iamapi.GetLoginProfileRequest{UserName: idp("u")})
			return err
		}(),
		func() error {
			_, err := e.s.DeleteLoginProfile(e.root, &iamapi.DeleteLoginProfileRequest{UserName: idp("u")})
			return err
		}(),
	} {
		idCode(t, err, "NoSuchEntity", "Login Profile for User u cannot be found.")
	}
	_, err = e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("nonexistent-user"), Password: idp("TestPassword123!")})
	idCode(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")
}

// Without an account policy IAM's default applies: 8 characters and three character kinds
// (IAM User Guide, "Set an account password policy for IAM users").
func TestPasswordPolicyEnforced(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	create := func(pw string) error {
		_, err := e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("u"), Password: &pw})
		if err == nil {
			_, err = e.s.DeleteLoginProfile(e.root, &iamapi.DeleteLoginProfileRequest{UserName: idp("u")})
		}
		return err
	}
	for pw, ok := range map[string]bool{"Sh0rt!": false, "alllowercase": false, "lowerUPPER": false, "lowerUPPER1": true, "lower1!!!": true, idAcct: false} {
		if err := create(pw); ok {
			idOK(t, err)
		} else {
			idCode(t, err, "PasswordPolicyViolation", "Password does not conform to the account password policy.")
		}
	}
	_, err := e.s.UpdateAccountPasswordPolicy(e.root, &iamapi.UpdateAccountPasswordPolicyRequest{
		MinimumPasswordLength: idp(int32(10)), RequireSymbols: idp(true), RequireNumbers: idp(true)})
	idOK(t, err)
	for pw, ok := range map[string]bool{"abc1!": false, "abcdefghij1": false, "abcdefghi1!": true, "ABCDEFGH!!": false} {
		if err := create(pw); ok {
			idOK(t, err)
		} else {
			idCode(t, err, "PasswordPolicyViolation")
		}
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	_, err := e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("u"), Password: idp("First-pass1"), PasswordResetRequired: idp(true)})
	idOK(t, err)
	_, err = e.s.UpdateAccountPasswordPolicy(e.root, &iamapi.UpdateAccountPasswordPolicyRequest{PasswordReusePrevention: idp(int32(2))})
	idOK(t, err)
	change := func(old, pw string) error {
		_, err := e.s.ChangePassword(e.asUser("u"), &iamapi.ChangePasswordRequest{OldPassword: &old, NewPassword: &pw})
		return err
	}
	idCode(t, change("wrong", "Second-pass2"), "AccessDenied")
	idCode(t, change("First-pass1", "First-pass1"), "PasswordPolicyViolation") // reuse of the current one
	idOK(t, change("First-pass1", "Second-pass2"))
	idCode(t, change("Second-pass2", "First-pass1"), "PasswordPolicyViolation") // within the last 2
	idOK(t, change("Second-pass2", "Third-pass3"))
	idOK(t, change("Third-pass3", "First-pass1")) // three changes ago: allowed again
	lp, err := e.s.GetLoginProfile(e.root, &iamapi.GetLoginProfileRequest{UserName: idp("u")})
	idOK(t, err)
	if *lp.LoginProfile.PasswordResetRequired {
		t.Fatal("a change must clear PasswordResetRequired")
	}
	_, err = e.s.ChangePassword(e.root, &iamapi.ChangePasswordRequest{OldPassword: idp("a"), NewPassword: idp("b")})
	idCode(t, err, "InvalidUserType")
	e.user("nopw")
	_, err = e.s.ChangePassword(e.asUser("nopw"), &iamapi.ChangePasswordRequest{OldPassword: idp("a"), NewPassword: idp("b")})
	idCode(t, err, "NoSuchEntity", "Login Profile for User nopw cannot be found.")
}
