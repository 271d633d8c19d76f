package iam

import (
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/storage"
)

func TestAccessKeyLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	out, err := e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("U")})
	idOK(t, err)
	k := out.AccessKey
	if !strings.HasPrefix(*k.AccessKeyId, "AKIA") || len(*k.AccessKeyId) != 20 || len(*k.SecretAccessKey) != 40 ||
		*k.Status != "Active" || *k.UserName != "u" {
		t.Fatalf("CreateAccessKey = %+v", k)
	}
	// The global index is what the request pipeline authenticates with.
	e.tx(func(tx *storage.Tx) error {
		rec, err := storage.AccessKeys(tx).Get(*k.AccessKeyId)
		if err != nil || rec.Secret != *k.SecretAccessKey || rec.Account != idAcct || rec.UserName != "u" {
			t.Fatalf("index record = %+v, %v", rec, err)
		}
		return nil
	})
	// A user calling without UserName acts on their own keys.
	second, err := e.s.CreateAccessKey(e.asUser("u"), &iamapi.CreateAccessKeyRequest{})
	idOK(t, err)
	_, err = e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("u")})
	idCode(t, err, "LimitExceeded", "Cannot exceed quota for AccessKeysPerUser: 2")

	list, err := e.s.ListAccessKeys(e.asUser("u"), &iamapi.ListAccessKeysRequest{})
	idOK(t, err)
	if len(list.AccessKeyMetadata) != 2 || *list.IsTruncated {
		t.Fatalf("ListAccessKeys = %+v", list)
	}
	_, err = e.s.UpdateAccessKey(e.root, &iamapi.UpdateAccessKeyRequest{UserName: idp("u"), AccessKeyId: k.AccessKeyId, Status: idp("Inactive")})
	idOK(t, err)
	_, err = e.s.UpdateAccessKey(e.root, &iamapi.UpdateAccessKeyRequest{UserName: idp("u"), AccessKeyId: idp("AKIAIOSFODNN7EXAMPLE"), Status: idp("Inactive")})
	idCode(t, err, "NoSuchEntity", "The Access Key with id AKIAIOSFODNN7EXAMPLE cannot be found.")
	list, err = e.s.ListAccessKeys(e.root, &iamapi.ListAccessKeysRequest{UserName: idp("u"), MaxItems: idp(int32(1))})
	idOK(t, err)
	if len(list.AccessKeyMetadata) != 1 || !*list.IsTruncated || list.Marker == nil {
		t.Fatalf("first page = %+v", list)
	}
	rest, err := e.s.ListAccessKeys(e.root, &iamapi.ListAccessKeysRequest{UserName: idp("u"), Marker: list.Marker})
	idOK(t, err)
	statuses := map[string]string{}
	for _, m := range append(list.AccessKeyMetadata, rest.AccessKeyMetadata...) {
		statuses[*m.AccessKeyId] = *m.Status
	}
	if len(statuses) != 2 || statuses[*k.AccessKeyId] != "Inactive" || statuses[*second.AccessKey.AccessKeyId] != "Active" {
		t.Fatalf("statuses = %v", statuses)
	}

	// Another user cannot touch the key, and roles must name the user.
	e.user("v")
	_, err = e.s.DeleteAccessKey(e.root, &iamapi.DeleteAccessKeyRequest{UserName: idp("v"), AccessKeyId: k.AccessKeyId})
	idCode(t, err, "NoSuchEntity")
	_, err = e.s.DeleteAccessKey(e.asRole(), &iamapi.DeleteAccessKeyRequest{AccessKeyId: k.AccessKeyId})
	idCode(t, err, "ValidationError", "Must specify userName when calling with non-User credentials")
	_, err = e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("nonexistent-user")})
	idCode(t, err, "NoSuchEntity", "The user with name nonexistent-user cannot be found.")

	_, err = e.s.DeleteAccessKey(e.asUser("u"), &iamapi.DeleteAccessKeyRequest{AccessKeyId: second.AccessKey.AccessKeyId})
	idOK(t, err)
	_, err = e.s.DeleteAccessKey(e.root, &iamapi.DeleteAccessKeyRequest{UserName: idp("u"), AccessKeyId: k.AccessKeyId})
	idOK(t, err)
	e.tx(func(tx *storage.Tx) error {
		if storage.AccessKeys(tx).Has(*k.AccessKeyId) {
			t.Fatal("deleted key still in the index")
		}
		return nil
	})
}

// The root user calling without UserName manages the root user's own keys, stored with an
// empty UserName (the pipeline authenticates them as the account root).
func TestRootAccessKeys(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	_, err := e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("u")})
	idOK(t, err)
	out, err := e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{})
	idOK(t, err)
	if out.AccessKey.UserName != nil {
		t.Fatalf("root key carries a user name: %+v", out.AccessKey)
	}
	list, err := e.s.ListAccessKeys(e.root, &iamapi.ListAccessKeysRequest{})
	idOK(t, err)
	if len(list.AccessKeyMetadata) != 1 || *list.AccessKeyMetadata[0].AccessKeyId != *out.AccessKey.AccessKeyId {
		t.Fatalf("root keys = %+v", list.AccessKeyMetadata)
	}
	e.tx(func(tx *storage.Tx) error {
		rec, _ := storage.AccessKeys(tx).Get(*out.AccessKey.AccessKeyId)
		if rec.UserName != "" || rec.Account != idAcct {
			t.Fatalf("root key record = %+v", rec)
		}
		return nil
	})
	last, err := e.s.GetAccessKeyLastUsed(e.root, &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: out.AccessKey.AccessKeyId})
	idOK(t, err)
	if *last.UserName != "root" {
		t.Fatalf("root key owner = %q", *last.UserName)
	}
	_, err = e.s.DeleteAccessKey(e.root, &iamapi.DeleteAccessKeyRequest{AccessKeyId: out.AccessKey.AccessKeyId})
	idOK(t, err)
}

func TestGetAccessKeyLastUsed(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	out, err := e.s.CreateAccessKey(e.root, &iamapi.CreateAccessKeyRequest{UserName: idp("u")})
	idOK(t, err)
	id := out.AccessKey.AccessKeyId
	last, err := e.s.GetAccessKeyLastUsed(e.root, &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: id})
	idOK(t, err)
	if *last.UserName != "u" || *last.AccessKeyLastUsed.Region != "N/A" || *last.AccessKeyLastUsed.ServiceName != "N/A" || last.AccessKeyLastUsed.LastUsedDate != nil {
		t.Fatalf("unused key = %+v %+v", last, last.AccessKeyLastUsed)
	}
	used := idNow.Add(time.Hour)
	e.tx(func(tx *storage.Tx) error {
		rec, _ := storage.AccessKeys(tx).Get(*id)
		rec.LastUsed, rec.LastService, rec.LastRegion = used, "iam", "us-east-1"
		return storage.AccessKeys(tx).Put(*id, rec)
	})
	last, err = e.s.GetAccessKeyLastUsed(e.root, &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: id})
	idOK(t, err)
	if !last.AccessKeyLastUsed.LastUsedDate.Equal(used) || *last.AccessKeyLastUsed.Region != "us-east-1" || *last.AccessKeyLastUsed.ServiceName != "iam" {
		t.Fatalf("used key = %+v", last.AccessKeyLastUsed)
	}
	_, err = e.s.GetAccessKeyLastUsed(e.root, &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: idp("AKIAIOSFODNN7EXAMPLE")})
	idCode(t, err, "AccessDenied",
		"User: arn:aws:iam::123456789012:root is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key AKIAIOSFODNN7EXAMPLE")
	// A key of another account is just as unknown.
	e.tx(func(tx *storage.Tx) error {
		return storage.AccessKeys(tx).Put("AKIAOTHERACCOUNT0001", storage.AccessKeyRecord{AccessKeyID: "AKIAOTHERACCOUNT0001", Account: "999999999999", UserName: "x"})
	})
	_, err = e.s.GetAccessKeyLastUsed(e.root, &iamapi.GetAccessKeyLastUsedRequest{AccessKeyId: idp("AKIAOTHERACCOUNT0001")})
	idCode(t, err, "AccessDenied")
}
