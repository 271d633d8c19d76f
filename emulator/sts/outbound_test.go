package sts

import (
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

func enableOutbound(t *testing.T, db *storage.DB) string {
	t.Helper()
	issuer := "https://a1d2b0fd-1177-4468-9351-2fexample723.tokens.sts.global.api.aws"
	if err := db.Update(acct, func(tx *storage.Tx) error {
		return storage.OutboundFederation(tx).Put(storage.SettingsKey, storage.OutboundFederationRecord{V: 1, Enabled: true, Issuer: issuer})
	}); err != nil {
		t.Fatal(err)
	}
	return issuer
}

// GetWebIdentityToken (IAM User Guide, "Understanding token claims"): a JWT of the calling
// principal, signed with the account's keys, that verifies with OutboundJWKS.
func TestGetWebIdentityToken(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	in := &stsapi.GetWebIdentityTokenRequest{Audience: []string{"https://api.example.com"}, SigningAlgorithm: protocol.Ptr("ES384"),
		Tags: tagList("job-id", "42")}
	_, err := s.GetWebIdentityToken(ctxAs(userCaller(acct, "bob")), in)
	wantCode(t, err, "OutboundWebIdentityFederationDisabledException", "")

	issuer := enableOutbound(t, db)
	set, err := s.OutboundJWKS(acct)
	if err != nil {
		t.Fatal(err)
	}
	keys, err := parseJWKS(set)
	if err != nil {
		t.Fatal(err)
	}
	for _, alg := range []string{"ES384", "RS256"} {
		in.SigningAlgorithm = protocol.Ptr(alg)
		out, err := s.GetWebIdentityToken(ctxAs(userCaller(acct, "bob")), in)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := parseJWT(protocol.Val(out.WebIdentityToken))
		if err != nil || !tok.verify(keys) || tok.Header.Alg != alg {
			t.Fatalf("%s: token does not verify: %v", alg, err)
		}
		exp, _ := tok.num("exp")
		ns, _ := tok.Claims[stsClaimsNS].(map[string]any)
		if tok.str("iss") != issuer || tok.str("aud") != "https://api.example.com" || tok.str("sub") != "arn:aws:iam::"+acct+":user/bob" ||
			exp != testNow.Add(5*time.Minute).Unix() || !protocol.Val(out.Expiration).Equal(testNow.Add(5*time.Minute)) ||
			ns["aws_account"] != acct || ns["request_tags"].(map[string]any)["job-id"] != "42" {
			t.Errorf("claims %v", tok.Claims)
		}
	}
}

func TestGetWebIdentityTokenSessionEscalation(t *testing.T) {
	t.Parallel()
	s, db := newTestService(t)
	enableOutbound(t, db)
	rec := s.newSession(acct, testNow.Add(-50*time.Minute), time.Hour) // ten minutes left
	rec.Type, rec.ARN, rec.RoleARN = "AssumedRole", "arn:aws:sts::"+acct+":assumed-role/r/s", "arn:aws:iam::"+acct+":role/r"
	if err := db.Update(acct, func(tx *storage.Tx) error { return putSession(tx, rec) }); err != nil {
		t.Fatal(err)
	}
	in := &stsapi.GetWebIdentityTokenRequest{Audience: []string{"a", "b"}, SigningAlgorithm: protocol.Ptr("RS256"), DurationSeconds: protocol.Ptr(int32(900))}
	_, err := s.GetWebIdentityToken(ctxAs(sessionCaller(rec)), in)
	wantCode(t, err, "SessionDurationEscalationException", "")
	in.DurationSeconds = protocol.Ptr(int32(300))
	out, err := s.GetWebIdentityToken(ctxAs(sessionCaller(rec)), in)
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := parseJWT(protocol.Val(out.WebIdentityToken))
	if tok.str("sub") != "arn:aws:iam::"+acct+":role/r" || len(tok.strs("aud")) != 2 {
		t.Errorf("claims %v", tok.Claims)
	}
}

// AssumeRoot needs an organization with centralized root access; a standalone account
// cannot be the target.
func TestAssumeRootStandaloneAccount(t *testing.T) {
	t.Parallel()
	s, _ := newTestService(t)
	_, err := s.AssumeRoot(ctxAs(userCaller(acct, "admin")), &stsapi.AssumeRootRequest{TargetPrincipal: protocol.Ptr(otherAcct),
		TaskPolicyArn: &stsapi.PolicyDescriptorType{Arn: protocol.Ptr("arn:aws:iam::aws:policy/root-task/S3UnlockBucketPolicy")}})
	wantCode(t, err, "AccessDenied", "User: arn:aws:iam::"+acct+":user/admin is not authorized to perform: sts:AssumeRoot on resource: arn:aws:iam::"+otherAcct+":root")
}
