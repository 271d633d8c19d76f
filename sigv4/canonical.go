package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm this package accepts.
const Algorithm = "AWS4-HMAC-SHA256"

// UnsignedPayload is the x-amz-content-sha256 value that leaves the body out
// of the signature.
const UnsignedPayload = "UNSIGNED-PAYLOAD"

// emptySHA256 is the hex SHA-256 of an empty body.
const emptySHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

// CanonicalRequest builds the SigV4 canonical request of r for the signed
// headers in p. body is the full request body. The path is normalised and
// double-encoded (the rule for every service but S3); in a presigned request
// X-Amz-Signature is left out of the canonical query.
func CanonicalRequest(r *http.Request, body []byte, p *Parsed) (string, error) {
	if r == nil || p == nil {
		return "", errors.New("sigv4: CanonicalRequest needs a request and its Parsed form")
	}
	rawPath, rawQuery := requestTarget(r)
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalPath(rawPath))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(rawQuery, p.Presigned))
	b.WriteByte('\n')
	for _, name := range p.SignedHeaders {
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(canonicalHeaderValue(r, name))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(p.SignedHeaders, ";"))
	b.WriteByte('\n')
	b.WriteString(payloadHash(r, body))
	return b.String(), nil
}

// StringToSign is the second stage: algorithm, amz-date, scope and the hex
// SHA-256 of the canonical request.
func StringToSign(amzDate time.Time, scope, canonicalRequest string) string {
	sum := sha256.Sum256([]byte(canonicalRequest))
	return Algorithm + "\n" + amzDate.UTC().Format(amzDateFormat) + "\n" + scope + "\n" + hex.EncodeToString(sum[:])
}

// SigningKey derives kSigning from the secret access key and the scope.
func SigningKey(secret, date, region, service string) []byte {
	k := hmacSHA256([]byte("AWS4"+secret), date)
	k = hmacSHA256(k, region)
	k = hmacSHA256(k, service)
	return hmacSHA256(k, "aws4_request")
}

// Signature is the lower-case hex HMAC-SHA256 of stringToSign.
func Signature(signingKey []byte, stringToSign string) string {
	return hex.EncodeToString(hmacSHA256(signingKey, stringToSign))
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}

// payloadHash is x-amz-content-sha256 when the client sent it (it may be
// UNSIGNED-PAYLOAD); otherwise the hash of the body. Verify separately checks
// that a sent hash matches the body.
func payloadHash(r *http.Request, body []byte) string {
	if v, ok := headerValues(r.Header, "x-amz-content-sha256"); ok {
		return strings.TrimSpace(v[0])
	}
	return bodyHash(body)
}

func bodyHash(body []byte) string {
	if len(body) == 0 {
		return emptySHA256
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

// requestTarget returns the path and query exactly as they were on the
// request line. On the server side that is r.RequestURI: it survives
// middleware that rewrites r.URL (http.StripPrefix), and keeps the client's
// own percent-encoding, which the signature covers. Requests built in memory
// have no RequestURI, so r.URL's escaped form stands in.
func requestTarget(r *http.Request) (path, query string) {
	target := r.RequestURI
	if target == "" {
		if r.URL == nil {
			return "/", ""
		}
		path = r.URL.EscapedPath()
		if r.URL.Opaque != "" {
			path = r.URL.Opaque
		}
		return path, r.URL.RawQuery
	}
	// Absolute-form targets (proxies) carry scheme and authority.
	if i := strings.Index(target, "://"); i >= 0 && !strings.HasPrefix(target, "/") {
		rest := target[i+3:]
		if j := strings.IndexAny(rest, "/?"); j >= 0 {
			target = rest[j:]
		} else {
			target = "/"
		}
	}
	path, query, _ = strings.Cut(target, "?")
	return path, query
}

// canonicalPath removes "." and ".." and empty segments, keeps a trailing
// slash (as botocore does), then percent-encodes every byte of the raw path
// outside the unreserved set and "/". Encoding the raw path encodes "%" too:
// that is AWS's double encoding for non-S3 services.
func canonicalPath(raw string) string {
	segs := strings.Split(raw, "/")
	out := make([]string, 0, len(segs))
	for _, s := range segs {
		switch s {
		case "", ".":
		case "..":
			if len(out) > 0 {
				out = out[:len(out)-1]
			}
		default:
			out = append(out, s)
		}
	}
	p := "/" + strings.Join(out, "/")
	if len(out) > 0 && strings.HasSuffix(raw, "/") {
		p += "/"
	}
	return uriEncode(p, true)
}

// canonicalQuery decodes every key and value, re-encodes them with the
// unreserved set, and sorts by key then value after encoding (the SigV4
// rule; the order differs from sorting decoded strings).
func canonicalQuery(raw string, presigned bool) string {
	if raw == "" {
		return ""
	}
	type pair struct{ k, v string }
	var pairs []pair
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k = queryUnescape(k)
		if presigned && k == "X-Amz-Signature" {
			continue
		}
		pairs = append(pairs, pair{uriEncode(k, false), uriEncode(queryUnescape(v), false)})
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i].k != pairs[j].k {
			return pairs[i].k < pairs[j].k
		}
		return pairs[i].v < pairs[j].v
	})
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(p.k)
		b.WriteByte('=')
		b.WriteString(p.v)
	}
	return b.String()
}

// parseQuery splits a raw query into decoded pairs, keeping the first value
// of each key (the AWS front end's rule for the X-Amz-* parameters).
func parseQuery(raw string) map[string]string {
	m := make(map[string]string)
	for _, part := range strings.Split(raw, "&") {
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		k = queryUnescape(k)
		if _, dup := m[k]; !dup {
			m[k] = queryUnescape(v)
		}
	}
	return m
}

// queryUnescape decodes %XX and "+" (a space, as url.ParseQuery and the AWS
// SDKs read it). A malformed escape is kept literally rather than rejected,
// so its "%" is re-encoded and the signature simply fails to match.
func queryUnescape(s string) string {
	if !strings.ContainsAny(s, "%+") {
		return s
	}
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '+':
			b = append(b, ' ')
		case c == '%' && i+2 < len(s) && ishex(s[i+1]) && ishex(s[i+2]):
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return string(b)
}

func ishex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c <= 'F':
		return c - 'A' + 10
	default:
		return c - 'a' + 10
	}
}

// uriEncode percent-encodes (upper-case hex) every byte outside
// A-Z a-z 0-9 - _ . ~, and outside "/" when keepSlash is set.
func uriEncode(s string, keepSlash bool) string {
	const hexdig = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '_' || c == '.' || c == '~' || (keepSlash && c == '/') {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexdig[c>>4])
		b.WriteByte(hexdig[c&15])
	}
	return b.String()
}

// canonicalHeaderValue joins the values of a signed header with ",", in
// arrival order, each trimmed with inner whitespace runs folded to one space.
// net/http stores Host in r.Host and may keep the body length only in
// r.ContentLength, so those two fall back to the request fields.
func canonicalHeaderValue(r *http.Request, name string) string {
	vals, ok := headerValues(r.Header, name)
	if !ok {
		switch name {
		case "host":
			h := r.Host
			if h == "" && r.URL != nil {
				h = r.URL.Host
			}
			vals = []string{h}
		case "content-length":
			if r.ContentLength > 0 {
				vals = []string{strconv.FormatInt(r.ContentLength, 10)}
			}
		}
	}
	var b strings.Builder
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(foldSpace(v))
	}
	return b.String()
}

// headerValues finds a header case-insensitively: a handler-built request may
// carry non-canonical keys. If two spellings coexist their values are taken
// in sorted key order so the result is deterministic.
func headerValues(h http.Header, lowerName string) ([]string, bool) {
	var keys []string
	for k := range h {
		if strings.EqualFold(k, lowerName) {
			keys = append(keys, k)
		}
	}
	switch len(keys) {
	case 0:
		return nil, false
	case 1:
		v := h[keys[0]]
		return v, len(v) > 0
	}
	sort.Strings(keys)
	var out []string
	for _, k := range keys {
		out = append(out, h[k]...)
	}
	return out, len(out) > 0
}

// foldSpace trims and collapses runs of ASCII whitespace (including the line
// breaks of an obs-fold continuation) into one space.
func foldSpace(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f' {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteByte(c)
	}
	return b.String()
}
