package awsquery_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"time"

	"github.com/iamlocal/iamlocal/api/iamapi"
	"github.com/iamlocal/iamlocal/api/stsapi"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// dump renders a decoded struct readably (pointers followed) for failure messages.
func dump(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return err.Error()
	}
	return string(b)
}

var handlerTypes = []reflect.Type{
	reflect.TypeFor[iamapi.Handler](),
	reflect.TypeFor[stsapi.Handler](),
}

// outputType is the generated output struct type (not pointer) of the named operation.
func outputType(op string) reflect.Type {
	for _, h := range handlerTypes {
		if m, ok := h.MethodByName(op); ok {
			return m.Type.Out(0).Elem()
		}
	}
	panic("no handler method " + op)
}

var sampleTime = time.Date(2024, 2, 29, 23, 59, 58, 0, time.UTC)

// fill returns a pointer to a value of type typ whose every member, at any depth up to a small
// bound, is set to a sample value of its shape.
func fill(sh *model.Shape, typ reflect.Type) any {
	v := reflect.New(typ)
	fillValue(sh, v.Elem(), sh.Name, 0)
	return v.Interface()
}

func fillValue(sh *model.Shape, v reflect.Value, label string, depth int) {
	if v.Kind() == reflect.Pointer {
		nv := reflect.New(v.Type().Elem())
		fillValue(sh, nv.Elem(), label, depth)
		v.Set(nv)
		return
	}
	switch sh.Type {
	case "structure":
		if depth > 4 {
			return
		}
		for _, m := range sh.Members {
			if f := v.FieldByName(m.GoName); f.IsValid() {
				fillValue(m.Shape, f, m.Name, depth+1)
			}
		}
	case "list":
		if v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Uint8 { // blob
			v.SetBytes([]byte("blob-" + label))
			return
		}
		out := reflect.MakeSlice(v.Type(), 2, 2)
		for i := 0; i < 2; i++ {
			fillValue(sh.Member.Shape, out.Index(i), fmt.Sprintf("%s%d", label, i+1), depth+1)
		}
		v.Set(out)
	case "map":
		out := reflect.MakeMap(v.Type())
		keys := []string{"k1", "k2"}
		if len(sh.Key.Shape.Enum) >= 2 {
			keys = sh.Key.Shape.Enum[:2]
		}
		for _, k := range keys {
			ev := reflect.New(v.Type().Elem()).Elem()
			fillValue(sh.Value.Shape, ev, k, depth+1)
			out.SetMapIndex(reflect.ValueOf(k), ev)
		}
		v.Set(out)
	case "integer", "long":
		v.SetInt(int64(len(label)))
	case "double", "float":
		v.SetFloat(float64(len(label)) + 0.5)
	case "boolean":
		v.SetBool(len(label)%2 == 0)
	case "timestamp":
		v.Set(reflect.ValueOf(sampleTime.Add(time.Duration(len(label)) * time.Hour)))
	case "blob":
		v.SetBytes([]byte("blob-" + label))
	default:
		s := "v-" + label
		if len(sh.Enum) > 0 {
			s = sh.Enum[len(label)%len(sh.Enum)]
		}
		v.SetString(s)
	}
}
