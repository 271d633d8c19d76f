// Package yardstick is the fixed-cost server iamlocal's cost per request is measured against:
// net/http's handler that reads the body, verifies its SigV4 signature with iamlocal's verifier
// against one credential, and answers a fixed iam:GetUser response. internal/bench/minimal serves
// it as a process (beside iamlocal, for internal/bench/load); emulator's BenchmarkYardstick runs
// it in process beside BenchmarkSignedGetUser.
package yardstick

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/iamlocal/iamlocal/sigv4"
)

// GetUserBody is iamlocal's GetUser answer for the load generator's user, byte for byte but for
// the ids (emulator/iam/testdata/golden/GetUser-boundary.xml is its shape).
const GetUserBody = `<GetUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
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

// Handler verifies every request against the one credential and answers GetUserBody.
func Handler(accessKey, secret string) http.Handler {
	lookup := func(akid string) (sigv4.Secret, error) {
		if akid != accessKey {
			return sigv4.Secret{}, sigv4.ErrUnknownKey
		}
		return sigv4.Secret{SecretAccessKey: secret}, nil
	}
	// Remembered signing keys, as iamlocal's authentication keeps them.
	var keys sigv4.SigningKeys
	body := []byte(GetUserBody)
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
