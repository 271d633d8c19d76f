package jsonshape

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// The epoch-seconds range of years 1 to 9999, the timestamps JSON bodies can carry.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

// TypeError is a JSON value of the wrong type for its member.
type TypeError struct{ Path, Want string }

func (e *TypeError) Error() string { return fmt.Sprintf("%s: expected %s", e.Path, e.Want) }

// Unmarshal decodes a JSON document into v (pointer to a generated struct of shape sh). Only
// body members are filled; unknown keys are ignored as AWS ignores them.
//
// The document is bound as it is scanned, never built as a tree first, so memory stays near the
// size of what it decodes into. What it accepts and the errors it gives are those of
// encoding/json's Decoder reading the first value into an any and binding that: syntax errors
// before type errors, a structure's members in model order, the last of duplicate keys.
func Unmarshal(sh *model.Shape, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	if !json.Valid(data) {
		// The Decoder's verdict on the first value, in its words; only a valid first value
		// followed by anything gets past it. The Decoder buffers what it reads, up to about
		// three times the body: invalid bodies alone pay that.
		if err := json.NewDecoder(bytes.NewReader(data)).Decode(new(skipped)); err != nil {
			return err
		}
	}
	d := &decoder{data: data}
	if err := d.value(sh, reflect.ValueOf(v).Elem(), true); err != nil {
		return typeError(err)
	}
	return nil
}

// skipped takes a value without keeping it: Unmarshal uses the Decoder for its errors alone.
type skipped struct{}

func (*skipped) UnmarshalJSON([]byte) error { return nil }

// typeError is the package's error for a mismatch.
func typeError(m *protocol.Mismatch) *TypeError { return &TypeError{m.Path(), m.Want} }

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// decoder binds a syntactically valid JSON value (checked before, so scanning needs no
// checks) to a reflected target.
type decoder struct {
	data []byte
	off  int
	// found is, per nesting level of structures, where each member's value starts (-1 for
	// absent): reused across the objects of a level.
	found [][]int
	lists int // lists being bound, nested
}

// maxCountedLists is how deep in nested lists a list is counted before it is bound.
const maxCountedLists = 4

// span is a string's bytes between its quotes, as offsets into data.
type span struct {
	from, to int
	escaped  bool
}

func (d *decoder) ws() {
	for d.off < len(d.data) {
		switch d.data[d.off] {
		case ' ', '\t', '\n', '\r':
			d.off++
		default:
			return
		}
	}
}

// value binds the value at d.off (after blanks) to v and leaves d.off after it when it
// succeeds; after a failure d.off is of no further use.
func (d *decoder) value(sh *model.Shape, v reflect.Value, top bool) *protocol.Mismatch {
	d.ws()
	if d.data[d.off] == 'n' { // null: an absent value
		d.off += len("null")
		return nil
	}
	if v.Kind() == reflect.Pointer && sh.Type != "blob" {
		nv := reflect.New(v.Type().Elem())
		if err := d.value(sh, nv.Elem(), top); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	c := d.data[d.off]
	switch sh.Type {
	case "structure":
		if c != '{' {
			return protocol.Fail("object")
		}
		return d.structure(sh, v, top)
	case "list":
		if c != '[' {
			return protocol.Fail("array")
		}
		return d.list(sh, v)
	case "map":
		if c != '{' {
			return protocol.Fail("object")
		}
		return d.mapping(sh, v)
	case "integer", "long":
		if !isNumber(c) {
			return protocol.Fail("number")
		}
		i, err := strconv.ParseInt(string(d.number()), 10, 64)
		if err != nil || (sh.Type == "integer" && (i > math.MaxInt32 || i < math.MinInt32)) {
			return protocol.Fail(sh.Type)
		}
		v.SetInt(i)
	case "double", "float":
		if !isNumber(c) {
			return protocol.Fail("number")
		}
		f, err := strconv.ParseFloat(string(d.number()), 64)
		if err != nil {
			return protocol.Fail("number")
		}
		v.SetFloat(f)
	case "boolean":
		if c != 't' && c != 'f' {
			return protocol.Fail("boolean")
		}
		v.SetBool(c == 't')
		d.skip()
	case "timestamp":
		return d.timestamp(v, c)
	case "blob":
		if c != '"' {
			return protocol.Fail("base64 string")
		}
		raw, err := d.blob(d.rawString())
		if err != nil {
			return protocol.Fail("base64 string")
		}
		v.SetBytes(raw)
	default:
		if c != '"' {
			return protocol.Fail("string")
		}
		v.SetString(d.text(d.rawString()))
	}
	return nil
}

// timestamp reads epoch seconds or an RFC 3339 string. Not smithy-go's ParseEpochSeconds,
// which truncates to the millisecond (1.001 reads as 1.000) and overflows past 2262, nor its
// ParseDateTime, which also takes zoneless times.
func (d *decoder) timestamp(v reflect.Value, c byte) *protocol.Mismatch {
	switch {
	case isNumber(c):
		f, err := strconv.ParseFloat(string(d.number()), 64)
		if err != nil || f < minEpoch || f > maxEpoch { // beyond years 1-9999 the ms would overflow
			return protocol.Fail("timestamp")
		}
		v.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000))).UTC()))
	case c == '"':
		tm, err := time.Parse(time.RFC3339Nano, d.text(d.rawString()))
		if err != nil {
			return protocol.Fail("timestamp")
		}
		v.Set(reflect.ValueOf(tm.UTC()))
	default:
		return protocol.Fail("timestamp")
	}
	return nil
}

// structure binds an object's body members in model order, each from the last of its keys.
func (d *decoder) structure(sh *model.Shape, v reflect.Value, top bool) *protocol.Mismatch {
	level := len(d.found)
	if level == cap(d.found) {
		d.found = append(d.found, nil)
	}
	d.found = d.found[:level+1]
	at := d.found[level][:0]
	for range sh.Members {
		at = append(at, -1)
	}
	d.found[level] = at
	defer func() { d.found = d.found[:level] }()

	d.off++ // {
	for d.next('}') {
		key := d.rawString()
		value := d.colon()
		for i, m := range sh.Members {
			if !(top && m.Location != "") && d.is(key, m.WireName()) {
				at[i] = value
			}
		}
		d.skip()
	}
	end := d.off
	for i, m := range sh.Members {
		if at[i] < 0 {
			continue
		}
		if f := v.FieldByName(m.GoName); f.IsValid() {
			d.off = at[i]
			if err := d.value(m.Shape, f, false); err != nil {
				return err.At(m.WireName())
			}
		}
	}
	d.off = end
	return nil
}

// list binds an array's elements in order (a null is the element's zero value).
func (d *decoder) list(sh *model.Shape, v reflect.Value) *protocol.Mismatch {
	// Elements are counted first, so a list is allocated once at its size (a list of short
	// numbers, "1," for 8 bytes of float64, not twice over). Counting rescans a list's elements
	// at every level of lists it is nested in: below maxCountedLists levels lists grow instead,
	// so hostile nesting (up to encoding/json's 10,000 levels) costs no more.
	size := 0
	if d.lists < maxCountedLists {
		size = d.count()
	}
	d.lists++
	defer func() { d.lists-- }()
	// A settable slice of its own, filled by SetLen and Index (Slice would allocate a header
	// per element), set on v once it is whole.
	out := reflect.New(v.Type()).Elem()
	out.Set(reflect.MakeSlice(v.Type(), 0, size))
	d.off++ // [
	for i := 0; d.next(']'); i++ {
		if out.Len() == out.Cap() {
			grown := reflect.MakeSlice(v.Type(), out.Len(), max(1, 2*out.Cap()))
			reflect.Copy(grown, out)
			out.Set(grown)
		}
		out.SetLen(i + 1)
		if err := d.value(sh.Member.Shape, out.Index(i), false); err != nil {
			return err.AtIndex(i)
		}
	}
	v.Set(out)
	return nil
}

// mapping binds an object as a map, each key from its last occurrence; a null is the value's
// zero value. Entries bind in the Go map's order, as they did from a decoded object.
func (d *decoder) mapping(sh *model.Shape, v reflect.Value) *protocol.Mismatch {
	at := map[string]int{}
	d.off++ // {
	for d.next('}') {
		key := d.text(d.rawString())
		at[key] = d.colon()
		d.skip()
	}
	end := d.off
	out := reflect.MakeMapWithSize(v.Type(), len(at))
	for k, off := range at {
		ev := reflect.New(v.Type().Elem()).Elem()
		d.off = off
		if err := d.value(sh.Value.Shape, ev, false); err != nil {
			return err.At(k)
		}
		out.SetMapIndex(reflect.ValueOf(k), ev)
	}
	v.Set(out)
	d.off = end
	return nil
}

// next moves past the separator before a container's next entry and reports whether there is
// one (false: the closing byte is consumed).
func (d *decoder) next(closing byte) bool {
	d.ws()
	if d.data[d.off] == ',' {
		d.off++
		d.ws()
	}
	if d.data[d.off] == closing {
		d.off++
		return false
	}
	return true
}

// colon consumes the colon after a key and returns where the value starts.
func (d *decoder) colon() int {
	d.ws()
	d.off++
	return d.off
}

// rawString consumes a string.
func (d *decoder) rawString() span {
	sp := span{from: d.off + 1}
	i := sp.from
	for {
		switch d.data[i] {
		case '\\':
			sp.escaped = true
			i += 2
			continue
		case '"':
			sp.to, d.off = i, i+1
			return sp
		}
		i++
	}
}

// text is a string's value: encoding/json's unquoting (escapes resolved, invalid UTF-8 and lone
// surrogates as U+FFFD) where the bytes are not already the value.
func (d *decoder) text(sp span) string {
	raw := d.data[sp.from:sp.to]
	if !sp.escaped && utf8.Valid(raw) {
		return string(raw)
	}
	var s string
	_ = json.Unmarshal(d.data[sp.from-1:sp.to+1], &s) // a valid string cannot fail
	return s
}

// is reports whether a key is name, without a string for it when it needs no unquoting.
func (d *decoder) is(key span, name string) bool {
	raw := d.data[key.from:key.to]
	if !key.escaped && utf8.Valid(raw) {
		return string(raw) == name
	}
	return d.text(key) == name
}

// blob decodes a base64 string, straight from the body when it needs no unquoting.
func (d *decoder) blob(sp span) ([]byte, error) {
	src := d.data[sp.from:sp.to]
	if sp.escaped || !utf8.Valid(src) {
		src = []byte(d.text(sp))
	}
	out := make([]byte, base64.StdEncoding.DecodedLen(len(src)))
	n, err := base64.StdEncoding.Decode(out, src)
	if err != nil {
		return nil, err
	}
	return out[:n], nil
}

// count is the number of elements of the array at d.off, which it leaves there.
func (d *decoder) count() int {
	start := d.off
	defer func() { d.off = start }()
	n := 0
	d.off++ // [
	for d.next(']') {
		d.skip()
		n++
	}
	return n
}

func isNumber(c byte) bool { return c == '-' || (c >= '0' && c <= '9') }

// number consumes a number and returns its text.
func (d *decoder) number() []byte {
	start := d.off
	for d.off < len(d.data) {
		switch c := d.data[d.off]; {
		case c >= '0' && c <= '9', c == '-', c == '+', c == '.', c == 'e', c == 'E':
			d.off++
			continue
		}
		break
	}
	return d.data[start:d.off]
}

// skip consumes one value (after blanks) without binding it.
func (d *decoder) skip() {
	d.ws()
	switch c := d.data[d.off]; {
	case c == '"':
		d.rawString()
	case c == '{' || c == '[':
		depth := 0
		for {
			switch d.data[d.off] {
			case '"':
				d.rawString()
				continue
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					d.off++
					return
				}
			}
			d.off++
		}
	case isNumber(c):
		d.number()
	default: // true, false
		for d.off < len(d.data) && d.data[d.off] >= 'a' && d.data[d.off] <= 'z' {
			d.off++
		}
	}
}
