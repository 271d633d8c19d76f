package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// FuzzParseAuthorization feeds arbitrary Authorization values and query
// strings to Parse and Verify: they must never panic, and every failure must
// be an *Error of a known kind.
func FuzzParseAuthorization(f *testing.F) {
	for _, c := range loadSignedCases(f) {
		r, _, err := parseRawRequest(c.raw)
		if err != nil {
			f.Fatal(err)
		}
		_, q := requestTarget(r)
		f.Add(r.Header.Get("Authorization"), q, r.Header.Get("Authorization") != "")
	}
	for _, s := range []string{
		"", "AWS4-HMAC-SHA256", "Bearer abc", "AWS4-HMAC-SHA256 Credential=a/b/c/d/e, SignedHeaders=, Signature=",
		"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request,,, ,SignedHeaders=host;;HOST, Signature==",
		"AWS4-HMAC-SHA256\tCredential=\xff\xfe/\x00/%/=/=",
	} {
		f.Add(s, "X-Amz-Expires=99999999999999999999&X-Amz-Date=%zz", true)
	}
	f.Fuzz(func(t *testing.T, auth, rawQuery string, withAuth bool) {
		r := &http.Request{
			Method:     "GET",
			RequestURI: "/?" + rawQuery,
			URL:        &url.URL{Path: "/", RawQuery: rawQuery},
			Host:       "example.amazonaws.com",
			Header:     http.Header{"X-Amz-Date": {"20150830T123600Z"}},
		}
		if withAuth {
			r.Header["Authorization"] = []string{auth}
		}
		p, err := Parse(r)
		var e *Error
		if err != nil {
			if !errors.As(err, &e) || (e.Kind != KindMissingAuthentication && e.Kind != KindIncomplete) || p != nil {
				t.Fatalf("Parse: %v, %+v", err, p)
			}
		} else if len(strings.Split(p.Credential, "/")) != 5 {
			t.Fatalf("credential %q accepted", p.Credential)
		}
		_, err = Verify(r, []byte(rawQuery), Options{Now: testTime, Lookup: lookupFor(testAKID, testSecret, "")})
		if err != nil && (!errors.As(err, &e) || e.Kind < KindMissingAuthentication || e.Kind > KindInvalidToken || e.Message == "") {
			t.Fatalf("Verify: %v", err)
		}
	})
}

// FuzzVerifyFlip changes one byte of a signed conformance request. The
// result may verify only if the byte was not signed: the provided
// signature, the access key, the canonical request and the string to sign
// must all equal the golden ones.
func FuzzVerifyFlip(f *testing.F) {
	cases := loadSignedCases(f)
	for i, c := range cases {
		f.Add(uint16(i), uint32(0), byte('P'))
		f.Add(uint16(i), uint32(len(c.raw)/2), byte('0'))
		f.Add(uint16(i), uint32(len(c.raw)-3), byte(' '))
	}
	f.Fuzz(func(t *testing.T, idx uint16, pos uint32, b byte) {
		c := cases[int(idx)%len(cases)]
		checkFlip(t, c, int(pos%uint32(len(c.raw))), b)
	})
}

// TestFlipEveryByte is the deterministic sweep behind FuzzVerifyFlip: every
// byte of every signed request, set to two different values.
func TestFlipEveryByte(t *testing.T) {
	t.Parallel()
	for _, c := range loadSignedCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			verified := 0
			for i := range c.raw {
				for _, b := range []byte{'x', '0'} {
					if checkFlip(t, c, i, b) {
						verified++
					}
				}
			}
			// Only the protocol version and a few equivalent spellings
			// (header-name case, separators) may survive.
			if verified > len(c.raw)/4 {
				t.Fatalf("%d of %d flips verified", verified, 2*len(c.raw))
			}
		})
	}
}

// checkFlip sets byte i of c.raw to b and reports whether the request still
// verifies, failing t if it does although something signed changed.
func checkFlip(t *testing.T, c signedCase, i int, b byte) bool {
	t.Helper()
	raw := append([]byte(nil), c.raw...)
	if raw[i] == b {
		return false
	}
	raw[i] = b
	r, body, err := parseRawRequest(raw)
	if err != nil {
		return false
	}
	p, err := Verify(r, body, c.opts())
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("non-*Error failure: %v", err)
		}
		return false
	}
	orig, _, _ := parseRawRequest(c.raw)
	op, _ := Parse(orig)
	creq, _ := CanonicalRequest(r, body, p)
	if p.Signature != op.Signature || p.AccessKeyID != testAKID || creq != c.creq || StringToSign(p.AmzDate, p.Scope(), creq) != c.sts {
		t.Fatalf("byte %d set to %q changed what is signed, yet verified:\n%s", i, b, creq)
	}
	return true
}
