package sts

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

func assumeIn(arn, session string) *stsapi.AssumeRoleRequest {
	return &stsapi.AssumeRoleRequest{RoleArn: protocol.Ptr(arn), RoleSessionName: protocol.Ptr(session)}
}

func tagList(kv ...string) []stsapi.Tag {
	var out []stsapi.Tag
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, stsapi.Tag{Key: protocol.Ptr(kv[i]), Value: protocol.Ptr(kv[i+1])})
	}
	return out
}

// The texts of failed AssumeRole calls, as recorded against AWS (conformance/errors:
// LocalStack snapshots of test_sts_invalid_parameters and test_assume_role_tag_validation;
// the STS rows of the message table).
func TestAssumeRoleErrors(t *testing.T) {
	t.Parallel()
	role := "arn:aws:iam::" + acct + ":role/app"
	manyTags := make([]string, 0, 100)
	for i := range 50 {
		var blob []byte // 192 pseudo-random bytes per tag: 128 hex characters of key, 256 of value
		for j := range 6 {
			h := sha256.Sum256([]byte(fmt.Sprint(i, j)))
			blob = append(blob, h[:]...)
		}
		manyTags = append(manyTags, hex.EncodeToString(blob[:64]), hex.EncodeToString(blob[64:]))
	}
	chainedCaller := reqctx.Caller{Type: reqctx.AssumedRole, Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/other/s",
		UserID: "AROAOTHER:s", Temporary: true, SessionID: "ASIANOSUCHSESSION123"}
	tests := []struct {
		name    string
		caller  reqctx.Caller
		in      *stsapi.AssumeRoleRequest
		code    string
		message string
	}{
		{"no partition", userCaller(acct, "bob"), assumeIn("arn::b:::something/test-role", "s"), "ValidationError", "arn::b:::something/test-role is invalid"},
		{"no service", userCaller(acct, "bob"), assumeIn("arn:a::::something/test-role", "s"), "ValidationError", "arn:a::::something/test-role is invalid"},
		{"not enough colons", userCaller(acct, "bob"), assumeIn("arn:a:::something/test-role", "s"), "ValidationError", "arn:a:::something/test-role is invalid"},
		{"no resource", userCaller(acct, "bob"), assumeIn("arn:a:a::aaaaaaaaaa:", "s"), "ValidationError", "arn:a:a::aaaaaaaaaa: is invalid"},
		{"not an arn", userCaller(acct, "bob"), assumeIn("nothing-valid-in-here", "s"), "ValidationError", "nothing-valid-in-here is invalid"},
		{"root user", rootCaller(acct), assumeIn(role, "s"), "AccessDenied", "Roles may not be assumed by root accounts."},
		{"missing role", userCaller(acct, "bob"), assumeIn("arn:aws:iam::"+acct+":role/nope", "s"), "AccessDenied",
			"User: arn:aws:iam::" + acct + ":user/bob is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::" + acct + ":role/nope"},
		{"wrong path", userCaller(acct, "bob"), assumeIn("arn:aws:iam::"+acct+":role/x/app", "s"), "AccessDenied", ""},
		{"a user, not a role", userCaller(acct, "bob"), assumeIn("arn:aws:iam::"+acct+":user/app", "s"), "AccessDenied", ""},
		{"role of an unknown account", userCaller(acct, "bob"), assumeIn("arn:aws:iam::999999999999:role/app", "s"), "AccessDenied", ""},
		{"over MaxSessionDuration", userCaller(acct, "bob"), func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			in.DurationSeconds = protocol.Ptr(int32(3601))
			return in
		}(), "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."},
		{"role chaining over one hour", chainedCaller, func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			in.DurationSeconds = protocol.Ptr(int32(3700))
			return in
		}(), "ValidationError", "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."},
		{"duplicate tag keys", userCaller(acct, "bob"), func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			in.Tags = tagList("Project", "a", "project", "b")
			return in
		}(), "InvalidParameterValue", "Duplicate tag keys found. Please note that Tag keys are case insensitive."},
		{"transitive key not a tag", userCaller(acct, "bob"), func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			in.Tags = tagList("Project", "a")
			in.TransitiveTagKeys = []string{"Team"}
			return in
		}(), "InvalidParameterValue", "The specified transitive tag key must be included in the requested tags."},
		{"malformed session policy", userCaller(acct, "bob"), func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			in.Policy = protocol.Ptr(`{"Version":"2012-10-17","Statement":`)
			return in
		}(), "MalformedPolicyDocument", ""},
		{"packed policy too large", userCaller(acct, "bob"), func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			in.Tags = tagList(manyTags...)
			return in
		}(), "PackedPolicyTooLarge", ""},
		{"eleven policy ARNs", userCaller(acct, "bob"), func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			for range 11 {
				in.PolicyArns = append(in.PolicyArns, stsapi.PolicyDescriptorType{Arn: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")})
			}
			return in
		}(), "InvalidParameterValue", ""},
		{"MFA serial without code", userCaller(acct, "bob"), func() *stsapi.AssumeRoleRequest {
			in := assumeIn(role, "s")
			in.SerialNumber = protocol.Ptr("arn:aws:iam::" + acct + ":mfa/bob")
			return in
		}(), "AccessDenied", "MultiFactorAuthentication failed, must provide both MFA serial number and one time pass code."},
		{"federated user", reqctx.Caller{Type: reqctx.FederatedUser, Account: acct, ARN: "arn:aws:sts::" + acct + ":federated-user/f",
			Temporary: true}, assumeIn(role, "s"), "AccessDenied", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, db := newTestService(t)
			putRole(t, db, acct, storage.RoleRecord{Name: "app"})
			_, err := s.AssumeRole(ctxAs(tc.caller), tc.in)
			wantCode(t, err, tc.code, tc.message)
		})
	}
}

// A successful AssumeRole (STS API Reference, AssumeRole, "Response Elements").
func TestAssumeRole(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	putRole(t, db, acct, storage.RoleRecord{Name: "App", Path: "/svc/", ID: "AROAAPPROLEID0000000", MaxSessionDuration: 7200})
	in := assumeIn("arn:aws:iam::"+acct+":role/svc/App", "sess@1")
	in.DurationSeconds = protocol.Ptr(int32(7200))
	in.Policy = protocol.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}`)
	in.PolicyArns = []stsapi.PolicyDescriptorType{{Arn: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")}}
	in.Tags = tagList("Project", "blue", "Team", "core")
	in.TransitiveTagKeys = []string{"project"}
	in.SourceIdentity = protocol.Ptr("alice")
	in.ExternalId = protocol.Ptr("ext-123")
	out, err := s.AssumeRole(ctxAs(userCaller(acct, "bob")), in)
	if err != nil {
		t.Fatal(err)
	}
	if got := protocol.Val(out.AssumedRoleUser.Arn); got != "arn:aws:sts::"+acct+":assumed-role/App/sess@1" {
		t.Errorf("Arn %s", got)
	}
	if got := protocol.Val(out.AssumedRoleUser.AssumedRoleId); got != "AROAAPPROLEID0000000:sess@1" {
		t.Errorf("AssumedRoleId %s", got)
	}
	c := out.Credentials
	key := protocol.Val(c.AccessKeyId)
	if !strings.HasPrefix(key, "ASIA") || len(key) != 20 || len(protocol.Val(c.SecretAccessKey)) != 40 ||
		len(protocol.Val(c.SessionToken)) < 300 || !protocol.Val(c.Expiration).Equal(testNow.Add(2*time.Hour)) {
		t.Errorf("credentials %+v", c)
	}
	if got, _ := accountOfKeyID(key); got != acct {
		t.Errorf("key %s encodes account %s", key, got)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize <= 0 || *out.PackedPolicySize > 100 || protocol.Val(out.SourceIdentity) != "alice" {
		t.Errorf("PackedPolicySize %v SourceIdentity %v", out.PackedPolicySize, out.SourceIdentity)
	}
	rec := getSession(t, db, key)
	if rec.Type != "AssumedRole" || rec.Account != acct || rec.RoleName != "App" || rec.RoleARN != "arn:aws:iam::"+acct+":role/svc/App" ||
		rec.SessionName != "sess@1" || rec.Token != protocol.Val(c.SessionToken) || rec.Chained || rec.SourceKeyID != "AKIAEXAMPLE" ||
		len(rec.Policies) != 1 || len(rec.PolicyARNs) != 1 || rec.Tags["Project"] != "blue" || rec.Tags["Team"] != "core" ||
		fmt.Sprint(rec.Transitive) != "[Project]" || rec.SourceIdent != "alice" || !rec.Issued.Equal(testNow) {
		t.Errorf("session record %+v", rec)
	}
	_ = db.View(acct, func(tx *storage.Tx) error {
		r, _ := storage.Roles(tx).Get("app")
		if !r.LastUsed.Equal(testNow) || r.LastUsedRegion != "eu-west-1" {
			t.Errorf("RoleLastUsed %v %s", r.LastUsed, r.LastUsedRegion)
		}
		return nil
	})
}

// A role of another configured account: the session belongs to the role's account.
func TestAssumeRoleCrossAccount(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	putRole(t, db, otherAcct, storage.RoleRecord{Name: "shared"})
	out, err := s.AssumeRole(ctxAs(userCaller(acct, "bob")), assumeIn("arn:aws:iam::"+otherAcct+":role/shared", "x"))
	if err != nil {
		t.Fatal(err)
	}
	rec := getSession(t, db, protocol.Val(out.Credentials.AccessKeyId))
	if rec.Account != otherAcct || rec.ARN != "arn:aws:sts::"+otherAcct+":assumed-role/shared/x" {
		t.Errorf("record %+v", rec)
	}
}

// Role chaining (IAM User Guide, "Role chaining"; "Chaining roles with session tags"):
// transitive tags and the source identity carry over and cannot be overridden.
func TestAssumeRoleChaining(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	putRole(t, db, acct, storage.RoleRecord{Name: "first", MaxSessionDuration: 43200})
	putRole(t, db, acct, storage.RoleRecord{Name: "second", MaxSessionDuration: 43200})
	in := assumeIn("arn:aws:iam::"+acct+":role/first", "one")
	in.Tags = tagList("Project", "blue", "Cost", "42")
	in.TransitiveTagKeys = []string{"Project"}
	in.SourceIdentity = protocol.Ptr("alice")
	first, err := s.AssumeRole(ctxAs(userCaller(acct, "bob")), in)
	if err != nil {
		t.Fatal(err)
	}
	parent := sessionCaller(getSession(t, db, protocol.Val(first.Credentials.AccessKeyId)))

	conflict := assumeIn("arn:aws:iam::"+acct+":role/second", "two")
	conflict.Tags = tagList("project", "red")
	_, err = s.AssumeRole(ctxAs(parent), conflict)
	wantCode(t, err, "InvalidParameterValue", "One of the specified transitive tag keys can't be set because it conflicts with a transitive tag key from the calling session.")

	otherSource := assumeIn("arn:aws:iam::"+acct+":role/second", "two")
	otherSource.SourceIdentity = protocol.Ptr("mallory")
	_, err = s.AssumeRole(ctxAs(parent), otherSource)
	wantCode(t, err, "AccessDenied", "")

	next := assumeIn("arn:aws:iam::"+acct+":role/second", "two")
	next.Tags = tagList("Stage", "dev")
	second, err := s.AssumeRole(ctxAs(parent), next)
	if err != nil {
		t.Fatal(err)
	}
	rec := getSession(t, db, protocol.Val(second.Credentials.AccessKeyId))
	if !rec.Chained || rec.Tags["Project"] != "blue" || rec.Tags["Stage"] != "dev" || rec.Tags["Cost"] != "" ||
		fmt.Sprint(rec.Transitive) != "[Project]" || rec.SourceIdent != "alice" || protocol.Val(second.SourceIdentity) != "alice" ||
		!rec.Expiration.Equal(testNow.Add(time.Hour)) {
		t.Errorf("chained record %+v", rec)
	}
}

// MFA on AssumeRole: the code of a virtual device enabled for the calling user, once.
func TestAssumeRoleMFA(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	putRole(t, db, acct, storage.RoleRecord{Name: "admin"})
	seed := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	serial := "arn:aws:iam::" + acct + ":mfa/bob-phone"
	if err := db.Update(acct, func(tx *storage.Tx) error {
		return storage.MFADevices(tx).Put("bob-phone", storage.MFADeviceRecord{V: 1, Serial: serial, Name: "bob-phone", Path: "/", Seed: seed, User: "bob"})
	}); err != nil {
		t.Fatal(err)
	}
	code := totpCode(seed, testNow.Unix()/30)
	call := func(c reqctx.Caller, code string) error {
		in := assumeIn("arn:aws:iam::"+acct+":role/admin", "m")
		in.SerialNumber, in.TokenCode = protocol.Ptr(serial), protocol.Ptr(code)
		out, err := s.AssumeRole(ctxAs(c), in)
		if err == nil && !getSession(t, db, protocol.Val(out.Credentials.AccessKeyId)).MFA {
			t.Error("session not marked MFA")
		}
		return err
	}
	bad := fmt.Sprintf("%06d", (int(code[5]-'0')+1)%10)
	wantCode(t, call(userCaller(acct, "bob"), code[:5]+bad[5:]), "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.")
	wantCode(t, call(userCaller(acct, "alice"), code), "AccessDenied", "")
	if err := call(userCaller(acct, "bob"), code); err != nil {
		t.Fatal(err)
	}
	wantCode(t, call(userCaller(acct, "bob"), code), "AccessDenied", "") // replayed
}
