// Package jsonshape converts between JSON documents and generated structs, driven by the model:
// member wire names, blobs as base64, timestamps as epoch seconds. REST-JSON (Lambda) and the
// JSON protocols share it.
package jsonshape

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"time"

	smithyjson "github.com/aws/smithy-go/encoding/json"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// Marshal encodes v (pointer to a generated struct of shape sh), writing only body members
// (those without an HTTP location), in model order.
//
// It does not use smithy-go's JSON encoder, whose bytes differ: its keys and strings escape \b
// and \f as \u0008 and \u000c, and map keys are client data (see AppendString); its Double
// writes 1000000 where these bodies have 1e+06 ('g' format) and panics on NaN and infinities,
// written null here; and its time.FormatEpochSeconds goes through UnixNano, which overflows
// outside the years 1678-2262 while bodies carry years 1 to 9999.
func Marshal(sh *model.Shape, v any) []byte {
	var b bytes.Buffer
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return []byte("{}")
		}
		rv = rv.Elem()
	}
	writeStruct(&b, sh, rv)
	return b.Bytes()
}

func writeStruct(b *bytes.Buffer, sh *model.Shape, v reflect.Value) {
	b.WriteByte('{')
	first := true
	for _, m := range sh.Members {
		if m.Location != "" {
			continue
		}
		f := v.FieldByName(m.GoName)
		if !f.IsValid() || absent(f) {
			continue
		}
		if !first {
			b.WriteByte(',')
		}
		first = false
		writeString(b, m.WireName())
		b.WriteByte(':')
		writeValue(b, m.Shape, f)
	}
	b.WriteByte('}')
}

func writeValue(b *bytes.Buffer, sh *model.Shape, v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch sh.Type {
	case "structure":
		writeStruct(b, sh, v)
	case "list":
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			writeValue(b, sh.Member.Shape, v.Index(i))
		}
		b.WriteByte(']')
	case "map":
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, k)
			b.WriteByte(':')
			writeValue(b, sh.Value.Shape, v.MapIndex(reflect.ValueOf(k)))
		}
		b.WriteByte('}')
	case "integer", "long":
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case "double", "float":
		f := v.Float()
		if math.IsNaN(f) || math.IsInf(f, 0) {
			b.WriteString("null")
			return
		}
		b.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	case "boolean":
		b.WriteString(strconv.FormatBool(v.Bool()))
	case "timestamp":
		t := v.Interface().(time.Time)
		b.WriteString(strconv.FormatFloat(float64(t.UnixMilli())/1000, 'f', -1, 64))
	case "blob":
		writeString(b, base64.StdEncoding.EncodeToString(v.Bytes()))
	default:
		writeString(b, v.String())
	}
}

func writeString(b *bytes.Buffer, s string) { b.Write(AppendString(b.AvailableBuffer(), s)) }

// AppendString appends s to dst as a JSON string the way AWS's Java services write one (Jackson,
// jackson-core CharTypes.sOutputEscapes128): <, > and & stay as they are (encoding/json's default
// would turn them into \u003c...), backspace and form feed are \b and \f, other control
// characters \u00XX; invalid UTF-8 becomes \ufffd.
//
// smithy-go's encoding/json would do the rest of this job but writes \b and \f as \u0008 and
// \u000c, which changes bytes a message may echo from client input; encoding/json (Go 1.22 and
// later) agrees with Jackson, so it does the escaping.
func AppendString(dst []byte, s string) []byte {
	b := bytes.NewBuffer(dst)
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // cannot fail for a string
	out := b.Bytes()
	return out[:len(out)-1] // Encode's newline
}

func absent(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return f.IsNil()
	}
	return false
}

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
func Unmarshal(sh *model.Shape, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	return readValue(sh, doc, reflect.ValueOf(v).Elem(), "", true)
}

func readValue(sh *model.Shape, doc any, v reflect.Value, path string, top bool) error {
	if doc == nil {
		return nil
	}
	if v.Kind() == reflect.Pointer && sh.Type != "blob" {
		nv := reflect.New(v.Type().Elem())
		if err := readValue(sh, doc, nv.Elem(), path, top); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	switch sh.Type {
	case "structure":
		obj, ok := doc.(map[string]any)
		if !ok {
			return &TypeError{path, "object"}
		}
		for _, m := range sh.Members {
			if top && m.Location != "" {
				continue
			}
			raw, ok := obj[m.WireName()]
			if !ok {
				continue
			}
			if f := v.FieldByName(m.GoName); f.IsValid() {
				if err := readValue(m.Shape, raw, f, join(path, m.WireName()), false); err != nil {
					return err
				}
			}
		}
	case "list":
		arr, ok := doc.([]any)
		if !ok {
			return &TypeError{path, "array"}
		}
		out := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, item := range arr {
			if err := readValue(sh.Member.Shape, item, out.Index(i), fmt.Sprintf("%s[%d]", path, i), false); err != nil {
				return err
			}
		}
		v.Set(out)
	case "map":
		obj, ok := doc.(map[string]any)
		if !ok {
			return &TypeError{path, "object"}
		}
		out := reflect.MakeMapWithSize(v.Type(), len(obj))
		for k, item := range obj {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := readValue(sh.Value.Shape, item, ev, join(path, k), false); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
	case "integer", "long":
		n, ok := doc.(json.Number)
		if !ok {
			return &TypeError{path, "number"}
		}
		i, err := n.Int64()
		if err != nil || (sh.Type == "integer" && (i > math.MaxInt32 || i < math.MinInt32)) {
			return &TypeError{path, sh.Type}
		}
		v.SetInt(i)
	case "double", "float":
		n, ok := doc.(json.Number)
		if !ok {
			return &TypeError{path, "number"}
		}
		f, err := n.Float64()
		if err != nil {
			return &TypeError{path, "number"}
		}
		v.SetFloat(f)
	case "boolean":
		bv, ok := doc.(bool)
		if !ok {
			return &TypeError{path, "boolean"}
		}
		v.SetBool(bv)
	case "timestamp":
		// Not smithy-go's ParseEpochSeconds, which truncates to the millisecond (1.001 reads as
		// 1.000) and overflows past 2262, nor its ParseDateTime, which also takes zoneless times.
		switch t := doc.(type) {
		case json.Number:
			f, err := t.Float64()
			if err != nil || f < minEpoch || f > maxEpoch { // beyond years 1-9999 the ms would overflow
				return &TypeError{path, "timestamp"}
			}
			v.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000))).UTC()))
		case string:
			tm, err := time.Parse(time.RFC3339Nano, t)
			if err != nil {
				return &TypeError{path, "timestamp"}
			}
			v.Set(reflect.ValueOf(tm.UTC()))
		default:
			return &TypeError{path, "timestamp"}
		}
	case "blob":
		s, ok := doc.(string)
		if !ok {
			return &TypeError{path, "base64 string"}
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return &TypeError{path, "base64 string"}
		}
		v.SetBytes(raw)
	default:
		s, ok := doc.(string)
		if !ok {
			return &TypeError{path, "string"}
		}
		v.SetString(s)
	}
	return nil
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// MarshalFields encodes fields as one JSON object with its keys sorted: the error bodies of the
// JSON protocols (AWS JSON 1.0/1.1 and REST-JSON), whose members the codecs gather in a map.
// Strings go through AppendString, integers as decimals, any other value through encoding/json
// or, when it has no JSON form (a channel, NaN), as the quoted text fmt prints for it, so the
// body stays valid JSON.
//
// smithy-go's object writer places the braces, commas and keys. The keys are member names the
// services choose (message, __type, Type, Reason, resourceName), never client input, so its key
// escaping writes them as AppendString would; values do not go through its String (see
// AppendString).
func MarshalFields(fields map[string]any) []byte {
	enc := smithyjson.NewEncoder()
	obj := enc.Object()
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		v := obj.Key(k)
		switch f := fields[k].(type) {
		case string:
			v.Write(AppendString(nil, f))
		case int:
			v.Long(int64(f))
		case int32:
			v.Integer(f)
		case int64:
			v.Long(f)
		default:
			raw, err := json.Marshal(f)
			if err != nil {
				raw = AppendString(nil, fmt.Sprint(f))
			}
			v.Write(raw)
		}
	}
	obj.Close()
	return enc.Bytes()
}
