package lint

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// A policy is read into a tree that remembers where each value and key sits in the source, so
// a finding can point at the text it is about, as Access Analyzer's locations do.

type nodeKind uint8

const (
	objectNode nodeKind = iota + 1
	arrayNode
	stringNode
	numberNode
	boolNode
	nullNode
)

// jsonTypeNames are the data types DATA_TYPE_MISMATCH names.
var jsonTypeNames = map[nodeKind]string{objectNode: "Object", arrayNode: "Array", stringNode: "String",
	numberNode: "Number", boolNode: "Boolean", nullNode: "Null"}

// node is one JSON value: its kind, its text's byte range in the source, and its content.
type node struct {
	kind       nodeKind
	start, end int    // byte offsets, end exclusive
	text       string // a string's decoded value; a number's or literal's source text
	members    []member
	items      []*node
}

// member is one key of an object with the key's own range.
type member struct {
	key              string
	keyStart, keyEnd int
	value            *node
}

// get is the last member named key (JSON decoders keep the last of duplicate keys).
func (n *node) get(key string) *member {
	if n == nil || n.kind != objectNode {
		return nil
	}
	for i := len(n.members) - 1; i >= 0; i-- {
		if n.members[i].key == key {
			return &n.members[i]
		}
	}
	return nil
}

// syntaxError is where a document stops being JSON.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("offset %d: %s", e.offset, e.msg) }

// maxDepth bounds nesting: policies are shallow, and a parser of untrusted text must not
// recurse without limit.
const maxDepth = 128

type parser struct {
	src   string
	pos   int
	depth int
}

// parseJSON reads one JSON value (RFC 8259) with surrounding white space and nothing else.
func parseJSON(src string) (*node, *syntaxError) {
	p := &parser{src: src}
	p.space()
	n, err := p.value()
	if err != nil {
		return nil, err
	}
	p.space()
	if p.pos != len(src) {
		return nil, p.fail("unexpected text after the document")
	}
	return n, nil
}

func (p *parser) fail(msg string) *syntaxError { return &syntaxError{offset: p.pos, msg: msg} }

func (p *parser) space() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value() (*node, *syntaxError) {
	if p.pos >= len(p.src) {
		return nil, p.fail("unexpected end of the document")
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object()
	case c == '[':
		return p.array()
	case c == '"':
		start := p.pos
		s, err := p.string()
		if err != nil {
			return nil, err
		}
		return &node{kind: stringNode, start: start, end: p.pos, text: s}, nil
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	default:
		for _, lit := range []struct {
			word string
			kind nodeKind
		}{{"true", boolNode}, {"false", boolNode}, {"null", nullNode}} {
			if strings.HasPrefix(p.src[p.pos:], lit.word) {
				start := p.pos
				p.pos += len(lit.word)
				return &node{kind: lit.kind, start: start, end: p.pos, text: lit.word}, nil
			}
		}
		return nil, p.fail("unexpected character")
	}
}

func (p *parser) enter() *syntaxError {
	p.depth++
	if p.depth > maxDepth {
		return p.fail("nested too deeply")
	}
	return nil
}

func (p *parser) object() (*node, *syntaxError) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n := &node{kind: objectNode, start: p.pos}
	p.pos++ // {
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		n.end = p.pos
		return n, nil
	}
	for {
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != '"' {
			return nil, p.fail("expected a string key")
		}
		keyStart := p.pos
		key, err := p.string()
		if err != nil {
			return nil, err
		}
		m := member{key: key, keyStart: keyStart, keyEnd: p.pos}
		p.space()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			return nil, p.fail("expected ':' after a key")
		}
		p.pos++
		p.space()
		if m.value, err = p.value(); err != nil {
			return nil, err
		}
		n.members = append(n.members, m)
		p.space()
		if p.pos >= len(p.src) {
			return nil, p.fail("unexpected end of the document in an object")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			n.end = p.pos
			return n, nil
		default:
			return nil, p.fail("expected ',' or '}' in an object")
		}
	}
}

func (p *parser) array() (*node, *syntaxError) {
	if err := p.enter(); err != nil {
		return nil, err
	}
	defer func() { p.depth-- }()
	n := &node{kind: arrayNode, start: p.pos}
	p.pos++ // [
	p.space()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		n.end = p.pos
		return n, nil
	}
	for {
		p.space()
		item, err := p.value()
		if err != nil {
			return nil, err
		}
		n.items = append(n.items, item)
		p.space()
		if p.pos >= len(p.src) {
			return nil, p.fail("unexpected end of the document in an array")
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			n.end = p.pos
			return n, nil
		default:
			return nil, p.fail("expected ',' or ']' in an array")
		}
	}
}

// string reads a quoted string at p.pos and decodes its escapes.
func (p *parser) string() (string, *syntaxError) {
	p.pos++ // opening quote
	var b strings.Builder
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return b.String(), nil
		case c < 0x20:
			return "", p.fail("control character in a string")
		case c == '\\':
			if err := p.escape(&b); err != nil {
				return "", err
			}
		default:
			r, size := utf8.DecodeRuneInString(p.src[p.pos:])
			if r == utf8.RuneError && size == 1 {
				return "", p.fail("invalid UTF-8 in a string")
			}
			b.WriteString(p.src[p.pos : p.pos+size])
			p.pos += size
		}
	}
	return "", p.fail("unterminated string")
}

func (p *parser) escape(b *strings.Builder) *syntaxError {
	if p.pos+1 >= len(p.src) {
		return p.fail("unterminated escape")
	}
	c := p.src[p.pos+1]
	if i := strings.IndexByte(`"\/bfnrt`, c); i >= 0 {
		b.WriteByte("\"\\/\b\f\n\r\t"[i])
		p.pos += 2
		return nil
	}
	if c != 'u' {
		return p.fail("invalid escape")
	}
	r, ok := p.hex4(p.pos + 2)
	if !ok {
		return p.fail("invalid \\u escape")
	}
	p.pos += 6
	if utf16.IsSurrogate(r) {
		if low, ok := p.hex4(p.pos + 2); ok && strings.HasPrefix(p.src[p.pos:], `\u`) {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				p.pos += 6
				r = pair
			}
		}
	}
	b.WriteRune(r)
	return nil
}

func (p *parser) hex4(at int) (rune, bool) {
	if at+4 > len(p.src) {
		return 0, false
	}
	v, err := strconv.ParseUint(p.src[at:at+4], 16, 32)
	return rune(v), err == nil
}

func (p *parser) number() (*node, *syntaxError) {
	start := p.pos
	if p.src[p.pos] == '-' {
		p.pos++
	}
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	switch {
	case p.pos < len(p.src) && p.src[p.pos] == '0':
		p.pos++
	case digits() == 0:
		return nil, p.fail("invalid number")
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			return nil, p.fail("invalid number")
		}
	}
	return &node{kind: numberNode, start: start, end: p.pos, text: p.src[start:p.pos]}, nil
}

// positions converts byte offsets into Access Analyzer's positions: 1-based lines, 0-based
// columns and offsets counted in characters (ValidatePolicy's captures: an action at "line":
// 83, "column": 8 spans its quotes).
type positions struct {
	src        string
	lineStarts []int // byte offset of each line's first character
	lineRunes  []int // characters before each line
}

func newPositions(src string) positions {
	p := positions{src: src, lineStarts: []int{0}, lineRunes: []int{0}}
	runes := 0
	for i, r := range src {
		runes++
		if r == '\n' {
			p.lineStarts = append(p.lineStarts, i+1)
			p.lineRunes = append(p.lineRunes, runes)
		}
	}
	return p
}

// at is the position of a byte offset.
func (p positions) at(off int) Position {
	off = min(max(off, 0), len(p.src))
	line := sort.Search(len(p.lineStarts), func(i int) bool { return p.lineStarts[i] > off }) - 1
	col := utf8.RuneCountInString(p.src[p.lineStarts[line]:off])
	return Position{Line: line + 1, Column: col, Offset: p.lineRunes[line] + col}
}

// span is the range [start, end) of the source.
func (p positions) span(start, end int) Span { return Span{Start: p.at(start), End: p.at(end)} }
