package awsquery_test

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/awsquery"
)

// paramsByParseQuery is what Params must equal: url.ParseQuery of the URL query, then of a
// POST body, merged URL values first, the presign parameters dropped, the first error kept.
func paramsByParseQuery(method, rawQuery, body string) (url.Values, error) {
	params, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, err
	}
	if method == http.MethodPost {
		form, err := url.ParseQuery(body)
		if err != nil {
			return nil, err
		}
		for k, v := range form {
			params[k] = append(params[k], v...)
		}
	}
	for k := range params {
		if strings.HasPrefix(k, "X-Amz-") {
			delete(params, k)
		}
	}
	return params, nil
}

func checkParams(t *testing.T, method, rawQuery, body string) {
	t.Helper()
	r := &http.Request{Method: method, URL: &url.URL{RawQuery: rawQuery}}
	got, gotErr := awsquery.Params(r, []byte(body))
	want, wantErr := paramsByParseQuery(method, rawQuery, body)
	if (gotErr == nil) != (wantErr == nil) || gotErr != nil && gotErr.Error() != wantErr.Error() {
		t.Fatalf("%s ?%q body %q: error %v, want %v", method, rawQuery, body, gotErr, wantErr)
	}
	if gotErr != nil {
		return
	}
	if len(got) != len(want) || len(want) > 0 && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s ?%q body %q:\n got %v\nwant %v", method, rawQuery, body, got, want)
	}
}

func TestParamsAsParseQuery(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ method, query, body string }{
		{"POST", "", "Action=GetUser&Version=2010-05-08"},
		{"POST", "Action=GetUser", "Version=2010-05-08&UserName=bob"},
		{"POST", "a=1&a=2", "a=3&b=4&a=5"},
		{"POST", "", "a=1&b=2&a=3&c=4&b=5&a=6"}, // repeated keys do not overwrite their neighbours
		{"GET", "Action=ListUsers&X-Amz-Signature=abc&X-Amz-Date=20261203T000000Z", "ignored=1"},
		{"POST", "", "X-Amz-Algorithm=AWS4-HMAC-SHA256&x-amz-lower=kept"},
		{"POST", "", "a=%zz"},
		{"POST", "", "%zz=1"},
		{"POST", "", "a=1;b=2"},
		{"POST", "a;b", "c=%"},
		{"POST", "ok=1", "&&=&a&=b&&c==d&"},
		{"POST", "", "Policy=%7B%22a%22%3A+1%7D&Name=a+b%20c"},
		{"POST", "", ""},
		{"POST", "", strings.Repeat("a=1&", 999) + "b=%zz"},
		{"POST", "", strings.Repeat("a=1&", 10000)},
		{"POST", strings.Repeat("&", 600), strings.Repeat("&", 600) + "c=1"},
		{"GET", "", ""},
	} {
		checkParams(t, tc.method, tc.query, tc.body)
	}
}

// FuzzParams holds Params to url.ParseQuery's parameters and first error on any input.
func FuzzParams(f *testing.F) {
	f.Add("Action=GetUser", "Version=2010-05-08&UserName=bob&UserName=al")
	f.Add("X-Amz-Date=1&a=%4", "b;c=1")
	f.Add("", "%zz=&=&&x=%20+")
	f.Fuzz(func(t *testing.T, rawQuery, body string) {
		checkParams(t, http.MethodPost, rawQuery, body)
		checkParams(t, http.MethodGet, rawQuery, body)
	})
}
