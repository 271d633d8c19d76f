package iam

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// quotaAccessKeysPerUser is the hard limit of long-term keys per user (and per root user).
const quotaAccessKeysPerUser = 2

// Long-term access keys live in the global storage.AccessKeys index, keyed by key id, because
// the request pipeline must find a key's account and owner before it knows either; storage
// also indexes them by owner in their account. A key of the root user (created by the root
// user calling CreateAccessKey without UserName) is stored with UserName "": the pipeline
// authenticates such a key as the account root.

func sortAccessKeys(keys []storage.AccessKeyRecord) {
	sort.Slice(keys, func(i, j int) bool {
		if !keys[i].Created.Equal(keys[j].Created) {
			return keys[i].Created.Before(keys[j].Created)
		}
		return keys[i].AccessKeyID < keys[j].AccessKeyID
	})
}

func noSuchAccessKey(id string) error {
	return iamapi.ErrNoSuchEntity("The Access Key with id %s cannot be found.", id)
}

// ownedAccessKey reads a key that must belong to the (optionally named) user, or to the root
// user, in the transaction's account.
func ownedAccessKey(ctx context.Context, tx *storage.Tx, userName *string, id string) (storage.AccessKeyRecord, error) {
	o, err := credentialOwner(ctx, tx, userName, true)
	if err != nil {
		return storage.AccessKeyRecord{}, err
	}
	k, err := storage.AccessKeys(tx).Get(id)
	if isNotFound(err) || (err == nil && (k.Account != tx.Account() || storage.Key(k.UserName) != o.key())) {
		return k, noSuchAccessKey(id)
	}
	return k, err
}

func (s *Service) CreateAccessKey(ctx context.Context, in *iamapi.CreateAccessKeyRequest) (*iamapi.CreateAccessKeyResponse, error) {
	rec := storage.AccessKeyRecord{Account: account(ctx), Status: "Active", Created: s.now(ctx), Secret: s.ids.Secret()}
	err := s.update(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, true)
		if err != nil {
			return err
		}
		if o.scope(tx).AccessKeys().Count() >= quotaAccessKeysPerUser {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", quotaAccessKeysPerUser)
		}
		rec.UserName = o.User.Name
		for range 8 { // a collision of 16 random base32 characters is next to impossible; retry anyway
			rec.AccessKeyID = s.ids.AccessKeyID("AKIA")
			if err = storage.AccessKeys(tx).Insert(rec.AccessKeyID, rec); !errors.Is(err, storage.ErrExists) {
				return err
			}
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	key := &iamapi.AccessKey{
		AccessKeyId:     protocol.Ptr(rec.AccessKeyID),
		CreateDate:      protocol.Ptr(rec.Created),
		SecretAccessKey: protocol.Ptr(rec.Secret),
		Status:          protocol.Ptr(rec.Status),
	}
	if rec.UserName != "" {
		key.UserName = protocol.Ptr(rec.UserName)
	}
	return &iamapi.CreateAccessKeyResponse{AccessKey: key}, nil
}

// ListAccessKeys lists the keys of a user, oldest first: at most two (the quota), read from
// the owner index.
func (s *Service) ListAccessKeys(ctx context.Context, in *iamapi.ListAccessKeysRequest) (*iamapi.ListAccessKeysResponse, error) {
	var keys []storage.AccessKeyRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		o, err := credentialOwner(ctx, tx, in.UserName, true)
		if err != nil {
			return err
		}
		keys, err = ownedAccessKeys(o.scope(tx))
		return err
	})
	if err != nil {
		return nil, err
	}
	p, err := paginate(keys, func(k storage.AccessKeyRecord) string {
		return fmt.Sprintf("%020d%s", k.Created.UnixNano(), k.AccessKeyID)
	}, in.Marker, in.MaxItems)
	if err != nil {
		return nil, err
	}
	out := &iamapi.ListAccessKeysResponse{IsTruncated: p.IsTruncated(), Marker: p.Marker, AccessKeyMetadata: []iamapi.AccessKeyMetadata{}}
	for _, k := range p.Items {
		m := iamapi.AccessKeyMetadata{
			AccessKeyId: protocol.Ptr(k.AccessKeyID),
			CreateDate:  protocol.Ptr(k.Created),
			Status:      protocol.Ptr(k.Status),
		}
		if k.UserName != "" {
			m.UserName = protocol.Ptr(k.UserName)
		}
		out.AccessKeyMetadata = append(out.AccessKeyMetadata, m)
	}
	return out, nil
}

// UpdateAccessKey activates or deactivates a key; the pipeline refuses inactive keys.
func (s *Service) UpdateAccessKey(ctx context.Context, in *iamapi.UpdateAccessKeyRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		k, err := ownedAccessKey(ctx, tx, in.UserName, protocol.Val(in.AccessKeyId))
		if err != nil {
			return err
		}
		k.Status = protocol.Val(in.Status)
		return storage.AccessKeys(tx).Put(k.AccessKeyID, k)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

func (s *Service) DeleteAccessKey(ctx context.Context, in *iamapi.DeleteAccessKeyRequest) (*iamapi.Empty, error) {
	err := s.update(ctx, func(tx *storage.Tx) error {
		k, err := ownedAccessKey(ctx, tx, in.UserName, protocol.Val(in.AccessKeyId))
		if err != nil {
			return err
		}
		return storage.AccessKeys(tx).Delete(k.AccessKeyID)
	})
	if err != nil {
		return nil, err
	}
	return &iamapi.Empty{}, nil
}

// GetAccessKeyLastUsed works for any key of the caller's account. For an unknown key (or one
// of another account) AWS answers AccessDenied, with this wording and no colon after
// "perform" (localstack recorded get-last-used-nonexistent-key-error). A key never used reports
// Region and ServiceName "N/A" and no LastUsedDate.
func (s *Service) GetAccessKeyLastUsed(ctx context.Context, in *iamapi.GetAccessKeyLastUsedRequest) (*iamapi.GetAccessKeyLastUsedResponse, error) {
	id := protocol.Val(in.AccessKeyId)
	var k storage.AccessKeyRecord
	err := s.view(ctx, func(tx *storage.Tx) error {
		var err error
		k, err = storage.AccessKeys(tx).Get(id)
		if isNotFound(err) || (err == nil && k.Account != tx.Account()) {
			return awserr.New("AccessDenied", 403, true,
				"User: %s is not authorized to perform iam:GetAccessKeyLastUsed on resource: access key %s",
				reqctx.From(ctx).Caller.ARN, id)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	used := &iamapi.AccessKeyLastUsed{Region: protocol.Ptr("N/A"), ServiceName: protocol.Ptr("N/A")}
	if !k.LastUsed.IsZero() {
		used.LastUsedDate = protocol.Ptr(k.LastUsed.UTC().Truncate(1e9))
		if k.LastRegion != "" {
			used.Region = protocol.Ptr(k.LastRegion)
		}
		if k.LastService != "" {
			used.ServiceName = protocol.Ptr(k.LastService)
		}
	}
	name := k.UserName
	if name == "" {
		name = "root"
	}
	return &iamapi.GetAccessKeyLastUsedResponse{AccessKeyLastUsed: used, UserName: protocol.Ptr(name)}, nil
}
