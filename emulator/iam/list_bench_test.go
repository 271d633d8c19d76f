package iam

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// BenchmarkListFirstPage is the first page (MaxItems default 100) of ListUsers and of
// ListPolicies(Scope=Local) in an account of n users and n customer managed policies, user i
// attached to policy i (so every policy on the page has an AttachmentCount to find). A page
// reads only what it returns, so both sizes should cost about the same. docs/request-cost.md
// has the numbers and how to run it.
func BenchmarkListFirstPage(b *testing.B) {
	for _, n := range []int{100, 5000} {
		s, ctx := benchAccount(b, n)
		b.Run(fmt.Sprintf("ListUsers/%d", n), func(b *testing.B) {
			for b.Loop() {
				out, err := s.ListUsers(ctx, &iamapi.ListUsersRequest{})
				if err != nil || len(out.Users) != defaultMaxItems || *out.IsTruncated != (n > defaultMaxItems) {
					b.Fatalf("ListUsers = %d users, %v", len(out.Users), err)
				}
			}
		})
		b.Run(fmt.Sprintf("ListPoliciesLocal/%d", n), func(b *testing.B) {
			for b.Loop() {
				out, err := s.ListPolicies(ctx, &iamapi.ListPoliciesRequest{Scope: idp("Local")})
				if err != nil || len(out.Policies) != defaultMaxItems || *out.Policies[0].AttachmentCount != 1 {
					b.Fatalf("ListPolicies = %d policies, %v", len(out.Policies), err)
				}
			}
		})
	}
}

// benchAccount seeds the account in one transaction, through storage: n CreateUser calls would
// spend the benchmark's setup on n disk syncs.
func benchAccount(b *testing.B, n int) (*Service, context.Context) {
	b.Helper()
	db := storagetest.Open(b)
	now := time.Date(2024, 6, 1, 0, 0, 0, 0, time.UTC)
	err := db.Update(rpAcct, func(tx *storage.Tx) error {
		for i := range n {
			user, policy := fmt.Sprintf("user%05d", i), fmt.Sprintf("policy%05d", i)
			arn := "arn:aws:iam::" + rpAcct + ":policy/" + policy
			steps := []error{
				storage.Users(tx).Insert(storage.Key(user), storage.UserRecord{V: 1, Name: user, ID: fmt.Sprintf("AIDA%017d", i), Path: "/", Created: now}),
				storage.Policies(tx).Insert(storage.Key(policy), storage.PolicyRecord{V: 1, Name: policy, ID: fmt.Sprintf("ANPA%017d", i), Path: "/",
					ARN: arn, Created: now, Updated: now, DefaultVersion: "v1", NextVersion: 2}),
				storage.PolicyVersionsOf(tx, policy).Insert("v1", storage.PolicyVersionRecord{V: 1, VersionID: "v1", Document: rpDoc, Created: now}),
				storage.UserScope(tx, user).Attachments().Put(arn, storage.AttachmentRecord{V: 1, PolicyARN: arn, PolicyName: policy}),
			}
			for _, err := range steps {
				if err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	s := New(Options{DB: db, Clock: func() time.Time { return now }, IDs: ids.Generator{Src: ids.NewSeeded(1)}})
	ctx := reqctx.With(context.Background(), &reqctx.Info{Now: now, Region: "us-east-1",
		Caller: reqctx.Caller{Type: reqctx.Account, Account: rpAcct, ARN: "arn:aws:iam::" + rpAcct + ":root", UserID: rpAcct}})
	return s, ctx
}
