package emulator

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/emulator/initfile"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/storage"
)

// ApplyInit applies the init file at path (IAMLOCAL_INIT; the format is in
// docs/state-format.md) through the IAM and Lambda handlers, as each account's root: what
// exists is left as it is, what is missing is created. The report says which.
func (s *Server) ApplyInit(ctx context.Context, path string) (initfile.Report, error) {
	f, err := initfile.Read(path)
	if err != nil {
		return initfile.Report{}, err
	}
	roots := make([]initfile.Root, len(s.opts.Accounts))
	for i, a := range s.opts.Accounts {
		roots[i] = initfile.Root{Account: a.ID, AccessKeyID: a.AccessKeyID}
	}
	return initfile.Apply(ctx, f, initfile.Target{IAM: s.iamSvc, Lambda: s.lambdaSvc, Accounts: roots,
		Region: s.opts.Region, Partition: s.opts.Partition, Clock: s.clock, PutAccessKey: s.putAccessKey})
}

// accessKeyID is the model's accessKeyIdType ([\w]+, 16 to 128 characters).
var accessKeyID = regexp.MustCompile(`^\w{16,128}$`)

// accessKeysPerUser is IAM's quota ("IAM and AWS STS quotas": access keys assigned to an IAM
// user, 2), which CreateAccessKey enforces too.
const accessKeysPerUser = 2

// putAccessKey gives an existing user the access key an init file names. No AWS API takes a
// chosen key id or secret (CreateAccessKey makes both), and a suite wants credentials it
// knows in advance, so the record is written here, in one transaction with CreateAccessKey's
// checks: the user exists, the quota of two keys, a key id no one else holds. A key the user
// holds already is left as it is.
func (s *Server) putAccessKey(ctx context.Context, account, user string, k initfile.AccessKey) (bool, error) {
	status := k.Status
	if status == "" {
		status = "Active"
	}
	switch {
	case !accessKeyID.MatchString(k.ID):
		return false, fmt.Errorf("access key id %q: want 16 to 128 letters, digits or '_'", k.ID)
	case k.Secret == "":
		return false, errors.New("access key needs a secret")
	case status != "Active" && status != "Inactive":
		return false, fmt.Errorf("access key status %q: want Active or Inactive", k.Status)
	}
	if root, ok := s.accounts[k.ID]; ok {
		return false, fmt.Errorf("access key id %s is the root access key id of account %s", k.ID, root.ID)
	}
	created := false
	err := s.db.Update(account, func(tx *storage.Tx) error {
		u, err := storage.Users(tx).Get(storage.Key(user))
		if errors.Is(err, storage.ErrNotFound) {
			return iamapi.ErrNoSuchEntity("The user with name %s cannot be found.", user)
		}
		if err != nil {
			return err
		}
		if held, err := storage.AccessKeys(tx).Get(k.ID); err == nil {
			if held.Account == account && strings.EqualFold(held.UserName, user) {
				return nil
			}
			return fmt.Errorf("access key id %s is held by another user", k.ID)
		} else if !errors.Is(err, storage.ErrNotFound) {
			return err
		}
		if storage.UserScope(tx, user).AccessKeys().Count() >= accessKeysPerUser {
			return iamapi.ErrLimitExceeded("Cannot exceed quota for AccessKeysPerUser: %d", accessKeysPerUser)
		}
		created = true
		return storage.AccessKeys(tx).Insert(k.ID, storage.AccessKeyRecord{V: 1, AccessKeyID: k.ID, Secret: k.Secret,
			Account: account, UserName: u.Name, Status: status, Created: reqctx.From(ctx).Now})
	})
	return created, err
}
