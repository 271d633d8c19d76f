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
	"net/http"
	"reflect"
	"sort"
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

// Decode fills in (pointer to the operation's input struct) from a CBOR body. An empty body is
// an empty input: clients send none for operations without input members. The body is checked
// whole first (syntax errors come before type errors), then bound as it is walked.
func (c *Codec) Decode(op *model.Operation, body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	if err := wellFormed(body); err != nil {
		return serialization(err.Error())
	}
	if op.Input == nil {
		if cur := (cursor{p: body}); cur.peekMajor() != majorMap && !cur.null() {
			return serialization("cbor: input: expected map")
		}
		return nil
	}
	if err := bindItem(op.Input, body, in); err != nil {
		return serialization(err.Error())
	}
	return nil
}

func serialization(msg string) *awserr.Error {
	return awserr.New("SerializationException", http.StatusBadRequest, true, "%s", msg)
}

// Unmarshal decodes CBOR bytes into v (pointer to a generated struct of shape sh).
func Unmarshal(sh *model.Shape, data []byte, v any) error {
	if err := wellFormed(data); err != nil {
		return err
	}
	return bindItem(sh, data, v)
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
