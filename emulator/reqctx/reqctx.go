// Package reqctx carries per-request facts (who is calling, in which account, region and
// partition, the request id and the request time) from the pipeline to the service handlers.
package reqctx

import (
	"context"
	"time"

	"github.com/iamlocal/iamlocal/storage"
)

// PrincipalType is what kind of identity signed the request (aws:PrincipalType values).
type PrincipalType string

const (
	Account       PrincipalType = "Account" // the account's root user
	User          PrincipalType = "User"
	AssumedRole   PrincipalType = "AssumedRole"
	FederatedUser PrincipalType = "FederatedUser"
)

// Caller is the authenticated identity behind a request.
type Caller struct {
	Type        PrincipalType
	Account     string
	ARN         string // arn:aws:iam::123456789012:root | user/path/name | arn:aws:sts::...:assumed-role/R/s
	UserID      string // account id for root, AIDA... for users, AROA...:session for roles
	AccessKeyID string
	UserName    string // IAM user name (Type User)
	RoleName    string // role name (Type AssumedRole)
	RoleARN     string // role ARN (Type AssumedRole)
	SessionName string // role session name or federated user name
	// Temporary marks credentials from STS (ASIA keys with a session token).
	Temporary bool
	// SessionID identifies the STS session record behind temporary credentials.
	SessionID string
	// UserRecord is an IAM user caller's record as authentication read it, in the same read
	// as the access key and current until the database is next written (the credential cache
	// keeps it no longer): an operation on the caller itself can answer from it. Shared
	// between requests, so read-only; nil for other callers.
	UserRecord *storage.UserRecord
}

// Info is everything the pipeline learnt about a request before the handler runs.
type Info struct {
	RequestID string
	Service   string // iam, sts, lambda
	Operation string
	Region    string
	// Partition is the partition resource names are built in ("aws", "aws-us-gov", ...); the
	// server sets it on every request, a bare context leaves it empty.
	Partition string
	Now       time.Time
	SourceIP  string
	Secure    bool
	Caller    Caller
}

type key struct{}

// With returns ctx carrying info.
func With(ctx context.Context, info *Info) context.Context {
	return context.WithValue(ctx, key{}, info)
}

// From returns the request's info; handlers are only ever called with one present. A bare
// context (a direct Go call in a unit test) gets an empty Info rather than a nil pointer.
func From(ctx context.Context) *Info {
	if info, ok := ctx.Value(key{}).(*Info); ok {
		return info
	}
	return &Info{}
}

// Anonymous reports a request that carried no signature (only STS's web identity and SAML
// operations are served that way); its Caller is empty.
func (i *Info) Anonymous() bool { return i.Caller.Type == "" }
