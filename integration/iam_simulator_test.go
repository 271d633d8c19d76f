package integration

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/iam/types"

	"github.com/iamlocal/iamlocal/emulator/emulatortest"
)

// The IAM policy simulator through aws-sdk-go-v2 and boto3: SimulatePrincipalPolicy,
// SimulateCustomPolicy, GetContextKeysForPrincipalPolicy and GetContextKeysForCustomPolicy (IAM
// API Reference; IAM User Guide, "Testing IAM policies with the IAM policy simulator").

const simUserPolicy = `{
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "Read",
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": "*"
        },
        {
            "Sid": "OfficeHours",
            "Effect": "Allow",
            "Action": "dynamodb:*",
            "Resource": "arn:aws:dynamodb:us-east-1:123456789012:table/${aws:username}",
            "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2018-08-16T12:00:00Z"}}
        }
    ]
}`

func simStatements(list []types.Statement) string {
	var out []string
	for _, s := range list {
		out = append(out, fmt.Sprintf("%s|%s|%d:%d-%d:%d", aws.ToString(s.SourcePolicyId), s.SourcePolicyType,
			s.StartPosition.Line, s.StartPosition.Column, s.EndPosition.Line, s.EndPosition.Column))
	}
	return strings.Join(out, ",")
}

func TestIAMSimulatorSDK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := rpClient(t)
	_, err := c.CreateUser(ctx, &iam.CreateUserInput{UserName: aws.String("dana")})
	rpOK(t, err)
	_, err = c.PutUserPolicy(ctx, &iam.PutUserPolicyInput{UserName: aws.String("dana"), PolicyName: aws.String("data"), PolicyDocument: aws.String(simUserPolicy)})
	rpOK(t, err)
	_, err = c.CreateGroup(ctx, &iam.CreateGroupInput{GroupName: aws.String("ops")})
	rpOK(t, err)
	_, err = c.AttachGroupPolicy(ctx, &iam.AttachGroupPolicyInput{GroupName: aws.String("ops"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AmazonSQSReadOnlyAccess")})
	rpOK(t, err)
	_, err = c.AddUserToGroup(ctx, &iam.AddUserToGroupInput{GroupName: aws.String("ops"), UserName: aws.String("dana")})
	rpOK(t, err)
	dana := "arn:aws:iam::123456789012:user/dana"

	// Paged through the SDK paginator, MaxItems 2 over four actions.
	pages := iam.NewSimulatePrincipalPolicyPaginator(c, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(dana),
		ActionNames: []string{"s3:GetObject", "sqs:ListQueues", "ec2:RunInstances", "dynamodb:GetItem"}, MaxItems: aws.Int32(2)})
	var got []string
	n := 0
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		rpOK(t, err)
		n++
		for _, r := range out.EvaluationResults {
			got = append(got, fmt.Sprintf("%s %s %s [%s] missing=%v", aws.ToString(r.EvalActionName), aws.ToString(r.EvalResourceName),
				r.EvalDecision, simStatements(r.MatchedStatements), r.MissingContextValues))
		}
	}
	want := []string{
		"s3:GetObject * allowed [user_dana_data|IAM Policy|3:19-9:10] missing=[]",
		"sqs:ListQueues * allowed [AmazonSQSReadOnlyAccess|IAM Policy|1:38-1:254] missing=[]",
		"ec2:RunInstances * implicitDeny [] missing=[]",
		"dynamodb:GetItem * implicitDeny [] missing=[aws:username]",
	}
	if n != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("%d pages:\n%s\nwant:\n%s", n, strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Context entries fill the variable and the condition; a resource ARN gives resource-specific results.
	table := "arn:aws:dynamodb:us-east-1:123456789012:table/dana"
	out, err := c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(dana),
		ActionNames: []string{"dynamodb:GetItem"}, ResourceArns: []string{table, "arn:aws:dynamodb:us-east-1:123456789012:table/other"},
		ContextEntries: []types.ContextEntry{
			{ContextKeyName: aws.String("aws:username"), ContextKeyType: types.ContextKeyTypeEnumString, ContextKeyValues: []string{"dana"}},
			{ContextKeyName: aws.String("aws:CurrentTime"), ContextKeyType: types.ContextKeyTypeEnumDate, ContextKeyValues: []string{"2025-01-01T00:00:00Z"}},
		}})
	rpOK(t, err)
	r := out.EvaluationResults[0]
	if r.EvalDecision != types.PolicyEvaluationDecisionTypeImplicitDeny || len(r.ResourceSpecificResults) != 2 {
		t.Fatalf("result = %+v", r)
	}
	rs := r.ResourceSpecificResults
	if aws.ToString(rs[0].EvalResourceName) != table || rs[0].EvalResourceDecision != types.PolicyEvaluationDecisionTypeAllowed ||
		simStatements(rs[0].MatchedStatements) != "user_dana_data|IAM Policy|9:10-16:10" || rs[1].EvalResourceDecision != types.PolicyEvaluationDecisionTypeImplicitDeny {
		t.Errorf("resource results = %s %s [%s], %s", aws.ToString(rs[0].EvalResourceName), rs[0].EvalResourceDecision,
			simStatements(rs[0].MatchedStatements), rs[1].EvalResourceDecision)
	}

	// A boundary given as input limits the user's policies.
	out, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(dana),
		ActionNames:                        []string{"s3:GetObject", "sqs:ListQueues"},
		PermissionsBoundaryPolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`}})
	rpOK(t, err)
	for i, want := range []bool{true, false} {
		d := out.EvaluationResults[i].PermissionsBoundaryDecisionDetail
		if d == nil || d.AllowedByPermissionsBoundary != want {
			t.Errorf("%s boundary detail = %+v", aws.ToString(out.EvaluationResults[i].EvalActionName), d)
		}
	}

	// A custom policy with a resource policy and a caller.
	cout, err := c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:*","Resource":"*"}]}`},
		ActionNames:     []string{"s3:GetObject", "s3:DeleteObject"}, ResourceArns: []string{"arn:aws:s3:::shared/report"},
		CallerArn: aws.String(dana),
		ResourcePolicy: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + dana + `"},"Action":"s3:*","Resource":"arn:aws:s3:::shared/*"},` +
			`{"Effect":"Deny","Principal":"*","Action":"s3:DeleteObject","Resource":"*"}]}`)})
	rpOK(t, err)
	if a, b := cout.EvaluationResults[0], cout.EvaluationResults[1]; a.EvalDecision != types.PolicyEvaluationDecisionTypeAllowed ||
		simStatements(a.MatchedStatements) != "ResourcePolicy|Resource Policy|1:38-1:165" ||
		b.EvalDecision != types.PolicyEvaluationDecisionTypeExplicitDeny || simStatements(b.MatchedStatements) != "ResourcePolicy|Resource Policy|1:165-1:241" {
		t.Errorf("custom = %s [%s], %s [%s]", a.EvalDecision, simStatements(a.MatchedStatements), b.EvalDecision, simStatements(b.MatchedStatements))
	}

	keys, err := c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(dana),
		PolicyInputList: []string{`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}}}}`}})
	rpOK(t, err)
	if !reflect.DeepEqual(keys.ContextKeyNames, []string{"aws:username", "aws:CurrentTime", "aws:SourceIp"}) {
		t.Errorf("principal keys = %q", keys.ContextKeyNames)
	}
	ckeys, err := c.GetContextKeysForCustomPolicy(ctx, &iam.GetContextKeysForCustomPolicyInput{PolicyInputList: []string{simUserPolicy}})
	rpOK(t, err)
	if !reflect.DeepEqual(ckeys.ContextKeyNames, []string{"aws:username", "aws:CurrentTime"}) {
		t.Errorf("custom keys = %q", ckeys.ContextKeyNames)
	}

	_, err = c.SimulatePrincipalPolicy(ctx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:iam::123456789012:role/none"), ActionNames: []string{"s3:GetObject"}})
	rpErr(t, err, "NoSuchEntity", "The role with name none cannot be found.")
	_, err = c.GetContextKeysForPrincipalPolicy(ctx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String("arn:aws:sts::123456789012:assumed-role/r/s")})
	rpErr(t, err, "InvalidInput", "Invalid Entity Arn: arn:aws:sts::123456789012:assumed-role/r/s does not clearly define entity type and name.")
	_, err = c.SimulateCustomPolicy(ctx, &iam.SimulateCustomPolicyInput{PolicyInputList: []string{`{"Version":"2012-10-17"}`}, ActionNames: []string{"s3:GetObject"}})
	rpErr(t, err, "MalformedPolicyDocument", "")
}

// boto3 replays the AWS CLI reference examples of simulate-custom-policy and
// get-context-keys-for-custom-policy and pages simulate_principal_policy.
func TestIAMSimulatorBoto3(t *testing.T) {
	t.Parallel()
	srv := emulatortest.New(t)
	out := runBoto3(t, srv, srv.Root.AccessKeyID, srv.Root.SecretAccessKey, `
import boto3, json
iam = boto3.client("iam")
doc = '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"*","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2018-08-16T12:00:00Z"}}}}'
for when in ["2019-04-25T11:00:00Z", "2014-04-25T11:00:00Z"]:
    r = iam.simulate_custom_policy(PolicyInputList=[doc], ActionNames=["dynamodb:CreateBackup"],
        ContextEntries=[{"ContextKeyName": "aws:CurrentTime", "ContextKeyValues": [when], "ContextKeyType": "date"}])["EvaluationResults"][0]
    m = r["MatchedStatements"]
    print(r["EvalDecision"], [(s["SourcePolicyId"], s["StartPosition"]["Line"], s["StartPosition"]["Column"], s["EndPosition"]["Column"]) for s in m], r["MissingContextValues"])
keys = iam.get_context_keys_for_custom_policy(PolicyInputList=['{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"dynamodb:*","Resource":"arn:aws:dynamodb:us-west-2:123456789012:table/${aws:username}","Condition":{"DateGreaterThan":{"aws:CurrentTime":"2015-08-16T12:00:00Z"}}}}'])
print(keys["ContextKeyNames"])
iam.create_user(UserName="eve")
iam.put_user_policy(UserName="eve", PolicyName="p", PolicyDocument=json.dumps({"Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
pages = iam.get_paginator("simulate_principal_policy").paginate(PolicySourceArn="arn:aws:iam::123456789012:user/eve",
    ActionNames=["s3:GetObject", "iam:CreateUser", "s3:PutObject"], PaginationConfig={"PageSize": 1})
print([(r["EvalActionName"], r["EvalDecision"]) for page in pages for r in page["EvaluationResults"]])
`)
	want := []string{
		"allowed [('PolicyInputList.1', 1, 38, 167)] []",
		"implicitDeny [] []",
		"['aws:username', 'aws:CurrentTime']",
		"[('s3:GetObject', 'allowed'), ('iam:CreateUser', 'implicitDeny'), ('s3:PutObject', 'allowed')]",
	}
	if got := strings.Split(out, "\n"); !reflect.DeepEqual(got, want) {
		t.Errorf("boto3 output:\n%s\nwant:\n%s", out, strings.Join(want, "\n"))
	}
}
