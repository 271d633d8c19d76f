package sts_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"flag"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/iamlocal/iamlocal/emulator"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
	"github.com/iamlocal/iamlocal/ids"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenNow is the clock of the golden servers; requests are signed at the same instant.
var goldenNow = time.Date(2025, 3, 13, 8, 32, 19, 0, time.UTC)

// wire is one server whose answers are deterministic: a fixed clock and seeded ids, and
// requests sent one after another.
type wire struct {
	t     *testing.T
	srv   *emulatortest.Server
	creds aws.Credentials
}

func newWire(t *testing.T) wire {
	t.Helper()
	srv := emulatortest.New(t, func(o *emulator.Options) {
		o.Clock = func() time.Time { return goldenNow }
		o.IDs = ids.NewSeeded(11)
	})
	return wire{t: t, srv: srv, creds: aws.Credentials{AccessKeyID: srv.Root.AccessKeyID, SecretAccessKey: srv.Root.SecretAccessKey}}
}

// apiVersions are the Query Version of the services these tests call.
var apiVersions = map[string]string{"iam": "2010-05-08", "sts": "2011-06-15"}

// call sends one Query request to service (Action and Version added), signed with w's
// credentials, and returns its status and body bytes.
func (w wire) call(service, action string, params url.Values) (int, string) {
	w.t.Helper()
	form := url.Values{"Action": {action}, "Version": {apiVersions[service]}}
	for k, v := range params {
		form[k] = v
	}
	body := form.Encode()
	req, err := http.NewRequest(http.MethodPost, w.srv.URL+"/", strings.NewReader(body))
	if err != nil {
		w.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256([]byte(body))
	if err := v4.NewSigner().SignHTTP(context.Background(), w.creds, req, hex.EncodeToString(sum[:]), service, "us-east-1", goldenNow); err != nil {
		w.t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, string(out)
}

// golden compares got with testdata/golden/name byte for byte (or rewrites it with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from golden\n--- got ---\n%s\n--- want ---\n%s", name, got, want)
	}
}

// GetFederationToken always reports PackedPolicySize, 0 when nothing was passed; AssumeRole
// reports it only when session policies or tags were passed.
func TestPackedPolicySizeWire(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}`
	// The session policy of the STS API Reference's GetFederationToken example.
	const policy = `{"Version":"2012-10-17","Statement":[{"Sid":"Stmt1","Effect":"Allow","Action":"s3:ListAllMyBuckets","Resource":"*"}]}`
	w.call("iam", "CreateRole", url.Values{"RoleName": {"demo"}, "AssumeRolePolicyDocument": {trust}})
	w.call("iam", "CreateUser", url.Values{"UserName": {"bob"}})
	w.call("iam", "AttachUserPolicy", url.Values{"UserName": {"bob"}, "PolicyArn": {"arn:aws:iam::aws:policy/AdministratorAccess"}})
	_, key := w.call("iam", "CreateAccessKey", url.Values{"UserName": {"bob"}})
	bob := w
	bob.creds = aws.Credentials{AccessKeyID: between(key, "<AccessKeyId>", "</AccessKeyId>"),
		SecretAccessKey: between(key, "<SecretAccessKey>", "</SecretAccessKey>")}
	steps := []struct {
		file, service, action string
		params                url.Values
	}{
		{"GetFederationToken-nopolicy.xml", "sts", "GetFederationToken", url.Values{"Name": {"Bob"}}},
		{"GetFederationToken-policy.xml", "sts", "GetFederationToken", url.Values{"Name": {"Bob"}, "Policy": {policy},
			"Tags.member.1.Key": {"Project"}, "Tags.member.1.Value": {"Pegasus"}}},
		{"AssumeRole-nopolicy.xml", "sts", "AssumeRole", url.Values{"RoleArn": {"arn:aws:iam::123456789012:role/demo"}, "RoleSessionName": {"s1"}}},
	}
	for _, s := range steps {
		status, body := bob.call(s.service, s.action, s.params)
		if status != 200 {
			t.Errorf("%s: status %d: %s", s.file, status, body)
		}
		golden(t, s.file, body)
	}
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}
