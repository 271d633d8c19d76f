package executor

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// Function is what the executor needs of a function version.
type Function struct {
	ARN, Name, Version string // Version "$LATEST" (the default) or "1"
	Account            string // the function's account: where its logs go
	Runtime            string // python3.N, nodejsN.x, ruby3.N, provided, provided.al2, provided.al2023
	ImageURI           string // set for a container image function (PackageType Image), which is not run here
	Handler            string // python: module.function; node: file.export; provided: passed as _HANDLER
	CodeSHA            string // identifies Code; sandboxes are reused only for the same code and config
	Code               []byte // the deployment package (zip)
	Env                map[string]string
	Timeout            time.Duration // default 3s, Lambda's default
	MemoryMB           int           // default 128; the environment's memory bound where the launcher isolates
	EphemeralStorageMB int           // default 512; the size of the environment's private /tmp
	Region             string        // the function's region, where its logs go; default us-east-1
	LogGroup           string        // default /aws/lambda/<Name>
	LogStreamPrefix    string        // default "2006/01/02/[<Version>]"; a sandbox id follows
	Credentials        Credentials   // the execution role's credentials, as AWS_* variables
	Endpoint           string        // iamlocal's URL, injected as AWS_ENDPOINT_URL
	// LogFormat is the LoggingConfig's "Text" (the default) or "JSON";
	// AppLogLevel and SystemLogLevel filter JSON logs ("Log-level
	// filtering"; default INFO each).
	LogFormat, AppLogLevel, SystemLogLevel string
	// Layers are extracted, in order, into the sandbox's emulated /opt (see
	// the package documentation); a later layer's files replace an earlier
	// one's. Code plus layers may unzip to MaxUnzippedSize bytes in all.
	Layers []Layer
}

// Layer is one layer version a function uses.
type Layer struct {
	ARN     string // the layer version ARN, for messages
	CodeSHA string // identifies Code, like Function.CodeSHA
	Code    []byte // the layer's zip
}

// Credentials are temporary credentials of the execution role. They are part
// of a sandbox's configuration: pass the same ones until they near
// Expiration, or every invocation starts a new sandbox.
type Credentials struct {
	AccessKeyID, SecretAccessKey, SessionToken string
	Expiration                                 time.Time
}

// Invocation is one request to a function.
type Invocation struct {
	RequestID       string // a new id when empty
	Payload         []byte
	ClientContext   string    // JSON, already base64-decoded from X-Amz-Client-Context
	CognitoIdentity string    // JSON, for Lambda-Runtime-Cognito-Identity
	Deadline        time.Time // when zero: the moment the runtime gets the event plus Timeout
	TraceID         string    // X-Ray header, for Lambda-Runtime-Trace-Id and _X_AMZN_TRACE_ID
	// Stream, when set, receives the response as the runtime sends it (stream.go); the
	// Result's Payload then holds a response only when the runtime answered in one piece,
	// and a function error's document always.
	Stream ResponseStream
}

// Result is the outcome of an invocation that reached a runtime, successful
// or not. A function error is a Result with FunctionError set, answered by
// Invoke with 200 and X-Amz-Function-Error.
type Result struct {
	Payload         []byte // the function's response, or the error document
	FunctionError   string // "" or "Unhandled"
	Log             []byte // this invocation's log lines, START to REPORT
	Duration        time.Duration
	BilledDuration  time.Duration
	InitDuration    time.Duration // cold starts only
	MaxMemoryUsedMB int
	ExecutedVersion string
}

// Options configure an Executor. The zero value works.
type Options struct {
	WorkDir     string           // where sandbox directories go; default os.TempDir()
	Launcher    Launcher         // default SandboxLauncher()
	Clock       func() time.Time // default time.Now
	Logs        LogSink          // nil discards
	IdleTimeout time.Duration    // an idle sandbox stops after it; default 5 minutes
	NewID       func() string    // request and sandbox ids; default random UUIDs

	// MaxSandboxes bounds the live execution environments of the machine;
	// default 32. It is not a Lambda quota (the account's concurrency is
	// counted above the executor): at the bound an invocation that finds no
	// idle environment to reuse or evict waits in a queue for one.
	MaxSandboxes int
	// QueueSize is how many invocations may wait for an environment at once;
	// default 1000, the account concurrency Lambda grants by default. A
	// negative QueueSize lets none wait. An invocation the queue cannot take,
	// or that waits longer than QueueWait (default 1 minute), is throttled:
	// TooManyRequestsException, Reason ConcurrentInvocationLimitExceeded.
	QueueSize int
	QueueWait time.Duration

	// SearchPath is the PATH interpreters are looked up in and the PATH
	// functions get; default the PATH of this process when New runs.
	SearchPath string
	// Runtimes name the interpreter of a runtime identifier
	// ("python3.13": "/usr/bin/python3.13"), run as given; a runtime it
	// does not name runs on the first of its candidates on SearchPath that
	// works (see planFor).
	Runtimes map[string]string
	// NodeSDKPath is a node_modules directory holding the AWS SDK for
	// JavaScript v3 (@aws-sdk/*), which nodejs18.x and later functions see
	// as Lambda's bundled SDK; default npm's global root (`npm root -g`)
	// when it holds @aws-sdk.
	NodeSDKPath string
	// StopTimeout is how long a runtime has between SIGTERM and SIGKILL;
	// default 2 seconds.
	StopTimeout time.Duration
	// InitTimeout bounds the init phase (until the runtime's first /next), or
	// the function's Timeout when that is longer; default 10 seconds, the
	// Lambda init limit.
	InitTimeout time.Duration
	// MaxProcesses bounds the processes and threads of one execution
	// environment where the launcher isolates; default 1024, Lambda's quota.
	MaxProcesses int
	// ReadOnlyPaths are host paths every isolated environment also sees,
	// read-only and at the same place: tools a provided runtime's bootstrap
	// runs from outside the system directories.
	ReadOnlyPaths []string
}

// Executor runs functions in sandboxes. It is safe for concurrent use.
type Executor struct {
	opts  Options
	dir   string
	owner *os.File // locked while the executor runs (workdir.go)
	tools *toolchain

	mu         sync.Mutex
	closed     bool
	live       map[*sandbox]bool     // every sandbox not yet retired
	idle       map[string][]*sandbox // config key -> sandboxes waiting for work
	waiting    []*waiter             // invocations queued at MaxSandboxes, oldest first
	provisions map[string]*provision // by the caller's id (Provision)
	bg         sync.WaitGroup        // retiring sandboxes
	calls      sync.WaitGroup        // Invoke calls and pre-warms holding a sandbox
}

// ErrClosed is wrapped by the InvokeError of an Invoke after (or cut short
// by) Close.
var ErrClosed = errors.New("executor closed")

// New checks the options. Interpreters are found when a function first needs
// one: a missing one is not an error here, and invoking a function that
// needs it is a function error.
// It removes the directories (and control groups) of executors of the same
// WorkDir that were killed before they could.
func New(opts Options) (*Executor, error) {
	if opts.Launcher == nil {
		opts.Launcher = SandboxLauncher()
	}
	if opts.MaxProcesses <= 0 {
		opts.MaxProcesses = defaultMaxProcesses
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = newUUID
	}
	if opts.IdleTimeout <= 0 {
		opts.IdleTimeout = 5 * time.Minute
	}
	if opts.MaxSandboxes <= 0 {
		opts.MaxSandboxes = 32
	}
	switch {
	case opts.QueueSize == 0:
		opts.QueueSize = 1000
	case opts.QueueSize < 0:
		opts.QueueSize = 0
	}
	if opts.QueueWait <= 0 {
		opts.QueueWait = time.Minute
	}
	if opts.StopTimeout <= 0 {
		opts.StopTimeout = 2 * time.Second
	}
	if opts.InitTimeout <= 0 {
		opts.InitTimeout = 10 * time.Second
	}
	if opts.SearchPath == "" {
		opts.SearchPath = os.Getenv("PATH")
	}
	if opts.WorkDir != "" {
		// Runtimes start in their task directory, so every path handed to them must be
		// absolute: a relative WorkDir (the default data directory is ".iamlocal") would point
		// them into the task directory.
		abs, err := filepath.Abs(opts.WorkDir)
		if err != nil {
			return nil, fmt.Errorf("executor: work dir: %w", err)
		}
		opts.WorkDir = abs
	}
	dir, owner, err := claimWorkDir(opts.WorkDir)
	if err != nil {
		return nil, fmt.Errorf("executor: %w", err)
	}
	var forget func(string)
	if r, ok := opts.Launcher.(leftoverRemover); ok {
		forget = r.removeLeftovers
	}
	removeAbandoned(filepath.Dir(dir), dir, forget)
	if r, ok := opts.Launcher.(isolationReporter); ok {
		// The probe starts an environment (several milliseconds) that the banner, health and
		// the first sandbox wait for: it runs while the server finishes starting.
		go r.isolation()
	}
	return &Executor{
		opts:       opts,
		dir:        dir,
		owner:      owner,
		tools:      newToolchain(opts.SearchPath, opts.Runtimes, opts.NodeSDKPath),
		live:       map[*sandbox]bool{},
		idle:       map[string][]*sandbox{},
		provisions: map[string]*provision{},
	}, nil
}

// Invoke runs one invocation, reusing an idle sandbox of the same function,
// code and configuration or starting one. It returns an error only for
// platform failures (an *InvokeError, or ctx's error when ctx ends first);
// function errors, timeouts and runtime exits are Results.
func (e *Executor) Invoke(ctx context.Context, fn Function, inv Invocation) (Result, error) {
	fn = fn.withDefaults()
	if inv.RequestID == "" {
		inv.RequestID = e.opts.NewID()
	}
	if len(inv.Payload) > MaxRequestPayload {
		return Result{}, &InvokeError{
			Code:    CodeRequestTooLarge,
			Status:  http.StatusRequestEntityTooLarge,
			Message: fmt.Sprintf("Request must be smaller than %d bytes for the InvokeFunction operation", MaxRequestPayload),
		}
	}
	plan, interp, err := e.resolve(ctx, fn)
	var u *unavailable
	if errors.As(err, &u) {
		return e.unavailableResult(fn, inv, u), nil
	} else if err != nil {
		return Result{}, err
	}
	for attempt := 0; ; attempt++ {
		sb, cold, err := e.acquire(ctx, fn, plan, interp)
		if err != nil {
			return Result{}, err
		}
		res, err := e.run(ctx, sb, inv, cold)
		e.release(sb)
		e.calls.Done()
		if errors.Is(err, errSandboxGone) && attempt == 0 {
			continue // it died between two invocations; take another
		}
		return res, err
	}
}

// Close stops every sandbox (SIGTERM, then SIGKILL after StopTimeout) and
// removes the work directory. Invocations still running fail with ErrClosed.
func (e *Executor) Close() error {
	e.mu.Lock()
	if e.closed {
		e.mu.Unlock()
		return nil
	}
	e.closed = true
	all := make([]*sandbox, 0, len(e.live))
	for sb := range e.live {
		all = append(all, sb)
		if sb.idleTimer != nil {
			sb.idleTimer.Stop()
		}
	}
	e.live, e.idle = map[*sandbox]bool{}, map[string][]*sandbox{}
	for _, w := range e.waiting {
		w.grant <- lease{err: serviceError("The executor is closed.", ErrClosed)}
	}
	e.waiting, e.provisions = nil, map[string]*provision{}
	e.mu.Unlock()

	var wg sync.WaitGroup
	for _, sb := range all {
		wg.Go(sb.stop)
	}
	wg.Wait()
	e.calls.Wait() // a cold start under way finishes (and fails) before the directory goes
	e.bg.Wait()
	err := os.RemoveAll(e.dir)
	e.owner.Close()
	return err
}

// Isolation says what separates functions from the host and from each
// other: "namespaces+cgroup" (own mount, PID and IPC namespaces, memory and
// processes bounded by control groups), "namespaces" (bounded by sampling
// and RLIMIT_NPROC instead), or "none: <why>" (plain processes, as with
// LocalLauncher or a launcher of the caller's).
func (e *Executor) Isolation() string { return e.isolation().String() }

func (e *Executor) isolation() isolation {
	if r, ok := e.opts.Launcher.(isolationReporter); ok {
		return r.isolation()
	}
	return isolation{reason: "the launcher runs plain processes"}
}

func (fn Function) withDefaults() Function {
	if fn.Version == "" {
		fn.Version = "$LATEST"
	}
	if fn.Timeout <= 0 {
		fn.Timeout = 3 * time.Second
	}
	if fn.MemoryMB <= 0 {
		fn.MemoryMB = 128
	}
	if fn.EphemeralStorageMB <= 0 {
		fn.EphemeralStorageMB = defaultEphemeralStorageMB
	}
	if fn.Region == "" {
		fn.Region = "us-east-1"
	}
	if fn.LogGroup == "" {
		fn.LogGroup = "/aws/lambda/" + fn.Name
	}
	return fn
}

// configKey identifies what a sandbox was started with; only an invocation
// with the same key may reuse it.
func configKey(fn Function) string {
	code := fn.CodeSHA
	if code == "" {
		sum := sha256.Sum256(fn.Code)
		code = hex.EncodeToString(sum[:])
	}
	layers := make([]string, len(fn.Layers))
	for i, l := range fn.Layers {
		layers[i] = l.CodeSHA
		if layers[i] == "" {
			sum := sha256.Sum256(l.Code)
			layers[i] = hex.EncodeToString(sum[:])
		}
	}
	b, _ := json.Marshal([]any{fn.ARN, fn.Name, fn.Version, fn.Runtime, fn.Handler, code, fn.Env,
		fn.Timeout, fn.MemoryMB, fn.EphemeralStorageMB, fn.Region, fn.LogGroup, fn.LogStreamPrefix,
		fn.Credentials.AccessKeyID, fn.Credentials.SecretAccessKey, fn.Credentials.SessionToken, fn.Endpoint, layers,
		fn.LogFormat, fn.AppLogLevel, fn.SystemLogLevel})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// release returns a leased sandbox to the idle pool, or retires it when it
// cannot serve again (timed out, exited, failed init) or the executor closed.
func (e *Executor) release(sb *sandbox) {
	e.mu.Lock()
	defer e.mu.Unlock()
	sb.leased = false
	if !e.live[sb] {
		return
	}
	defer e.dispatchLocked()
	if e.closed || sb.retire || !sb.reusable() {
		e.retireLocked(sb)
		return
	}
	sb.idleSince = e.opts.Clock()
	e.idle[sb.key] = append(e.idle[sb.key], sb)
	if sb.provision == nil { // provisioned environments stay until their config goes
		sb.idleTimer = time.AfterFunc(e.opts.IdleTimeout, func() { e.reap(sb) })
	}
}

// reap retires sb if it is still idle when its idle timer fires.
func (e *Executor) reap(sb *sandbox) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.live[sb] && !sb.leased {
		e.retireLocked(sb)
		e.dispatchLocked()
	}
}

// sandboxExited is called when a runtime process exits by itself.
func (e *Executor) sandboxExited(sb *sandbox) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.live[sb] && !sb.leased {
		e.retireLocked(sb)
		e.dispatchLocked()
	}
}

func (e *Executor) removeIdleLocked(sb *sandbox) {
	if sb.idleTimer != nil {
		sb.idleTimer.Stop()
		sb.idleTimer = nil
	}
	list := e.idle[sb.key]
	for i, s := range list {
		if s == sb {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	if len(list) == 0 {
		delete(e.idle, sb.key)
	} else {
		e.idle[sb.key] = list
	}
}

// retireLocked takes sb out of the pool (and out of its provision) and stops
// it in the background. The caller dispatches what the freed slot allows.
func (e *Executor) retireLocked(sb *sandbox) {
	if !e.live[sb] {
		return
	}
	delete(e.live, sb)
	e.removeIdleLocked(sb)
	sb.provision.leaveLocked(sb)
	e.bg.Add(1)
	go func() {
		defer e.bg.Done()
		sb.stop()
	}()
}

// Sandboxes reports how many sandboxes are running and how many of them are
// idle.
func (e *Executor) Sandboxes() (running, idle int) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, l := range e.idle {
		idle += len(l)
	}
	return len(e.live), idle
}

func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return strings.Join([]string{h[:8], h[8:12], h[12:16], h[16:20], h[20:]}, "-")
}
