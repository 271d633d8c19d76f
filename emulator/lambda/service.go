// Package lambda emulates the AWS Lambda control plane on top of storage: functions and their
// code, versions, aliases, resource-based policies, tags, concurrency, event invoke configs,
// function URL configs and layers, and invocation (Invoke, InvokeAsync,
// InvokeWithResponseStream and function URLs, urlserve.go): it resolves the version, admits the
// invocation within Lambda's concurrency (concurrency.go) and hands it to a Runner (the
// executor), or queues an asynchronous event for delivery (asyncqueue.go). An executor reads what
// it needs (configuration and code) through Resolve and storage.LambdaCode. Handlers receive
// generated input structs and return generated outputs or *awserr.Error; they never see HTTP,
// JSON or bbolt (the function URL event and answer are the payloads the server hands through).
// Each call is one transaction in the account and region of the resource it acts on (update,
// view): Lambda's state is per account and region, as AWS keeps it.
package lambda

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Options configure the Lambda service.
type Options struct {
	DB     *storage.DB
	Clock  func() time.Time // used when the request context carries no time (direct Go calls)
	IDs    ids.Generator
	Region string // used when the request context carries no region; default us-east-1
	Invoke InvokeHooks
	// Partition is used when the request context carries none (direct Go calls and queued
	// invocations); default aws.
	Partition string
	// DownloadKey signs the code download URLs GetFunction returns (see CodePath); a random
	// one when empty.
	DownloadKey []byte
	// AccountConcurrency is every account's concurrency limit in each Region ("Lambda
	// quotas": 1,000 by default, the default here).
	AccountConcurrency int
	// AsyncDelayScale multiplies the waits of asynchronous invocation (the retry delays of
	// function errors, throttles and service errors) and its events' maximum age, so a test
	// suite need not wait minutes: 0.001 turns Lambda's one minute into 60 ms; default 1.
	AsyncDelayScale float64
	// After waits on the clock for asynchronous retries; default time.After. Tests with a
	// clock of their own pass its timer.
	After func(time.Duration) <-chan time.Time
	// ProvisionWait bounds how long PutProvisionedConcurrencyConfig waits for the
	// environments to be initialised before answering IN_PROGRESS; default 10 seconds.
	ProvisionWait time.Duration
	// Logger takes the service's warnings: a function stored that cannot run here, and what
	// iamlocal does not emulate (destinations of other services); nil discards them.
	Logger *slog.Logger
	// URLBase is the base of the function URLs the API returns (see URLPath), for a server
	// reached under another name than its own address (a container); default
	// Invoke.Endpoint.
	URLBase string
	// StateTransition is how long a new function stays Pending and an update of $LATEST
	// InProgress (lifecycle.go), during which updates and publishing (and, while Pending,
	// invocations) are refused as Lambda refuses them; default 0: the reads that follow see Active and Successful at once.
	StateTransition time.Duration
}

// Service implements lambdaapi.Handler. Operations it does not override answer NotImplemented.
type Service struct {
	lambdaapi.Unimplemented
	db        *storage.DB
	clock     func() time.Time
	ids       ids.Generator
	region    string
	partition string
	hooks     InvokeHooks
	roles     roleCache
	conc      concurrency
	async     *asyncQueues
	// provisionErrs are provisions the Runner could not be asked for.
	provisionErrs provisionErrors
	// accountLimit is Options.AccountConcurrency; delayScale, after, provisionWait and log
	// the asynchronous and provisioning settings.
	accountLimit  int
	delayScale    float64
	after         func(time.Duration) <-chan time.Time
	provisionWait time.Duration
	log           *slog.Logger
	// downloadKey is the HMAC key of code download URLs.
	downloadKey []byte
	urlBase     string // Options.URLBase
	// stateTransition is Options.StateTransition.
	stateTransition time.Duration
}

var _ lambdaapi.Handler = (*Service)(nil)

// New returns the Lambda service.
func New(opts Options) *Service {
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.IDs.Src == nil {
		opts.IDs = ids.Generator{Src: ids.Crypto{}}
	}
	if opts.Region == "" {
		opts.Region = "us-east-1"
	}
	if opts.Partition == "" {
		opts.Partition = arn.DefaultPartition
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if len(opts.DownloadKey) == 0 {
		// Not from opts.IDs: drawing from it would shift the ids seeded tests expect.
		opts.DownloadKey = make([]byte, 32)
		ids.Crypto{}.Read(opts.DownloadKey)
	}
	if opts.AccountConcurrency <= 0 {
		opts.AccountConcurrency = accountConcurrency
	}
	if opts.AsyncDelayScale <= 0 {
		opts.AsyncDelayScale = 1
	}
	if opts.After == nil {
		opts.After = time.After
	}
	if opts.ProvisionWait <= 0 {
		opts.ProvisionWait = 10 * time.Second
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Service{db: opts.DB, clock: opts.Clock, ids: opts.IDs, region: opts.Region, partition: opts.Partition,
		hooks: opts.Invoke, downloadKey: opts.DownloadKey, accountLimit: opts.AccountConcurrency,
		delayScale: opts.AsyncDelayScale, after: opts.After, provisionWait: opts.ProvisionWait, log: opts.Logger,
		urlBase: opts.URLBase, stateTransition: opts.StateTransition}
	s.async = newAsyncQueues(s)
	return s
}

// Lambda's documented quotas ("Lambda quotas" in the Developer Guide) and defaults.
const (
	maxZipped          = 52428800  // deployment package, zipped, direct upload
	maxUnzipped        = 262144000 // deployment package and layers, unzipped
	maxEnvBytes        = 4096      // environment variables, all together
	maxLayers          = 5
	maxTags            = 50
	accountConcurrency = 1000        // concurrent executions per Region
	minUnreserved      = 100         // unreserved concurrency Lambda keeps
	accountCodeStorage = 80530636800 // 75 GB of function and layer storage
	defaultTimeout     = 3
	defaultMemory      = 128
	defaultEphemeral   = 512
	maxTimeout         = 900
	maxMemory          = 10240
	latest             = "$LATEST"
	listPage           = 50 // List* return at most 50 items a page
)

// call carries the facts of one request the handlers need.
type call struct {
	ctx       context.Context
	account   string // the caller's account
	region    string
	partition string
	now       time.Time
}

func (s *Service) call(ctx context.Context) call {
	info := reqctx.From(ctx)
	c := call{ctx: ctx, account: info.Caller.Account, region: info.Region, partition: info.Partition, now: info.Now}
	if c.region == "" {
		c.region = s.region
	}
	if c.partition == "" {
		c.partition = s.partition
	}
	if c.now.IsZero() {
		c.now = s.clock()
	}
	c.now = c.now.UTC()
	return c
}

// scope is where the caller's resources are named: the request's partition and region and
// the caller's account.
func (c call) scope() arn.Scope {
	return arn.Scope{Partition: c.partition, Region: c.region, Account: c.account}
}

// update runs fn in one read-write transaction on the account and region of where: Lambda's
// state is regional (storage.RegionTable), so every handler names the region it acts in.
func (s *Service) update(where arn.Scope, fn func(tx *storage.Tx) error) error {
	return asAWS(s.db.UpdateRegion(where.Account, where.Region, fn))
}

// view runs fn in one read-only transaction on the account and region of where.
func (s *Service) view(where arn.Scope, fn func(tx *storage.Tx) error) error {
	return asAWS(s.db.ViewRegion(where.Account, where.Region, fn))
}

// asAWS passes typed AWS errors through and leaves others for the pipeline to log as internal.
func asAWS(err error) error {
	if e, ok := awserr.As(err); ok {
		return e
	}
	return err
}

func isNotFound(err error) bool { return errors.Is(err, storage.ErrNotFound) }

// revision is a new RevisionId (a UUID, changed on every update of the resource).
func (s *Service) revision() string { return s.ids.UUID() }

// lastModified renders a time as Lambda's LastModified: 2024-01-02T03:04:05.000+0000.
func lastModified(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000-0700") }

// hexSHA256 is the hex SHA-256 of b, the key code is stored under.
func hexSHA256(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Common error texts, as Lambda words them (conformance/errors, localstack recordings).
const (
	msgRevision        = "The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id"
	msgPolicyRevision  = "The Revision Id provided does not match the latest Revision Id. Call the GetPolicy API to retrieve the latest Revision Id"
	msgNoResource      = "The resource you requested does not exist."
	msgQualifierDiffer = "The derived qualifier from the function name does not match the specified qualifier."
	msgUnqualifiedOnly = "This operation is permitted on Lambda functions only. Aliases and versions do not support this operation. Please specify either a function name or an unqualified function ARN."
	msgNoFunctionURL   = "Function does not exist"
)

func errRevision() error { return lambdaapi.ErrPreconditionFailed(msgRevision) }

func invalid(format string, args ...any) error {
	return lambdaapi.ErrInvalidParameterValue(format, args...)
}

// untyped is err without the body's "Type" member: the concurrency checks, the alias routing
// check on $LATEST and the code signing config lookups answer so (bodyKeys of
// reserved_lower_than_provisioned_exc, put_provisioned_concurrency_*,
// put_function_concurrency_account_limit_exceeded, target_version_exc_version_latest and
// delete_csc_notfound in conformance/errors).
func untyped(err error) error {
	if e, ok := awserr.As(err); ok {
		e.Untyped = true
	}
	return err
}

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func ptr[T any](v T) *T { return &v }
