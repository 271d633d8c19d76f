package restjson_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/restjson"
)

var fuzzMethods = []string{"GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"}

// FuzzRestJSONRoute sends random methods, paths, queries, headers and bodies through the Lambda
// router and Decode/Validate as the emulator does: nothing panics, every decode failure is a 4xx
// *awserr.Error, and every error encodes to a valid JSON body.
func FuzzRestJSONRoute(f *testing.F) {
	seeds := []struct {
		method              uint8
		path, query, header string
		body                []byte
	}{
		{1, "/2015-03-31/functions/fn/invocations", "Qualifier=live", "Event", []byte(`{"a":1}`)},
		{1, "/2015-03-31/functions", "", "", []byte(`{"FunctionName":"f","Role":"r","Code":{},"MemorySize":"x"}`)},
		{0, "/2015-03-31/functions/", "MaxItems=abc&Marker=%zz", "", nil},
		{0, "/2018-10-31/layers", "find=LayerVersion&Arn=arn%3Aaws", "", nil},
		{0, "/2019-09-30/functions/f/provisioned-concurrency", "List=ALL", "", nil},
		{3, "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A1%3Afunction%3Af", "tagKeys=a&tagKeys=", "", nil},
		{3, "/2018-10-31/layers/l/versions/99999999999999999999", "", "", nil},
		{0, "/2025-12-01/functions/f/durable-executions", "StartedAfter=x&ReverseOrder=2&Statuses=RUNNING", "", nil},
		{2, "/2015-03-31/functions/f/aliases/2024", "", "", []byte(`{"RoutingConfig":{"AdditionalVersionWeights":{"$LATEST":-1}}}`)},
		{1, "/2025-12-01/durable-execution-callbacks/c/fail", "", "", []byte(`[`)},
		{4, "/../%2e%2e/functions//x", "a=%", "\x00", []byte{0xff}},
	}
	for _, s := range seeds {
		f.Add(s.method, s.path, s.query, s.header, s.body)
	}
	// One router for the whole run; each request carries its body and a slot for the verdict.
	type fuzzCase struct {
		body    []byte
		failure string
	}
	type caseKey struct{}
	svc := lambdaapi.Model()
	fail := func(c *fuzzCase, format string, args ...any) {
		if c.failure == "" {
			c.failure = fmt.Sprintf(format, args...)
		}
	}
	check := func(c *fuzzCase, e *awserr.Error) {
		if res := restjson.EncodeError(svc, e); !json.Valid(res.Body) {
			fail(c, "error body is not JSON: %q", res.Body)
		}
	}
	router := restjson.NewRouter(lambdaapi.Operations(lambdaapi.Unimplemented{}), func(op protocol.Operation) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := r.Context().Value(caseKey{}).(*fuzzCase)
			in := op.NewInput()
			if err := restjson.Decode(op.Model, r, mux.Vars(r), c.body, in); err != nil {
				e, ok := awserr.As(err)
				if !ok || e.Status < 400 || e.Status >= 500 {
					fail(c, "%s: decode error %T %v is not a 4xx *awserr.Error", op.Name(), err, err)
					return
				}
				check(c, e)
				return
			}
			if op.Model.Input != nil {
				if vs := protocol.Validate(op.Model.Input, in); len(vs) > 0 {
					msg := protocol.ValidationMessage(vs)
					if !strings.Contains(msg, "validation error") {
						fail(c, "odd message %q", msg)
					}
					check(c, awserr.New("ValidationException", 400, true, "%s", msg))
				}
			}
		})
	})
	f.Fuzz(func(t *testing.T, method uint8, path, query, header string, body []byte) {
		u, err := url.Parse("http://lambda.local" + path)
		if err != nil || u.Host != "lambda.local" {
			return
		}
		u.RawQuery = query
		c := &fuzzCase{body: body}
		req := (&http.Request{Method: fuzzMethods[int(method)%len(fuzzMethods)], URL: u, Header: http.Header{}, Host: u.Host}).
			WithContext(context.WithValue(context.Background(), caseKey{}, c))
		req.Header.Set("X-Amz-Invocation-Type", header)
		req.Header.Set("X-Amz-Log-Type", header)
		router.ServeHTTP(httptest.NewRecorder(), req)
		if c.failure != "" {
			t.Fatal(c.failure)
		}
	})
}
