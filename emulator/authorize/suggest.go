package authorize

import (
	"encoding/json"
	"sort"
	"strconv"
	"strings"
)

// collapseAt is how many resources under one parent (an ARN up to its last '/' or ':') a
// suggestion lists one by one; more become the parent followed by *.
const collapseAt = 4

// Suggest is the smallest identity policy that allows exactly calls: one statement per set of
// actions that share resources and conditions, the resources the calls named (collapsed to a
// wildcard only where many share a parent), and the narrowing condition keys pinned to the
// values the calls carried (iam:PassRole with iam:PassedToService). The document is
// deterministic: equal calls give equal bytes.
func Suggest(calls []Call) []byte {
	type grant struct {
		resources map[string]bool
		keys      map[string]map[string]bool
	}
	byAction := map[string]*grant{}
	for _, c := range calls {
		g := byAction[c.Action]
		if g == nil {
			g = &grant{resources: map[string]bool{}, keys: map[string]map[string]bool{}}
			byAction[c.Action] = g
		}
		g.resources[c.Resource] = true
		for k, vs := range c.Keys {
			if g.keys[k] == nil {
				g.keys[k] = map[string]bool{}
			}
			for _, v := range vs {
				g.keys[k][v] = true
			}
		}
	}
	// Actions granted on the same resources under the same conditions share a statement.
	type statement struct {
		actions   []string
		resources []string
		condition map[string]map[string][]string
	}
	byShape := map[string]*statement{}
	var shapes []string
	for action, g := range byAction {
		st := statement{actions: []string{action}, resources: collapse(g.resources)}
		if len(g.keys) > 0 {
			st.condition = map[string]map[string][]string{"StringEquals": {}}
			for k, vs := range g.keys {
				st.condition["StringEquals"][k] = sortedSet(vs)
			}
		}
		shape, _ := json.Marshal([]any{st.resources, st.condition})
		if prev := byShape[string(shape)]; prev != nil {
			prev.actions = append(prev.actions, action)
			continue
		}
		byShape[string(shape)] = &st
		shapes = append(shapes, string(shape))
	}
	statements := make([]*statement, 0, len(shapes))
	for _, s := range shapes {
		sort.Strings(byShape[s].actions)
		statements = append(statements, byShape[s])
	}
	sort.Slice(statements, func(i, j int) bool { return statements[i].actions[0] < statements[j].actions[0] })
	doc := map[string]any{"Version": "2012-10-17"}
	out := make([]map[string]any, 0, len(statements))
	count := map[string]int{}
	for _, st := range statements {
		svc, _, _ := strings.Cut(st.actions[0], ":")
		count[svc]++
		m := map[string]any{"Sid": sid(svc, count[svc]), "Effect": "Allow", "Action": oneOrMany(st.actions), "Resource": oneOrMany(st.resources)}
		if st.condition != nil {
			m["Condition"] = st.condition
		}
		out = append(out, m)
	}
	doc["Statement"] = out
	b, _ := json.MarshalIndent(doc, "", "  ") // maps of strings always marshal
	return b
}

// collapse lists resources, replacing collapseAt or more under one parent by the parent and *.
func collapse(resources map[string]bool) []string {
	if resources["*"] {
		return []string{"*"}
	}
	byParent := map[string][]string{}
	for r := range resources {
		i := strings.LastIndexAny(r, "/:")
		byParent[r[:i+1]] = append(byParent[r[:i+1]], r)
	}
	var out []string
	for parent, rs := range byParent {
		if len(rs) >= collapseAt && parent != "" {
			out = append(out, parent+"*")
			continue
		}
		out = append(out, rs...)
	}
	sort.Strings(out)
	return out
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for v := range set {
		out = append(out, v)
	}
	sort.Strings(out)
	return out
}

func oneOrMany(vs []string) any {
	if len(vs) == 1 {
		return vs[0]
	}
	return vs
}

// sid is a statement id of letters and digits, as IAM requires: AllowLambda2.
func sid(service string, n int) string {
	var b strings.Builder
	b.WriteString("Allow")
	up := true
	for _, r := range service {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if up && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			up = false
		default:
			up = true
		}
	}
	return b.String() + strconv.Itoa(n)
}
