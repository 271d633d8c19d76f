package sigv4

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

// conformanceDir holds the official suites (internal/awsdata/conformance/sigv4), seen from this
// package's directory.
const conformanceDir = "../internal/awsdata/conformance/sigv4"

const (
	testAKID   = "AKIDEXAMPLE"
	testSecret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
)

var testTime = time.Date(2015, 8, 30, 12, 36, 0, 0, time.UTC)

// requireConformance fails (never skips) when the suites are absent: the golden
// files are the point of these tests.
func requireConformance(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(conformanceDir); err != nil {
		tb.Fatalf("conformance data missing: %v; the suites are part of the repository (read here as %s)", err, conformanceDir)
	}
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// parseRawRequest reads the suite's request format into what net/http's
// server would produce. The request line is split at its first and last
// space (the target may hold a literal space); continuation lines are joined
// with one space as net/textproto does; Host goes to r.Host; the body is
// everything after the first empty line.
func parseRawRequest(raw []byte) (*http.Request, []byte, error) {
	head, body, _ := bytes.Cut(raw, []byte("\n\n"))
	lines := strings.Split(string(head), "\n")
	first := strings.TrimSuffix(lines[0], "\r")
	i, j := strings.IndexByte(first, ' '), strings.LastIndexByte(first, ' ')
	if i <= 0 || j <= i {
		return nil, nil, fmt.Errorf("bad request line %q", first)
	}
	r := &http.Request{
		Method:        first[:i],
		RequestURI:    first[i+1 : j],
		Proto:         first[j+1:],
		Header:        http.Header{},
		ContentLength: int64(len(body)),
		Body:          io.NopCloser(bytes.NewReader(body)),
	}
	u, err := url.ParseRequestURI(r.RequestURI)
	if err != nil {
		path, query, _ := strings.Cut(r.RequestURI, "?")
		u = &url.URL{Path: path, RawQuery: query}
	}
	r.URL = u
	var lastKey string
	for _, line := range lines[1:] {
		line = strings.TrimSuffix(line, "\r")
		if line == "" {
			continue
		}
		if line[0] == ' ' || line[0] == '\t' {
			if lastKey == "" {
				return nil, nil, fmt.Errorf("continuation without header: %q", line)
			}
			vs := r.Header[lastKey]
			vs[len(vs)-1] += " " + strings.TrimSpace(line)
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || name == "" {
			return nil, nil, fmt.Errorf("bad header line %q", line)
		}
		value = strings.TrimSpace(value)
		if strings.EqualFold(name, "host") {
			if r.Host == "" {
				r.Host = value
			}
			lastKey = ""
			continue
		}
		lastKey = http.CanonicalHeaderKey(name)
		r.Header[lastKey] = append(r.Header[lastKey], value)
	}
	return r, body, nil
}

type v4Context struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Expiration       int       `json:"expiration_in_seconds"`
	Normalize        bool      `json:"normalize"`
	SignBody         bool      `json:"sign_body"`
	Timestamp        time.Time `json:"timestamp"`
	OmitSessionToken bool      `json:"omit_session_token"`
}

func lookupFor(akid, secret, token string) func(string) (Secret, error) {
	return func(id string) (Secret, error) {
		if id != akid {
			return Secret{}, fmt.Errorf("no key %q: %w", id, ErrUnknownKey)
		}
		return Secret{SecretAccessKey: secret, SessionToken: token}, nil
	}
}

// stages runs the exported pipeline stage by stage.
func stages(t *testing.T, r *http.Request, body []byte, secret string) (p *Parsed, creq, sts, sig string) {
	t.Helper()
	p, err := Parse(r)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	creq, err = CanonicalRequest(r, body, p)
	if err != nil {
		t.Fatalf("CanonicalRequest: %v", err)
	}
	sts = StringToSign(p.AmzDate, p.Scope(), creq)
	sig = Signature(SigningKey(secret, p.Date, p.Region, p.Service), sts)
	return p, creq, sts, sig
}

func wantKind(t *testing.T, err error, k Kind) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v, want *Error of kind %v", err, k)
	}
	if e.Kind != k {
		t.Fatalf("got %v (%q), want kind %v", e.Kind, e.Message, k)
	}
	return e
}

// unnormalizedSamePath lists the S3-style cases whose path has nothing to
// normalise, so our (always normalising) canonical path equals theirs.
var unnormalizedSamePath = map[string]bool{"get-space-unnormalized": true}

func TestConformanceV4(t *testing.T) {
	t.Parallel()
	requireConformance(t)
	dirs, err := filepath.Glob(filepath.Join(conformanceDir, "v4", "*"))
	if err != nil || len(dirs) != 38 {
		t.Fatalf("want 38 v4 cases, got %d (%v)", len(dirs), err)
	}
	for _, dir := range dirs {
		name := filepath.Base(dir)
		var ctx v4Context
		if err := json.Unmarshal(readFile(t, filepath.Join(dir, "context.json")), &ctx); err != nil {
			t.Fatal(err)
		}
		for _, mode := range []string{"header", "query"} {
			t.Run(name+"/"+mode, func(t *testing.T) {
				t.Parallel()
				r, body, err := parseRawRequest(readFile(t, filepath.Join(dir, mode+"-signed-request.txt")))
				if err != nil {
					t.Fatal(err)
				}
				wantCreq := string(readFile(t, filepath.Join(dir, mode+"-canonical-request.txt")))
				wantSTS := string(readFile(t, filepath.Join(dir, mode+"-string-to-sign.txt")))
				wantSig := string(readFile(t, filepath.Join(dir, mode+"-signature.txt")))
				c := ctx.Credentials
				_, creq, sts, sig := stages(t, r, body, c.SecretAccessKey)
				opts := Options{Now: ctx.Timestamp, Lookup: lookupFor(c.AccessKeyID, c.SecretAccessKey, c.Token)}
				_, verr := Verify(r, body, opts)

				switch {
				case !ctx.Normalize && !unnormalizedSamePath[name]:
					// S3-style signature over the raw path; IAM, STS and Lambda
					// normalise, so we compute a different canonical path.
					if creq == wantCreq {
						t.Fatalf("canonical request unexpectedly equals the unnormalised one")
					}
					wantKind(t, verr, KindMismatch)
				case ctx.OmitSessionToken:
					// post-sts-header-after: the token was added after signing.
					// AWS SDKs for IAM, STS and Lambda always sign it, so we
					// refuse an unsigned token: in header mode by rule (the rest
					// of the canonical request still matches the golden file),
					// in query mode because the token is part of our canonical
					// query and was not part of the client's.
					if mode == "header" {
						if creq != wantCreq || sig != wantSig {
							t.Fatalf("header-after canonical request differs:\n%s\nwant\n%s", creq, wantCreq)
						}
						e := wantKind(t, verr, KindMismatch)
						if want := "'X-Amz-Security-Token' must be a 'SignedHeader' in the AWS Authorization."; e.Message != want {
							t.Fatalf("message %q, want %q", e.Message, want)
						}
					} else {
						if creq == wantCreq {
							t.Fatal("query-after: canonical request should include the token")
						}
						wantKind(t, verr, KindMismatch)
					}
				default:
					if creq != wantCreq {
						t.Errorf("canonical request:\n%s\nwant\n%s", creq, wantCreq)
					}
					if sts != wantSTS {
						t.Errorf("string to sign:\n%s\nwant\n%s", sts, wantSTS)
					}
					if sig != wantSig {
						t.Errorf("signature %s, want %s", sig, wantSig)
					}
					if verr != nil {
						t.Errorf("Verify: %v", verr)
					}
				}
			})
		}
	}
}

type suiteCase struct {
	name          string
	sreq          []byte // with the Authorization header of .authz
	creq, sts     string
	authz         string
	originalAuthz string // the .sreq's own Authorization value
}

// loadSuite reads aws4_testsuite. The .sreq's Authorization is replaced by
// .authz, the expected value: in get-vanilla-with-session-token the .sreq
// carries get-vanilla's signature (an upstream copy slip).
func loadSuite(tb testing.TB) []suiteCase {
	tb.Helper()
	requireConformance(tb)
	var out []suiteCase
	err := filepath.WalkDir(filepath.Join(conformanceDir, "aws4_testsuite"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".sreq") {
			return err
		}
		base := strings.TrimSuffix(path, ".sreq")
		authz := strings.TrimSpace(string(readFile(tb, base+".authz")))
		sreq := readFile(tb, path)
		var orig string
		lines := strings.Split(string(sreq), "\n")
		for i, l := range lines {
			if v, ok := strings.CutPrefix(l, "Authorization:"); ok {
				orig = strings.TrimSpace(v)
				lines[i] = "Authorization: " + authz
				break
			}
		}
		out = append(out, suiteCase{
			name:          filepath.Base(base),
			sreq:          []byte(strings.Join(lines, "\n")),
			creq:          string(readFile(tb, base+".creq")),
			sts:           string(readFile(tb, base+".sts")),
			authz:         authz,
			originalAuthz: orig,
		})
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	if len(out) != 34 {
		tb.Fatalf("want 34 aws4_testsuite cases, got %d", len(out))
	}
	return out
}

func TestConformanceAWS4TestSuite(t *testing.T) {
	t.Parallel()
	for _, c := range loadSuite(t) {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r, body, err := parseRawRequest(c.sreq)
			if err != nil {
				t.Fatal(err)
			}
			token := ""
			if v := r.Header.Get("X-Amz-Security-Token"); v != "" {
				token = v
			}
			p, creq, sts, sig := stages(t, r, body, testSecret)
			opts := Options{Now: testTime, Lookup: lookupFor(testAKID, testSecret, token)}
			_, verr := Verify(r, body, opts)
			if creq != c.creq {
				t.Errorf("canonical request:\n%s\nwant\n%s", creq, c.creq)
			}
			if sts != c.sts {
				t.Errorf("string to sign:\n%s\nwant\n%s", sts, c.sts)
			}
			if !strings.HasSuffix(c.authz, "Signature="+sig) || p.Signature != sig {
				t.Errorf("signature %s, want the one in %q", sig, c.authz)
			}
			if c.name == "post-sts-header-after" {
				// Unsigned token: refused, see TestConformanceV4.
				wantKind(t, verr, KindMismatch)
				return
			}
			if verr != nil {
				t.Fatalf("Verify: %v", verr)
			}
			if c.originalAuthz != c.authz {
				// The .sreq's own (wrong) signature must not verify.
				r.Header.Set("Authorization", c.originalAuthz)
				_, err := Verify(r, body, opts)
				wantKind(t, err, KindMismatch)
			}
		})
	}
}
