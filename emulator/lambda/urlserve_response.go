package lambda

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// URLResponse is the HTTP response a function URL answers with.
type URLResponse struct {
	Status int
	Header http.Header // a Set-Cookie for each cookie
	Body   []byte
}

// ErrBadURLResponse is a function answer Lambda cannot turn into an HTTP response; the URL
// answers it as it answers a function error (URLFunctionError).
var ErrBadURLResponse = errors.New("lambda: the function's answer is not an HTTP response")

// URLFunctionError is the answer of a URL whose function failed: 502 with the text Lambda
// sends. Recorded against AWS: a URL of a function that raises answers 502 "Internal Server
// Error" (localstack tests/aws/services/lambda_/test_lambda.py,
// test_lambda_url_invocation_exception, marked aws.validated). A timeout is a function error
// to Invoke ("Sandbox.Timedout" with X-Amz-Function-Error, same suite,
// test_lambda_invoke_with_timeout), so it is answered the same way.
func URLFunctionError() URLResponse {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return URLResponse{Status: http.StatusBadGateway, Header: h, Body: []byte("Internal Server Error")}
}

// urlAnswer is the response payload format ("Invoking Lambda function URLs", "Response
// payload format"); StatusCode is kept raw, functions send it as a number or a string.
type urlAnswer struct {
	StatusCode      json.RawMessage            `json:"statusCode"`
	Headers         map[string]json.RawMessage `json:"headers"`
	Cookies         []string                   `json:"cookies"`
	Body            json.RawMessage            `json:"body"`
	IsBase64Encoded bool                       `json:"isBase64Encoded"`
}

// MapURLResponse turns a function's answer into the HTTP response, as "Response payload format"
// says Lambda infers it: an answer without statusCode is the body of a 200 with content-type
// application/json (a JSON string is sent as the text it holds, anything else as the JSON the
// function returned); with statusCode, the status, headers, cookies (a Set-Cookie each) and
// body, base64-decoded when isBase64Encoded. A content type the answer does not give is
// application/json.
func MapURLResponse(payload []byte) (URLResponse, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	trimmed := bytes.TrimSpace(payload)
	if !json.Valid(trimmed) {
		return URLResponse{}, fmt.Errorf("%w: not JSON", ErrBadURLResponse)
	}
	var text string
	if trimmed[0] == '"' && json.Unmarshal(trimmed, &text) == nil {
		return URLResponse{Status: http.StatusOK, Header: h, Body: []byte(text)}, nil
	}
	var a urlAnswer
	if trimmed[0] != '{' || json.Unmarshal(trimmed, &a) != nil || a.StatusCode == nil {
		return URLResponse{Status: http.StatusOK, Header: h, Body: payload}, nil
	}
	status, err := statusOf(a.StatusCode)
	if err != nil {
		return URLResponse{}, err
	}
	out := URLResponse{Status: status, Header: h}
	for name, raw := range a.Headers {
		v, err := headerValue(raw)
		if err != nil {
			return URLResponse{}, fmt.Errorf("%w: header %s: %v", ErrBadURLResponse, name, err)
		}
		h.Set(name, v)
	}
	for _, c := range a.Cookies {
		h.Add("Set-Cookie", c)
	}
	if out.Body, err = bodyOf(a.Body, a.IsBase64Encoded); err != nil {
		return URLResponse{}, err
	}
	return out, nil
}

// statusOf reads statusCode: a number or a numeric string (localstack's
// test_lambda_url_headers_and_status, aws.validated, answers "418" with 418), 100 to 599.
func statusOf(raw json.RawMessage) (int, error) {
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return 0, fmt.Errorf("%w: statusCode %s", ErrBadURLResponse, raw)
		}
		n = json.Number(strings.TrimSpace(s))
	}
	status, err := strconv.Atoi(n.String())
	if err != nil || status < 100 || status > 599 {
		return 0, fmt.Errorf("%w: statusCode %s", ErrBadURLResponse, raw)
	}
	return status, nil
}

// headerValue is a header's value: a string as it is, a number or boolean as its JSON text.
func headerValue(raw json.RawMessage) (string, error) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, nil
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return "", err
	}
	switch v.(type) {
	case float64, bool:
		return string(bytes.TrimSpace(raw)), nil
	}
	return "", errors.New("not a string")
}

// bodyOf is the body: a string's text (decoded from base64 when it says so), another JSON
// value as JSON, nothing for none.
func bodyOf(raw json.RawMessage, isBase64 bool) ([]byte, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return raw, nil
	}
	if !isBase64 {
		return []byte(s), nil
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: body is not base64", ErrBadURLResponse)
	}
	return b, nil
}

// PreludeContentType is the content type of a streamed answer that starts with the HTTP
// response's status, headers and cookies: a JSON prelude, then 8 zero bytes, then the body
// (the Node.js runtime's awslambda.HttpResponseStream.from; "Writing response
// streaming-enabled Lambda functions").
const PreludeContentType = "application/vnd.awslambda.http-integration-response"

// maxPrelude bounds the prelude held before the body starts.
const maxPrelude = 64 << 10

var preludeEnd = make([]byte, 8)

// Prelude collects a streamed answer's prelude from its first chunks. Feed returns the
// response once the prelude is complete, with the part of the chunk that belongs to the body;
// until then it holds the bytes.
type Prelude struct {
	buf []byte
}

// Feed adds a chunk; done reports the prelude complete, rest is the body's first bytes.
func (p *Prelude) Feed(chunk []byte) (res URLResponse, rest []byte, done bool, err error) {
	p.buf = append(p.buf, chunk...)
	i := bytes.Index(p.buf, preludeEnd)
	if i < 0 {
		if len(p.buf) > maxPrelude {
			return URLResponse{}, nil, false, fmt.Errorf("%w: no end of the prelude in %d bytes", ErrBadURLResponse, maxPrelude)
		}
		return URLResponse{}, nil, false, nil
	}
	res, err = streamHead(p.buf[:i])
	return res, p.buf[i+len(preludeEnd):], err == nil, err
}

// streamHead reads a prelude: statusCode (default 200), headers and cookies; the content type
// defaults to application/octet-stream, the Node.js runtime's for streams.
func streamHead(prelude []byte) (URLResponse, error) {
	h := http.Header{}
	h.Set("Content-Type", "application/octet-stream")
	out := URLResponse{Status: http.StatusOK, Header: h}
	if len(bytes.TrimSpace(prelude)) == 0 {
		return out, nil
	}
	var a urlAnswer
	if err := json.Unmarshal(prelude, &a); err != nil {
		return URLResponse{}, fmt.Errorf("%w: prelude: %v", ErrBadURLResponse, err)
	}
	if a.StatusCode != nil {
		status, err := statusOf(a.StatusCode)
		if err != nil {
			return URLResponse{}, err
		}
		out.Status = status
	}
	for name, raw := range a.Headers {
		v, err := headerValue(raw)
		if err != nil {
			return URLResponse{}, fmt.Errorf("%w: header %s: %v", ErrBadURLResponse, name, err)
		}
		h.Set(name, v)
	}
	for _, c := range a.Cookies {
		h.Add("Set-Cookie", c)
	}
	return out, nil
}
