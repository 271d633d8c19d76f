package awsquery

import (
	"net/http"
	"net/url"
	"strings"
)

// fastParamsMax bounds the parameters the fast path takes: beyond it url.ParseQuery's own
// limit applies.
const fastParamsMax = 1000

// Params merges the URL query and a form body, URL values first, dropping the presign
// parameters (X-Amz-*). It is url.ParseQuery's answer; a well-formed request of usual size is
// parsed into one map sized for both strings, every single value's slice cut from one backing
// array, and any other goes through url.ParseQuery for its exact error.
func Params(r *http.Request, body []byte) (url.Values, error) {
	var form string
	if r.Method == http.MethodPost && len(body) > 0 {
		form = string(body)
	}
	raw := r.URL.RawQuery
	n := strings.Count(raw, "&") + strings.Count(form, "&") + 2
	if n <= fastParamsMax {
		p := formParser{params: make(url.Values, n), values: make([]string, n)}
		if p.parse(raw) && p.parse(form) {
			return p.params, nil
		}
	}
	return paramsByParseQuery(raw, form)
}

func paramsByParseQuery(raw, form string) (url.Values, error) {
	params, err := url.ParseQuery(raw)
	if err != nil {
		return nil, err
	}
	extra, err := url.ParseQuery(form)
	if err != nil {
		return nil, err
	}
	for k, v := range extra {
		params[k] = append(params[k], v...)
	}
	for k := range params {
		if strings.HasPrefix(k, "X-Amz-") {
			delete(params, k)
		}
	}
	return params, nil
}

type formParser struct {
	params url.Values
	values []string // unused backing for single-valued parameters
}

// parse adds the parameters of one form string; false where url.ParseQuery would fail.
func (p *formParser) parse(query string) bool {
	for query != "" {
		var pair string
		pair, query, _ = strings.Cut(query, "&")
		if strings.Contains(pair, ";") {
			return false
		}
		if pair == "" {
			continue
		}
		rawKey, rawValue, _ := strings.Cut(pair, "=")
		key, err := url.QueryUnescape(rawKey)
		if err != nil {
			return false
		}
		value, err := url.QueryUnescape(rawValue)
		if err != nil {
			return false
		}
		if !strings.HasPrefix(key, "X-Amz-") {
			p.add(key, value)
		}
	}
	return true
}

func (p *formParser) add(key, value string) {
	if vs, ok := p.params[key]; ok {
		p.params[key] = append(vs, value)
		return
	}
	// A capacity of one: a repeated key's append copies instead of overwriting its neighbour.
	p.params[key], p.values = p.values[:1:1], p.values[1:]
	p.params[key][0] = value
}
