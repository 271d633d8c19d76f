package sts

import (
	"context"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// GetAccessKeyInfo names the account of an access key id (STS API Reference,
// GetAccessKeyInfo): keys this server knows answer from its indexes, including inactive ones
// ("This operation does not indicate the state of the access key"); any other key answers
// from the account that key ids encode after their four-character prefix, which is how AWS
// answers for keys it holds no record of.
func (s *Service) GetAccessKeyInfo(_ context.Context, in *stsapi.GetAccessKeyInfoRequest) (*stsapi.GetAccessKeyInfoResponse, error) {
	id := protocol.Val(in.AccessKeyId)
	acct, ok := s.rootKeys[id]
	if !ok {
		err := s.db.View("", func(tx *storage.Tx) error {
			if k, err := storage.AccessKeys(tx).Get(id); err == nil {
				acct, ok = k.Account, true
				return nil
			} else if !isNotFound(err) {
				return err
			}
			if sess, err := storage.Sessions(tx).Get(id); err == nil {
				acct, ok = sess.Account, true
			} else if !isNotFound(err) {
				return err
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	if !ok {
		if acct, ok = accountOfKeyID(id); !ok {
			return nil, invalidParameter("The access key ID %s is not valid.", id)
		}
	}
	return &stsapi.GetAccessKeyInfoResponse{Account: protocol.Ptr(acct)}, nil
}
