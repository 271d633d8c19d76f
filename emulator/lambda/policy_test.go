package lambda

import (
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/authz"
	"github.com/iamlocal/iamlocal/storage"
)

// AddPermission statements as Lambda builds them: the API Reference's AddPermission example
// (s3 with SourceAccount and SourceArn) and the recorded test_add_lambda_permission_fields
// answers (wildcard, account, service, optional fields, Alexa skill token).
func TestAddPermissionStatements(t *testing.T) {
	e := newEnv(t)
	e.create("my-function")
	res := fnARN + "my-function"
	cases := []struct {
		name string
		in   lambdaapi.AddPermissionRequest
		want string
	}{
		{"s3 with source", lambdaapi.AddPermissionRequest{StatementId: ptr("s3"), Action: ptr("lambda:InvokeFunction"), Principal: ptr("s3.amazonaws.com"),
			SourceAccount: ptr("123456789012"), SourceArn: ptr("arn:aws:s3:::my-bucket-1xpuxmplzrlbh")},
			`{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + res + `","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::my-bucket-1xpuxmplzrlbh"}}}`},
		{"wildcard", lambdaapi.AddPermissionRequest{StatementId: ptr("wilcard"), Action: ptr("lambda:InvokeFunction"), Principal: ptr("*"), SourceAccount: ptr("123456789012")},
			`{"Sid":"wilcard","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + res + `","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"}}}`},
		{"account", lambdaapi.AddPermissionRequest{StatementId: ptr("xaccount"), Action: ptr("lambda:InvokeFunction"), Principal: ptr("223456789012")},
			`{"Sid":"xaccount","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:root"},"Action":"lambda:InvokeFunction","Resource":"` + res + `"}`},
		{"user arn", lambdaapi.AddPermissionRequest{StatementId: ptr("user"), Action: ptr("lambda:GetFunction"), Principal: ptr("arn:aws:iam::223456789012:user/bob")},
			`{"Sid":"user","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::223456789012:user/bob"},"Action":"lambda:GetFunction","Resource":"` + res + `"}`},
		{"optional fields", lambdaapi.AddPermissionRequest{StatementId: ptr("urlPermission"), Action: ptr("lambda:InvokeFunctionUrl"), Principal: ptr("*"),
			SourceArn: ptr("arn:aws:s3:::b"), SourceAccount: ptr("123456789012"), PrincipalOrgID: ptr("o-1234567890"), FunctionUrlAuthType: ptr("NONE")},
			`{"Sid":"urlPermission","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"` + res + `","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE","aws:PrincipalOrgID":"o-1234567890","AWS:SourceAccount":"123456789012"},"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"}}}`},
		{"alexa", lambdaapi.AddPermissionRequest{StatementId: ptr("alexaSkill"), Action: ptr("lambda:InvokeFunction"), Principal: ptr("*"),
			EventSourceToken: ptr("amzn1.ask.skill.x")},
			`{"Sid":"alexaSkill","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"` + res + `","Condition":{"StringEquals":{"lambda:EventSourceToken":"amzn1.ask.skill.x"}}}`},
	}
	var all []string
	for _, c := range cases {
		in := c.in
		in.FunctionName = ptr("my-function")
		out, err := e.s.AddPermission(e.ctx, &in)
		ok(t, err)
		if deref(out.Statement) != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, deref(out.Statement), c.want)
		}
		all = append(all, c.want)
	}
	pol, err := e.s.GetPolicy(e.ctx, &lambdaapi.GetPolicyRequest{FunctionName: ptr("my-function")})
	ok(t, err)
	if want := policyDocument(all); deref(pol.Policy) != want {
		t.Errorf("policy = %s", deref(pol.Policy))
	}
	if _, err := authz.Parse(deref(pol.Policy), authz.KindResource); err != nil {
		t.Errorf("policy does not parse as a resource policy: %v", err)
	}
	fc, err := e.s.GetFunctionConfiguration(e.ctx, &lambdaapi.GetFunctionConfigurationRequest{FunctionName: ptr("my-function")})
	ok(t, err)
	if deref(pol.RevisionId) != deref(fc.RevisionId) {
		t.Errorf("policy revision %s, function revision %s", deref(pol.RevisionId), deref(fc.RevisionId))
	}
}

// The refusals of the permission operations, with the recorded texts
// (TestLambdaPermissions::test_permission_exceptions, test_remove_multi_permissions).
func TestPermissionErrors(t *testing.T) {
	e := newEnv(t)
	e.create("p", func(in *lambdaapi.CreateFunctionRequest) { in.Publish = ptr(true) })
	add := func(fn, q, sid, principal, rev string) error {
		_, err := e.s.AddPermission(e.ctx, &lambdaapi.AddPermissionRequest{FunctionName: ptr(fn), Qualifier: ptrOrNil(q), StatementId: ptr(sid),
			Action: ptr("lambda:InvokeFunction"), Principal: ptr(principal), RevisionId: ptrOrNil(rev)})
		return err
	}
	remove := func(fn, q, sid string) error {
		_, err := e.s.RemovePermission(e.ctx, &lambdaapi.RemovePermissionRequest{FunctionName: ptr(fn), Qualifier: ptrOrNil(q), StatementId: ptr(sid)})
		return err
	}
	_, err := e.s.GetPolicy(e.ctx, &lambdaapi.GetPolicyRequest{FunctionName: ptr("p")})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)
	wantErr(t, remove("p", "", "s3"), "ResourceNotFoundException", "No policy is associated with the given resource.")
	ok(t, add("p", "", "s3", "s3.amazonaws.com", ""))
	wantErr(t, add("p", "", "s3", "s3.amazonaws.com", ""), "ResourceConflictException",
		"The statement id (s3) provided already exists. Please provide a new statement id, or remove the existing statement.")
	wantErr(t, add("p", "$LATEST", "x", "*", ""), "InvalidParameterValueException", "We currently do not support adding policies for $LATEST.")
	wantErr(t, add("p", "", "x", "not a principal", ""), "InvalidParameterValueException", "The provided principal was invalid. Please check the principal and try again.")
	wantErr(t, add("doesnotexist", "", "x", "*", ""), "ResourceNotFoundException", "Function not found: "+fnARN+"doesnotexist")
	wantErr(t, add("p", "42", "x", "*", ""), "ResourceNotFoundException", "Function not found: "+fnARN+"p:42")
	wantErr(t, add("p", "alias-doesnotexist", "x", "*", ""), "ResourceNotFoundException", "Cannot find alias arn: "+fnARN+"p:alias-doesnotexist")
	wantErr(t, add("p:1", "2", "x", "*", ""), "InvalidParameterValueException", msgQualifierDiffer)
	wantErr(t, add("p", "", "x", "*", "wrong"), "PreconditionFailedException", msgPolicyRevision)
	wantErr(t, remove("doesnotexist", "", "s3"), "ResourceNotFoundException", "No policy found for: "+fnARN+"doesnotexist")
	wantErr(t, remove("p", "", "non-existent"), "ResourceNotFoundException", "Statement non-existent is not found in resource policy.")
	// A version's policy is its own; its statements name the qualified ARN.
	ok(t, add("p", "1", "v1", "sns.amazonaws.com", ""))
	v1, err := e.s.GetPolicy(e.ctx, &lambdaapi.GetPolicyRequest{FunctionName: ptr("p"), Qualifier: ptr("1")})
	ok(t, err)
	if want := policyDocument([]string{`{"Sid":"v1","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"` + fnARN + `p:1"}`}); deref(v1.Policy) != want {
		t.Errorf("version policy = %s", deref(v1.Policy))
	}
	ok(t, remove("p", "", "s3"))
	_, err = e.s.GetPolicy(e.ctx, &lambdaapi.GetPolicyRequest{FunctionName: ptr("p")})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)
	_, err = e.s.GetPolicy(e.ctx, &lambdaapi.GetPolicyRequest{FunctionName: ptr("p"), Qualifier: ptr("7")})
	wantErr(t, err, "ResourceNotFoundException", msgNoResource)
}

// FunctionPolicy and FunctionTags, the authorizer's view: the qualifier's policy when there
// is one, else the function's; nothing for another account's ARN.
func TestFunctionPolicyAndTagsForAuthorizer(t *testing.T) {
	e := newEnv(t)
	e.create("auth", func(in *lambdaapi.CreateFunctionRequest) {
		in.Publish = ptr(true)
		in.Tags = map[string]string{"team": "blue"}
	})
	_, err := e.s.AddPermission(e.ctx, &lambdaapi.AddPermissionRequest{FunctionName: ptr("auth"), StatementId: ptr("fn"), Action: ptr("lambda:InvokeFunction"), Principal: ptr("*")})
	ok(t, err)
	_, err = e.s.AddPermission(e.ctx, &lambdaapi.AddPermissionRequest{FunctionName: ptr("auth"), Qualifier: ptr("1"), StatementId: ptr("v1"), Action: ptr("lambda:InvokeFunction"), Principal: ptr("*")})
	ok(t, err)
	err = e.db.ViewRegion(acct, region, func(tx *storage.Tx) error {
		cases := map[string]string{
			fnARN + "auth":         `"Sid":"fn"`,
			fnARN + "auth:1":       `"Sid":"v1"`,
			fnARN + "auth:$LATEST": `"Sid":"fn"`,
			"auth:live":            `"Sid":"fn"`,
			fnARN + "none":         "",
			"arn:aws:lambda:us-east-1:210987654321:function:auth": "",
		}
		for arn, want := range cases {
			doc, err := FunctionPolicy(tx, arn)
			if err != nil {
				return err
			}
			if want == "" && doc != "" || want != "" && !contains(doc, want) {
				t.Errorf("FunctionPolicy(%s) = %s, want %s", arn, doc, want)
			}
		}
		tags, err := FunctionTags(tx, fnARN+"auth:1")
		if tags["team"] != "blue" {
			t.Errorf("tags = %v", tags)
		}
		none, _ := FunctionTags(tx, fnARN+"none")
		if none != nil {
			t.Errorf("tags of a missing function = %v", none)
		}
		return err
	})
	ok(t, err)
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
