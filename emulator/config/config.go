// Package config turns command-line flags and IAMLOCAL_* environment variables into emulator
// Options. Flags win over the environment; bad values fail fast with a message naming them.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator"
)

// Config is what `iamlocal serve` runs with.
type Config struct {
	Addr    string
	DataDir string
	Region  string
	// Partition is the partition of every ARN iamlocal builds (arn.Partitions).
	Partition string
	Accounts  []emulator.Account
	LogLevel  string
	LogFormat string // text or json
	Enforce   string
	// AdminToken opens the admin endpoints of a server listening beyond loopback ("": one is
	// generated and printed at start).
	AdminToken string
	// Runtimes name the interpreter of Lambda runtime identifiers (IAMLOCAL_RUNTIMES,
	// "python3.13=/usr/bin/python3.13,nodejs22.x=/opt/node22/bin/node").
	Runtimes map[string]string
	// NodeSDKPath is the node_modules directory of the AWS SDK for JavaScript v3 that
	// nodejs18.x and later functions see (IAMLOCAL_NODE_SDK_PATH).
	NodeSDKPath string
	// Init is an init file applied at start ("": none); docs/state-format.md.
	Init string
	// URLBase is the base of the function URLs the Lambda API returns ("": the listen
	// address); URLAuth how URL requests are authorized (current or legacy).
	URLBase string
	URLAuth string
	// Lambda: each account's concurrency limit per Region, the function environments alive at
	// once on this machine, how many invocations may wait for one (0: none wait) and for how
	// long, and the factor of the asynchronous invocation's retry waits and event age.
	LambdaConcurrency int
	MaxEnvironments   int
	InvokeQueueSize   int
	InvokeQueueWait   time.Duration
	AsyncDelayScale   float64
}

// LambdaOptions sets the Lambda settings of o, the emulator options the caller built.
func (c Config) LambdaOptions(o emulator.Options) emulator.Options {
	o.LambdaConcurrency, o.MaxEnvironments, o.InvokeQueueWait, o.AsyncDelayScale = c.LambdaConcurrency, c.MaxEnvironments, c.InvokeQueueWait, c.AsyncDelayScale
	o.InvokeQueueSize = c.InvokeQueueSize
	if o.InvokeQueueSize == 0 {
		o.InvokeQueueSize = -1 // the emulator's zero is its default
	}
	return o
}

// DefaultAddr is the documented listen address.
const DefaultAddr = "127.0.0.1:4566"

// DBFile is the bbolt file name inside the data directory.
const DBFile = "iamlocal.db"

// DefaultDataDir is the documented data directory, relative to the working directory.
const DefaultDataDir = ".iamlocal"

// DataDirFromEnv is the data directory a flag does not set: IAMLOCAL_DATA_DIR or the default.
func DataDirFromEnv(getenv func(string) string) string {
	if v := getenv("IAMLOCAL_DATA_DIR"); v != "" {
		return v
	}
	return DefaultDataDir
}

// RegionFromEnv is the region a flag does not set: IAMLOCAL_REGION or the default.
func RegionFromEnv(getenv func(string) string) string {
	if v := getenv("IAMLOCAL_REGION"); v != "" {
		return v
	}
	return emulator.DefaultRegion
}

// DBPath is the database file of the configuration.
func (c Config) DBPath() string { return filepath.Join(c.DataDir, DBFile) }

type accountList []emulator.Account

func (l *accountList) String() string { return fmt.Sprint(len(*l)) }

func (l *accountList) Set(v string) error {
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		parts := strings.Split(item, ":")
		if len(parts) != 3 {
			return fmt.Errorf("account %q: want ACCOUNT:ACCESS_KEY_ID:SECRET", item)
		}
		*l = append(*l, emulator.Account{ID: parts[0], AccessKeyID: parts[1], SecretAccessKey: parts[2]})
	}
	return nil
}

var regionRE = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]+$`)

// Usage heads the flags' list that -h prints.
const Usage = `Usage:
  iamlocal [serve] [flags]      run the emulator (flags below; each also an environment variable)
  iamlocal db check [-data-dir DIR]
                                check the database of a stopped server
  iamlocal decisions [-follow] [-principal ARN] [-denied] [-endpoint URL]
                                print a running server's authorization decisions
  iamlocal state export|import [-endpoint URL | -data-dir DIR] FILE
                                write a server's state to FILE, or replace it with FILE's
  iamlocal version              print the version

Flags of serve:
`

// Load parses args (without the program name and subcommand) and the environment.
func Load(args []string, getenv func(string) string, stderr io.Writer) (Config, error) {
	env := func(k, def string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return def
	}
	fs := flag.NewFlagSet("iamlocal serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), Usage)
		fs.PrintDefaults()
	}
	var c Config
	var rootKey, rootSecret, accountID string
	var extra accountList
	fs.StringVar(&c.Addr, "addr", env("IAMLOCAL_ADDR", DefaultAddr), "listen address (IAMLOCAL_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", DataDirFromEnv(getenv), "directory of the bbolt database (IAMLOCAL_DATA_DIR)")
	fs.StringVar(&c.Region, "region", RegionFromEnv(getenv), "emulated region (IAMLOCAL_REGION)")
	fs.StringVar(&c.Partition, "partition", env("IAMLOCAL_PARTITION", arn.DefaultPartition), "partition of the ARNs: "+strings.Join(arn.Partitions(), ", ")+" (IAMLOCAL_PARTITION)")
	fs.StringVar(&accountID, "account-id", env("IAMLOCAL_ACCOUNT_ID", emulator.DefaultAccountID), "default account id (IAMLOCAL_ACCOUNT_ID)")
	fs.StringVar(&rootKey, "root-access-key-id", env("IAMLOCAL_ROOT_ACCESS_KEY_ID", emulator.DefaultAccessKeyID), "root access key id (IAMLOCAL_ROOT_ACCESS_KEY_ID)")
	fs.StringVar(&rootSecret, "root-secret-access-key", env("IAMLOCAL_ROOT_SECRET_ACCESS_KEY", emulator.DefaultSecretAccessKey), "root secret access key (IAMLOCAL_ROOT_SECRET_ACCESS_KEY)")
	fs.Var(&extra, "account", "extra account ACCOUNT:KEY:SECRET, repeatable (IAMLOCAL_ACCOUNTS, comma-separated)")
	fs.StringVar(&c.Enforce, "enforce", env("IAMLOCAL_ENFORCE", "on"), "policy enforcement: on, soft (record only) or off (IAMLOCAL_ENFORCE)")
	fs.StringVar(&c.LogLevel, "log-level", env("IAMLOCAL_LOG_LEVEL", "info"), "debug, info, warn or error (IAMLOCAL_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", env("IAMLOCAL_LOG_FORMAT", "text"), "log lines as text or json (IAMLOCAL_LOG_FORMAT)")
	fs.StringVar(&c.AdminToken, "admin-token", env("IAMLOCAL_ADMIN_TOKEN", ""), "token of the admin endpoints off loopback; generated when empty (IAMLOCAL_ADMIN_TOKEN)")
	runtimes := fs.String("runtimes", env("IAMLOCAL_RUNTIMES", ""), "interpreters of Lambda runtimes, RUNTIME=PATH[,...] (IAMLOCAL_RUNTIMES)")
	fs.StringVar(&c.NodeSDKPath, "node-sdk-path", env("IAMLOCAL_NODE_SDK_PATH", ""), "node_modules directory of the @aws-sdk packages nodejs18.x+ functions see (IAMLOCAL_NODE_SDK_PATH)")
	fs.StringVar(&c.Init, "init", env("IAMLOCAL_INIT", ""), "init file (YAML, JSON or a state export) applied at start, creating what is missing (IAMLOCAL_INIT)")
	fs.StringVar(&c.URLBase, "url-base", env("IAMLOCAL_URL_BASE", ""), "public base of function URLs, such as http://iamlocal:4566; default the listen address (IAMLOCAL_URL_BASE)")
	fs.StringVar(&c.URLAuth, "url-auth", env("IAMLOCAL_URL_AUTH", string(emulator.URLAuthCurrent)), "function URL authorization: current (lambda:InvokeFunctionUrl and lambda:InvokeFunction) or legacy (lambda:InvokeFunctionUrl alone) (IAMLOCAL_URL_AUTH)")
	var lambda lambdaFlags
	fs.StringVar(&lambda.concurrency, "lambda-concurrency", env("IAMLOCAL_LAMBDA_CONCURRENCY", "1000"), "Lambda concurrency limit of each account per region (IAMLOCAL_LAMBDA_CONCURRENCY)")
	fs.StringVar(&lambda.environments, "max-environments", env("IAMLOCAL_MAX_ENVIRONMENTS", "32"), "function environments alive at once on this machine (IAMLOCAL_MAX_ENVIRONMENTS)")
	fs.StringVar(&lambda.queueSize, "invoke-queue-size", env("IAMLOCAL_INVOKE_QUEUE_SIZE", "1000"), "invocations that may wait for an environment, 0 for none (IAMLOCAL_INVOKE_QUEUE_SIZE)")
	fs.StringVar(&lambda.queueWait, "invoke-queue-wait", env("IAMLOCAL_INVOKE_QUEUE_WAIT", "1m"), "how long an invocation waits for an environment (IAMLOCAL_INVOKE_QUEUE_WAIT)")
	fs.StringVar(&lambda.delayScale, "async-delay-scale", env("IAMLOCAL_ASYNC_DELAY_SCALE", "1"), "factor of asynchronous invocation's retry waits and event age, e.g. 0.001 in tests (IAMLOCAL_ASYNC_DELAY_SCALE)")
	if v := getenv("IAMLOCAL_ACCOUNTS"); v != "" {
		if err := extra.Set(v); err != nil {
			return Config{}, fmt.Errorf("IAMLOCAL_ACCOUNTS: %w", err)
		}
	}
	if err := fs.Parse(args); err != nil {
		return Config{}, err
	}
	if fs.NArg() > 0 {
		return Config{}, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	c.Accounts = append([]emulator.Account{{ID: accountID, AccessKeyID: rootKey, SecretAccessKey: rootSecret}}, extra...)
	rt, err := parseRuntimes(*runtimes)
	if err != nil {
		return Config{}, err
	}
	c.Runtimes = rt
	return c, errors.Join(lambda.apply(&c), c.validate())
}

// lambdaFlags are the Lambda settings as given, parsed by apply.
type lambdaFlags struct{ concurrency, environments, queueSize, queueWait, delayScale string }

func (f lambdaFlags) apply(c *Config) error {
	var errs []error
	count := func(name, v string, least int) int {
		n, err := strconv.Atoi(v)
		if err != nil || n < least {
			errs = append(errs, fmt.Errorf("%s %q: want a whole number of at least %d", name, v, least))
		}
		return n
	}
	c.LambdaConcurrency = count("lambda concurrency", f.concurrency, 1)
	c.MaxEnvironments = count("max environments", f.environments, 1)
	c.InvokeQueueSize = count("invoke queue size", f.queueSize, 0)
	var err error
	if c.InvokeQueueWait, err = time.ParseDuration(f.queueWait); err != nil || c.InvokeQueueWait <= 0 {
		errs = append(errs, fmt.Errorf("invoke queue wait %q: want a positive duration such as 30s", f.queueWait))
	}
	if c.AsyncDelayScale, err = strconv.ParseFloat(f.delayScale, 64); err != nil || !(c.AsyncDelayScale > 0 && c.AsyncDelayScale <= 1000) {
		errs = append(errs, fmt.Errorf("async delay scale %q: want a number above 0 and at most 1000, such as 0.001", f.delayScale))
	}
	return errors.Join(errs...)
}

func (c Config) validate() error {
	var errs []error
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("address %q: want host:port", c.Addr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data directory must not be empty"))
	}
	if !regionRE.MatchString(c.Region) {
		errs = append(errs, fmt.Errorf("region %q is not a region name such as us-east-1", c.Region))
	}
	if !arn.IsPartition(c.Partition) {
		errs = append(errs, fmt.Errorf("partition %q: want one of %s", c.Partition, strings.Join(arn.Partitions(), ", ")))
	}
	switch c.Enforce {
	case "on", "soft", "off":
	default:
		errs = append(errs, fmt.Errorf("enforcement %q: want on, soft or off", c.Enforce))
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Errorf("log level %q: want debug, info, warn or error", c.LogLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log format %q: want text or json", c.LogFormat))
	}
	if strings.ContainsAny(c.AdminToken, " \t\r\n") {
		errs = append(errs, errors.New("admin token must not contain blanks"))
	}
	if c.NodeSDKPath != "" {
		if fi, err := os.Stat(c.NodeSDKPath); err != nil || !fi.IsDir() || !filepath.IsAbs(c.NodeSDKPath) {
			errs = append(errs, fmt.Errorf("node SDK path %q: want the absolute path of a node_modules directory", c.NodeSDKPath))
		}
	}
	if c.URLBase != "" {
		if u, err := url.Parse(c.URLBase); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("function URL base %q: want http(s)://host[:port]", c.URLBase))
		}
	}
	if _, err := emulator.ParseURLAuth(c.URLAuth); err != nil {
		errs = append(errs, err)
	}
	seenID, seenKey := map[string]bool{}, map[string]bool{}
	for _, a := range c.Accounts {
		if !arn.IsAccountID(a.ID) {
			errs = append(errs, fmt.Errorf("account id %q must be 12 digits", a.ID))
		}
		if a.AccessKeyID == "" || a.SecretAccessKey == "" {
			errs = append(errs, fmt.Errorf("account %s: root access key id and secret must not be empty", a.ID))
		}
		if seenID[a.ID] {
			errs = append(errs, fmt.Errorf("account %s configured twice", a.ID))
		}
		if seenKey[a.AccessKeyID] {
			errs = append(errs, fmt.Errorf("root access key id %q used by two accounts", a.AccessKeyID))
		}
		seenID[a.ID], seenKey[a.AccessKeyID] = true, true
	}
	return errors.Join(errs...)
}

// runtimeID is a Lambda runtime identifier iamlocal runs on an interpreter.
var runtimeID = regexp.MustCompile(`^(python3\.[0-9]+|nodejs[0-9]+\.x|ruby3\.[0-9]+)$`)

// parseRuntimes reads RUNTIME=PATH[,RUNTIME=PATH...]: each runtime once, an interpreted
// one, and the absolute path of an executable file.
func parseRuntimes(v string) (map[string]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	out := map[string]string{}
	var errs []error
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		id, path, ok := strings.Cut(item, "=")
		id, path = strings.TrimSpace(id), strings.TrimSpace(path)
		switch {
		case !ok || id == "" || path == "":
			errs = append(errs, fmt.Errorf("runtimes: %q: want RUNTIME=PATH", item))
		case !runtimeID.MatchString(id):
			errs = append(errs, fmt.Errorf("runtimes: %q is not a python3.N, nodejsN.x or ruby3.N runtime", id))
		case out[id] != "":
			errs = append(errs, fmt.Errorf("runtimes: %s given twice", id))
		case !filepath.IsAbs(path):
			errs = append(errs, fmt.Errorf("runtimes: %s: %q is not an absolute path", id, path))
		default:
			if fi, err := os.Stat(path); err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
				errs = append(errs, fmt.Errorf("runtimes: %s: %q is not an executable file", id, path))
			}
			out[id] = path
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("IAMLOCAL_RUNTIMES: %w", err)
	}
	return out, nil
}
