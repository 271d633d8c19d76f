// Command minimal is the yardstick of iamlocal's cost per request: a plain net/http server that
// reads the body, verifies its SigV4 signature with iamlocal's verifier against one fixed
// credential, and answers a fixed iam:GetUser response. Whatever iamlocal spends beyond it is
// routing, authentication's lookups, decoding, authorization, the handler, encoding and
// observation. internal/bench/load drives both.
//
//	go run ./internal/bench/minimal -access-key AKID -secret SECRET
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/iamlocal/iamlocal/sigv4"
)

// getUserBody is iamlocal's GetUser answer for the load generator's user, byte for byte but for
// the ids (emulator/iam/testdata/golden/GetUser-boundary.xml is its shape).
const getUserBody = `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <GetUserResult>
    <User>
      <Arn>arn:aws:iam::123456789012:user/bench</Arn>
      <CreateDate>2026-03-01T12:00:00Z</CreateDate>
      <Path>/</Path>
      <UserId>AIDAASLL2CXWRRS6CCNSC</UserId>
      <UserName>bench</UserName>
    </User>
  </GetUserResult>
  <ResponseMetadata>
    <RequestId>6cb51737-da12-48f5-b27e-b36d588375e8</RequestId>
  </ResponseMetadata>
</GetUserResponse>`

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
	srv := &http.Server{Handler: handler(*accessKey, *secret), ReadHeaderTimeout: 10 * time.Second}
	if err := srv.Serve(ln); err != nil {
		fmt.Fprintln(os.Stderr, "minimal:", err)
		os.Exit(1)
	}
}

// handler verifies every request against the one credential and answers getUserBody.
func handler(accessKey, secret string) http.Handler {
	lookup := func(akid string) (sigv4.Secret, error) {
		if akid != accessKey {
			return sigv4.Secret{}, sigv4.ErrUnknownKey
		}
		return sigv4.Secret{SecretAccessKey: secret}, nil
	}
	// Remembered signing keys, as iamlocal's authentication keeps them.
	var keys sigv4.SigningKeys
	body := []byte(getUserBody)
	length := strconv.Itoa(len(body))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if _, err := sigv4.Verify(r, raw, sigv4.Options{Now: time.Now(), Lookup: lookup, Keys: &keys}); err != nil {
			status := http.StatusForbidden
			var se *sigv4.Error
			if !errors.As(err, &se) {
				status = http.StatusInternalServerError
			}
			http.Error(w, err.Error(), status)
			return
		}
		h := w.Header()
		h.Set("Content-Type", "text/xml")
		h.Set("Content-Length", length)
		h.Set("x-amzn-RequestId", "6cb51737-da12-48f5-b27e-b36d588375e8")
		_, _ = w.Write(body)
	})
}
