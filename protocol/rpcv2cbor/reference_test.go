package rpcv2cbor

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/api/cloudwatchapi"
	"github.com/iamlocal/iamlocal/protocol"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// The decoder as it was before it streamed: a tree of items decoded whole, then bound. It is the
// reference the streaming decoder is held to (TestDecodeMatchesReference,
// FuzzDecodeMatchesReference): the same inputs accepted, the same inputs filled, the same errors.

// refDecode is Decode as it was: it fills in (pointer to the operation's input struct) from a
// CBOR body. An empty body is an empty input.
func refDecode(c *Codec, op *model.Operation, body []byte, in any) error {
	if len(body) == 0 {
		return nil
	}
	v, err := refDecodeItem(body)
	if err != nil {
		return serialization(err.Error())
	}
	if op.Input == nil {
		if _, ok := v.(map[string]any); !ok && v != nil {
			return serialization("cbor: input: expected map")
		}
		return nil
	}
	if err := refBind(op.Input, v, in); err != nil {
		return serialization(err.Error())
	}
	return nil
}

// refTag is a tagged data item (major type 6); tag 1 carries an epoch-seconds timestamp.
type refTag struct {
	Number uint64
	Value  any
}

// refDecodeItem parses exactly one data item filling all of p.
func refDecodeItem(p []byte) (any, error) {
	d := &refDecoder{p: p}
	v, err := d.item(0)
	if err == errBreak {
		return nil, d.fail("unexpected break")
	}
	if err != nil {
		return nil, err
	}
	if d.off != len(p) {
		return nil, d.fail("trailing bytes after the data item")
	}
	return v, nil
}

type refDecoder struct {
	p   []byte
	off int
}

func (d *refDecoder) fail(msg string) error { return &SyntaxError{Offset: d.off, Msg: msg} }

// head reads an initial byte and its argument. indefinite reports additional information 31.
func (d *refDecoder) head() (major byte, info byte, arg uint64, indefinite bool, err error) {
	if d.off >= len(d.p) {
		return 0, 0, 0, false, d.fail("unexpected end of data")
	}
	b := d.p[d.off]
	d.off++
	major, info = b>>5, b&0x1f
	switch {
	case info < 24:
		return major, info, uint64(info), false, nil
	case info == 31:
		return major, info, 0, true, nil
	case info > 27:
		return 0, 0, 0, false, d.fail("reserved additional information")
	}
	n := 1 << (info - 24) // 1, 2, 4 or 8 bytes
	if len(d.p)-d.off < n {
		return 0, 0, 0, false, d.fail("unexpected end of data")
	}
	switch n {
	case 1:
		arg = uint64(d.p[d.off])
	case 2:
		arg = uint64(binary.BigEndian.Uint16(d.p[d.off:]))
	case 4:
		arg = uint64(binary.BigEndian.Uint32(d.p[d.off:]))
	default:
		arg = binary.BigEndian.Uint64(d.p[d.off:])
	}
	d.off += n
	return major, info, arg, false, nil
}

func (d *refDecoder) item(depth int) (any, error) {
	if depth > maxDepth {
		return nil, d.fail("nesting too deep")
	}
	start := d.off
	major, info, arg, indef, err := d.head()
	if err != nil {
		return nil, err
	}
	if indef && (major == majorUint || major == majorNeg || major == majorTag) {
		d.off = start
		return nil, d.fail("indefinite length not allowed for this major type")
	}
	switch major {
	case majorUint:
		return arg, nil
	case majorNeg:
		if arg > math.MaxInt64 {
			return nil, d.fail("negative integer out of range")
		}
		return -1 - int64(arg), nil
	case majorBytes, majorText:
		raw, err := d.str(major, arg, indef)
		if err != nil {
			return nil, err
		}
		if major == majorBytes {
			return raw, nil
		}
		if !utf8.Valid(raw) {
			return nil, d.fail("text string is not valid UTF-8")
		}
		return string(raw), nil
	case majorArray:
		if !indef && arg > uint64(len(d.p)-d.off) { // every element takes at least one byte
			return nil, d.fail("array length exceeds the data")
		}
		out := make([]any, 0, min(arg, 1024))
		for i := uint64(0); indef || i < arg; i++ {
			v, err := d.item(depth + 1)
			if err == errBreak && indef {
				return out, nil
			}
			if err != nil {
				return nil, d.breakErr(err)
			}
			out = append(out, v)
		}
		return out, nil
	case majorMap:
		if !indef && arg > uint64(len(d.p)-d.off)/2 {
			return nil, d.fail("map length exceeds the data")
		}
		out := make(map[string]any, min(arg, 1024))
		for i := uint64(0); indef || i < arg; i++ {
			keyAt := d.off
			k, err := d.item(depth + 1)
			if err == errBreak && indef {
				return out, nil
			}
			if err != nil {
				return nil, d.breakErr(err)
			}
			ks, ok := k.(string)
			if !ok {
				return nil, &SyntaxError{Offset: keyAt, Msg: "map key is not a text string"}
			}
			v, err := d.item(depth + 1)
			if err != nil {
				return nil, d.breakErr(err)
			}
			out[ks] = v
		}
		return out, nil
	case majorTag:
		v, err := d.item(depth + 1)
		if err != nil {
			return nil, d.breakErr(err)
		}
		return refTag{Number: arg, Value: v}, nil
	}
	// major 7: simple values and floats
	switch info {
	case 20:
		return false, nil
	case 21:
		return true, nil
	case 22, 23:
		return nil, nil
	case 25:
		return float64(halfToFloat(uint16(arg))), nil
	case 26:
		return float64(math.Float32frombits(uint32(arg))), nil
	case 27:
		return math.Float64frombits(arg), nil
	case 31:
		return nil, errBreak
	}
	d.off = start
	return nil, d.fail("unsupported simple value")
}

// breakErr turns a stray break inside a definite container into a syntax error.
func (d *refDecoder) breakErr(err error) error {
	if err == errBreak {
		return d.fail("unexpected break")
	}
	return err
}

// str reads a byte or text string; an indefinite one is a series of definite chunks of the
// same major type ended by a break.
func (d *refDecoder) str(major byte, n uint64, indef bool) ([]byte, error) {
	if !indef {
		if n > uint64(len(d.p)-d.off) {
			return nil, d.fail("string length exceeds the data")
		}
		out := append([]byte(nil), d.p[d.off:d.off+int(n)]...)
		d.off += int(n)
		return out, nil
	}
	var out []byte
	for {
		if d.off < len(d.p) && d.p[d.off] == 0xff {
			d.off++
			if out == nil {
				out = []byte{}
			}
			return out, nil
		}
		m, _, cn, cindef, err := d.head()
		if err != nil {
			return nil, err
		}
		if m != major || cindef {
			return nil, d.fail("bad chunk in an indefinite-length string")
		}
		chunk, err := d.str(major, cn, false)
		if err != nil {
			return nil, err
		}
		out = append(out, chunk...)
	}
}

// refBind fills v (pointer to a generated struct of shape sh) from a decoded data item. Unknown
// keys are ignored and nulls are absent values, as for JSON.
func refBind(sh *model.Shape, item any, v any) error {
	return refBindValue(sh, item, reflect.ValueOf(v).Elem(), "")
}

func refBindValue(sh *model.Shape, item any, v reflect.Value, path string) error {
	if item == nil {
		return nil
	}
	if v.Kind() == reflect.Pointer && sh.Type != "blob" {
		nv := reflect.New(v.Type().Elem())
		if err := refBindValue(sh, item, nv.Elem(), path); err != nil {
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
				if err := refBindValue(mem.Shape, raw, f, refJoin(path, mem.WireName())); err != nil {
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
			if err := refBindValue(sh.Member.Shape, it, ev, path+"["+strconv.Itoa(i)+"]"); err != nil {
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
			if err := refBindValue(sh.Value.Shape, it, ev, refJoin(path, k)); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
	case "integer", "long":
		n, ok := refAsInt(item)
		if !ok || (sh.Type == "integer" && (n > math.MaxInt32 || n < math.MinInt32)) {
			return &TypeError{path, sh.Type}
		}
		v.SetInt(n)
	case "double", "float":
		f, ok := refAsFloat(item)
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
		t, ok := item.(refTag)
		if !ok || t.Number != 1 {
			return &TypeError{path, "timestamp (tag 1)"}
		}
		f, ok := refAsFloat(t.Value)
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

func refAsInt(item any) (int64, bool) {
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

func refAsFloat(item any) (float64, bool) {
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

func refJoin(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// sameAsReference decodes body with both decoders into fresh inputs of op and reports any
// difference in what they fill or how they fail. The reference binds maps in Go's random order,
// so with several bad map entries its error varies from run to run: the streaming decoder's
// must be one it can give.
func sameAsReference(c *Codec, op *model.Operation, newIn func() any, body []byte) error {
	got, want := newIn(), newIn()
	err, refErr := c.Decode(op, body, got), refDecode(c, op, body, want)
	switch {
	case (err == nil) != (refErr == nil):
		return fmt.Errorf("err %v, reference %v", err, refErr)
	case err == nil:
		// NaN is not DeepEqual to itself; the encoding shows any other difference, nil and empty
		// lists included.
		if !reflect.DeepEqual(got, want) && !bytes.Equal(Marshal(op.Input, got), Marshal(op.Input, want)) {
			return fmt.Errorf("filled\n %+v\nreference\n %+v", got, want)
		}
		return nil
	}
	for i := 0; i < 64; i++ {
		if refErr.Error() == err.Error() {
			return nil
		}
		refErr = refDecode(c, op, body, newIn())
	}
	return fmt.Errorf("err %v, reference %v", err, refErr)
}

// referenceSeeds (hex) are the bodies both decoders are held to in every test run, and the
// seeds of FuzzDecodeMatchesReference: the forms the SDKs send and the corners of CBOR a walker
// can get wrong.
var referenceSeeds = []string{
	sdkGetMetricStatistics, "", "a0", "bfff", "f6", "f7", "80", "01", "c1fb0000000000000000",
	"a1694e616d65737061636563417070",                       // {"Namespace":"App"}
	"bf694e616d6573706163657f6241706170ffff",               // chunked text
	"a1694e616d6573706163657f62c3a962c3a9ff",               // chunked text, é whole in each chunk
	"a1694e616d6573706163657f61c361a9ff",                   // chunked text, é split across chunks
	"a1694e616d65737061636561ff",                           // invalid UTF-8
	"a2694e616d6573706163650a694e616d657370616365634170",   // duplicate key: bad, then good
	"a2694e616d65737061636563417070694e616d6573706163650a", // duplicate key: good, then bad
	"a1694e616d657370616365f6", "a1694e616d6573706163650a", "a10101", "a1694e616d657370", "a000",
	"9bffffffffffffffff", "ff", "1c", "3bffffffffffffffff", "5f4161ff", "5fff", "7f6161ff", "5f6161ff",
	"f818", "f0", "c1", "d9d9f7a0", "9f", "bf61", "a1", "a1614e", "fa3fc00000", "f93c00", "fb7ff8000000000000",
}

// seedBodies adds bodies built with the encoder to the hand-written seeds.
func seedBodies(t testing.TB) [][]byte {
	var out [][]byte
	for _, h := range referenceSeeds {
		b, err := hex.DecodeString(h)
		if err != nil {
			t.Fatalf("seed %s: %v", h, err)
		}
		out = append(out, b)
	}
	pmd := cloudwatchapi.Model().Operations["PutMetricData"].Input
	out = append(out, Marshal(pmd, &cloudwatchapi.PutMetricDataInput{Namespace: protocol.Ptr("App"), MetricData: []cloudwatchapi.MetricDatum{{
		MetricName: protocol.Ptr("Latency"), Values: []float64{1.5, -2, math.MaxFloat64}, Counts: []float64{1, 2, 3},
		Timestamp: protocol.Ptr(time.UnixMilli(1700000000123).UTC()), StorageResolution: protocol.Ptr(int32(1)),
		Dimensions: []cloudwatchapi.Dimension{{Name: protocol.Ptr("Host"), Value: protocol.Ptr("a")}}}}}))
	return out
}

// cloudwatchOps are the operations the fuzz target and the seed test pick from: all of
// CloudWatch's, those without input included.
func cloudwatchOps() []protocol.Operation {
	return cloudwatchapi.Operations(cloudwatchapi.Unimplemented{})
}

func TestDecodeMatchesReference(t *testing.T) {
	t.Parallel()
	c := codec()
	for _, body := range seedBodies(t) {
		for _, op := range cloudwatchOps() {
			if err := sameAsReference(c, op.Model, op.NewInput, body); err != nil {
				t.Errorf("%s %x: %v", op.Name(), body, err)
			}
		}
	}
}

// FuzzDecodeMatchesReference holds the streaming decoder to the tree decoder it replaced, on
// every CloudWatch input.
func FuzzDecodeMatchesReference(f *testing.F) {
	for i, body := range seedBodies(f) {
		f.Add(body, uint8(i))
	}
	c := codec()
	ops := cloudwatchOps()
	f.Fuzz(func(t *testing.T, body []byte, which uint8) {
		op := ops[int(which)%len(ops)]
		if err := sameAsReference(c, op.Model, op.NewInput, body); err != nil {
			t.Fatalf("%s %x: %v", op.Name(), body, err)
		}
	})
}
