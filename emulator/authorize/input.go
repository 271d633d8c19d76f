package authorize

import (
	"reflect"
)

// input reads members of a generated input struct by model name, without knowing its type:
// the authorizer maps every operation of three services from the same few member names.
type input struct{ v reflect.Value }

func newInput(in any) input {
	v := reflect.ValueOf(in)
	for v.IsValid() && v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return input{}
		}
		v = v.Elem()
	}
	return input{v: v}
}

func (i input) field(name string) reflect.Value {
	if !i.v.IsValid() || i.v.Kind() != reflect.Struct {
		return reflect.Value{}
	}
	return i.v.FieldByName(name)
}

// has reports whether the member exists in the input shape at all.
func (i input) has(name string) bool { return i.field(name).IsValid() }

// str returns a string member, "" when absent.
func (i input) str(name string) string {
	f := i.field(name)
	if !f.IsValid() {
		return ""
	}
	if f.Kind() == reflect.Pointer {
		if f.IsNil() {
			return ""
		}
		f = f.Elem()
	}
	if f.Kind() == reflect.String {
		return f.String()
	}
	return ""
}

// strs returns a list-of-strings member.
func (i input) strs(name string) []string {
	f := i.field(name)
	if !f.IsValid() || f.Kind() != reflect.Slice || f.Type().Elem().Kind() != reflect.String {
		return nil
	}
	out := make([]string, f.Len())
	for j := range out {
		out[j] = f.Index(j).String()
	}
	return out
}

// tags returns the request's tags from a Tags member, either a list of {Key, Value} structures
// (IAM, STS) or a string map (Lambda).
func (i input) tags() map[string]string {
	f := i.field("Tags")
	if !f.IsValid() {
		return nil
	}
	out := map[string]string{}
	switch f.Kind() {
	case reflect.Map:
		for _, k := range f.MapKeys() {
			out[k.String()] = f.MapIndex(k).String()
		}
	case reflect.Slice:
		for j := 0; j < f.Len(); j++ {
			t := input{v: f.Index(j)}
			out[t.str("Key")] = t.str("Value")
		}
	}
	return out
}

// tagContext fills aws:RequestTag/<k> and aws:TagKeys for the tags a request carries; Untag
// operations name keys only (TagKeys).
func tagContext(in input, ctx *map[string][]string) {
	tags := in.tags()
	var keys []string
	for k, v := range tags {
		put(ctx, "aws:RequestTag/"+k, []string{v})
		keys = append(keys, k)
	}
	keys = append(keys, in.strs("TagKeys")...)
	if len(keys) > 0 {
		put(ctx, "aws:TagKeys", keys)
	}
}

// put sets a condition key in a check's context, allocating the map on first use: most checks
// carry no operation-specific keys.
func put(ctx *map[string][]string, key string, values []string) {
	if *ctx == nil {
		*ctx = map[string][]string{}
	}
	(*ctx)[key] = values
}

// versionNumber reads an integer member (possibly a pointer).
func versionNumber(v reflect.Value) int64 {
	if v.Kind() == reflect.Pointer {
		v = v.Elem()
	}
	return v.Int()
}
