package jsonshape_test

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
	"github.com/iamlocal/iamlocal/protocol/model"
)

func p[T any](v T) *T { return &v }

const synthModel = `{"shapes": {
  "Doc": {"type": "structure", "members": {
    "Name": {"shape": "S"}, "Count": {"shape": "I"}, "Big": {"shape": "L"}, "Ratio": {"shape": "D"},
    "Small": {"shape": "F"}, "On": {"shape": "B"}, "At": {"shape": "T"}, "Raw": {"shape": "Blob"},
    "Tags": {"shape": "Tags"}, "Grid": {"shape": "Grid"}, "Items": {"shape": "Items"}, "Child": {"shape": "Doc"},
    "Wire": {"shape": "S", "locationName": "wire_name"}, "Hdr": {"shape": "S", "location": "header", "locationName": "X-Hdr"},
    "Weights": {"shape": "Weights"}, "Times": {"shape": "Times"}}},
  "S": {"type": "string"}, "I": {"type": "integer"}, "L": {"type": "long"}, "D": {"type": "double"},
  "F": {"type": "float"}, "B": {"type": "boolean"}, "T": {"type": "timestamp"}, "Blob": {"type": "blob"},
  "Tags": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "S"}},
  "Weights": {"type": "map", "key": {"shape": "S"}, "value": {"shape": "D"}},
  "Grid": {"type": "list", "member": {"shape": "Row"}},
  "Row": {"type": "list", "member": {"shape": "I"}},
  "Items": {"type": "list", "member": {"shape": "Doc"}},
  "Times": {"type": "list", "member": {"shape": "T"}}
}}`

type doc struct {
	At      *time.Time
	Big     *int64
	Child   *doc
	Count   *int32
	Grid    [][]int32
	Hdr     *string
	Items   []doc
	Name    *string
	On      *bool
	Ratio   *float64
	Raw     []byte
	Small   *float32
	Tags    map[string]string
	Times   []time.Time
	Weights map[string]float64
	Wire    *string
}

func docShape(t *testing.T) *model.Shape {
	t.Helper()
	svc, err := model.Parse([]byte(synthModel))
	if err != nil {
		t.Fatal(err)
	}
	return svc.Shapes["Doc"]
}

func TestMarshal(t *testing.T) {
	t.Parallel()
	sh := docShape(t)
	at := time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)
	tests := []struct {
		name string
		in   any
		want string
	}{
		{"nil pointer", (*doc)(nil), `{}`},
		{"empty", &doc{}, `{}`},
		{"value not pointer", doc{Name: p("x")}, `{"Name":"x"}`},
		{"scalars in model order", &doc{Name: p("fn"), Count: p(int32(-3)), Big: p(int64(1) << 53), Ratio: p(0.1), Small: p(float32(0.5)),
			On: p(false), At: &at, Raw: []byte("hi\x00"), Hdr: p("not in body"), Wire: p("w")},
			`{"At":1704164645.678,"Big":9007199254740992,"Count":-3,"Name":"fn","On":false,"Ratio":0.1,"Raw":"aGkA","Small":0.5,"wire_name":"w"}`},
		{"whole-second timestamp", &doc{At: p(time.Unix(1700000000, 0))}, `{"At":1700000000}`},
		{"strings escaped as AWS does", &doc{Name: p("a<b>&\"c\"\\\n\u2028é😀")}, `{"Name":"a<b>&\"c\"\\\n\u2028é😀"}`},
		{"maps sorted, lists nested", &doc{Tags: map[string]string{"b": "2", "a": "1"}, Grid: [][]int32{{1, 2}, {}, nil}},
			`{"Grid":[[1,2],[],[]],"Tags":{"a":"1","b":"2"}}`},
		{"empty list and map present", &doc{Tags: map[string]string{}, Items: []doc{}}, `{"Items":[],"Tags":{}}`},
		{"nested structures", &doc{Child: &doc{Name: p("c"), Child: &doc{Count: p(int32(1))}}, Items: []doc{{Name: p("i1")}, {}}},
			`{"Child":{"Child":{"Count":1},"Name":"c"},"Items":[{"Name":"i1"},{}]}`},
		{"non-finite doubles become null", &doc{Ratio: p(math.Inf(1)), Weights: map[string]float64{"n": math.NaN(), "x": 1e21}},
			`{"Ratio":null,"Weights":{"n":null,"x":1e+21}}`},
		{"list of timestamps", &doc{Times: []time.Time{time.Unix(1, 5e8)}}, `{"Times":[1.5]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := string(jsonshape.Marshal(sh, tt.in))
			if got != tt.want {
				t.Errorf("Marshal\n got %s\nwant %s", got, tt.want)
			}
			if !json.Valid([]byte(got)) {
				t.Errorf("not valid JSON: %s", got)
			}
		})
	}
}

func TestUnmarshal(t *testing.T) {
	t.Parallel()
	sh := docShape(t)
	at := time.Date(2024, 1, 2, 3, 4, 5, 678e6, time.UTC)
	tests := []struct {
		name, in string
		want     doc
	}{
		{"empty body", "", doc{}},
		{"blank body", " \n", doc{}},
		{"empty object", "{}", doc{}},
		{"scalars", `{"Name":"fn","Count":-3,"Big":9007199254740993,"Ratio":0.1,"Small":0.5,"On":true,"At":1704164645.678,"Raw":"aGkA","wire_name":"w"}`,
			doc{Name: p("fn"), Count: p(int32(-3)), Big: p(int64(9007199254740993)), Ratio: p(0.1), Small: p(float32(0.5)), On: p(true), At: &at,
				Raw: []byte("hi\x00"), Wire: p("w")}},
		{"ISO timestamp", `{"At":"2024-01-02T05:04:05.678+02:00"}`, doc{At: &at}},
		{"integral double", `{"Ratio":2}`, doc{Ratio: p(2.0)}},
		// 1.001*1000 is 1000.9999999999999 in binary floating point: rounded, not truncated, to 1001 ms
		{"millisecond precision", `{"At":1.001}`, doc{At: p(time.UnixMilli(1001).UTC())}},
		{"nulls are absent", `{"Name":null,"Tags":null,"Child":null,"Items":[null]}`, doc{Items: []doc{{}}}},
		{"unknown and located keys ignored", `{"Nope":1,"Hdr":"x","X-Hdr":"y","Wire":"by model name"}`, doc{}},
		{"maps, nested lists, nested structures", `{"Tags":{"a":"1"},"Grid":[[1],[]],"Child":{"Child":{"Name":"gc"}},"Items":[{"Count":2}],"Weights":{"v":0.25}}`,
			doc{Tags: map[string]string{"a": "1"}, Grid: [][]int32{{1}, {}}, Child: &doc{Child: &doc{Name: p("gc")}},
				Items: []doc{{Count: p(int32(2))}}, Weights: map[string]float64{"v": 0.25}}},
		{"int32 bounds", `{"Count":-2147483648}`, doc{Count: p(int32(math.MinInt32))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var got doc
			if err := jsonshape.Unmarshal(sh, []byte(tt.in), &got); err != nil {
				t.Fatalf("Unmarshal: %v", err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Unmarshal(%s)\n got %+v\nwant %+v", tt.in, got, tt.want)
			}
		})
	}
}

func TestUnmarshalTypeErrors(t *testing.T) {
	t.Parallel()
	sh := docShape(t)
	tests := []struct{ in, path, want string }{
		{`[]`, "", "object"},
		{`"x"`, "", "object"},
		{`{"Name":1}`, "Name", "string"},
		{`{"Count":"1"}`, "Count", "number"},
		{`{"Count":2147483648}`, "Count", "integer"},
		{`{"Count":1.5}`, "Count", "integer"},
		{`{"Big":1e3}`, "Big", "long"},
		{`{"Big":9223372036854775808}`, "Big", "long"},
		{`{"Ratio":"0.1"}`, "Ratio", "number"},
		{`{"Ratio":1e400}`, "Ratio", "number"},
		{`{"On":"true"}`, "On", "boolean"},
		{`{"At":true}`, "At", "timestamp"},
		{`{"At":"yesterday"}`, "At", "timestamp"},
		{`{"At":1e300}`, "At", "timestamp"},
		{`{"At":-1e12}`, "At", "timestamp"},
		{`{"Raw":"not base64!"}`, "Raw", "base64 string"},
		{`{"Raw":[1,2]}`, "Raw", "base64 string"},
		{`{"Tags":[]}`, "Tags", "object"},
		{`{"Tags":{"a":1}}`, "Tags.a", "string"},
		{`{"Grid":{}}`, "Grid", "array"},
		{`{"Grid":[[1,"x"]]}`, "Grid[0][1]", "number"},
		{`{"Items":[{},{"Child":{"Count":"x"}}]}`, "Items[1].Child.Count", "number"},
		{`{"Child":[]}`, "Child", "object"},
		{`{"Times":[1,"no"]}`, "Times[1]", "timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			var got doc
			err := jsonshape.Unmarshal(sh, []byte(tt.in), &got)
			var te *jsonshape.TypeError
			if !errors.As(err, &te) {
				t.Fatalf("Unmarshal(%s) = %v, want *TypeError", tt.in, err)
			}
			if te.Path != tt.path || te.Want != tt.want {
				t.Errorf("TypeError = %+v, want path %q want %q", te, tt.path, tt.want)
			}
			if !strings.Contains(te.Error(), tt.want) {
				t.Errorf("Error() = %q", te.Error())
			}
		})
	}
}

func TestUnmarshalSyntaxErrors(t *testing.T) {
	t.Parallel()
	sh := docShape(t)
	for _, in := range []string{`{`, `{"Name":}`, `nul`, `{"a":1,}`, "\xff"} {
		var got doc
		err := jsonshape.Unmarshal(sh, []byte(in), &got)
		var te *jsonshape.TypeError
		if err == nil || errors.As(err, &te) {
			t.Errorf("Unmarshal(%q) = %v, want a syntax error", in, err)
		}
	}
}

// Round trip over real Lambda shapes: what Marshal writes, Unmarshal reads back identically.
func TestRoundTripLambda(t *testing.T) {
	t.Parallel()
	svc := lambdaapi.Model()
	in := &lambdaapi.CreateFunctionRequest{
		FunctionName: p("fn"), Role: p("arn:aws:iam::123456789012:role/r"), Runtime: p("python3.12"), Handler: p("h.main"),
		Code:          &lambdaapi.FunctionCode{ZipFile: []byte{0x50, 0x4b, 3, 4, 0xff}},
		Architectures: []string{"arm64"}, MemorySize: p(int32(256)), Publish: p(true),
		Environment: &lambdaapi.Environment{Variables: map[string]string{"A": "1", "B": "<&>"}},
		Tags:        map[string]string{}, Layers: []string{"arn:aws:lambda:us-east-1:123456789012:layer:l:1"},
		FileSystemConfigs: []lambdaapi.FileSystemConfig{{Arn: p("arn:efs"), LocalMountPath: p("/mnt/x")}},
		EphemeralStorage:  &lambdaapi.EphemeralStorage{Size: p(int32(1024))},
	}
	sh := svc.Shapes["CreateFunctionRequest"]
	raw := jsonshape.Marshal(sh, in)
	var back lambdaapi.CreateFunctionRequest
	if err := jsonshape.Unmarshal(sh, raw, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, in) {
		t.Errorf("round trip\n got %+v\nwant %+v\njson %s", back, *in, raw)
	}

	when := time.Date(2024, 6, 1, 12, 0, 0, 123e6, time.UTC)
	esm := &lambdaapi.EventSourceMappingConfiguration{UUID: p("u"), BatchSize: p(int32(10)), LastModified: &when,
		StartingPositionTimestamp: &when, FunctionResponseTypes: []string{"ReportBatchItemFailures"}}
	osh := svc.Shapes["EventSourceMappingConfiguration"]
	raw = jsonshape.Marshal(osh, esm)
	var esmBack lambdaapi.EventSourceMappingConfiguration
	if err := jsonshape.Unmarshal(osh, raw, &esmBack); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&esmBack, esm) {
		t.Errorf("round trip\n got %+v\nwant %+v\njson %s", esmBack, *esm, raw)
	}
}
