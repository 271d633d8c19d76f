package integration

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"

	"github.com/iamlocal/iamlocal/emulator/authorize"
	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// IAM stores the seed page's step 3 policy as AWS does, unknown action and all; the decision
// log's entry for the write says what the lint found in it.
func TestStoredPolicyFindingsReachTheDecisionLog(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	ctx := context.Background()
	root := iam.NewFromConfig(srv.AWSConfig(ctx))
	must[*iam.CreateUserOutput](t)(root.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("walker")}))
	must[*iam.PutUserPolicyOutput](t)(root.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("walker"), PolicyName: aws.String("details"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"lambda:ListEventSourceMapping","Resource":"*"}]}`)}))
	resp, err := http.Get(srv.URL + "/_iamlocal/decisions")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var log struct{ Decisions []authorize.Decision }
	if err := json.NewDecoder(resp.Body).Decode(&log); err != nil {
		t.Fatal(err)
	}
	var put, create *authorize.Decision
	for i, d := range log.Decisions {
		switch d.Action {
		case "iam:PutUserPolicy":
			put = &log.Decisions[i]
		case "iam:CreateUser":
			create = &log.Decisions[i]
		}
	}
	if put == nil || create == nil {
		t.Fatalf("decisions %+v", log.Decisions)
	}
	if len(put.PolicyFindings) != 1 || !strings.HasPrefix(put.PolicyFindings[0], "ERROR INVALID_ACTION user/walker/details line 1 column ") ||
		!strings.Contains(put.PolicyFindings[0], "lambda:ListEventSourceMappings") {
		t.Errorf("PutUserPolicy's findings %q", put.PolicyFindings)
	}
	if len(create.PolicyFindings) != 0 {
		t.Errorf("CreateUser's findings %q", create.PolicyFindings)
	}
}
