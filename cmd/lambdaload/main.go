// Command lambdaload drives warm Lambda invocations at a fixed rate and reports what rate was
// sustained and how long calls took (docs/request-cost.md). Without -endpoint it starts an
// iamlocal of its own, in this process, with a python echo function:
//
//	go run ./cmd/lambdaload -rate 200 -duration 10s
//	go run ./cmd/lambdaload -endpoint http://127.0.0.1:4566 -function my-fn -rate 50
//
// Calls are issued on schedule whether or not earlier ones have answered (an open loop), by
// at most -callers at once; a call that cannot start on time counts as late. A warm-up at the
// same rate comes first, unmeasured, so that the execution environments the rate needs are
// started (on Lambda, too, a burst scales out with cold starts).
package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/iamlocal/iamlocal/emulator"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "lambdaload:", err)
		os.Exit(2)
	}
}

type settings struct {
	endpoint, function, payload string
	rate                        float64
	duration, warmup            time.Duration
	callers                     int
}

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("lambdaload", flag.ContinueOnError)
	var s settings
	fs.StringVar(&s.endpoint, "endpoint", "", "iamlocal's URL; empty starts one in this process")
	fs.StringVar(&s.function, "function", "echo", "the function to invoke (created when iamlocal is started here)")
	fs.StringVar(&s.payload, "payload", `{"n":1}`, "the event")
	fs.Float64Var(&s.rate, "rate", 200, "invocations a second")
	fs.DurationVar(&s.duration, "duration", 10*time.Second, "how long to keep the rate, and measure")
	fs.DurationVar(&s.warmup, "warmup", 3*time.Second, "how long to keep the rate first, unmeasured: the environments the rate needs start then")
	fs.IntVar(&s.callers, "callers", 64, "calls under way at most")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if s.rate <= 0 || s.duration <= 0 || s.callers <= 0 {
		return errors.New("-rate, -duration and -callers must be positive")
	}
	ctx := context.Background()
	if s.endpoint == "" {
		url, stop, err := startLocal(ctx, s.function)
		if err != nil {
			return err
		}
		defer stop()
		s.endpoint = url
	}
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(s.endpoint), Retryer: func() aws.Retryer { return aws.NopRetryer{} },
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	fns := lambda.NewFromConfig(cfg)
	if _, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(s.function), Payload: []byte(s.payload)}); err != nil {
		return fmt.Errorf("warm-up call: %w", err)
	}
	if s.warmup > 0 {
		w := s
		w.duration = s.warmup
		drive(ctx, fns, w)
	}
	r := drive(ctx, fns, s)
	r.print(out, s)
	return nil
}

// result is what a run measured.
type result struct {
	latencies      []time.Duration
	errors, late   int
	firstErr       error
	elapsed        time.Duration
	scheduledCalls int
}

// drive issues the calls on schedule and waits for the last to answer.
func drive(ctx context.Context, fns *lambda.Client, s settings) result {
	var mu sync.Mutex
	var r result
	slots := make(chan struct{}, s.callers)
	interval := time.Duration(float64(time.Second) / s.rate)
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; ; i++ {
		due := start.Add(time.Duration(i) * interval)
		if due.Sub(start) >= s.duration {
			break
		}
		time.Sleep(time.Until(due))
		r.scheduledCalls++
		select {
		case slots <- struct{}{}:
		default:
			mu.Lock()
			r.late++ // every caller busy: the call starts when one is free
			mu.Unlock()
			slots <- struct{}{}
		}
		wg.Go(func() {
			defer func() { <-slots }()
			t0 := time.Now()
			_, err := fns.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String(s.function), Payload: []byte(s.payload)})
			took := time.Since(t0)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				r.errors++
				if r.firstErr == nil {
					r.firstErr = err
				}
				return
			}
			r.latencies = append(r.latencies, took)
		})
	}
	wg.Wait()
	r.elapsed = time.Since(start)
	return r
}

func (r result) print(out io.Writer, s settings) {
	sort.Slice(r.latencies, func(i, j int) bool { return r.latencies[i] < r.latencies[j] })
	pct := func(p float64) time.Duration {
		if len(r.latencies) == 0 {
			return 0
		}
		return r.latencies[int(p*float64(len(r.latencies)-1))]
	}
	fmt.Fprintf(out, "asked %.0f/s for %s: %d calls in %s, %.1f answered/s\n", s.rate, s.duration, r.scheduledCalls,
		r.elapsed.Round(time.Millisecond), float64(len(r.latencies))/r.elapsed.Seconds())
	fmt.Fprintf(out, "latency p50 %s  p90 %s  p99 %s  max %s\n", pct(0.5).Round(time.Microsecond), pct(0.9).Round(time.Microsecond),
		pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	fmt.Fprintf(out, "errors %d, started late %d\n", r.errors, r.late)
	if r.firstErr != nil {
		fmt.Fprintln(out, "first error:", r.firstErr)
	}
}

// startLocal starts iamlocal on 127.0.0.1 with a python echo function named function.
func startLocal(ctx context.Context, function string) (string, func(), error) {
	dir, err := os.MkdirTemp("", "lambdaload-")
	if err != nil {
		return "", nil, err
	}
	srv, err := emulator.New(emulator.Options{DBPath: filepath.Join(dir, "iamlocal.db")})
	if err != nil {
		os.RemoveAll(dir)
		return "", nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		srv.Close()
		os.RemoveAll(dir)
		return "", nil, err
	}
	url := "http://" + ln.Addr().String()
	srv.SetEndpoint(url)
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	go hs.Serve(ln) //nolint:errcheck // ends with Close
	stop := func() {
		hs.Close()
		srv.Close()
		os.RemoveAll(dir)
	}
	if err := createEcho(ctx, url, function); err != nil {
		stop()
		return "", nil, err
	}
	return url, stop, nil
}

func createEcho(ctx context.Context, url, function string) error {
	cfg := aws.Config{Region: "us-east-1", BaseEndpoint: aws.String(url), Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")}
	role, err := iam.NewFromConfig(cfg).CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("lambdaload"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		return err
	}
	var zipped bytes.Buffer
	w := zip.NewWriter(&zipped)
	f, _ := w.Create("app.py")
	_, _ = f.Write([]byte("def handler(event, context):\n    return event\n"))
	if err := w.Close(); err != nil {
		return err
	}
	_, err = lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(function), Role: role.Role.Arn,
		Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"), Code: &lambdatypes.FunctionCode{ZipFile: zipped.Bytes()}})
	return err
}
