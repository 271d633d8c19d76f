package lint

import "testing"

// Conditions, the PassRole and CreateServiceLinkedRole families and iamlocal's own checks.
func TestConditionAndSecurityChecks(t *testing.T) {
	t.Parallel()
	withCondition := func(action, condition string) string {
		return policy(`{"Effect": "Allow", "Action": ` + action + `, "Resource": "*", "Condition": ` + condition + `}`)
	}
	tests := []struct {
		name string
		opts Options
		doc  string
		want []wantFinding
	}{
		{"valid condition", Options{}, withCondition(`"lambda:CreateFunction"`, `{"StringEquals": {"lambda:Layer": "x", "aws:RequestedRegion": "us-east-1"}}`), nil},
		{"unknown operator", Options{}, withCondition(`"s3:GetObject"`, `{"StringEqual": {"aws:RequestedRegion": "us-east-1"}}`),
			[]wantFinding{{issueInvalidOperator, Error, "The condition operator StringEqual is not valid. Use a valid condition operator."}}},
		{"key without a service", Options{}, withCondition(`"s3:GetObject"`, `{"StringEquals": {"region": "us-east-1"}}`),
			[]wantFinding{{issueKeyFormat, Error, "The condition key format is not valid. Use the format service:keyname."}}},
		{"unknown global key", Options{}, withCondition(`"s3:GetObject"`, `{"StringEquals": {"aws:RequestRegion": "us-east-1"}}`),
			[]wantFinding{{issueInvalidGlobalKey, Error, "The condition key aws:RequestRegion does not exist. Use a valid condition key."}}},
		{"aws:ARN", Options{}, withCondition(`"s3:GetObject"`, `{"ArnEquals": {"aws:ARN": "arn:aws:iam::123456789012:root"}}`),
			[]wantFinding{{issueUnsupportedGlobal, Error, "The condition key aws:ARN is not supported. Use aws:PrincipalArn or aws:SourceArn instead."}}},
		{"unknown service in a key", Options{}, withCondition(`"s3:GetObject"`, `{"StringEquals": {"nosuchservice:Key": "v"}}`),
			[]wantFinding{{issueInvalidService, Error, "The service nosuchservice does not exist. Use a valid service name."}}},
		{"unknown key of a service", Options{}, withCondition(`"lambda:CreateFunction"`, `{"StringEquals": {"lambda:Layers": "x"}}`),
			[]wantFinding{{issueInvalidServiceKey, Error, "The condition key lambda:Layers does not exist in the service lambda. Use a valid condition key."}}},
		{"key the actions do not support", Options{}, withCondition(`["lambda:GetFunction", "lambda:CreateFunction", "lambda:List*"]`, `{"StringEquals": {"lambda:Layer": "x"}}`),
			[]wantFinding{{issueActionForKey, Error, "The following actions: lambda:GetFunction are not supported by the condition key lambda:Layer. The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key."}}},
		{"key of another service", Options{}, withCondition(`"lambda:CreateFunction"`, `{"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}`),
			[]wantFinding{{issueActionForKey, Error, ""}}},
		{"tag keys match their placeholder", Options{}, withCondition(`"lambda:GetFunction"`, `{"StringEquals": {"aws:ResourceTag/team": "blue", "aws:PrincipalTag/team": "blue"}}`), nil},
		{"null with IfExists", Options{}, withCondition(`"s3:GetObject"`, `{"NullIfExists": {"aws:MultiFactorAuthAge": "true"}}`),
			[]wantFinding{{issueNullIfExists, Error, "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix."}}},
		{"null with a qualifier", Options{}, withCondition(`"s3:GetObject"`, `{"ForAnyValue:Null": {"aws:TagKeys": "true"}}`),
			[]wantFinding{{issueNullQualifier, Suggestion, "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively."}}},
		{"wildcard without Like", Options{}, withCondition(`"s3:GetObject"`, `{"StringEquals": {"aws:PrincipalTag/job-category": "admin-*"}}`),
			[]wantFinding{{issueWildcardNoLike, Warning, "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like."}}},
		{"empty values", Options{}, withCondition(`"s3:GetObject"`, `{"StringEquals": {"aws:RequestedRegion": []}}`),
			[]wantFinding{{issueEmptyCondition, Suggestion, "There are no values for the condition key aws:RequestedRegion and it does not affect the policy. Specify conditions."}}},
		{"empty condition", Options{}, withCondition(`"s3:GetObject"`, `{}`),
			[]wantFinding{{issueEmptyCondObject, Suggestion, "This condition block is empty and it does not affect the policy. Specify conditions."}}},
		{"boolean", Options{}, withCondition(`"s3:GetObject"`, `{"Bool": {"aws:SecureTransport": "yes"}}`),
			[]wantFinding{{issueTypeBool, Warning, "Add a valid Boolean value (true or false) for the condition operator Bool."}}},
		{"number", Options{}, withCondition(`"s3:GetObject"`, `{"NumericLessThan": {"aws:MultiFactorAuthAge": "an hour"}}`),
			[]wantFinding{{issueTypeNumber, Warning, "Add a valid numeric value for the condition operator NumericLessThan."}}},
		{"date", Options{}, withCondition(`"s3:GetObject"`, `{"DateGreaterThan": {"aws:CurrentTime": "yesterday"}}`),
			[]wantFinding{{issueTypeDate, Warning, "The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format."}}},
		{"dates", Options{}, withCondition(`"s3:GetObject"`, `{"DateGreaterThan": {"aws:CurrentTime": ["2020-01-01", "2020-01-01T00:00:00Z", "1577836800"]}}`), nil},
		{"IP range", Options{}, withCondition(`"s3:GetObject"`, `{"IpAddress": {"aws:SourceIp": "203.0.113.0/33"}}`),
			[]wantFinding{{issueTypeIP, Error, "The condition operator IpAddress is used with an invalid IP range value. Specify the IP range in standard CIDR format."}}},
		{"identity provider keys", Options{Type: ResourcePolicy, ResourceType: RoleTrustPolicy},
			policy(`{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"oidc.example.com:aud": "app"}}}`), nil},

		// iam:PassRole: the seed page's "PermissionToPassAnyRole" is the first.
		{"PassRole on every role", Options{}, policy(`{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/*"}`),
			[]wantFinding{{"PASS_ROLE_WITH_STAR_IN_RESOURCE", SecurityWarning, "Using the iam:PassRole action with wildcards (*) in the resource can be overly permissive because it allows iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."}}},
		{"PassRole narrowed to a service", Options{}, policy(`{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "*", "Condition": {"StringEquals": {"iam:PassedToService": "lambda.amazonaws.com"}}}`), nil},
		{"PassRole of a role by name", Options{}, policy(`{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/lambda-exec"}`), nil},
		{"PassRole of a service's roles", Options{}, policy(`{"Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::123456789012:role/Service*"}`), nil},
		{"PassRole denied", Options{}, policy(`{"Effect": "Deny", "Action": "iam:PassRole", "Resource": "*"}`), nil},
		{"everything on everything", Options{}, policy(`{"Effect": "Allow", "Action": "*", "Resource": "*"}`),
			[]wantFinding{{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE", SecurityWarning, "Using wildcards (*) in the action and the resource can be overly permissive because it allows iam:PassRole permissions on all resources. We recommend that you specify resource ARNs or add the iam:PassedToService condition key to your statement."},
				{"CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE", Warning, "Using wildcards (*) in the action and the resource can allow creation of unintended service-linked roles because it allows iam:CreateServiceLinkedRole permissions on all resources. We recommend that you specify resource ARNs instead."}}},
		{"PassRole with NotResource", Options{}, policy(`{"Effect": "Allow", "Action": "iam:PassRole", "NotResource": "arn:aws:iam::123456789012:role/admin"}`),
			[]wantFinding{{"PASS_ROLE_WITH_NOT_RESOURCE", SecurityWarning, "Using the iam:PassRole action with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources. We recommend that you specify resource ARNs instead."}}},
		{"iam:* with NotResource", Options{}, policy(`{"Effect": "Allow", "Action": "iam:Pass*", "NotResource": "arn:aws:iam::123456789012:role/admin"}`),
			[]wantFinding{{"PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE", SecurityWarning, ""}}},
		{"NotAction and NotResource", Options{}, policy(`{"Effect": "Allow", "NotAction": "s3:*", "NotResource": "arn:aws:s3:::b"}`),
			[]wantFinding{{issueAllowNotAction, SecurityWarning, ""},
				{"PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE", SecurityWarning, "Using NotAction with NotResource can be overly permissive because it can allow iam:PassRole permissions on multiple resources.. We recommend that you specify resource ARNs instead."},
				{"CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE", Warning, ""}}},
		{"NotAction on every resource", Options{}, policy(`{"Effect": "Allow", "NotAction": "iam:CreateServiceLinkedRole", "Resource": "*"}`),
			[]wantFinding{{issueAllowNotAction, SecurityWarning, "Using Allow with NotAction can be overly permissive because it allows every action that is not listed, of every service, including actions added later. We recommend that you use Action instead."},
				{"PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", SecurityWarning, ""}}},
		{"NotAction excluding IAM", Options{}, policy(`{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}`),
			[]wantFinding{{issueAllowNotAction, SecurityWarning, ""}}},
		{"deny NotAction", Options{}, policy(`{"Effect": "Deny", "NotAction": "s3:GetObject", "Resource": "*"}`), nil},
		{"CreateServiceLinkedRole anywhere", Options{}, policy(`{"Effect": "Allow", "Action": "iam:CreateServiceLinkedRole", "Resource": "*"}`),
			[]wantFinding{{"CREATE_SLR_WITH_STAR_IN_RESOURCE", Warning, "Using the iam:CreateServiceLinkedRole action with wildcards (*) in the resource can allow creation of unintended service-linked roles. We recommend that you specify resource ARNs instead."}}},

		// Resources an action cannot match (iamlocal's own).
		{"DescribeLogGroups on a log group", Options{}, policy(`{"Effect": "Allow", "Action": ["logs:DescribeLogGroups", "logs:DescribeLogStreams", "logs:GetLogEvents"], "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/*"}`),
			[]wantFinding{{issueResourceMismatch, Error, "The action logs:DescribeLogGroups cannot match any resource of the statement: it is authorized on arn:${Partition}:logs:${Region}:${Account}:log-group::log-stream:. Add a resource of that form, or move the action to a statement of its own."}}},
		{"DescribeLogGroups on every group", Options{}, policy(`{"Effect": "Allow", "Action": "logs:DescribeLogGroups", "Resource": "arn:aws:logs:*:*:log-group:*"}`), nil},
		{"log group without its streams", Options{}, policy(`{"Effect": "Allow", "Action": "logs:DescribeLogStreams", "Resource": "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/f"}`),
			[]wantFinding{{issueResourceMismatch, Error, "The action logs:DescribeLogStreams cannot match any resource of the statement: it is authorized on arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:. Add a resource of that form, or move the action to a statement of its own."}}},
		{"function action on a role", Options{}, policy(`{"Effect": "Allow", "Action": "lambda:GetFunction", "Resource": "arn:aws:iam::123456789012:role/app"}`),
			[]wantFinding{{issueResourceMismatch, Error, ""}}},
		{"action without resource types on a function", Options{}, policy(`{"Effect": "Allow", "Action": "lambda:ListFunctions", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:f"}`),
			[]wantFinding{{issueResourceMismatch, Error, `The action lambda:ListFunctions cannot match any resource of the statement: it is authorized on "*" only (it has no resource-level permissions). Add a resource of that form, or move the action to a statement of its own.`}}},
		{"action without resource types on every bucket", Options{}, policy(`{"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "arn:aws:s3:::*"}`), nil},
		{"bucket and objects", Options{}, policy(`{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"]}`), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkFindings(t, Check(tt.doc, tt.opts), tt.want)
		})
	}
}
