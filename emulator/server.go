// Package emulator is iamlocal as an embeddable server: New builds it from Options, Handler
// serves IAM, STS and Lambda on one address, Close releases the database. cmd/iamlocal is a thin
// wrapper around it, and emulatortest starts it in-process for tests.
package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/accessanalyzer"
	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/cloudwatch"
	"github.com/iamlocal/iamlocal/emulator/iam"
	"github.com/iamlocal/iamlocal/emulator/lambda"
	"github.com/iamlocal/iamlocal/emulator/logs"
	"github.com/iamlocal/iamlocal/emulator/sts"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/ids"
	"github.com/iamlocal/iamlocal/sigv4"
	"github.com/iamlocal/iamlocal/storage"
)

// Version is reported by the health endpoint.
const Version = "0.1.0"

// Defaults of the zero Options.
const (
	DefaultAccountID       = "123456789012"
	DefaultRegion          = "us-east-1"
	DefaultAccessKeyID     = "test"
	DefaultSecretAccessKey = "test"
)

// Account is one emulated AWS account and its root credentials.
type Account struct {
	ID              string
	AccessKeyID     string
	SecretAccessKey string
}

// Options configure a Server. The zero value works: one account 123456789012 with root
// credentials test/test in us-east-1 of partition aws, and a database in a temporary directory removed on Close.
type Options struct {
	DBPath   string
	Accounts []Account
	Region   string
	Clock    func() time.Time
	IDs      ids.Source
	Logger   *slog.Logger
	// MaxBodyBytes caps every request-size limit of the service table (limits.go), which are
	// AWS's per operation; default 80 MiB, above them all.
	MaxBodyBytes int64
	// A request body must arrive at MinBodyRate bytes a second after an allowance of
	// BodyTimeout, or the request is cut off; defaults 10 s and 64 KiB/s (a 70 MB function
	// upload then has 18 minutes).
	BodyTimeout time.Duration
	MinBodyRate int64
	// HeaderTimeout and IdleTimeout are for the listener serving Handler (see Timeouts):
	// request headers must arrive within HeaderTimeout, and an idle keep-alive connection is
	// closed after IdleTimeout; defaults 10 s and 2 minutes (longer than the SDKs' 90 s idle
	// pools, so clients close first).
	HeaderTimeout time.Duration
	IdleTimeout   time.Duration
	// Enforce is how policy decisions apply: authorize.On (default), Soft (record only) or Off.
	Enforce authorize.Mode
	// DecisionLogSize bounds the decision log served at /_iamlocal/decisions; default 1000.
	DecisionLogSize int
	// Partition is the partition every ARN is built in: aws (default), aws-cn, aws-us-gov, ...
	// (arn.Partitions). The region is not checked against it.
	Partition string
	// AdminAccess is who may call the admin endpoints: AdminLoopback (default) for a server
	// reached from this machine only, AdminAuthenticated for one listening beyond it
	// (AdminAccessFor tells them apart by the listen address).
	AdminAccess AdminAccess
	// AdminToken opens the admin endpoints (Authorization: Bearer <token>). AdminAuthenticated
	// without one generates one from IDs: Server.AdminToken.
	AdminToken string
	// Runtimes name the interpreter of Lambda runtime identifiers ("python3.13":
	// "/usr/bin/python3.13"); others are found on the PATH (see docs/lambda.md).
	Runtimes map[string]string
	// NodeSDKPath is a node_modules directory holding @aws-sdk/* packages, the AWS SDK
	// nodejs18.x and later functions see; default npm's global root when it holds them.
	NodeSDKPath string
	// URLBase is the base of the function URLs the Lambda API returns
	// (<base>/_iamlocal/urls/<url-id>/), for clients that reach the server under another name
	// than its listen address (a container); default Endpoint. URLAuth is how URL requests are
	// authorized: URLAuthCurrent (default) or URLAuthLegacy.
	URLBase string
	URLAuth URLAuth
	// LambdaConcurrency is every account's Lambda concurrency limit in each Region; default
	// 1000, Lambda's.
	LambdaConcurrency int
	// MaxEnvironments bounds the function execution environments alive at once on this
	// machine; default 32. Past it an invocation waits for one in a queue of InvokeQueueSize
	// (default 1000) for at most InvokeQueueWait (default 1 minute), and only then is throttled.
	MaxEnvironments int
	InvokeQueueSize int
	InvokeQueueWait time.Duration
	// AsyncDelayScale multiplies the retry waits of asynchronous invocation and its events'
	// maximum age (0.001: Lambda's one minute is 60 ms); default 1.
	AsyncDelayScale float64
	// LambdaStateTransition is how long a new function stays Pending and an update
	// InProgress, refusing further updates (and invocations while Pending) meanwhile as
	// Lambda does; default 0 (at once).
	LambdaStateTransition time.Duration
}

// Server is a running emulator without a listener.
type Server struct {
	opts     Options
	db       *storage.DB
	tempDir  string
	clock    func() time.Time
	ids      ids.Generator
	log      *slog.Logger
	accounts map[string]Account // by root access key id
	creds    credentials        // access keys and sessions read since the last write (auth.go)
	// signingKeys remembers the SigV4 signing keys authentication derived.
	signingKeys sigv4.SigningKeys
	// requestLogPC is where observe logs from, for a handler that reports its source.
	requestLogPC atomic.Uintptr
	authz        *authorize.Authorizer
	// exec runs Lambda functions; lambdaSvc is waited for on Close (queued invocations).
	exec      *executor.Executor
	lambdaSvc *lambda.Service
	endpoint  atomic.Value // string: the URL clients reach this server at
	sts       *sts.Service
	iamSvc    *iam.Service        // the init file applies through it (init.go)
	logsSvc   *logs.Service       // Sink() takes Lambda function output
	logLines  *logQueue           // queues function output for logsSvc off the invocation's path
	metrics   *cloudwatch.Service // RecordLambda records invocation metrics
	counters  serverMetrics       // what /metrics serves
	// services is the service table (services.go), bySigningName its index by SigV4 scope.
	services      []*service
	bySigningName map[string]*service
	handler       http.Handler
	adminToken    string
	snapshots     snapshotStore // named snapshots of the state (state.go)
	// storageFailure is the first failure of the database itself met since start (a record
	// that no longer decodes, bbolt faulting on a damaged page): health reports it.
	storageFailure atomic.Pointer[string]
	// policyNotes are the lint's findings on stored policies (policynotes.go).
	policyNotes policyNotes
}

// New opens the database and builds the services.
func New(opts Options) (*Server, error) { return newServer(opts) }

// newServer is New with services beyond the table's (tests declare a toy one).
func newServer(opts Options, extra ...*service) (*Server, error) {
	opts = withDefaults(opts)
	if !arn.IsPartition(opts.Partition) {
		return nil, fmt.Errorf("emulator: partition %q: want one of %s", opts.Partition, strings.Join(arn.Partitions(), ", "))
	}
	s := &Server{opts: opts, clock: opts.Clock, ids: ids.Generator{Src: opts.IDs}, log: opts.Logger,
		accounts: map[string]Account{}}
	if err := s.indexAccounts(); err != nil {
		return nil, err
	}
	path := opts.DBPath
	if path == "" {
		dir, err := os.MkdirTemp("", "iamlocal-")
		if err != nil {
			return nil, err
		}
		s.tempDir = dir
		path = filepath.Join(dir, "iamlocal.db")
	}
	// A database of an older format moves its region-less Lambda state into this region.
	db, err := storage.Open(path, storage.Options{Region: opts.Region})
	if err != nil {
		s.removeTemp()
		return nil, err
	}
	for _, note := range db.Upgraded() {
		s.log.Info("storage upgraded", "path", path, "change", note)
	}
	s.db = db
	if note := db.CheckNote(); note != "" {
		s.log.Warn("database not fully checked at start", "reason", note)
	}
	if err := s.build(path, extra); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func withDefaults(opts Options) Options {
	if opts.Region == "" {
		opts.Region = DefaultRegion
	}
	if opts.Partition == "" {
		opts.Partition = arn.DefaultPartition
	}
	if len(opts.Accounts) == 0 {
		opts.Accounts = []Account{{ID: DefaultAccountID, AccessKeyID: DefaultAccessKeyID, SecretAccessKey: DefaultSecretAccessKey}}
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.IDs == nil {
		opts.IDs = &ids.Buffered{}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MaxBodyBytes == 0 {
		opts.MaxBodyBytes = 80 << 20
	}
	if opts.BodyTimeout == 0 {
		opts.BodyTimeout = 10 * time.Second
	}
	if opts.MinBodyRate == 0 {
		opts.MinBodyRate = 64 << 10
	}
	if opts.HeaderTimeout == 0 {
		opts.HeaderTimeout = 10 * time.Second
	}
	if opts.IdleTimeout == 0 {
		opts.IdleTimeout = 2 * time.Minute
	}
	return opts
}

// Timeouts are the listener settings that go with the server: an http.Server serving Handler
// sets ReadHeaderTimeout, ReadTimeout and IdleTimeout from them.
type Timeouts struct {
	ReadHeader time.Duration
	// Read bounds a whole request: its headers, then the largest body the service table
	// allows at the minimum rate. Handler holds each API body to its own size at that rate.
	Read time.Duration
	Idle time.Duration
}

// Timeouts returns the listener timeouts for this server's options and body limits.
func (s *Server) Timeouts() Timeouts {
	var largest int64
	for _, svc := range s.services {
		largest = max(largest, s.largestLimit(svc))
	}
	body := time.Duration(float64(largest) / float64(s.opts.MinBodyRate) * float64(time.Second))
	return Timeouts{ReadHeader: s.opts.HeaderTimeout, Read: s.opts.HeaderTimeout + s.opts.BodyTimeout + body,
		Idle: s.opts.IdleTimeout}
}

// indexAccounts checks the configured accounts and indexes them by root access key id.
func (s *Server) indexAccounts() error {
	ids := map[string]bool{}
	for _, a := range s.opts.Accounts {
		if !arn.IsAccountID(a.ID) {
			return fmt.Errorf("emulator: account id %q is not 12 digits", a.ID)
		}
		if a.AccessKeyID == "" || a.SecretAccessKey == "" {
			return fmt.Errorf("emulator: account %s needs a root access key id and secret", a.ID)
		}
		if ids[a.ID] {
			return fmt.Errorf("emulator: account %s configured twice", a.ID)
		}
		if _, dup := s.accounts[a.AccessKeyID]; dup {
			return fmt.Errorf("emulator: root access key id %q used by two accounts", a.AccessKeyID)
		}
		ids[a.ID] = true
		s.accounts[a.AccessKeyID] = a
	}
	return nil
}

// build constructs the services on the open database, the executor, and the service table.
func (s *Server) build(dbPath string, extra []*service) error {
	opts, db := s.opts, s.db
	mode, err := authorize.ParseMode(string(opts.Enforce))
	if err != nil {
		return err
	}
	if s.opts.URLAuth, err = ParseURLAuth(string(opts.URLAuth)); err != nil {
		return err
	}
	rootKeys := map[string]string{}
	for key, a := range s.accounts {
		rootKeys[key] = a.ID
	}
	messageKey := make([]byte, 32)
	opts.IDs.Read(messageKey)
	s.adminToken = adminToken(opts)
	s.sts = sts.New(sts.Options{DB: db, Clock: s.clock, IDs: s.ids, MessageKey: messageKey, RootAccessKeys: rootKeys,
		Partition: opts.Partition})
	// Options.Region is only the services' default for calls that carry no region (direct Go
	// calls); requests name their region, and function output and metrics name the function's.
	s.metrics = cloudwatch.New(cloudwatch.Options{DB: db, Clock: s.clock, Region: opts.Region, Partition: opts.Partition, Logger: s.log})
	s.logsSvc = logs.New(logs.Options{DB: db, Clock: s.clock, IDs: s.ids, Region: opts.Region, Partition: opts.Partition, Logger: s.log,
		Invoke: s.invokeForLogs,
		Metrics: func(account, region string, points []logs.MetricPoint) {
			data := make([]cloudwatch.Datum, len(points))
			for i, p := range points {
				data[i] = cloudwatch.Datum{Namespace: p.Namespace, Name: p.Name, Dimensions: p.Dimensions, Time: p.Time, Value: p.Value, Unit: p.Unit}
			}
			s.metrics.RecordMetrics(account, region, data)
		}})
	s.logLines = newLogQueue(s.logsSvc.Sink())
	sink := s.logLines
	exec, err := executor.New(executor.Options{WorkDir: s.sandboxDir(dbPath), Logs: sink, MaxSandboxes: opts.MaxEnvironments,
		QueueSize: opts.InvokeQueueSize, QueueWait: opts.InvokeQueueWait, Runtimes: opts.Runtimes, NodeSDKPath: opts.NodeSDKPath})
	if err != nil {
		return err
	}
	s.exec = exec
	s.lambdaSvc = lambda.New(lambda.Options{DB: db, Clock: s.clock, IDs: s.ids, Region: opts.Region, Partition: opts.Partition,
		DownloadKey: derivedKey(messageKey, "lambda code downloads"), AccountConcurrency: opts.LambdaConcurrency,
		AsyncDelayScale: opts.AsyncDelayScale, Logger: s.log, URLBase: opts.URLBase, StateTransition: opts.LambdaStateTransition,
		Invoke: lambda.InvokeHooks{Runner: exec, Credentials: s.sts.AssumeRoleForService, Endpoint: s.Endpoint,
			Record: func(inv lambda.Invoked) {
				s.counters.invoked(inv)
				s.metrics.RecordLambda(cloudwatch.LambdaInvocation{Account: inv.Account, Region: inv.Region, Function: inv.Function,
					Time: inv.Start, Duration: inv.Duration, Error: inv.Error, Throttled: inv.Throttled})
			},
			Metric: func(m lambda.Metric) {
				s.metrics.RecordLambdaMetric(cloudwatch.LambdaMetric{Account: m.Account, Region: m.Region, Function: m.Function,
					Time: m.Time, Name: m.Name, Unit: m.Unit, Value: m.Value})
			},
			Log: sink.Write, RoleAllowed: s.authorizeFunctionRole}})
	s.iamSvc = iam.New(iam.Options{DB: db, Clock: s.clock, IDs: s.ids, Partition: opts.Partition, PolicyStored: s.lintStored})
	s.services = append(declareServices(handlers{iam: s.iamSvc, sts: s.sts, lambda: s.lambdaSvc, logs: s.logsSvc,
		cloudwatch: s.metrics, accessAnalyzer: accessanalyzer.New()}), extra...)
	s.bySigningName = map[string]*service{}
	var prefixes []string
	for _, svc := range s.services {
		s.bySigningName[svc.signingName] = svc
		prefixes = append(prefixes, svc.authz.Prefix)
	}
	var accountIDs []string
	for _, a := range opts.Accounts {
		accountIDs = append(accountIDs, a.ID)
	}
	s.authz = authorize.New(authorize.Options{DB: db, Mode: mode, Log: authorize.NewDecisionLog(opts.DecisionLogSize),
		FunctionPolicy: lambda.FunctionPolicy, FunctionTags: lambda.FunctionTags, LayerVersionPolicy: lambda.LayerVersionPolicy,
		Accounts: accountIDs, Prefixes: prefixes})
	s.handler = s.routes()
	// Queued events and provisioned environments outlive a restart.
	if err := s.lambdaSvc.Resume(); err != nil {
		s.log.Error("resume asynchronous invocations and provisioned concurrency", "err", err)
	}
	return nil
}

// derivedKey is a key for one purpose derived from the server's random key, which keeps the
// number of bytes drawn from the ids source (and so seeded tests' ids) unchanged.
func derivedKey(key []byte, purpose string) []byte {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(purpose))
	return mac.Sum(nil)
}

// Handler serves every API and the /_iamlocal admin endpoints.
func (s *Server) Handler() http.Handler { return s.handler }

// SetEndpoint tells the server the URL clients reach it at (known only once it listens);
// Lambda functions get it as AWS_ENDPOINT_URL so their SDK calls come back here.
func (s *Server) SetEndpoint(url string) { s.endpoint.Store(url) }

// Endpoint is the URL set by SetEndpoint, "" before.
func (s *Server) Endpoint() string {
	url, _ := s.endpoint.Load().(string)
	return url
}

// sandboxDir is where function sandboxes are unpacked: beside the database.
func (s *Server) sandboxDir(dbPath string) string {
	dir, err := filepath.Abs(filepath.Join(filepath.Dir(dbPath), "sandboxes"))
	if err != nil {
		return ""
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return ""
	}
	return dir
}

// Accounts returns the configured accounts (first is the default).
func (s *Server) Accounts() []Account { return append([]Account(nil), s.opts.Accounts...) }

// Region is the emulated region.
func (s *Server) Region() string { return s.opts.Region }

// Reset returns every account to its initial state and forgets recorded decisions and policy
// notes.
func (s *Server) Reset() error {
	s.logLines.flush()                              // no line queued before the reset lands after it
	if err := s.lambdaSvc.RetireAll(); err != nil { // provisioned environments go with their configs
		s.log.Warn("retire provisioned concurrency before reset", "err", err)
	}
	s.authz.Log().Clear()
	s.authz.Usage().Clear()
	s.policyNotes.clear()
	return s.db.Reset()
}

// Decisions returns the recorded authorization decisions, oldest first.
func (s *Server) Decisions() []authorize.Decision { return s.authz.Log().Snapshot() }

// invokeForLogs queues a subscription filter's payload for its function (set before any
// request arrives: New builds the Lambda service right after Logs).
func (s *Server) invokeForLogs(d logs.LambdaDelivery) error {
	err := s.lambdaSvc.InvokeAsService(lambda.ServiceInvocation{Function: d.Function, Services: d.Services,
		SourceARN: d.SourceARN, SourceAccount: d.SourceAccount, Payload: d.Payload})
	if errors.Is(err, lambda.ErrServiceRefused) {
		return logs.ErrDeliveryRefused
	}
	return err
}

// Close closes the database (and removes it when New created a temporary one).
func (s *Server) Close() error {
	if s.logsSvc != nil {
		s.logsSvc.Close() // no more subscription deliveries into Lambda's queues
	}
	if s.lambdaSvc != nil {
		s.lambdaSvc.Close() // deliveries under way finish; queued events stay for the next start
	}
	if s.exec != nil {
		if err := s.exec.Close(); err != nil {
			s.log.Warn("close executor", "err", err)
		}
	}
	if s.db == nil {
		s.removeTemp()
		return nil
	}
	if s.logLines != nil {
		s.logLines.flush() // first: the last log lines may publish metric filters' data
	}
	if s.metrics != nil {
		s.metrics.Flush() // the last invocations' metrics and metric filters' data
	}
	err := s.db.Close()
	s.removeTemp()
	return err
}

func (s *Server) removeTemp() {
	if s.tempDir != "" {
		if err := os.RemoveAll(s.tempDir); err != nil && !errors.Is(err, os.ErrNotExist) {
			s.log.Warn("remove temp dir", "err", err)
		}
	}
}
