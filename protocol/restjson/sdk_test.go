package restjson_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/restjson"
)

type cannedResponse struct {
	status  int
	headers map[string]string
	body    string
}

// cannedServer answers GET /2015-03-31/functions/{name} with the response registered for name.
func cannedServer(t *testing.T) (*httptest.Server, func(name string, r cannedResponse)) {
	t.Helper()
	var mu sync.Mutex
	responses := map[string]cannedResponse{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/2015-03-31/functions/")
		mu.Lock()
		res, ok := responses[name]
		mu.Unlock()
		if !ok {
			http.Error(w, "no canned response for "+name, http.StatusTeapot)
			return
		}
		for k, v := range res.headers {
			w.Header().Set(k, v)
		}
		w.WriteHeader(res.status)
		_, _ = w.Write([]byte(res.body))
	}))
	t.Cleanup(srv.Close)
	return srv, func(name string, r cannedResponse) {
		mu.Lock()
		responses[name] = r
		mu.Unlock()
	}
}

func lambdaClient(endpoint string) *lambda.Client {
	return lambda.NewFromConfig(aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(endpoint),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	})
}

// Every error our encoder writes, modelled (all of the Lambda model's exceptions) or not (the
// authentication layer's), is read back by aws-sdk-go-v2's Lambda client with our code, message
// and status; modelled ones become the SDK's typed exception.
func TestSDKParsesOurErrors(t *testing.T) {
	t.Parallel()
	svc := lambdaapi.Model()
	srv, register := cannedServer(t)
	client := lambdaClient(srv.URL)
	type tc struct {
		err     *awserr.Error
		modeled bool
	}
	var cases []tc
	for _, name := range sortedShapeNames() {
		sh := svc.Shapes[name]
		if !sh.Exception {
			continue
		}
		status := 400
		if sh.Error != nil && sh.Error.Status != 0 {
			status = sh.Error.Status
		}
		cases = append(cases, tc{awserr.New(sh.ErrorCode(), status, status < 500, "message of %s: <&> \"quoted\" é", name), true})
	}
	if len(cases) < 40 {
		t.Fatalf("only %d modelled errors", len(cases))
	}
	for _, code := range []string{"UnrecognizedClientException", "InvalidSignatureException", "ExpiredTokenException",
		"MissingAuthenticationTokenException", "IncompleteSignatureException", "AccessDeniedException", "ValidationException",
		"UnknownOperationException"} {
		cases = append(cases, tc{awserr.New(code, 403, true, "auth layer says %s", code), false})
	}
	for i, c := range cases {
		res := restjson.EncodeError(svc, c.err)
		headers := map[string]string{"Content-Type": res.ContentType, "x-amzn-RequestId": "rid"}
		for k := range res.Header {
			headers[k] = res.Header.Get(k)
		}
		name := fmt.Sprintf("fn-%d", i)
		register(name, cannedResponse{res.Status, headers, string(res.Body)})
		_, err := client.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(name)})
		var ae smithy.APIError
		if !errors.As(err, &ae) {
			t.Errorf("%s: %v is not an API error", c.err.Code, err)
			continue
		}
		if ae.ErrorCode() != c.err.Code || ae.ErrorMessage() != c.err.Message {
			t.Errorf("%s: SDK read code %q message %q", c.err.Code, ae.ErrorCode(), ae.ErrorMessage())
		}
		var re interface{ HTTPStatusCode() int }
		if !errors.As(err, &re) || re.HTTPStatusCode() != c.err.Status {
			t.Errorf("%s: status %v", c.err.Code, err)
		}
		typed := fmt.Sprintf("%T", ae)
		if c.modeled != (typed == "*types."+c.err.Code) {
			t.Errorf("%s: SDK error type %s (modelled %v)", c.err.Code, typed, c.modeled)
		}
	}
}

// The throttling error's Reason (body) and Retry-After (header) reach the SDK's typed fields.
func TestSDKParsesThrottle(t *testing.T) {
	t.Parallel()
	srv, register := cannedServer(t)
	e := lambdaapi.ErrTooManyRequests("Rate Exceeded.")
	e.Fields = map[string]any{"Reason": "ReservedFunctionConcurrentInvocationLimitExceeded", "retryAfterSeconds": "7"}
	res := restjson.EncodeError(lambdaapi.Model(), e)
	headers := map[string]string{"Content-Type": res.ContentType}
	for k := range res.Header {
		headers[k] = res.Header.Get(k)
	}
	register("throttled", cannedResponse{res.Status, headers, string(res.Body)})
	_, err := lambdaClient(srv.URL).GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String("throttled")})
	var tm *lambdatypes.TooManyRequestsException
	if !errors.As(err, &tm) {
		t.Fatalf("error = %v", err)
	}
	if tm.Reason != lambdatypes.ThrottleReasonReservedFunctionConcurrentInvocationLimitExceeded ||
		aws.ToString(tm.RetryAfterSeconds) != "7" || aws.ToString(tm.Type) != "User" || tm.ErrorMessage() != "Rate Exceeded." {
		t.Errorf("TooManyRequestsException = %+v", tm)
	}
}

// The Smithy/botocore rest-json error cases, replayed to the SDK's Lambda client: it finds the code
// in each of the spellings AWS may send (X-Amzn-Errortype with a URI or namespace, "code",
// "__type"), the same parser that reads our bodies above.
func TestSDKParsesRestJSONErrorCases(t *testing.T) {
	t.Parallel()
	raw, err := os.ReadFile(filepath.Join(conformance, "protocol-tests/rest-json-error-cases.json"))
	if err != nil {
		t.Fatalf("the conformance data in internal/awsdata/conformance/errors is needed by this test and could not be read: %v", err)
	}
	var file struct {
		Suites []struct {
			Cases []struct {
				ID        string `json:"id"`
				ErrorCode string `json:"errorCode"`
				Response  struct {
					StatusCode int               `json:"status_code"`
					Headers    map[string]string `json:"headers"`
					Body       string            `json:"body"`
				} `json:"response"`
			} `json:"cases"`
		} `json:"suites"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	srv, register := cannedServer(t)
	client := lambdaClient(srv.URL)
	n := 0
	for _, s := range file.Suites {
		for _, c := range s.Cases {
			n++
			register(c.ID, cannedResponse{c.Response.StatusCode, c.Response.Headers, c.Response.Body})
			_, err := client.GetFunction(context.Background(), &lambda.GetFunctionInput{FunctionName: aws.String(c.ID)})
			var ae smithy.APIError
			if !errors.As(err, &ae) || ae.ErrorCode() != c.ErrorCode {
				t.Errorf("%s: SDK error %v, want code %s", c.ID, err, c.ErrorCode)
			}
		}
	}
	if n != 12 {
		t.Errorf("%d cases, want 12", n)
	}
}

func sortedShapeNames() []string {
	svc := lambdaapi.Model()
	names := make([]string, 0, len(svc.Shapes))
	for n := range svc.Shapes {
		names = append(names, n)
	}
	sortStrings(names)
	return names
}
