package lint

import (
	"slices"
	"strings"
	"testing"
)

// policy wraps statements into an identity policy of the 2012 language.
func policy(statements ...string) string {
	return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ", ") + `]}`
}

type wantFinding struct {
	code    string
	typ     FindingType
	details string // exact findingDetails; "" does not check
}

func codesOf(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.IssueCode)
	}
	return out
}

// Each check reports AWS's issue code, finding type and text (the "IAM policy validation check
// reference"), and only it, for a document that has only its issue.
func TestChecks(t *testing.T) {
	t.Parallel()
	allow := func(action, resource string) string {
		return `{"Effect": "Allow", "Action": ` + action + `, "Resource": ` + resource + `}`
	}
	tests := []struct {
		name string
		opts Options
		doc  string
		want []wantFinding
	}{
		{"clean", Options{}, policy(allow(`"s3:GetObject"`, `"arn:aws:s3:::bucket/*"`)), nil},
		{"json syntax", Options{}, "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [}\n", []wantFinding{
			{issueJSONSyntax, Error, "Fix the JSON syntax error at index 45 line 3 column 16."}}},
		{"not an object", Options{}, `["a"]`, []wantFinding{{issueDataType, Error, "The text does not match the expected JSON data type Object."}}},
		{"unknown top element", Options{}, `{"Version": "2012-10-17", "Statment": [], "Statement": ` + allow(`"s3:GetObject"`, `"*"`) + `}`,
			[]wantFinding{{issueInvalidElement, Error, "The policy element Statment is not valid."}}},
		{"missing version", Options{}, `{"Statement": ` + allow(`"s3:GetObject"`, `"*"`) + `}`,
			[]wantFinding{{issueMissingVersion, Warning, "We recommend that you specify the Version element to help you with debugging permission issues."}}},
		{"invalid version", Options{}, `{"Version": "2012-10-18", "Statement": ` + allow(`"s3:GetObject"`, `"*"`) + `}`,
			[]wantFinding{{issueInvalidVersion, Error, "The version 2012-10-18 is not valid. Use one of the following versions: 2012-10-17, 2008-10-17"}}},
		{"missing statement", Options{}, `{"Version": "2012-10-17"}`, []wantFinding{{issueMissingStatement, Error, "Add a statement to the policy"}}},
		{"empty statement", Options{}, `{"Version": "2012-10-17", "Statement": []}`, []wantFinding{{issueMissingStatement, Error, ""}}},
		{"missing effect", Options{}, policy(`{"Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueMissingEffect, Error, "Add an Effect element to the policy statement with a value of Allow or Deny."}}},
		{"invalid effect", Options{}, policy(`{"Effect": "allow", "Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueInvalidEffect, Error, "The effect allow is not valid. Use Allow or Deny."}}},
		{"missing action", Options{}, policy(`{"Effect": "Allow", "Resource": "*"}`),
			[]wantFinding{{issueMissingAction, Error, "Add an Action or NotAction element to the policy statement."}}},
		{"missing resource", Options{}, policy(`{"Effect": "Allow", "Action": "s3:GetObject"}`),
			[]wantFinding{{issueMissingResource, Error, "Add a Resource or NotResource element to the policy statement."}}},
		{"action and NotAction", Options{}, policy(`{"Effect": "Deny", "Action": "s3:GetObject", "NotAction": "s3:PutObject", "Resource": "*"}`),
			[]wantFinding{{issueCombination, Error, "The policy elements Action and NotAction can not be used in the same statement. Remove one of these elements."}}},
		{"wrong type of action", Options{}, policy(allow(`{"a": 1}`, `"*"`)), []wantFinding{{issueDataType, Error, "The text does not match the expected JSON data type String."}}},
		{"unknown statement element", Options{}, policy(`{"Effect": "Allow", "Action": "s3:GetObject", "Resources": "*", "Resource": "*"}`),
			[]wantFinding{{issueInvalidElement, Error, "The policy element Resources is not valid."}}},
		{"principal in identity policy", Options{}, policy(`{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueUnsupportedPrinc, Error, "The policy type IDENTITY_POLICY does not support the Principal element. Remove the Principal element."}}},
		{"principal in SCP", Options{Type: ServiceControlPolicy}, policy(`{"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueSCPPrincipal, Error, "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element."}}},
		{"resource policy without principal", Options{Type: ResourcePolicy}, policy(allow(`"s3:GetObject"`, `"*"`)),
			[]wantFinding{{issueMissingPrincipal, Error, "Add a Principal element to the policy statement."}}},
		{"allow with NotPrincipal", Options{Type: ResourcePolicy}, policy(`{"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueAllowNotPrincipal, SecurityWarning, "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead."}}},
		{"empty principal", Options{Type: ResourcePolicy}, policy(`{"Effect": "Allow", "Principal": {}, "Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueEmptyPrincipalObj, Suggestion, "This statement includes no principals and does not affect the policy. Specify principals."}}},
		{"trust policy with a resource", Options{Type: ResourcePolicy, ResourceType: RoleTrustPolicy},
			policy(`{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole", "Resource": "*"}`),
			[]wantFinding{{issueTrustResource, Error, "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element."}}},
		{"trust policy with NotPrincipal", Options{Type: ResourcePolicy, ResourceType: RoleTrustPolicy},
			policy(`{"Effect": "Deny", "NotPrincipal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}`),
			[]wantFinding{{issueTrustNotPrincipal, Error, "Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead."}}},
		{"empty sid", Options{}, policy(`{"Sid": "", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueEmptySid, Suggestion, "Add a value to the empty string in the Sid element."}}},
		{"sid characters", Options{}, policy(`{"Sid": "read-objects", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueUnsupportedSid, Error, "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]"}}},
		{"duplicate sids in an identity policy", Options{}, policy(`{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}`, `{"Sid": "A", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}`),
			[]wantFinding{{issueSidsRequired, Error, "Duplicate statement IDs are not supported for this policy type. Update the Sid value."}}},
		{"duplicate sids in a resource policy", Options{Type: ResourcePolicy},
			policy(`{"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}`, `{"Sid": "A", "Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}`),
			[]wantFinding{{issueSidsRecommended, Warning, "We recommend that you use statement IDs that are unique to your policy. Update the Sid value."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkFindings(t, Check(tt.doc, tt.opts), tt.want)
		})
	}
}

// The checks of actions and resources.
func TestActionAndResourceChecks(t *testing.T) {
	t.Parallel()
	allow := func(action, resource string) string {
		return `{"Effect": "Allow", "Action": ` + action + `, "Resource": ` + resource + `}`
	}
	tests := []struct {
		name string
		opts Options
		doc  string
		want []wantFinding
	}{
		{"unknown action with a suggestion", Options{}, policy(allow(`"lambda:ListEventSourceMapping"`, `"*"`)),
			[]wantFinding{{issueInvalidAction, Error, "The action lambda:ListEventSourceMapping does not exist. Did you mean lambda:ListEventSourceMappings?"}}},
		{"unknown action without one", Options{}, policy(allow(`"sqs:DeleteMessageBatch"`, `"*"`)),
			[]wantFinding{{issueInvalidAction, Error, "The action sqs:DeleteMessageBatch does not exist."}}},
		{"wildcard action naming nothing", Options{}, policy(allow(`"lambda:Frobnicate*"`, `"*"`)),
			[]wantFinding{{issueInvalidAction, Error, "The action lambda:Frobnicate* does not exist."}}},
		{"action without a service", Options{}, policy(allow(`"GetObject"`, `"*"`)),
			[]wantFinding{{issueInvalidAction, Error, "The action GetObject does not exist."}}},
		{"unknown service with a suggestion", Options{}, policy(allow(`"cloudwatchlog:GetLogEvents"`, `"*"`)),
			[]wantFinding{{issueInvalidServiceInAct, Error, "The service cloudwatchlog:GetLogEvents specified in the action does not exist. Did you mean logs:GetLogEvents?"}}},
		{"unknown service without one", Options{}, policy(allow(`"DOES_NOT_EXIST:*"`, `"*"`)),
			[]wantFinding{{issueInvalidServiceInAct, Error, "The service DOES_NOT_EXIST:* specified in the action does not exist."}}},
		{"wildcard in a service", Options{}, policy(allow(`"s*:GetObject"`, `"*"`)),
			[]wantFinding{{issueWildcardService, Suggestion, "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names."}}},
		{"redundant action", Options{}, policy(allow(`["iam:Get*", "iam:List*", "iam:GetCredentialReport"]`, `"*"`)),
			[]wantFinding{{issueRedundantAction, Suggestion, "The 1 action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: iam:GetCredentialReport."}}},
		{"redundant resource", Options{}, policy(allow(`"iam:PassRole"`, `["arn:aws:iam::111122223333:role/jane-admin", "arn:aws:iam::111122223333:role/jane*"]`)),
			[]wantFinding{{issueRedundantResource, Suggestion, "The 1 resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*)"}}},
		{"empty action", Options{}, policy(allow(`[]`, `"*"`)), []wantFinding{{issueEmptyAction, Suggestion, "This statement includes no actions and does not affect the policy. Specify actions."}}},
		{"empty resource", Options{}, policy(allow(`"s3:GetObject"`, `[]`)), []wantFinding{{issueEmptyResource, Suggestion, "This statement includes no resources and does not affect the policy. Specify resources."}}},
		{"ARN prefix", Options{}, policy(allow(`"s3:GetObject"`, `"s3:::bucket"`)), []wantFinding{{issueARNPrefix, Error, "Add the required prefix (arn) to the resource ARN."}}},
		{"ARN fields", Options{}, policy(allow(`"s3:GetObject"`, `"arn:aws:s3"`)),
			[]wantFinding{{issueARNField, Error, "Resource ARNs must include at least 6 fields in the following structure: arn:partition:service:region:account:resource"}}},
		{"ARN account", Options{}, policy(allow(`"iam:GetRole"`, `"arn:aws:iam::account-id:role/app"`)),
			[]wantFinding{{issueARNAccount, Error, "The resource ARN account ID account-id is not valid. Provide a 12-digit account ID."}}},
		{"ARN service case", Options{}, policy(allow(`"s3:GetObject"`, `"arn:aws:S3:::bucket/*"`)),
			[]wantFinding{{issueARNServiceCase, Error, "Update the service name S3 in the resource ARN to use all lowercase letters."}}},
		{"variable in Action", Options{}, policy(allow(`"s3:${aws:username}"`, `"*"`)),
			[]wantFinding{{issueVarElement, Error, "Policy variables are supported in the Resource and Condition elements. Remove the policy variable ${aws:username} from this element."},
				{issueInvalidAction, Error, ""}}},
		{"variable in the 2008 language", Options{}, `{"Version": "2008-10-17", "Statement": ` + allow(`"s3:GetObject"`, `"arn:aws:s3:::b/${aws:username}/*"`) + `}`,
			[]wantFinding{{issueVarVersion, Error, "To include variables in your policy, use the policy version 2012-10-17 or later."}}},
		{"redundant statement", Options{}, policy(`{"Sid": "One", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "*"}`,
			`{"Sid": "Two", "Effect": "Allow", "Action": ["s3:putobject", "s3:GetObject"], "Resource": ["*"]}`),
			[]wantFinding{{issueRedundantStatement, Suggestion, "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement."}}},
		{"SCP action wildcard", Options{Type: ServiceControlPolicy}, policy(`{"Effect": "Deny", "Action": "iam:*Role", "Resource": "*"}`),
			[]wantFinding{{issueSCPActionWildcard, Error, "SCP actions can include wildcards (*) only at the end of a string. Update iam:*Role."}}},
		{"RCP NotAction", Options{Type: ResourceControlPolicy}, policy(`{"Effect": "Deny", "Principal": "*", "NotAction": "s3:GetObject", "Resource": "*"}`),
			[]wantFinding{{issueRCPNotAction, Error, "RCPs do not support the NotAction element. Update to use the Action element."}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			checkFindings(t, Check(tt.doc, tt.opts), tt.want)
		})
	}
}

// checkFindings compares findings with the wanted ones, in order.
func checkFindings(t *testing.T, got []Finding, want []wantFinding) {
	t.Helper()
	var wantCodes []string
	for _, w := range want {
		wantCodes = append(wantCodes, w.code)
	}
	gotCodes := codesOf(got)
	slices.Sort(gotCodes)
	slices.Sort(wantCodes)
	if !slices.Equal(gotCodes, wantCodes) {
		t.Fatalf("findings %v, want %v\n%+v", codesOf(got), wantCodes, got)
	}
	for _, w := range want {
		i := slices.IndexFunc(got, func(f Finding) bool { return f.IssueCode == w.code })
		f := got[i]
		if f.Type != w.typ {
			t.Errorf("%s: type %s, want %s", w.code, f.Type, w.typ)
		}
		if w.details != "" && f.Details != w.details {
			t.Errorf("%s: details\n %q\nwant\n %q", w.code, f.Details, w.details)
		}
		if len(f.Locations) == 0 {
			t.Errorf("%s: no location", w.code)
		}
		if f.AWS && !strings.HasPrefix(f.LearnMoreLink, checkReference+"#access-analyzer-reference-policy-checks-") {
			t.Errorf("%s: link %s", w.code, f.LearnMoreLink)
		}
	}
}
