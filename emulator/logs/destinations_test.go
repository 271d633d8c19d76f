package logs

import (
	"context"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
)

// Destinations ("PutDestination", "PutDestinationPolicy", API Reference): a put creates or
// replaces target and role, keeping the access policy; the policy must be JSON; describe
// lists by name prefix in pages; delete removes, and a second delete finds nothing.
func TestDestinations(t *testing.T) {
	t.Parallel()
	s, ctx := newService(t)
	const kinesis, firehose = "arn:aws:kinesis:us-east-1:123456789012:stream/s", "arn:aws:firehose:us-east-1:123456789012:deliverystream/f"
	const role = "arn:aws:iam::123456789012:role/CWLtoKinesisRole"
	put := func(name, target string) logsapi.Destination {
		t.Helper()
		out, err := s.PutDestination(ctx, &logsapi.PutDestinationRequest{DestinationName: protocol.Ptr(name),
			TargetArn: protocol.Ptr(target), RoleArn: protocol.Ptr(role)})
		if err != nil {
			t.Fatal(err)
		}
		return *out.Destination
	}
	d := put("central", kinesis)
	if protocol.Val(d.Arn) != "arn:aws:logs:us-east-1:123456789012:destination:central" || protocol.Val(d.CreationTime) != now.UnixMilli() ||
		d.AccessPolicy != nil {
		t.Fatalf("created: %+v", d)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"logs:PutSubscriptionFilter","Resource":"arn:aws:logs:us-east-1:123456789012:destination:central"}]}`
	if _, err := s.PutDestinationPolicy(ctx, &logsapi.PutDestinationPolicyRequest{DestinationName: protocol.Ptr("central"), AccessPolicy: &policy}); err != nil {
		t.Fatal(err)
	}
	if d := put("central", firehose); protocol.Val(d.TargetArn) != firehose || protocol.Val(d.AccessPolicy) != policy {
		t.Errorf("an update keeps the policy: %+v", d)
	}
	put("other", kinesis)
	for _, tc := range []struct {
		name string
		in   logsapi.PutDestinationPolicyRequest
		want string
	}{
		{"not JSON", logsapi.PutDestinationPolicyRequest{DestinationName: protocol.Ptr("central"), AccessPolicy: protocol.Ptr("{")}, "InvalidParameterException"},
		{"no such destination", logsapi.PutDestinationPolicyRequest{DestinationName: protocol.Ptr("nope"), AccessPolicy: protocol.Ptr("{}")}, "ResourceNotFoundException"},
	} {
		if _, err := s.PutDestinationPolicy(ctx, &tc.in); code(err) != tc.want {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	page, err := s.DescribeDestinations(ctx, &logsapi.DescribeDestinationsRequest{Limit: protocol.Ptr(int32(1))})
	if err != nil || len(page.Destinations) != 1 || protocol.Val(page.Destinations[0].DestinationName) != "central" || page.NextToken == nil {
		t.Fatalf("first page: %v %+v", err, page)
	}
	rest, err := s.DescribeDestinations(ctx, &logsapi.DescribeDestinationsRequest{NextToken: page.NextToken})
	if err != nil || len(rest.Destinations) != 1 || protocol.Val(rest.Destinations[0].DestinationName) != "other" {
		t.Fatalf("next page: %v %+v", err, rest)
	}
	if got, _ := s.DescribeDestinations(ctx, &logsapi.DescribeDestinationsRequest{DestinationNamePrefix: protocol.Ptr("oth")}); len(got.Destinations) != 1 {
		t.Errorf("by prefix: %+v", got)
	}
	if _, err := s.DeleteDestination(ctx, &logsapi.DeleteDestinationRequest{DestinationName: protocol.Ptr("other")}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeleteDestination(ctx, &logsapi.DeleteDestinationRequest{DestinationName: protocol.Ptr("other")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("deleting twice: %v", err)
	}
	if got, _ := s.DescribeDestinations(regionCtx("eu-west-1"), &logsapi.DescribeDestinationsRequest{}); len(got.Destinations) != 0 {
		t.Errorf("another region: %+v", got)
	}
}

// Another account subscribes to a destination only when its access policy allows it, with
// AWS's AccessDeniedException otherwise (aws/aws-cli#4422); a destination of an account
// iamlocal does not hold is stored unchecked.
func TestSubscribingToAnotherAccountsDestination(t *testing.T) {
	t.Parallel()
	s, owner := newService(t)
	other := reqctx.With(context.Background(), &reqctx.Info{Region: "us-east-1", Now: now,
		Caller: reqctx.Caller{Type: reqctx.Account, Account: "210987654321", ARN: "arn:aws:iam::210987654321:root"}})
	const destARN = "arn:aws:logs:us-east-1:123456789012:destination:central"
	if _, err := s.PutDestination(owner, &logsapi.PutDestinationRequest{DestinationName: protocol.Ptr("central"),
		TargetArn: protocol.Ptr("arn:aws:kinesis:us-east-1:123456789012:stream/s"), RoleArn: protocol.Ptr("arn:aws:iam::123456789012:role/r")}); err != nil {
		t.Fatal(err)
	}
	mustGroup(t, s, other, "app")
	subscribe := func(dest string) error {
		_, err := s.PutSubscriptionFilter(other, putFilterReq("app", "to-central", "", dest))
		return err
	}
	allow := func(account string) {
		t.Helper()
		doc := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + account +
			`"},"Action":"logs:PutSubscriptionFilter","Resource":"` + destARN + `"}]}`
		if _, err := s.PutDestinationPolicy(owner, &logsapi.PutDestinationPolicyRequest{DestinationName: protocol.Ptr("central"), AccessPolicy: &doc}); err != nil {
			t.Fatal(err)
		}
	}
	const denied = "User with accountId: 210987654321 is not authorized to perform: logs:PutSubscriptionFilter on resource: " + destARN
	if err := subscribe(destARN); code(err) != "AccessDeniedException" || !strings.Contains(err.Error(), denied) {
		t.Errorf("no access policy: %v", err)
	}
	allow("111122223333")
	if err := subscribe(destARN); code(err) != "AccessDeniedException" {
		t.Errorf("a policy for another account: %v", err)
	}
	allow("210987654321")
	if err := subscribe(destARN); err != nil {
		t.Errorf("a policy for the subscriber: %v", err)
	}
	if err := subscribe("arn:aws:logs:us-east-1:999999999999:destination:elsewhere"); err != nil {
		t.Errorf("a destination iamlocal does not hold: %v", err)
	}
}
