package authz

import (
	"strings"

	"github.com/iamlocal/iamlocal/arn"
)

// iamResourcePrefixes are the resource types an iam ARN may name (moto's
// table; see NOTES.md).
var iamResourcePrefixes = [...]string{
	"user/", "federated-user/", "role/", "group/", "instance-profile/", "mfa/",
	"server-certificate/", "policy/", "sms-mfa/", "saml-provider/", "oidc-provider/",
	"report/", "access-report/",
}

// maskVars replaces every ${...} with "V" so a variable's colon is not taken
// for an ARN separator.
func maskVars(s string) string {
	if !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte('V')
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// checkResourceARN returns IAM's message for a malformed Resource or
// NotResource value, or "" ("IAM JSON policy elements: Resource";
// reference_identifiers.html#identifiers-arns).
func (p Parser) checkResourceARN(r string) string {
	if r == "*" {
		return ""
	}
	m := maskVars(r)
	parts := strings.SplitN(m, ":", 6)
	if len(parts) < 2 || parts[0] != "arn" {
		return msgResourceARN(r)
	}
	if !p.partitionMatches(parts[1], true) {
		var rest [4]string
		for i := range rest {
			rest[i] = "*"
			if 2+i < len(parts) && (parts[2+i] != "" || 3+i < len(parts)) {
				rest[i] = parts[2+i]
			}
		}
		return msgPartition(parts[1], rest)
	}
	if len(parts) < 3 || parts[2] == "" || strings.ContainsAny(parts[2], "*?") {
		return msgResourceVendor
	}
	service := parts[2]
	region := ""
	if len(parts) > 3 {
		region = parts[3]
	}
	switch service {
	case "iam":
		if region != "" {
			return msgIAMRegion(r)
		}
		res := ""
		if len(parts) == 6 {
			res = parts[5]
		}
		if res == "*" {
			return ""
		}
		for _, p := range iamResourcePrefixes {
			if strings.HasPrefix(res, p) {
				return ""
			}
		}
		return msgIAMPath
	case "s3":
		if region != "" {
			return "Resource " + r + " can not contain region information."
		}
	}
	return ""
}

// legacyShortARN reports ARNs that IAM's legacy parser rejects: fewer than
// six fields but written with an empty field ("::").
func (p Parser) legacyShortARN(r string) bool {
	if r == "*" || p.checkResourceARN(r) != "" {
		return false
	}
	m := maskVars(r)
	return strings.Count(m, ":") < 5 && strings.Contains(m, "::")
}

// checkActionName returns IAM's message for a malformed action, or "".
// Unknown actions are accepted ("lambda:ListEventSourceMapping").
func checkActionName(a string) string {
	if a == "*" {
		return ""
	}
	parts := strings.Split(a, ":")
	if len(parts) == 1 {
		return msgActionVendor
	}
	if len(parts) > 2 {
		return msgActionColon
	}
	vendor := parts[0]
	if vendor == "*" {
		return ""
	}
	if vendor == "" {
		return msgActionVendor
	}
	for i := 0; i < len(vendor); i++ {
		c := vendor[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '.') {
			return msgVendor(vendor)
		}
	}
	return ""
}

// checkPrincipal checks the values of Principal or NotPrincipal ("AWS JSON
// policy elements: Principal"). Existence is the caller's business.
func (p Parser) checkPrincipal(st rawStmt) error {
	v, ok := st["Principal"]
	if !ok {
		v = st["NotPrincipal"]
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil // "*"
	}
	n := 0
	for typ, raw := range m {
		vals, _ := stringList(raw)
		n += len(vals)
		for _, s := range vals {
			switch typ {
			case "AWS":
				if !p.validAWSPrincipal(s) {
					return malformed(msgInvalidPrincipal("AWS", s))
				}
			case "Service":
				if !validServicePrincipal(s) {
					return malformed(msgInvalidPrincipal("SERVICE", s))
				}
			}
		}
	}
	if n == 0 {
		return malformed(msgNoPrincipals)
	}
	return nil
}

// validAWSPrincipal accepts "*", an account ID, an account root ARN, an IAM
// user or role ARN, an assumed-role or federated-user session ARN, and the
// unique ID IAM writes in place of a deleted principal (AIDA..., AROA...).
func (p Parser) validAWSPrincipal(s string) bool {
	if s == "*" || arn.IsAccountID(s) {
		return true
	}
	if len(s) == 21 && s[0] == 'A' && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'A' && r <= 'Z' || r >= '0' && r <= '9')
	}) < 0 {
		return true
	}
	if strings.ContainsAny(s, "*?") {
		return false
	}
	a, err := arn.Parse(s)
	if err != nil || !p.partitionMatches(a.Partition, false) || a.Region != "" || !arn.IsAccountID(a.Account) {
		return false
	}
	res := a.Resource
	switch a.Service {
	case "iam":
		if res == "root" {
			return true
		}
		for _, p := range []string{"user/", "role/"} {
			if strings.HasPrefix(res, p) && len(res) > len(p) && !strings.HasSuffix(res, "/") {
				return true
			}
		}
	case "sts":
		if rest, ok := strings.CutPrefix(res, "assumed-role/"); ok {
			role, sess, ok := strings.Cut(rest, "/")
			return ok && role != "" && sess != ""
		}
		if rest, ok := strings.CutPrefix(res, "federated-user/"); ok {
			return rest != ""
		}
	}
	return false
}

// validServicePrincipal accepts names such as lambda.amazonaws.com and
// states.us-east-1.amazonaws.com; IAM rejects "amazonaws.com" itself
// (aws-samples/aws-cdk-examples#801).
func validServicePrincipal(s string) bool {
	var host string
	switch {
	case strings.HasSuffix(s, ".amazonaws.com"):
		host = strings.TrimSuffix(s, ".amazonaws.com")
	case strings.HasSuffix(s, ".amazonaws.com.cn"):
		host = strings.TrimSuffix(s, ".amazonaws.com.cn")
	default:
		return false
	}
	if host == "" || host[0] == '.' || host[len(host)-1] == '.' {
		return false
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'z' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}
