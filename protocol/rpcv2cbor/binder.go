package rpcv2cbor

import (
	"math"
	"reflect"
	"time"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// TypeError is a data item of the wrong kind for its member.
type TypeError struct{ Path, Want string }

func (e *TypeError) Error() string { return "cbor: " + e.Path + ": expected " + e.Want }

// The epoch-seconds range of years 1 to 9999.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// bindItem fills v (pointer to a generated struct of shape sh) from p, one well-formed data
// item. Unknown keys are ignored and nulls are absent values, as for JSON; a structure's members
// bind in model order, each from the last of its keys.
func bindItem(sh *model.Shape, p []byte, v any) error {
	b := &binder{cursor: cursor{p: p}}
	if err := b.value(sh, reflect.ValueOf(v).Elem()); err != nil {
		return typeError(err)
	}
	return nil
}

// typeError is the package's error for a mismatch.
func typeError(m *protocol.Mismatch) *TypeError { return &TypeError{m.Path(), m.Want} }

// cursor walks well-formed CBOR (wellFormed has checked it: no bounds are checked again).
type cursor struct {
	p   []byte
	off int
}

// head reads an initial byte and its argument.
func (c *cursor) head() (major, info byte, arg uint64) {
	b := c.p[c.off]
	c.off++
	major, info = b>>5, b&0x1f
	switch {
	case info < 24:
		return major, info, uint64(info)
	case info == 31:
		return major, info, 0
	}
	n := 1 << (info - 24)
	arg = argument(c.p[c.off:], n)
	c.off += n
	return major, info, arg
}

func (c *cursor) peekMajor() byte { return c.p[c.off] >> 5 }

// null reports (and consumes) a null or undefined, the absent value.
func (c *cursor) null() bool {
	if b := c.p[c.off]; b == 0xf6 || b == 0xf7 {
		c.off++
		return true
	}
	return false
}

// more reports whether a container of n entries (indefinite: until a break, consumed) has
// another after i.
func (c *cursor) more(i, n uint64, indef bool) bool {
	if !indef {
		return i < n
	}
	if c.p[c.off] == breakByte {
		c.off++
		return false
	}
	return true
}

// skip consumes one data item.
func (c *cursor) skip() {
	major, info, arg := c.head()
	indef := info == 31
	switch major {
	case majorBytes, majorText:
		c.skipString(arg, indef)
	case majorArray, majorMap:
		per := uint64(1)
		if major == majorMap {
			per = 2
		}
		for i := uint64(0); c.more(i, arg, indef); i++ {
			for j := uint64(0); j < per; j++ {
				c.skip()
			}
		}
	case majorTag:
		c.skip()
	}
}

func (c *cursor) skipString(n uint64, indef bool) {
	if !indef {
		c.off += int(n)
		return
	}
	for c.p[c.off] != breakByte {
		_, _, cn := c.head()
		c.off += int(cn)
	}
	c.off++
}

// bytes reads a byte or text string's contents: a definite one as a slice of the body, an
// indefinite one gathered (nil for a definite empty string, never for an indefinite one: as
// the item decoder gave them).
func (c *cursor) bytes(copied bool) []byte {
	_, info, n := c.head()
	if info != 31 {
		raw := c.p[c.off : c.off+int(n)]
		c.off += int(n)
		if copied {
			return append([]byte(nil), raw...)
		}
		return raw
	}
	out := []byte{}
	for c.p[c.off] != breakByte {
		_, _, cn := c.head()
		out = append(out, c.p[c.off:c.off+int(cn)]...)
		c.off += int(cn)
	}
	c.off++
	return out
}

// number reads an integer or a float.
func (c *cursor) number() (n number, ok bool) {
	major, info, arg := c.head()
	switch {
	case major == majorUint:
		return number{kind: unsigned, u: arg}, true
	case major == majorNeg:
		return number{kind: negative, i: -1 - int64(arg)}, true
	case major == majorSimple && info == 25:
		return number{kind: float, f: float64(halfToFloat(uint16(arg)))}, true
	case major == majorSimple && info == 26:
		return number{kind: float, f: float64(math.Float32frombits(uint32(arg)))}, true
	case major == majorSimple && info == 27:
		return number{kind: float, f: math.Float64frombits(arg)}, true
	}
	return number{}, false
}

// number is a numeric data item: an unsigned or negative integer, or a float of any width.
type number struct {
	kind byte
	u    uint64
	i    int64
	f    float64
}

const (
	unsigned byte = iota
	negative
	float
)

func (n number) asInt() (int64, bool) {
	switch n.kind {
	case unsigned:
		if n.u > math.MaxInt64 {
			return 0, false
		}
		return int64(n.u), true
	case negative:
		return n.i, true
	}
	// a client may send an integral value as a float
	if n.f == math.Trunc(n.f) && n.f >= math.MinInt64 && n.f < math.MaxInt64 {
		return int64(n.f), true
	}
	return 0, false
}

func (n number) asFloat() float64 {
	switch n.kind {
	case unsigned:
		return float64(n.u)
	case negative:
		return float64(n.i)
	}
	return n.f
}

// binder binds one well-formed data item to a reflected target.
type binder struct {
	cursor
	// found is, per nesting level of structures, where each member's value starts (-1 for
	// absent): reused across the maps of a level.
	found [][]int
	lists int // lists being bound, nested
}

// maxCountedLists is how deep in nested lists a list is counted before it is bound.
const maxCountedLists = 4

// value binds the item at the cursor to v, leaving the cursor after it when it succeeds.
func (b *binder) value(sh *model.Shape, v reflect.Value) *protocol.Mismatch {
	if b.null() {
		return nil
	}
	if v.Kind() == reflect.Pointer && sh.Type != "blob" {
		nv := reflect.New(v.Type().Elem())
		if err := b.value(sh, nv.Elem()); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	major := b.peekMajor()
	switch sh.Type {
	case "structure":
		if major != majorMap {
			return protocol.Fail("map")
		}
		return b.structure(sh, v)
	case "list":
		if major != majorArray {
			return protocol.Fail("array")
		}
		return b.list(sh, v)
	case "map":
		if major != majorMap {
			return protocol.Fail("map")
		}
		return b.mapping(sh, v)
	case "integer", "long":
		n, ok := b.number()
		i, isInt := n.asInt()
		if !ok || !isInt || (sh.Type == "integer" && (i > math.MaxInt32 || i < math.MinInt32)) {
			return protocol.Fail(sh.Type)
		}
		v.SetInt(i)
	case "double", "float":
		n, ok := b.number()
		if !ok {
			return protocol.Fail("number")
		}
		v.SetFloat(n.asFloat())
	case "boolean":
		_, info, _ := b.head()
		if major != majorSimple || (info != 20 && info != 21) {
			return protocol.Fail("boolean")
		}
		v.SetBool(info == 21)
	case "timestamp":
		return b.timestamp(v)
	case "blob":
		if major != majorBytes {
			return protocol.Fail("byte string")
		}
		v.SetBytes(b.bytes(true))
	default:
		if major != majorText {
			return protocol.Fail("text string")
		}
		v.SetString(string(b.bytes(false)))
	}
	return nil
}

// timestamp reads tag 1 around epoch seconds.
func (b *binder) timestamp(v reflect.Value) *protocol.Mismatch {
	major, _, tag := b.head()
	if major != majorTag || tag != 1 {
		return protocol.Fail("timestamp (tag 1)")
	}
	n, ok := b.number()
	f := n.asFloat()
	if !ok || f < minEpoch || f > maxEpoch || math.IsNaN(f) {
		return protocol.Fail("timestamp (tag 1)")
	}
	v.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000))).UTC()))
	return nil
}

// structure binds a map's members in model order, each from the last of its keys.
func (b *binder) structure(sh *model.Shape, v reflect.Value) *protocol.Mismatch {
	level := len(b.found)
	if level == cap(b.found) {
		b.found = append(b.found, nil)
	}
	b.found = b.found[:level+1]
	at := b.found[level][:0]
	for range sh.Members {
		at = append(at, -1)
	}
	b.found[level] = at
	defer func() { b.found = b.found[:level] }()

	_, info, n := b.head()
	for i := uint64(0); b.more(i, n, info == 31); i++ {
		key := b.bytes(false)
		for j, m := range sh.Members {
			if string(key) == m.WireName() {
				at[j] = b.off
			}
		}
		b.skip()
	}
	end := b.off
	for j, m := range sh.Members {
		if at[j] < 0 {
			continue
		}
		if f := v.FieldByName(m.GoName); f.IsValid() {
			b.off = at[j]
			if err := b.value(m.Shape, f); err != nil {
				return err.At(m.WireName())
			}
		}
	}
	b.off = end
	return nil
}

// list binds an array's items in order; a null is no element (the models' lists are dense).
func (b *binder) list(sh *model.Shape, v reflect.Value) *protocol.Mismatch {
	// Items are counted first, so a list is allocated once at its size (and a list of nulls
	// not at all). Counting rescans a list's items at every level of lists it is nested in:
	// below maxCountedLists levels lists grow instead, so hostile nesting costs no more.
	size := 0
	if b.lists < maxCountedLists {
		size = b.countPresent()
	}
	b.lists++
	defer func() { b.lists-- }()
	// A settable slice of its own, filled by SetLen and Index (Slice would allocate a header
	// per element), set on v once it is whole.
	out := reflect.New(v.Type()).Elem()
	out.Set(reflect.MakeSlice(v.Type(), 0, size))
	_, info, n := b.head()
	for i := uint64(0); b.more(i, n, info == 31); i++ {
		if b.null() {
			continue
		}
		if out.Len() == out.Cap() {
			grown := reflect.MakeSlice(v.Type(), out.Len(), max(1, 2*out.Cap()))
			reflect.Copy(grown, out)
			out.Set(grown)
		}
		out.SetLen(out.Len() + 1)
		if err := b.value(sh.Member.Shape, out.Index(out.Len()-1)); err != nil {
			return err.AtIndex(int(i))
		}
	}
	v.Set(out)
	return nil
}

// countPresent is the number of items other than null in the array at the cursor, which it
// leaves there.
func (b *binder) countPresent() int {
	start := b.off
	defer func() { b.off = start }()
	_, info, n := b.head()
	count := 0
	for i := uint64(0); b.more(i, n, info == 31); i++ {
		if !b.null() {
			b.skip()
			count++
		}
	}
	return count
}

// mapping binds a map of the model from the last of each key's entries, nulls left out, in
// the Go map's order, as they were bound from a decoded map.
func (b *binder) mapping(sh *model.Shape, v reflect.Value) *protocol.Mismatch {
	at := map[string]int{}
	_, info, n := b.head()
	for i := uint64(0); b.more(i, n, info == 31); i++ {
		at[string(b.bytes(false))] = b.off
		b.skip()
	}
	end := b.off
	out := reflect.MakeMapWithSize(v.Type(), len(at))
	for k, off := range at {
		b.off = off
		if b.null() {
			continue
		}
		ev := reflect.New(v.Type().Elem()).Elem()
		if err := b.value(sh.Value.Shape, ev); err != nil {
			return err.At(k)
		}
		out.SetMapIndex(reflect.ValueOf(k), ev)
	}
	v.Set(out)
	b.off = end
	return nil
}
