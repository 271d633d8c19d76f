package authz

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Condition operators, "IAM JSON policy elements: Condition operators"
// (reference_policies_elements_condition_operators.html).

type baseOp uint8

const (
	opStringEquals baseOp = iota + 1
	opStringNotEquals
	opStringEqualsIgnoreCase
	opStringNotEqualsIgnoreCase
	opStringLike
	opStringNotLike
	opNumericEquals
	opNumericNotEquals
	opNumericLessThan
	opNumericLessThanEquals
	opNumericGreaterThan
	opNumericGreaterThanEquals
	opDateEquals
	opDateNotEquals
	opDateLessThan
	opDateLessThanEquals
	opDateGreaterThan
	opDateGreaterThanEquals
	opBool
	opBinaryEquals
	opIPAddress
	opNotIPAddress
	opArnEquals
	opArnLike
	opArnNotEquals
	opArnNotLike
	opNull
)

var opNames = map[string]baseOp{
	"StringEquals": opStringEquals, "StringNotEquals": opStringNotEquals,
	"StringEqualsIgnoreCase": opStringEqualsIgnoreCase, "StringNotEqualsIgnoreCase": opStringNotEqualsIgnoreCase,
	"StringLike": opStringLike, "StringNotLike": opStringNotLike,
	"NumericEquals": opNumericEquals, "NumericNotEquals": opNumericNotEquals,
	"NumericLessThan": opNumericLessThan, "NumericLessThanEquals": opNumericLessThanEquals,
	"NumericGreaterThan": opNumericGreaterThan, "NumericGreaterThanEquals": opNumericGreaterThanEquals,
	"DateEquals": opDateEquals, "DateNotEquals": opDateNotEquals,
	"DateLessThan": opDateLessThan, "DateLessThanEquals": opDateLessThanEquals,
	"DateGreaterThan": opDateGreaterThan, "DateGreaterThanEquals": opDateGreaterThanEquals,
	"Bool": opBool, "BinaryEquals": opBinaryEquals,
	"IpAddress": opIPAddress, "NotIpAddress": opNotIPAddress,
	"ArnEquals": opArnEquals, "ArnLike": opArnLike, "ArnNotEquals": opArnNotEquals, "ArnNotLike": opArnNotLike,
	"Null": opNull,
}

type family uint8

const (
	famString family = iota + 1
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

func (o baseOp) family() family {
	switch {
	case o <= opStringNotLike:
		return famString
	case o <= opNumericGreaterThanEquals:
		return famNumeric
	case o <= opDateGreaterThanEquals:
		return famDate
	case o == opBool:
		return famBool
	case o == opBinaryEquals:
		return famBinary
	case o <= opNotIPAddress:
		return famIP
	case o <= opArnNotLike:
		return famArn
	}
	return famNull
}

// negated operators are true when no policy value matches; with a missing
// key they are true ("Condition operators": a negated operator on a key
// that is not in the request context evaluates to true).
func (o baseOp) negated() bool {
	switch o {
	case opStringNotEquals, opStringNotEqualsIgnoreCase, opStringNotLike, opNumericNotEquals,
		opDateNotEquals, opNotIPAddress, opArnNotEquals, opArnNotLike:
		return true
	}
	return false
}

type setKind uint8

const (
	setNone setKind = iota
	setAny          // ForAnyValue:
	setAll          // ForAllValues:
)

type operator struct {
	base     baseOp
	set      setKind
	ifExists bool
}

// parseOperator parses names such as "ForAllValues:StringLikeIfExists".
// Operator names are case-sensitive (see NOTES.md).
func parseOperator(name string) (operator, bool) {
	var op operator
	if rest, ok := strings.CutPrefix(name, "ForAnyValue:"); ok {
		op.set, name = setAny, rest
	} else if rest, ok := strings.CutPrefix(name, "ForAllValues:"); ok {
		op.set, name = setAll, rest
	}
	if rest, ok := strings.CutSuffix(name, "IfExists"); ok {
		op.ifExists, name = true, rest
	}
	b, ok := opNames[name]
	op.base = b
	return op, ok
}

// condValue is one policy value of a condition, compiled for its family.
type condValue struct {
	s      string
	toks   []token // string equality values holding variables
	pat    *pattern
	num    float64
	t      time.Time
	prefix netip.Prefix
	bin    []byte
	ok     bool // the value parsed for its family
}

type condition struct {
	op     operator
	key    string // lower case
	rawKey string
	vals   []condValue
}

func compileCondition(op operator, key string, raw []string, vars bool) condition {
	c := condition{op: op, key: strings.ToLower(key), rawKey: key}
	for _, s := range raw {
		v := condValue{s: s, ok: true}
		switch op.base.family() {
		case famString:
			if op.base == opStringLike || op.base == opStringNotLike {
				v.pat = compilePattern(s, vars, false)
			} else if vars && strings.Contains(s, "${") {
				v.toks = tokenize(s, true)
			}
		case famArn:
			v.pat = compilePattern(s, vars, true)
		case famNumeric:
			v.num, v.ok = parseNumber(s)
		case famDate:
			v.t, v.ok = parseDate(s)
		case famIP:
			v.prefix, v.ok = parsePrefix(s)
		case famBinary:
			b, err := base64.StdEncoding.DecodeString(s)
			v.bin, v.ok = b, err == nil
		}
		c.vals = append(c.vals, v)
	}
	return c
}

func parseNumber(s string) (float64, bool) {
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	return f, err == nil
}

var dateLayouts = [...]string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05Z0700",
	"2006-01-02T15:04Z07:00",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04",
	"2006-01-02",
	"2006-01",
	"2006",
}

// parseDate accepts ISO 8601 dates and times and epoch seconds ("Date
// condition operators").
func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, false
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) > 4 {
		return time.Unix(n, 0).UTC(), true
	}
	u := strings.ToUpper(s)
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, u); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func parsePrefix(s string) (netip.Prefix, bool) {
	s = strings.TrimSpace(s)
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval evaluates the condition against the request context.
func (c *condition) eval(ctx *evalCtx) bool {
	vals, present := ctx.getAs(c.key, c.rawKey)
	absent := !present || len(vals) == 0
	if c.op.base == opNull {
		// "Condition operator to check existence of condition keys".
		for _, v := range c.vals {
			if strings.EqualFold(v.s, "true") && absent || strings.EqualFold(v.s, "false") && !absent {
				return true
			}
		}
		return false
	}
	if absent {
		ctx.noteMissing(c.rawKey)
		switch {
		case c.op.ifExists:
			return true
		case c.op.set == setAll:
			return true
		case c.op.set == setAny:
			return false
		}
		return c.op.base.negated()
	}
	neg := c.op.base.negated()
	switch c.op.set {
	case setAny:
		for _, v := range vals {
			if c.anyMatch(v, ctx) != neg {
				return true
			}
		}
		return false
	case setAll:
		for _, v := range vals {
			if c.anyMatch(v, ctx) == neg {
				return false
			}
		}
		return true
	}
	for _, v := range vals {
		if c.anyMatch(v, ctx) {
			return !neg
		}
	}
	return neg
}

// anyMatch reports whether the request value matches any policy value
// under the positive form of the operator.
func (c *condition) anyMatch(rv string, ctx *evalCtx) bool {
	switch c.op.base.family() {
	case famNumeric:
		n, ok := parseNumber(rv)
		if !ok {
			return false
		}
		for _, v := range c.vals {
			if v.ok && cmpMatch(c.op.base-opNumericEquals, compareFloat(n, v.num)) {
				return true
			}
		}
		return false
	case famDate:
		t, ok := parseDate(rv)
		if !ok {
			return false
		}
		for _, v := range c.vals {
			if v.ok && cmpMatch(c.op.base-opDateEquals, t.Compare(v.t)) {
				return true
			}
		}
		return false
	case famIP:
		a, err := netip.ParseAddr(strings.TrimSpace(rv))
		if err != nil {
			return false
		}
		a = a.Unmap()
		for _, v := range c.vals {
			if v.ok && v.prefix.Contains(a) {
				return true
			}
		}
		return false
	case famBinary:
		b, err := base64.StdEncoding.DecodeString(rv)
		if err != nil {
			b = []byte(rv)
		}
		for _, v := range c.vals {
			if v.ok && bytes.Equal(b, v.bin) {
				return true
			}
		}
		return false
	}
	for i := range c.vals {
		if c.matchOne(&c.vals[i], rv, ctx) {
			return true
		}
	}
	return false
}

func (c *condition) matchOne(v *condValue, rv string, ctx *evalCtx) bool {
	switch c.op.base {
	case opBool:
		return strings.EqualFold(rv, v.s)
	case opStringLike, opStringNotLike, opArnEquals, opArnLike, opArnNotEquals, opArnNotLike:
		ok, missing := v.pat.match(rv, ctx.lookupVar)
		if missing != "" {
			ctx.noteMissing(missing)
		}
		return ok
	}
	want := v.s
	if v.toks != nil {
		var missing string
		want, missing = expandVars(v.toks, ctx.lookupVar)
		if missing != "" {
			ctx.noteMissing(missing)
			return false
		}
	}
	if c.op.base == opStringEqualsIgnoreCase || c.op.base == opStringNotEqualsIgnoreCase {
		return strings.EqualFold(rv, want)
	}
	return rv == want
}

// cmpMatch maps an operator's offset within its family (Equals, NotEquals,
// LessThan, LessThanEquals, GreaterThan, GreaterThanEquals) and a
// comparison result to a match under the positive form.
func cmpMatch(off baseOp, cmp int) bool {
	switch off {
	case 0, 1: // Equals, NotEquals (negated by the caller)
		return cmp == 0
	case 2:
		return cmp < 0
	case 3:
		return cmp <= 0
	case 4:
		return cmp > 0
	}
	return cmp >= 0
}

func compareFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// expandVars substitutes variables in a value used for exact comparison;
// wildcards are literal there.
func expandVars(toks []token, lookup lookupFunc) (string, string) {
	var b strings.Builder
	for _, t := range toks {
		switch t.kind {
		case tokLit:
			b.WriteString(t.lit)
		case tokStar:
			b.WriteByte('*')
		case tokQuest:
			b.WriteByte('?')
		case tokVar:
			v, ok := lookup(t.key)
			if !ok {
				if !t.hasDef {
					return "", t.key
				}
				v = t.def
			}
			b.WriteString(v)
		}
	}
	return b.String(), ""
}
