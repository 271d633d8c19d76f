package iam

import (
	"context"
	"crypto/md5"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/binary"
	"encoding/pem"
	"fmt"
	"math/big"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// SSH public keys (for CodeCommit). IAM accepts RSA keys of at least 2048 bits, in OpenSSH
// ("ssh-rsa AAAA... comment") or PEM form, and reports the MD5 fingerprint of the key blob
// (IAM API Reference, UploadSSHPublicKey).
const (
	quotaSSHKeysPerUser = 5
	minSSHKeyBits       = 2048
)

func errUnrecognizedKey() error {
	return iamapi.ErrUnrecognizedPublicKeyEncoding("The public key encoding format is unsupported or unrecognized.")
}

func errInvalidKey() error {
	return iamapi.ErrInvalidPublicKey("The public key is malformed or otherwise invalid.")
}

// parseSSHPublicKey returns the key in OpenSSH and PEM form and its fingerprint.
func parseSSHPublicKey(body string) (sshForm, pemForm, fingerprint string, err error) {
	body = strings.TrimSpace(body)
	var key *rsa.PublicKey
	if block, _ := pem.Decode([]byte(body)); block != nil {
		switch block.Type {
		case "PUBLIC KEY":
			pub, perr := x509.ParsePKIXPublicKey(block.Bytes)
			if perr != nil {
				return "", "", "", errUnrecognizedKey()
			}
			var ok bool
			if key, ok = pub.(*rsa.PublicKey); !ok {
				return "", "", "", errInvalidKey()
			}
		case "RSA PUBLIC KEY":
			if key, err = x509.ParsePKCS1PublicKey(block.Bytes); err != nil {
				return "", "", "", errUnrecognizedKey()
			}
		default:
			return "", "", "", errUnrecognizedKey()
		}
		sshForm = "ssh-rsa " + base64.StdEncoding.EncodeToString(sshRSABlob(key))
	} else {
		fields := strings.Fields(body)
		if len(fields) < 2 {
			return "", "", "", errUnrecognizedKey()
		}
		blob, derr := base64.StdEncoding.DecodeString(fields[1])
		if derr != nil {
			return "", "", "", errUnrecognizedKey()
		}
		if fields[0] != "ssh-rsa" {
			return "", "", "", errInvalidKey()
		}
		if key, err = parseSSHRSABlob(blob); err != nil {
			return "", "", "", err
		}
		sshForm = body
	}
	if key.N.BitLen() < minSSHKeyBits {
		return "", "", "", errInvalidKey()
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", "", "", errInvalidKey()
	}
	pemForm = string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
	sum := md5.Sum(sshRSABlob(key))
	hexes := make([]string, len(sum))
	for i, b := range sum {
		hexes[i] = fmt.Sprintf("%02x", b)
	}
	return sshForm, pemForm, strings.Join(hexes, ":"), nil
}

// sshRSABlob is the RFC 4253 wire form of an RSA public key: string "ssh-rsa", mpint e, mpint n.
func sshRSABlob(k *rsa.PublicKey) []byte {
	var b []byte
	put := func(p []byte) {
		b = binary.BigEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
	}
	mpint := func(n *big.Int) []byte {
		p := n.Bytes()
		if len(p) > 0 && p[0]&0x80 != 0 {
			p = append([]byte{0}, p...)
		}
		return p
	}
	put([]byte("ssh-rsa"))
	put(mpint(big.NewInt(int64(k.E))))
	put(mpint(k.N))
	return b
}

func parseSSHRSABlob(b []byte) (*rsa.PublicKey, error) {
	next := func() ([]byte, bool) {
		if len(b) < 4 {
			return nil, false
		}
		n := binary.BigEndian.Uint32(b)
		if uint64(len(b)-4) < uint64(n) {
			return nil, false
		}
		p := b[4 : 4+n]
		b = b[4+n:]
		return p, true
	}
	typ, ok1 := next()
	e, ok2 := next()
	n, ok3 := next()
	if !ok1 || !ok2 || !ok3 || len(b) != 0 || string(typ) != "ssh-rsa" {
		return nil, errUnrecognizedKey()
	}
	eInt := new(big.Int).SetBytes(e)
	if !eInt.IsInt64() || eInt.Int64() < 3 || eInt.Int64() > 1<<31-1 {
		return nil, errInvalidKey()
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(eInt.Int64())}, nil
}

func noSuchSSHKey(id string) error {
	return iamapi.ErrNoSuchEntity("The Public Key with id %s cannot be found.", id)
}

func (s *Service) UploadSSHPublicKey(ctx context.Context, in *iamapi.UploadSSHPublicKeyRequest) (*iamapi.UploadSSHPublicKeyResponse, error) {
	var k storage.SSHKeyRecord
	err := s.update(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(in.UserName))
		if err != nil {
			return err
		}
		sshForm, pemForm, fp, err := parseSSHPublicKey(protocol.Val(in.SSHPublicKeyBody))
		if err != nil {
			return err
		}
		keys := storage.UserScope(tx, u.Name).SSHKeys()
		existing, err := keys.List()
		if err != nil {
			return err
		}
		dup, count := false, len(existing)
		for _, r := range existing {
			dup = dup || r.Fingerprint == fp
		}
		if dup {
			return iamapi.ErrDuplicateSSHPublicKey("The SSH public key is already associated with the specified IAM user.")
		}
		if count >= quotaSSHKeysPerUser {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for PublicKeysPerUser: %d", quotaSSHKeysPerUser)
		}
		k = storage.SSHKeyRecord{V: 1, ID: s.ids.UniqueID("APKA"), User: u.Name, Body: sshForm, PEM: pemForm,
			Fingerprint: fp, Status: "Active", Uploaded: s.now(ctx)}
		return keys.Insert(k.ID, k)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.UploadSSHPublicKeyResponse{SSHPublicKey: wireSSHKey(k, "SSH")}, nil
}

func wireSSHKey(k storage.SSHKeyRecord, encoding string) *iamapi.SSHPublicKey {
	body := k.Body
	if encoding == "PEM" {
		body = k.PEM
	}
	return &iamapi.SSHPublicKey{
		Fingerprint:      protocol.Ptr(k.Fingerprint),
		SSHPublicKeyBody: protocol.Ptr(body),
		SSHPublicKeyId:   protocol.Ptr(k.ID),
		Status:           protocol.Ptr(k.Status),
		UploadDate:       protocol.Ptr(k.Uploaded),
		UserName:         protocol.Ptr(k.User),
	}
}

// userSSHKey runs fn on one key of a named user inside one transaction (read-write if write).
func (s *Service) userSSHKey(ctx context.Context, write bool, user, id *string, fn func(keys storage.Children[storage.SSHKeyRecord], k storage.SSHKeyRecord) error) error {
	run := s.view
	if write {
		run = s.update
	}
	return run(ctx, func(tx *storage.Tx) error {
		u, err := getUser(tx, protocol.Val(user))
		if err != nil {
			return err
		}
		keys := storage.UserScope(tx, u.Name).SSHKeys()
		k, err := keys.Get(protocol.Val(id))
		if isNotFound(err) {
			return noSuchSSHKey(protocol.Val(id))
		} else if err != nil {
			return err
		}
		return fn(keys, k)
	})
}

func (s *Service) GetSSHPublicKey(ctx context.Context, in *iamapi.GetSSHPublicKeyRequest) (*iamapi.GetSSHPublicKeyResponse, error) {
	var out *iamapi.SSHPublicKey
	err := s.userSSHKey(ctx, false, in.UserName, in.SSHPublicKeyId, func(_ storage.Children[storage.SSHKeyRecord], k storage.SSHKeyRecord) error {
		out = wireSSHKey(k, protocol.Val(in.Encoding))
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.GetSSHPublicKeyResponse{SSHPublicKey: out}, nil
}

// ListSSHPublicKeys without UserName lists the calling IAM user's keys, by key id (the storage
// key order).
func (s *Service) ListSSHPublicKeys(ctx context.Context, in *iamapi.ListSSHPublicKeysRequest) (*iamapi.ListSSHPublicKeysResponse, error) {
	var p page[storage.SSHKeyRecord]
	err := s.view(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, false)
		if err != nil {
			return err
		}
		p, err = readPage(in.Marker, in.MaxItems, func(from string, limit int) (storage.Page[storage.SSHKeyRecord], error) {
			return o.scope(tx).SSHKeys().Page(from, limit, nil)
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListSSHPublicKeysResponse{IsTruncated: p.IsTruncated(), Marker: p.Marker, SSHPublicKeys: []iamapi.SSHPublicKeyMetadata{}}
	for _, k := range p.Items {
		out.SSHPublicKeys = append(out.SSHPublicKeys, iamapi.SSHPublicKeyMetadata{
			SSHPublicKeyId: protocol.Ptr(k.ID),
			Status:         protocol.Ptr(k.Status),
			UploadDate:     protocol.Ptr(k.Uploaded),
			UserName:       protocol.Ptr(k.User),
		})
	}
	return out, nil
}

func (s *Service) UpdateSSHPublicKey(ctx context.Context, in *iamapi.UpdateSSHPublicKeyRequest) (*iamapi.Empty, error) {
	err := s.userSSHKey(ctx, true, in.UserName, in.SSHPublicKeyId, func(keys storage.Children[storage.SSHKeyRecord], k storage.SSHKeyRecord) error {
		k.Status = protocol.Val(in.Status)
		return keys.Put(k.ID, k)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteSSHPublicKey(ctx context.Context, in *iamapi.DeleteSSHPublicKeyRequest) (*iamapi.Empty, error) {
	err := s.userSSHKey(ctx, true, in.UserName, in.SSHPublicKeyId, func(keys storage.Children[storage.SSHKeyRecord], k storage.SSHKeyRecord) error {
		return keys.Delete(k.ID)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}
