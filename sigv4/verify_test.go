package sigv4

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// newReq builds a server-side style request for target on example.amazonaws.com.
func newReq(method, target string, headers map[string]string) *http.Request {
	path, query, _ := strings.Cut(target, "?")
	r := &http.Request{
		Method:     method,
		RequestURI: target,
		URL:        &url.URL{Path: path, RawQuery: query},
		Host:       "example.amazonaws.com",
		Header:     http.Header{},
	}
	for k, v := range headers {
		r.Header.Set(k, v)
	}
	return r
}

// signWith completes an Authorization header whose Signature is a
// placeholder, using the exported stages (golden-tested elsewhere).
func signWith(t *testing.T, r *http.Request, body []byte, secret string) {
	t.Helper()
	p, err := Parse(r)
	if err != nil {
		t.Fatal(err)
	}
	creq, _ := CanonicalRequest(r, body, p)
	sig := Signature(SigningKey(secret, p.Date, p.Region, p.Service), StringToSign(p.AmzDate, p.Scope(), creq))
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "Signature="+p.Signature, "Signature="+sig, 1))
}

func authz(cred, signed string) string {
	return "AWS4-HMAC-SHA256 Credential=" + cred + ", SignedHeaders=" + signed + ", Signature=00"
}

const testCred = testAKID + "/20150830/us-east-1/service/aws4_request"

// vanilla is get-vanilla, signed by us, with optional extra headers.
func vanilla(t *testing.T, extra map[string]string, signed string) *http.Request {
	h := map[string]string{"X-Amz-Date": "20150830T123600Z", "Authorization": authz(testCred, signed)}
	for k, v := range extra {
		h[k] = v
	}
	r := newReq("GET", "/", h)
	signWith(t, r, nil, testSecret)
	return r
}

func TestSkew(t *testing.T) {
	t.Parallel()
	r := vanilla(t, nil, "host;x-amz-date")
	cases := []struct {
		name string
		now  time.Time
		skew time.Duration
		msg  string // empty: verifies
	}{
		{"at signing time", testTime, 0, ""},
		{"15m later", testTime.Add(15 * time.Minute), 0, ""},
		{"15m earlier", testTime.Add(-15 * time.Minute), 0, ""},
		{"past", testTime.Add(15*time.Minute + time.Second), 0,
			"Signature expired: 20150830T123600Z is now earlier than 20150830T123601Z (20150830T125101Z - 15 min.)"},
		{"future", testTime.Add(-16 * time.Minute), 0,
			"Signature not yet current: 20150830T123600Z is still later than 20150830T123500Z (20150830T122000Z + 15 min.)"},
		{"lambda past", testTime.Add(6 * time.Minute), 5 * time.Minute,
			"Signature expired: 20150830T123600Z is now earlier than 20150830T123700Z (20150830T124200Z - 5 min.)"},
		{"lambda within", testTime.Add(5 * time.Minute), 5 * time.Minute, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Verify(r, nil, Options{Now: c.now, MaxSkew: c.skew, Lookup: lookupFor(testAKID, testSecret, "")})
			if c.msg == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if e := wantKind(t, err, KindSkew); e.Message != c.msg {
				t.Fatalf("message\n%q\nwant\n%q", e.Message, c.msg)
			}
		})
	}
}

// TestSkewMessageCapture replays the timestamps of a real STS answer
// (devsecops/bootcamp#101).
func TestSkewMessageCapture(t *testing.T) {
	t.Parallel()
	amz := time.Date(2016, 6, 9, 18, 45, 12, 0, time.UTC)
	now := time.Date(2016, 6, 10, 1, 45, 8, 0, time.UTC)
	want := "Signature expired: 20160609T184512Z is now earlier than 20160610T013008Z (20160610T014508Z - 15 min.)"
	if got := skewError(amz, now, 15*time.Minute).Message; got != want {
		t.Fatalf("%q\nwant %q", got, want)
	}
}

// presigned is get-vanilla's query variant (X-Amz-Expires=3600).
func presigned(t *testing.T) (*http.Request, []byte) {
	t.Helper()
	requireConformance(t)
	r, body, err := parseRawRequest(readFile(t, conformanceDir+"/v4/get-vanilla/query-signed-request.txt"))
	if err != nil {
		t.Fatal(err)
	}
	return r, body
}

func TestPresignExpiry(t *testing.T) {
	t.Parallel()
	r, body := presigned(t)
	cases := []struct {
		name string
		now  time.Time
		kind Kind // 0: verifies
	}{
		{"signing time", testTime, 0},
		{"last second", testTime.Add(time.Hour), 0},
		{"expired", testTime.Add(time.Hour + time.Second), KindPresignExpired},
		{"dated in the future", testTime.Add(-16 * time.Minute), KindSkew},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Verify(r, body, Options{Now: c.now, Lookup: lookupFor(testAKID, testSecret, "")})
			if c.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := wantKind(t, err, c.kind)
			if c.kind == KindPresignExpired && e.Message != "Request has expired." {
				t.Fatalf("message %q", e.Message)
			}
		})
	}
}

func TestPresignExpiresParam(t *testing.T) {
	t.Parallel()
	base := "/?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20150830%2Fus-east-1%2Fservice%2Faws4_request" +
		"&X-Amz-Date=20150830T123600Z&X-Amz-SignedHeaders=host&X-Amz-Signature=00"
	cases := []struct{ expires, msg string }{
		{"abc", "X-Amz-Expires should be a number"},
		{"-1", "X-Amz-Expires must be non-negative"},
		{"604801", "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires must be less than 604800 seconds"},
	}
	for _, c := range cases {
		_, err := Parse(newReq("GET", base+"&X-Amz-Expires="+c.expires, nil))
		if e := wantKind(t, err, KindIncomplete); e.Message != c.msg {
			t.Errorf("%s: %q", c.expires, e.Message)
		}
	}
	p, err := Parse(newReq("GET", base+"&X-Amz-Expires=604800", nil))
	if err != nil || p.Expires != 7*24*time.Hour || !p.Presigned {
		t.Fatalf("604800: %+v %v", p, err)
	}
	// Without X-Amz-Expires the URL lives for the skew window, as on non-S3 services.
	p, err = Parse(newReq("GET", base, nil))
	if err != nil {
		t.Fatal(err)
	}
	if checkTime(p, testTime.Add(15*time.Minute), DefaultMaxSkew) != nil {
		t.Fatal("should be valid within the skew window")
	}
	wantKind(t, checkTime(p, testTime.Add(15*time.Minute+time.Second), DefaultMaxSkew), KindPresignExpired)
}

func TestSessionTokens(t *testing.T) {
	t.Parallel()
	const tok = "6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267"
	withTok := vanilla(t, map[string]string{"X-Amz-Security-Token": tok}, "host;x-amz-date;x-amz-security-token")
	noTok := vanilla(t, nil, "host;x-amz-date")
	badSig := vanilla(t, map[string]string{"X-Amz-Security-Token": tok}, "host;x-amz-date;x-amz-security-token")
	badSig.Header.Set("Authorization", strings.Replace(badSig.Header.Get("Authorization"), "Signature=", "Signature=ff", 1))
	temp := func(token string, exp time.Time) func(string) (Secret, error) {
		return func(string) (Secret, error) {
			return Secret{SecretAccessKey: testSecret, SessionToken: token, Expiration: exp}, nil
		}
	}
	cases := []struct {
		name   string
		r      *http.Request
		lookup func(string) (Secret, error)
		kind   Kind
	}{
		{"temporary key, right token", withTok, temp(tok, testTime.Add(time.Hour)), 0},
		{"temporary key, no expiry", withTok, temp(tok, time.Time{}), 0},
		{"temporary key, wrong token", withTok, temp(tok+"x", time.Time{}), KindInvalidToken},
		{"temporary key, no token sent", noTok, temp(tok, time.Time{}), KindInvalidToken},
		{"long-term key with a token", withTok, temp("", time.Time{}), KindInvalidToken},
		{"expired", withTok, temp(tok, testTime.Add(-time.Second)), KindExpiredToken},
		// Token problems come before the signature check.
		{"expired and bad signature", badSig, temp(tok, testTime.Add(-time.Second)), KindExpiredToken},
		{"wrong token and bad signature", badSig, temp("other", time.Time{}), KindInvalidToken},
		{"good token, bad signature", badSig, temp(tok, time.Time{}), KindMismatch},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, err := Verify(c.r, nil, Options{Now: testTime, Lookup: c.lookup})
			if c.kind == 0 {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			e := wantKind(t, err, c.kind)
			want := map[Kind]string{
				KindInvalidToken: "The security token included in the request is invalid.",
				KindExpiredToken: "The security token included in the request is expired",
				KindMismatch:     msgMismatch,
			}[c.kind]
			if e.Message != want {
				t.Fatalf("message %q, want %q", e.Message, want)
			}
		})
	}
}

func TestLookup(t *testing.T) {
	t.Parallel()
	r := vanilla(t, nil, "host;x-amz-date")
	_, err := Verify(r, nil, Options{Now: testTime, Lookup: lookupFor("AKIDOTHER", testSecret, "")})
	if e := wantKind(t, err, KindUnknownKey); e.Message != "The security token included in the request is invalid." {
		t.Fatal(e.Message)
	}
	_, err = Verify(r, nil, Options{Now: testTime})
	wantKind(t, err, KindUnknownKey)

	storeDown := errors.New("store down")
	p, err := Verify(r, nil, Options{Now: testTime, Lookup: func(string) (Secret, error) { return Secret{}, storeDown }})
	var e *Error
	if !errors.Is(err, storeDown) || errors.As(err, &e) {
		t.Fatalf("a lookup failure must pass through, not be an auth error: %v", err)
	}
	if p == nil || p.AccessKeyID != testAKID {
		t.Fatalf("Parsed should come back with the error: %+v", p)
	}
	// A wrong secret is a mismatch.
	_, err = Verify(r, nil, Options{Now: testTime, Lookup: lookupFor(testAKID, "nope", "")})
	wantKind(t, err, KindMismatch)
}

func TestMissingAuthentication(t *testing.T) {
	t.Parallel()
	for _, target := range []string{
		"/",
		"/?Action=GetCallerIdentity&Version=2011-06-15",
		// A foreign presign algorithm is not SigV4 at all.
		"/?X-Amz-Algorithm=AWS4-ECDSA-P256-SHA256&X-Amz-Credential=a&X-Amz-Signature=b",
	} {
		_, err := Verify(newReq("GET", target, map[string]string{"X-Amz-Date": "20150830T123600Z"}), nil, Options{Now: testTime})
		if e := wantKind(t, err, KindMissingAuthentication); e.Message != "Request is missing Authentication Token" {
			t.Errorf("%s: %q", target, e.Message)
		}
	}
	if _, err := Parse(nil); err == nil {
		t.Fatal("Parse(nil) must fail")
	}
}

func TestMalformed(t *testing.T) {
	t.Parallel()
	const date = "20150830T123600Z"
	full := func(cred string) string { return authz(cred, "host;x-amz-date") }
	cases := []struct {
		name, auth, xAmzDate, target string
		kind                         Kind
		msg                          string
	}{
		{"only credential", "AWS4-HMAC-SHA256 Credential=ABCDEF", date, "/", KindIncomplete,
			"Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization=AWS4-HMAC-SHA256 Credential=ABCDEF"},
		{"bare algorithm, no date", "AWS4-HMAC-SHA256", "", "/", KindIncomplete,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=AWS4-HMAC-SHA256"},
		{"empty header", "", "", "/", KindIncomplete,
			"Authorization header requires 'Credential' parameter. Authorization header requires 'Signature' parameter. Authorization header requires 'SignedHeaders' parameter. Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization="},
		{"blank inside credential",
			"AWS4-HMAC-SHA256 Credential=AKIA X/20200128/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab", date, "/", KindIncomplete,
			"'X/20200128/us-east-1/sts/aws4_request' not a valid key=value pair (missing equal-sign) in Authorization header: 'AWS4-HMAC-SHA256 Credential=AKIA X/20200128/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=ab'."},
		{"bearer token", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln", date, "/", KindIncomplete,
			"'eyJhbGciOiJIUzI1NiJ9.e30.c2ln' not a valid key=value pair (missing equal-sign) in Authorization header: 'Bearer eyJhbGciOiJIUzI1NiJ9.e30.c2ln'."},
		{"unsupported algorithm", "AWS4-HMAC-SHA512 Credential=" + testCred + ", SignedHeaders=host, Signature=ab", date, "/", KindIncomplete,
			"Unsupported AWS 'algorithm': 'AWS4-HMAC-SHA512'."},
		{"bad date", full(testCred), "2015/08/30T12/36/00Z", "/", KindIncomplete,
			"Date must be in ISO-8601 'basic format'. Got '2015/08/30T12/36/00Z'. See http://en.wikipedia.org/wiki/ISO_8601"},
		{"short credential", full("AKIDEXAMPLE/20150830/us-east-1"), date, "/", KindIncomplete,
			"Credential must have exactly 5 slash-delimited elements, e.g. keyid/date/region/service/term, got 'AKIDEXAMPLE/20150830/us-east-1'"},
		{"bad terminator", full("AKIDEXAMPLE/20150830/us-east-1/service/aws5_request"), date, "/", KindMismatch,
			"Credential should be scoped with a valid terminator: 'aws4_request', not 'aws5_request'."},
		{"scope date", full("AKIDEXAMPLE/20150831/us-east-1/service/aws4_request"), date, "/", KindMismatch,
			"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '20150831' != '20150830', from '20150830T123600Z'."},
		{"host unsigned", authz(testCred, "x-amz-date"), date, "/", KindMismatch,
			"'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization."},
		{"header and query", full(testCred), date, "/?X-Amz-Signature=ab", KindMismatch, msgMismatch},
		{"query params missing", "", "", "/?X-Amz-Signature=ab", KindIncomplete,
			"AWS query-string parameters must include 'X-Amz-Algorithm'. AWS query-string parameters must include 'X-Amz-Credential'. " +
				"AWS query-string parameters must include 'X-Amz-SignedHeaders'. AWS query-string parameters must include 'X-Amz-Date'. Re-examine the query-string parameters."},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := newReq("GET", c.target, nil)
			if c.xAmzDate != "" {
				r.Header.Set("X-Amz-Date", c.xAmzDate)
			}
			if c.auth != "" || !strings.Contains(c.target, "X-Amz") {
				r.Header["Authorization"] = []string{c.auth}
			}
			_, err := Verify(r, nil, Options{Now: testTime, Lookup: lookupFor(testAKID, testSecret, "")})
			if e := wantKind(t, err, c.kind); e.Message != c.msg {
				t.Fatalf("message\n%q\nwant\n%q", e.Message, c.msg)
			}
		})
	}
}

func TestScopeOptions(t *testing.T) {
	t.Parallel()
	r := vanilla(t, nil, "host;x-amz-date")
	ok := Options{Now: testTime, Lookup: lookupFor(testAKID, testSecret, ""), Region: "us-east-1", Service: "service"}
	if _, err := Verify(r, nil, ok); err != nil {
		t.Fatal(err)
	}
	bad := ok
	bad.Region, bad.Service = "eu-west-1", "sts"
	_, err := Verify(r, nil, bad)
	want := "Credential should be scoped to a valid region, not 'us-east-1'. Credential should be scoped to correct service: 'sts'."
	if e := wantKind(t, err, KindMismatch); e.Message != want {
		t.Fatalf("%q", e.Message)
	}
}

func TestDateHeader(t *testing.T) {
	t.Parallel()
	r := newReq("GET", "/", map[string]string{
		"Date":          "Sun, 30 Aug 2015 12:36:00 GMT",
		"Authorization": authz(testCred, "date;host"),
	})
	signWith(t, r, nil, testSecret)
	p, err := Verify(r, nil, Options{Now: testTime, Lookup: lookupFor(testAKID, testSecret, "")})
	if err != nil {
		t.Fatal(err)
	}
	if !p.AmzDate.Equal(testTime) {
		t.Fatalf("AmzDate %v", p.AmzDate)
	}
}

func TestPayloadHashHeader(t *testing.T) {
	t.Parallel()
	body := []byte("Action=GetUser&Version=2010-05-08")
	post := func(hash string) *http.Request {
		r := newReq("POST", "/", map[string]string{
			"X-Amz-Date":           "20150830T123600Z",
			"X-Amz-Content-Sha256": hash,
			"Authorization":        authz(testCred, "host;x-amz-content-sha256;x-amz-date"),
		})
		signWith(t, r, body, testSecret)
		return r
	}
	opts := Options{Now: testTime, Lookup: lookupFor(testAKID, testSecret, "")}
	r := post(UnsignedPayload)
	if _, err := Verify(r, []byte("Action=DeleteUser"), opts); err != nil {
		t.Fatalf("UNSIGNED-PAYLOAD leaves the body out: %v", err)
	}
	r = post(bodyHash(body))
	if _, err := Verify(r, body, opts); err != nil {
		t.Fatal(err)
	}
	_, err := Verify(r, []byte("Action=DeleteUser"), opts)
	wantKind(t, err, KindMismatch)
}

func TestCanonicalEdges(t *testing.T) {
	t.Parallel()
	if _, err := CanonicalRequest(nil, nil, nil); err == nil {
		t.Fatal("nil request must fail")
	}
	for raw, want := range map[string]string{
		"":                      "/",
		"/a/b/../c/./d//":       "/a/c/d/",
		"/../..":                "/",
		"/functions/my%3Afn":    "/functions/my%253Afn",
		"/example space/ሴ":      "/example%20space/%E1%88%B4",
		"/a/b/..":               "/a",
		"/-._~AZaz09/$delete":   "/-._~AZaz09/%24delete",
		"/%2e%2e/x":             "/%252e%252e/x",
		"/trailing/":            "/trailing/",
		"relative/path":         "/relative/path",
		"/a//b///":              "/a/b/",
		"/2015-03-31/functions": "/2015-03-31/functions",
	} {
		if got := canonicalPath(raw); got != want {
			t.Errorf("canonicalPath(%q) = %q, want %q", raw, got, want)
		}
	}
	for raw, want := range map[string]string{
		"b=2&a=1&a=0":      "a=0&a=1&b=2",
		"a+b=c+d":          "a%20b=c%20d",
		"k=%zz&x=%4":       "k=%25zz&x=%254",
		"&&flag&":          "flag=",
		"p=a/b&p=a-b":      "p=a%2Fb&p=a-b", // sorted after encoding
		"%E1%88%B4=v&Z=1":  "%E1%88%B4=v&Z=1",
		"X-Amz-Signature=": "X-Amz-Signature=",
	} {
		if got := canonicalQuery(raw, false); got != want {
			t.Errorf("canonicalQuery(%q) = %q, want %q", raw, got, want)
		}
	}
	if got := canonicalQuery("X-Amz-Signature=ab&a=1", true); got != "a=1" {
		t.Errorf("presigned query keeps the signature: %q", got)
	}
}

func TestRequestTarget(t *testing.T) {
	t.Parallel()
	cases := []struct {
		r           *http.Request
		path, query string
	}{
		{&http.Request{RequestURI: "http://example.amazonaws.com/a?b=c"}, "/a", "b=c"},
		{&http.Request{RequestURI: "https://example.amazonaws.com"}, "/", ""},
		{&http.Request{RequestURI: "/x%3Ay?q"}, "/x%3Ay", "q"},
		{&http.Request{URL: &url.URL{Path: "/x:y", RawPath: "/x%3Ay", RawQuery: "q=1"}}, "/x%3Ay", "q=1"},
		{&http.Request{URL: &url.URL{Opaque: "/opaque"}}, "/opaque", ""},
		{&http.Request{}, "/", ""},
	}
	for _, c := range cases {
		if p, q := requestTarget(c.r); p != c.path || q != c.query {
			t.Errorf("requestTarget(%q, %v) = %q, %q", c.r.RequestURI, c.r.URL, p, q)
		}
	}
}

func TestHeaderValues(t *testing.T) {
	t.Parallel()
	r := &http.Request{Header: http.Header{
		"my-header":      {"b  c"},
		"My-Header":      {" a ", "\td\n e "},
		"Content-Length": {},
	}}
	if got := canonicalHeaderValue(r, "my-header"); got != "a,d e,b c" {
		t.Errorf("got %q", got)
	}
	if _, ok := headerValues(r.Header, "content-length"); ok {
		t.Error("an empty value list is no header")
	}
	r.ContentLength = 12
	if got := canonicalHeaderValue(r, "content-length"); got != "12" {
		t.Errorf("content-length fallback %q", got)
	}
	r.URL = &url.URL{Host: "iam.amazonaws.com"}
	if got := canonicalHeaderValue(r, "host"); got != "iam.amazonaws.com" {
		t.Errorf("host fallback %q", got)
	}
}

func TestErrorStrings(t *testing.T) {
	t.Parallel()
	e := &Error{Kind: KindSkew, Message: "m"}
	if e.Error() != "sigv4: Skew: m" {
		t.Error(e.Error())
	}
	for k := KindMissingAuthentication; k <= KindInvalidToken; k++ {
		if strings.HasPrefix(k.String(), "Kind(") {
			t.Errorf("%d has no name", k)
		}
	}
	if Kind(0).String() != "Kind(0)" || Kind(99).String() != "Kind(99)" {
		t.Error("unknown kinds")
	}
}
