package iam

import (
	"strings"
	"unicode"
)

// encodeDocument URL-encodes a policy document the way IAM returns documents (GetRolePolicy,
// GetPolicyVersion, a role's AssumeRolePolicyDocument, GetAccountAuthorizationDetails): every
// byte but RFC 3986's unreserved characters is percent-encoded, a space as %20 ("The policy
// document returned in this structure is URL-encoded compliant with RFC 3986", IAM API
// Reference, GetRolePolicy). boto3 and the AWS CLI decode it; aws-sdk-go-v2 callers call
// url.QueryUnescape.
func encodeDocument(doc string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(doc) * 2)
	for i := 0; i < len(doc); i++ {
		c := doc[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

// policySize is a document's size as IAM counts it against its quotas: characters, with white
// space not counted ("IAM doesn't count white space when calculating the size of a policy",
// IAM User Guide, "IAM and AWS STS quotas").
func policySize(doc string) int {
	n := 0
	for _, r := range doc {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}
