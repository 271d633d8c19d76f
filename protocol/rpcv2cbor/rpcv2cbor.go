// Package rpcv2cbor is the Smithy RPC v2 CBOR protocol codec (CloudWatch as aws-sdk-go-v2 and
// the other SDKs that prefer it call it): POST /service/<ServiceName>/operation/<Operation> with
// "smithy-protocol: rpc-v2-cbor", CBOR bodies (RFC 8949) bound to the generated structs by the
// model, and errors as a CBOR map holding "__type" (the error's shape id) and "message", with
// the error's HTTP status ("Smithy RPC v2 CBOR protocol", smithy.io additional-specs).
//
// Requests may use definite or indefinite lengths and any float width (aws-sdk-go-v2 sends
// indefinite maps and arrays); responses use definite lengths, doubles as 64-bit floats and
// timestamps as tag 1 around epoch seconds.
package rpcv2cbor

import (
	"math"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/awsjson"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// ContentType is the media type of every request and response body.
const ContentType = "application/cbor"

// ProtocolHeader and ProtocolValue mark requests and responses of this protocol.
const (
	ProtocolHeader = "Smithy-Protocol"
	ProtocolValue  = "rpc-v2-cbor"
)

// Codec encodes and decodes one service's RPC v2 CBOR face.
type Codec struct {
	Service *model.Service
	// ServiceName is the Smithy service shape's name in request paths
	// (GraniteServiceVersion20100801 for CloudWatch).
	ServiceName string
	// Namespace prefixes error shape names in "__type" (com.amazonaws.cloudwatch).
	Namespace string
	// QueryCompatible: errors also carry x-amzn-query-error with the Query code.
	QueryCompatible bool
}

// ParsePath splits /service/<ServiceName>/operation/<Operation>.
func ParsePath(path string) (service, op string, ok bool) {
	rest, ok := strings.CutPrefix(path, "/service/")
	if !ok {
		return "", "", false
	}
	service, op, ok = strings.Cut(rest, "/operation/")
	if !ok || service == "" || op == "" || strings.Contains(op, "/") || strings.Contains(service, "/") {
		return "", "", false
	}
	return service, op, true
}

// TypeError is a data item of the wrong kind for its member.
type TypeError struct{ Path, Want string }

func (e *TypeError) Error() string { return "cbor: " + e.Path + ": expected " + e.Want }

// Decode fills in (pointer to the operation's input struct) from a CBOR body. An empty body is
// an empty input: clients send none for operations without input members.
func (c *Codec) Decode(op *model.Operation, body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	v, err := decodeItem(body)
	if err != nil {
		return serialization(err.Error())
	}
	if op.Input == nil {
		if _, ok := v.(map[string]any); !ok && v != nil {
			return serialization("cbor: input: expected map")
		}
		return nil
	}
	if err := Bind(op.Input, v, in); err != nil {
		return serialization(err.Error())
	}
	return nil
}

func serialization(msg string) *awserr.Error {
	return awserr.New("SerializationException", http.StatusBadRequest, true, "%s", msg)
}

// Unmarshal decodes CBOR bytes into v (pointer to a generated struct of shape sh).
func Unmarshal(sh *model.Shape, data []byte, v any) error {
	item, err := decodeItem(data)
	if err != nil {
		return err
	}
	return Bind(sh, item, v)
}

// Bind fills v (pointer to a generated struct of shape sh) from a decoded data item. Unknown
// keys are ignored and nulls are absent values, as for JSON.
func Bind(sh *model.Shape, item any, v any) error {
	return bind(sh, item, reflect.ValueOf(v).Elem(), "")
}

// The epoch-seconds range of years 1 to 9999.
const (
	minEpoch = -62135596800
	maxEpoch = 253402300799
)

func bind(sh *model.Shape, item any, v reflect.Value, path string) error {
	if item == nil {
		return nil
	}
	if v.Kind() == reflect.Pointer && sh.Type != "blob" {
		nv := reflect.New(v.Type().Elem())
		if err := bind(sh, item, nv.Elem(), path); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	switch sh.Type {
	case "structure":
		m, ok := item.(map[string]any)
		if !ok {
			return &TypeError{path, "map"}
		}
		for _, mem := range sh.Members {
			raw, ok := m[mem.WireName()]
			if !ok {
				continue
			}
			if f := v.FieldByName(mem.GoName); f.IsValid() {
				if err := bind(mem.Shape, raw, f, join(path, mem.WireName())); err != nil {
					return err
				}
			}
		}
	case "list":
		arr, ok := item.([]any)
		if !ok {
			return &TypeError{path, "array"}
		}
		out := reflect.MakeSlice(v.Type(), 0, len(arr))
		for i, it := range arr {
			if it == nil {
				continue // lists of the models are dense: a null is no element
			}
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := bind(sh.Member.Shape, it, ev, path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
			out = reflect.Append(out, ev)
		}
		v.Set(out)
	case "map":
		m, ok := item.(map[string]any)
		if !ok {
			return &TypeError{path, "map"}
		}
		out := reflect.MakeMapWithSize(v.Type(), len(m))
		for k, it := range m {
			if it == nil {
				continue
			}
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := bind(sh.Value.Shape, it, ev, join(path, k)); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
	case "integer", "long":
		n, ok := asInt(item)
		if !ok || (sh.Type == "integer" && (n > math.MaxInt32 || n < math.MinInt32)) {
			return &TypeError{path, sh.Type}
		}
		v.SetInt(n)
	case "double", "float":
		f, ok := asFloat(item)
		if !ok {
			return &TypeError{path, "number"}
		}
		v.SetFloat(f)
	case "boolean":
		b, ok := item.(bool)
		if !ok {
			return &TypeError{path, "boolean"}
		}
		v.SetBool(b)
	case "timestamp":
		t, ok := item.(Tag)
		if !ok || t.Number != 1 {
			return &TypeError{path, "timestamp (tag 1)"}
		}
		f, ok := asFloat(t.Value)
		if !ok || f < minEpoch || f > maxEpoch || math.IsNaN(f) {
			return &TypeError{path, "timestamp (tag 1)"}
		}
		v.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000))).UTC()))
	case "blob":
		b, ok := item.([]byte)
		if !ok {
			return &TypeError{path, "byte string"}
		}
		v.SetBytes(b)
	default:
		s, ok := item.(string)
		if !ok {
			return &TypeError{path, "text string"}
		}
		v.SetString(s)
	}
	return nil
}

func asInt(item any) (int64, bool) {
	switch n := item.(type) {
	case uint64:
		if n > math.MaxInt64 {
			return 0, false
		}
		return int64(n), true
	case int64:
		return n, true
	case float64: // a client may send an integral value as a float
		if n == math.Trunc(n) && n >= math.MinInt64 && n < math.MaxInt64 {
			return int64(n), true
		}
	}
	return 0, false
}

func asFloat(item any) (float64, bool) {
	switch n := item.(type) {
	case float64:
		return n, true
	case uint64:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// Marshal encodes v (pointer to a generated struct of shape sh) as a CBOR map of its present
// members, in model order.
func Marshal(sh *model.Shape, v any) []byte {
	e := &encoder{}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			e.head(majorMap, 0)
			return e.b
		}
		rv = rv.Elem()
	}
	writeStruct(e, sh, rv)
	return e.b
}

func writeStruct(e *encoder, sh *model.Shape, v reflect.Value) {
	present := make([]*model.Member, 0, len(sh.Members))
	for _, m := range sh.Members {
		if f := v.FieldByName(m.GoName); f.IsValid() && !absent(f) {
			present = append(present, m)
		}
	}
	e.head(majorMap, uint64(len(present)))
	for _, m := range present {
		e.text(m.WireName())
		writeValue(e, m.Shape, v.FieldByName(m.GoName))
	}
}

func writeValue(e *encoder, sh *model.Shape, v reflect.Value) {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	switch sh.Type {
	case "structure":
		writeStruct(e, sh, v)
	case "list":
		e.head(majorArray, uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			writeValue(e, sh.Member.Shape, v.Index(i))
		}
	case "map":
		keys := make([]string, 0, v.Len())
		for _, k := range v.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		e.head(majorMap, uint64(len(keys)))
		for _, k := range keys {
			e.text(k)
			writeValue(e, sh.Value.Shape, v.MapIndex(reflect.ValueOf(k)))
		}
	case "integer", "long":
		e.int(v.Int())
	case "double":
		e.float64(v.Float())
	case "float":
		e.float32(float32(v.Float()))
	case "boolean":
		e.bool(v.Bool())
	case "timestamp":
		// Epoch seconds from UnixMilli: smithy-go's time.FormatEpochSeconds goes through UnixNano,
		// which overflows outside the years 1678-2262, and Bind accepts years 1 to 9999.
		t := v.Interface().(time.Time)
		e.head(majorTag, 1)
		e.float64(float64(t.UnixMilli()) / 1000)
	case "blob":
		e.bytes(v.Bytes())
	default:
		e.text(v.String())
	}
}

func absent(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return f.IsNil()
	}
	return false
}

// EncodeResult renders the operation's output. An operation without output (Smithy's Unit)
// answers an empty body, which clients read as no output.
func (c *Codec) EncodeResult(op *model.Operation, out any) []byte {
	if op.Output == nil {
		return nil
	}
	return Marshal(op.Output, out)
}

// EncodeError renders e as {"__type": "<namespace>#<Shape>", "message": ...} plus its extra
// fields; a query-compatible service adds x-amzn-query-error with the Query code.
func (c *Codec) EncodeError(e *awserr.Error) protocol.Wire {
	res := protocol.NewWire(e.Status, ContentType, nil)
	res.Header.Set(ProtocolHeader, ProtocolValue)
	typ, sh := awsjson.ErrorType(c.Service, e.Code, c.QueryCompatible)
	if sh != nil && c.Namespace != "" {
		typ = c.Namespace + "#" + typ
	}
	if c.QueryCompatible {
		res.Header.Set("x-amzn-query-error", awsjson.QueryErrorHeader(e))
	}
	fields := map[string]string{"__type": typ, "message": e.Message}
	keys := []string{"__type", "message"}
	for k, v := range e.Fields {
		if s, ok := v.(string); ok && fields[k] == "" {
			fields[k] = s
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	enc := &encoder{}
	enc.head(majorMap, uint64(len(keys)))
	for _, k := range keys {
		enc.text(k)
		enc.text(fields[k])
	}
	res.Body = enc.b
	return res
}
