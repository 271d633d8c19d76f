package authorize

import (
	"strings"

	"github.com/iamlocal/iamlocal/authz"
)

// forService narrows a policy set to the identity and session policies that could match an
// action of service at all. A statement with no matching Action cannot match, so dropping such
// policies changes no decision and no matched statement; the boundary is kept whole because its
// mere presence limits the caller. Principals with many policies for other services then cost
// the engine nothing for them.
func forService(set authz.PolicySet, service string) authz.PolicySet {
	out := set
	out.Identity = filterNamed(set.Identity, service)
	if set.HasSession {
		out.Session = filterNamed(set.Session, service)
	}
	return out
}

func filterNamed(in []authz.Named, service string) []authz.Named {
	var out []authz.Named
	for _, n := range in {
		if mayMatchService(n.Policy, service) {
			out = append(out, n)
		}
	}
	return out
}

// mayMatchService reports whether any statement of p could apply to an action of service.
func mayMatchService(p *authz.Policy, service string) bool {
	for _, st := range p.Statements {
		if st.NotAction {
			return true
		}
		for _, a := range st.Actions {
			svc, _, ok := strings.Cut(a, ":")
			if !ok || globFold(strings.ToLower(svc), service) {
				return true // "*" (no colon) or a matching service prefix
			}
		}
	}
	return false
}

// globFold matches s against pattern with IAM's * and ? wildcards; both are lower case.
func globFold(pattern, s string) bool {
	for len(pattern) > 0 {
		switch pattern[0] {
		case '*':
			for i := len(s); i >= 0; i-- {
				if globFold(pattern[1:], s[i:]) {
					return true
				}
			}
			return false
		case '?':
			if s == "" {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		default:
			if s == "" || pattern[0] != s[0] {
				return false
			}
			pattern, s = pattern[1:], s[1:]
		}
	}
	return s == ""
}
