package restjson_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/gorilla/mux"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/model"
	"github.com/iamlocal/iamlocal/protocol/restjson"
)

// picked records which operation a router chose and the path variables it bound.
type picked struct {
	mu   sync.Mutex
	op   string
	vars map[string]string
}

func lambdaRouter(t *testing.T, ops []protocol.Operation) (*mux.Router, *picked) {
	t.Helper()
	var got picked
	r := restjson.NewRouter(ops, func(op protocol.Operation) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got.mu.Lock()
			got.op, got.vars = op.Name(), mux.Vars(r)
			got.mu.Unlock()
			w.Header().Set("X-Op", op.Name())
		})
	})
	return r, &got
}

var label = regexp.MustCompile(`\{(\w+)(\+?)\}`)

// samples are plausible label values; FunctionName is also tried as an escaped ARN.
var samples = map[string]string{
	"FunctionName": "my-function", "Name": "live", "LayerName": "my-layer", "VersionNumber": "3",
	"StatementId": "sid-1", "UUID": "14e0db71-5d35-4eb5-b481-8945cf9d10c2", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f",
	"CodeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-0123456789abcdef0",
	"CapacityProviderName": "cp", "CallbackId": "cb-1",
	"DurableExecutionArn": "arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST/durable-execution/e/1",
}

// requestFor builds the request an SDK sends for op: labels filled and path-escaped (so '/' and
// ':' in ARNs arrive as %2F and %3A), and the URI's static query kept.
func requestFor(t *testing.T, op *model.Operation, override map[string]string) *http.Request {
	t.Helper()
	path, query, _ := strings.Cut(op.RequestURI, "?")
	path = label.ReplaceAllStringFunc(path, func(m string) string {
		sub := label.FindStringSubmatch(m)
		v, ok := override[sub[1]]
		if !ok {
			v, ok = samples[sub[1]]
		}
		if !ok {
			t.Fatalf("%s: no sample for label %s", op.Name, sub[1])
		}
		if sub[2] == "+" { // greedy: slashes kept
			parts := strings.Split(v, "/")
			for i := range parts {
				parts[i] = url.PathEscape(parts[i])
			}
			return strings.Join(parts, "/")
		}
		return strings.ReplaceAll(url.PathEscape(v), ":", "%3A")
	})
	target := path
	if query != "" {
		target += "?" + query
	}
	return httptest.NewRequest(op.Method, target, nil)
}

// Every Lambda operation in the model is reached by its own method and URI template.
func TestRouteEveryOperation(t *testing.T) {
	t.Parallel()
	ops := lambdaapi.Operations(lambdaapi.Unimplemented{})
	router, got := lambdaRouter(t, ops)
	if len(ops) < 60 {
		t.Fatalf("only %d operations", len(ops))
	}
	for _, op := range ops {
		for _, fn := range []string{"my-function", "arn:aws:lambda:us-east-1:123456789012:function:my-function:prod"} {
			req := requestFor(t, op.Model, map[string]string{"FunctionName": fn})
			rec := httptest.NewRecorder()
			router.ServeHTTP(rec, req)
			if rec.Header().Get("X-Op") != op.Name() {
				t.Errorf("%s %s routed to %q (status %d)", req.Method, req.URL, rec.Header().Get("X-Op"), rec.Code)
				continue
			}
			got.mu.Lock()
			vars := got.vars
			got.mu.Unlock()
			if strings.Contains(op.Model.RequestURI, "{FunctionName}") {
				v, err := url.PathUnescape(vars["FunctionName"])
				if err != nil || v != fn {
					t.Errorf("%s: FunctionName var %q (%v), want %q", op.Name(), vars["FunctionName"], err, fn)
				}
			}
		}
	}
}

func TestRouteStaticQueriesAndMisses(t *testing.T) {
	t.Parallel()
	router, _ := lambdaRouter(t, lambdaapi.Operations(lambdaapi.Unimplemented{}))
	tests := []struct{ method, target, want string }{
		{"GET", "/2018-10-31/layers", "ListLayers"},
		{"GET", "/2018-10-31/layers?find=LayerVersion&Arn=arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Alayer%3Al%3A1", "GetLayerVersionByArn"},
		{"GET", "/2018-10-31/layers?Arn=x&find=LayerVersion", "GetLayerVersionByArn"},
		{"GET", "/2018-10-31/layers?find=Other", "ListLayers"},
		{"GET", "/2019-09-30/functions/f/provisioned-concurrency?List=ALL", "ListProvisionedConcurrencyConfigs"},
		{"GET", "/2019-09-30/functions/f/provisioned-concurrency?Qualifier=live", "GetProvisionedConcurrencyConfig"},
		{"GET", "/2019-09-30/functions/f/provisioned-concurrency?List=ALL&Marker=m&MaxItems=5", "ListProvisionedConcurrencyConfigs"},
		{"GET", "/2015-03-31/functions", "ListFunctions"},
		{"GET", "/2015-03-31/functions/", "ListFunctions"}, // aws-sdk-go v1's spelling
		{"GET", "/2015-03-31/functions/f/", "GetFunction"},
		{"POST", "/2015-03-31/functions", "CreateFunction"},
		{"POST", "/2015-03-31/functions/arn:aws:lambda:us-east-1:123456789012:function:f/invocations", "Invoke"},
		{"POST", "/2015-03-31/functions/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Af/invocations", "Invoke"},
		{"GET", "/2015-03-31/functions/f", "GetFunction"},
		{"DELETE", "/2015-03-31/functions/f", "DeleteFunction"},
		{"PATCH", "/2015-03-31/functions/f", ""},
		{"GET", "/2015-03-31/functions/f/nope", ""},
		{"GET", "/2015-03-31/functions/a/b/invocations", ""},
		{"GET", "/", ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.target, nil)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		if got := rec.Header().Get("X-Op"); got != tt.want {
			t.Errorf("%s %s routed to %q, want %q", tt.method, tt.target, got, tt.want)
		}
	}
}

// Greedy labels ({Key+}) take the rest of the path, slashes included; Lambda has none, so a
// synthetic operation carries one.
func TestRouteGreedyLabel(t *testing.T) {
	t.Parallel()
	svc, err := model.Parse([]byte(`{"metadata": {"protocol": "rest-json"},
	  "operations": {
	    "GetObject": {"name": "GetObject", "http": {"method": "GET", "requestUri": "/2020-01-01/buckets/{Bucket}/objects/{Key+}"}, "input": {"shape": "In"}},
	    "GetBucket": {"name": "GetBucket", "http": {"method": "GET", "requestUri": "/2020-01-01/buckets/{Bucket}"}, "input": {"shape": "In"}}},
	  "shapes": {"In": {"type": "structure", "members": {
	    "Bucket": {"shape": "S", "location": "uri", "locationName": "Bucket"},
	    "Key": {"shape": "S", "location": "uri", "locationName": "Key"}}},
	    "S": {"type": "string"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	type in struct{ Bucket, Key *string }
	var ops []protocol.Operation
	for _, name := range svc.OpNames {
		ops = append(ops, protocol.Operation{Model: svc.Operations[name], NewInput: func() any { return new(in) }})
	}
	router, got := lambdaRouter(t, ops)
	tests := []struct{ target, op, bucket, key string }{
		{"/2020-01-01/buckets/b/objects/a/b/c.txt", "GetObject", "b", "a/b/c.txt"},
		{"/2020-01-01/buckets/b/objects/one", "GetObject", "b", "one"},
		{"/2020-01-01/buckets/b/objects/sp%20ace/x%2Fy", "GetObject", "b", "sp ace/x/y"},
		{"/2020-01-01/buckets/b", "GetBucket", "b", ""},
	}
	for _, tt := range tests {
		req := httptest.NewRequest("GET", tt.target, nil)
		rec := httptest.NewRecorder()
		router.ServeHTTP(rec, req)
		got.mu.Lock()
		op, vars := got.op, got.vars
		got.op = ""
		got.mu.Unlock()
		if op != tt.op {
			t.Errorf("%s routed to %q, want %q", tt.target, op, tt.op)
			continue
		}
		var decoded in
		if err := restjson.Decode(svc.Operations[op], req, vars, nil, &decoded); err != nil {
			t.Fatalf("Decode: %v", err)
		}
		if protocol.Val(decoded.Bucket) != tt.bucket || protocol.Val(decoded.Key) != tt.key {
			t.Errorf("%s: bucket %q key %q", tt.target, protocol.Val(decoded.Bucket), protocol.Val(decoded.Key))
		}
	}
}
