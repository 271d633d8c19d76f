package lint

import (
	"slices"
	"strings"
)

// checker holds one document's findings while its checks run.
type checker struct {
	opts     Options
	pos      positions
	cat      *catalog
	version  string
	findings []Finding
}

func (c *checker) add(code string, locs []Location, args ...any) {
	c.findings = append(c.findings, issues()[code].finding(locs, args...))
}

// path is a location's path; each step returns a new one, so paths can be shared.
type path []PathElement

func (p path) value(key string) path { return append(slices.Clip(p), PathElement{Value: key}) }
func (p path) key(key string) path   { return append(slices.Clip(p), PathElement{Key: key}) }
func (p path) index(i int) path      { return append(slices.Clip(p), PathElement{Index: &i}) }

// at is the location of a node.
func (c *checker) at(p path, n *node) Location {
	return Location{Path: p, Span: c.pos.span(n.start, n.end)}
}

// atKey is the location of an object's key.
func (c *checker) atKey(p path, m *member) Location {
	return Location{Path: p.key(m.key), Span: c.pos.span(m.keyStart, m.keyEnd)}
}

// The policy language's versions ("IAM JSON policy elements: Version").
var versions = []string{"2012-10-17", "2008-10-17"}

var topElements = []string{"Version", "Id", "Statement"}

var statementElements = []string{"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource",
	"Principal", "NotPrincipal", "Condition"}

// document runs every check on a parsed document.
func (c *checker) document(root *node) {
	if root.kind != objectNode {
		c.add(issueDataType, []Location{c.at(path{}, root)}, jsonTypeNames[objectNode])
		return
	}
	for i := range root.members {
		if m := &root.members[i]; !slices.Contains(topElements, m.key) {
			c.add(issueInvalidElement, []Location{c.atKey(path{}, m)}, m.key)
		}
	}
	c.checkVersion(root)
	if id := root.get("Id"); id != nil && id.value.kind != stringNode {
		c.add(issueDataType, []Location{c.at(path{}.value("Id"), id.value)}, jsonTypeNames[stringNode])
	}
	stmts := c.statements(root)
	for _, st := range stmts {
		c.statement(st)
	}
	c.sids(stmts)
	c.redundantStatements(stmts)
}

func (c *checker) checkVersion(root *node) {
	v := root.get("Version")
	switch {
	case v == nil:
		c.version = "2008-10-17" // IAM's default when the element is absent
		c.add(issueMissingVersion, []Location{{Path: path{}, Span: c.pos.span(root.start, root.start)}})
	case v.value.kind != stringNode:
		c.add(issueDataType, []Location{c.at(path{}.value("Version"), v.value)}, jsonTypeNames[stringNode])
	case !slices.Contains(versions, v.value.text):
		c.add(issueInvalidVersion, []Location{c.at(path{}.value("Version"), v.value)}, v.value.text, strings.Join(versions, ", "))
	default:
		c.version = v.value.text
	}
}

// statement is one statement and where its parts are.
type statement struct {
	n     *node
	path  path
	index int
	sid   *member
	// effect is Allow or Deny, "" when missing or invalid.
	effect string
	// action and resource are Action or NotAction, Resource or NotResource, nil when absent.
	action, resource       *element
	principal, notPrinc    *member
	condition              *member
	conditions             []condClause
	hasPassedToServiceCond bool
}

// element is Action, NotAction, Resource or NotResource: its name and string values.
type element struct {
	name   string
	not    bool
	member *member
	values []elementValue
}

type elementValue struct {
	text string
	n    *node
	path path
}

// statements reads the Statement element: one statement object or an array of them.
func (c *checker) statements(root *node) []*statement {
	m := root.get("Statement")
	if m == nil || m.value.kind == arrayNode && len(m.value.items) == 0 {
		c.add(issueMissingStatement, []Location{{Path: path{}, Span: c.pos.span(root.start, root.start)}})
		return nil
	}
	p := path{}.value("Statement")
	var nodes []*node
	var paths []path
	switch m.value.kind {
	case objectNode:
		nodes, paths = []*node{m.value}, []path{p}
	case arrayNode:
		for i, item := range m.value.items {
			nodes, paths = append(nodes, item), append(paths, p.index(i))
		}
	default:
		c.add(issueDataType, []Location{c.at(p, m.value)}, jsonTypeNames[arrayNode])
		return nil
	}
	var out []*statement
	for i, n := range nodes {
		if n.kind != objectNode {
			c.add(issueDataType, []Location{c.at(paths[i], n)}, jsonTypeNames[objectNode])
			continue
		}
		out = append(out, c.readStatement(n, paths[i], i))
	}
	return out
}

// readStatement reads a statement's elements, reporting the ones of the wrong shape.
func (c *checker) readStatement(n *node, p path, index int) *statement {
	st := &statement{n: n, path: p, index: index}
	for i := range n.members {
		if m := &n.members[i]; !slices.Contains(statementElements, m.key) {
			c.add(issueInvalidElement, []Location{c.atKey(p, m)}, m.key)
		}
	}
	if sid := n.get("Sid"); sid != nil {
		if sid.value.kind != stringNode {
			c.add(issueDataType, []Location{c.at(p.value("Sid"), sid.value)}, jsonTypeNames[stringNode])
		} else {
			st.sid = sid
		}
	}
	st.action = c.pairedElement(st, "Action", "NotAction")
	st.resource = c.pairedElement(st, "Resource", "NotResource")
	st.principal, st.notPrinc = n.get("Principal"), n.get("NotPrincipal")
	if st.principal != nil && st.notPrinc != nil {
		c.add(issueCombination, []Location{c.atKey(p, st.principal), c.atKey(p, st.notPrinc)}, "Principal", "NotPrincipal")
	}
	if cond := n.get("Condition"); cond != nil {
		st.condition = cond
		st.conditions = c.readConditions(st, cond)
	}
	return st
}

// pairedElement reads an element and its Not form; using both is an error.
func (c *checker) pairedElement(st *statement, name, notName string) *element {
	yes, no := st.n.get(name), st.n.get(notName)
	if yes != nil && no != nil {
		c.add(issueCombination, []Location{c.atKey(st.path, yes), c.atKey(st.path, no)}, name, notName)
	}
	m, el := yes, &element{name: name}
	if m == nil {
		m, el = no, &element{name: notName, not: true}
	}
	if m == nil {
		return nil
	}
	el.member = m
	p := st.path.value(el.name)
	switch m.value.kind {
	case stringNode:
		el.values = []elementValue{{text: m.value.text, n: m.value, path: p}}
	case arrayNode:
		for i, item := range m.value.items {
			if item.kind != stringNode {
				c.add(issueDataType, []Location{c.at(p.index(i), item)}, jsonTypeNames[stringNode])
				continue
			}
			el.values = append(el.values, elementValue{text: item.text, n: item, path: p.index(i)})
		}
	default:
		c.add(issueDataType, []Location{c.at(p, m.value)}, jsonTypeNames[stringNode])
	}
	return el
}

// statement runs the checks of one statement.
func (c *checker) statement(st *statement) {
	c.effect(st)
	c.principals(st)
	c.statementElements(st)
	if st.action != nil {
		c.actions(st)
	}
	if st.resource != nil {
		c.resources(st)
	}
	c.conditionKeys(st)
	c.sensitiveActions(st)
	c.resourceMismatch(st)
	c.variablesOutsideResourceAndCondition(st)
}

func (c *checker) effect(st *statement) {
	m := st.n.get("Effect")
	switch {
	case m == nil:
		c.add(issueMissingEffect, []Location{c.at(st.path, st.n)})
	case m.value.kind != stringNode:
		c.add(issueDataType, []Location{c.at(st.path.value("Effect"), m.value)}, jsonTypeNames[stringNode])
	case m.value.text != "Allow" && m.value.text != "Deny":
		c.add(issueInvalidEffect, []Location{c.at(st.path.value("Effect"), m.value)}, m.value.text)
	default:
		st.effect = m.value.text
	}
	if st.effect == "Allow" && st.action != nil && st.action.not {
		c.add(issueAllowNotAction, []Location{c.atKey(st.path, st.action.member)})
	}
}

// statementElements checks which elements the policy type requires or forbids, and empty ones.
func (c *checker) statementElements(st *statement) {
	switch {
	case st.action == nil:
		c.add(issueMissingAction, []Location{c.at(st.path, st.n)})
	case len(st.action.values) == 0 && st.action.member.value.kind == arrayNode:
		c.add(issueEmptyAction, []Location{c.at(st.path.value(st.action.name), st.action.member.value)})
	}
	if st.action != nil && st.action.not && c.opts.Type == ResourceControlPolicy {
		c.add(issueRCPNotAction, []Location{c.atKey(st.path, st.action.member)})
	}
	switch {
	case c.opts.trust() && st.resource != nil:
		c.add(issueTrustResource, []Location{c.atKey(st.path, st.resource.member)})
	case c.opts.trust():
	case st.resource == nil && c.opts.Type != ResourcePolicy:
		// Resource policies may leave Resource out: the policy's resource is implied (an S3
		// bucket policy of AWS's CheckNoPublicAccess examples has none).
		c.add(issueMissingResource, []Location{c.at(st.path, st.n)})
	case st.resource != nil && len(st.resource.values) == 0 && st.resource.member.value.kind == arrayNode:
		c.add(issueEmptyResource, []Location{c.at(st.path.value(st.resource.name), st.resource.member.value)})
	}
}

// principals checks the Principal and NotPrincipal elements against the policy type.
func (c *checker) principals(st *statement) {
	for _, m := range []*member{st.principal, st.notPrinc} {
		if m == nil {
			continue
		}
		switch c.opts.Type {
		case IdentityPolicy:
			c.add(issueUnsupportedPrinc, []Location{c.atKey(st.path, m)}, string(IdentityPolicy))
			continue
		case ServiceControlPolicy:
			c.add(issueSCPPrincipal, []Location{c.atKey(st.path, m)})
			continue
		}
		p := st.path.value(m.key)
		switch {
		case m.value.kind == arrayNode && len(m.value.items) == 0:
			c.add(issueEmptyPrincipal, []Location{c.at(p, m.value)})
		case m.value.kind == objectNode && len(m.value.members) == 0:
			c.add(issueEmptyPrincipalObj, []Location{c.at(p, m.value)})
		case m.value.kind != objectNode && !(m.value.kind == stringNode && m.value.text == "*"):
			c.add(issueDataType, []Location{c.at(p, m.value)}, jsonTypeNames[objectNode])
		}
	}
	if st.notPrinc != nil && c.opts.trust() {
		c.add(issueTrustNotPrincipal, []Location{c.atKey(st.path, st.notPrinc)})
	} else if st.notPrinc != nil && st.effect == "Allow" && c.opts.Type != IdentityPolicy {
		c.add(issueAllowNotPrincipal, []Location{c.atKey(st.path, st.notPrinc)})
	}
	if (c.opts.Type == ResourcePolicy || c.opts.Type == ResourceControlPolicy) && st.principal == nil && st.notPrinc == nil {
		c.add(issueMissingPrincipal, []Location{c.at(st.path, st.n)})
	}
}

// sids checks Sid values: characters (identity-like policies), empty ones, uniqueness.
func (c *checker) sids(stmts []*statement) {
	seen := map[string]bool{}
	identityLike := c.opts.Type == IdentityPolicy || c.opts.Type == ServiceControlPolicy
	for _, st := range stmts {
		if st.sid == nil {
			continue
		}
		sid, loc := st.sid.value.text, c.at(st.path.value("Sid"), st.sid.value)
		switch {
		case sid == "":
			c.add(issueEmptySid, []Location{loc})
			continue
		case identityLike && !alphanumeric(sid):
			// "Statement IDs (SID) must be alpha-numeric" is IAM's rule for its policies.
			c.add(issueUnsupportedSid, []Location{loc})
		}
		if seen[sid] {
			if identityLike {
				c.add(issueSidsRequired, []Location{loc})
			} else {
				c.add(issueSidsRecommended, []Location{loc})
			}
		}
		seen[sid] = true
	}
}

func alphanumeric(s string) bool {
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// variablesOutsideResourceAndCondition reports policy variables where IAM does not expand
// them, and in the 2008 language, which has none.
func (c *checker) variablesOutsideResourceAndCondition(st *statement) {
	if st.action != nil {
		for _, v := range st.action.values {
			if name, ok := firstVariable(v.text); ok {
				c.add(issueVarElement, []Location{c.at(v.path, v.n)}, name)
			}
		}
	}
	if c.version == "2012-10-17" || c.version == "" {
		return
	}
	var locs []Location
	if st.resource != nil {
		for _, v := range st.resource.values {
			if _, ok := firstVariable(v.text); ok {
				locs = append(locs, c.at(v.path, v.n))
			}
		}
	}
	for _, cl := range st.conditions {
		for _, v := range cl.values {
			if _, ok := firstVariable(v.text); ok {
				locs = append(locs, c.at(v.path, v.n))
			}
		}
	}
	if len(locs) > 0 {
		c.add(issueVarVersion, locs)
	}
}

// firstVariable is the first ${...} of a value, as written.
func firstVariable(s string) (string, bool) {
	i := strings.Index(s, "${")
	if i < 0 {
		return "", false
	}
	j := strings.IndexByte(s[i:], '}')
	if j < 0 {
		return s[i:], true
	}
	return s[i : i+j+1], true
}
