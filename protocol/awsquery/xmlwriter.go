package awsquery

import (
	"bytes"
	"encoding/base64"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/iamlocal/iamlocal/internal/timefmt"
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

// QueryXMLAppender is a generated output structure that writes its own members at depth,
// without reflection.
type QueryXMLAppender interface {
	AppendQueryXML(w *XMLWriter, depth int)
}

// Each line is put together in the buffer's free space, grown first to hold it, and written
// at once: numbers, timestamps and blobs are formatted into the line itself. A guess short
// of the line's length (a float's largest exponents) only costs the line a copy.

// line starts a line of n bytes after its indentation.
func (w *XMLWriter) line(depth, n int) []byte {
	w.buf().Grow(2*depth + n)
	return appendIndent(w.buf().AvailableBuffer(), depth)
}

// spaces covers the indentation of every depth the models reach in one append.
const spaces = "                                                                "

func appendIndent(dst []byte, depth int) []byte {
	for n := 2 * depth; n > 0; n -= len(spaces) {
		dst = append(dst, spaces[:min(n, len(spaces))]...)
	}
	return dst
}

// Open writes <name> on its own line.
func (w *XMLWriter) Open(depth int, name string) {
	b := append(w.line(depth, len(name)+3), '<')
	b = append(b, name...)
	w.buf().Write(append(b, ">\n"...))
}

// Close writes </name> on its own line.
func (w *XMLWriter) Close(depth int, name string) {
	w.end(w.line(depth, len(name)+4), name)
}

// Empty writes <name/>: an empty list.
func (w *XMLWriter) Empty(depth int, name string) {
	b := append(w.line(depth, len(name)+4), '<')
	b = append(b, name...)
	w.buf().Write(append(b, "/>\n"...))
}

// String writes a string or enum leaf, escaped.
func (w *XMLWriter) String(depth int, name, s string) {
	s = escape(s)
	w.end(append(w.start(depth, name, len(s)), s...), name)
}

// Int writes an integer or long leaf.
func (w *XMLWriter) Int(depth int, name string, v int64) {
	w.end(strconv.AppendInt(w.start(depth, name, 20), v, 10), name)
}

// Bool writes a boolean leaf.
func (w *XMLWriter) Bool(depth int, name string, v bool) {
	w.end(strconv.AppendBool(w.start(depth, name, 5), v), name)
}

// Time writes a timestamp leaf in whole seconds UTC, as IAM writes them
// (<CreateDate>2013-04-18T15:13:08Z</CreateDate> in the goldens); smithy-go's
// time.FormatDateTime would add milliseconds when there are any.
func (w *XMLWriter) Time(depth int, name string, t time.Time) {
	w.end(timefmt.AppendUTCSeconds(w.start(depth, name, 20), t), name)
}

// Float writes a double (bits 64) or float (bits 32) leaf: a float32 as float32, 0.1, not
// 0.10000000149011612.
func (w *XMLWriter) Float(depth int, name string, v float64, bits int) {
	w.end(strconv.AppendFloat(w.start(depth, name, 32), v, 'f', -1, bits), name)
}

// Blob writes a blob leaf, base64.
func (w *XMLWriter) Blob(depth int, name string, v []byte) {
	w.end(base64.StdEncoding.AppendEncode(w.start(depth, name, base64.StdEncoding.EncodedLen(len(v))), v), name)
}

// start begins a leaf line whose text is n bytes: the indentation and <name>.
func (w *XMLWriter) start(depth int, name string, n int) []byte {
	b := append(w.line(depth, 2*len(name)+6+n), '<')
	b = append(b, name...)
	return append(b, '>')
}

// end finishes line b with </name> and writes it.
func (w *XMLWriter) end(b []byte, name string) {
	b = append(b, "</"...)
	b = append(b, name...)
	w.buf().Write(append(b, ">\n"...))
}

// SortedKeys is a map's keys in the order a Query result writes its entries.
func SortedKeys[V any](m map[string]V) []string {
	return slices.Sorted(maps.Keys(m))
}
