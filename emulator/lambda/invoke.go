package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/executor"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
)

// Runner runs one invocation of a function version (the executor).
type Runner interface {
	Invoke(ctx context.Context, fn executor.Function, inv executor.Invocation) (executor.Result, error)
}

// Provisioner is what a Runner offers for provisioned concurrency: environments initialised
// before any invocation (the executor). Without one, a config is READY at once and keeps no
// environments.
type Provisioner interface {
	Provision(ctx context.Context, id string, fn executor.Function, n int) error
	ProvisionState(id string) executor.ProvisionStatus
	WaitProvisioned(ctx context.Context, id string) executor.ProvisionStatus
}

// RoleCredentials issues the execution role's temporary credentials inside the function
// account's transaction (STS's AssumeRoleForService).
type RoleCredentials func(tx *storage.Tx, roleName, sessionName string, now time.Time, d time.Duration) (storage.SessionRecord, error)

// InvokeHooks are what Invoke needs beyond the control plane. Without a Runner, Invoke answers
// NotImplemented.
type InvokeHooks struct {
	Runner      Runner
	Credentials RoleCredentials
	Endpoint    func() string // iamlocal's own URL, for the function's SDK calls
	// Record is told of every synchronous or asynchronous invocation, throttled or run
	// (CloudWatch metrics).
	Record func(Invoked)
	// Metric is told of the asynchronous invocation metrics (AsyncEventsReceived,
	// AsyncEventAge, AsyncEventsDropped).
	Metric func(Metric)
	// Log writes a line iamlocal itself adds to a function's log (an invocation record or a
	// dead-letter event it cannot deliver): the executor's log sink.
	Log func(account, region, group, stream string, t time.Time, line string)
	// RoleAllowed decides the deliveries to destinations, made as the function's execution
	// role (destauth.go); nil delivers without asking.
	RoleAllowed RoleAuthorizer
}

// Invoked is one invocation as InvokeHooks.Record is told of it: the function's account and
// region (where its metrics go), its name, when it started, how long it ran and whether it
// failed or was throttled (then it did not run).
type Invoked struct {
	Account, Region, Function string
	Start                     time.Time
	Duration                  time.Duration
	Error                     bool
	Throttled                 bool
	Cold                      bool // the invocation started a new execution environment
}

// Metric is one datum of a function's AWS/Lambda metric Name in Unit.
type Metric struct {
	Account, Region, Function string
	Time                      time.Time
	Name, Unit                string
	Value                     float64
}

// Payload limits ("Lambda quotas": 6 MB synchronous, 1 MB asynchronous).
const (
	maxSyncPayload  = 6 * 1024 * 1024
	maxAsyncPayload = 1024 * 1024
	credentialLife  = time.Hour
	renewBefore     = 10 * time.Minute
	logTail         = 4096
)

// roleCache keeps each function's role credentials until they near expiry: Lambda reuses them
// across invocations, and a stable credential keeps warm sandboxes reusable.
type roleCache struct {
	mu sync.Mutex
	m  map[string]storage.SessionRecord
}

// Invoke runs the function: RequestResponse answers its result (a function error is 200 with
// X-Amz-Function-Error), Event queues it and answers 202, DryRun only checks and answers 204.
func (s *Service) Invoke(ctx context.Context, in *lambdaapi.InvocationRequest) (*lambdaapi.InvocationResponse, error) {
	if s.hooks.Runner == nil {
		return nil, awserr.NotImplemented("Invoke")
	}
	typ := protocol.Val(in.InvocationType)
	if typ == "" {
		typ = "RequestResponse"
	}
	limit := maxSyncPayload
	if typ == "Event" {
		limit = maxAsyncPayload
	}
	if len(in.Payload) > limit {
		return nil, lambdaapi.ErrRequestTooLarge("Request must be smaller than %d bytes for the InvokeFunction operation", limit)
	}
	c := s.call(ctx)
	p, err := s.prepareCall(ctx, protocol.Val(in.FunctionName), protocol.Val(in.Qualifier), typ == "RequestResponse")
	if err != nil {
		return nil, err
	}
	// After the function is found: a payload to a function that does not exist is
	// ResourceNotFoundException (integration/limits_test.go).
	if err := checkPayload(in.Payload); err != nil {
		return nil, err
	}
	if protocol.Val(in.LogType) == "Tail" && p.fn.Account != reqctx.From(ctx).Caller.Account {
		// The log tail belongs to the function's account: "AccessDeniedException: Cross-account
		// log access is not allowed" (common-fate/glide#559, a cross-account Invoke with Tail).
		return nil, &awserr.Denial{Message: "Cross-account log access is not allowed"}
	}
	inv := executor.Invocation{RequestID: reqctx.From(ctx).RequestID, Payload: in.Payload, TraceID: traceHeader(c.now)}
	if cc := protocol.Val(in.ClientContext); cc != "" {
		raw, err := base64.StdEncoding.DecodeString(cc)
		if err != nil {
			return nil, lambdaapi.ErrInvalidRequestContent("Client context must be a valid Base64-encoded JSON object.")
		}
		inv.ClientContext = string(raw) // synchronous invocations only, as Lambda passes it
	}
	switch typ {
	case "DryRun":
		return &lambdaapi.InvocationResponse{StatusCode: protocol.Ptr[int32](http.StatusNoContent)}, nil
	case "Event":
		if inv.RequestID == "" {
			inv.RequestID = s.ids.UUID()
		}
		if err := s.async.enqueue(p.ref(), storage.LambdaAsyncEventRecord{V: 1, RequestID: inv.RequestID,
			Qualifier: p.qualifier, Payload: in.Payload, Received: c.now, NextAt: c.now}); err != nil {
			return nil, err
		}
		return &lambdaapi.InvocationResponse{StatusCode: protocol.Ptr[int32](http.StatusAccepted)}, nil
	}
	res, err := s.run(ctx, p, inv)
	if err != nil {
		return nil, err
	}
	out := &lambdaapi.InvocationResponse{StatusCode: protocol.Ptr[int32](http.StatusOK), Payload: res.Payload,
		ExecutedVersion: protocol.Ptr(res.ExecutedVersion)}
	if res.FunctionError != "" {
		out.FunctionError = protocol.Ptr(res.FunctionError)
	}
	if protocol.Val(in.LogType) == "Tail" {
		log := res.Log
		if len(log) > logTail {
			log = log[len(log)-logTail:]
		}
		out.LogResult = protocol.Ptr(base64.StdEncoding.EncodeToString(log))
	}
	return out, nil
}

// InvokeAsync is the deprecated asynchronous invoke: queue the event, answer 202.
func (s *Service) InvokeAsync(ctx context.Context, in *lambdaapi.InvokeAsyncRequest) (*lambdaapi.InvokeAsyncResponse, error) {
	if s.hooks.Runner == nil {
		return nil, awserr.NotImplemented("InvokeAsync")
	}
	out, err := s.Invoke(ctx, &lambdaapi.InvocationRequest{FunctionName: in.FunctionName, InvocationType: protocol.Ptr("Event"), Payload: in.InvokeArgs})
	if err != nil {
		return nil, err
	}
	return &lambdaapi.InvokeAsyncResponse{Status: out.StatusCode}, nil
}

// prepared is a function version ready to run and what governs its invocations.
type prepared struct {
	fn          executor.Function
	qualifier   string // as invoked: "" (none), $LATEST, a version or an alias
	limits      limits
	provisioned int32                 // the qualifier's provisioned concurrency, 0 for none
	deadLetter  string                // the version's DeadLetterConfig target, "" for none
	session     storage.SessionRecord // the execution role's session, when prepared with credentials
	creating    bool                  // the version is still being created (State Pending)
}

// ref names the function of p.
func (p prepared) ref() storage.LambdaFunctionRef {
	return storage.LambdaFunctionRef{Account: p.fn.Account, Region: p.fn.Region, Function: p.fn.Name}
}

// errIssueCredentials is a read that found no usable cached role credentials.
var errIssueCredentials = errors.New("lambda: role credentials must be issued")

// prepareCall prepares the function a request names: in the account the name designates (so a
// function another account's caller may invoke, as its function policy allows, runs there, as its
// own execution role) and the request's region, which resolve checks the name against.
func (s *Service) prepareCall(ctx context.Context, name, qualifier string, withCredentials bool) (prepared, error) {
	c := s.call(ctx)
	t, err := c.resolve(name, &qualifier)
	if err != nil {
		return prepared{}, err
	}
	where := c.scope()
	where.Account = t.account
	p, err := s.prepare(where, name, qualifier, c.now, withCredentials)
	if err == nil && p.creating {
		// Whatever names it: unqualified, $LATEST or an alias of $LATEST.
		return prepared{}, errNotInvocable("Pending")
	}
	return p, err
}

// prepare resolves the function version and its code, its concurrency settings and (when
// withCredentials) the role's credentials, in the function's account and region: where's,
// which Resolve checks the name against, so the function that runs is the one of that region.
// It reads in a read-only transaction, and writes only when the role's credentials must be
// issued (an hour in every fifty minutes), so a warm invocation commits nothing.
func (s *Service) prepare(where arn.Scope, name, qualifier string, now time.Time, withCredentials bool) (prepared, error) {
	var p prepared
	read := func(issue bool) func(tx *storage.Tx) error {
		return func(tx *storage.Tx) (err error) {
			p, err = s.readVersion(tx, where, name, qualifier, now, withCredentials, issue)
			return err
		}
	}
	err := s.view(where, read(false))
	if errors.Is(err, errIssueCredentials) {
		err = s.update(where, read(true))
	}
	return p, err
}

// readVersion is prepare's transaction.
func (s *Service) readVersion(tx *storage.Tx, where arn.Scope, name, qualifier string, now time.Time, withCredentials, issue bool) (prepared, error) {
	r, err := Resolve(tx, where, name, qualifier)
	if err != nil {
		return prepared{}, err
	}
	v := r.Version
	var code []byte
	if v.PackageType != "Image" { // an image is not run: the executor answers why
		if code, err = storage.LambdaCode(tx, v.CodeKey); err != nil {
			return prepared{}, err
		}
	}
	fn := executor.Function{ARN: r.ARN, Account: tx.Account(), Name: r.Function.Name, Version: v.Version, Runtime: v.Runtime, Handler: v.Handler,
		CodeSHA: v.CodeKey, Code: code, Env: v.Environment, Timeout: time.Duration(v.Timeout) * time.Second,
		MemoryMB: int(v.MemorySize), EphemeralStorageMB: int(v.EphemeralStorage), Region: where.Region, LogGroup: v.Logging.LogGroup}
	fn.LogFormat, fn.AppLogLevel, fn.SystemLogLevel = v.Logging.LogFormat, v.Logging.ApplicationLogLevel, v.Logging.SystemLogLevel
	if v.PackageType == "Image" {
		fn.ImageURI = v.ImageURI
	}
	if fn.Layers, err = layerContents(tx, v.Layers); err != nil {
		return prepared{}, err
	}
	if s.hooks.Endpoint != nil {
		fn.Endpoint = s.hooks.Endpoint()
	}
	p := prepared{fn: fn, qualifier: qualifierOf(r.ARN), deadLetter: v.DeadLetterTarget,
		creating: settled(v, now).Transition == transitionCreating}
	if p.limits, err = readLimits(tx, r.Function); err != nil {
		return prepared{}, err
	}
	if p.qualifier != "" && p.qualifier != latest {
		if rec, err := storage.LambdaProvisioned(tx, fn.Name).Get(p.qualifier); err == nil {
			p.provisioned = rec.Requested
		} else if !isNotFound(err) {
			return prepared{}, err
		}
	}
	if !withCredentials || s.hooks.Credentials == nil || p.creating { // a Pending function is not run
		return p, nil
	}
	creds, err := s.roleCredentials(tx, v.Role, r.Function.Name, now, issue)
	if err != nil {
		return prepared{}, err
	}
	p.session = creds
	p.fn.Credentials = executor.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.Secret,
		SessionToken: creds.Token, Expiration: creds.Expiration}
	return p, nil
}

// readLimits reads the function's reserved concurrency and what the account reserves in the
// Region, which the unreserved pool lacks.
func readLimits(tx *storage.Tx, fn storage.LambdaFunctionRecord) (limits, error) {
	l := limits{reserved: fn.Reserved}
	err := storage.LambdaFunctions(tx).Scan("", func(_ string, f storage.LambdaFunctionRecord) error {
		if f.Reserved != nil {
			l.reservedTotal += int64(*f.Reserved)
		}
		return nil
	})
	return l, err
}

// qualifierOf is the qualifier of a function ARN, "" for an unqualified one.
func qualifierOf(functionARN string) string {
	if parts := strings.Split(functionARN, ":"); len(parts) == 8 {
		return parts[7]
	}
	return ""
}

// layerContents reads the content of the layer versions a function version references, in
// order. Lambda never refuses an invocation over a layer: "Your functions can continue to use
// any layer version that you've already added, even after that layer version has been deleted,
// or after your permission to access the layer is revoked" ("Adding layers to functions"), and
// DeleteLayerVersion keeps "a copy of the version ... until no functions refer to it". So a
// layer version iamlocal holds is read from whichever of its accounts owns it (CreateFunction
// already checked it). A layer version deleted since the function was configured is read
// through the reference, which keeps the key of its package, stored until no function version
// refers to it (storage.LambdaCodeInUse). One it does not hold is left out and the function
// runs without it: AWS-managed and other public layers iamlocal never saw, layers of accounts
// it has no data of, and deleted layer versions referenced before references kept their key.
func layerContents(tx *storage.Tx, refs []storage.LambdaLayerRef) ([]executor.Layer, error) {
	var out []executor.Layer
	for _, ref := range refs {
		v, err := arn.ParseLayerVersion(ref.ARN)
		if err != nil {
			continue // an :awslayer: ARN
		}
		owner := tx.In(v.Account)
		key := ref.CodeKey
		rec, err := storage.LambdaLayerVersions(owner, v.Name).Get(storage.LambdaVersionKey(strconv.FormatInt(v.Version, 10)))
		switch {
		case err == nil:
			key = rec.CodeKey
		case !isNotFound(err):
			return nil, err
		case key == "":
			continue
		}
		code, err := storage.LambdaCode(owner, key)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, executor.Layer{ARN: ref.ARN, CodeSHA: key, Code: code})
	}
	return out, nil
}

// roleCredentials returns cached credentials of the function's role, issuing new ones when
// they near expiry (only when issue: a read-only transaction answers errIssueCredentials). A
// role deleted since the function was configured cannot be assumed.
func (s *Service) roleCredentials(tx *storage.Tx, roleARN, function string, now time.Time, issue bool) (storage.SessionRecord, error) {
	key := tx.Account() + "\x00" + tx.Region() + "\x00" + roleARN + "\x00" + function
	s.roles.mu.Lock()
	rec, ok := s.roles.m[key]
	s.roles.mu.Unlock()
	if ok && rec.Expiration.Sub(now) > renewBefore {
		if _, err := storage.Sessions(tx).Get(rec.AccessKeyID); err == nil {
			return rec, nil
		}
	}
	if !issue {
		return rec, errIssueCredentials
	}
	role, _ := arn.Parse(roleARN) // checked by checkRole when it was configured
	_, _, roleName, _ := arn.SplitIAMResource(role.Resource)
	rec, err := s.hooks.Credentials(tx, roleName, function, now, credentialLife)
	if errors.Is(err, storage.ErrNotFound) {
		return rec, lambdaapi.ErrInvalidParameterValue("The role defined for the function cannot be assumed by Lambda.")
	} else if err != nil {
		return rec, err
	}
	s.roles.mu.Lock()
	if s.roles.m == nil {
		s.roles.m = map[string]storage.SessionRecord{}
	}
	s.roles.m[key] = rec
	s.roles.mu.Unlock()
	return rec, nil
}

// run invokes p through the Runner within the function's concurrency and turns platform
// failures into Lambda's errors. A throttled invocation counts only in Throttles.
func (s *Service) run(ctx context.Context, p prepared, inv executor.Invocation) (executor.Result, error) {
	fn := p.fn
	record := func(i Invoked) {
		if s.hooks.Record != nil {
			i.Account, i.Region, i.Function = fn.Account, fn.Region, fn.Name
			s.hooks.Record(i)
		}
	}
	start := s.clock()
	release, err := s.conc.admit(fn.Account, fn.Region, fn.Name, p.limits, s.accountLimit)
	if err != nil {
		record(Invoked{Start: start, Throttled: true})
		return executor.Result{}, err
	}
	defer release()
	s.keepProvisioned(ctx, p)
	res, err := s.hooks.Runner.Invoke(ctx, fn, inv)
	var ie *executor.InvokeError
	if errors.As(err, &ie) {
		e := awserr.New(ie.Code, ie.Status, ie.Status < 500, "%s", ie.Message)
		if ie.Reason != "" {
			e.Fields = map[string]any{"Reason": ie.Reason}
		}
		err = e
	}
	if isThrottle(err) { // the machine's queue was full
		record(Invoked{Start: start, Throttled: true})
	} else {
		record(Invoked{Start: start, Duration: res.Duration, Error: err != nil || res.FunctionError != "", Cold: res.InitDuration > 0})
	}
	return res, err
}

// Resume takes up what a stopped server left in the database: the queues of asynchronous
// events and the environments of provisioned concurrency configs. The server calls it once
// it is built.
func (s *Service) Resume() error {
	if s.hooks.Runner == nil {
		return nil
	}
	return errors.Join(s.async.resume(), s.resumeProvisioned())
}

// Close stops delivering asynchronous events and waits for the deliveries under way; the
// events not yet delivered stay in the database for Resume. The server calls it before it
// closes the Runner.
func (s *Service) Close() { s.async.close() }
