// Package sts emulates AWS STS. Handlers get generated inputs and return generated outputs.
//
// Issuing credentials means writing a storage.SessionRecord into the global session index:
// the request pipeline authenticates ASIA keys from it. The authorization step of the
// pipeline decides sts:AssumeRole (identity policies and the role's trust policy) before
// AssumeRole runs; the unsigned AssumeRoleWithWebIdentity and AssumeRoleWithSAML have no
// caller to authorize, so their handlers evaluate the trust policy themselves.
package sts

import (
	"context"
	"crypto/sha256"
	"errors"
	"net/http"
	"time"

	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Options configure the STS service.
type Options struct {
	DB    *storage.DB
	Clock func() time.Time
	IDs   ids.Generator
	// MessageKey encrypts the encoded authorization messages of AccessDenied errors
	// (EncodeAuthorizationMessage) and decrypts them in DecodeAuthorizationMessage. When
	// empty, a random key is made: messages then only decode on this Service.
	MessageKey []byte
	// RootAccessKeys maps the configured root access key ids to their accounts, for
	// GetAccessKeyInfo (they are not in the database).
	RootAccessKeys map[string]string
	// Partition names the sessions AssumeRoleForService issues, and those of a request whose
	// context carries no partition; default aws.
	Partition string
}

// Service implements stsapi.Handler.
type Service struct {
	stsapi.Unimplemented
	db       *storage.DB
	clock    func() time.Time
	ids      ids.Generator
	msgKey   []byte
	rootKeys map[string]string
	part     string
}

var _ stsapi.Handler = (*Service)(nil)

// New returns the STS service.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.IDs.Src == nil {
		opts.IDs = ids.Generator{Src: ids.Crypto{}}
	}
	key := opts.MessageKey
	if len(key) == 0 {
		key = make([]byte, 32)
		opts.IDs.Src.Read(key)
	}
	if opts.Partition == "" {
		opts.Partition = arn.DefaultPartition
	}
	sum := sha256.Sum256(key)
	return &Service{db: opts.DB, clock: opts.Clock, ids: opts.IDs, msgKey: sum[:], rootKeys: opts.RootAccessKeys, part: opts.Partition}
}

// partition is the request's partition (the service's when the context carries none).
func (s *Service) partition(ctx context.Context) string {
	if p := reqctx.From(ctx).Partition; p != "" {
		return p
	}
	return s.part
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

// now is the request time (the injected clock when a handler is called without one).
func (s *Service) now(ctx context.Context) time.Time {
	if t := reqctx.From(ctx).Now; !t.IsZero() {
		return t.UTC()
	}
	return s.clock().UTC()
}

func accessDenied(format string, args ...any) *awserr.Error {
	return awserr.New("AccessDenied", http.StatusForbidden, true, format, args...)
}

func invalidParameter(format string, args ...any) *awserr.Error {
	return awserr.New("InvalidParameterValue", http.StatusBadRequest, true, format, args...)
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }
