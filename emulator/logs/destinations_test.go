package logs

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
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
