package logs

import (
	"context"
	"errors"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// PutLogGroupDeletionProtection turns a group's deletion protection on or off (CreateLogGroup's
// deletionProtectionEnabled sets it at creation). A protected group refuses DeleteLogGroup
// until it is turned off ("Protecting log groups from deletion", CloudWatch Logs User Guide).
func (s *Service) PutLogGroupDeletionProtection(ctx context.Context, in *logsapi.PutLogGroupDeletionProtectionRequest) (*logsapi.Empty, error) {
	c := s.call(ctx)
	key := storage.LogGroupKey(c.region, arn.LogGroupOf(protocol.Val(in.LogGroupIdentifier)))
	err := s.opts.DB.Update(c.account, func(tx *storage.Tx) error {
		groups := storage.LogGroups(tx)
		g, err := groups.Get(key)
		if err != nil {
			return err
		}
		g.DeletionProtected = protocol.Val(in.DeletionProtectionEnabled)
		return groups.Put(key, g)
	})
	if errors.Is(err, storage.ErrNotFound) {
		return nil, groupNotFound()
	}
	if err != nil {
		return nil, err
	}
	return &logsapi.Empty{}, nil
}

// errDeletionProtected is the guide's answer to deleting a protected group.
func errDeletionProtected() error {
	return logsapi.ErrValidation("Cannot delete log group with deletion protection enabled. Disable deletion protection first.")
}
