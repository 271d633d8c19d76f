package authz

import (
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/arn"
)

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	any       bool // "*" or {"AWS": "*"}
	aws       []string
	service   []string
	federated []string
	canonical []string
}

// compileStatement builds a Statement from a statement that passed
// validation.
// elementOrNot reads a statement's list element name, or its Not form (not true) when present.
func elementOrNot(st rawStmt, name string) (not bool, list []string) {
	if v, ok := st["Not"+name]; ok {
		list, _ = stringList(v)
		return true, list
	}
	list, _ = stringList(st[name])
	return false, list
}

func compileStatement(st rawStmt, vars bool) *Statement {
	s := &Statement{vars: vars}
	s.Sid, _ = st["Sid"].(string)
	s.Effect = EffectAllow
	if e, _ := st["Effect"].(string); strings.EqualFold(e, "Deny") {
		s.Effect = EffectDeny
	}
	s.NotAction, s.Actions = elementOrNot(st, "Action")
	for _, a := range s.Actions {
		s.actions = append(s.actions, compilePattern(LowerASCII(a), false, false))
	}
	s.NotResource, s.Resources = elementOrNot(st, "Resource")
	for _, r := range s.Resources {
		s.resources = append(s.resources, compilePattern(r, vars, true))
	}
	if v, ok := st["NotPrincipal"]; ok {
		s.NotPrincipal = true
		s.Principals, s.principal = compilePrincipal(v)
	} else if v, ok := st["Principal"]; ok {
		s.Principals, s.principal = compilePrincipal(v)
	}
	if c, ok := st["Condition"].(map[string]any); ok {
		// Sort for a deterministic order: JSON objects are unordered and
		// all conditions must hold anyway.
		ops := make([]string, 0, len(c))
		for name := range c {
			ops = append(ops, name)
		}
		sort.Strings(ops)
		for _, name := range ops {
			op, ok := parseOperator(name)
			if !ok {
				continue // unknown operator with an empty body
			}
			body := c[name].(map[string]any)
			keys := make([]string, 0, len(body))
			for k := range body {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			for _, k := range keys {
				vals, _ := scalarList(body[k])
				s.conditions = append(s.conditions, compileCondition(op, k, vals, vars))
			}
		}
	}
	return s
}

func compilePrincipal(v any) (map[string][]string, *principalSet) {
	ps := &principalSet{}
	out := map[string][]string{}
	m, ok := v.(map[string]any)
	if !ok {
		ps.any = true
		out["*"] = []string{"*"}
		return out, ps
	}
	for typ, raw := range m {
		vals, _ := stringList(raw)
		out[typ] = vals
		for _, s := range vals {
			switch typ {
			case "AWS":
				if s == "*" {
					ps.any = true
				}
				ps.aws = append(ps.aws, s)
			case "Service":
				ps.service = append(ps.service, s)
			case "Federated":
				ps.federated = append(ps.federated, s)
			case "CanonicalUser":
				ps.canonical = append(ps.canonical, s)
			}
		}
	}
	return out, ps
}

// accountRoot is the root ARN of the principal's account, in the partition of its own ARN: a
// policy naming it delegates to the account ("AWS JSON policy elements: Principal", AWS
// account principals).
func accountRoot(p *Principal) string {
	partition := arn.DefaultPartition
	if a, err := arn.Parse(p.ARN); err == nil {
		partition = a.Partition
	}
	return arn.Scope{Partition: partition, Account: p.Account}.Root().String()
}

// Strength of a principal match in a resource-based policy ("Policy
// evaluation logic", "Resource-based policies and implicit denies in other
// policy types (same account)").
type strength uint8

const (
	matchNone    strength = iota
	matchAccount          // the account (ID or root ARN): delegated to the account
	matchRole             // the role of an assumed-role session
	matchDirect           // the user, the session, the service, the federated identity or "*"
)

func (ps *principalSet) match(p *Principal) strength {
	if ps.any {
		return matchDirect
	}
	if p.Service != "" {
		for _, s := range ps.service {
			if strings.EqualFold(s, p.Service) {
				return matchDirect
			}
		}
	}
	if p.Federated != "" {
		for _, f := range ps.federated {
			if f == p.Federated {
				return matchDirect
			}
		}
	}
	best := matchNone
	root := ""
	for _, a := range ps.aws {
		if root == "" && p.Account != "" {
			root = accountRoot(p)
		}
		switch {
		case p.ARN != "" && a == p.ARN:
			return matchDirect
		case p.RoleARN != "" && a == p.RoleARN:
			best = max(best, matchRole)
		case p.Account != "" && (a == p.Account || a == root):
			if p.IsRoot {
				return matchDirect
			}
			best = max(best, matchAccount)
		}
	}
	return best
}
