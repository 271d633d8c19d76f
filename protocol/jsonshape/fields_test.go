package jsonshape_test

import (
	"math"
	"testing"

	"github.com/iamlocal/iamlocal/protocol/jsonshape"
)

// The exact bytes of JSON strings as AWS's Java services (Jackson) and encoding/json write them.
func TestAppendString(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, dst, in, want string
	}{
		{"plain", "", "abc", `"abc"`},
		{"empty", "", "", `""`},
		{"html characters stay", "", "no <dashboard> & more", `"no <dashboard> & more"`},
		{"quote and backslash", "", `a"b\c`, `"a\"b\\c"`},
		{"short escapes, \b and \f included", "", "\b\f\n\r\t", `"\b\f\n\r\t"`},
		{"other control characters", "", "\x00\x1f", `"\u0000\u001f"`},
		{"DEL and non-ASCII stay", "", "\x7fé日", "\"\x7fé日\""},
		{"line and paragraph separators", "", "\u2028\u2029", `"\u2028\u2029"`},
		{"invalid UTF-8", "", "a\xffb", `"a\ufffdb"`},
		{"appends to dst", `{"k":`, "v", `{"k":"v"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(jsonshape.AppendString([]byte(tt.dst), tt.in)); got != tt.want {
				t.Errorf("AppendString(%q, %q) = %s, want %s", tt.dst, tt.in, got, tt.want)
			}
		})
	}
}

// The error bodies of the JSON protocols: keys sorted, strings as AppendString writes them.
func TestMarshalFields(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		fields map[string]any
		want   string
	}{
		{"nil", nil, `{}`},
		{"keys sorted, capitals first", map[string]any{"message": "m", "Type": "User", "Reason": "R"},
			`{"Reason":"R","Type":"User","message":"m"}`},
		{"message echoing client input", map[string]any{"message": "Value '<a&b>\b' at 'name' failed"},
			`{"message":"Value '<a&b>\b' at 'name' failed"}`},
		{"integers", map[string]any{"a": 3, "b": int32(-4), "c": int64(math.MaxInt64)},
			`{"a":3,"b":-4,"c":9223372036854775807}`},
		{"other values through encoding/json", map[string]any{"b": true, "f": 1.5, "l": []string{"<x>"}},
			`{"b":true,"f":1.5,"l":["\u003cx\u003e"]}`},
		{"no JSON form: quoted text", map[string]any{"nan": math.NaN()}, `{"nan":"NaN"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := string(jsonshape.MarshalFields(tt.fields)); got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
