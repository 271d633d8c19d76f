package lint

import "strings"

// actions checks each action of Action or NotAction against the reference, and reports the
// ones a wider action of the same element already covers.
func (c *checker) actions(st *statement) {
	for _, v := range st.action.values {
		c.action(v)
		if c.opts.Type == ServiceControlPolicy {
			if i := strings.IndexAny(v.text, "*?"); i >= 0 && i != len(v.text)-1 {
				c.add(issueSCPActionWildcard, []Location{c.at(v.path, v.n)}, v.text)
			}
		}
	}
	c.redundantValues(st.action, issueRedundantAction, true)
}

// action checks one action: a known service, then a known action (or, with wildcards, one
// that names at least one).
func (c *checker) action(v elementValue) {
	loc := []Location{c.at(v.path, v.n)}
	if v.text == "*" {
		return
	}
	prefix, name, ok := strings.Cut(v.text, ":")
	if !ok || prefix == "" || name == "" {
		c.add(issueInvalidAction, loc, v.text)
		return
	}
	if strings.ContainsAny(prefix, "*?") {
		c.add(issueWildcardService, loc)
		if len(c.cat.matching(v.text)) == 0 {
			c.add(issueInvalidAction, loc, v.text)
		}
		return
	}
	s, ok := c.cat.service(prefix)
	if !ok {
		f := issues()[issueInvalidServiceInAct].finding(loc, v.text)
		if near, ok := c.cat.nearestService(prefix, name); ok {
			suggestion := near.prefix()
			if a, ok := near.action(name); ok {
				suggestion = a.name()
			}
			f.Details += " Did you mean " + suggestion + "?"
		}
		c.findings = append(c.findings, f)
		return
	}
	if strings.ContainsAny(name, "*?") {
		if len(c.cat.matching(v.text)) == 0 {
			c.add(issueInvalidAction, loc, v.text)
		}
		return
	}
	if _, ok := s.action(name); !ok {
		f := issues()[issueInvalidAction].finding(loc, v.text)
		if near := nearestAction(s, name); near != "" {
			f.Details += " Did you mean " + near + "?"
		}
		c.findings = append(c.findings, f)
	}
}

// redundantValues reports the values of an element that another value of it already covers:
// a repeat, or a value without wildcards that a wildcard value matches (iam:GetUser beside
// iam:Get*). Actions compare without case, resources with.
func (c *checker) redundantValues(el *element, code string, foldCase bool) {
	norm := func(s string) string {
		if foldCase {
			return strings.ToLower(s)
		}
		return s
	}
	var redundant []elementValue
	for i, v := range el.values {
		for j, w := range el.values {
			if i == j {
				continue
			}
			a, b := norm(v.text), norm(w.text)
			repeat := a == b && j < i
			covered := a != b && !strings.ContainsAny(a, "*?") && strings.ContainsAny(b, "*?") && globMatch(b, a)
			if repeat || covered {
				redundant = append(redundant, v)
				break
			}
		}
	}
	if len(redundant) == 0 {
		return
	}
	var locs []Location
	for _, v := range redundant {
		locs = append(locs, c.at(v.path, v.n))
	}
	if code == issueRedundantAction {
		c.add(code, locs, len(redundant), redundant[0].text)
		return
	}
	c.add(code, locs, len(redundant))
}
