package authorize

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/api/logsapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/arn"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
)

// The checks name resources in the request's partition, and a Lambda function as
// arn.ResolveFunction reads it for the handler: the authorizer decides on the function the
// handler acts on, and keeps what the text names when the handler will refuse it.
func TestChecksFollowPartitionAndResolver(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("f", 65)
	tests := []struct {
		name      string
		partition string
		service   string
		op        string
		in        any
		resource  string
		trust     *roleRef
	}{
		{"iam user", "aws-us-gov", "iam", "CreateUser", &iamapi.CreateUserRequest{UserName: protocol.Ptr("u")},
			"arn:aws-us-gov:iam::123456789012:user/u", nil},
		{"iam list prefix", "aws-cn", "iam", "ListPolicies", &iamapi.ListPoliciesRequest{PathPrefix: protocol.Ptr("/a/")},
			"arn:aws-cn:iam::123456789012:policy/a/", nil},
		{"federated user", "aws-us-gov", "sts", "GetFederationToken", &stsapi.GetFederationTokenRequest{Name: protocol.Ptr("f")},
			"arn:aws-us-gov:sts::123456789012:federated-user/f", nil},
		{"assume role of the partition", "aws-us-gov", "sts", "AssumeRole", &stsapi.AssumeRoleRequest{RoleArn: protocol.Ptr("arn:aws-us-gov:iam::210987654321:role/p/R")},
			"arn:aws-us-gov:iam::210987654321:role/p/R", &roleRef{Scope: arn.Scope{Partition: "aws-us-gov", Account: "210987654321"}, name: "R"}},
		{"assume role of another partition", "aws-us-gov", "sts", "AssumeRole", &stsapi.AssumeRoleRequest{RoleArn: protocol.Ptr("arn:aws:iam::210987654321:role/R")},
			"arn:aws:iam::210987654321:role/R", nil},
		{"function name", "aws-us-gov", "lambda", "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("fn"), Qualifier: protocol.Ptr("1")},
			"arn:aws-us-gov:lambda:us-east-1:123456789012:function:fn:1", nil},
		{"partial ARN of another account", "aws", "lambda", "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("210987654321:function:fn")},
			"arn:aws:lambda:us-east-1:210987654321:function:fn", nil},
		{"ARN of another partition names this one's function", "aws", "lambda", "GetFunction",
			&lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("arn:aws-cn:lambda:us-east-1:123456789012:function:fn")},
			"arn:aws:lambda:us-east-1:123456789012:function:fn", nil},
		{"ARN of another region stays", "aws", "lambda", "GetFunction",
			&lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("arn:aws:lambda:eu-west-1:123456789012:function:fn"), Qualifier: protocol.Ptr("2")},
			"arn:aws:lambda:eu-west-1:123456789012:function:fn:2", nil},
		{"qualifiers that differ keep the name's", "aws", "lambda", "GetFunction",
			&lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("fn:1"), Qualifier: protocol.Ptr("2")},
			"arn:aws:lambda:us-east-1:123456789012:function:fn:1", nil},
		{"name too long", "aws", "lambda", "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr(long)},
			"arn:aws:lambda:us-east-1:123456789012:function:" + long, nil},
		{"layer", "aws-us-gov", "lambda", "GetLayerVersion", &lambdaapi.GetLayerVersionRequest{LayerName: protocol.Ptr("lib"), VersionNumber: protocol.Ptr(int64(3))},
			"arn:aws-us-gov:lambda:us-east-1:123456789012:layer:lib:3", nil},
		{"layer version ARN as the handler reads it", "aws", "lambda", "GetLayerVersionByArn",
			&lambdaapi.GetLayerVersionByArnRequest{Arn: protocol.Ptr("arn:aws:lambda:us-east-1:210987654321:layer:lib:03")},
			"arn:aws:lambda:us-east-1:210987654321:layer:lib:3", nil},
		{"event source mapping", "aws-us-gov", "lambda", "GetEventSourceMapping", &lambdaapi.GetEventSourceMappingRequest{UUID: protocol.Ptr("u-1")},
			"arn:aws-us-gov:lambda:us-east-1:123456789012:event-source-mapping:u-1", nil},
		{"log stream", "aws-us-gov", "logs", "GetLogEvents",
			&logsapi.GetLogEventsRequest{LogGroupIdentifier: protocol.Ptr("arn:aws-us-gov:logs:us-east-1:123456789012:log-group:/g:*"), LogStreamName: protocol.Ptr("s")},
			"arn:aws-us-gov:logs:us-east-1:123456789012:log-group:/g:log-stream:s", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			caller := reqctx.Caller{Type: reqctx.User, Account: "123456789012", UserName: "alice", ARN: "arn:" + tt.partition + ":iam::123456789012:user/alice"}
			e := &env{account: "123456789012", region: "us-east-1", partition: tt.partition, caller: caller}
			c := checksFor(tt.service, tt.op, tt.in, e)[0]
			if c.resource != tt.resource {
				t.Errorf("resource %s, want %s", c.resource, tt.resource)
			}
			if (c.trustRole == nil) != (tt.trust == nil) || c.trustRole != nil && *c.trustRole != *tt.trust {
				t.Errorf("trust role %+v, want %+v", c.trustRole, tt.trust)
			}
		})
	}
}
