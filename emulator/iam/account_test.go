package iam

import (
	"encoding/csv"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
)

// Values recorded against AWS by localstack's test_iam_account_password_policy.
func TestAccountPasswordPolicy(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	_, err := e.s.GetAccountPasswordPolicy(e.root, &iamapi.Empty{})
	idCode(t, err, "NoSuchEntity", "The Password Policy with domain name 123456789012 cannot be found.")
	_, err = e.s.DeleteAccountPasswordPolicy(e.root, &iamapi.Empty{})
	idCode(t, err, "NoSuchEntity", "The account policy with name PasswordPolicy cannot be found.")

	_, err = e.s.UpdateAccountPasswordPolicy(e.root, &iamapi.UpdateAccountPasswordPolicyRequest{})
	idOK(t, err)
	got, err := e.s.GetAccountPasswordPolicy(e.root, &iamapi.Empty{})
	idOK(t, err)
	pp := got.PasswordPolicy
	if *pp.MinimumPasswordLength != 6 || *pp.AllowUsersToChangePassword || *pp.ExpirePasswords || pp.HardExpiry != nil ||
		pp.MaxPasswordAge != nil || pp.PasswordReusePrevention != nil || *pp.RequireSymbols {
		t.Fatalf("defaults = %+v", pp)
	}
	_, err = e.s.UpdateAccountPasswordPolicy(e.root, &iamapi.UpdateAccountPasswordPolicyRequest{
		AllowUsersToChangePassword: idp(true), HardExpiry: idp(true), MaxPasswordAge: idp(int32(60)), MinimumPasswordLength: idp(int32(10)),
		PasswordReusePrevention: idp(int32(3)), RequireLowercaseCharacters: idp(true), RequireNumbers: idp(true),
		RequireSymbols: idp(true), RequireUppercaseCharacters: idp(true)})
	idOK(t, err)
	got, err = e.s.GetAccountPasswordPolicy(e.root, &iamapi.Empty{})
	idOK(t, err)
	pp = got.PasswordPolicy
	if !*pp.ExpirePasswords || !*pp.HardExpiry || *pp.MaxPasswordAge != 60 || *pp.PasswordReusePrevention != 3 || *pp.MinimumPasswordLength != 10 ||
		!*pp.RequireUppercaseCharacters || !*pp.AllowUsersToChangePassword {
		t.Fatalf("custom = %+v", pp)
	}
	_, err = e.s.DeleteAccountPasswordPolicy(e.root, &iamapi.Empty{})
	idOK(t, err)
	_, err = e.s.GetAccountPasswordPolicy(e.root, &iamapi.Empty{})
	idCode(t, err, "NoSuchEntity")
}

// Aliases are unique across the accounts of the server; an account has at most one.
func TestAccountAliases(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	other := e.ctx(reqctx.Caller{Type: reqctx.Account, Account: "210987654321", ARN: "arn:aws:iam::210987654321:root"})
	list := func() []string {
		out, err := e.s.ListAccountAliases(e.root, &iamapi.ListAccountAliasesRequest{})
		idOK(t, err)
		if out.AccountAliases == nil {
			t.Fatal("AccountAliases must be a list")
		}
		return out.AccountAliases
	}
	if got := list(); len(got) != 0 {
		t.Fatalf("aliases = %v", got)
	}
	_, err := e.s.CreateAccountAlias(e.root, &iamapi.CreateAccountAliasRequest{AccountAlias: idp("my-company")})
	idOK(t, err)
	_, err = e.s.CreateAccountAlias(e.root, &iamapi.CreateAccountAliasRequest{AccountAlias: idp("my-company")})
	idOK(t, err)
	_, err = e.s.CreateAccountAlias(other, &iamapi.CreateAccountAliasRequest{AccountAlias: idp("my-company")})
	idCode(t, err, "EntityAlreadyExists", "The account alias my-company already exists.")
	// A new alias replaces the old one, which becomes free for others.
	_, err = e.s.CreateAccountAlias(e.root, &iamapi.CreateAccountAliasRequest{AccountAlias: idp("renamed")})
	idOK(t, err)
	if got := list(); len(got) != 1 || got[0] != "renamed" {
		t.Fatalf("aliases = %v", got)
	}
	_, err = e.s.CreateAccountAlias(other, &iamapi.CreateAccountAliasRequest{AccountAlias: idp("my-company")})
	idOK(t, err)
	_, err = e.s.DeleteAccountAlias(e.root, &iamapi.DeleteAccountAliasRequest{AccountAlias: idp("my-company")})
	idCode(t, err, "NoSuchEntity", "The account alias my-company cannot be found.")
	_, err = e.s.DeleteAccountAlias(e.root, &iamapi.DeleteAccountAliasRequest{AccountAlias: idp("renamed")})
	idOK(t, err)
	if got := list(); len(got) != 0 {
		t.Fatalf("aliases after delete = %v", got)
	}
}

func TestGetAccountSummary(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("a")
	e.user("b")
	e.group("g")
	e.enabledMFA("a", "d1")
	e.newMFA("d2")
	out, err := e.s.GetAccountSummary(e.root, &iamapi.Empty{})
	idOK(t, err)
	want := map[string]int32{"Users": 2, "Groups": 1, "MFADevices": 2, "MFADevicesInUse": 1, "Roles": 0, "Policies": 0,
		"UsersQuota": 5000, "GroupsQuota": 300, "AccessKeysPerUserQuota": 2, "SigningCertificatesPerUserQuota": 2,
		"VersionsPerPolicyQuota": 5, "PoliciesQuota": 1500, "AccountSigningCertificatesPresent": 0, "GlobalEndpointTokenVersion": 1}
	for k, v := range want {
		if got, ok := out.SummaryMap[k]; !ok || got != v {
			t.Errorf("%s = %d (present %v), want %d", k, got, ok, v)
		}
	}
	if len(out.SummaryMap) != 34 {
		t.Errorf("summary has %d entries, AWS answers 34", len(out.SummaryMap))
	}
}

func TestCredentialReport(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	_, err := e.s.GetCredentialReport(e.root, &iamapi.Empty{})
	idCode(t, err, "ReportNotPresent")

	e.user("has,comma")
	e.user("plain")
	_, err = e.s.CreateLoginProfile(e.root, &iamapi.CreateLoginProfileRequest{UserName: idp("plain"), Password: idp("TestPassword123!")})
	idOK(t, err)
	k1, err := e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("plain")})
	idOK(t, err)
	_, err = e.s.UpdateAccessKey(e.root, &iamapi.UpdateAccessKeyRequest{UserName: idp("plain"), AccessKeyId: k1.AccessKey.AccessKeyId, Status: idp("Inactive")})
	idOK(t, err)
	e.enabledMFA("plain", "m")

	gen, err := e.s.GenerateCredentialReport(e.root, &iamapi.Empty{})
	idOK(t, err)
	if *gen.State != "STARTED" || *gen.Description != "No report exists. Starting a new report generation task" {
		t.Fatalf("first generate = %+v", gen)
	}
	gen, err = e.s.GenerateCredentialReport(e.root, &iamapi.Empty{})
	idOK(t, err)
	if *gen.State != "COMPLETE" {
		t.Fatalf("second generate = %+v", gen)
	}
	rep, err := e.s.GetCredentialReport(e.root, &iamapi.Empty{})
	idOK(t, err)
	if *rep.ReportFormat != "text/csv" || !rep.GeneratedTime.Equal(idNow) {
		t.Fatalf("report = %+v", rep)
	}
	rows, err := csv.NewReader(strings.NewReader(string(rep.Content))).ReadAll()
	idOK(t, err)
	if len(rows) != 4 || len(rows[0]) != 22 || rows[0][0] != "user" || rows[0][21] != "cert_2_last_rotated" {
		t.Fatalf("rows = %q", rows)
	}
	root := rows[1]
	if root[0] != "<root_account>" || root[1] != "arn:aws:iam::123456789012:root" || root[3] != "not_supported" {
		t.Fatalf("root row = %q", root)
	}
	byUser := map[string]map[string]string{}
	for _, r := range rows[2:] {
		m := map[string]string{}
		for i, c := range rows[0] {
			m[c] = r[i]
		}
		byUser[r[0]] = m
	}
	plain := byUser["plain"]
	if plain["password_enabled"] != "true" || plain["password_last_used"] != "no_information" || plain["mfa_active"] != "true" ||
		plain["access_key_1_active"] != "false" || plain["access_key_1_last_rotated"] != "2024-05-01T12:00:00+00:00" ||
		plain["access_key_1_last_used_date"] != "N/A" || plain["access_key_2_active"] != "false" || plain["cert_1_active"] != "false" {
		t.Fatalf("plain row = %v", plain)
	}
	if c := byUser["has,comma"]; c["password_enabled"] != "false" || c["password_last_changed"] != "N/A" || c["arn"] != "arn:aws:iam::123456789012:user/has,comma" {
		t.Fatalf("comma row = %v", c)
	}

	// Four hours later the report has expired; generating again starts a new one.
	later := e.at(idNow.Add(4*time.Hour + time.Second))
	_, err = e.s.GetCredentialReport(later, &iamapi.Empty{})
	idCode(t, err, "ReportExpired")
	gen, err = e.s.GenerateCredentialReport(later, &iamapi.Empty{})
	idOK(t, err)
	if *gen.State != "STARTED" {
		t.Fatalf("regenerate = %+v", gen)
	}
	_, err = e.s.GetCredentialReport(later, &iamapi.Empty{})
	idOK(t, err)
}
