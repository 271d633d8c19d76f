package cloudwatch

import (
	"fmt"
	"strings"
	"unicode"
)

// The AlarmRule of a composite alarm (API Reference, PutCompositeAlarm, AlarmRule):
// ALARM(name), OK(name) and INSUFFICIENT_DATA(name) are TRUE when the named alarm (a name or an
// ARN, double-quoted or not) is in that state; TRUE and FALSE are constants; NOT, AND and OR
// combine them, with parentheses to group. NOT binds tighter than AND, AND tighter than OR.
// A rule that does not parse is refused as AWS words it: "Error in AlarmRule [Unsupported
// token ')' at char 1]" for "()", and "... [Unsupported token 'Oldest' at char 67, must be:
// ')']" for an unquoted name with spaces (aws/aws-cdk#34662, aws/aws-cdk#13953); chars count
// from 0.

// maxRuleAlarms is how many alarms one rule may name ("The rule expression of a composite alarm
// can include as many as 100 underlying alarms", API Reference, PutCompositeAlarm).
const maxRuleAlarms = 100

type ruleKind int

const (
	ruleConst ruleKind = iota
	ruleState          // ALARM(x), OK(x), INSUFFICIENT_DATA(x)
	ruleNot
	ruleAnd
	ruleOr
)

// rule is a parsed AlarmRule expression.
type rule struct {
	kind  ruleKind
	value bool   // ruleConst
	state string // ruleState: the state the alarm must be in
	alarm string // ruleState: the alarm's name or ARN as written
	args  []*rule
}

// eval is the rule's value when each named alarm is in the state stateOf gives.
func (r *rule) eval(stateOf func(alarm string) string) bool {
	switch r.kind {
	case ruleConst:
		return r.value
	case ruleState:
		return stateOf(r.alarm) == r.state
	case ruleNot:
		return !r.args[0].eval(stateOf)
	case ruleAnd:
		for _, a := range r.args {
			if !a.eval(stateOf) {
				return false
			}
		}
		return true
	default:
		for _, a := range r.args {
			if a.eval(stateOf) {
				return true
			}
		}
		return false
	}
}

// alarms are the alarms the rule names, each once, in order of appearance.
func (r *rule) alarms() []string {
	var out []string
	seen := map[string]bool{}
	var walk func(*rule)
	walk = func(r *rule) {
		if r.kind == ruleState && !seen[r.alarm] {
			seen[r.alarm] = true
			out = append(out, r.alarm)
		}
		for _, a := range r.args {
			walk(a)
		}
	}
	walk(r)
	return out
}

type token struct {
	text   string
	quoted bool
	at     int
}

// ruleError is AWS's wording of a rule that does not parse.
type ruleError struct {
	tok  token
	want string
}

func (e *ruleError) Error() string {
	if e.tok.text == "" && !e.tok.quoted {
		return fmt.Sprintf("Unexpected end of expression at char %d", e.tok.at)
	}
	msg := fmt.Sprintf("Unsupported token '%s' at char %d", e.tok.text, e.tok.at)
	if e.want != "" {
		msg += ", must be: '" + e.want + "'"
	}
	return msg
}

func tokenize(s string) []token {
	var out []token
	for i := 0; i < len(s); {
		c := rune(s[i])
		switch {
		case unicode.IsSpace(c):
			i++
		case c == '(' || c == ')':
			out = append(out, token{text: string(c), at: i})
			i++
		case c == '"':
			end := strings.IndexByte(s[i+1:], '"')
			if end < 0 {
				out = append(out, token{text: s[i:], at: i})
				return out
			}
			out = append(out, token{text: s[i+1 : i+1+end], quoted: true, at: i})
			i += end + 2
		default:
			j := i
			for j < len(s) && !unicode.IsSpace(rune(s[j])) && s[j] != '(' && s[j] != ')' && s[j] != '"' {
				j++
			}
			out = append(out, token{text: s[i:j], at: i})
			i = j
		}
	}
	return out
}

type ruleParser struct {
	toks []token
	pos  int
	end  int // the char after the expression, for errors at its end
}

func (p *ruleParser) peek() token {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return token{at: p.end}
}

func (p *ruleParser) next() token { t := p.peek(); p.pos++; return t }

func (p *ruleParser) is(word string) bool { t := p.peek(); return !t.quoted && t.text == word }

// parseRule parses an AlarmRule; the error is AWS's bracketed text.
func parseRule(s string) (*rule, error) {
	p := &ruleParser{toks: tokenize(s), end: len(s)}
	r, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.pos < len(p.toks) {
		return nil, &ruleError{tok: p.peek()}
	}
	return r, nil
}

func (p *ruleParser) or() (*rule, error) {
	return p.chain(ruleOr, "OR", p.and)
}

func (p *ruleParser) and() (*rule, error) {
	return p.chain(ruleAnd, "AND", p.unary)
}

// chain parses operands joined by the operator word.
func (p *ruleParser) chain(kind ruleKind, word string, operand func() (*rule, error)) (*rule, error) {
	first, err := operand()
	if err != nil {
		return nil, err
	}
	args := []*rule{first}
	for p.is(word) {
		p.pos++
		next, err := operand()
		if err != nil {
			return nil, err
		}
		args = append(args, next)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &rule{kind: kind, args: args}, nil
}

func (p *ruleParser) unary() (*rule, error) {
	t := p.next()
	switch {
	case t.quoted:
		return nil, &ruleError{tok: t}
	case t.text == "NOT":
		arg, err := p.unary()
		if err != nil {
			return nil, err
		}
		return &rule{kind: ruleNot, args: []*rule{arg}}, nil
	case t.text == "(":
		inner, err := p.or()
		if err != nil {
			return nil, err
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return inner, nil
	case t.text == "TRUE" || t.text == "FALSE":
		return &rule{kind: ruleConst, value: t.text == "TRUE"}, nil
	case t.text == "ALARM" || t.text == "OK" || t.text == "INSUFFICIENT_DATA":
		if err := p.expect("("); err != nil {
			return nil, err
		}
		name := p.next()
		if name.text == "" || (!name.quoted && (name.text == "(" || name.text == ")")) {
			return nil, &ruleError{tok: name}
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		return &rule{kind: ruleState, state: t.text, alarm: name.text}, nil
	default:
		return nil, &ruleError{tok: t}
	}
}

func (p *ruleParser) expect(text string) error {
	t := p.next()
	if t.quoted || t.text != text {
		return &ruleError{tok: t, want: text}
	}
	return nil
}
