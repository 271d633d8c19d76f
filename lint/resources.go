package lint

import (
	"strings"
)

// resources checks each value of Resource or NotResource as an ARN.
func (c *checker) resources(st *statement) {
	for _, v := range st.resource.values {
		c.resourceARN(v)
	}
	c.redundantValues(st.resource, issueRedundantResource, false)
}

// arnFields is how many colon-separated fields an ARN has at least.
const arnFields = 6

func (c *checker) resourceARN(v elementValue) {
	loc := []Location{c.at(v.path, v.n)}
	if v.text == "*" {
		return
	}
	if !strings.HasPrefix(v.text, "arn:") {
		c.add(issueARNPrefix, loc)
		return
	}
	fields := strings.SplitN(v.text, ":", arnFields)
	if len(fields) < arnFields {
		c.add(issueARNField, loc, arnFields)
		return
	}
	service, account := fields[2], fields[4]
	switch {
	case strings.ContainsAny(service, "*?"):
		c.add(issueWildcardService, loc)
	case service != strings.ToLower(service):
		c.add(issueARNServiceCase, loc, service)
	}
	if account != "" && account != "aws" && !strings.ContainsAny(account, "*?$") && !isAccountID(account) {
		c.add(issueARNAccount, loc, account) // "aws" owns AWS managed policies
	}
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// authorizedOn are the resources AWS authorizes actions against where the Service
// Authorization Reference says otherwise, as iamlocal's authorizer does
// (emulator/authorize/targets_monitoring.go cites the captures): CloudWatch Logs authorizes
// DescribeLogGroups against "log-group::log-stream:" (hashicorp/terraform-provider-aws#8804),
// and log-group actions against the group's ARN followed by ":log-stream:"
// (elastic/apm-aws-lambda#526), so "log-group:NAME" alone matches neither.
var authorizedOn = map[string][]string{
	"logs:describeloggroups": {"arn:${Partition}:logs:${Region}:${Account}:log-group::log-stream:"},
	"logs:listloggroups":     {"arn:${Partition}:logs:${Region}:${Account}:log-group::log-stream:"},
}

// resourceTypeOn overrides a resource type's ARN the same way, by "service/type".
var resourceTypeOn = map[string]string{
	"logs/log-group": "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:",
}

// targets are the ARN templates an action is authorized on; nil for an action without
// resource-level permissions (authorized on "*").
func targets(a actionInfo) []string {
	if on, ok := authorizedOn[strings.ToLower(a.name())]; ok {
		return on
	}
	prefix, _, _ := strings.Cut(a.name(), ":")
	var out []string
	for _, r := range a.resourceRecs() {
		if arn, ok := resourceTypeOn[prefix+"/"+a.c.text(r.typ)]; ok {
			out = append(out, arn)
		} else if r.arn.n > 0 {
			out = append(out, a.c.text(r.arn))
		}
	}
	return out
}

// resourceMismatch reports the actions of a statement that none of its resources can match:
// the statement grants nothing for them, which AWS accepts without a word (iamlocal's own
// check). Actions with wildcards, NotAction and NotResource are left alone.
func (c *checker) resourceMismatch(st *statement) {
	if st.action == nil || st.action.not || st.resource == nil || st.resource.not || len(st.resource.values) == 0 {
		return
	}
	for _, v := range st.action.values {
		if strings.ContainsAny(v.text, "*?") {
			continue
		}
		a, ok := c.cat.action(v.text)
		if !ok {
			continue
		}
		on := targets(a)
		if c.anyResourceMatches(st, on) {
			continue
		}
		where := `"*" only (it has no resource-level permissions)`
		if len(on) > 0 {
			where = strings.Join(on, " or ")
		}
		c.add(issueResourceMismatch, []Location{c.at(v.path, v.n), c.at(st.path.value(st.resource.name), st.resource.member.value)}, a.name(), where)
	}
}

// anyResourceMatches reports whether a resource of the statement can match one of the ARN
// templates, or, with none, whether one names every resource.
func (c *checker) anyResourceMatches(st *statement, templates []string) bool {
	for _, r := range st.resource.values {
		if len(templates) == 0 {
			// An action without resource-level permissions is authorized on "*"; an ARN with
			// nothing but wildcards after the account (arn:aws:s3:::*) still covers it.
			if r.text == "*" || !strings.HasPrefix(r.text, "arn:") || onlyWildcards(arnResource(r.text)) {
				return true
			}
			continue
		}
		if !strings.HasPrefix(r.text, "arn:") || arnResource(r.text) == "" {
			return true // not an ARN: reported as such, and not judged here
		}
		for _, t := range templates {
			if arnsIntersect(asGlob(r.text), asGlob(t)) {
				return true
			}
		}
	}
	return false
}

// arnResource is the part of an ARN after its account field.
func arnResource(arn string) string {
	fields := strings.SplitN(arn, ":", arnFields)
	if len(fields) < arnFields {
		return ""
	}
	return fields[arnFields-1]
}

func onlyWildcards(s string) bool { return s != "" && strings.Trim(s, "*?") == "" }

// asGlob reads a policy resource or an ARN template as a glob: policy variables and template
// placeholders (${Partition}, ${aws:username}) may be anything. Compared without case, which
// errs towards a match.
func asGlob(s string) string { return strings.ToLower(placeholder.ReplaceAllString(s, "*")) }

// arnsIntersect reports whether some ARN matches both ARN globs, field by field: a wildcard
// stays within its field up to the resource part, which may itself hold colons. A glob that
// is not an ARN ("*") is compared whole.
func arnsIntersect(a, b string) bool {
	fa, fb := strings.SplitN(a, ":", arnFields), strings.SplitN(b, ":", arnFields)
	if len(fa) < arnFields || len(fb) < arnFields {
		return globsIntersect(a, b)
	}
	for i := range fa {
		if !globsIntersect(fa[i], fb[i]) {
			return false
		}
	}
	return true
}

// globsIntersect reports whether some string matches both globs (* any run, ? one character).
func globsIntersect(a, b string) bool {
	memo := make(map[[2]int]bool)
	var f func(i, j int) bool
	f = func(i, j int) bool {
		key := [2]int{i, j}
		if v, ok := memo[key]; ok {
			return v
		}
		var r bool
		switch {
		case i == len(a) && j == len(b):
			r = true
		case i < len(a) && a[i] == '*':
			r = f(i+1, j) || j < len(b) && f(i, j+1)
		case j < len(b) && b[j] == '*':
			r = f(i, j+1) || i < len(a) && f(i+1, j)
		case i == len(a) || j == len(b):
			r = false
		default:
			r = (a[i] == b[j] || a[i] == '?' || b[j] == '?') && f(i+1, j+1)
		}
		memo[key] = r
		return r
	}
	return f(0, 0)
}
