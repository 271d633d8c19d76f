package emulator

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awsjson"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// toyModel is a one-service botocore model: AWS JSON 1.1, two operations.
const toyModel = `{"metadata":{"apiVersion":"2026-01-01","endpointPrefix":"toy","protocol":"json","jsonVersion":"1.1",
"targetPrefix":"Toy_20260101"},
"operations":{"Ping":{"name":"Ping","input":{"shape":"PingInput"},"output":{"shape":"PingOutput"}},
"Boom":{"name":"Boom","input":{"shape":"PingInput"}}},
"shapes":{"PingInput":{"type":"structure","required":["Name"],"members":{"Name":{"shape":"Name"}}},
"PingOutput":{"type":"structure","members":{"Greeting":{"shape":"Name"}}},
"Name":{"type":"string","min":1,"max":16}}}`

type pingInput struct{ Name *string }
type pingOutput struct{ Greeting *string }

// toyService declares the toy service: one entry, as a real service is declared in services.go.
func toyService(t *testing.T) *service {
	m, err := model.Parse([]byte(toyModel))
	if err != nil {
		t.Fatal(err)
	}
	ops := []protocol.Operation{
		{Model: m.Operations["Ping"], NewInput: func() any { return &pingInput{} },
			Call: func(_ context.Context, in any) (any, error) {
				return &pingOutput{Greeting: protocol.Ptr("hi " + *in.(*pingInput).Name)}, nil
			}},
		{Model: m.Operations["Boom"], NewInput: func() any { return &pingInput{} },
			Call: func(context.Context, any) (any, error) { panic("toy handler failed") }},
	}
	return &service{name: "toy", signingName: "toy", model: func() *model.Service { return m }, regional: true, authz: authorize.Generic("toy"),
		faces: []protocol.Codec{awsjson.New(&awsjson.Codec{Service: m}, ops)},
		dialect: protocol.Dialect{MaxSkew: 5 * time.Minute, Auth: protocol.JSONAuth,
			Denied:   protocol.Denial("ToyDeniedException", http.StatusForbidden, ""),
			Invalid:  protocol.ValidationErrors("ToyValidationException", false),
			Internal: protocol.InternalError("ToyFailure", "The toy failed.")}}
}

// A service added by one declaration is routed by its signing name and, unsigned, by its
// shape; answers in its protocol and dialect (validation, denial, panic); is authorized with
// its action prefix; and appears in health and the decision log.
func TestToyServiceFromOneDeclaration(t *testing.T) {
	t.Parallel()
	srv, err := newServer(Options{DBPath: filepath.Join(t.TempDir(), "db")}, toyService(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	root := aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test"}
	do := func(req *http.Request) (int, http.Header, string) {
		t.Helper()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	toy := func(creds *aws.Credentials, op, body string) *http.Request {
		req, _ := http.NewRequest("POST", hs.URL+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", "Toy_20260101."+op)
		req.Header.Set("Content-Type", "application/x-amz-json-1.1")
		if creds != nil {
			sign(t, req, *creds, "toy", body)
		}
		return req
	}
	iamCall := func(form string) string {
		req, _ := http.NewRequest("POST", hs.URL+"/", strings.NewReader(form))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		sign(t, req, root, "iam", form)
		status, _, body := do(req)
		if status != 200 {
			t.Fatalf("%s: %d %s", form, status, body)
		}
		return body
	}

	tests := []struct {
		name       string
		req        *http.Request
		status     int
		errorType  string
		bodyPrefix string
	}{
		{"signed call", toy(&root, "Ping", `{"Name":"bob"}`), 200, "", `{"Greeting":"hi bob"}`},
		{"validation in the toy's words", toy(&root, "Ping", `{}`), 400, "ToyValidationException",
			`{"__type":"ToyValidationException","message":"1 validation error detected: Value null at 'name' failed to satisfy constraint: Member must not be null"}`},
		{"unsigned, recognised by shape", toy(nil, "Ping", `{"Name":"bob"}`), 400, "MissingAuthenticationTokenException", `{"__type":"MissingAuthenticationTokenException"`},
		{"panic in the request's protocol", toy(&root, "Boom", `{"Name":"bob"}`), 500, "ToyFailure", `{"__type":"ToyFailure","message":"The toy failed."}`},
		{"unknown operation", toy(&root, "Nope", `{}`), 400, "UnknownOperationException", `{"__type":"UnknownOperationException"`},
	}
	for _, tt := range tests {
		status, _, body := do(tt.req)
		if status != tt.status || !strings.HasPrefix(body, tt.bodyPrefix) || (tt.errorType != "" && !strings.Contains(body, `"__type":"`+tt.errorType+`"`)) {
			t.Errorf("%s: %d %s", tt.name, status, body)
		}
	}

	// A user with no toy permission is denied in the toy's words, and the decision is logged
	// under the toy's signing name.
	iamCall("Action=CreateUser&Version=2010-05-08&UserName=ann")
	out := iamCall("Action=CreateAccessKey&Version=2010-05-08&UserName=ann")
	ann := aws.Credentials{AccessKeyID: between(out, "<AccessKeyId>", "<"), SecretAccessKey: between(out, "<SecretAccessKey>", "<")}
	status, _, body := do(toy(&ann, "Ping", `{"Name":"x"}`))
	if want := `{"__type":"ToyDeniedException","message":"User: arn:aws:iam::123456789012:user/ann is not authorized to perform: toy:Ping on resource: * because no identity-based policy allows the toy:Ping action"}`; status != 403 || body != want {
		t.Errorf("denial: %d %s", status, body)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"toy:Ping","Resource":"*"}]}`
	iamCall("Action=PutUserPolicy&Version=2010-05-08&UserName=ann&PolicyName=toy&PolicyDocument=" + url.QueryEscape(policy))
	if status, _, body := do(toy(&ann, "Ping", `{"Name":"x"}`)); status != 200 || body != `{"Greeting":"hi x"}` {
		t.Errorf("allowed by a toy: policy: %d %s", status, body)
	}
	decisions := srv.Decisions()
	if last := decisions[len(decisions)-1]; last.Service != "toy" || last.Action != "toy:Ping" || last.Decision != "Allow" {
		t.Errorf("decision log: %+v", last)
	}

	_, _, health := do(mustGet(t, hs.URL+"/_iamlocal/health"))
	var h struct{ Services []string }
	if err := json.Unmarshal([]byte(health), &h); err != nil || h.Services[len(h.Services)-1] != "toy" {
		t.Errorf("health: %s", health)
	}
}

func sign(t *testing.T, req *http.Request, creds aws.Credentials, service, body string) {
	t.Helper()
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", time.Now()); err != nil {
		t.Fatal(err)
	}
}

func mustGet(t *testing.T, url string) *http.Request {
	req, err := http.NewRequest("GET", url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return req
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	v, _, _ := strings.Cut(rest, to)
	return v
}

// The services section of docs/architecture.md is the service table rendered: a service added
// to the table and not to the docs fails here, with the rows to paste.
func TestDocsListTheServiceTable(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- services: generated from emulator/services.go -->\n", "<!-- end services -->"
	_, rest, ok := strings.Cut(string(doc), begin)
	section, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("docs/architecture.md has no %q ... %q section", begin, end)
	}
	if want := serviceTable(declareServices(handlers{})); section != want {
		t.Errorf("docs/architecture.md services section is stale; want:\n%s", want)
	}
}

// serviceTable renders the service table as Markdown.
func serviceTable(services []*service) string {
	var b strings.Builder
	b.WriteString("| service | SigV4 name | IAM prefix | protocols | state |\n| --- | --- | --- | --- | --- |\n")
	for _, s := range services {
		var faces []string
		for _, f := range s.faces {
			faces = append(faces, f.Name())
		}
		state := "global"
		if s.regional {
			state = "per account and region"
		}
		fmt.Fprintf(&b, "| %s | %s | %s | %s | %s |\n", s.name, s.signingName, s.authz.Prefix, strings.Join(faces, ", "), state)
	}
	return b.String()
}
