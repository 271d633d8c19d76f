package lint

import (
	"sort"
	"strconv"
	"strings"
)

// redundantStatements reports statements that give identical permissions: the same effect,
// actions, resources, principals and conditions, whatever their Sid and the order of values.
func (c *checker) redundantStatements(stmts []*statement) {
	seen := map[string]*statement{}
	for _, st := range stmts {
		key := canonicalStatement(st)
		if first, ok := seen[key]; ok {
			c.add(issueRedundantStatement, []Location{c.at(first.path, first.n), c.at(st.path, st.n)})
			continue
		}
		seen[key] = st
	}
}

// canonicalStatement is a statement's permissions as text: every element but Sid, objects by
// key, arrays as sets, action names without case.
func canonicalStatement(st *statement) string {
	var b strings.Builder
	for i := range st.n.members {
		m := &st.n.members[i]
		if m.key == "Sid" {
			continue
		}
		fold := m.key == "Action" || m.key == "NotAction"
		b.WriteString(m.key + "=" + canonical(m.value, fold) + ";")
	}
	parts := strings.Split(b.String(), ";")
	sort.Strings(parts)
	return strings.Join(parts, ";")
}

func canonical(n *node, fold bool) string {
	switch n.kind {
	case objectNode:
		parts := make([]string, 0, len(n.members))
		for _, m := range n.members {
			parts = append(parts, m.key+":"+canonical(m.value, fold))
		}
		sort.Strings(parts)
		return "{" + strings.Join(parts, ",") + "}"
	case arrayNode:
		parts := make([]string, 0, len(n.items))
		seen := map[string]bool{}
		for _, item := range n.items {
			if s := canonical(item, fold); !seen[s] {
				seen[s] = true
				parts = append(parts, s)
			}
		}
		sort.Strings(parts)
		if len(parts) == 1 {
			return parts[0] // "a" and ["a"] say the same
		}
		return "[" + strings.Join(parts, ",") + "]"
	case stringNode:
		if fold {
			return strconv.Quote(strings.ToLower(n.text))
		}
		return strconv.Quote(n.text)
	}
	return n.text
}
