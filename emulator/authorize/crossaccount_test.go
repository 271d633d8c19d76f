package authorize

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/emulator/reqctx"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/storage"
	"github.com/iamlocal/iamlocal/storage/storagetest"
)

const (
	acctA    = "123456789012"
	acctB    = "111111111111"
	fnOfB    = "arn:aws:lambda:us-east-1:111111111111:function:"
	layerOfB = "arn:aws:lambda:us-east-1:111111111111:layer:lib:"
)

// crossAccountAuthorizer serves accounts A and B, with users of A (admin may do anything,
// nobody has no policy) and stand-ins for Lambda's hooks: B's functions "open" (its policy
// grants A lambda:*), "invoke" (lambda:InvokeFunction) and "none" (no policy); B's layer
// version lib:1 is shared with everyone, lib:2 with no one.
func crossAccountAuthorizer(t *testing.T) func() *Authorizer {
	t.Helper()
	db := storagetest.Open(t)
	allowAll := `{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}`
	if err := db.Update(acctA, func(tx *storage.Tx) error {
		return errors.Join(storage.Users(tx).Put("admin", storage.UserRecord{Name: "admin", Path: "/"}),
			storage.InlinePolicies(tx).Put(storage.Join(storage.KindUser, "admin", "all"), storage.InlinePolicyRecord{Name: "all", Document: allowAll}),
			storage.Users(tx).Put("nobody", storage.UserRecord{Name: "nobody", Path: "/"}))
	}); err != nil {
		t.Fatal(err)
	}
	grant := func(fn, action string) string {
		return `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"a","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"` +
			action + `","Resource":"` + fnOfB + fn + `"}]}`
	}
	functions := map[string]string{fnOfB + "open": grant("open", "lambda:*"), fnOfB + "invoke": grant("invoke", "lambda:InvokeFunction")}
	layers := map[string]string{layerOfB + "1": `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"all","Effect":"Allow","Principal":"*","Action":"lambda:GetLayerVersion","Resource":"` + layerOfB + `1"}]}`}
	return func() *Authorizer {
		return New(Options{DB: db, Accounts: []string{acctA, acctB},
			FunctionPolicy: func(tx *storage.Tx, arn string) (string, error) {
				if tx.Account() != acctA {
					t.Errorf("FunctionPolicy read from %s's transaction", tx.Account())
				}
				return functions[arn], nil
			},
			FunctionTags:       func(*storage.Tx, string) (map[string]string, error) { return nil, nil },
			LayerVersionPolicy: func(_ *storage.Tx, arn string) (string, error) { return layers[arn], nil },
		})
	}
}

// A Lambda resource of another account is reached only when the caller's own policies allow
// the action and the owner's resource-based policy grants it too ("Cross-account policy
// evaluation logic"); the owner's function policy counts only for the actions Lambda serves
// across accounts, its layer version permissions only for lambda:GetLayerVersion. The
// decision log keeps each side's decision.
func TestCrossAccountLambda(t *testing.T) {
	t.Parallel()
	newAuthorizer := crossAccountAuthorizer(t)
	root := reqctx.Caller{Type: reqctx.Account, Account: acctA, ARN: "arn:aws:iam::123456789012:root", UserID: acctA}
	user := func(name string) reqctx.Caller {
		return reqctx.Caller{Type: reqctx.User, Account: acctA, UserName: name, ARN: "arn:aws:iam::123456789012:user/" + name, UserID: "AIDA" + name}
	}
	admin, nobody := user("admin"), user("nobody")
	fn := func(name string) *string { return protocol.Ptr(fnOfB + name) }
	layers := func(arns ...string) *lambdaapi.CreateFunctionRequest {
		return &lambdaapi.CreateFunctionRequest{FunctionName: protocol.Ptr("mine"), Layers: arns}
	}
	tests := []struct {
		name   string
		caller reqctx.Caller
		op     string
		in     any
		denial string        // "" when allowed; else the expected message, or its end after "..."
		cross  *CrossAccount // the recorded sides of the last decision, nil for none
	}{
		{"root without the owner's grant", root, "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: fn("none")},
			"User: arn:aws:iam::123456789012:root is not authorized to perform: lambda:GetFunction on resource: " + fnOfB + "none because no resource-based policy allows the lambda:GetFunction action",
			&CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"admin without the owner's grant", admin, "DeleteFunction", &lambdaapi.DeleteFunctionRequest{FunctionName: fn("none")},
			"...because no resource-based policy allows the lambda:DeleteFunction action", &CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"admin invokes with an account grant", admin, "Invoke", &lambdaapi.InvocationRequest{FunctionName: fn("invoke")},
			"", &CrossAccount{acctB, "Allow", "Allow"}},
		{"the grant names only invoke", admin, "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: fn("invoke")},
			"...because no resource-based policy allows the lambda:GetFunction action", &CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"the account grant needs the user's identity allow", nobody, "Invoke", &lambdaapi.InvocationRequest{FunctionName: fn("invoke")},
			"User: arn:aws:iam::123456789012:user/nobody is not authorized to perform: lambda:InvokeFunction on resource: " + fnOfB + "invoke because no resource-based policy allows the lambda:InvokeFunction action",
			&CrossAccount{acctB, "ImplicitDeny", "Allow"}},
		{"lambda:* grants DeleteFunction", admin, "DeleteFunction", &lambdaapi.DeleteFunctionRequest{FunctionName: fn("open")},
			"", &CrossAccount{acctB, "Allow", "Allow"}},
		{"root tags with lambda:*", root, "TagResource", &lambdaapi.TagResourceRequest{Resource: fn("open")},
			"", &CrossAccount{acctB, "Allow", "Allow"}},
		{"tagging without the owner's grant", root, "TagResource", &lambdaapi.TagResourceRequest{Resource: fn("none")},
			"...because no resource-based policy allows the lambda:TagResource action", &CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"no grant reaches AddPermission", admin, "AddPermission", &lambdaapi.AddPermissionRequest{FunctionName: fn("open")},
			"...because no resource-based policy allows the lambda:AddPermission action", &CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"no grant reaches UpdateFunctionConfiguration", root, "UpdateFunctionConfiguration",
			&lambdaapi.UpdateFunctionConfigurationRequest{FunctionName: fn("open")},
			"...because no resource-based policy allows the lambda:UpdateFunctionConfiguration action", &CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"no function is created in another account", root, "CreateFunction", &lambdaapi.CreateFunctionRequest{FunctionName: fn("open")},
			"...because no resource-based policy allows the lambda:CreateFunction action", &CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"a shared layer version", admin, "GetLayerVersionByArn", &lambdaapi.GetLayerVersionByArnRequest{Arn: protocol.Ptr(layerOfB + "1")},
			"", &CrossAccount{acctB, "Allow", "Allow"}},
		{"an unshared layer version", root, "GetLayerVersion",
			&lambdaapi.GetLayerVersionRequest{LayerName: protocol.Ptr(strings.TrimSuffix(layerOfB, ":")), VersionNumber: protocol.Ptr(int64(2))},
			"...lambda:GetLayerVersion on resource: " + layerOfB + "2 because no resource-based policy allows the lambda:GetLayerVersion action",
			&CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"layer versions shares only GetLayerVersion", admin, "DeleteLayerVersion",
			&lambdaapi.DeleteLayerVersionRequest{LayerName: protocol.Ptr(strings.TrimSuffix(layerOfB, ":")), VersionNumber: protocol.Ptr(int64(1))},
			"...because no resource-based policy allows the lambda:DeleteLayerVersion action", &CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"a function using a shared layer version", admin, "CreateFunction", layers(layerOfB + "1"),
			"", &CrossAccount{acctB, "Allow", "Allow"}},
		{"a function using an unshared layer version", root, "CreateFunction", layers(layerOfB+"1", layerOfB+"2"),
			"...lambda:GetLayerVersion on resource: " + layerOfB + "2 because no resource-based policy allows the lambda:GetLayerVersion action",
			&CrossAccount{acctB, "Allow", "ImplicitDeny"}},
		{"a layer of an account iamlocal does not serve", admin, "CreateFunction",
			layers("arn:aws:lambda:us-east-1:580247275435:layer:LambdaInsightsExtension:55"), "", nil},
		{"the caller's own function", nobody, "GetFunction", &lambdaapi.GetFunctionRequest{FunctionName: protocol.Ptr("mine")},
			"...lambda:GetFunction on resource: arn:aws:lambda:us-east-1:123456789012:function:mine because no identity-based policy allows the lambda:GetFunction action", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newAuthorizer()
			info := &reqctx.Info{Service: "lambda", Region: "us-east-1", Partition: "aws", Now: time.Unix(1700000000, 0), RequestID: "r", Caller: tt.caller}
			err := a.Authorize(context.Background(), info, Lambda, tt.op, tt.in)
			d, denied := awserr.AsDenial(err)
			switch {
			case err != nil && !denied:
				t.Fatalf("error %v", err)
			case tt.denial == "" && denied:
				t.Fatalf("denied: %s", d.Message)
			case tt.denial != "" && !denied:
				t.Fatalf("allowed, want %s", tt.denial)
			case denied && strings.HasPrefix(tt.denial, "...") && !strings.HasSuffix(d.Message, tt.denial[3:]),
				denied && !strings.HasPrefix(tt.denial, "...") && d.Message != tt.denial:
				t.Fatalf("message\n got  %s\n want %s", d.Message, tt.denial)
			}
			log := a.Log().Snapshot()
			last := log[len(log)-1]
			if (last.CrossAccount == nil) != (tt.cross == nil) || tt.cross != nil && *last.CrossAccount != *tt.cross {
				t.Errorf("recorded sides %+v, want %+v", last.CrossAccount, tt.cross)
			}
			if tt.denial != "" && tt.cross != nil && last.DecidedBy != "resource" {
				t.Errorf("decided by %q, want resource", last.DecidedBy)
			}
		})
	}
}
