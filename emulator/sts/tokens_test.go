package sts

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// GetSessionToken durations (STS API Reference, GetSessionToken, DurationSeconds): users get
// 900..129600 seconds, 12 hours by default; the root user at most one hour, and a longer
// request silently gets one hour.
func TestGetSessionToken(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		caller   reqctx.Caller
		duration *int32
		want     time.Duration
	}{
		{"user default", userCaller(acct, "bob"), nil, 12 * time.Hour},
		{"user 36 hours", userCaller(acct, "bob"), protocol.Ptr(int32(129600)), 36 * time.Hour},
		{"root default", rootCaller(acct), nil, time.Hour},
		{"root asks for more", rootCaller(acct), protocol.Ptr(int32(7200)), time.Hour},
		{"root 15 minutes", rootCaller(acct), protocol.Ptr(int32(900)), 15 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s, db := newTestService(t)
			out, err := s.GetSessionToken(ctxAs(tc.caller), &stsapi.GetSessionTokenRequest{DurationSeconds: tc.duration})
			if err != nil {
				t.Fatal(err)
			}
			if got := protocol.Val(out.Credentials.Expiration).Sub(testNow); got != tc.want {
				t.Errorf("duration %v, want %v", got, tc.want)
			}
			rec := getSession(t, db, protocol.Val(out.Credentials.AccessKeyId))
			if rec.Type != string(tc.caller.Type) || rec.ARN != tc.caller.ARN || rec.UserID != tc.caller.UserID ||
				rec.UserName != tc.caller.UserName || rec.Account != acct || rec.MFA {
				t.Errorf("record %+v", rec)
			}
		})
	}
}

func TestGetSessionTokenErrors(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	seed := "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
	serial := "arn:aws:iam::" + acct + ":mfa/bob"
	if err := db.Update(acct, func(tx *storage.Tx) error {
		return storage.MFADevices(tx).Put("bob", storage.MFADeviceRecord{V: 1, Serial: serial, Name: "bob", Path: "/", Seed: seed, User: "bob"})
	}); err != nil {
		t.Fatal(err)
	}
	session := reqctx.Caller{Type: reqctx.AssumedRole, Account: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/r/s", Temporary: true}
	_, err := s.GetSessionToken(ctxAs(session), &stsapi.GetSessionTokenRequest{})
	wantCode(t, err, "AccessDenied", "Cannot call GetSessionToken with session credentials")
	_, err = s.GetFederationToken(ctxAs(session), &stsapi.GetFederationTokenRequest{Name: protocol.Ptr("fed")})
	wantCode(t, err, "AccessDenied", "Cannot call GetFederationToken with session credentials")

	mfaIn := func(code string) *stsapi.GetSessionTokenRequest {
		return &stsapi.GetSessionTokenRequest{SerialNumber: protocol.Ptr(serial), TokenCode: protocol.Ptr(code)}
	}
	_, err = s.GetSessionToken(ctxAs(userCaller(acct, "bob")), mfaIn("000000"))
	wantCode(t, err, "AccessDenied", "GetSessionToken call failed, unable to validate MFA code.  Please verify your MFA serial number is valid and associated with this user.")
	out, err := s.GetSessionToken(ctxAs(userCaller(acct, "bob")), mfaIn(totpCode(seed, testNow.Unix()/30)))
	if err != nil {
		t.Fatal(err)
	}
	if !getSession(t, db, protocol.Val(out.Credentials.AccessKeyId)).MFA {
		t.Error("MFA session not marked")
	}
}

// GetFederationToken (STS API Reference): federated-user ARN and id, root capped at one
// hour, and the calling user kept for the authorizer.
func TestGetFederationToken(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	in := &stsapi.GetFederationTokenRequest{Name: protocol.Ptr("Bob"), DurationSeconds: protocol.Ptr(int32(3600)),
		Policy: protocol.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`),
		Tags:   tagList("Dept", "eng")}
	out, err := s.GetFederationToken(ctxAs(userCaller(acct, "proxy")), in)
	if err != nil {
		t.Fatal(err)
	}
	if protocol.Val(out.FederatedUser.Arn) != "arn:aws:sts::"+acct+":federated-user/Bob" ||
		protocol.Val(out.FederatedUser.FederatedUserId) != acct+":Bob" || out.PackedPolicySize == nil {
		t.Errorf("response %+v", out.FederatedUser)
	}
	rec := getSession(t, db, protocol.Val(out.Credentials.AccessKeyId))
	if rec.Type != "FederatedUser" || rec.UserName != "proxy" || rec.SessionName != "Bob" || len(rec.Policies) != 1 || rec.Tags["Dept"] != "eng" {
		t.Errorf("record %+v", rec)
	}
	out, err = s.GetFederationToken(ctxAs(rootCaller(acct)), &stsapi.GetFederationTokenRequest{Name: protocol.Ptr("Root"), DurationSeconds: protocol.Ptr(int32(7200))})
	if err != nil {
		t.Fatal(err)
	}
	if got := protocol.Val(out.Credentials.Expiration).Sub(testNow); got != time.Hour || protocol.Val(out.PackedPolicySize) != 0 || out.PackedPolicySize == nil {
		t.Errorf("root federation: %v %v", got, out.PackedPolicySize)
	}
	_, err = s.GetFederationToken(ctxAs(userCaller(acct, "proxy")), &stsapi.GetFederationTokenRequest{Name: protocol.Ptr("x"), Policy: protocol.Ptr("{")})
	wantCode(t, err, "MalformedPolicyDocument", "")
}

// GetAccessKeyInfo (STS API Reference): known keys from the indexes, others from the
// account encoded in the key id (AKIAIOSFODNN7EXAMPLE-style ids carry one too).
func TestGetAccessKeyInfo(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	if err := db.Update(acct, func(tx *storage.Tx) error {
		return storage.AccessKeys(tx).Put("AKIAUSERKEY000000000", storage.AccessKeyRecord{V: 1, AccessKeyID: "AKIAUSERKEY000000000", Account: otherAcct, UserName: "u", Status: "Inactive"})
	}); err != nil {
		t.Fatal(err)
	}
	foreign := s.accessKeyID("AKIA", "999988887777")
	tests := []struct{ key, want, code string }{
		{"test", acct, ""},
		{"AKIAUSERKEY000000000", otherAcct, ""},
		{foreign, "999988887777", ""},
		{s.accessKeyID("ASIA", "000000000001"), "000000000001", ""},
		{"AKIA0000000000000000", "", "InvalidParameterValue"},
	}
	for _, tc := range tests {
		out, err := s.GetAccessKeyInfo(ctxAs(userCaller(acct, "bob")), &stsapi.GetAccessKeyInfoRequest{AccessKeyId: protocol.Ptr(tc.key)})
		if tc.code != "" {
			wantCode(t, err, tc.code, "")
			continue
		}
		if err != nil || protocol.Val(out.Account) != tc.want {
			t.Errorf("%s: %v %v, want %s", tc.key, out, err, tc.want)
		}
	}
}

// EncodeAuthorizationMessage and DecodeAuthorizationMessage round trip into AWS's JSON
// (STS API Reference, DecodeAuthorizationMessage, "Response Elements").
func TestAuthorizationMessages(t *testing.T) {
	t.Parallel()
	s, _ := newTestService(t)
	msg := AuthorizationMessage{
		ExplicitDeny: true, PrincipalID: "AIDAEXAMPLE", PrincipalName: "bob", PrincipalARN: "arn:aws:iam::" + acct + ":user/bob",
		Action: "ec2:RunInstances", Resource: "arn:aws:ec2:us-east-1:" + acct + ":instance/*",
		Matched: []MatchedStatement{{StatementID: "DenyAll", Effect: "Deny", Actions: []string{"*"}, Resources: []string{"*"}}},
		Context: map[string][]string{"aws:Region": {"us-east-1"}, "ec2:InstanceType": {"t3.micro"}},
	}
	enc := EncodeAuthorizationMessage([]byte("test key"), msg)
	if enc != EncodeAuthorizationMessage([]byte("test key"), msg) || strings.Contains(enc, "ec2") {
		t.Fatalf("encoding not deterministic or not opaque: %s", enc)
	}
	out, err := s.DecodeAuthorizationMessage(ctxAs(userCaller(acct, "bob")), &stsapi.DecodeAuthorizationMessageRequest{EncodedMessage: protocol.Ptr(enc)})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(protocol.Val(out.DecodedMessage)), &got); err != nil {
		t.Fatal(err)
	}
	want := `{"allowed":false,"explicitDeny":true,"matchedStatements":{"items":[{"statementId":"DenyAll","effect":"DENY","principals":{"items":[]},"principalGroups":{"items":[]},"actions":{"items":[{"value":"*"}]},"resources":{"items":[{"value":"*"}]},"conditions":{"items":[]}}]},"failures":{"items":[]},"context":{"principal":{"id":"AIDAEXAMPLE","name":"bob","arn":"arn:aws:iam::123456789012:user/bob"},"action":"ec2:RunInstances","resource":"arn:aws:ec2:us-east-1:123456789012:instance/*","conditions":{"items":[{"key":"aws:Region","values":{"items":[{"value":"us-east-1"}]}},{"key":"ec2:InstanceType","values":{"items":[{"value":"t3.micro"}]}}]}}}`
	if protocol.Val(out.DecodedMessage) != want {
		t.Errorf("decoded\n%s\nwant\n%s", protocol.Val(out.DecodedMessage), want)
	}
	for _, bad := range []string{"garbage", enc[:len(enc)-2], EncodeAuthorizationMessage([]byte("other key"), msg)} {
		_, err := s.DecodeAuthorizationMessage(ctxAs(userCaller(acct, "bob")), &stsapi.DecodeAuthorizationMessageRequest{EncodedMessage: protocol.Ptr(bad)})
		wantCode(t, err, "InvalidAuthorizationMessageException", "")
	}
}
