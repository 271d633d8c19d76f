package awsquery

import (
	"bytes"
	"encoding/base64"
	"maps"
	"slices"
	"strconv"
	"time"
)

// XMLWriter writes the indented elements of a Query result into a buffer. The reflective
// encoder and the generated AppendQueryXML methods (api/*/queryxml.go) both write through
// it, so the two agree byte for byte. Each piece is written into the buffer: concatenating a
// line first would allocate it. It is the buffer itself, so making one allocates nothing
// even when it is handed to a method through an interface.
type XMLWriter bytes.Buffer

// NewXMLWriter writes into b.
func NewXMLWriter(b *bytes.Buffer) *XMLWriter { return (*XMLWriter)(b) }

func (w *XMLWriter) buf() *bytes.Buffer { return (*bytes.Buffer)(w) }

// scratch is the buffer's free space, at least n bytes of it, where a number, timestamp or
// blob is formatted in place before it is written.
func (w *XMLWriter) scratch(n int) []byte {
	w.buf().Grow(n)
	return w.buf().AvailableBuffer()
}

// scratchSize holds any integer, boolean, timestamp or shortest float but the largest
// exponents, which grow the buffer as they are written.
const scratchSize = 64

// QueryXMLAppender is a generated output structure that writes its own members at depth,
// without reflection.
type QueryXMLAppender interface {
	AppendQueryXML(w *XMLWriter, depth int)
}

// spaces covers the indentation of every depth the models reach in one write.
const spaces = "                                                                "

func (w *XMLWriter) indent(depth int) {
	for n := 2 * depth; n > 0; n -= len(spaces) {
		w.buf().WriteString(spaces[:min(n, len(spaces))])
	}
}

// Open writes <name> on its own line.
func (w *XMLWriter) Open(depth int, name string) {
	w.start(depth, name)
	w.buf().WriteByte('\n')
}

// Close writes </name> on its own line.
func (w *XMLWriter) Close(depth int, name string) {
	w.indent(depth)
	w.end(name)
}

// Empty writes <name/>: an empty list.
func (w *XMLWriter) Empty(depth int, name string) {
	w.indent(depth)
	w.buf().WriteByte('<')
	w.buf().WriteString(name)
	w.buf().WriteString("/>\n")
}

// String writes a string or enum leaf, escaped.
func (w *XMLWriter) String(depth int, name, s string) {
	w.start(depth, name)
	w.buf().WriteString(escape(s))
	w.end(name)
}

// Int writes an integer or long leaf.
func (w *XMLWriter) Int(depth int, name string, v int64) {
	w.start(depth, name)
	w.buf().Write(strconv.AppendInt(w.scratch(scratchSize), v, 10))
	w.end(name)
}

// Bool writes a boolean leaf.
func (w *XMLWriter) Bool(depth int, name string, v bool) {
	w.start(depth, name)
	w.buf().Write(strconv.AppendBool(w.scratch(scratchSize), v))
	w.end(name)
}

// Time writes a timestamp leaf in whole seconds UTC, as IAM writes them
// (<CreateDate>2013-04-18T15:13:08Z</CreateDate> in the goldens); smithy-go's
// time.FormatDateTime would add milliseconds when there are any.
func (w *XMLWriter) Time(depth int, name string, t time.Time) {
	w.start(depth, name)
	w.buf().Write(t.UTC().AppendFormat(w.scratch(scratchSize), "2006-01-02T15:04:05Z"))
	w.end(name)
}

// Float writes a double (bits 64) or float (bits 32) leaf: a float32 as float32, 0.1, not
// 0.10000000149011612.
func (w *XMLWriter) Float(depth int, name string, v float64, bits int) {
	w.start(depth, name)
	w.buf().Write(strconv.AppendFloat(w.scratch(scratchSize), v, 'f', -1, bits))
	w.end(name)
}

// Blob writes a blob leaf, base64.
func (w *XMLWriter) Blob(depth int, name string, v []byte) {
	w.start(depth, name)
	w.buf().Write(base64.StdEncoding.AppendEncode(w.scratch(base64.StdEncoding.EncodedLen(len(v))), v))
	w.end(name)
}

// start and end enclose a leaf. A leaf's text is formatted after start, in the space the
// buffer has left, which start would overwrite.
func (w *XMLWriter) start(depth int, name string) {
	w.indent(depth)
	w.buf().WriteByte('<')
	w.buf().WriteString(name)
	w.buf().WriteByte('>')
}

func (w *XMLWriter) end(name string) {
	w.buf().WriteString("</")
	w.buf().WriteString(name)
	w.buf().WriteString(">\n")
}

// SortedKeys is a map's keys in the order a Query result writes its entries.
func SortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
