package lint

import (
	"fmt"
	"sync"
)

// issue is one check: AWS's issue code, finding type, the anchor of its section on the "IAM
// policy validation check reference" page of the IAM User Guide, and its findingDetails text,
// verbatim from that page, with its {{placeholders}} as format verbs.
type issue struct {
	code   string
	typ    FindingType
	anchor string // section of the check reference; "" for iamlocal's own, which have link
	link   string
	text   string
}

const checkReference = "https://docs.aws.amazon.com/IAM/latest/UserGuide/access-analyzer-reference-policy-checks.html"

// The checks, by issue code. The reference's "General Warning" is the API's WARNING.
const (
	issueJSONSyntax          = "JSON_SYNTAX_ERROR"
	issueDataType            = "DATA_TYPE_MISMATCH"
	issueInvalidElement      = "INVALID_POLICY_ELEMENT"
	issueInvalidVersion      = "INVALID_VERSION"
	issueMissingStatement    = "MISSING_STATEMENT"
	issueMissingEffect       = "MISSING_EFFECT"
	issueInvalidEffect       = "INVALID_EFFECT"
	issueMissingAction       = "MISSING_ACTION"
	issueMissingResource     = "MISSING_RESOURCE"
	issueMissingPrincipal    = "MISSING_PRINCIPAL"
	issueUnsupportedPrinc    = "UNSUPPORTED_PRINCIPAL"
	issueCombination         = "UNSUPPORTED_ELEMENT_COMBINATION"
	issueUnsupportedSid      = "UNSUPPORTED_SID"
	issueSidsRequired        = "UNIQUE_SIDS_REQUIRED"
	issueInvalidAction       = "INVALID_ACTION"
	issueInvalidServiceInAct = "INVALID_SERVICE_IN_ACTION"
	issueInvalidOperator     = "INVALID_CONDITION_OPERATOR"
	issueKeyFormat           = "INVALID_CONDITION_KEY_FORMAT"
	issueInvalidGlobalKey    = "INVALID_GLOBAL_CONDITION_KEY"
	issueInvalidService      = "INVALID_SERVICE"
	issueInvalidServiceKey   = "INVALID_SERVICE_CONDITION_KEY"
	issueUnsupportedGlobal   = "UNSUPPORTED_GLOBAL_CONDITION_KEY"
	issueActionForKey        = "UNSUPPORTED_ACTION_FOR_CONDITION_KEY"
	issueNullIfExists        = "NULL_WITH_IF_EXISTS"
	issueARNPrefix           = "INVALID_ARN_PREFIX"
	issueARNField            = "MISSING_ARN_FIELD"
	issueARNServiceCase      = "INVALID_ARN_SERVICE_CASE"
	issueARNAccount          = "INVALID_ARN_ACCOUNT"
	issueVarVersion          = "VARIABLE_UNSUPPORTED_IN_VERSION"
	issueVarElement          = "VARIABLE_UNSUPPORTED_IN_ELEMENT"
	issueSCPPrincipal        = "SCP_SYNTAX_ERROR_PRINCIPAL"
	issueSCPActionWildcard   = "SCP_SYNTAX_ERROR_ACTION_WILDCARD"
	issueRCPNotAction        = "RCP_SYNTAX_ERROR_NOTACTION"
	issueTrustResource       = "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE"
	issueTrustNotPrincipal   = "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL"
	issueTypeIP              = "TYPE_MISMATCH_IP_RANGE"
	issueAllowNotPrincipal   = "ALLOW_WITH_NOT_PRINCIPAL"
	issueMissingVersion      = "MISSING_VERSION"
	issueSidsRecommended     = "UNIQUE_SIDS_RECOMMENDED"
	issueWildcardNoLike      = "WILDCARD_WITHOUT_LIKE_OPERATOR"
	issueTypeBool            = "TYPE_MISMATCH_BOOLEAN"
	issueTypeDate            = "TYPE_MISMATCH_DATE"
	issueTypeNumber          = "TYPE_MISMATCH_NUMBER"
	issueEmptyAction         = "EMPTY_ARRAY_ACTION"
	issueEmptyResource       = "EMPTY_ARRAY_RESOURCE"
	issueEmptyCondition      = "EMPTY_ARRAY_CONDITION"
	issueEmptyCondObject     = "EMPTY_OBJECT_CONDITION"
	issueEmptySid            = "EMPTY_SID_VALUE"
	issueEmptyPrincipal      = "EMPTY_ARRAY_PRINCIPAL"
	issueEmptyPrincipalObj   = "EMPTY_OBJECT_PRINCIPAL"
	issueRedundantAction     = "REDUNDANT_ACTION"
	issueRedundantResource   = "REDUNDANT_RESOURCE"
	issueRedundantStatement  = "REDUNDANT_STATEMENT"
	issueWildcardService     = "WILDCARD_IN_SERVICE_NAME"
	issueNullQualifier       = "NULL_WITH_QUALIFIER"
	// iamlocal's own.
	issueResourceMismatch = "RESOURCE_MISMATCH"
	issueAllowNotAction   = "ALLOW_WITH_NOT_ACTION"
)

// issues indexes the table by code; built once, never changed.
var issues = sync.OnceValue(func() map[string]issue {
	m := map[string]issue{}
	for _, i := range append(issueTable(), sensitiveIssues()...) {
		m[i.code] = i
	}
	return m
})

func issueTable() []issue {
	e, sw, w, s := Error, SecurityWarning, Warning, Suggestion
	return []issue{
		{issueJSONSyntax, e, "error-json-syntax-error", "", "Fix the JSON syntax error at index %d line %d column %d."},
		{issueDataType, e, "error-data-type-mismatch", "", "The text does not match the expected JSON data type %s."},
		{issueInvalidElement, e, "error-invalid-policy-element", "", "The policy element %s is not valid."},
		{issueInvalidVersion, e, "error-invalid-version", "", "The version %s is not valid. Use one of the following versions: %s"},
		{issueMissingStatement, e, "error-missing-statement", "", "Add a statement to the policy"},
		{issueMissingEffect, e, "error-missing-effect", "", "Add an Effect element to the policy statement with a value of Allow or Deny."},
		{issueInvalidEffect, e, "error-invalid-effect", "", "The effect %s is not valid. Use Allow or Deny."},
		{issueMissingAction, e, "error-missing-action", "", "Add an Action or NotAction element to the policy statement."},
		{issueMissingResource, e, "error-missing-resource", "", "Add a Resource or NotResource element to the policy statement."},
		{issueMissingPrincipal, e, "error-missing-principal", "", "Add a Principal element to the policy statement."},
		{issueUnsupportedPrinc, e, "error-unsupported-principal", "", "The policy type %s does not support the Principal element. Remove the Principal element."},
		{issueCombination, e, "error-unsupported-element-combination", "", "The policy elements %s and %s can not be used in the same statement. Remove one of these elements."},
		{issueUnsupportedSid, e, "error-unsupported-sid", "", "Update the characters in the Sid element to use one of the following character types: [a-z, A-Z, 0-9]"},
		{issueSidsRequired, e, "error-unique-sids-required", "", "Duplicate statement IDs are not supported for this policy type. Update the Sid value."},
		// Without a suggestion AWS ends after "does not exist." ("The action
		// sqs:DeleteMessageBatch does not exist.", ValidatePolicy output quoted in
		// iam-policy-validate-sarif's tests); with one it adds " Did you mean ...?".
		{issueInvalidAction, e, "error-invalid-action", "", "The action %s does not exist."},
		// {{service}} is filled with the whole action ("The service DOES_NOT_EXIST:* specified in
		// the action does not exist.", clstokes/p-aws-aws-iamaccessanalyzer-validate-policy).
		{issueInvalidServiceInAct, e, "error-invalid-service-in-action", "", "The service %s specified in the action does not exist."},
		{issueInvalidOperator, e, "error-invalid-condition-operator", "", "The condition operator %s is not valid. Use a valid condition operator."},
		{issueKeyFormat, e, "error-invalid-condition-key-format", "", "The condition key format is not valid. Use the format service:keyname."},
		{issueInvalidGlobalKey, e, "error-invalid-global-condition-key", "", "The condition key %s does not exist. Use a valid condition key."},
		{issueInvalidService, e, "error-invalid-service", "", "The service %s does not exist. Use a valid service name."},
		{issueInvalidServiceKey, e, "error-invalid-service-condition-key", "", "The condition key %s does not exist in the service %s. Use a valid condition key."},
		{issueUnsupportedGlobal, e, "error-unsupported-global-condition-key", "", "The condition key aws:ARN is not supported. Use aws:PrincipalArn or aws:SourceArn instead."},
		{issueActionForKey, e, "error-unsupported-action-for-condition-key", "", "The following actions: %s are not supported by the condition key %s. The condition will not be evaluated for these actions. We recommend that you move these actions to a different statement without this condition key."},
		{issueNullIfExists, e, "error-null-with-if-exists", "", "The Null condition operator cannot be used with the IfExists suffix. Update the operator or the suffix."},
		{issueARNPrefix, e, "error-invalid-arn-prefix", "", "Add the required prefix (arn) to the resource ARN."},
		{issueARNField, e, "error-missing-arn-field", "", "Resource ARNs must include at least %d fields in the following structure: arn:partition:service:region:account:resource"},
		{issueARNAccount, e, "error-invalid-arn-account", "", "The resource ARN account ID %s is not valid. Provide a 12-digit account ID."},
		{issueARNServiceCase, e, "error-invalid-arn-service-case", "", "Update the service name %s in the resource ARN to use all lowercase letters."},
		{issueVarVersion, e, "error-variable-unsupported-in-version", "", "To include variables in your policy, use the policy version 2012-10-17 or later."},
		{issueVarElement, e, "error-variable-unsupported-in-element", "", "Policy variables are supported in the Resource and Condition elements. Remove the policy variable %s from this element."},
		{issueSCPPrincipal, e, "error-scp-syntax-error-principal", "", "SCPs do not support specifying principals. Remove the Principal or NotPrincipal element."},
		{issueSCPActionWildcard, e, "error-scp-syntax-error-action-wildcard", "", "SCP actions can include wildcards (*) only at the end of a string. Update %s."},
		{issueRCPNotAction, e, "error-rcp-syntax-error-notaction", "", "RCPs do not support the NotAction element. Update to use the Action element."},
		{issueTrustResource, e, "error-role-trust-policy-syntax-error-resource", "", "Role trust policies apply to the role that they are attached to. You cannot specify a resource. Remove the Resource or NotResource element."},
		{issueTrustNotPrincipal, e, "error-role-trust-policy-syntax-error-notprincipal", "", "Role trust policies do not support NotPrincipal. Update the policy to use a Principal element instead."},
		{issueTypeIP, e, "error-type-mismatch-ip-range", "", "The condition operator %s is used with an invalid IP range value. Specify the IP range in standard CIDR format."},
		{issueAllowNotPrincipal, sw, "security-warning-allow-with-not-principal", "", "Using Allow with NotPrincipal can be overly permissive. We recommend that you use Principal instead."},
		{issueMissingVersion, w, "general-warning-missing-version", "", "We recommend that you specify the Version element to help you with debugging permission issues."},
		{issueSidsRecommended, w, "general-warning-unique-sids-recommended", "", "We recommend that you use statement IDs that are unique to your policy. Update the Sid value."},
		{issueWildcardNoLike, w, "general-warning-wildcard-without-like-operator", "", "Your condition value includes a * or ? character. If you meant to use a wildcard (*, ?), update the condition operator to include Like."},
		{issueTypeBool, w, "general-warning-type-mismatch-boolean", "", "Add a valid Boolean value (true or false) for the condition operator %s."},
		{issueTypeDate, w, "general-warning-type-mismatch-date", "", "The date condition operator is used with an invalid value. Specify a valid date using YYYY-MM-DD or other ISO 8601 date/time format."},
		{issueTypeNumber, w, "general-warning-type-mismatch-number", "", "Add a valid numeric value for the condition operator %s."},
		{issueEmptyAction, s, "suggestion-empty-array-action", "", "This statement includes no actions and does not affect the policy. Specify actions."},
		{issueEmptyResource, s, "suggestion-empty-array-resource", "", "This statement includes no resources and does not affect the policy. Specify resources."},
		{issueEmptyCondition, s, "suggestion-empty-array-condition", "", "There are no values for the condition key %s and it does not affect the policy. Specify conditions."},
		{issueEmptyCondObject, s, "suggestion-empty-object-condition", "", "This condition block is empty and it does not affect the policy. Specify conditions."},
		{issueEmptySid, s, "suggestion-empty-sid-value", "", "Add a value to the empty string in the Sid element."},
		{issueEmptyPrincipal, s, "suggestion-empty-array-principal", "", "This statement includes no principals and does not affect the policy. Specify principals."},
		{issueEmptyPrincipalObj, s, "suggestion-empty-object-principal", "", "This statement includes no principals and does not affect the policy. Specify principals."},
		{issueRedundantAction, s, "suggestion-redundant-action", "", "The %d action(s) are redundant because they provide similar permissions. Update the policy to remove the redundant action such as: %s."},
		{issueRedundantResource, s, "suggestion-redundant-resource", "", "The %d resource ARN(s) are redundant because they reference the same resource. Review the use of wildcards (*)"},
		{issueRedundantStatement, s, "suggestion-redundant-statement", "", "The statements are redundant because they provide identical permissions. Update the policy to remove the redundant statement."},
		{issueWildcardService, s, "suggestion-wildcard-in-service-name", "", "Avoid using wildcards (*, ?) in the service name because it might grant unintended access to other AWS services with similar names."},
		{issueNullQualifier, s, "suggestion-null-with-qualifier", "", "Avoid using the Null condition operator with the ForAllValues or ForAnyValue qualifiers because they always return a true or false respectively."},
		// iamlocal's own, worded after AWS's: a statement whose resources match none of an
		// action's resource types grants nothing for that action, and AWS accepts it silently.
		{issueResourceMismatch, e, "", "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
			"The action %s cannot match any resource of the statement: it is authorized on %s. Add a resource of that form, or move the action to a statement of its own."},
		{issueAllowNotAction, sw, "", "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
			"Using Allow with NotAction can be overly permissive because it allows every action that is not listed, of every service, including actions added later. We recommend that you use Action instead."},
	}
}

// finding builds the finding of an issue with its text filled in.
func (i issue) finding(locs []Location, args ...any) Finding {
	link := i.link
	if i.anchor != "" {
		link = checkReference + "#access-analyzer-reference-policy-checks-" + i.anchor
	}
	text := i.text
	if len(args) > 0 {
		text = fmt.Sprintf(i.text, args...)
	}
	return Finding{Type: i.typ, IssueCode: i.code, Details: text, LearnMoreLink: link, Locations: locs, AWS: i.anchor != ""}
}
