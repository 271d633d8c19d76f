package sts

import (
	"context"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Role, policy and SAML provider ARNs name the request's partition: another partition's ARN
// is well formed but names nothing here ("Each AWS account is scoped to one partition").
func TestPartitionARNs(t *testing.T) {
	t.Parallel()
	roles := []struct {
		partition, in string
		isRole        bool
	}{
		{"aws", "arn:aws:iam::123456789012:role/a/R", true},
		{"aws", "arn:aws-us-gov:iam::123456789012:role/R", false},
		{"aws-us-gov", "arn:aws-us-gov:iam::123456789012:role/R", true},
		{"aws-us-gov", "arn:aws:iam::123456789012:role/R", false},
	}
	for _, c := range roles {
		ref, isRole, err := parseRoleARN(c.partition, c.in)
		if err != nil || isRole != c.isRole {
			t.Errorf("parseRoleARN(%s, %q) = %v, %v", c.partition, c.in, isRole, err)
		}
		if isRole && (ref.Scope.Partition != c.partition || ref.Scope.Account != acct || ref.Name != "R") {
			t.Errorf("parseRoleARN(%s, %q) = %+v", c.partition, c.in, ref)
		}
	}
	policies := []struct {
		partition, in string
		ok            bool
	}{
		{"aws", "arn:aws:iam::aws:policy/ReadOnlyAccess", true},
		{"aws-cn", "arn:aws-cn:iam::aws:policy/ReadOnlyAccess", true},
		{"aws-cn", "arn:aws:iam::aws:policy/ReadOnlyAccess", false},
		{"aws", "arn:aws:iam::123456789012:policy/p", true},
		{"aws", "arn:aws:iam::123456789012:policy/", false},
		{"aws", "arn:aws:iam:us-east-1:123456789012:policy/p", false},
	}
	for _, c := range policies {
		if got := validPolicyARN(c.partition, c.in); got != c.ok {
			t.Errorf("validPolicyARN(%s, %q) = %v", c.partition, c.in, got)
		}
	}
	providers := []struct {
		partition, in string
		ok            bool
	}{
		{"aws", "arn:aws:iam::123456789012:saml-provider/okta", true},
		{"aws-us-gov", "arn:aws-us-gov:iam::123456789012:saml-provider/okta", true},
		{"aws-us-gov", "arn:aws:iam::123456789012:saml-provider/okta", false},
		{"aws", "arn:aws:iam::123456789012:saml-provider/", false},
		{"aws", "arn:aws:iam::12345:saml-provider/okta", false},
	}
	for _, c := range providers {
		account, name, ok := samlProvider(c.partition, c.in)
		if ok != c.ok || ok && (account != acct || name != "okta") {
			t.Errorf("samlProvider(%s, %q) = %q %q %v", c.partition, c.in, account, name, ok)
		}
	}
}

// Sessions are named in the partition of the request, or of the service when none is known
// (a function's execution role, issued outside any request).
func TestSessionPartition(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	s := New(Options{DB: db, Clock: func() time.Time { return testNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)}, Partition: "aws-us-gov"})
	putRole(t, db, acct, storage.RoleRecord{Name: "R", Path: "/app/",
		TrustPolicy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`})
	var rec storage.SessionRecord
	err := db.Update(acct, func(tx *storage.Tx) (err error) {
		rec, err = s.AssumeRoleForService(tx, "R", "fn", testNow, time.Hour)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.ARN != "arn:aws-us-gov:sts::123456789012:assumed-role/R/fn" || rec.RoleARN != "arn:aws-us-gov:iam::123456789012:role/app/R" {
		t.Errorf("service session %s of role %s", rec.ARN, rec.RoleARN)
	}

	caller := reqctx.Caller{Type: reqctx.User, Account: acct, ARN: "arn:aws-cn:iam::123456789012:user/bob", UserName: "bob"}
	ctx := reqctx.With(context.Background(), &reqctx.Info{RequestID: "r", Region: "cn-north-1", Partition: "aws-cn", Now: testNow, Caller: caller})
	out, err := s.GetFederationToken(ctx, &stsapi.GetFederationTokenRequest{Name: protocol.Ptr("fed"),
		Policy: protocol.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws-cn:s3:::b"}]}`)})
	if err != nil {
		t.Fatal(err)
	}
	if got := protocol.Val(out.FederatedUser.Arn); got != "arn:aws-cn:sts::123456789012:federated-user/fed" {
		t.Errorf("federated user %s", got)
	}
	_, err = s.GetFederationToken(ctx, &stsapi.GetFederationTokenRequest{Name: protocol.Ptr("fed"),
		Policy: protocol.Ptr(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b"}]}`)})
	wantCode(t, err, "MalformedPolicyDocument", `Partition "aws" is not valid for resource "arn:aws:s3:::b".`)
}
