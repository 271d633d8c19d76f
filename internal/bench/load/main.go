// Command load measures the server CPU time one signed iam:GetUser costs in iamlocal, beside
// the same request answered by internal/bench/minimal (net/http, SigV4 verification, a fixed
// body). It starts both servers, gives iamlocal the principal of emulator/bench_test.go's
// BenchmarkSignedGetUser (an IAM user with 10 customer managed policies of 20 statements and a
// group inline policy granting iam:GetUser), and then, round by round and alternating between
// the servers, has -c keep-alive clients send GetUser for -d. A round's cost is the server
// process's CPU time over the round (utime + stime of /proc/<pid>/stat) divided by the requests
// it answered; the report gives each server's median and the median of the rounds' ratios.
//
//	go build -o /tmp/iamlocal ./cmd/iamlocal && go build -o /tmp/minimal ./internal/bench/minimal
//	go run ./internal/bench/load -iamlocal /tmp/iamlocal -minimal /tmp/minimal -rounds 7
//
// Every client signs its request once per round and replays it (as BenchmarkSignedGetUser
// does): both servers verify the same signature, and client signing stays off the machine's
// cores as far as it can.
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamlocal/iamlocal/internal/bench/benchproc"
)

const getUser = "Action=GetUser&Version=2010-05-08"

type config struct {
	clients  int
	duration time.Duration
	rounds   int
	enforce  string
	logLevel string
}

// server is one of the two measured processes.
type server struct {
	name  string
	proc  *benchproc.Proc
	creds aws.Credentials
}

// round is what one server did in one round.
type round struct {
	requests int64
	cpu      time.Duration
}

func (r round) perRequest() float64 { return float64(r.cpu.Microseconds()) / float64(r.requests) }

func main() {
	iamlocalBin := flag.String("iamlocal", "", "the iamlocal binary")
	minimalBin := flag.String("minimal", "", "the internal/bench/minimal binary")
	var cfg config
	flag.IntVar(&cfg.clients, "c", 4, "concurrent keep-alive clients")
	flag.DurationVar(&cfg.duration, "d", 5*time.Second, "duration of a round")
	flag.IntVar(&cfg.rounds, "rounds", 5, "measured rounds per server (after one warm-up round each)")
	flag.StringVar(&cfg.enforce, "enforce", "on", "iamlocal's -enforce")
	flag.StringVar(&cfg.logLevel, "log-level", "info", "iamlocal's -log-level (info, the default, logs a line per request)")
	flag.Parse()
	if *iamlocalBin == "" || *minimalBin == "" {
		fmt.Fprintln(os.Stderr, "load: -iamlocal and -minimal are required")
		os.Exit(2)
	}
	if err := run(os.Stdout, *iamlocalBin, *minimalBin, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, iamlocalBin, minimalBin string, cfg config) error {
	dir, err := os.MkdirTemp("", "iamlocal-load-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// Request log lines are written as the server's default writes them, to a file that keeps
	// none of them: the cost of formatting and writing each line is counted.
	iamProc, err := benchproc.Start(nil, iamlocalBin, "-addr", "127.0.0.1:0", "-data-dir", dir,
		"-enforce", cfg.enforce, "-log-level", cfg.logLevel)
	if err != nil {
		return err
	}
	defer iamProc.Stop()
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.clients}}
	creds, err := setUp(client, iamProc.URL)
	if err != nil {
		return fmt.Errorf("setting up iamlocal: %w", err)
	}
	minProc, err := benchproc.Start(os.Stderr, minimalBin, "-access-key", creds.AccessKeyID, "-secret", creds.SecretAccessKey)
	if err != nil {
		return err
	}
	defer minProc.Stop()
	servers := []server{{"iamlocal", iamProc, creds}, {"minimal", minProc, creds}}
	results := make([][]round, len(servers))
	for i := -1; i < cfg.rounds; i++ { // round -1 warms both up
		for j, srv := range servers {
			r, err := load(client, srv, cfg)
			if err != nil {
				return fmt.Errorf("%s: %w", srv.name, err)
			}
			if i >= 0 {
				results[j] = append(results[j], r)
			}
		}
	}
	report(w, cfg, servers, results)
	return nil
}

// setUp makes the benchmark's principal in iamlocal as its root user and returns its access key.
func setUp(client *http.Client, url string) (aws.Credentials, error) {
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	call := func(form string) (string, error) {
		req, err := benchproc.SignedQuery(url, "iam", root, form, time.Now())
		if err != nil {
			return "", err
		}
		body, err := benchproc.Do(client, req)
		return string(body), err
	}
	forms := []string{"Action=CreateUser&Version=2010-05-08&UserName=bench", "Action=CreateGroup&Version=2010-05-08&GroupName=g",
		"Action=AddUserToGroup&Version=2010-05-08&GroupName=g&UserName=bench"}
	for i := range 10 {
		var stmts []string
		for j := range 20 {
			stmts = append(stmts, fmt.Sprintf(`{"Effect":"Allow","Action":["svc%d:Get*","svc%d:List%d"],"Resource":"arn:aws:svc%d:::thing/%d/*","Condition":{"StringEquals":{"aws:RequestedRegion":"eu-west-1"}}}`, j, j, i, i, j))
		}
		doc := `{"Version":"2012-10-17","Statement":[` + strings.Join(stmts, ",") + `]}`
		forms = append(forms, fmt.Sprintf("Action=CreatePolicy&Version=2010-05-08&PolicyName=p%d&PolicyDocument=%s", i, urlEncode(doc)),
			fmt.Sprintf("Action=AttachUserPolicy&Version=2010-05-08&UserName=bench&PolicyArn=arn:aws:iam::123456789012:policy/p%d", i))
	}
	forms = append(forms, "Action=PutGroupPolicy&Version=2010-05-08&GroupName=g&PolicyName=read&PolicyDocument="+
		urlEncode(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:GetUser","Resource":"*"}]}`))
	for _, form := range forms {
		if _, err := call(form); err != nil {
			return aws.Credentials{}, err
		}
	}
	out, err := call("Action=CreateAccessKey&Version=2010-05-08&UserName=bench")
	if err != nil {
		return aws.Credentials{}, err
	}
	return aws.Credentials{AccessKeyID: between(out, "<AccessKeyId>", "<"), SecretAccessKey: between(out, "<SecretAccessKey>", "<")}, nil
}

// load runs cfg.clients clients against srv for cfg.duration and returns the requests answered
// and the CPU time the server used meanwhile.
func load(client *http.Client, srv server, cfg config) (round, error) {
	proto, err := benchproc.SignedQuery(srv.proc.URL, "iam", srv.creds, getUser, time.Now())
	if err != nil {
		return round{}, err
	}
	before, err := benchproc.CPUTime(srv.proc.Pid())
	if err != nil {
		return round{}, err
	}
	var done atomic.Int64
	var failure atomic.Pointer[error]
	stop := time.Now().Add(cfg.duration)
	var wg sync.WaitGroup
	for range cfg.clients {
		wg.Go(func() {
			for time.Now().Before(stop) {
				req := proto.Clone(proto.Context())
				req.Body = io.NopCloser(strings.NewReader(getUser))
				if _, err := benchproc.Do(client, req); err != nil {
					failure.CompareAndSwap(nil, &err)
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	after, err := benchproc.CPUTime(srv.proc.Pid())
	if err != nil {
		return round{}, err
	}
	if errp := failure.Load(); errp != nil {
		return round{}, *errp
	}
	return round{requests: done.Load(), cpu: after - before}, nil
}

func report(w io.Writer, cfg config, servers []server, results [][]round) {
	fmt.Fprintf(w, "%d rounds of %s per server, %d keep-alive clients, iamlocal -enforce %s -log-level %s\n",
		cfg.rounds, cfg.duration, cfg.clients, cfg.enforce, cfg.logLevel)
	for j, srv := range servers {
		var us, rate []float64
		for _, r := range results[j] {
			us = append(us, r.perRequest())
			rate = append(rate, float64(r.requests)/cfg.duration.Seconds())
		}
		lo, mid, hi := benchproc.Spread(us)
		_, rmid, _ := benchproc.Spread(rate)
		fmt.Fprintf(w, "%-9s server CPU per request: median %6.1f µs (min %.1f, max %.1f); median %.0f requests/s\n",
			srv.name, mid, lo, hi, rmid)
	}
	var ratios []float64
	for i := range results[0] {
		ratios = append(ratios, results[0][i].perRequest()/results[1][i].perRequest())
	}
	lo, mid, hi := benchproc.Spread(ratios)
	fmt.Fprintf(w, "iamlocal / minimal, round by round: median %.2f (min %.2f, max %.2f)\n", mid, lo, hi)
}

func between(s, start, end string) string {
	i := strings.Index(s, start)
	if i < 0 {
		return ""
	}
	s = s[i+len(start):]
	return s[:strings.Index(s, end)]
}

// urlEncode escapes what a policy document holds for a form value.
func urlEncode(s string) string {
	r := strings.NewReplacer("%", "%25", "&", "%26", "+", "%2B", "=", "%3D", " ", "%20", "\"", "%22", "{", "%7B", "}", "%7D",
		"[", "%5B", "]", "%5D", ":", "%3A", ",", "%2C", "/", "%2F", "*", "%2A")
	return r.Replace(s)
}
