package rpcv2cbor

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"unicode/utf8"
)

// The CBOR data model (RFC 8949) as the decoder hands it to the shape binder: unsigned and
// negative integers (uint64, or int64 when negative), float64, bool, nil (null and undefined),
// string, []byte, []any, map[string]any and Tag. Maps with keys other than text strings are
// rejected: Smithy structures and maps have string keys only.

// Tag is a tagged data item (major type 6); tag 1 carries an epoch-seconds timestamp.
type Tag struct {
	Number uint64
	Value  any
}

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
)

// SyntaxError is a body that is not well-formed CBOR (or uses what Smithy never sends).
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string { return fmt.Sprintf("cbor: %s at byte %d", e.Msg, e.Offset) }

var errBreak = errors.New("break")

// decodeItem parses exactly one data item filling all of p.
func decodeItem(p []byte) (any, error) {
	d := &decoder{p: p}
	v, err := d.item(0)
	if err == errBreak {
		return nil, d.fail("unexpected break")
	}
	if err != nil {
		return nil, err
	}
	if d.off != len(p) {
		return nil, d.fail("trailing bytes after the data item")
	}
	return v, nil
}

type decoder struct {
	p   []byte
	off int
}

func (d *decoder) fail(msg string) error { return &SyntaxError{Offset: d.off, Msg: msg} }

// head reads an initial byte and its argument. indefinite reports additional information 31.
func (d *decoder) head() (major byte, info byte, arg uint64, indefinite bool, err error) {
	if d.off >= len(d.p) {
		return 0, 0, 0, false, d.fail("unexpected end of data")
	}
	b := d.p[d.off]
	d.off++
	major, info = b>>5, b&0x1f
	switch {
	case info < 24:
		return major, info, uint64(info), false, nil
	case info == 31:
		return major, info, 0, true, nil
	case info > 27:
		return 0, 0, 0, false, d.fail("reserved additional information")
	}
	n := 1 << (info - 24) // 1, 2, 4 or 8 bytes
	if len(d.p)-d.off < n {
		return 0, 0, 0, false, d.fail("unexpected end of data")
	}
	switch n {
	case 1:
		arg = uint64(d.p[d.off])
	case 2:
		arg = uint64(binary.BigEndian.Uint16(d.p[d.off:]))
	case 4:
		arg = uint64(binary.BigEndian.Uint32(d.p[d.off:]))
	default:
		arg = binary.BigEndian.Uint64(d.p[d.off:])
	}
	d.off += n
	return major, info, arg, false, nil
}

func (d *decoder) item(depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.fail("nesting too deep")
	}
	start := d.off
	major, info, arg, indef, err := d.head()
	if err != nil {
		return nil, err
	}
	if indef && (major == majorUint || major == majorNeg || major == majorTag) {
		d.off = start
		return nil, d.fail("indefinite length not allowed for this major type")
	}
	switch major {
	case majorUint:
		return arg, nil
	case majorNeg:
		if arg > math.MaxInt64 {
			return nil, d.fail("negative integer out of range")
		}
		return -1 - int64(arg), nil
	case majorBytes, majorText:
		raw, err := d.str(major, arg, indef)
		if err != nil {
			return nil, err
		}
		if major == majorBytes {
			return raw, nil
		}
		if !utf8.Valid(raw) {
			return nil, d.fail("text string is not valid UTF-8")
		}
		return string(raw), nil
	case majorArray:
		if !indef && arg > uint64(len(d.p)-d.off) { // every element takes at least one byte
			return nil, d.fail("array length exceeds the data")
		}
		out := make([]any, 0, min(arg, 1024))
		for i := uint64(0); indef || i < arg; i++ {
			v, err := d.item(depth + 1)
			if err == errBreak && indef {
				return out, nil
			}
			if err != nil {
				return nil, d.breakErr(err)
			}
			out = append(out, v)
		}
		return out, nil
	case majorMap:
		if !indef && arg > uint64(len(d.p)-d.off)/2 {
			return nil, d.fail("map length exceeds the data")
		}
		out := make(map[string]any, min(arg, 1024))
		for i := uint64(0); indef || i < arg; i++ {
			keyAt := d.off
			k, err := d.item(depth + 1)
			if err == errBreak && indef {
				return out, nil
			}
			if err != nil {
				return nil, d.breakErr(err)
			}
			ks, ok := k.(string)
			if !ok {
				return nil, &SyntaxError{Offset: keyAt, Msg: "map key is not a text string"}
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, d.breakErr(err)
			}
			out[ks] = v
		}
		return out, nil
	case majorTag:
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, d.breakErr(err)
		}
		return Tag{Number: arg, Value: v}, nil
	}
	// major 7: simple values and floats
	switch info {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	case 25:
		return float64(halfToFloat(uint16(arg))), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	case 31:
		return nil, errBreak
	}
	d.off = start
	return nil, d.fail("unsupported simple value")
}

// breakErr turns a stray break inside a definite container into a syntax error.
func (d *decoder) breakErr(err error) error {
	if err == errBreak {
		return d.fail("unexpected break")
	}
	return err
}

// str reads a byte or text string; an indefinite one is a series of definite chunks of the
// same major type ended by a break.
func (d *decoder) str(major byte, n uint64, indef bool) ([]byte, error) {
	if !indef {
		if n > uint64(len(d.p)-d.off) {
			return nil, d.fail("string length exceeds the data")
		}
		out := append([]byte(nil), d.p[d.off:d.off+int(n)]...)
		d.off += int(n)
		return out, nil
	}
	var out []byte
	for {
		if d.off < len(d.p) && d.p[d.off] == 0xff {
			d.off++
			if out == nil {
				out = []byte{}
			}
			return out, nil
		}
		m, _, cn, cindef, err := d.head()
		if err != nil {
			return nil, err
		}
		if m != major || cindef {
			return nil, d.fail("bad chunk in an indefinite-length string")
		}
		chunk, err := d.str(major, cn, false)
		if err != nil {
			return nil, err
		}
		out = append(out, chunk...)
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

// encoder writes definite-length items in preferred (shortest) argument form.
//
// smithy-go's encoding/cbor encodes the same items, but its Map is a Go map written in iteration
// order: responses would lose the model's member order and the sorted map keys, and no longer be
// the same bytes from one run to the next.
type encoder struct{ b []byte }

func (e *encoder) head(major byte, n uint64) {
	m := major << 5
	switch {
	case n < 24:
		e.b = append(e.b, m|byte(n))
	case n <= math.MaxUint8:
		e.b = append(e.b, m|24, byte(n))
	case n <= math.MaxUint16:
		e.b = append(e.b, m|25)
		e.b = binary.BigEndian.AppendUint16(e.b, uint16(n))
	case n <= math.MaxUint32:
		e.b = append(e.b, m|26)
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(n))
	default:
		e.b = append(e.b, m|27)
		e.b = binary.BigEndian.AppendUint64(e.b, n)
	}
}

func (e *encoder) int(v int64) {
	if v < 0 {
		e.head(majorNeg, uint64(-1-v))
		return
	}
	e.head(majorUint, uint64(v))
}

func (e *encoder) text(s string) {
	e.head(majorText, uint64(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) bytes(p []byte) {
	e.head(majorBytes, uint64(len(p)))
	e.b = append(e.b, p...)
}

func (e *encoder) float64(f float64) {
	e.b = append(e.b, majorSimple<<5|27)
	e.b = binary.BigEndian.AppendUint64(e.b, math.Float64bits(f))
}

func (e *encoder) float32(f float32) {
	e.b = append(e.b, majorSimple<<5|26)
	e.b = binary.BigEndian.AppendUint32(e.b, math.Float32bits(f))
}

func (e *encoder) bool(v bool) {
	if v {
		e.b = append(e.b, majorSimple<<5|21)
		return
	}
	e.b = append(e.b, majorSimple<<5|20)
}
