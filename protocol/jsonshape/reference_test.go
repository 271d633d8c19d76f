package jsonshape_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// referenceUnmarshal is Unmarshal as it was before it streamed: the whole document decoded into
// an any, then bound. The streaming decoder must accept, fill and fail exactly as it did.
func referenceUnmarshal(sh *model.Shape, data []byte, v any) error {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return err
	}
	return refValue(sh, doc, reflect.ValueOf(v).Elem(), "", true)
}

func refJoin(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func refValue(sh *model.Shape, doc any, v reflect.Value, path string, top bool) error {
	if doc == nil {
		return nil
	}
	if v.Kind() == reflect.Pointer && sh.Type != "blob" {
		nv := reflect.New(v.Type().Elem())
		if err := refValue(sh, doc, nv.Elem(), path, top); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	te := func(want string) error { return &jsonshape.TypeError{Path: path, Want: want} }
	switch sh.Type {
	case "structure":
		obj, ok := doc.(map[string]any)
		if !ok {
			return te("object")
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
				if err := refValue(m.Shape, raw, f, refJoin(path, m.WireName()), false); err != nil {
					return err
				}
			}
		}
	case "list":
		arr, ok := doc.([]any)
		if !ok {
			return te("array")
		}
		out := reflect.MakeSlice(v.Type(), len(arr), len(arr))
		for i, item := range arr {
			if err := refValue(sh.Member.Shape, item, out.Index(i), fmt.Sprintf("%s[%d]", path, i), false); err != nil {
				return err
			}
		}
		v.Set(out)
	case "map":
		obj, ok := doc.(map[string]any)
		if !ok {
			return te("object")
		}
		out := reflect.MakeMapWithSize(v.Type(), len(obj))
		for k, item := range obj {
			ev := reflect.New(v.Type().Elem()).Elem()
			if err := refValue(sh.Value.Shape, item, ev, refJoin(path, k), false); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
	case "integer", "long":
		n, ok := doc.(json.Number)
		if !ok {
			return te("number")
		}
		i, err := n.Int64()
		if err != nil || (sh.Type == "integer" && (i > math.MaxInt32 || i < math.MinInt32)) {
			return te(sh.Type)
		}
		v.SetInt(i)
	case "double", "float":
		n, ok := doc.(json.Number)
		if !ok {
			return te("number")
		}
		f, err := n.Float64()
		if err != nil {
			return te("number")
		}
		v.SetFloat(f)
	case "boolean":
		bv, ok := doc.(bool)
		if !ok {
			return te("boolean")
		}
		v.SetBool(bv)
	case "timestamp":
		switch t := doc.(type) {
		case json.Number:
			f, err := t.Float64()
			if err != nil || f < -62135596800 || f > 253402300799 {
				return te("timestamp")
			}
			v.Set(reflect.ValueOf(time.UnixMilli(int64(math.Round(f * 1000))).UTC()))
		case string:
			tm, err := time.Parse(time.RFC3339Nano, t)
			if err != nil {
				return te("timestamp")
			}
			v.Set(reflect.ValueOf(tm.UTC()))
		default:
			return te("timestamp")
		}
	case "blob":
		s, ok := doc.(string)
		if !ok {
			return te("base64 string")
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return te("base64 string")
		}
		v.SetBytes(raw)
	default:
		s, ok := doc.(string)
		if !ok {
			return te("string")
		}
		v.SetString(s)
	}
	return nil
}

// sameAsReference decodes data with both decoders into fresh targets and reports any
// difference in what they fill or how they fail. The reference binds maps in Go's random
// order, so with several bad map entries its error varies from run to run: the streaming
// decoder's must be one it can give.
func sameAsReference(sh *model.Shape, data []byte, newTarget func() any) error {
	got, want := newTarget(), newTarget()
	err, refErr := jsonshape.Unmarshal(sh, data, got), referenceUnmarshal(sh, data, want)
	switch {
	case (err == nil) != (refErr == nil):
		return fmt.Errorf("err %v, reference %v", err, refErr)
	case err == nil:
		if !reflect.DeepEqual(got, want) {
			return fmt.Errorf("filled\n %+v\nreference\n %+v", got, want)
		}
		return nil
	}
	got1 := fmt.Sprintf("%T %v", err, err)
	for i := 0; i < 64; i++ {
		if fmt.Sprintf("%T %v", refErr, refErr) == got1 {
			return nil
		}
		refErr = referenceUnmarshal(sh, data, newTarget())
	}
	return fmt.Errorf("err %s, reference %T %v", got1, refErr, refErr)
}

// referenceSeeds are the documents both decoders are held to in every test run, and the seeds
// of FuzzUnmarshalMatchesReference: each of the synthetic shape's types, and the corners of
// JSON a streaming scanner can get wrong.
var referenceSeeds = []string{
	``, ` `, "\u00a0", `null`, `{}`, `[]`, `"x"`, `1`, `true`,
	`{"Name":"fn","Count":-3,"Big":9007199254740993,"Ratio":0.1,"Small":0.5,"On":true,"At":1704164645.678,"Raw":"aGkA","wire_name":"w"}`,
	`{"At":"2024-01-02T05:04:05.678+02:00"}`, `{"At":1.001}`, `{"At":1e300}`, `{"At":true}`, `{"At":"x"}`,
	`{"Name":null,"Tags":null,"Child":null,"Items":[null]}`,
	`{"Nope":1,"Hdr":"x","X-Hdr":"y","Wire":"by model name"}`,
	`{"Tags":{"a":"1"},"Grid":[[1],[]],"Child":{"Child":{"Name":"gc"}},"Items":[{"Count":2}],"Weights":{"v":0.25}}`,
	`{"Count":"1","Name":1}`, `{"Name":1,"Count":"1"}`, `{"Count":2147483648}`, `{"Count":1.5}`, `{"Big":1e3}`,
	`{"Ratio":1e400}`, `{"Raw":"not base64!"}`, `{"Raw":"aGkA\n"}`, `{"Raw":"\u0061GkA"}`, `{"Raw":""}`,
	`{"Tags":{"a":1,"b":2}}`, `{"Tags":{"a":1,"a":"ok"}}`, `{"Tags":{"k":null}}`, `{"Grid":[[1,"x"]]}`,
	`{"Items":[{},{"Child":{"Count":"x"}}]}`, `{"Times":[1,"no"]}`,
	`{"Name":"first","Name":"last"}`, `{"Count":"bad","Count":1}`, `{"Count":1,"Count":"bad"}`,
	` { "Name" : "spaced" , "Count" : 1 } `, "{\"Name\"\t:\n\"tabs\"}",
	`{"N\u0061me":"escaped key","Tags":{"\u00e9":"v","a\"b":"q"}}`, `{"Name":"a\"b\\c\/d\u00e9\ud83d\ude00"}`,
	"{\"Name\":\"bad utf8 \xff\xfe\",\"Tags\":{\"\xff\":\"k\"}}", `{"Name":"\ud800 lone surrogate"}`,
	`{"Name":"x"} trailing`, `{"Name":"x"}{"Name":"y"}`, `12x`, `{"Count":1} ]`, `{"Count":1,}`, `{`, `{"Name":}`,
	`nul`, "\xff", `{"Child":{"Child":{"Child":{"Items":[{"Items":[{"Name":"deep"}]}]}}}}`,
	`{"Items":[{"Grid":[[1,2],[3]]},{"Tags":{"x":"y"}}],"On":false}`, `{"On":"true"}`, `{"Child":[]}`,
	`{"Weights":{"a":1e400,"b":"x"}}`, `{"Items":[1,{}]}`, `{"Grid":[null,[null,2]]}`,
	`{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `,"Name":"after deep unknown"}`,
	`{"a":[{"b":"}]\"{["}],"Name":"after tricky strings"}`,
}

func TestUnmarshalMatchesReference(t *testing.T) {
	t.Parallel()
	sh := docShape(t)
	for _, in := range referenceSeeds {
		if err := sameAsReference(sh, []byte(in), func() any { return new(doc) }); err != nil {
			t.Errorf("%q: %v", in, err)
		}
	}
}

// FuzzUnmarshalMatchesReference holds the streaming decoder to the tree decoder it replaced, on
// the synthetic shape (every type) and on Lambda's input shapes.
func FuzzUnmarshalMatchesReference(f *testing.F) {
	for i, seed := range referenceSeeds {
		f.Add(uint16(i), []byte(seed))
	}
	ops := lambdaapi.Operations(lambdaapi.Unimplemented{})
	sh := docShapeF(f)
	f.Fuzz(func(t *testing.T, pick uint16, data []byte) {
		target, newTarget := sh, func() any { return new(doc) }
		if pick%3 != 0 {
			op := ops[int(pick)%len(ops)]
			if op.Model.Input == nil {
				return
			}
			target, newTarget = op.Model.Input, op.NewInput
		}
		if err := sameAsReference(target, data, newTarget); err != nil {
			t.Fatalf("%q: %v", data, err)
		}
	})
}

func docShapeF(f *testing.F) *model.Shape {
	svc, err := model.Parse([]byte(synthModel))
	if err != nil {
		f.Fatal(err)
	}
	return svc.Shapes["Doc"]
}
