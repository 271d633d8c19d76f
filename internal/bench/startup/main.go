// Command startup starts the iamlocal binary N times and reports the median time from the
// process's start to a healthy endpoint (the first 200 from /_iamlocal/health), and its resident
// memory (VmRSS of /proc/<pid>/status) once healthy and after a first signed API request.
//
//	go build -o /tmp/iamlocal ./cmd/iamlocal
//	go run ./internal/bench/startup -bin /tmp/iamlocal -n 30
//
// Each run gets a fresh data directory unless -reuse, which starts every run on the database the
// first one left (the start of a server restarted on its state).
package main

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/iamlocal/iamlocal/internal/bench/benchproc"
)

// start is one start of the binary.
type start struct {
	healthy                 time.Duration
	rssHealthy, rssFirstReq int64 // kB
}

func main() {
	bin := flag.String("bin", "", "the iamlocal binary to start")
	n := flag.Int("n", 20, "number of starts")
	reuse := flag.Bool("reuse", false, "start every run on the data directory of the first")
	flag.Parse()
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "startup: -bin is required")
		os.Exit(2)
	}
	starts, err := measure(*bin, *n, *reuse)
	if err != nil {
		fmt.Fprintln(os.Stderr, "startup:", err)
		os.Exit(1)
	}
	report(os.Stdout, starts)
}

func measure(bin string, n int, reuse bool) ([]start, error) {
	shared, err := os.MkdirTemp("", "iamlocal-startup-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(shared)
	var starts []start
	for i := range n {
		dir := shared
		if !reuse {
			dir = filepath.Join(shared, strconv.Itoa(i))
		}
		s, err := startOnce(bin, dir)
		if err != nil {
			return nil, fmt.Errorf("start %d: %w", i+1, err)
		}
		starts = append(starts, s)
	}
	return starts, nil
}

// startOnce starts the binary on dir, waits for health, signs one iam:GetUser as the root
// user, and stops the server.
func startOnce(bin, dir string) (start, error) {
	p, err := benchproc.Start(os.Stderr, bin, "-addr", "127.0.0.1:0", "-data-dir", dir, "-log-level", "warn")
	if err != nil {
		return start{}, err
	}
	defer p.Stop()
	client := &http.Client{Timeout: 10 * time.Second}
	health, err := http.NewRequest(http.MethodGet, p.URL+"/_iamlocal/health", nil)
	if err != nil {
		return start{}, err
	}
	if _, err := benchproc.Do(client, health); err != nil {
		return start{}, err
	}
	s := start{healthy: time.Since(p.Started)}
	if s.rssHealthy, err = benchproc.RSS(p.Pid()); err != nil {
		return start{}, err
	}
	req, err := benchproc.SignedQuery(p.URL, "iam", aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"},
		"Action=GetUser&Version=2010-05-08", time.Now())
	if err != nil {
		return start{}, err
	}
	if _, err := benchproc.Do(client, req); err != nil {
		return start{}, err
	}
	if s.rssFirstReq, err = benchproc.RSS(p.Pid()); err != nil {
		return start{}, err
	}
	return s, nil
}

func report(w io.Writer, starts []start) {
	var healthy []time.Duration
	var rssStart, rssReq []int64
	for _, s := range starts {
		healthy = append(healthy, s.healthy)
		rssStart = append(rssStart, s.rssHealthy)
		rssReq = append(rssReq, s.rssFirstReq)
	}
	fmt.Fprintf(w, "%d starts\n", len(starts))
	lo, mid, hi := benchproc.Spread(healthy)
	fmt.Fprintf(w, "time to healthy:      median %6.1f ms  (min %.1f, max %.1f)\n", ms(mid), ms(lo), ms(hi))
	klo, kmid, khi := benchproc.Spread(rssStart)
	fmt.Fprintf(w, "VmRSS when healthy:   median %6.1f MB  (min %.1f, max %.1f)\n", mb(kmid), mb(klo), mb(khi))
	klo, kmid, khi = benchproc.Spread(rssReq)
	fmt.Fprintf(w, "VmRSS after GetUser:  median %6.1f MB  (min %.1f, max %.1f)\n", mb(kmid), mb(klo), mb(khi))
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
func mb(kb int64) float64        { return float64(kb) / 1024 }
