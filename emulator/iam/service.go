// Package iam emulates the AWS IAM API on top of storage. Handlers receive generated input
// structs and return generated outputs or *awserr.Error; they never see HTTP, XML or bbolt.
package iam

import (
	"context"
	"errors"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Options configure the IAM service.
type Options struct {
	DB    *storage.DB
	Clock func() time.Time // used when the request context carries no time (direct Go calls)
	IDs   ids.Generator
	// Partition is used when the request context carries none (direct Go calls); default aws.
	Partition string
	// PolicyStored is told of each policy document a call has stored; nil for none.
	PolicyStored func(ctx context.Context, w PolicyWrite)
}

// Service implements iamapi.Handler. Operations it does not override answer NotImplemented.
type Service struct {
	iamapi.Unimplemented
	db        *storage.DB
	clock     func() time.Time
	ids       ids.Generator
	partition string
	stored    func(ctx context.Context, w PolicyWrite)
}

var _ iamapi.Handler = (*Service)(nil)

// New returns the IAM service.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.IDs.Src == nil {
		opts.IDs = ids.Generator{Src: ids.Crypto{}}
	}
	if opts.Partition == "" {
		opts.Partition = arn.DefaultPartition
	}
	return &Service{db: opts.DB, clock: opts.Clock, ids: opts.IDs, partition: opts.Partition, stored: opts.PolicyStored}
}

// account is the caller's account: IAM state is per account.
func account(ctx context.Context) string { return reqctx.From(ctx).Caller.Account }

// names is where the caller's IAM resources are named: the request's partition and the
// caller's account.
func (s *Service) names(ctx context.Context) arn.Scope {
	info := reqctx.From(ctx)
	p := info.Partition
	if p == "" {
		p = s.partition
	}
	return arn.Scope{Partition: p, Account: info.Caller.Account}
}

// now is the request time, truncated to seconds as IAM reports dates.
func (s *Service) now(ctx context.Context) time.Time {
	t := reqctx.From(ctx).Now
	if t.IsZero() {
		t = s.clock()
	}
	return t.UTC().Truncate(time.Second)
}

// update runs fn in one read-write transaction on the caller's account.
func (s *Service) update(ctx context.Context, fn func(tx *storage.Tx) error) error {
	return s.db.Update(account(ctx), fn)
}

// view runs fn in one read-only transaction on the caller's account.
func (s *Service) view(ctx context.Context, fn func(tx *storage.Tx) error) error {
	return s.db.View(account(ctx), fn)
}

// isNotFound reports a storage miss.
func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

// lookup reads the record of t stored under name (names are unique without case), answering
// missing(name), the resource's NoSuchEntity, when there is none.
func lookup[T any](t storage.Table[T], name string, missing func(string) error) (T, error) {
	v, err := t.Get(storage.Key(name))
	if isNotFound(err) {
		return v, missing(name)
	}
	return v, err
}

// asAWS passes typed AWS errors through and leaves others for the pipeline to log as internal.
func asAWS(err error) error {
	if e, ok := awserr.As(err); ok {
		return e
	}
	return err
}
