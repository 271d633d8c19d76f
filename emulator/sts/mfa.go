package sts

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/storage"
)

// MFA codes of IAM virtual MFA devices (RFC 6238 TOTP: HMAC-SHA1, six digits, 30-second
// steps from the request time), as IAM's EnableMFADevice checks them. A code is accepted
// within one step of now (plus the drift ResyncMFADevice learnt), and only once: the step
// is remembered so the same code cannot be replayed.
const (
	totpStepSeconds = 30
	totpWindow      = 1
)

var seedEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

func totpCode(seed string, step int64) string {
	key, err := seedEncoding.DecodeString(seed)
	if err != nil {
		return ""
	}
	mac := hmac.New(sha1.New, key)
	_ = binary.Write(mac, binary.BigEndian, uint64(step))
	sum := mac.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	code := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%06d", code%1_000_000)
}

// mfaCheck verifies code against the virtual MFA device serial enabled for userName in tx's
// account (of the partition) and consumes it. ok is false for an unknown or foreign device or
// a wrong code.
func mfaCheck(tx *storage.Tx, partition, userName, serial, code string, now time.Time) (bool, error) {
	a, err := arn.Parse(serial)
	if err != nil || !a.InIAM(arn.Scope{Partition: partition, Account: tx.Account()}) || userName == "" {
		return false, nil
	}
	kind, _, name, found := arn.SplitIAMResource(a.Resource)
	if !found || kind != "mfa" {
		return false, nil
	}
	d, err := storage.MFADevices(tx).Get(storage.Key(name))
	if isNotFound(err) {
		return false, nil
	} else if err != nil {
		return false, err
	}
	if d.Serial != serial || !strings.EqualFold(d.User, userName) {
		return false, nil
	}
	center := now.Unix()/totpStepSeconds + d.Drift
	for n := center - totpWindow; n <= center+totpWindow; n++ {
		if n > d.LastStep && totpCode(d.Seed, n) == code {
			d.LastStep = n
			return true, storage.MFADevices(tx).Put(storage.Key(d.Name), d)
		}
	}
	return false, nil
}
