package sigv4

import (
	"bytes"
	"fmt"
	"testing"
)

// A remembered key is the key of its own secret and scope: verifications that share one
// SigningKeys decide exactly as those that derive every key.
func TestSigningKeysDecideAsDerivedKeys(t *testing.T) {
	t.Parallel()
	var keys SigningKeys
	r := vanilla(t, nil, "host;x-amz-date")
	for i, tc := range []struct {
		secret   string
		wantKind Kind // 0: verifies
	}{
		{testSecret, 0},
		{"another secret", KindMismatch}, // same scope, the key of another secret
		{testSecret, 0},
		{testSecret + "x", KindMismatch},
		{testSecret, 0},
	} {
		for _, opts := range []Options{{Keys: &keys}, {}} {
			opts.Now, opts.Lookup = testTime, lookupFor(testAKID, tc.secret, "")
			_, err := Verify(r, nil, opts)
			if tc.wantKind == 0 {
				if err != nil {
					t.Fatalf("step %d (keys remembered: %v): %v", i, opts.Keys != nil, err)
				}
				continue
			}
			wantKind(t, err, tc.wantKind)
		}
	}
}

// The cache returns SigningKey's bytes for every scope, and holds at most maxSigningKeys.
func TestSigningKeysBounded(t *testing.T) {
	t.Parallel()
	var keys SigningKeys
	for i := range maxSigningKeys + 10 {
		region := fmt.Sprintf("region-%d", i)
		for range 2 { // derived, then remembered
			if got, want := keys.key(testSecret, "20150830", region, "iam"), SigningKey(testSecret, "20150830", region, "iam"); !bytes.Equal(got, want) {
				t.Fatalf("scope %d: key %x, want %x", i, got, want)
			}
		}
		if n := len(keys.m); n > maxSigningKeys {
			t.Fatalf("scope %d: %d keys held, bound %d", i, n, maxSigningKeys)
		}
	}
	var none *SigningKeys
	if got, want := none.key(testSecret, "20150830", "us-east-1", "iam"), SigningKey(testSecret, "20150830", "us-east-1", "iam"); !bytes.Equal(got, want) {
		t.Fatalf("nil cache: key %x, want %x", got, want)
	}
}
