package sigv4

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"
)

// maxExpires is the longest X-Amz-Expires AWS accepts: seven days.
const maxExpires = 604800

// Parsed is what can be read from a request without verifying it. The
// server uses it to route (IAM and STS share POST /, so the scope's service
// decides) and to pick the protocol of an error response.
type Parsed struct {
	AccessKeyID string
	Date        string // yyyymmdd, from the credential scope
	Region      string
	Service     string
	// Credential is the raw credential: keyid/date/region/service/terminator.
	Credential    string
	AmzDate       time.Time // X-Amz-Date (or the Date header), UTC
	SignedHeaders []string  // lower-case, sorted
	Signature     string
	Presigned     bool          // query-string (presigned URL) form
	Expires       time.Duration // X-Amz-Expires; 0 when absent
	SessionToken  string        // X-Amz-Security-Token, header or query

	expiresSet bool // X-Amz-Expires was present
	both       bool // Authorization header and presign query together
}

// Scope is the credential scope that enters the string to sign:
// date/region/service/terminator.
func (p *Parsed) Scope() string {
	_, scope, _ := strings.Cut(p.Credential, "/")
	return scope
}

// Parse reads the SigV4 authentication parameters of r, from the
// Authorization header or, failing that, from a presigned query string. It
// checks syntax only. Errors are *Error of KindMissingAuthentication or
// KindIncomplete.
func Parse(r *http.Request) (*Parsed, error) {
	if r == nil {
		return nil, newError(KindMissingAuthentication, msgMissingAuth)
	}
	_, rawQuery := requestTarget(r)
	q := parseQuery(rawQuery)
	_, hasAlg := q["X-Amz-Algorithm"]
	_, hasSig := q["X-Amz-Signature"]
	presign := hasAlg || hasSig
	if auth, ok := headerValues(r.Header, "authorization"); ok {
		// The first Authorization header counts, as on the AWS front end.
		p, err := parseHeaderForm(r, auth[0])
		if p != nil {
			p.both = presign
		}
		return p, err
	}
	if presign {
		return parseQueryForm(q)
	}
	return nil, newError(KindMissingAuthentication, msgMissingAuth)
}

// parseHeaderForm follows the AWS front end: every token after the scheme
// must be key=value, then every required parameter must be present, and only
// then is the scheme checked. Real captures confirm the first two steps come
// first even for foreign schemes: "Basic user:pw" and "Bearer <jwt>" (and a
// value starting "Authorization: AWS4-...") are answered with "not a valid
// key=value pair" (amzn/selling-partner-api-models#1432 and API Gateway
// reports). Tokens are split on commas and blanks: a blank inside a
// credential yields the same error (iann0036/cloud9-sync#10, Hadoop s3a docs).
func parseHeaderForm(r *http.Request, header string) (*Parsed, error) {
	alg, rest := strings.TrimLeft(header, " \t"), ""
	if i := strings.IndexAny(alg, " \t"); i >= 0 {
		alg, rest = alg[:i], alg[i+1:]
	}
	params := make(map[string]string)
	for _, tok := range strings.FieldsFunc(rest, func(c rune) bool { return c == ',' || c == ' ' || c == '\t' }) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			return nil, newError(KindIncomplete, msgNotKeyValue, tok, header)
		}
		params[k] = v // the last value of a repeated key wins
	}
	var missing []string
	cred, hasCred := params["Credential"]
	if !hasCred {
		missing = append(missing, msgReqCredential)
	}
	sig, hasSig := params["Signature"]
	if !hasSig {
		missing = append(missing, msgReqSignature)
	}
	signed, hasSigned := params["SignedHeaders"]
	if !hasSigned {
		missing = append(missing, msgReqSignedHeaders)
	}
	date, httpDate := "", false
	if v, ok := headerValues(r.Header, "x-amz-date"); ok {
		date = v[0]
	} else if v, ok := headerValues(r.Header, "date"); ok {
		date, httpDate = v[0], true
	} else {
		missing = append(missing, msgReqDate)
	}
	if len(missing) > 0 {
		return nil, &Error{Kind: KindIncomplete, Message: strings.Join(missing, " ") + " Authorization=" + header}
	}
	if alg != Algorithm {
		return nil, newError(KindIncomplete, msgUnsupportedAlg, alg)
	}
	p := &Parsed{Signature: sig, SignedHeaders: splitSignedHeaders(signed)}
	if err := p.setDate(date, httpDate); err != nil {
		return nil, err
	}
	if err := p.setCredential(cred); err != nil {
		return nil, err
	}
	if v, ok := headerValues(r.Header, "x-amz-security-token"); ok {
		p.SessionToken = strings.TrimSpace(v[0])
	}
	return p, nil
}

// parseQueryForm reads a presigned URL. A foreign X-Amz-Algorithm means the
// request is not SigV4 at all, which the AWS front end answers with
// MissingAuthenticationToken (scratchstack-aws-signature rule 7a).
func parseQueryForm(q map[string]string) (*Parsed, error) {
	alg, hasAlg := q["X-Amz-Algorithm"]
	if hasAlg && alg != Algorithm {
		return nil, newError(KindMissingAuthentication, msgMissingAuth)
	}
	var missing []string
	for _, k := range []string{"X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature", "X-Amz-SignedHeaders", "X-Amz-Date"} {
		if _, ok := q[k]; !ok {
			missing = append(missing, strings.Replace(msgQueryMust, "%s", k, 1))
		}
	}
	if len(missing) > 0 {
		return nil, &Error{Kind: KindIncomplete, Message: strings.Join(missing, " ") + " " + msgReexamine}
	}
	p := &Parsed{
		Presigned:     true,
		Signature:     q["X-Amz-Signature"],
		SignedHeaders: splitSignedHeaders(q["X-Amz-SignedHeaders"]),
		SessionToken:  q["X-Amz-Security-Token"],
	}
	if v, ok := q["X-Amz-Expires"]; ok {
		n, err := strconv.ParseInt(v, 10, 64)
		switch {
		case err != nil:
			return nil, newError(KindIncomplete, msgExpiresNumber)
		case n < 0:
			return nil, newError(KindIncomplete, msgExpiresNegative)
		case n > maxExpires:
			return nil, newError(KindIncomplete, msgExpiresWeek)
		}
		p.Expires, p.expiresSet = time.Duration(n)*time.Second, true
	}
	if err := p.setDate(q["X-Amz-Date"], false); err != nil {
		return nil, err
	}
	if err := p.setCredential(q["X-Amz-Credential"]); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *Parsed) setCredential(cred string) error {
	parts := strings.Split(cred, "/")
	if len(parts) != 5 {
		return newError(KindIncomplete, msgCredentialFive, cred)
	}
	p.Credential = cred
	p.AccessKeyID, p.Date, p.Region, p.Service = parts[0], parts[1], parts[2], parts[3]
	return nil
}

// setDate accepts ISO 8601 basic format; a Date header may also use the
// HTTP date formats. The string to sign always uses the basic format.
func (p *Parsed) setDate(s string, httpDate bool) error {
	s = strings.TrimSpace(s)
	if t, ok := parseAmzDate(s); ok {
		p.AmzDate = t
		return nil
	}
	if httpDate {
		if t, err := http.ParseTime(s); err == nil {
			p.AmzDate = t.UTC()
			return nil
		}
	}
	return newError(KindIncomplete, msgBadDate, s)
}

// parseAmzDate insists on the exact yyyymmddThhmmssZ shape; time.Parse alone
// would accept one-digit hours.
func parseAmzDate(s string) (time.Time, bool) {
	if len(s) != len(amzDateFormat) || s[8] != 'T' || s[15] != 'Z' {
		return time.Time{}, false
	}
	for i := 0; i < 15; i++ {
		if i != 8 && (s[i] < '0' || s[i] > '9') {
			return time.Time{}, false
		}
	}
	t, err := time.Parse(amzDateFormat, s)
	return t.UTC(), err == nil
}

func splitSignedHeaders(s string) []string {
	var out []string
	for _, h := range strings.Split(s, ";") {
		if h = strings.ToLower(strings.TrimSpace(h)); h != "" {
			out = append(out, h)
		}
	}
	sort.Strings(out)
	return out
}

func hasHeader(signed []string, name string) bool {
	i := sort.SearchStrings(signed, name)
	return i < len(signed) && signed[i] == name
}
