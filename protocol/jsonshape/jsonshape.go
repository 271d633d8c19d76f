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
