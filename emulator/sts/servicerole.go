package sts

import (
	"fmt"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/storage"
)

// AssumeRoleForService issues temporary credentials of a role to an AWS service acting in the
// role's account, as Lambda does for a function's execution role (session name = function
// name, so the function's calls show up as arn:aws:sts::ACCT:assumed-role/ROLE/FUNCTION). It
// runs inside the caller's transaction, which must be the role's account, and does not
// evaluate the trust policy: the caller checked it when the role was configured.
func (s *Service) AssumeRoleForService(tx *storage.Tx, roleName, sessionName string, now time.Time, d time.Duration) (storage.SessionRecord, error) {
	role, err := storage.Roles(tx).Get(storage.Key(roleName))
	if err != nil {
		return storage.SessionRecord{}, fmt.Errorf("sts: role %s: %w", roleName, err)
	}
	in := arn.Scope{Partition: s.part, Account: tx.Account()}
	rec := s.newSession(in.Account, now, d)
	rec.Type = string(reqctx.AssumedRole)
	rec.ARN = in.AssumedRole(role.Name, sessionName).String()
	rec.UserID = role.ID + ":" + sessionName
	rec.RoleName, rec.RoleARN, rec.RoleID = role.Name, roleARN(in, role), role.ID
	rec.SessionName = sessionName
	role.LastUsed, role.LastUsedRegion = now.UTC().Truncate(time.Second), ""
	if err := storage.Roles(tx).Put(storage.Key(role.Name), role); err != nil {
		return storage.SessionRecord{}, err
	}
	return rec, putSession(tx, rec)
}
