package jsonshape_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	smithyjson "github.com/aws/smithy-go/encoding/json"

	"github.com/iamlocal/iamlocal/api/lambdaapi"
	"github.com/iamlocal/iamlocal/protocol/jsonshape"
)

// FuzzJSONShape decodes random JSON into random Lambda input shapes: it never panics, a failure on
// valid JSON is always a *TypeError, and what decodes re-encodes to a fixed point.
func FuzzJSONShape(f *testing.F) {
	ops := lambdaapi.Operations(lambdaapi.Unimplemented{})
	for i, seed := range []string{
		`{}`, `[]`, `null`, `{"FunctionName":"f","Role":"r","Code":{"ZipFile":"UEsDBA=="}}`,
		`{"Environment":{"Variables":{"A":"1"}},"Architectures":["arm64"],"MemorySize":128}`,
		`{"RoutingConfig":{"AdditionalVersionWeights":{"2":0.5}}}`,
		`{"StartingPositionTimestamp":1.001,"BatchSize":2147483648}`,
		`{"FilterCriteria":{"Filters":[{"Pattern":"{}"}]},"DestinationConfig":{"OnFailure":{"Destination":"arn"}}}`,
		`{"Tags":{"k":null},"Layers":[null,"x"]}`, `{"Cors":{"AllowMethods":["GET"],"MaxAge":1e2}}`,
		`{"a":` + string(bytes.Repeat([]byte("["), 100)), "\"\xff\"",
	} {
		f.Add(uint16(i*7), []byte(seed))
	}
	f.Fuzz(func(t *testing.T, pick uint16, data []byte) {
		op := ops[int(pick)%len(ops)]
		if op.Model.Input == nil {
			return
		}
		sh := op.Model.Input
		in := op.NewInput()
		err := jsonshape.Unmarshal(sh, data, in)
		if err != nil {
			var te *jsonshape.TypeError
			if !errors.As(err, &te) && json.Valid(data) {
				t.Fatalf("%s: valid JSON %q failed with %T %v", op.Name(), data, err, err)
			}
			return
		}
		first := jsonshape.Marshal(sh, in)
		if !json.Valid(first) {
			t.Fatalf("%s: Marshal wrote invalid JSON %q", op.Name(), first)
		}
		again := op.NewInput()
		if err := jsonshape.Unmarshal(sh, first, again); err != nil {
			t.Fatalf("%s: re-reading our own %q: %v", op.Name(), first, err)
		}
		if second := jsonshape.Marshal(sh, again); !bytes.Equal(first, second) {
			t.Fatalf("%s: not a fixed point:\n%s\n%s", op.Name(), first, second)
		}
	})
}

// FuzzAppendString: every string becomes valid JSON that reads back as itself (when it is valid
// UTF-8), and the bytes are smithy-go's for any string without \b or \f, the two characters
// smithy-go escapes differently (\u0008, \u000c) and why AppendString exists.
func FuzzAppendString(f *testing.F) {
	for _, seed := range []string{"", "abc", "<a&b>", "\"\\", "\b\f\n\r\t\x00", "\u2028\u2029\x7f", "\xff\xc3", "日本"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := jsonshape.AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("AppendString(%q) = %s: invalid JSON: %v", s, got, err)
		}
		if utf8.ValidString(s) && back != s {
			t.Fatalf("AppendString(%q) = %s reads back as %q", s, got, back)
		}
		if strings.ContainsAny(s, "\b\f") {
			return
		}
		enc := smithyjson.NewEncoder()
		enc.Value.String(s)
		if !bytes.Equal(got, enc.Bytes()) {
			t.Fatalf("AppendString(%q) = %s, smithy-go writes %s", s, got, enc.Bytes())
		}
	})
}
