package lambda

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/emulator/reqctx"
)

// URLRequest is an HTTP request to a function URL as the event is built from it.
type URLRequest struct {
	Method   string
	RawPath  string // the path below the URL, escaped as sent: "/" at least
	RawQuery string
	Protocol string // HTTP/1.1
	Host     string // the Host header
	// DomainName is the URL's domain as the function sees it: the host of a host-form
	// request, AWS's <url-id>.lambda-url.<region>.on.aws for the path form.
	DomainName string
	Header     http.Header
	Body       []byte
	SourceIP   string
	Secure     bool
	RequestID  string
	Time       time.Time
	// Caller is who signed a request to an AWS_IAM URL; nil for a NONE URL, whose requests
	// Lambda does not authenticate.
	Caller *reqctx.Caller
}

// The request payload, format version 2.0, as "Invoking Lambda function URLs" ("Request
// payload format") lists it, in its order. Members the page says Lambda sets to null are
// null; cookies, queryStringParameters and body are left out when the request has none, as
// Lambda leaves them out.
type urlEvent struct {
	Version               string            `json:"version"`
	RouteKey              string            `json:"routeKey"`
	RawPath               string            `json:"rawPath"`
	RawQueryString        string            `json:"rawQueryString"`
	Cookies               []string          `json:"cookies,omitempty"`
	Headers               map[string]string `json:"headers"`
	QueryStringParameters map[string]string `json:"queryStringParameters,omitempty"`
	RequestContext        urlRequestContext `json:"requestContext"`
	Body                  *string           `json:"body,omitempty"`
	PathParameters        *struct{}         `json:"pathParameters"`
	IsBase64Encoded       bool              `json:"isBase64Encoded"`
	StageVariables        *struct{}         `json:"stageVariables"`
}

type urlRequestContext struct {
	AccountID      string         `json:"accountId"`
	APIID          string         `json:"apiId"`
	Authentication *struct{}      `json:"authentication"`
	Authorizer     *urlAuthorizer `json:"authorizer"`
	DomainName     string         `json:"domainName"`
	DomainPrefix   string         `json:"domainPrefix"`
	HTTP           urlHTTP        `json:"http"`
	RequestID      string         `json:"requestId"`
	RouteKey       string         `json:"routeKey"`
	Stage          string         `json:"stage"`
	Time           string         `json:"time"`
	TimeEpoch      int64          `json:"timeEpoch"`
}

type urlAuthorizer struct {
	IAM urlIAM `json:"iam"`
}

// urlIAM is the caller of an AWS_IAM URL; cognitoIdentity and principalOrgId are null,
// iamlocal having no Cognito identities or organizations.
type urlIAM struct {
	AccessKey       string    `json:"accessKey"`
	AccountID       string    `json:"accountId"`
	CallerID        string    `json:"callerId"`
	CognitoIdentity *struct{} `json:"cognitoIdentity"`
	PrincipalOrgID  *string   `json:"principalOrgId"`
	UserARN         string    `json:"userArn"`
	UserID          string    `json:"userId"`
}

type urlHTTP struct {
	Method    string `json:"method"`
	Path      string `json:"path"`
	Protocol  string `json:"protocol"`
	SourceIP  string `json:"sourceIp"`
	UserAgent string `json:"userAgent"`
}

// URLEvent is the event a function URL hands its function for r, as JSON.
func URLEvent(t URLTarget, r URLRequest) ([]byte, error) {
	headers, cookies := eventHeaders(r)
	ev := urlEvent{Version: "2.0", RouteKey: "$default", RawPath: r.RawPath, RawQueryString: r.RawQuery,
		Cookies: cookies, Headers: headers, QueryStringParameters: queryParameters(r.RawQuery),
		RequestContext: urlRequestContext{AccountID: "anonymous", APIID: t.ID, DomainName: r.DomainName, DomainPrefix: t.ID,
			HTTP:      urlHTTP{Method: r.Method, Path: r.RawPath, Protocol: r.Protocol, SourceIP: r.SourceIP, UserAgent: r.Header.Get("User-Agent")},
			RequestID: r.RequestID, RouteKey: "$default", Stage: "$default",
			Time: r.Time.UTC().Format("02/Jan/2006:15:04:05 -0700"), TimeEpoch: r.Time.UnixMilli()}}
	if c := r.Caller; c != nil {
		ev.RequestContext.AccountID = c.Account
		ev.RequestContext.Authorizer = &urlAuthorizer{IAM: urlIAM{AccessKey: c.AccessKeyID, AccountID: c.Account,
			CallerID: c.UserID, UserARN: c.ARN, UserID: c.UserID}}
	}
	if len(r.Body) > 0 {
		body := string(r.Body)
		if !textual(r.Header.Get("Content-Type"), r.Body) {
			body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(r.Body), true
		}
		ev.Body = &body
	}
	// Written as Lambda writes JSON, without escaping &, < and > (a query string keeps its &).
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(ev); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// eventHeaders are the request's headers as the event has them: names lower-cased, repeated
// values joined with commas, the host named, the Cookie header moved to cookies, and the
// x-forwarded-* and x-amzn-trace-id headers Lambda's frontend adds.
func eventHeaders(r URLRequest) (map[string]string, []string) {
	out := make(map[string]string, len(r.Header)+5)
	var cookies []string
	for name, values := range r.Header {
		name = strings.ToLower(name)
		switch name {
		case "cookie":
			for _, v := range values {
				for _, c := range strings.Split(v, ";") {
					if c = strings.TrimSpace(c); c != "" {
						cookies = append(cookies, c)
					}
				}
			}
			continue
		case "connection":
			continue // hop-by-hop, not the client's to pass on
		}
		if prev, ok := out[name]; ok {
			out[name] = prev + "," + strings.Join(values, ",")
		} else {
			out[name] = strings.Join(values, ",")
		}
	}
	out["host"] = r.Host
	proto, port := "http", "80"
	if r.Secure {
		proto, port = "https", "443"
	}
	if _, p, err := net.SplitHostPort(r.Host); err == nil {
		port = p
	}
	if prev := out["x-forwarded-for"]; prev != "" {
		out["x-forwarded-for"] = prev + ", " + r.SourceIP
	} else {
		out["x-forwarded-for"] = r.SourceIP
	}
	out["x-forwarded-proto"], out["x-forwarded-port"] = proto, port
	if out["x-amzn-trace-id"] == "" {
		out["x-amzn-trace-id"] = traceID(r.RequestID, r.Time)
	}
	return out, cookies
}

// traceID is an X-Ray trace header for the request, "Root=1-<epoch seconds, hex>-<96 bits>",
// its random part taken from the request id.
func traceID(requestID string, t time.Time) string {
	hex := strings.ReplaceAll(requestID, "-", "")
	for len(hex) < 24 {
		hex += "0"
	}
	return "Root=1-" + strconv.FormatInt(t.Unix(), 16) + "-" + hex[:24]
}

// queryParameters are the query's parameters, decoded, repeated ones joined with commas; nil
// for no query.
func queryParameters(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	values, _ := url.ParseQuery(raw)
	if len(values) == 0 {
		return nil
	}
	out := make(map[string]string, len(values))
	for k, v := range values {
		out[k] = strings.Join(v, ",")
	}
	return out
}

// textual reports a body that goes into the event as text: valid UTF-8 under a text, JSON, XML
// or JavaScript content type. "If the content type of the request is binary, the body is
// base64-encoded" ("Request payload format"); a body without a content type, a form or a
// multipart body is binary, as Lambda encodes them.
func textual(contentType string, body []byte) bool {
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		media = strings.ToLower(strings.TrimSpace(contentType))
	}
	text := strings.HasPrefix(media, "text/") || strings.Contains(media, "json") || strings.Contains(media, "xml") ||
		strings.Contains(media, "javascript")
	return text && utf8.Valid(body)
}
