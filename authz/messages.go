package authz

import "fmt"

// IAM's MalformedPolicyDocument texts. Where a text comes from a public
// capture of a real AWS response it says so; the others are listed in
// NOTES.md as unconfirmed.
const (
	// Trust policies (CreateRole, UpdateAssumeRolePolicy) whose JSON does not
	// parse: LocalStack's AWS-validated snapshot
	// test_create_role_with_malformed_assume_role_policy_document.
	msgInvalidJSON = "This policy contains invalid Json"
	// Permission policies whose JSON does not parse or whose structure is
	// wrong (awslabs/ec2-spot-labs#25, 99designs/iamy#74, cfn-lint#3751).
	msgSyntax = "Syntax errors in policy."
	// aws-samples/torchserve-eks#3, 99designs/iamy#65.
	msgLegacy = "The policy failed legacy parsing"
	// CreatePolicy without Version 2012-10-17
	// (Meteor-Community-Packages/Meteor-CollectionFS#630).
	msgManagedVersion = "Policy document must be version 2012-10-17 or greater."
	// hashicorp/terraform#13449, terraform-provider-aws#10419.
	msgPrincipalForbidden = "Policy document should not specify a principal."
	// aws/aws-cdk#7615.
	msgNeedActions = "Policy statement must contain actions."
	// terraform-aws-modules/terraform-aws-iam#364, trussworks/terraform-aws-s3-anti-virus#28.
	msgNeedResources = "Policy statement must contain resources."
	// Wolox/carthage_cache#22, cfn-lint#708 and a CloudTrail capture.
	msgSidAlnum = "Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*"
	// A CloudFormation deployment report quotes it; moto uses it too. The
	// console's own check says "The Statement Ids in the policy are not unique".
	msgSidUnique = "Statement IDs (SID) in a single policy must be unique."
	// Unconfirmed (moto's text).
	msgActionVendor = "Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc."
	// garnaat/kappa#111, cfn-lint#935.
	msgActionColon = "Actions/Condition can contain only one colon."
	// Unconfirmed (moto's text).
	msgResourceVendor = "Resource vendor must be fully qualified and cannot contain regexes."
	// Unconfirmed (moto's text).
	msgIAMPath = `IAM resource path must either be "*" or start with user/, federated-user/, role/, group/, instance-profile/, mfa/, server-certificate/, policy/, sms-mfa/, saml-provider/, oidc-provider/, report/, access-report/.`
	// kubernetes-sigs/external-dns#3085, hashicorp/terraform#34231.
	msgTrustResource = "Has prohibited field Resource"
	// humanmade/S3-Uploads#191 (S3), and IAM trust policies (see NOTES.md).
	msgMissingPrincipal = "Missing required field Principal"
	// Unconfirmed: by analogy with "Missing required field Principal".
	msgMissingEffect = "Missing required field Effect"
	msgMissingAction = "Missing required field Action"
	// Medium confidence (emulator test suites that claim AWS parity).
	msgTrustActions = "AssumeRole policy may only specify STS AssumeRole actions."
	// terraform-aws-modules/terraform-aws-iam#47.
	msgNoPrincipals = "Invalid principal in policy: com.amazon.balsa.error.InvalidPolicyException: The passed in policy has a statement with no principals!"
)

func malformed(msg string) *MalformedError { return &MalformedError{Message: msg} }

// msgResourceARN: trussworks/terraform-aws-s3-anti-virus#21,
// felipefrizzo/terraform-aws-transfer-server#6 and a CloudTrail capture (note
// the two spaces when the resource is empty).
func msgResourceARN(r string) string {
	return fmt.Sprintf(`Resource %s must be in ARN format or "*".`, r)
}

// msgIAMRegion: cloud-gov/terraform-provision#1838.
func msgIAMRegion(r string) string {
	return fmt.Sprintf("IAM resource %s cannot contain region information.", r)
}

// msgVendor is unconfirmed (moto's text).
func msgVendor(v string) string { return fmt.Sprintf("Vendor %s is not valid", v) }

// msgPartition is unconfirmed (moto's text).
func msgPartition(p string, rest [4]string) string {
	return fmt.Sprintf(`Partition "%s" is not valid for resource "arn:%s:%s:%s:%s:%s".`,
		p, p, rest[0], rest[1], rest[2], rest[3])
}

// msgInvalidPrincipal: aws-samples/aws-iam-access-key-auto-rotation#26 ("AWS"),
// aws-samples/aws-cdk-examples#801 ("SERVICE", upper case).
func msgInvalidPrincipal(typ, v string) string {
	return fmt.Sprintf(`Invalid principal in policy: "%s":"%s"`, typ, v)
}
