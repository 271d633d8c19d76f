// Command minimal serves the yardstick of iamlocal's cost per request (package yardstick): a
// plain net/http server that reads the body, verifies its SigV4 signature with iamlocal's
// verifier against one fixed credential, and answers a fixed iam:GetUser response. Whatever iamlocal spends beyond it is
// routing, authentication's lookups, decoding, authorization, the handler, encoding and
// observation. internal/bench/load drives both.
//
//	go run ./internal/bench/minimal -access-key AKID -secret SECRET
package main

import (
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/iamlocal/iamlocal/internal/bench/yardstick"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	accessKey := flag.String("access-key", "", "the one access key id it accepts")
	secret := flag.String("secret", "", "its secret")
	flag.Parse()
	if *accessKey == "" || *secret == "" {
		fmt.Fprintln(os.Stderr, "minimal: -access-key and -secret are required")
		os.Exit(2)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "minimal:", err)
		os.Exit(1)
	}
	fmt.Printf("minimal listening on http://%s\n", ln.Addr())
	srv := &http.Server{Handler: yardstick.Handler(*accessKey, *secret), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "minimal:", err)
		os.Exit(1)
	}
}
