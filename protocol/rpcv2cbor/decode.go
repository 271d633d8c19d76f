package rpcv2cbor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// The CBOR data model (RFC 8949) as requests use it: unsigned and negative integers, floats of
// any width, booleans, null and undefined, byte and text strings (definite or in chunks),
// arrays, maps with text-string keys (Smithy structures and maps have no others) and tags
// (tag 1 carries an epoch-seconds timestamp). A body is checked whole by wellFormed, then bound
// by walking its bytes (binder.go): no tree of items is built.

const (
	majorUint   = 0
	majorNeg    = 1
	majorBytes  = 2
	majorText   = 3
	majorArray  = 4
	majorMap    = 5
	majorTag    = 6
	majorSimple = 7

	maxDepth = 64 // nesting the models never approach; bounds recursion on hostile input

	breakByte = 0xff
)

// SyntaxError is a body that is not well-formed CBOR (or uses what Smithy never sends).
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("cbor: %s at byte %d", e.Msg, e.Offset) }

var errBreak = errors.New("break")

// wellFormed checks that p is exactly one data item, without keeping any of it: the checks, and
// the offsets of their errors, are those of the item decoder this replaced.
func wellFormed(p []byte) error {
	c := &checker{p: p}
	err := c.item(0)
	if err == errBreak {
		return c.fail("unexpected break")
	}
	if err != nil {
		return err
	}
	if c.off != len(p) {
		return c.fail("trailing bytes after the data item")
	}
	return nil
}

type checker struct {
	p   []byte
	off int
	// chunks gathers an indefinite-length text string to check its UTF-8 whole, as the
	// decoder did (a character may straddle two chunks); reused.
	chunks []byte
}

func (c *checker) fail(msg string) error { return &SyntaxError{Offset: c.off, Msg: msg} }

// head reads an initial byte and its argument. indefinite reports additional information 31.
func (c *checker) head() (major byte, info byte, arg uint64, indefinite bool, err error) {
	if c.off >= len(c.p) {
		return 0, 0, 0, false, c.fail("unexpected end of data")
	}
	b := c.p[c.off]
	c.off++
	major, info = b>>5, b&0x1f
	switch {
	case info < 24:
		return major, info, uint64(info), false, nil
	case info == 31:
		return major, info, 0, true, nil
	case info > 27:
		return 0, 0, 0, false, c.fail("reserved additional information")
	}
	n := 1 << (info - 24) // 1, 2, 4 or 8 bytes
	if len(c.p)-c.off < n {
		return 0, 0, 0, false, c.fail("unexpected end of data")
	}
	arg = argument(c.p[c.off:], n)
	c.off += n
	return major, info, arg, false, nil
}

func argument(p []byte, n int) uint64 {
	switch n {
	case 1:
		return uint64(p[0])
	case 2:
		return uint64(binary.BigEndian.Uint16(p))
	case 4:
		return uint64(binary.BigEndian.Uint32(p))
	}
	return binary.BigEndian.Uint64(p)
}

// item checks one data item; errBreak is a break where an item was expected.
func (c *checker) item(depth int) error {
	if depth > maxDepth {
		return c.fail("nesting too deep")
	}
	start := c.off
	major, info, arg, indef, err := c.head()
	if err != nil {
		return err
	}
	if indef && (major == majorUint || major == majorNeg || major == majorTag) {
		c.off = start
		return c.fail("indefinite length not allowed for this major type")
	}
	switch major {
	case majorUint:
		return nil
	case majorNeg:
		if arg > math.MaxInt64 {
			return c.fail("negative integer out of range")
		}
		return nil
	case majorBytes, majorText:
		return c.str(major, arg, indef)
	case majorArray:
		if !indef && arg > uint64(len(c.p)-c.off) { // every element takes at least one byte
			return c.fail("array length exceeds the data")
		}
		for i := uint64(0); indef || i < arg; i++ {
			err := c.item(depth + 1)
			if err == errBreak && indef {
				return nil
			}
			if err != nil {
				return c.breakErr(err)
			}
		}
		return nil
	case majorMap:
		return c.mapping(depth, arg, indef)
	case majorTag:
		return c.breakErr(c.item(depth + 1))
	}
	// major 7: simple values and floats
	switch info {
	case 20, 21, 22, 23, 25, 26, 27:
		return nil
	case 31:
		return errBreak
	}
	c.off = start
	return c.fail("unsupported simple value")
}

func (c *checker) mapping(depth int, n uint64, indef bool) error {
	if !indef && n > uint64(len(c.p)-c.off)/2 {
		return c.fail("map length exceeds the data")
	}
	for i := uint64(0); indef || i < n; i++ {
		keyAt := c.off
		err := c.item(depth + 1)
		if err == errBreak && indef {
			return nil
		}
		if err != nil {
			return c.breakErr(err)
		}
		if c.p[keyAt]>>5 != majorText {
			return &SyntaxError{Offset: keyAt, Msg: "map key is not a text string"}
		}
		if err := c.item(depth + 1); err != nil {
			return c.breakErr(err)
		}
	}
	return nil
}

// breakErr turns a stray break inside a definite container into a syntax error.
func (c *checker) breakErr(err error) error {
	if err == errBreak {
		return c.fail("unexpected break")
	}
	return err
}

// str checks a byte or text string; an indefinite one is a series of definite chunks of the
// same major type ended by a break. Text must be UTF-8, checked once the string is read.
func (c *checker) str(major byte, n uint64, indef bool) error {
	if !indef {
		if n > uint64(len(c.p)-c.off) {
			return c.fail("string length exceeds the data")
		}
		raw := c.p[c.off : c.off+int(n)]
		c.off += int(n)
		if major == majorText && !utf8.Valid(raw) {
			return c.fail("text string is not valid UTF-8")
		}
		return nil
	}
	c.chunks = c.chunks[:0]
	for {
		if c.off < len(c.p) && c.p[c.off] == breakByte {
			c.off++
			if major == majorText && !utf8.Valid(c.chunks) {
				return c.fail("text string is not valid UTF-8")
			}
			return nil
		}
		m, _, cn, cindef, err := c.head()
		if err != nil {
			return err
		}
		if m != major || cindef {
			return c.fail("bad chunk in an indefinite-length string")
		}
		if cn > uint64(len(c.p)-c.off) {
			return c.fail("string length exceeds the data")
		}
		if major == majorText {
			c.chunks = append(c.chunks, c.p[c.off:c.off+int(cn)]...)
		}
		c.off += int(cn)
	}
}

// halfToFloat widens an IEEE 754 half-precision value (RFC 8949 Appendix D).
func halfToFloat(h uint16) float32 {
	sign := uint32(h>>15) << 31
	exp := uint32(h>>10) & 0x1f
	frac := uint32(h) & 0x3ff
	switch {
	case exp == 0x1f: // Inf, NaN
		return math.Float32frombits(sign | 0xff<<23 | frac<<13)
	case exp == 0:
		if frac == 0 {
			return math.Float32frombits(sign)
		}
		f := float32(frac) / (1 << 24) // subnormal: frac * 2^-24
		if sign != 0 {
			return -f
		}
		return f
	}
	return math.Float32frombits(sign | (exp+112)<<23 | frac<<13)
}
