package sts

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const (
	acct      = "123456789012"
	otherAcct = "210987654321"
)

var testNow = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)

func newTestService(t *testing.T) (*Service, *storage.DB) {
	t.Helper()
	db := storagetest.Open(t)
	s := New(Options{DB: db, Clock: func() time.Time { return testNow }, IDs: ids.Generator{Src: ids.NewSeeded(7)},
		MessageKey: []byte("test key"), RootAccessKeys: map[string]string{"test": acct}})
	return s, db
}

func ctxAs(c reqctx.Caller) context.Context {
	return reqctx.With(context.Background(), &reqctx.Info{RequestID: "r", Region: "eu-west-1", Now: testNow, Caller: c})
}

func rootCaller(account string) reqctx.Caller {
	return reqctx.Caller{Type: reqctx.Account, Account: account, ARN: "arn:aws:iam::" + account + ":root", UserID: account, AccessKeyID: "test"}
}

func userCaller(account, name string) reqctx.Caller {
	return reqctx.Caller{Type: reqctx.User, Account: account, ARN: "arn:aws:iam::" + account + ":user/" + name,
		UserID: "AIDAEXAMPLE" + name, UserName: name, AccessKeyID: "AKIAEXAMPLE"}
}

// sessionCaller mirrors emulator.sessionCaller: how the pipeline presents a session.
func sessionCaller(rec storage.SessionRecord) reqctx.Caller {
	return reqctx.Caller{Type: reqctx.PrincipalType(rec.Type), Account: rec.Account, ARN: rec.ARN, UserID: rec.UserID,
		AccessKeyID: rec.AccessKeyID, UserName: rec.UserName, RoleName: rec.RoleName, RoleARN: rec.RoleARN,
		SessionName: rec.SessionName, Temporary: true, SessionID: rec.AccessKeyID}
}

func putRole(t *testing.T, db *storage.DB, account string, r storage.RoleRecord) {
	t.Helper()
	if r.ID == "" {
		r.ID = "AROAEXAMPLE" + r.Name
	}
	if r.Path == "" {
		r.Path = "/"
	}
	if r.TrustPolicy == "" {
		r.TrustPolicy = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + account + `:root"},"Action":"sts:AssumeRole"}]}`
	}
	if err := db.Update(account, func(tx *storage.Tx) error { return storage.Roles(tx).Put(storage.Key(r.Name), r) }); err != nil {
		t.Fatal(err)
	}
}

func getSession(t *testing.T, db *storage.DB, id string) storage.SessionRecord {
	t.Helper()
	var rec storage.SessionRecord
	if err := db.View("", func(tx *storage.Tx) (err error) { rec, err = storage.Sessions(tx).Get(id); return err }); err != nil {
		t.Fatalf("session %s: %v", id, err)
	}
	return rec
}

// wantCode checks err is an *awserr.Error with code (and message, when msg is not empty).
func wantCode(t *testing.T, err error, code, msg string) {
	t.Helper()
	var e *awserr.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v, want %s", err, code)
	}
	if e.Code != code || (msg != "" && e.Message != msg) {
		t.Fatalf("error %s %q, want %s %q", e.Code, e.Message, code, msg)
	}
}
