package logs

import (
	"math"
	"strconv"
	"strings"

	"github.com/iamlocal/iamlocal/api/logsapi"
)

// Space-delimited filter patterns, as the CloudWatch Logs User Guide describes them ("Filter
// pattern syntax", "Using metric filters to extract values from space-delimited log events"):
//
//   - the pattern names the event's fields, comma separated, in square brackets:
//     [ip, user, username, timestamp, request, status_code, bytes];
//   - the event splits on spaces, except that the characters between a pair of square brackets
//     or double quotes are one field (kept without the brackets or quotes, as the guide's
//     extracted values show: "$4": "10/Oct/2000:13:25:15 -0700");
//   - without an ellipsis (...) the event must have exactly as many fields as the pattern; an
//     ellipsis stands for any number of fields: [..., status_code, bytes], [ip, user, ...];
//   - a field may carry conditions: = and != with a string (* is a wildcard) or a number,
//     < <= > >= with a number, joined with && and ||: [w1=ERROR || w1=WARN, w2],
//     [ip, user, username, timestamp, request = *html*, status_code = 4*, bytes > 1000];
//   - an empty field between commas is an unnamed field (the guide's [..., status_code=4*,]).
//
// A match extracts the fields under $name for a named field and $N (its position, from 1) for
// the others, which is the guide's example output for TestMetricFilter.
//
// Where the guide is silent iamlocal chooses, and refuses rather than guesses: a run of spaces,
// tabs or line breaks is one separator (a Lambda line ends with a line break); at most one
// ellipsis; a condition may name only fields the pattern defines (the guide's
// "status_code = 4* && bytes > 1000" in a pattern without a bytes field is refused); two fields
// of one name are refused. A value may be a %regex% (regex.go), searched in the field's text.

// delimited is a compiled space-delimited pattern.
type delimited struct {
	names    []string       // each field's name; "" for an unnamed field or the ellipsis
	ellipsis int            // the ellipsis' index, -1 without one
	byName   map[string]int // field index by name
	conds    []fieldExpr    // the fields' conditions, all of which must hold
}

// fieldExpr is a condition over the pattern's field values (vals, indexed as the pattern).
type fieldExpr func(vals []string) bool

// fieldCond is one parsed NAME OP VALUE condition.
type fieldCond struct {
	name, op, value string
	quoted          bool
	regex           func(string) bool // the test of a %regex% value (regexTest)
}

func compileDelimited(p string) (*delimited, error) {
	p = strings.TrimSpace(p)
	if len(p) < 2 || p[0] != '[' || p[len(p)-1] != ']' || strings.TrimSpace(p[1:len(p)-1]) == "" {
		return nil, badPattern()
	}
	if countRegexTerms(p) > maxRegexPerPattern {
		return nil, tooManyRegex()
	}
	parts, ok := splitSlots(p[1 : len(p)-1])
	if !ok {
		return nil, badPattern()
	}
	d := &delimited{names: make([]string, len(parts)), ellipsis: -1, byName: map[string]int{}}
	alts := make([][][]fieldCond, len(parts))
	for i, part := range parts {
		name, a, isEllipsis, err := parseSlot(strings.TrimSpace(part))
		if err != nil {
			return nil, err
		}
		if isEllipsis {
			if d.ellipsis >= 0 {
				return nil, badPattern()
			}
			d.ellipsis = i
			continue
		}
		if name != "" {
			if _, dup := d.byName[name]; dup {
				return nil, badPattern()
			}
			d.byName[name] = i
		}
		d.names[i], alts[i] = name, a
	}
	for _, a := range alts {
		if len(a) == 0 {
			continue
		}
		expr, err := d.compileAlts(a)
		if err != nil {
			return nil, err
		}
		d.conds = append(d.conds, expr)
	}
	return d, nil
}

// splitSlots splits the pattern's inside on the commas outside double quotes and %regex%
// (a{1,3} holds one).
func splitSlots(s string) ([]string, bool) {
	var parts []string
	quoted, regex, start := false, false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"' && !regex:
			quoted = !quoted
		case s[i] == '%' && !quoted:
			regex = !regex
		case s[i] == ',' && !quoted && !regex:
			parts, start = append(parts, s[start:i]), i+1
		}
	}
	return append(parts, s[start:]), !quoted && !regex
}

// parseSlot reads one field: empty (unnamed), "...", a bare name, or conditions joined with &&
// and || (&& binding tighter), returned as alternatives of conjunctions.
func parseSlot(s string) (name string, alts [][]fieldCond, ellipsis bool, err error) {
	switch {
	case s == "":
		return "", nil, false, nil
	case s == "...":
		return "", nil, true, nil
	case isFieldName(s):
		return s, nil, false, nil
	}
	lx := &lexer{s: s}
	group := []fieldCond{}
	for {
		c, err := lx.condition()
		if err != nil {
			return "", nil, false, err
		}
		if name == "" {
			name = c.name // the field the slot stands for is the one its first condition names
		}
		group = append(group, c)
		switch {
		case lx.eat("&&"):
		case lx.eat("||"):
			alts, group = append(alts, group), []fieldCond{}
		case strings.TrimSpace(lx.s) == "":
			return name, append(alts, group), false, nil
		default:
			return "", nil, false, badPattern()
		}
	}
}

// condition reads NAME OP VALUE, VALUE quoted or a bare word up to a space, & or |.
func (l *lexer) condition() (fieldCond, error) {
	l.skip()
	end := 0
	for end < len(l.s) && isNameByte(l.s[end], end == 0) {
		end++
	}
	c := fieldCond{name: l.s[:end]}
	l.s = l.s[end:]
	for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if l.eat(o) {
			c.op = o
			break
		}
	}
	if c.name == "" || c.op == "" {
		return c, badPattern()
	}
	l.skip()
	if expr, rest, ok := readRegexTerm(l.s); ok {
		test, err := regexTest(c.op, expr)
		if err != nil {
			return c, err
		}
		c.value, c.regex, l.s = expr, test, rest
		return c, nil
	}
	if strings.HasPrefix(l.s, `"`) {
		end := strings.IndexByte(l.s[1:], '"')
		if end < 0 {
			return c, badPattern()
		}
		c.value, c.quoted, l.s = l.s[1:1+end], true, l.s[2+end:]
		return c, nil
	}
	end = strings.IndexAny(l.s, " \t&|")
	if end < 0 {
		end = len(l.s)
	}
	c.value, l.s = l.s[:end], l.s[end:]
	if c.value == "" {
		return c, badPattern()
	}
	return c, nil
}

func isFieldName(s string) bool {
	for i := range len(s) {
		if !isNameByte(s[i], i == 0) {
			return false
		}
	}
	return s != ""
}

// isNameByte: names are letters, digits and underscores, not starting with a digit, so that
// no name reads as a position ($7).
func isNameByte(b byte, first bool) bool {
	return b == '_' || (b|0x20 >= 'a' && b|0x20 <= 'z') || (!first && b >= '0' && b <= '9')
}

func (d *delimited) compileAlts(alts [][]fieldCond) (fieldExpr, error) {
	var ors []fieldExpr
	for _, group := range alts {
		var ands []fieldExpr
		for _, c := range group {
			i, ok := d.byName[c.name]
			if !ok {
				return nil, logsapi.ErrInvalidParameter("Invalid filter pattern: %s is not a field of the pattern", c.name)
			}
			test, err := fieldTest(c)
			if err != nil {
				return nil, err
			}
			ands = append(ands, func(vals []string) bool { return test(vals[i]) })
		}
		ors = append(ors, func(vals []string) bool {
			for _, t := range ands {
				if !t(vals) {
					return false
				}
			}
			return true
		})
	}
	return func(vals []string) bool {
		for _, t := range ors {
			if t(vals) {
				return true
			}
		}
		return false
	}, nil
}

// fieldTest compiles one condition on a field's text: a numeric comparison when the value is
// an unquoted number (a field that is no number fails it), else a wildcard string match.
func fieldTest(c fieldCond) (func(string) bool, error) {
	if c.regex != nil {
		return c.regex, nil
	}
	if num, ok := finiteNumber(c.value); ok && !c.quoted {
		return func(s string) bool {
			f, ok := finiteNumber(s)
			if !ok {
				return false
			}
			return compareNumbers(c.op, f, num)
		}, nil
	}
	if c.op != "=" && c.op != "!=" {
		return nil, badPattern()
	}
	negate := c.op == "!="
	return func(s string) bool { return wildcard(c.value, s) != negate }, nil
}

// finiteNumber reads a number; CloudWatch takes no NaN or infinity, so neither is one.
func finiteNumber(s string) (float64, bool) {
	n, err := strconv.ParseFloat(s, 64)
	return n, err == nil && !math.IsNaN(n) && !math.IsInf(n, 0)
}

// splitFields splits an event into its fields: words separated by spaces, tabs or line
// breaks, a field opened by " or [ running to the next " or ] (without them; an unclosed one
// runs to the end).
func splitFields(msg string) []string {
	var out []string
	for {
		msg = strings.TrimLeft(msg, fieldSeparators)
		if msg == "" {
			return out
		}
		var field string
		if closer := closerOf(msg[0]); closer != 0 {
			end := strings.IndexByte(msg[1:], closer)
			if end < 0 {
				end = len(msg) - 1
			}
			field, msg = msg[1:1+end], msg[min(2+end, len(msg)):]
		} else {
			end := strings.IndexAny(msg, fieldSeparators)
			if end < 0 {
				end = len(msg)
			}
			field, msg = msg[:end], msg[end:]
		}
		out = append(out, field)
	}
}

const fieldSeparators = " \t\r\n"

func closerOf(b byte) byte {
	switch b {
	case '"':
		return '"'
	case '[':
		return ']'
	}
	return 0
}

// apply splits the event and checks it against the pattern: its field count and the
// conditions. vals holds the value of each of the pattern's fields ("" for the ellipsis).
func (d *delimited) apply(msg string) (fields, vals []string, ok bool) {
	fields = splitFields(msg)
	k := len(d.names)
	switch {
	case d.ellipsis < 0 && len(fields) != k, d.ellipsis >= 0 && len(fields) < k-1:
		return nil, nil, false
	case d.ellipsis < 0:
		vals = fields
	default:
		vals = make([]string, k)
		for i := range k {
			if j := d.fieldIndex(i, len(fields)); j >= 0 {
				vals[i] = fields[j]
			}
		}
	}
	for _, c := range d.conds {
		if !c(vals) {
			return nil, nil, false
		}
	}
	return fields, vals, true
}

// fieldIndex is the event field that pattern field i reads among n, -1 for the ellipsis.
func (d *delimited) fieldIndex(i, n int) int {
	switch {
	case d.ellipsis < 0 || i < d.ellipsis:
		return i
	case i == d.ellipsis:
		return -1
	}
	return n - (len(d.names) - i)
}

// patternIndex is the pattern field that reads event field j among n (the ellipsis' for
// those it covers).
func (d *delimited) patternIndex(j, n int) int {
	k := len(d.names)
	switch {
	case d.ellipsis < 0 || j < d.ellipsis:
		return j
	case j >= n-(k-1-d.ellipsis):
		return k - (n - j)
	}
	return d.ellipsis
}

func (d *delimited) match(msg string) bool {
	_, _, ok := d.apply(msg)
	return ok
}

// extract is TestMetricFilter's extractedValues of a matching event: $name for a named field,
// $N (from 1) for the others.
func (d *delimited) extract(msg string) (map[string]string, bool) {
	fields, _, ok := d.apply(msg)
	if !ok {
		return nil, false
	}
	out := make(map[string]string, len(fields))
	for j, f := range fields {
		if name := d.names[d.patternIndex(j, len(fields))]; name != "" {
			out["$"+name] = f
		} else {
			out["$"+strconv.Itoa(j+1)] = f
		}
	}
	return out, true
}

// fieldGetter reads one field of an event that matched the pattern.
type fieldGetter func(fields, vals []string) (string, bool)

// ref resolves a metric value or dimension that names a field: $name for a field the pattern
// names, or $N for the event's Nth field (the guide's "$7" for the seventh), which a pattern
// without an ellipsis must have.
func (d *delimited) ref(r string) (fieldGetter, bool) {
	name, ok := strings.CutPrefix(r, "$")
	if !ok || name == "" {
		return nil, false
	}
	if i, ok := d.byName[name]; ok {
		return func(_, vals []string) (string, bool) { return vals[i], true }, true
	}
	n, err := strconv.Atoi(name)
	if err != nil || n < 1 || name[0] == '0' || name[0] == '+' || (d.ellipsis < 0 && n > len(d.names)) {
		return nil, false
	}
	return func(fields, _ []string) (string, bool) {
		if n > len(fields) {
			return "", false
		}
		return fields[n-1], true
	}, true
}
