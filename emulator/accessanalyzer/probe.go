package accessanalyzer

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/api/accessanalyzerapi"
	"github.com/iamlocal/iamlocal/authz"
)

// The access checks are decided by iamlocal's engine: each statement of the policy under
// test suggests requests it could allow (probes: its actions and resources with their
// wildcards filled in, a principal it names, a request context that meets its conditions),
// and authz.Evaluate decides them against the policies the check compares.

// policyUnderTest is a policy compiled for deciding, with its statements as written for
// choosing what to ask.
type policyUnderTest struct {
	set      authz.PolicySet
	resource bool
	stmts    []stmtSpec
}

type stmtSpec struct {
	index                  int
	sid                    string
	allow                  bool
	actions, resources     []string
	notAction, notResource bool
	noResource             bool // neither Resource nor NotResource: the resource policy's own
	principals             map[string][]string
	anyPrincipal           bool // "*" or {"AWS": "*"}
	notPrincipal           bool
	conditions             []condSpec
}

type condSpec struct {
	operator, key string
	values        []string
}

// readPolicy reads a policy document of an access check: IDENTITY_POLICY or RESOURCE_POLICY
// (a trust policy is one). A resource policy's statements may leave Resource out, their
// resource being the one the policy is attached to.
func readPolicy(doc, policyType string) (*policyUnderTest, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, malformed("the document is not a JSON object")
	}
	raw, ok := statementList(top["Statement"])
	if !ok {
		return nil, malformed("Statement must be a statement object or a list of them")
	}
	p := &policyUnderTest{resource: policyType == "RESOURCE_POLICY"}
	kind := authz.KindIdentity
	if p.resource {
		kind = authz.KindResource
	}
	for i, st := range raw {
		spec := readStatement(i, st)
		if p.resource && spec.noResource {
			st["Resource"] = "*"
		}
		p.stmts = append(p.stmts, spec)
	}
	top["Statement"] = raw
	compiled, err := json.Marshal(top)
	if err != nil {
		return nil, malformed(err.Error())
	}
	pol, err := authz.Parser{AnyPartition: true}.Parse(string(compiled), kind)
	if m := (*authz.MalformedError)(nil); errors.As(err, &m) {
		return nil, malformed(m.Message)
	} else if err != nil {
		return nil, malformed(err.Error())
	}
	named := []authz.Named{{Name: "policy", Policy: pol}}
	if p.resource {
		p.set.Resource = named
	} else {
		p.set.Identity = named
	}
	return p, nil
}

// malformed is the answer to a document the engine cannot read. AWS's text for it is not on
// record; the error code is the operation's modelled one for a bad parameter.
func malformed(reason string) error {
	return accessanalyzerapi.ErrInvalidParameter("The policy document is not valid: %s", reason)
}

func statementList(v any) ([]map[string]any, bool) {
	switch s := v.(type) {
	case map[string]any:
		return []map[string]any{s}, true
	case []any:
		out := make([]map[string]any, 0, len(s))
		for _, item := range s {
			m, ok := item.(map[string]any)
			if !ok {
				return nil, false
			}
			out = append(out, m)
		}
		return out, len(out) > 0
	}
	return nil, false
}

func readStatement(i int, st map[string]any) stmtSpec {
	spec := stmtSpec{index: i, allow: st["Effect"] == "Allow"}
	spec.sid, _ = st["Sid"].(string)
	spec.actions, spec.notAction = elementOrNot(st, "Action")
	spec.resources, spec.notResource = elementOrNot(st, "Resource")
	_, hasResource := st["Resource"]
	_, hasNot := st["NotResource"]
	spec.noResource = !hasResource && !hasNot
	principal, ok := st["Principal"]
	if !ok {
		principal, spec.notPrincipal = st["NotPrincipal"], true
	}
	switch pr := principal.(type) {
	case string:
		spec.anyPrincipal = pr == "*"
	case map[string]any:
		spec.principals = map[string][]string{}
		for typ, v := range pr {
			spec.principals[typ] = stringValues(v)
			if typ == "AWS" && slices.Contains(spec.principals[typ], "*") {
				spec.anyPrincipal = true
			}
		}
	}
	if cond, ok := st["Condition"].(map[string]any); ok {
		for op, block := range cond {
			keys, _ := block.(map[string]any)
			for key, v := range keys {
				spec.conditions = append(spec.conditions, condSpec{operator: op, key: key, values: stringValues(v)})
			}
		}
		slices.SortFunc(spec.conditions, func(a, b condSpec) int { return strings.Compare(a.operator+a.key, b.operator+b.key) })
	}
	return spec
}

func elementOrNot(st map[string]any, name string) ([]string, bool) {
	if v, ok := st[name]; ok {
		return stringValues(v), false
	}
	if v, ok := st["Not"+name]; ok {
		return stringValues(v), true
	}
	return nil, false
}

// stringValues reads one value or a list of them as text, as the engine compares them.
func stringValues(v any) []string {
	one := func(x any) string {
		switch t := x.(type) {
		case string:
			return t
		case json.Number:
			return t.String()
		case bool:
			return strconv.FormatBool(t)
		}
		return ""
	}
	if list, ok := v.([]any); ok {
		out := make([]string, 0, len(list))
		for _, x := range list {
			out = append(out, one(x))
		}
		return out
	}
	return []string{one(v)}
}

// allows reports whether the policy allows a request, and through which of its statements.
func (p *policyUnderTest) allows(req authz.Request) (bool, []int) {
	res := authz.Evaluate(req, p.set)
	if res.Decision != authz.Allow {
		return false, nil
	}
	var stmts []int
	for _, m := range res.Matched {
		if m.Effect == "Allow" {
			stmts = append(stmts, m.Index)
		}
	}
	return true, stmts
}

// filler stands in for what a wildcard matches: text no policy is likely to name.
const filler = "IAMLOCALPROBE"

// witnesses are strings a pattern matches: its wildcards matching nothing, and matching the
// filler. Between them they tell a pattern from a narrower one: s3:Get* yields s3:Get, which
// s3:GetObject does not match.
func witnesses(pattern string) []string {
	empty := strings.ReplaceAll(strings.ReplaceAll(pattern, "*", ""), "?", "x")
	filled := strings.ReplaceAll(strings.ReplaceAll(pattern, "*", filler), "?", "x")
	if empty == filled {
		return []string{empty}
	}
	return []string{empty, filled}
}

func literal(s string) bool { return !strings.ContainsAny(s, "*?") }

// candidates are the values a statement element could be asked about: the listed ones (with
// wildcards, the statement's own values they match), or, with none listed, the statement's.
// outside is a value the element's Not form does not name.
func candidates(listed, patterns []string, not bool, outside string, fold bool) []string {
	var out []string
	add := func(s ...string) {
		for _, v := range s {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	if len(listed) == 0 {
		if not || len(patterns) == 0 {
			return []string{outside}
		}
		for _, p := range patterns {
			add(witnesses(p)...)
		}
		return out
	}
	for _, l := range listed {
		if literal(l) {
			add(l)
			continue
		}
		if !not {
			for _, p := range patterns {
				for _, w := range witnesses(p) {
					if globMatch(l, w, fold) {
						add(w)
					}
				}
			}
		}
		add(witnesses(l)...)
	}
	return out
}

// globMatch matches s against a pattern with * and ? wildcards.
func globMatch(pattern, s string, fold bool) bool {
	if fold {
		pattern, s = strings.ToLower(pattern), strings.ToLower(s)
	}
	px, sx, star, mark := 0, 0, -1, 0
	for sx < len(s) {
		switch {
		case px < len(pattern) && (pattern[px] == '?' || pattern[px] == s[sx]):
			px, sx = px+1, sx+1
		case px < len(pattern) && pattern[px] == '*':
			star, mark = px, sx
			px++
		case star >= 0:
			px, mark = star+1, mark+1
			sx = mark
		default:
			return false
		}
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// probeCaller is the principal asked about an identity policy.
func probeCaller() authz.Principal {
	return authz.Principal{ARN: "arn:aws:iam::123456789012:user/" + filler, Account: "123456789012"}
}

// principalsOf are the principals a resource policy statement names, each as a caller it
// would match: an account by a user of it, a role by a session of it.
func principalsOf(st stmtSpec, outsider authz.Principal) []authz.Principal {
	if st.anyPrincipal || st.notPrincipal {
		return []authz.Principal{outsider}
	}
	var out []authz.Principal
	for typ, values := range st.principals {
		for _, v := range values {
			switch typ {
			case "Service":
				out = append(out, authz.Principal{Service: v})
			case "Federated":
				out = append(out, authz.Principal{Federated: v})
			case "AWS":
				out = append(out, awsPrincipal(v))
			}
		}
	}
	slices.SortFunc(out, func(a, b authz.Principal) int {
		return strings.Compare(a.ARN+a.Service+a.Federated, b.ARN+b.Service+b.Federated)
	})
	return out
}

func awsPrincipal(v string) authz.Principal {
	if len(v) == 12 && strings.Trim(v, "0123456789") == "" {
		v = "arn:aws:iam::" + v + ":root"
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) < 6 {
		return authz.Principal{ARN: v}
	}
	partition, account, resource := parts[1], parts[4], parts[5]
	switch {
	case resource == "root":
		return authz.Principal{ARN: fmt.Sprintf("arn:%s:iam::%s:user/%s", partition, account, filler), Account: account}
	case strings.HasPrefix(resource, "role/"):
		name := resource[strings.LastIndexByte(resource, '/')+1:]
		return authz.Principal{ARN: fmt.Sprintf("arn:%s:sts::%s:assumed-role/%s/%s", partition, account, name, filler), Account: account, RoleARN: v}
	}
	return authz.Principal{ARN: v, Account: account}
}

// satisfy is a request context meeting a statement's conditions, over fixed: keys restricted
// reports are left as fixed has them (the caller cannot choose them).
func satisfy(conds []condSpec, fixed map[string][]string, restricted func(string) bool) map[string][]string {
	ctx := map[string][]string{}
	for k, v := range fixed {
		ctx[k] = v
	}
	for _, c := range conds {
		if restricted != nil && restricted(c.key) || len(c.values) == 0 || strings.Contains(c.values[0], "${") {
			continue
		}
		op := c.operator
		for _, q := range []string{"ForAllValues:", "ForAnyValue:"} {
			op = strings.TrimPrefix(op, q)
		}
		op = strings.TrimSuffix(op, "IfExists")
		if op == "Null" {
			if strings.EqualFold(c.values[0], "true") {
				delete(ctx, c.key)
			} else {
				ctx[c.key] = []string{filler}
			}
			continue
		}
		if v, ok := meeting(op, c.values[0]); ok {
			ctx[c.key] = []string{v}
		}
	}
	return ctx
}

// meeting is a context value the operator accepts against a policy value.
func meeting(op, v string) (string, bool) {
	switch {
	case strings.Contains(op, "Not") && op != "NotIpAddress":
		return filler, true
	case strings.HasSuffix(op, "Like"):
		return witnesses(v)[0], true
	case strings.HasPrefix(op, "Numeric"):
		n, err := strconv.ParseFloat(v, 64)
		if err != nil {
			return "", false
		}
		switch op {
		case "NumericLessThan":
			n--
		case "NumericGreaterThan":
			n++
		}
		return strconv.FormatFloat(n, 'f', -1, 64), true
	case strings.HasPrefix(op, "Date"):
		return meetingDate(op, v)
	case op == "IpAddress":
		if p, err := netip.ParsePrefix(v); err == nil {
			return p.Masked().Addr().String(), true
		}
		return v, true
	case op == "NotIpAddress":
		for _, ip := range []string{"192.0.2.123", "198.51.100.7"} {
			if p, err := netip.ParsePrefix(v); err != nil || !p.Contains(netip.MustParseAddr(ip)) {
				return ip, true
			}
		}
		return "", false
	}
	return v, true
}

func meetingDate(op, v string) (string, bool) {
	var t time.Time
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		t = time.Unix(secs, 0).UTC()
	} else if parsed, err := time.Parse(time.RFC3339, v); err == nil {
		t = parsed
	} else if parsed, err := time.Parse("2006-01-02", v); err == nil {
		t = parsed
	} else {
		return "", false
	}
	switch op {
	case "DateLessThan":
		t = t.Add(-time.Second)
	case "DateGreaterThan":
		t = t.Add(time.Second)
	}
	return t.Format(time.RFC3339), true
}

// requests are the probes of one statement: every action, resource and principal candidate.
func requests(actions, resources []string, principals []authz.Principal, ctx map[string][]string) []authz.Request {
	var out []authz.Request
	for _, pr := range principals {
		for _, a := range actions {
			for _, r := range resources {
				out = append(out, authz.Request{Principal: pr, Action: a, Resource: r, Context: ctx})
			}
		}
	}
	return out
}
