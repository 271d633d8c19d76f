package awsquery

import (
	"bytes"
	"reflect"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// EncodeResult renders <OpResponse><OpResult>...</OpResult><ResponseMetadata>...</OpResponse>
// with AWS's two-space indentation and trailing newline.
func EncodeResult(svc *model.Service, op *model.Operation, out any, requestID string) []byte {
	var b bytes.Buffer
	b.Grow(resultSizeHint)
	AppendResult(&b, svc, op, out, requestID)
	return b.Bytes()
}

// AppendResult is EncodeResult into b. An output with generated code (api/*/queryxml.go)
// writes itself; any other is walked by reflection along the model.
func AppendResult(b *bytes.Buffer, svc *model.Service, op *model.Operation, out any, requestID string) {
	appendResult(b, svc, op, out, requestID, true)
}

// appendResult is AppendResult, through the generated code only when generated is set: the
// tests compare the two.
func appendResult(b *bytes.Buffer, svc *model.Service, op *model.Operation, out any, requestID string, generated bool) {
	w := NewXMLWriter(b)
	b.WriteString("<")
	b.WriteString(op.Name)
	b.WriteString("Response xmlns=\"")
	b.WriteString(svc.XMLNamespace)
	b.WriteString("\">\n")
	if op.Output != nil && out != nil {
		wrapper := op.ResultWrapper
		if wrapper == "" {
			wrapper = op.Name + "Result"
		}
		v := reflect.ValueOf(out)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			w.Open(1, wrapper)
			if a, ok := out.(QueryXMLAppender); ok && generated {
				a.AppendQueryXML(w, 2)
			} else {
				e := encoder{w: w}
				e.structure(op.Output, v.Elem(), 2)
			}
			w.Close(1, wrapper)
		}
	}
	b.WriteString("  <ResponseMetadata>\n")
	w.String(2, "RequestId", requestID)
	b.WriteString("  </ResponseMetadata>\n</")
	b.WriteString(op.Name)
	b.WriteString("Response>\n")
}

// resultSizeHint is where a result's buffer starts: most answers (a Get of one entity, an
// empty result) fit, so they are written without growing it.
const resultSizeHint = 1024

// EncodeError renders AWS's <ErrorResponse> body exactly as captured from IAM and STS.
func EncodeError(svc *model.Service, e *awserr.Error, requestID string) []byte {
	typ := "Sender"
	if !e.Sender {
		typ = "Receiver"
	}
	var b bytes.Buffer
	b.WriteString("<ErrorResponse xmlns=\"" + svc.XMLNamespace + "\">\n  <Error>\n")
	b.WriteString("    <Type>" + typ + "</Type>\n")
	b.WriteString("    <Code>" + escape(e.Code) + "</Code>\n")
	b.WriteString("    <Message>" + escape(e.Message) + "</Message>\n")
	b.WriteString("  </Error>\n  <RequestId>" + escape(requestID) + "</RequestId>\n</ErrorResponse>\n")
	return b.Bytes()
}

// encoder writes a value by reflection along its model shape.
type encoder struct {
	w *XMLWriter
}

func (e *encoder) structure(sh *model.Shape, v reflect.Value, depth int) {
	for _, m := range sh.Members {
		f := m.Field(v)
		if !f.IsValid() || isAbsent(f) {
			continue
		}
		e.member(m, f, depth)
	}
}

func (e *encoder) member(m *model.Member, f reflect.Value, depth int) {
	name := m.WireName()
	sh := m.Shape
	switch sh.Type {
	case "structure":
		e.w.Open(depth, name)
		e.structure(sh, f.Elem(), depth+1)
		e.w.Close(depth, name)
	case "list":
		elem := "member"
		if sh.Member.LocationName != "" {
			elem = sh.Member.LocationName
		}
		if m.Flattened {
			for i := 0; i < f.Len(); i++ {
				e.element(sh.Member.Shape, f.Index(i), name, depth)
			}
			return
		}
		if f.Len() == 0 {
			e.w.Empty(depth, name)
			return
		}
		e.w.Open(depth, name)
		for i := 0; i < f.Len(); i++ {
			e.element(sh.Member.Shape, f.Index(i), elem, depth+1)
		}
		e.w.Close(depth, name)
	case "map":
		e.w.Open(depth, name)
		keys := f.MapKeys()
		strs := make([]string, len(keys))
		for i, k := range keys {
			strs[i] = k.String()
		}
		sort.Strings(strs)
		for _, k := range strs {
			e.w.Open(depth+1, "entry")
			e.w.String(depth+2, "key", k)
			e.element(sh.Value.Shape, f.MapIndex(reflect.ValueOf(k)), "value", depth+2)
			e.w.Close(depth+1, "entry")
		}
		e.w.Close(depth, name)
	default:
		if f.Kind() == reflect.Pointer {
			f = f.Elem()
		}
		e.scalar(depth, name, sh, f)
	}
}

// element writes a list element or map value (held by value).
func (e *encoder) element(sh *model.Shape, v reflect.Value, name string, depth int) {
	switch sh.Type {
	case "structure":
		e.w.Open(depth, name)
		e.structure(sh, v, depth+1)
		e.w.Close(depth, name)
	case "list", "map":
		e.member(&model.Member{Name: name, Shape: sh}, v, depth)
	default:
		e.scalar(depth, name, sh, v)
	}
}

// scalar writes a scalar leaf; a shape type the models do not use is written as a string.
func (e *encoder) scalar(depth int, name string, sh *model.Shape, v reflect.Value) {
	switch sh.Type {
	case "integer", "long":
		e.w.Int(depth, name, v.Int())
	case "double", "float":
		e.w.Float(depth, name, v.Float(), v.Type().Bits())
	case "boolean":
		e.w.Bool(depth, name, v.Bool())
	case "timestamp":
		if v.CanAddr() {
			// Through a pointer, which an interface holds without copying the time.
			e.w.Time(depth, name, *v.Addr().Interface().(*time.Time))
		} else {
			e.w.Time(depth, name, v.Interface().(time.Time))
		}
	case "blob":
		e.w.Blob(depth, name, v.Bytes())
	default:
		e.w.String(depth, name, v.String())
	}
}

func isAbsent(f reflect.Value) bool {
	switch f.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Map:
		return f.IsNil()
	}
	return false
}

// escape is XML text escaping as AWS does it: &, < and > only, so quotes stay readable. A
// character XML 1.0 cannot carry (control characters, invalid UTF-8), which a message may echo
// from client input, becomes U+FFFD, as encoding/xml does, so the body always parses.
//
// smithy-go's encoding/xml is not used: it writes ' and " as &#39; and &#34; and tabs and
// newlines as character references (testdata/golden/ValidationError.xml keeps Value '...' as
// AWS sends it), and it does not indent.
func escape(s string) string {
	if plainASCII(s) || (!strings.ContainsAny(s, "&<>\r") && xmlSafe(s)) {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '\r':
			b.WriteString("&#xD;")
		case !xmlChar(r):
			b.WriteRune('\uFFFD')
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// plainASCII is the common case of escape's text, told in one pass over the bytes: ASCII
// with nothing to escape or replace.
func plainASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= utf8.RuneSelf || c == '&' || c == '<' || c == '>' || (c < 0x20 && c != '\t' && c != '\n') {
			return false
		}
	}
	return true
}

func xmlSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if !xmlChar(r) {
			return false
		}
	}
	return true
}

// xmlChar reports whether r is in XML 1.0's Char production.
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0xD7FF) ||
		(r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}
