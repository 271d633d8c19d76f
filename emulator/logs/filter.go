package logs

import (
	"encoding/json"
	"strconv"
	"strings"
	"sync"

	"github.com/iamlocal/iamlocal/api/logsapi"
)

// Filter patterns ("Filter pattern syntax for metric filters, subscription filters, filter log
// events", CloudWatch Logs User Guide). Supported:
//
//   - "" matches every event;
//   - unstructured terms, case-sensitive substrings that must all appear: ERROR, "quoted phrase";
//     a term prefixed with ? is an alternative (at least one must appear), one prefixed with -
//     must not appear: ?ERROR ?WARN, ERROR -timeout;
//   - JSON patterns { SELECTOR OP VALUE } on events that are JSON objects, with SELECTOR $.a.b or
//     $.list[0], OP = != < > <= >=, VALUE a quoted or bare string (* is a wildcard) or a number,
//     combined with && and || and parentheses: { $.level = "ERROR" && $.latency > 100 };
//     { $.x NOT EXISTS } and { $.x IS NULL } / IS TRUE / IS FALSE;
//   - space-delimited patterns naming the event's fields, with conditions on them:
//     [ip, user, ..., status_code = 4*, bytes > 1000] (see delimited.go).
//
//   - %regex% as a whole pattern or as a JSON or space-delimited condition's value (regex.go).

type matcher func(message string) bool

func badPattern() error {
	return logsapi.ErrInvalidParameter("Invalid filter pattern")
}

// patterns remembers compiled patterns: metric and subscription filters are matched against
// every ingested event, and their patterns change only when a filter is put. A compiled
// pattern is only read, so one serves every caller.
type patterns struct {
	mu sync.Mutex
	m  map[string]compiledPattern
}

// compiledPattern is a pattern's matcher and, for a space-delimited pattern, its fields.
type compiledPattern struct {
	match matcher
	delim *delimited // nil for term and JSON patterns
}

// maxPatterns bounds the memo; a full one starts over.
const maxPatterns = 1024

func (ps *patterns) compile(pattern string) (compiledPattern, error) {
	ps.mu.Lock()
	c, ok := ps.m[pattern]
	ps.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := compilePattern(pattern)
	if err != nil {
		return compiledPattern{}, err
	}
	ps.mu.Lock()
	if ps.m == nil || len(ps.m) >= maxPatterns {
		ps.m = map[string]compiledPattern{}
	}
	ps.m[pattern] = c
	ps.mu.Unlock()
	return c, nil
}

// compilePattern compiles a pattern once, keeping a space-delimited pattern's fields.
func compilePattern(pattern string) (compiledPattern, error) {
	if p := strings.TrimSpace(pattern); strings.HasPrefix(p, "[") {
		d, err := compileDelimited(p)
		if err != nil {
			return compiledPattern{}, err
		}
		return compiledPattern{match: d.match, delim: d}, nil
	}
	m, err := compileFilter(pattern)
	return compiledPattern{match: m}, err
}

func compileFilter(pattern string) (matcher, error) {
	p := strings.TrimSpace(pattern)
	switch {
	case p == "":
		return func(string) bool { return true }, nil
	case strings.HasPrefix(p, "{"):
		return compileJSON(p)
	case strings.HasPrefix(p, "["):
		d, err := compileDelimited(p)
		if err != nil {
			return nil, err
		}
		return d.match, nil
	case isRegexTerm(p):
		re, err := compileRegex(p[1 : len(p)-1])
		if err != nil {
			return nil, err
		}
		return re.MatchString, nil
	}
	return compileTerms(p)
}

func compileTerms(p string) (matcher, error) {
	var all, any, none []string
	for len(p) > 0 {
		p = strings.TrimLeft(p, " \t")
		if p == "" {
			break
		}
		kind := byte(0)
		if p[0] == '?' || p[0] == '-' {
			kind, p = p[0], p[1:]
		}
		var term string
		if strings.HasPrefix(p, `"`) {
			end := strings.IndexByte(p[1:], '"')
			if end < 0 {
				return nil, badPattern()
			}
			term, p = p[1:1+end], p[2+end:]
		} else {
			end := strings.IndexAny(p, " \t")
			if end < 0 {
				end = len(p)
			}
			term, p = p[:end], p[end:]
		}
		if term == "" {
			return nil, badPattern()
		}
		switch kind {
		case '?':
			any = append(any, term)
		case '-':
			none = append(none, term)
		default:
			all = append(all, term)
		}
	}
	return func(m string) bool {
		for _, t := range all {
			if !strings.Contains(m, t) {
				return false
			}
		}
		for _, t := range none {
			if strings.Contains(m, t) {
				return false
			}
		}
		if len(any) == 0 {
			return true
		}
		for _, t := range any {
			if strings.Contains(m, t) {
				return true
			}
		}
		return false
	}, nil
}

// jsonExpr is a compiled JSON pattern over the decoded event.
type jsonExpr func(doc any) bool

func compileJSON(p string) (matcher, error) {
	if !strings.HasSuffix(p, "}") {
		// AWS's words (jorgebastida/awslogs#210, a pattern cut short by the shell).
		return nil, logsapi.ErrInvalidParameter("If a filter pattern starts with '{' it must end with '}'")
	}
	if countRegexTerms(p) > maxRegexPerPattern {
		return nil, tooManyRegex()
	}
	lx := &lexer{s: strings.TrimSpace(p[1 : len(p)-1])}
	expr, err := lx.or()
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(lx.s) != "" {
		return nil, badPattern()
	}
	return func(m string) bool {
		var doc any
		dec := json.NewDecoder(strings.NewReader(m))
		dec.UseNumber()
		if err := dec.Decode(&doc); err != nil {
			return false
		}
		return expr(doc)
	}, nil
}

type lexer struct{ s string }

func (l *lexer) skip() { l.s = strings.TrimLeft(l.s, " \t\n") }

func (l *lexer) eat(tok string) bool {
	l.skip()
	if strings.HasPrefix(l.s, tok) {
		l.s = l.s[len(tok):]
		return true
	}
	return false
}

func (l *lexer) or() (jsonExpr, error) {
	left, err := l.and()
	for err == nil && l.eat("||") {
		var right jsonExpr
		if right, err = l.and(); err == nil {
			a, b := left, right
			left = func(d any) bool { return a(d) || b(d) }
		}
	}
	return left, err
}

func (l *lexer) and() (jsonExpr, error) {
	left, err := l.unary()
	for err == nil && l.eat("&&") {
		var right jsonExpr
		if right, err = l.unary(); err == nil {
			a, b := left, right
			left = func(d any) bool { return a(d) && b(d) }
		}
	}
	return left, err
}

func (l *lexer) unary() (jsonExpr, error) {
	if l.eat("(") {
		e, err := l.or()
		if err != nil {
			return nil, err
		}
		if !l.eat(")") {
			return nil, badPattern()
		}
		return e, nil
	}
	l.skip()
	if !strings.HasPrefix(l.s, "$") {
		return nil, badPattern()
	}
	end := strings.IndexAny(l.s, " \t=!<>)&|")
	if end < 0 {
		end = len(l.s)
	}
	path, ok := parseSelector(l.s[:end])
	if !ok {
		return nil, badPattern()
	}
	l.s = l.s[end:]
	switch {
	case l.eat("NOT EXISTS"):
		return func(d any) bool { _, found := selectPath(d, path); return !found }, nil
	case l.eat("EXISTS"):
		return func(d any) bool { _, found := selectPath(d, path); return found }, nil
	case l.eat("IS NULL"):
		return func(d any) bool { v, found := selectPath(d, path); return found && v == nil }, nil
	case l.eat("IS TRUE"):
		return func(d any) bool { v, _ := selectPath(d, path); return v == true }, nil
	case l.eat("IS FALSE"):
		return func(d any) bool { v, _ := selectPath(d, path); return v == false }, nil
	}
	var op string
	for _, o := range []string{"!=", "<=", ">=", "=", "<", ">"} {
		if l.eat(o) {
			op = o
			break
		}
	}
	if op == "" {
		return nil, badPattern()
	}
	l.skip()
	if expr, rest, ok := readRegexTerm(l.s); ok {
		l.s = rest
		return regexComparison(path, op, expr)
	}
	val, quoted, err := l.value()
	if err != nil {
		return nil, err
	}
	return comparison(path, op, val, quoted)
}

// value reads a quoted string, or a bare word or number up to a space, ')' or an operator.
func (l *lexer) value() (string, bool, error) {
	l.skip()
	if strings.HasPrefix(l.s, `"`) {
		end := strings.IndexByte(l.s[1:], '"')
		if end < 0 {
			return "", false, badPattern()
		}
		v := l.s[1 : 1+end]
		l.s = l.s[2+end:]
		return v, true, nil
	}
	end := strings.IndexAny(l.s, " \t)&|")
	if end < 0 {
		end = len(l.s)
	}
	v := l.s[:end]
	l.s = l.s[end:]
	if v == "" {
		return "", false, badPattern()
	}
	return v, false, nil
}

func comparison(path []any, op, val string, quoted bool) (jsonExpr, error) {
	num, err := strconv.ParseFloat(val, 64)
	numeric := err == nil && !quoted
	if !numeric && op != "=" && op != "!=" {
		return nil, badPattern()
	}
	return func(d any) bool {
		v, found := selectPath(d, path)
		if !found {
			return false
		}
		if numeric {
			n, ok := v.(json.Number)
			if !ok {
				return false
			}
			f, err := n.Float64()
			if err != nil {
				return false
			}
			return compareNumbers(op, f, num)
		}
		s, ok := jsonScalarText(v)
		if !ok {
			return false
		}
		eq := wildcard(val, s)
		if op == "!=" {
			return !eq
		}
		return eq
	}, nil
}

// regexComparison is { SELECTOR = %regex% } (or !=): the regex searched in the value's text; a
// missing field, an object or an array matches neither.
func regexComparison(path []any, op, expr string) (jsonExpr, error) {
	test, err := regexTest(op, expr)
	if err != nil {
		return nil, err
	}
	return func(d any) bool {
		v, found := selectPath(d, path)
		if !found {
			return false
		}
		s, ok := jsonScalarText(v)
		return ok && test(s)
	}, nil
}

// parseSelector reads $.a.b[0].c into keys (string) and indexes (int).
func parseSelector(sel string) ([]any, bool) {
	rest, ok := strings.CutPrefix(sel, "$")
	if !ok {
		return nil, false
	}
	var path []any
	for rest != "" {
		switch rest[0] {
		case '.':
			rest = rest[1:]
			end := strings.IndexAny(rest, ".[")
			if end < 0 {
				end = len(rest)
			}
			if end == 0 {
				return nil, false
			}
			path, rest = append(path, rest[:end]), rest[end:]
		case '[':
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, false
			}
			n, err := strconv.Atoi(rest[1:end])
			if err != nil || n < 0 {
				return nil, false
			}
			path, rest = append(path, n), rest[end+1:]
		default:
			return nil, false
		}
	}
	return path, true
}

func selectPath(doc any, path []any) (any, bool) {
	cur := doc
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return nil, false
			}
			if cur, ok = m[k]; !ok {
				return nil, false
			}
		case int:
			a, ok := cur.([]any)
			if !ok || k >= len(a) {
				return nil, false
			}
			cur = a[k]
		}
	}
	return cur, true
}

// wildcard matches s against a pattern in which * stands for any run of characters.
func wildcard(pattern, s string) bool {
	parts := strings.Split(pattern, "*")
	if len(parts) == 1 {
		return pattern == s
	}
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	for _, mid := range parts[1 : len(parts)-1] {
		i := strings.Index(s, mid)
		if i < 0 {
			return false
		}
		s = s[i+len(mid):]
	}
	return strings.HasSuffix(s, parts[len(parts)-1])
}

// compareNumbers applies a pattern's numeric operator (=, !=, <, >, <=, >=) to f and num.
func compareNumbers(op string, f, num float64) bool {
	switch op {
	case "=":
		return f == num
	case "!=":
		return f != num
	case "<":
		return f < num
	case ">":
		return f > num
	case "<=":
		return f <= num
	}
	return f >= num
}

// jsonScalarText is a JSON string, number or boolean as text; false for null, objects and
// arrays.
func jsonScalarText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	}
	return "", false
}
