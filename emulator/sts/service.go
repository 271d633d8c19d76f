// Package sts emulates AWS STS. Handlers get generated inputs and return generated outputs.
package sts

import (
	"context"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
)

// Options configure the STS service.
type Options struct {
	DB    *storage.DB
	Clock func() time.Time
	IDs   ids.Generator
}

// Service implements stsapi.Handler.
type Service struct {
	stsapi.Unimplemented
	db    *storage.DB
	clock func() time.Time
	ids   ids.Generator
}

var _ stsapi.Handler = (*Service)(nil)

// New returns the STS service.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	return &Service{db: opts.DB, clock: opts.Clock, ids: opts.IDs}
}

// GetCallerIdentity names the caller; AWS never denies it.
func (s *Service) GetCallerIdentity(ctx context.Context, _ *stsapi.GetCallerIdentityRequest) (*stsapi.GetCallerIdentityResponse, error) {
	c := reqctx.From(ctx).Caller
	return &stsapi.GetCallerIdentityResponse{
		Account: protocol.Ptr(c.Account),
		Arn:     protocol.Ptr(c.ARN),
		UserId:  protocol.Ptr(c.UserID),
	}, nil
}
