package sigv4

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
)

// signedCase is one request of the suites that verifies as it is.
type signedCase struct {
	name  string
	raw   []byte
	token string
	creq  string // golden canonical request
	sts   string // golden string to sign
}

func (c signedCase) opts() Options {
	return Options{Now: testTime, Lookup: lookupFor(testAKID, testSecret, c.token)}
}

// loadSignedCases gathers every request that must verify unchanged: the
// normalised v4 cases in both modes, and aws4_testsuite with .authz.
func loadSignedCases(tb testing.TB) []signedCase {
	tb.Helper()
	requireConformance(tb)
	dirs, _ := filepath.Glob(filepath.Join(conformanceDir, "v4", "*"))
	var out []signedCase
	for _, dir := range dirs {
		var ctx v4Context
		if err := json.Unmarshal(readFile(tb, filepath.Join(dir, "context.json")), &ctx); err != nil {
			tb.Fatal(err)
		}
		if !ctx.Normalize || ctx.OmitSessionToken {
			continue
		}
		for _, mode := range []string{"header", "query"} {
			out = append(out, signedCase{
				name:  "v4/" + filepath.Base(dir) + "/" + mode,
				raw:   readFile(tb, filepath.Join(dir, mode+"-signed-request.txt")),
				token: ctx.Credentials.Token,
				creq:  string(readFile(tb, filepath.Join(dir, mode+"-canonical-request.txt"))),
				sts:   string(readFile(tb, filepath.Join(dir, mode+"-string-to-sign.txt"))),
			})
		}
	}
	for _, c := range loadSuite(tb) {
		if c.name == "post-sts-header-after" {
			continue
		}
		sc := signedCase{name: "aws4/" + c.name, raw: c.sreq, creq: c.creq, sts: c.sts}
		for _, l := range strings.Split(string(c.sreq), "\n") {
			if v, ok := strings.CutPrefix(l, "X-Amz-Security-Token:"); ok {
				sc.token = v
			}
		}
		out = append(out, sc)
	}
	return out
}

func flipHex(s string, i int) string {
	b := []byte(s)
	if b[i] == '0' {
		b[i] = '1'
	} else {
		b[i] = '0'
	}
	return string(b)
}

// flipByte changes one byte of s to another byte of the same class (letter,
// digit or other), so the value stays well-formed but different.
func flipByte(s string, i int) string {
	b := []byte(s)
	switch c := b[i]; {
	case c >= '0' && c <= '8', c >= 'a' && c <= 'y', c >= 'A' && c <= 'Y':
		b[i] = c + 1
	case c == '9':
		b[i] = '0'
	case c == 'z' || c == 'Z':
		b[i] = c - 1
	default:
		b[i] = 'x'
	}
	return string(b)
}

// TestOneByteMutations flips one signed byte at a time and expects
// SignatureDoesNotMatch: a hex digit of the signature, a byte of each signed
// header value, a byte of the body.
func TestOneByteMutations(t *testing.T) {
	t.Parallel()
	for _, c := range loadSignedCases(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			fresh := func() (*http.Request, []byte) {
				r, body, err := parseRawRequest(c.raw)
				if err != nil {
					t.Fatal(err)
				}
				return r, body
			}
			r, body := fresh()
			p, err := Verify(r, body, c.opts())
			if err != nil {
				t.Fatalf("unmutated request: %v", err)
			}

			for _, i := range []int{0, len(p.Signature) / 2, len(p.Signature) - 1} {
				r, body := fresh()
				bad := flipHex(p.Signature, i)
				if p.Presigned {
					r.RequestURI = strings.Replace(r.RequestURI, "X-Amz-Signature="+p.Signature, "X-Amz-Signature="+bad, 1)
				} else {
					r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), p.Signature, bad, 1))
				}
				_, err := Verify(r, body, c.opts())
				wantKind(t, err, KindMismatch)
			}

			for _, name := range p.SignedHeaders {
				r, body := fresh()
				want := KindMismatch
				switch name {
				case "host":
					r.Host = flipByte(r.Host, len(r.Host)-1)
					_, err := Verify(r, body, c.opts())
					wantKind(t, err, want)
					continue
				case "x-amz-security-token":
					want = KindInvalidToken // checked before the signature
				}
				vals := r.Header[http.CanonicalHeaderKey(name)]
				if len(vals) == 0 {
					t.Fatalf("signed header %s not in request", name)
				}
				v := vals[len(vals)-1]
				i := len(v) - 1
				if name == "x-amz-date" {
					i = len(v) - 2 // a seconds digit; the trailing Z keeps the format
				}
				vals[len(vals)-1] = flipByte(v, i)
				_, err := Verify(r, body, c.opts())
				wantKind(t, err, want)
			}

			if len(body) > 0 {
				for _, i := range []int{0, len(body) - 1} {
					r, body := fresh()
					mutated := []byte(flipByte(string(body), i))
					_, err := Verify(r, mutated, c.opts())
					wantKind(t, err, KindMismatch)
				}
			}
		})
	}
}
