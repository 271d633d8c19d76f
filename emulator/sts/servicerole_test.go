package sts

import (
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

func TestAssumeRoleForService(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	s := New(Options{DB: db, IDs: ids.Generator{Src: ids.NewSeeded(3)}})
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	err := db.Update("123456789012", func(tx *storage.Tx) error {
		if err := storage.Roles(tx).Put("exec", storage.RoleRecord{Name: "exec", ID: "AROAEXEC", Path: "/svc/"}); err != nil {
			return err
		}
		rec, err := s.AssumeRoleForService(tx, "exec", "my-fn", now, time.Hour)
		if err != nil {
			return err
		}
		if rec.ARN != "arn:aws:sts::123456789012:assumed-role/exec/my-fn" || rec.RoleARN != "arn:aws:iam::123456789012:role/svc/exec" ||
			rec.UserID != "AROAEXEC:my-fn" || !rec.Expiration.Equal(now.Add(time.Hour)) || rec.Type != "AssumedRole" {
			t.Errorf("session = %+v", rec)
		}
		if got, err := storage.Sessions(tx).Get(rec.AccessKeyID); err != nil || got.Token != rec.Token {
			t.Errorf("stored session = %+v, %v", got, err)
		}
		if _, err := s.AssumeRoleForService(tx, "missing", "fn", now, time.Hour); err == nil {
			t.Error("missing role: no error")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
