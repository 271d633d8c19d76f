package iam

import (
	"crypto/md5"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol/awserr"
)

// RSA key generation is slow under -race: the tests share a few keys.
var testRSAKeys = sync.OnceValue(func() []*rsa.PrivateKey {
	var keys []*rsa.PrivateKey
	for _, bits := range []int{2048, 2048, 1024} {
		k, err := rsa.GenerateKey(rand.Reader, bits)
		if err != nil {
			panic(err)
		}
		keys = append(keys, k)
	}
	return keys
})

func sshForm(k *rsa.PublicKey) string {
	return "ssh-rsa " + base64.StdEncoding.EncodeToString(sshRSABlob(k)) + " me@laptop"
}

func testSSHKey(t *testing.T) string { return sshForm(&testRSAKeys()[0].PublicKey) }

func TestSSHPublicKeyLifecycle(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	key := &testRSAKeys()[0].PublicKey
	// The fingerprint is the MD5 of the key blob, colon-separated (what ssh-keygen -E md5 -l shows).
	sum := md5.Sum(sshRSABlob(key))
	var hexes []string
	for _, b := range sum {
		hexes = append(hexes, fmt.Sprintf("%02x", b))
	}
	wantFP := strings.Join(hexes, ":")

	out, err := e.s.UploadSSHPublicKey(e.root, &iamapi.UploadSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyBody: idp(sshForm(key))})
	idOK(t, err)
	k := out.SSHPublicKey
	if *k.Fingerprint != wantFP || !strings.HasPrefix(*k.SSHPublicKeyId, "APKA") || len(*k.SSHPublicKeyId) != 21 || *k.Status != "Active" || *k.UserName != "u" {
		t.Fatalf("upload = %+v (want fingerprint %s)", k, wantFP)
	}
	id := *k.SSHPublicKeyId
	_, err = e.s.UploadSSHPublicKey(e.root, &iamapi.UploadSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyBody: idp(sshForm(key))})
	idCode(t, err, "DuplicateSSHPublicKey")

	pemOut, err := e.s.GetSSHPublicKey(e.root, &iamapi.GetSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyId: &id, Encoding: idp("PEM")})
	idOK(t, err)
	block, _ := pem.Decode([]byte(*pemOut.SSHPublicKey.SSHPublicKeyBody))
	if block == nil {
		t.Fatalf("PEM encoding = %q", *pemOut.SSHPublicKey.SSHPublicKeyBody)
	}
	if pub, err := x509.ParsePKIXPublicKey(block.Bytes); err != nil || !pub.(*rsa.PublicKey).Equal(key) {
		t.Fatalf("PEM body is not the key: %v", err)
	}

	// A PEM upload of a second key gets the same kind of fingerprint.
	der, _ := x509.MarshalPKIXPublicKey(&testRSAKeys()[1].PublicKey)
	second, err := e.s.UploadSSHPublicKey(e.root, &iamapi.UploadSSHPublicKeyRequest{UserName: idp("u"),
		SSHPublicKeyBody: idp(string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})))})
	idOK(t, err)
	sum2 := md5.Sum(sshRSABlob(&testRSAKeys()[1].PublicKey))
	if !strings.HasPrefix(*second.SSHPublicKey.Fingerprint, fmt.Sprintf("%02x:", sum2[0])) || !strings.HasPrefix(*second.SSHPublicKey.SSHPublicKeyBody, "ssh-rsa ") {
		t.Fatalf("PEM upload = %+v", second.SSHPublicKey)
	}

	list, err := e.s.ListSSHPublicKeys(e.asUser("u"), &iamapi.ListSSHPublicKeysRequest{})
	idOK(t, err)
	if len(list.SSHPublicKeys) != 2 {
		t.Fatalf("list = %+v", list.SSHPublicKeys)
	}
	_, err = e.s.UpdateSSHPublicKey(e.root, &iamapi.UpdateSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyId: &id, Status: idp("Inactive")})
	idOK(t, err)
	got, err := e.s.GetSSHPublicKey(e.root, &iamapi.GetSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyId: &id, Encoding: idp("SSH")})
	idOK(t, err)
	if *got.SSHPublicKey.Status != "Inactive" || *got.SSHPublicKey.SSHPublicKeyBody != sshForm(key) {
		t.Fatalf("get = %+v", got.SSHPublicKey)
	}
	_, err = e.s.DeleteSSHPublicKey(e.root, &iamapi.DeleteSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyId: &id})
	idOK(t, err)
	for _, err := range []error{
		func() error {
			_, err := e.s.DeleteSSHPublicKey(e.root, &iamapi.DeleteSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyId: &id})
			return err
		}(),
		func() error {
			_, err := e.s.UpdateSSHPublicKey(e.root, &iamapi.UpdateSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyId: &id, Status: idp("Active")})
			return err
		}(),
	} {
		idCode(t, err, "NoSuchEntity", "The Public Key with id "+id+" cannot be found.")
	}
}

func TestUploadSSHPublicKeyRejects(t *testing.T) {
	t.Parallel()
	e := newIDEnv(t)
	e.user("u")
	small := sshForm(&testRSAKeys()[2].PublicKey)
	tests := []struct {
		name, body, user, code string
	}{
		{"unknown user", testSSHKey(t), "nobody", "NoSuchEntity"},
		{"garbage", "not a key", "u", "UnrecognizedPublicKeyEncoding"},
		{"bad base64", "ssh-rsa !!!!", "u", "UnrecognizedPublicKeyEncoding"},
		{"not rsa", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl", "u", "InvalidPublicKey"},
		{"short rsa", small, "u", "InvalidPublicKey"},
		{"pem garbage", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----", "u", "UnrecognizedPublicKeyEncoding"},
	}
	for _, tc := range tests {
		_, err := e.s.UploadSSHPublicKey(e.root, &iamapi.UploadSSHPublicKeyRequest{UserName: &tc.user, SSHPublicKeyBody: &tc.body})
		if e, ok := asIDErr(err); !ok || e != tc.code {
			t.Errorf("%s: err = %v, want %s", tc.name, err, tc.code)
		}
	}
	_, err := e.s.GetSSHPublicKey(e.root, &iamapi.GetSSHPublicKeyRequest{UserName: idp("u"), SSHPublicKeyId: idp("APKAXXXXXXXXXXXXXXXXX"), Encoding: idp("SSH")})
	idCode(t, err, "NoSuchEntity", "The Public Key with id APKAXXXXXXXXXXXXXXXXX cannot be found.")
}

func asIDErr(err error) (string, bool) {
	e, ok := awserr.As(err)
	if !ok {
		return "", false
	}
	return e.Code, true
}
