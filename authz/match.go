package authz

import (
	"strings"
	"unicode/utf8"
)

// Wildcard patterns for actions, resources and string/ARN condition values.
//
// A pattern is compiled into tokens (literal text, *, ?, policy variables).
// Patterns without variables are compiled further into units for a small
// NFA-style matcher, with fast paths for the common shapes: a literal, a
// literal followed by a trailing *, and a lone *.
//
// ARN patterns follow "IAM JSON policy elements: Resource", "Using wildcards
// in resource ARNs": wildcards work within the colon-separated segments; a *
// that is the last character of a segment can match beyond the colon
// boundaries; in the resource segment (the sixth) a * spans anything,
// including "/" and ":".

type tokKind uint8

const (
	tokLit tokKind = iota
	tokStar
	tokQuest
	tokVar
)

type token struct {
	kind   tokKind
	lit    string // tokLit
	key    string // tokVar: lower-case context key
	rawKey string // tokVar: the key as written
	def    string // tokVar: default value
	hasDef bool
	colon  bool // tokStar, tokQuest: may match ':'
}

type unitKind uint8

const (
	uLit    unitKind = iota
	uAny1            // ? matching any character
	uAny1NC          // ? matching any character but ':'
	uStar            // * matching any run
	uStarNC          // * matching a run without ':'
)

type unit struct {
	kind unitKind
	r    rune
}

type fastKind uint8

const (
	fastGlob fastKind = iota
	fastExact
	fastPrefix
	fastAll
)

type pattern struct {
	raw     string
	toks    []token
	hasVars bool
	fast    fastKind
	lit     string // fastExact, fastPrefix; for fastGlob the literal text before the first wildcard
	units   []unit // when !hasVars
}

// compilePattern compiles s. vars enables policy variables (Version
// 2012-10-17); arn enables the ARN segment rules.
func compilePattern(s string, vars, arn bool) *pattern {
	p := &pattern{raw: s, toks: tokenize(s, vars)}
	if arn {
		markARNColons(p.toks)
	} else {
		for i := range p.toks {
			p.toks[i].colon = true
		}
	}
	for _, t := range p.toks {
		if t.kind == tokVar {
			p.hasVars = true
		}
	}
	if p.hasVars {
		return p
	}
	p.units = unitsOf(p.toks, nil)
	switch {
	case len(p.toks) == 0:
		p.fast, p.lit = fastExact, ""
	case len(p.toks) == 1 && p.toks[0].kind == tokLit:
		p.fast, p.lit = fastExact, p.toks[0].lit
	case len(p.toks) == 1 && p.toks[0].kind == tokStar && p.toks[0].colon:
		p.fast = fastAll
	case len(p.toks) == 2 && p.toks[0].kind == tokLit && p.toks[1].kind == tokStar && p.toks[1].colon:
		p.fast, p.lit = fastPrefix, p.toks[0].lit
	case p.toks[0].kind == tokLit:
		p.lit = p.toks[0].lit // fastGlob: a cheap first filter
	}
	return p
}

// tokenize splits s into literal runs, wildcards and ${...} variables. The
// escapes ${*}, ${?} and ${$} are literal characters ("IAM policy
// elements: Variables and tags", "Special characters").
func tokenize(s string, vars bool) []token {
	var toks []token
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			toks = append(toks, token{kind: tokLit, lit: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '*':
			flush()
			toks = append(toks, token{kind: tokStar})
			i++
		case c == '?':
			flush()
			toks = append(toks, token{kind: tokQuest})
			i++
		case vars && c == '$' && strings.HasPrefix(s[i:], "${"):
			end := strings.IndexByte(s[i:], '}')
			if end < 0 {
				lit.WriteString(s[i:])
				i = len(s)
				continue
			}
			inner := s[i+2 : i+end]
			i += end + 1
			switch inner {
			case "*", "?", "$":
				lit.WriteString(inner)
				continue
			}
			t, ok := parseVariable(inner)
			if !ok {
				lit.WriteString("${" + inner + "}")
				continue
			}
			flush()
			toks = append(toks, t)
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	return toks
}

// parseVariable parses the inside of ${key} or ${key, 'default'}.
func parseVariable(inner string) (token, bool) {
	key, def, hasDef := strings.Cut(inner, ",")
	key = strings.TrimSpace(key)
	if key == "" || strings.ContainsAny(key, " '\"") {
		return token{}, false
	}
	t := token{kind: tokVar, key: strings.ToLower(key), rawKey: key}
	if hasDef {
		def = strings.TrimSpace(def)
		if len(def) < 2 || def[0] != '\'' || def[len(def)-1] != '\'' {
			return token{}, false
		}
		t.def, t.hasDef = def[1:len(def)-1], true
	}
	return t, true
}

// markARNColons decides which wildcards may match ':'.
func markARNColons(toks []token) {
	seg := 0
	for i := range toks {
		t := &toks[i]
		switch t.kind {
		case tokLit:
			seg += strings.Count(t.lit, ":")
		case tokQuest:
			t.colon = seg >= 5
		case tokStar:
			last := i == len(toks)-1 || (toks[i+1].kind == tokLit && toks[i+1].lit[0] == ':')
			t.colon = seg >= 5 || last
		}
	}
}

// unitsOf turns tokens into matcher units, substituting variable values
// from vals (same length as the variables in toks, in order).
func unitsOf(toks []token, vals []string) []unit {
	var us []unit
	vi := 0
	for _, t := range toks {
		switch t.kind {
		case tokLit:
			for _, r := range t.lit {
				us = append(us, unit{kind: uLit, r: r})
			}
		case tokVar:
			for _, r := range vals[vi] {
				us = append(us, unit{kind: uLit, r: r})
			}
			vi++
		case tokStar:
			if t.colon {
				us = append(us, unit{kind: uStar})
			} else {
				us = append(us, unit{kind: uStarNC})
			}
		case tokQuest:
			if t.colon {
				us = append(us, unit{kind: uAny1})
			} else {
				us = append(us, unit{kind: uAny1NC})
			}
		}
	}
	return us
}

// lookupFunc returns the single value of a context key used as a variable.
type lookupFunc func(key string) (string, bool)

// match reports whether s matches p. missing is the first variable key
// that had no value and no default (the pattern then does not match).
func (p *pattern) match(s string, lookup lookupFunc) (ok bool, missing string) {
	if !p.hasVars {
		switch p.fast {
		case fastExact:
			return s == p.lit, ""
		case fastPrefix:
			return strings.HasPrefix(s, p.lit), ""
		case fastAll:
			return true, ""
		}
		if !strings.HasPrefix(s, p.lit) {
			return false, ""
		}
		return globUnits(p.units, s), ""
	}
	vals := make([]string, 0, 2)
	for _, t := range p.toks {
		if t.kind != tokVar {
			continue
		}
		v, ok := "", false
		if lookup != nil {
			v, ok = lookup(t.key)
		}
		if !ok {
			if !t.hasDef {
				return false, t.key
			}
			v = t.def
		}
		vals = append(vals, v)
	}
	return globUnits(unitsOf(p.toks, vals), s), ""
}

// globUnits runs the units as an NFA over s.
func globUnits(us []unit, s string) bool {
	m := len(us)
	var bufA, bufB [64]bool
	var cur, next []bool
	if m+1 <= len(bufA) {
		cur, next = bufA[:m+1], bufB[:m+1]
	} else {
		cur, next = make([]bool, m+1), make([]bool, m+1)
	}
	cur[0] = true
	closeStars(us, cur)
	for _, c := range s {
		for j := range next {
			next[j] = false
		}
		alive := false
		for j := 0; j < m; j++ {
			if !cur[j] {
				continue
			}
			switch u := us[j]; u.kind {
			case uLit:
				if u.r == c {
					next[j+1], alive = true, true
				}
			case uAny1:
				next[j+1], alive = true, true
			case uAny1NC:
				if c != ':' {
					next[j+1], alive = true, true
				}
			case uStar:
				next[j], alive = true, true
			case uStarNC:
				if c != ':' {
					next[j], alive = true, true
				}
			}
		}
		if !alive {
			return false
		}
		closeStars(us, next)
		cur, next = next, cur
	}
	return cur[m]
}

func closeStars(us []unit, set []bool) {
	for j, u := range us {
		if set[j] && (u.kind == uStar || u.kind == uStarNC) {
			set[j+1] = true
		}
	}
}

// globMatchSimple matches s against a plain pattern with * and ?.
func globMatchSimple(pat, s string) bool {
	ok, _ := compilePattern(pat, false, false).match(s, nil)
	return ok
}

// LowerASCII lower-cases s, allocating only when needed: the engine's folding of action names,
// which callers keying policies by service prefix use too.
func LowerASCII(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || c >= utf8.RuneSelf {
			return strings.ToLower(s)
		}
	}
	return s
}
