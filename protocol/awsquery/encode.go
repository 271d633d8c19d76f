package awsquery

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"sort"
	"strconv"
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

// AppendResult is EncodeResult into b.
func AppendResult(b *bytes.Buffer, svc *model.Service, op *model.Operation, out any, requestID string) {
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
		e := encoder{b: b}
		v := reflect.ValueOf(out)
		if v.Kind() == reflect.Pointer && !v.IsNil() {
			e.open(1, wrapper)
			e.structure(op.Output, v.Elem(), 2)
			e.close(1, wrapper)
		}
	}
	b.WriteString("  <ResponseMetadata>\n    <RequestId>")
	b.WriteString(escape(requestID))
	b.WriteString("</RequestId>\n  </ResponseMetadata>\n</")
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

type encoder struct {
	b       *bytes.Buffer
	scratch [64]byte // where a number or timestamp is formatted before it is written
}

// The writers below write each piece into the buffer: concatenating a line first would
// allocate it.

func (e *encoder) indent(n int) {
	for range n {
		e.b.WriteString("  ")
	}
}

func (e *encoder) open(n int, name string) {
	e.indent(n)
	e.b.WriteByte('<')
	e.b.WriteString(name)
	e.b.WriteString(">\n")
}

func (e *encoder) close(n int, name string) {
	e.indent(n)
	e.b.WriteString("</")
	e.b.WriteString(name)
	e.b.WriteString(">\n")
}

func (e *encoder) leaf(n int, name, text string) {
	e.indent(n)
	e.b.WriteByte('<')
	e.b.WriteString(name)
	e.b.WriteByte('>')
	e.b.WriteString(escape(text))
	e.b.WriteString("</")
	e.b.WriteString(name)
	e.b.WriteString(">\n")
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
		e.open(depth, name)
		e.structure(sh, f.Elem(), depth+1)
		e.close(depth, name)
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
			e.indent(depth)
			e.b.WriteByte('<')
			e.b.WriteString(name)
			e.b.WriteString("/>\n")
			return
		}
		e.open(depth, name)
		for i := 0; i < f.Len(); i++ {
			e.element(sh.Member.Shape, f.Index(i), elem, depth+1)
		}
		e.close(depth, name)
	case "map":
		e.open(depth, name)
		keys := f.MapKeys()
		strs := make([]string, len(keys))
		for i, k := range keys {
			strs[i] = k.String()
		}
		sort.Strings(strs)
		for _, k := range strs {
			e.open(depth+1, "entry")
			e.leaf(depth+2, "key", k)
			e.element(sh.Value.Shape, f.MapIndex(reflect.ValueOf(k)), "value", depth+2)
			e.close(depth+1, "entry")
		}
		e.close(depth, name)
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
		e.open(depth, name)
		e.structure(sh, v, depth+1)
		e.close(depth, name)
	case "list", "map":
		e.member(&model.Member{Name: name, Shape: sh}, v, depth)
	default:
		e.scalar(depth, name, sh, v)
	}
}

// scalar writes a scalar leaf. Numbers, booleans and timestamps are appended in place (no
// text of their own to allocate, and nothing in them to escape); the rest go through leaf.
func (e *encoder) scalar(depth int, name string, sh *model.Shape, v reflect.Value) {
	var text []byte
	switch sh.Type {
	case "integer", "long":
		text = strconv.AppendInt(e.scratch[:0], v.Int(), 10)
	case "boolean":
		text = strconv.AppendBool(e.scratch[:0], v.Bool())
	case "timestamp":
		if v.CanAddr() {
			// Through a pointer, which an interface holds without copying the time.
			t := v.Addr().Interface().(*time.Time)
			text = t.UTC().AppendFormat(e.scratch[:0], "2006-01-02T15:04:05Z")
		}
	}
	if text == nil {
		e.leaf(depth, name, scalarText(sh, v))
		return
	}
	e.indent(depth)
	e.b.WriteByte('<')
	e.b.WriteString(name)
	e.b.WriteByte('>')
	e.b.Write(text)
	e.b.WriteString("</")
	e.b.WriteString(name)
	e.b.WriteString(">\n")
}

func scalarText(sh *model.Shape, v reflect.Value) string {
	switch sh.Type {
	case "integer", "long":
		return strconv.FormatInt(v.Int(), 10)
	case "double", "float":
		return strconv.FormatFloat(v.Float(), 'f', -1, v.Type().Bits()) // float32 as float32: 0.1, not 0.10000000149011612
	case "boolean":
		return strconv.FormatBool(v.Bool())
	case "timestamp":
		// Whole seconds, as IAM writes them (<CreateDate>2013-04-18T15:13:08Z</CreateDate> in the
		// goldens); smithy-go's time.FormatDateTime would add milliseconds when there are any.
		return v.Interface().(time.Time).UTC().Format("2006-01-02T15:04:05Z")
	case "blob":
		return base64.StdEncoding.EncodeToString(v.Bytes())
	}
	return v.String()
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
	if !strings.ContainsAny(s, "&<>\r") && xmlSafe(s) {
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
