package lambda

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
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

// RoleCredentials issues the execution role's temporary credentials inside the function
// account's transaction (STS's AssumeRoleForService).
type RoleCredentials func(tx *storage.Tx, roleName, sessionName string, now time.Time, d time.Duration) (storage.SessionRecord, error)

// InvokeHooks are what Invoke needs beyond the control plane. Without a Runner, Invoke answers
// NotImplemented.
type InvokeHooks struct {
	Runner      Runner
	Credentials RoleCredentials
	Endpoint    func() string // iamlocal's own URL, for the function's SDK calls
	// Record is told of every synchronous or asynchronous invocation (CloudWatch metrics).
	Record func(Invoked)
}

// Invoked is one invocation as InvokeHooks.Record is told of it: the function's account and
// region (where its metrics go), its name, when it started, how long it ran and whether it
// failed.
type Invoked struct {
	Account, Region, Function string
	Start                     time.Time
	Duration                  time.Duration
	Error                     bool
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
	fn, inv, err := s.prepare(ctx, protocol.Val(in.FunctionName), protocol.Val(in.Qualifier), typ != "DryRun")
	if err != nil {
		return nil, err
	}
	if protocol.Val(in.LogType) == "Tail" && fn.Account != reqctx.From(ctx).Caller.Account {
		// The log tail belongs to the function's account: "AccessDeniedException: Cross-account
		// log access is not allowed" (common-fate/glide#559, a cross-account Invoke with Tail).
		return nil, &awserr.Denial{Message: "Cross-account log access is not allowed"}
	}
	inv.Payload = in.Payload
	if cc := protocol.Val(in.ClientContext); cc != "" {
		raw, err := base64.StdEncoding.DecodeString(cc)
		if err != nil {
			return nil, lambdaapi.ErrInvalidRequestContent("Client context must be a valid Base64-encoded JSON object.")
		}
		inv.ClientContext = string(raw)
	}
	switch typ {
	case "DryRun":
		return &lambdaapi.InvocationResponse{StatusCode: protocol.Ptr[int32](http.StatusNoContent)}, nil
	case "Event":
		s.async.Add(1)
		go func() {
			defer s.async.Done()
			// The caller has its answer; the run outlives the request, not the server.
			s.run(context.WithoutCancel(ctx), fn, inv)
		}()
		return &lambdaapi.InvocationResponse{StatusCode: protocol.Ptr[int32](http.StatusAccepted)}, nil
	}
	res, err := s.run(ctx, fn, inv)
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

// prepare resolves the function version and its code, and (when running) the role's
// credentials, in one transaction of the function's account and region: the request's region,
// which Resolve checks the name against, so the function that runs is the one of that region,
// and the account the name designates, so a function another account's caller may invoke (its
// function policy allows it) runs there, as its own execution role.
func (s *Service) prepare(ctx context.Context, name, qualifier string, withCredentials bool) (executor.Function, executor.Invocation, error) {
	info := reqctx.From(ctx)
	c := s.call(ctx)
	t, err := c.resolve(name, &qualifier)
	if err != nil {
		return executor.Function{}, executor.Invocation{}, err
	}
	where := c.scope()
	where.Account = t.account
	region := where.Region
	now := info.Now
	if now.IsZero() {
		now = s.clock()
	}
	var fn executor.Function
	err = s.update(where, func(tx *storage.Tx) error {
		r, err := Resolve(tx, where, name, qualifier)
		if err != nil {
			return err
		}
		v := r.Version
		var code []byte
		if v.PackageType != "Image" { // an image is not run: the executor answers why
			if code, err = storage.LambdaCode(tx, v.CodeKey); err != nil {
				return err
			}
		}
		fn = executor.Function{ARN: r.ARN, Account: tx.Account(), Name: r.Function.Name, Version: v.Version, Runtime: v.Runtime, Handler: v.Handler,
			CodeSHA: v.CodeKey, Code: code, Env: v.Environment, Timeout: time.Duration(v.Timeout) * time.Second,
			MemoryMB: int(v.MemorySize), EphemeralStorageMB: int(v.EphemeralStorage), Region: region, LogGroup: v.Logging.LogGroup}
		fn.LogFormat, fn.AppLogLevel, fn.SystemLogLevel = v.Logging.LogFormat, v.Logging.ApplicationLogLevel, v.Logging.SystemLogLevel
		if v.PackageType == "Image" {
			fn.ImageURI = v.ImageURI
		}
		if fn.Layers, err = layerContents(tx, v.Layers); err != nil {
			return err
		}
		if s.hooks.Endpoint != nil {
			fn.Endpoint = s.hooks.Endpoint()
		}
		if !withCredentials || s.hooks.Credentials == nil {
			return nil
		}
		creds, err := s.roleCredentials(tx, v.Role, r.Function.Name, now)
		if err != nil {
			return err
		}
		fn.Credentials = executor.Credentials{AccessKeyID: creds.AccessKeyID, SecretAccessKey: creds.Secret,
			SessionToken: creds.Token, Expiration: creds.Expiration}
		return nil
	})
	return fn, executor.Invocation{RequestID: info.RequestID}, err
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
// they near expiry. A role deleted since the function was configured cannot be assumed.
func (s *Service) roleCredentials(tx *storage.Tx, roleARN, function string, now time.Time) (storage.SessionRecord, error) {
	key := tx.Account() + "\x00" + tx.Region() + "\x00" + roleARN + "\x00" + function
	s.roles.mu.Lock()
	rec, ok := s.roles.m[key]
	s.roles.mu.Unlock()
	if ok && rec.Expiration.Sub(now) > renewBefore {
		if _, err := storage.Sessions(tx).Get(rec.AccessKeyID); err == nil {
			return rec, nil
		}
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

// run invokes through the Runner and turns platform failures into Lambda's errors.
func (s *Service) run(ctx context.Context, fn executor.Function, inv executor.Invocation) (executor.Result, error) {
	start := time.Now()
	res, err := s.hooks.Runner.Invoke(ctx, fn, inv)
	if s.hooks.Record != nil {
		s.hooks.Record(Invoked{Account: fn.Account, Region: fn.Region, Function: fn.Name, Start: start, Duration: res.Duration,
			Error: err != nil || res.FunctionError != ""})
	}
	var ie *executor.InvokeError
	if errors.As(err, &ie) {
		e := awserr.New(ie.Code, ie.Status, ie.Status < 500, "%s", ie.Message)
		if ie.Reason != "" {
			e.Fields = map[string]any{"Reason": ie.Reason}
		}
		return res, e
	}
	return res, err
}

// Wait blocks until queued (Event) invocations finish; the server calls it on Close.
func (s *Service) Wait() { s.async.Wait() }
