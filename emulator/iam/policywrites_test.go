package iam

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// Every call that stores a policy document tells PolicyStored, once the document is stored; a
// call that fails tells nothing.
func TestPolicyStoredHook(t *testing.T) {
	t.Parallel()
	const doc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "lambda:ListEventSourceMapping", "Resource": "*"}]}`
	var mu sync.Mutex
	var got []PolicyWrite
	db := storagetest.Open(t)
	s := New(Options{DB: db, Clock: func() time.Time { return rpNow }, IDs: ids.Generator{Src: ids.NewSeeded(42)},
		PolicyStored: func(_ context.Context, w PolicyWrite) {
			mu.Lock()
			defer mu.Unlock()
			got = append(got, w)
		}})
	env := &rpEnv{t: t, s: s, db: db}
	ctxFor := func(op string) context.Context {
		return reqctx.With(context.Background(), &reqctx.Info{Now: rpNow, Operation: op,
			Caller: reqctx.Caller{Type: reqctx.Account, Account: rpAcct, ARN: "arn:aws:iam::" + rpAcct + ":root", UserID: rpAcct}})
	}
	env.ctx = ctxFor("")
	env.user("alice")
	env.group("devs")
	env.role("app")
	policyARN := "arn:aws:iam::" + rpAcct + ":policy/seed"
	tests := []struct {
		op   string
		call func(ctx context.Context) error
		want *PolicyWrite
	}{
		{"PutUserPolicy", func(ctx context.Context) error {
			_, err := s.PutUserPolicy(ctx, &iamapi.PutUserPolicyRequest{UserName: protocol.Ptr("alice"), PolicyName: protocol.Ptr("p"), PolicyDocument: protocol.Ptr(doc)})
			return err
		}, &PolicyWrite{"PutUserPolicy", "user/alice/p", doc}},
		{"PutGroupPolicy", func(ctx context.Context) error {
			_, err := s.PutGroupPolicy(ctx, &iamapi.PutGroupPolicyRequest{GroupName: protocol.Ptr("devs"), PolicyName: protocol.Ptr("p"), PolicyDocument: protocol.Ptr(doc)})
			return err
		}, &PolicyWrite{"PutGroupPolicy", "group/devs/p", doc}},
		{"PutRolePolicy", func(ctx context.Context) error {
			_, err := s.PutRolePolicy(ctx, &iamapi.PutRolePolicyRequest{RoleName: protocol.Ptr("app"), PolicyName: protocol.Ptr("p"), PolicyDocument: protocol.Ptr(doc)})
			return err
		}, &PolicyWrite{"PutRolePolicy", "role/app/p", doc}},
		{"CreatePolicy", func(ctx context.Context) error {
			_, err := s.CreatePolicy(ctx, &iamapi.CreatePolicyRequest{PolicyName: protocol.Ptr("seed"), PolicyDocument: protocol.Ptr(doc)})
			return err
		}, &PolicyWrite{"CreatePolicy", policyARN, doc}},
		{"CreatePolicyVersion", func(ctx context.Context) error {
			_, err := s.CreatePolicyVersion(ctx, &iamapi.CreatePolicyVersionRequest{PolicyArn: protocol.Ptr(policyARN), PolicyDocument: protocol.Ptr(doc)})
			return err
		}, &PolicyWrite{"CreatePolicyVersion", policyARN + " v2", doc}},
		{"PutUserPolicy", func(ctx context.Context) error { // no such user: nothing stored
			_, err := s.PutUserPolicy(ctx, &iamapi.PutUserPolicyRequest{UserName: protocol.Ptr("nobody"), PolicyName: protocol.Ptr("p"), PolicyDocument: protocol.Ptr(doc)})
			return err
		}, nil},
	}
	for _, tt := range tests { // in order: the policy exists before its version
		mu.Lock()
		got = nil
		mu.Unlock()
		err := tt.call(ctxFor(tt.op))
		mu.Lock()
		writes := slices.Clone(got)
		mu.Unlock()
		switch {
		case tt.want == nil && (err == nil || len(writes) != 0):
			t.Errorf("%s that fails: err %v, told %+v", tt.op, err, writes)
		case tt.want != nil && (err != nil || len(writes) != 1 || writes[0] != *tt.want):
			t.Errorf("%s: err %v, told %+v, want %+v", tt.op, err, writes, *tt.want)
		}
	}
}
