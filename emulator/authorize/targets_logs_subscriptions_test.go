package authorize

import (
	"testing"

	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
)

// Subscription filter actions name the log group (Service Authorization Reference: log-group
// required); resource policy actions have no resource type, so they check "*" even with a
// resourceArn; destination actions name the destination; a subscription filter or destination
// with a role also passes it to CloudWatch Logs.
func TestLogsSubscriptionAndPolicyChecks(t *testing.T) {
	t.Parallel()
	const group = "arn:aws:logs:us-east-1:123456789012:log-group:g:log-stream:"
	const role = "arn:aws:iam::123456789012:role/cwl"
	tests := []struct {
		name string
		op   string
		in   any
		want []check // action, resource and passed service only
	}{
		{"put filter to lambda", "PutSubscriptionFilter", &logsapi.PutSubscriptionFilterRequest{LogGroupName: protocol.Ptr("g"),
			DestinationArn: protocol.Ptr("arn:aws:lambda:us-east-1:123456789012:function:f")},
			[]check{{action: "logs:PutSubscriptionFilter", resource: group}}},
		{"put filter with a role", "PutSubscriptionFilter", &logsapi.PutSubscriptionFilterRequest{LogGroupName: protocol.Ptr("g"),
			DestinationArn: protocol.Ptr("arn:aws:kinesis:us-east-1:123456789012:stream/s"), RoleArn: protocol.Ptr(role)},
			[]check{{action: "logs:PutSubscriptionFilter", resource: group}, {action: "iam:PassRole", resource: role}}},
		{"describe filters", "DescribeSubscriptionFilters", &logsapi.DescribeSubscriptionFiltersRequest{LogGroupName: protocol.Ptr("g")},
			[]check{{action: "logs:DescribeSubscriptionFilters", resource: group}}},
		{"delete filter", "DeleteSubscriptionFilter", &logsapi.DeleteSubscriptionFilterRequest{LogGroupName: protocol.Ptr("g"), FilterName: protocol.Ptr("f")},
			[]check{{action: "logs:DeleteSubscriptionFilter", resource: group}}},
		{"put resource policy on a group", "PutResourcePolicy", &logsapi.PutResourcePolicyRequest{PolicyName: protocol.Ptr("p"),
			ResourceArn: protocol.Ptr("arn:aws:logs:us-east-1:123456789012:log-group:g")},
			[]check{{action: "logs:PutResourcePolicy", resource: "*"}}},
		{"put destination", "PutDestination", &logsapi.PutDestinationRequest{DestinationName: protocol.Ptr("d"),
			TargetArn: protocol.Ptr("arn:aws:kinesis:us-east-1:123456789012:stream/s"), RoleArn: protocol.Ptr(role)},
			[]check{{action: "logs:PutDestination", resource: "arn:aws:logs:us-east-1:123456789012:destination:d"}, {action: "iam:PassRole", resource: role}}},
		{"put destination policy", "PutDestinationPolicy", &logsapi.PutDestinationPolicyRequest{DestinationName: protocol.Ptr("d"), AccessPolicy: protocol.Ptr("{}")},
			[]check{{action: "logs:PutDestinationPolicy", resource: "arn:aws:logs:us-east-1:123456789012:destination:d"}}},
		{"describe destinations", "DescribeDestinations", &logsapi.DescribeDestinationsRequest{},
			[]check{{action: "logs:DescribeDestinations", resource: "*"}}},
		{"describe resource policies", "DescribeResourcePolicies", &logsapi.DescribeResourcePoliciesRequest{},
			[]check{{action: "logs:DescribeResourcePolicies", resource: "*"}}},
		{"delete resource policy", "DeleteResourcePolicy", &logsapi.DeleteResourcePolicyRequest{PolicyName: protocol.Ptr("p")},
			[]check{{action: "logs:DeleteResourcePolicy", resource: "*"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			caller := reqctx.Caller{Type: reqctx.User, Account: "123456789012", UserName: "alice", ARN: "arn:aws:iam::123456789012:user/alice"}
			e := &env{account: "123456789012", region: "us-east-1", partition: "aws", caller: caller}
			got := checksFor("logs", tt.op, tt.in, e)
			if len(got) != len(tt.want) {
				t.Fatalf("%d checks, want %d: %+v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				if got[i].action != w.action || got[i].resource != w.resource {
					t.Errorf("check %d: %s on %s, want %s on %s", i, got[i].action, got[i].resource, w.action, w.resource)
				}
			}
			if len(got) == 2 && got[1].ctx["iam:PassedToService"][0] != "logs.amazonaws.com" {
				t.Errorf("PassRole context %v", got[1].ctx)
			}
		})
	}
}
