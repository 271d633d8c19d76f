package lint

import "testing"

// The policies of the AWS Lambda Developer Guide page "Using Identity-Based Policies (IAM
// Policies) for AWS Lambda" (the seed of iamlocal), verbatim, "account-id" and "region" as the
// page writes them. IAM stores every one of them; the lint finds the page's slips.
func TestSeedPagePolicies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		doc  string
		want []wantFinding
	}{
		{"permissions policy example", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CreateFunctionPermissions", "Effect": "Allow", "Action": [ "lambda:CreateFunction" ], "Resource": "*" }, { "Sid": "PermissionToPassAnyRole", "Effect": "Allow", "Action": [ "iam:PassRole" ], "Resource": "arn:aws:iam::account-id:role/*" } ] }`,
			[]wantFinding{{issueARNAccount, Error, "The resource ARN account ID account-id is not valid. Provide a 12-digit account ID."},
				{"PASS_ROLE_WITH_STAR_IN_RESOURCE", SecurityWarning, ""}}},
		{"step 2", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "ListExistingFunctions", "Effect": "Allow", "Action": [ "lambda:ListFunctions" ], "Resource": "*" } ] }`, nil},
		{"step 3", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "DisplayFunctionDetailsPermissions", "Effect": "Allow", "Action": [ "lambda:ListVersionsByFunction", "lambda:ListAliases", "lambda:GetFunction", "lambda:GetFunctionConfiguration", "lambda:ListEventSourceMapping", "lambda:GetPolicy" ], "Resource": "*" } ] }`,
			[]wantFinding{{issueInvalidAction, Error, "The action lambda:ListEventSourceMapping does not exist. Did you mean lambda:ListEventSourceMappings?"}}},
		{"step 4", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "InvokePermission", "Effect": "Allow", "Action": [ "lambda:InvokeFunction" ], "Resource": "*" } ] }`, nil},
		{"step 5 metrics", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchPermission", "Effect": "Allow", "Action": [ "cloudwatch:GetMetricStatistics" ], "Resource": "*" } ] }`, nil},
		{"step 5 logs", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchLogsPerms", "Effect": "Allow", "Action": [ "cloudwatchlog:DescribeLogGroups", "cloudwatchlog:DescribeLogStreams", "cloudwatchlog:GetLogEvents" ], "Resource": "arn:aws:logs:region:account-id:log-group:/aws/lambda/*" } ] }`,
			[]wantFinding{
				{issueInvalidServiceInAct, Error, "The service cloudwatchlog:DescribeLogGroups specified in the action does not exist. Did you mean logs:DescribeLogGroups?"},
				{issueInvalidServiceInAct, Error, ""}, {issueInvalidServiceInAct, Error, ""},
				{issueARNAccount, Error, ""}}},
		// The same statement with the prefix put right: DescribeLogGroups still grants nothing
		// on a log group's ARN.
		{"step 5 logs corrected", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CloudWatchLogsPerms", "Effect": "Allow", "Action": [ "logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:GetLogEvents" ], "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*" } ] }`,
			[]wantFinding{{issueResourceMismatch, Error, ""}}},
		{"step 6", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "ListExistingRolesAndPolicies", "Effect": "Allow", "Action": [ "iam:ListRolePolicies", "iam:ListRoles" ], "Resource": "*" }, { "Sid": "CreateFunctionPermissions", "Effect": "Allow", "Action": [ "lambda:CreateFunction" ], "Resource": "*" }, { "Sid": "PermissionToPassAnyRole", "Effect": "Allow", "Action": [ "iam:PassRole" ], "Resource": "arn:aws:iam::account-id:role/*" } ] }`,
			[]wantFinding{{issueARNAccount, Error, ""}, {"PASS_ROLE_WITH_STAR_IN_RESOURCE", SecurityWarning, ""}}},
		// The page gives this one as a bare statement; wrapped in a policy, iam:CreatePolicy on
		// role ARNs grants nothing.
		{"step 6 CreateARole", `{ "Version": "2012-10-17", "Statement": [ { "Sid": "CreateARole", "Effect": "Allow", "Action": [ "iam:CreateRole", "iam:CreatePolicy", "iam:AttachRolePolicy" ], "Resource": "arn:aws:iam::account-id:role/*" } ] }`,
			[]wantFinding{{issueARNAccount, Error, ""},
				{issueResourceMismatch, Error, "The action iam:CreatePolicy cannot match any resource of the statement: it is authorized on arn:${Partition}:iam::${Account}:policy/${PolicyNameWithPath}. Add a resource of that form, or move the action to a statement of its own."}}},
		{"step 6 CreateARole as the page gives it", `{ "Sid": "CreateARole", "Effect": "Allow", "Action": [ "iam:CreateRole", "iam:CreatePolicy", "iam:AttachRolePolicy" ], "Resource": "arn:aws:iam::account-id:role/*" }`,
			[]wantFinding{{issueInvalidElement, Error, "The policy element Sid is not valid."}, {issueInvalidElement, Error, ""}, {issueInvalidElement, Error, ""}, {issueInvalidElement, Error, ""},
				{issueMissingVersion, Warning, ""}, {issueMissingStatement, Error, ""}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkFindings(t, Check(tt.doc, Options{}), tt.want)
		})
	}
}
