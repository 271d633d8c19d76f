package integration

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

// From a test run to a least-privilege policy: a run made by an administrator is recorded, the
// policy suggested for it is attached to a fresh user, and the same run passes as that user —
// while a call the run did not make stays denied.
func TestSuggestedPolicyLetsTheSameRunPass(t *testing.T) {
	t.Parallel()
	f := newLambdaFixture(t)
	ctx := f.ctx
	rootIAM := iam.NewFromConfig(f.srv.AWSConfig(ctx))
	userConfig := func(name, policyARN, inline string) aws.Config {
		must[*iam.CreateUserOutput](t)(rootIAM.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String(name)}))
		if policyARN != "" {
			must[*iam.AttachUserPolicyOutput](t)(rootIAM.AttachUserPolicy(ctx, &iam.AttachUserPolicyInput{UserName: aws.String(name), PolicyArn: aws.String(policyARN)}))
		}
		if inline != "" {
			must[*iam.PutUserPolicyOutput](t)(rootIAM.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String(name),
				PolicyName: aws.String("suggested"), PolicyDocument: aws.String(inline)}))
		}
		key := must[*iam.CreateAccessKeyOutput](t)(rootIAM.CreateAccessKey(ctx, &iam.CreateAccessKeyInput{UserName: aws.String(name)}))
		return f.srv.ConfigFor(*key.AccessKey.AccessKeyId, *key.AccessKey.SecretAccessKey, "")
	}
	// The run: deploy, read, invoke and remove a function with the execution role.
	run := func(cfg aws.Config) error {
		c := lambda.NewFromConfig(cfg)
		if _, err := c.CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String("orders"), Role: aws.String(f.role),
			Runtime: lambdatypes.RuntimePython312, Handler: aws.String("app.handler"),
			Code: &lambdatypes.FunctionCode{ZipFile: lambdaZip(t, "def handler(e, c):\n    return {'ok': True}\n")}}); err != nil {
			return err
		}
		if err := lambda.NewFunctionActiveV2Waiter(c).Wait(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("orders")}, 10*time.Second); err != nil {
			return err
		}
		if _, err := c.GetFunction(ctx, &lambda.GetFunctionInput{FunctionName: aws.String("orders")}); err != nil {
			return err
		}
		out, err := c.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("orders"), Payload: []byte(`{}`)})
		if err != nil {
			return err
		}
		if out.FunctionError != nil || string(out.Payload) != `{"ok": true}` {
			return errors.New("invoke: " + aws.ToString(out.FunctionError) + " " + string(out.Payload))
		}
		if _, err := c.ListFunctions(ctx, &lambda.ListFunctionsInput{}); err != nil {
			return err
		}
		if _, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{}); err != nil {
			return err
		}
		_, err = c.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("orders")})
		return err
	}
	if err := run(userConfig("admin", "arn:aws:iam::aws:policy/AdministratorAccess", "")); err != nil {
		t.Fatalf("the run as an administrator: %v", err)
	}

	resp, err := http.Get(f.srv.URL + "/_iamlocal/policy/suggest?principal=" + url.QueryEscape("arn:aws:iam::123456789012:user/admin"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	var got struct {
		Calls  int
		Policy json.RawMessage
	}
	if err := json.Unmarshal(body, &got); err != nil || resp.StatusCode != 200 {
		t.Fatalf("suggest: %d %s", resp.StatusCode, body)
	}
	var doc struct {
		Statement []struct {
			Action    any
			Resource  any
			Condition map[string]map[string][]string
		}
	}
	if err := json.Unmarshal(got.Policy, &doc); err != nil {
		t.Fatal(err)
	}
	passRoleNarrowed := false
	for _, st := range doc.Statement {
		if st.Action == "iam:PassRole" {
			passRoleNarrowed = st.Resource == f.role && st.Condition["StringEquals"]["iam:PassedToService"][0] == "lambda.amazonaws.com"
		}
		if st.Resource == "*" && st.Action != "lambda:ListFunctions" {
			t.Errorf("a statement grants %v on *", st.Action)
		}
	}
	if !passRoleNarrowed {
		t.Errorf("iam:PassRole is not limited to the role and to Lambda:\n%s", got.Policy)
	}

	least := userConfig("least", "", string(got.Policy))
	if err := run(least); err != nil {
		t.Fatalf("the same run with the suggested policy: %v\n%s", err, got.Policy)
	}
	if _, err := lambda.NewFromConfig(least).GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{}); !isAccessDenied(err) {
		t.Errorf("a call the run did not make: %v", err)
	}
	if _, err := lambda.NewFromConfig(least).Invoke(context.Background(), &lambda.InvokeInput{FunctionName: aws.String("other")}); !isAccessDenied(err) {
		t.Errorf("invoking another function: %v", err)
	}
}

func isAccessDenied(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "AccessDeniedException"
}
