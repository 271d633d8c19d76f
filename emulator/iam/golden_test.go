package iam_test

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

// wire is one IAM server whose answers are deterministic: a fixed clock and seeded ids, and
// requests sent one after another.
type wire struct {
	t   *testing.T
	srv *emulatortest.Server
}

func newWire(t *testing.T) wire {
	t.Helper()
	srv := emulatortest.New(t, func(o *emulator.Options) {
		o.Clock = func() time.Time { return goldenNow }
		o.IDs = ids.NewSeeded(11)
	})
	return wire{t: t, srv: srv}
}

// call sends one signed Query request (Action and Version added) and returns its status and
// body bytes.
func (w wire) call(action string, params url.Values) (int, string) {
	w.t.Helper()
	form := url.Values{"Action": {action}, "Version": {"2010-05-08"}}
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
	creds := aws.Credentials{AccessKeyID: w.srv.Root.AccessKeyID, SecretAccessKey: w.srv.Root.SecretAccessKey}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, req, hex.EncodeToString(sum[:]), "iam", "us-east-1", goldenNow); err != nil {
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

type goldenStep struct {
	file   string
	action string
	params url.Values
	status int
}

func (w wire) run(steps []goldenStep) {
	w.t.Helper()
	for _, s := range steps {
		status, body := w.call(s.action, s.params)
		if status != s.status {
			w.t.Errorf("%s: status %d, want %d: %s", s.file, status, s.status, body)
		}
		golden(w.t, s.file, body)
	}
}

// Service-linked roles on the wire: the role each service names, its path and trust policy,
// the policy AWS attaches, a refused CustomSuffix, and deletion.
func TestServiceLinkedRoleWire(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.run([]goldenStep{
		{"CreateServiceLinkedRole-ssm-incidents.xml", "CreateServiceLinkedRole",
			url.Values{"AWSServiceName": {"ssm-incidents.amazonaws.com"}}, 200},
		{"CreateServiceLinkedRole-accountdiscovery.xml", "CreateServiceLinkedRole",
			url.Values{"AWSServiceName": {"accountdiscovery.ssm.amazonaws.com"}}, 200},
		{"GetRole-AccountDiscovery.xml", "GetRole",
			url.Values{"RoleName": {"AWSServiceRoleForAmazonSSM_AccountDiscovery"}}, 200},
		{"ListAttachedRolePolicies-AccountDiscovery.xml", "ListAttachedRolePolicies",
			url.Values{"RoleName": {"AWSServiceRoleForAmazonSSM_AccountDiscovery"}}, 200},
		{"CreateServiceLinkedRole-autoscaling-plans.xml", "CreateServiceLinkedRole",
			url.Values{"AWSServiceName": {"autoscaling-plans.amazonaws.com"}, "Description": {"plans"}}, 200},
		{"CreateServiceLinkedRole-ses-suffix.xml", "CreateServiceLinkedRole",
			url.Values{"AWSServiceName": {"ses.amazonaws.com"}, "CustomSuffix": {"testsuffix"}}, 400},
		{"DeleteServiceLinkedRole.xml", "DeleteServiceLinkedRole",
			url.Values{"RoleName": {"AWSServiceRoleForIncidentManager"}}, 200},
	})
	_, body := w.call("DeleteServiceLinkedRole", url.Values{"RoleName": {"AWSServiceRoleForAutoScalingPlans_EC2AutoScaling"}})
	task := between(body, "<DeletionTaskId>", "</DeletionTaskId>")
	w.run([]goldenStep{
		{"GetServiceLinkedRoleDeletionStatus.xml", "GetServiceLinkedRoleDeletionStatus",
			url.Values{"DeletionTaskId": {task}}, 200},
	})
}

// A policy ARN that is not an ARN at all: attaching answers ValidationError "Invalid ARN:
// Could not be parsed!", a permissions boundary InvalidInput "ARN <x> is not valid.". A user
// and a role with a boundary carry the type PermissionsBoundaryPolicy.
func TestPolicyARNAndBoundaryWire(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	const trust = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`
	const boundary = "arn:aws:iam::aws:policy/PowerUserAccess"
	w.call("CreateUser", url.Values{"UserName": {"alice"}})
	w.call("CreateGroup", url.Values{"GroupName": {"devs"}})
	w.call("CreateRole", url.Values{"RoleName": {"app"}, "AssumeRolePolicyDocument": {trust}})
	w.run([]goldenStep{
		{"AttachUserPolicy-unparsable.xml", "AttachUserPolicy",
			url.Values{"UserName": {"alice"}, "PolicyArn": {"longpolicynamebutnoarn"}}, 400},
		{"AttachGroupPolicy-unparsable.xml", "AttachGroupPolicy",
			url.Values{"GroupName": {"devs"}, "PolicyArn": {"longpolicynamebutnoarn"}}, 400},
		{"AttachRolePolicy-unparsable.xml", "AttachRolePolicy",
			url.Values{"RoleName": {"app"}, "PolicyArn": {"longpolicynamebutnoarn"}}, 400},
		{"GetPolicy-unparsable.xml", "GetPolicy",
			url.Values{"PolicyArn": {"service-role/AWSLambdaBasicExecutionRole"}}, 400},
		{"AttachRolePolicy-notapolicy.xml", "AttachRolePolicy",
			url.Values{"RoleName": {"app"}, "PolicyArn": {"arn:aws:iam::123456789012:role/app"}}, 400},
		{"PutUserPermissionsBoundary-unparsable.xml", "PutUserPermissionsBoundary",
			url.Values{"UserName": {"alice"}, "PermissionsBoundary": {"garbage"}}, 400},
	})
	w.call("PutUserPermissionsBoundary", url.Values{"UserName": {"alice"}, "PermissionsBoundary": {boundary}})
	w.call("PutRolePermissionsBoundary", url.Values{"RoleName": {"app"}, "PermissionsBoundary": {boundary}})
	w.run([]goldenStep{
		{"GetUser-boundary.xml", "GetUser", url.Values{"UserName": {"alice"}}, 200},
		{"GetRole-boundary.xml", "GetRole", url.Values{"RoleName": {"app"}}, 200},
		{"ListUsers-boundary.xml", "ListUsers", nil, 200},
		{"GetAccountAuthorizationDetails-boundary.xml", "GetAccountAuthorizationDetails",
			url.Values{"Filter.member.1": {"User"}, "Filter.member.2": {"Role"}}, 200},
	})
}

// ListServiceSpecificCredentials carries no IsTruncated on a whole list.
func TestServiceSpecificCredentialsWire(t *testing.T) {
	t.Parallel()
	w := newWire(t)
	w.call("CreateUser", url.Values{"UserName": {"gina"}})
	w.run([]goldenStep{
		{"ListServiceSpecificCredentials-empty.xml", "ListServiceSpecificCredentials", url.Values{"UserName": {"gina"}}, 200},
	})
	w.call("CreateServiceSpecificCredential", url.Values{"UserName": {"gina"}, "ServiceName": {"codecommit.amazonaws.com"}})
	w.run([]goldenStep{
		{"ListServiceSpecificCredentials.xml", "ListServiceSpecificCredentials", url.Values{"UserName": {"gina"}}, 200},
	})
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}
