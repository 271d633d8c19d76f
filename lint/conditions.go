package lint

import (
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// condFamily is the kind of comparison a condition operator makes.
type condFamily uint8

const (
	famString condFamily = iota + 1
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famARN
	famNull
)

// conditionOperators are IAM's condition operators without qualifier or IfExists ("IAM JSON
// policy elements: Condition operators"); names are case-sensitive, as IAM's are.
var conditionOperators = map[string]condFamily{
	"StringEquals": famString, "StringNotEquals": famString, "StringEqualsIgnoreCase": famString,
	"StringNotEqualsIgnoreCase": famString, "StringLike": famString, "StringNotLike": famString,
	"NumericEquals": famNumeric, "NumericNotEquals": famNumeric, "NumericLessThan": famNumeric,
	"NumericLessThanEquals": famNumeric, "NumericGreaterThan": famNumeric, "NumericGreaterThanEquals": famNumeric,
	"DateEquals": famDate, "DateNotEquals": famDate, "DateLessThan": famDate, "DateLessThanEquals": famDate,
	"DateGreaterThan": famDate, "DateGreaterThanEquals": famDate,
	"Bool": famBool, "BinaryEquals": famBinary, "IpAddress": famIP, "NotIpAddress": famIP,
	"ArnEquals": famARN, "ArnLike": famARN, "ArnNotEquals": famARN, "ArnNotLike": famARN, "Null": famNull,
}

// condClause is one key of one operator block of a Condition element.
type condClause struct {
	operator  string // as written: ForAnyValue:StringLikeIfExists
	base      string // StringLike
	family    condFamily
	qualified bool // ForAllValues: or ForAnyValue:
	ifExists  bool
	key       *member
	keyPath   path // Condition > operator; the key is the next step
	values    []elementValue
}

// readConditions reads a Condition element, reporting its shape and operators.
func (c *checker) readConditions(st *statement, cond *member) []condClause {
	p := st.path.value("Condition")
	if cond.value.kind != objectNode {
		c.add(issueDataType, []Location{c.at(p, cond.value)}, jsonTypeNames[objectNode])
		return nil
	}
	if len(cond.value.members) == 0 {
		c.add(issueEmptyCondObject, []Location{c.at(p, cond.value)})
		return nil
	}
	var out []condClause
	for i := range cond.value.members {
		op := &cond.value.members[i]
		cl, ok := c.parseOperator(p, op)
		if !ok {
			continue
		}
		opPath := p.value(op.key)
		if op.value.kind != objectNode {
			c.add(issueDataType, []Location{c.at(opPath, op.value)}, jsonTypeNames[objectNode])
			continue
		}
		if len(op.value.members) == 0 {
			c.add(issueEmptyCondObject, []Location{c.at(opPath, op.value)})
		}
		for j := range op.value.members {
			k := &op.value.members[j]
			clause := cl
			clause.key, clause.keyPath = k, opPath
			clause.values = c.conditionValues(opPath.value(k.key), k)
			out = append(out, clause)
		}
	}
	return out
}

// parseOperator reads an operator name; ok is false for one that is not IAM's.
func (c *checker) parseOperator(p path, op *member) (condClause, bool) {
	cl := condClause{operator: op.key}
	name := op.key
	for _, q := range []string{"ForAllValues:", "ForAnyValue:"} {
		if rest, found := strings.CutPrefix(name, q); found {
			cl.qualified, name = true, rest
		}
	}
	if rest, found := strings.CutSuffix(name, "IfExists"); found {
		cl.ifExists, name = true, rest
	}
	fam, ok := conditionOperators[name]
	if !ok {
		c.add(issueInvalidOperator, []Location{c.atKey(p, op)}, op.key)
		return cl, false
	}
	cl.base, cl.family = name, fam
	loc := []Location{c.atKey(p, op)}
	if fam == famNull && cl.ifExists {
		c.add(issueNullIfExists, loc)
	}
	if fam == famNull && cl.qualified {
		c.add(issueNullQualifier, loc)
	}
	return cl, true
}

// conditionValues reads a key's value: one scalar or an array of them.
func (c *checker) conditionValues(p path, k *member) []elementValue {
	scalar := func(n *node) bool { return n.kind == stringNode || n.kind == numberNode || n.kind == boolNode }
	switch {
	case scalar(k.value):
		return []elementValue{{text: k.value.text, n: k.value, path: p}}
	case k.value.kind == arrayNode:
		if len(k.value.items) == 0 {
			c.add(issueEmptyCondition, []Location{c.at(p, k.value)}, k.key)
		}
		var out []elementValue
		for i, item := range k.value.items {
			if !scalar(item) {
				c.add(issueDataType, []Location{c.at(p.index(i), item)}, jsonTypeNames[stringNode])
				continue
			}
			out = append(out, elementValue{text: item.text, n: item, path: p.index(i)})
		}
		return out
	}
	c.add(issueDataType, []Location{c.at(p, k.value)}, jsonTypeNames[stringNode])
	return nil
}

// conditionKeys checks each condition's key against the reference and its values against its
// operator.
func (c *checker) conditionKeys(st *statement) {
	for i := range st.conditions {
		cl := &st.conditions[i]
		if strings.EqualFold(cl.key.key, "iam:PassedToService") {
			st.hasPassedToServiceCond = true
		}
		c.conditionValueTypes(cl)
		if c.validKey(cl) {
			c.actionsForKey(st, cl)
		}
	}
}

// validKey reports whether the key exists, reporting it when it does not.
func (c *checker) validKey(cl *condClause) bool {
	key := cl.key.key
	loc := []Location{c.atKey(cl.keyPath, cl.key)}
	prefix, _, ok := strings.Cut(key, ":")
	switch {
	case !ok || prefix == "":
		c.add(issueKeyFormat, loc)
		return false
	case strings.EqualFold(key, "aws:ARN"):
		c.add(issueUnsupportedGlobal, loc)
		return false
	case strings.EqualFold(prefix, "aws"):
		if !c.cat.isGlobalKey(key) {
			c.add(issueInvalidGlobalKey, loc, key)
			return false
		}
		return true
	case strings.ContainsAny(prefix, "./"):
		// An identity provider's key (accounts.google.com:aud, an OIDC issuer's): only the
		// providers the reference lists can be checked further.
		return c.cat.isProviderKey(key)
	}
	s, ok := c.cat.service(prefix)
	switch {
	case !ok:
		c.add(issueInvalidService, loc, prefix)
		return false
	case !s.acceptsKey(key) && !c.cat.isGlobalKey(key):
		c.add(issueInvalidServiceKey, loc, key, s.prefix())
		return false
	}
	return true
}

// isProviderKey reports an identity provider's key that some service (STS) lists.
func (c *catalog) isProviderKey(key string) bool {
	for i := range c.services {
		if c.anyKeyMatches(c.services[i].keys, key) {
			return true
		}
	}
	return false
}

// actionsForKey reports the statement's actions that do not support a service's condition
// key: the condition is not evaluated for them. As AWS does, actions with wildcards are left
// out, and so are aws:* keys, whose support other checks judge.
func (c *checker) actionsForKey(st *statement, cl *condClause) {
	key := cl.key.key
	if st.action == nil || st.action.not || strings.HasPrefix(strings.ToLower(key), "aws:") || c.cat.isGlobalKey(key) {
		return
	}
	var names []string
	var locs []Location
	for _, v := range st.action.values {
		if strings.ContainsAny(v.text, "*?") {
			continue
		}
		a, ok := c.cat.action(v.text)
		if !ok || a.acceptsKey(key) {
			continue
		}
		names = append(names, v.text)
		locs = append(locs, c.at(v.path, v.n))
	}
	if len(names) == 0 {
		return
	}
	valuePath := cl.keyPath.value(key)
	locs = append(locs, c.at(valuePath, cl.key.value))
	c.add(issueActionForKey, locs, strings.Join(names, ", "), key)
}

// conditionValueTypes checks values against what the operator compares.
func (c *checker) conditionValueTypes(cl *condClause) {
	for _, v := range cl.values {
		loc := []Location{c.at(v.path, v.n)}
		switch cl.family {
		case famString:
			if strings.Contains(cl.base, "Equals") && strings.ContainsAny(v.text, "*?") && !strings.Contains(v.text, "${") {
				c.add(issueWildcardNoLike, loc)
			}
		case famBool, famNull:
			if !strings.EqualFold(v.text, "true") && !strings.EqualFold(v.text, "false") {
				c.add(issueTypeBool, loc, cl.operator)
			}
		case famNumeric:
			if _, err := strconv.ParseFloat(v.text, 64); err != nil && !strings.Contains(v.text, "${") {
				c.add(issueTypeNumber, loc, cl.operator)
			}
		case famDate:
			if !validDate(v.text) && !strings.Contains(v.text, "${") {
				c.add(issueTypeDate, loc)
			}
		case famIP:
			if !validIPRange(v.text) {
				c.add(issueTypeIP, loc, cl.operator)
			}
		}
	}
}

// validDate accepts what IAM compares as a date: W3C/ISO 8601 forms and epoch seconds.
func validDate(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil {
		return true
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04Z07:00", "2006-01-02T15:04:05", "2006-01-02", "2006-01", "2006"} {
		if _, err := time.Parse(layout, s); err == nil {
			return true
		}
	}
	return false
}

func validIPRange(s string) bool {
	if _, err := netip.ParsePrefix(s); err == nil {
		return true
	}
	_, err := netip.ParseAddr(s)
	return err == nil
}
