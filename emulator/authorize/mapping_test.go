package authorize

import (
	"reflect"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

// sampleValues fills string members by name, so every operation names its resources.
var sampleValues = map[string]string{
	"UserName": "alice", "GroupName": "devs", "RoleName": "app", "PolicyArn": "arn:aws:iam::123456789012:policy/p",
	"PolicyName": "p", "InstanceProfileName": "ip", "FunctionName": "fn", "Qualifier": "live",
	"RoleArn": "arn:aws:iam::123456789012:role/app", "LayerName": "lib", "UUID": "0000-1111",
	"SerialNumber": "arn:aws:iam::123456789012:mfa/alice", "VirtualMFADeviceName": "alice",
	"OpenIDConnectProviderArn": "arn:aws:iam::123456789012:oidc-provider/token.example.com",
	"SAMLProviderArn":          "arn:aws:iam::123456789012:saml-provider/idp", "ServerCertificateName": "cert",
	"Name": "fed", "Url": "https://token.example.com", "AWSServiceName": "lambda.amazonaws.com",
	"CodeSigningConfigArn": "arn:aws:lambda:us-east-1:123456789012:code-signing-config:csc-1",
	"Arn":                  "arn:aws:lambda:us-east-1:123456789012:layer:lib:3", "Role": "arn:aws:iam::123456789012:role/app",
	"CapacityProviderName": "cp", "DurableExecutionArn": "arn:aws:lambda:us-east-1:123456789012:function:fn:1/durable-execution/e/1",
	"Resource": "arn:aws:lambda:us-east-1:123456789012:function:fn", "TargetPrincipal": "123456789012",
}

func fill(in any) any {
	v := reflect.ValueOf(in).Elem()
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		name := v.Type().Field(i).Name
		if s, ok := sampleValues[name]; ok && f.Type() == reflect.TypeOf((*string)(nil)) {
			f.Set(reflect.ValueOf(protocol.Ptr(s)))
		}
	}
	return in
}

// Every modelled operation of the three services maps to at least one check whose action is in
// the Service Authorization Reference, and operations whose action has resource-level
// permissions name a resource rather than "*".
func TestEveryOperationIsMapped(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	noAction := map[string]bool{"iam:UpdateDelegationRequest": true} // modelled, absent from the reference
	// A durable-execution callback names only its callback id; which execution it belongs to is
	// state iamlocal does not hold, so it is authorized against "*".
	starOK := map[string]bool{"SendDurableExecutionCallbackFailure": true, "SendDurableExecutionCallbackHeartbeat": true,
		"SendDurableExecutionCallbackSuccess": true}
	for _, svc := range []struct {
		name string
		ops  []protocol.Operation
	}{{"iam", iamapi.Operations(iamapi.Unimplemented{})}, {"sts", stsapi.Operations(stsapi.Unimplemented{})},
		{"lambda", lambdaapi.Operations(lambdaapi.Unimplemented{})}} {
		for _, op := range svc.ops {
			_ = db.View("123456789012", func(tx *storage.Tx) error {
				e := &env{tx: tx, account: "123456789012", region: "us-east-1", partition: "aws",
					caller: reqctx.Caller{Type: reqctx.User, Account: "123456789012", UserName: "alice", ARN: "arn:aws:iam::123456789012:user/alice"}}
				checks := checksFor(svc.name, op.Name(), fill(op.NewInput()), e)
				if len(checks) == 0 {
					t.Errorf("%s:%s: no checks", svc.name, op.Name())
					return nil
				}
				c := checks[0]
				info := lookupAction(c.action)
				if !noAction[c.action] && len(info.ResourceTypes) == 0 && len(info.ConditionKeys) == 0 && !knownAction(c.action) {
					t.Errorf("%s:%s: action %s is not in the reference", svc.name, op.Name(), c.action)
				}
				if info.resourceType() != "" && c.resource == "*" && !strings.HasPrefix(op.Name(), "List") && !starOK[op.Name()] {
					t.Errorf("%s:%s: %s has resource type %q but maps to *", svc.name, op.Name(), c.action, info.resourceType())
				}
				return nil
			})
		}
	}
}

func knownAction(action string) bool {
	_, ok := actions()[strings.ToLower(action)]
	return ok
}

func TestChecks(t *testing.T) {
	t.Parallel()
	db := storagetest.Open(t)
	_ = db.Update("123456789012", func(tx *storage.Tx) error {
		_ = storage.Users(tx).Put("bob", storage.UserRecord{Name: "bob", Path: "/eng/", Tags: []storage.Tag{{Key: "team", Value: "red"}},
			Boundary: "arn:aws:iam::123456789012:policy/b"})
		_ = storage.Roles(tx).Put("app", storage.RoleRecord{Name: "app", Path: "/svc/"})
		return nil
	})
	alice := reqctx.Caller{Type: reqctx.User, Account: "123456789012", UserName: "alice", ARN: "arn:aws:iam::123456789012:user/alice"}
	tests := []struct {
		service, op string
		in          any
		want        []check // action, resource, text and the listed ctx keys are compared
	}{
		{"iam", "GetUser", &iamapi.GetUserRequest{}, []check{{action: "iam:GetUser", resource: "arn:aws:iam::123456789012:user/alice", text: "user alice"}}},
		{"iam", "GetUser", &iamapi.GetUserRequest{UserName: protocol.Ptr("bob")}, []check{{action: "iam:GetUser",
			resource: "arn:aws:iam::123456789012:user/eng/bob", text: "user bob", ctx: map[string][]string{"aws:ResourceTag/team": {"red"}, "iam:ResourceTag/team": {"red"}}}}},
		// IAM list actions are authorized against the listed kind's path prefix.
		{"iam", "ListRoles", &iamapi.ListRolesRequest{PathPrefix: protocol.Ptr("/svc/")}, []check{{action: "iam:ListRoles", resource: "arn:aws:iam::123456789012:role/svc/", text: "arn:aws:iam::123456789012:role/svc/"}}},
		{"iam", "CreateUser", &iamapi.CreateUserRequest{UserName: protocol.Ptr("carol"), Path: protocol.Ptr("/x/"),
			PermissionsBoundary: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess"), Tags: []iamapi.Tag{{Key: protocol.Ptr("k"), Value: protocol.Ptr("v")}}},
			[]check{{action: "iam:CreateUser", resource: "arn:aws:iam::123456789012:user/x/carol", text: "arn:aws:iam::123456789012:user/x/carol",
				ctx: map[string][]string{"iam:PermissionsBoundary": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}, "aws:RequestTag/k": {"v"}, "aws:TagKeys": {"k"}}}}},
		{"iam", "AttachUserPolicy", &iamapi.AttachUserPolicyRequest{UserName: protocol.Ptr("bob"), PolicyArn: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")},
			[]check{{action: "iam:AttachUserPolicy", resource: "arn:aws:iam::123456789012:user/eng/bob", text: "user bob",
				ctx: map[string][]string{"iam:PolicyARN": {"arn:aws:iam::aws:policy/ReadOnlyAccess"}, "iam:PermissionsBoundary": {"arn:aws:iam::123456789012:policy/b"}}}}},
		{"iam", "GetPolicy", &iamapi.GetPolicyRequest{PolicyArn: protocol.Ptr("arn:aws:iam::aws:policy/ReadOnlyAccess")},
			[]check{{action: "iam:GetPolicy", resource: "arn:aws:iam::aws:policy/ReadOnlyAccess", text: "policy arn:aws:iam::aws:policy/ReadOnlyAccess"}}},
		{"iam", "UpdateUser", &iamapi.UpdateUserRequest{UserName: protocol.Ptr("bob"), NewUserName: protocol.Ptr("robert")},
			[]check{{action: "iam:UpdateUser", resource: "arn:aws:iam::123456789012:user/eng/bob", text: "user bob"},
				{action: "iam:UpdateUser", resource: "arn:aws:iam::123456789012:user/eng/robert", text: "user robert"}}},
		{"iam", "CreateServiceLinkedRole", &iamapi.CreateServiceLinkedRoleRequest{AWSServiceName: protocol.Ptr("elasticbeanstalk.amazonaws.com")},
			[]check{{action: "iam:CreateServiceLinkedRole", resource: "arn:aws:iam::123456789012:role/aws-service-role/elasticbeanstalk.amazonaws.com/",
				text: "arn:aws:iam::123456789012:role/aws-service-role/elasticbeanstalk.amazonaws.com/", ctx: map[string][]string{"iam:AWSServiceName": {"elasticbeanstalk.amazonaws.com"}}}}},
		// sts:AssumeRole is checked with the trust policy, plus TagSession/SetSourceIdentity.
		{"sts", "AssumeRole", &stsapi.AssumeRoleRequest{RoleArn: protocol.Ptr("arn:aws:iam::123456789012:role/svc/app"), RoleSessionName: protocol.Ptr("s1"),
			ExternalId: protocol.Ptr("ext"), SourceIdentity: protocol.Ptr("me"), Tags: []stsapi.Tag{{Key: protocol.Ptr("p"), Value: protocol.Ptr("q")}}},
			[]check{{action: "sts:AssumeRole", resource: "arn:aws:iam::123456789012:role/svc/app", text: "arn:aws:iam::123456789012:role/svc/app",
				ctx: map[string][]string{"sts:ExternalId": {"ext"}, "sts:RoleSessionName": {"s1"}, "sts:SourceIdentity": {"me"}, "aws:RequestTag/p": {"q"}}},
				{action: "sts:TagSession", resource: "arn:aws:iam::123456789012:role/svc/app", text: "arn:aws:iam::123456789012:role/svc/app"},
				{action: "sts:SetSourceIdentity", resource: "arn:aws:iam::123456789012:role/svc/app", text: "arn:aws:iam::123456789012:role/svc/app"}}},
		// Lambda keeps the qualifier, maps Invoke to lambda:InvokeFunction, and asks for
		// iam:PassRole with iam:PassedToService when a function gets a role.
		{"lambda", "Invoke", &lambdaapi.InvocationRequest{FunctionName: protocol.Ptr("fn"), Qualifier: protocol.Ptr("live")},
			[]check{{action: "lambda:InvokeFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:fn:live", text: "arn:aws:lambda:us-east-1:123456789012:function:fn:live"}}},
		{"lambda", "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("arn:aws:lambda:us-east-1:123456789012:function:fn")},
			[]check{{action: "lambda:GetFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:fn", text: "arn:aws:lambda:us-east-1:123456789012:function:fn"}}},
		{"lambda", "ListFunctions", &lambdaapi.ListFunctionsRequest{}, []check{{action: "lambda:ListFunctions", resource: "*", text: "*"}}},
		{"lambda", "CreateFunction", &lambdaapi.CreateFunctionRequest{FunctionName: protocol.Ptr("fn"), Role: protocol.Ptr("arn:aws:iam::123456789012:role/svc/app"),
			Layers: []string{"arn:aws:lambda:us-east-1:123456789012:layer:lib:3"}},
			[]check{{action: "lambda:CreateFunction", resource: "arn:aws:lambda:us-east-1:123456789012:function:fn", text: "arn:aws:lambda:us-east-1:123456789012:function:fn",
				ctx: map[string][]string{"lambda:Layer": {"arn:aws:lambda:us-east-1:123456789012:layer:lib:3"}}},
				{action: "iam:PassRole", resource: "arn:aws:iam::123456789012:role/svc/app", text: "arn:aws:iam::123456789012:role/svc/app",
					ctx: map[string][]string{"iam:PassedToService": {"lambda.amazonaws.com"}}},
				{action: "lambda:GetLayerVersion", resource: "arn:aws:lambda:us-east-1:123456789012:layer:lib:3", text: "arn:aws:lambda:us-east-1:123456789012:layer:lib:3"}}},
		{"lambda", "AddPermission", &lambdaapi.AddPermissionRequest{FunctionName: protocol.Ptr("fn"), Principal: protocol.Ptr("s3.amazonaws.com")},
			[]check{{action: "lambda:AddPermission", resource: "arn:aws:lambda:us-east-1:123456789012:function:fn", text: "arn:aws:lambda:us-east-1:123456789012:function:fn",
				ctx: map[string][]string{"lambda:Principal": {"s3.amazonaws.com"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.service+":"+tt.op, func(t *testing.T) {
			t.Parallel()
			_ = db.View("123456789012", func(tx *storage.Tx) error {
				e := &env{tx: tx, account: "123456789012", region: "us-east-1", partition: "aws", caller: alice}
				got := checksFor(tt.service, tt.op, tt.in, e)
				if len(got) != len(tt.want) {
					t.Fatalf("%d checks, want %d: %+v", len(got), len(tt.want), got)
				}
				for i, w := range tt.want {
					g := got[i]
					if g.action != w.action || g.resource != w.resource || g.text != w.text {
						t.Errorf("check %d = %s %s %q, want %s %s %q", i, g.action, g.resource, g.text, w.action, w.resource, w.text)
					}
					for k, v := range w.ctx {
						if !reflect.DeepEqual(g.ctx[k], v) {
							t.Errorf("check %d ctx[%s] = %v, want %v", i, k, g.ctx[k], v)
						}
					}
				}
				return nil
			})
		})
	}
}
