// Package awsquery is the AWS Query protocol codec (IAM, STS): form-encoded requests decoded into
// the generated input structs, XML responses and <ErrorResponse> errors.
package awsquery

import (
	"encoding/base64"
	"fmt"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/iamlocal/iamlocal/protocol/awserr"
	"github.com/iamlocal/iamlocal/protocol/model"
)

// Decode fills in (a pointer to a generated struct of shape sh) from form parameters.
// Parameters the model does not know are ignored, as AWS ignores them.
func Decode(sh *model.Shape, params map[string][]string, in any) error {
	if sh == nil {
		return nil
	}
	d := decoder{params: params}
	return d.structure(sh, reflect.ValueOf(in).Elem(), "")
}

type decoder struct {
	params map[string][]string
}

func (d *decoder) get(key string) (string, bool) {
	v, ok := d.params[key]
	if !ok || len(v) == 0 {
		return "", false
	}
	return v[0], true
}

// hasPrefix reports whether any parameter lies under prefix (a nested structure or list).
func (d *decoder) hasPrefix(prefix string) bool {
	for k := range d.params {
		if strings.HasPrefix(k, prefix) {
			return true
		}
	}
	return false
}

func (d *decoder) structure(sh *model.Shape, v reflect.Value, prefix string) error {
	for _, m := range sh.Members {
		f := m.Field(v)
		if !f.IsValid() {
			continue
		}
		if err := d.member(m, f, prefix+m.WireName()); err != nil {
			return err
		}
	}
	return nil
}

func (d *decoder) member(m *model.Member, f reflect.Value, key string) error {
	sh := m.Shape
	switch sh.Type {
	case "structure":
		if !d.hasPrefix(key + ".") {
			return nil
		}
		nv := reflect.New(f.Type().Elem())
		if err := d.structure(sh, nv.Elem(), key+"."); err != nil {
			return err
		}
		f.Set(nv)
	case "list":
		return d.list(m, f, key)
	case "map":
		return d.mapValue(m, f, key)
	default:
		raw, ok := d.get(key)
		if !ok {
			return nil
		}
		val, err := scalar(sh, raw, key)
		if err != nil {
			return err
		}
		if f.Kind() == reflect.Slice { // blob
			f.Set(val)
			return nil
		}
		p := reflect.New(f.Type().Elem())
		p.Elem().Set(val.Convert(f.Type().Elem()))
		f.Set(p)
	}
	return nil
}

func (d *decoder) list(m *model.Member, f reflect.Value, key string) error {
	elemName := "member"
	if m.Shape.Member.LocationName != "" {
		elemName = m.Shape.Member.LocationName
	}
	base := key + "." + elemName + "."
	if m.Flattened {
		base = key + "."
	}
	// An empty list is sent as "Key=" with no members; AWS treats it as present and empty.
	if _, ok := d.get(key); ok && !d.hasPrefix(base) {
		f.Set(reflect.MakeSlice(f.Type(), 0, 0))
		return nil
	}
	idx := d.indexes(base)
	if len(idx) == 0 {
		return nil
	}
	out := reflect.MakeSlice(f.Type(), 0, len(idx))
	for _, i := range idx {
		ek := base + strconv.Itoa(i)
		ev := reflect.New(f.Type().Elem()).Elem()
		if err := d.element(m.Shape.Member.Shape, ev, ek); err != nil {
			return err
		}
		out = reflect.Append(out, ev)
	}
	f.Set(out)
	return nil
}

func (d *decoder) mapValue(m *model.Member, f reflect.Value, key string) error {
	keyName, valName := "key", "value"
	if m.Shape.Key.LocationName != "" {
		keyName = m.Shape.Key.LocationName
	}
	if m.Shape.Value.LocationName != "" {
		valName = m.Shape.Value.LocationName
	}
	base := key + ".entry."
	if m.Flattened {
		base = key + "."
	}
	idx := d.indexes(base)
	if len(idx) == 0 {
		return nil
	}
	out := reflect.MakeMapWithSize(f.Type(), len(idx))
	for _, i := range idx {
		ek := base + strconv.Itoa(i) + "."
		k, ok := d.get(ek + keyName)
		if !ok {
			continue
		}
		ev := reflect.New(f.Type().Elem()).Elem()
		if err := d.element(m.Shape.Value.Shape, ev, ek+valName); err != nil {
			return err
		}
		out.SetMapIndex(reflect.ValueOf(k), ev)
	}
	f.Set(out)
	return nil
}

// element decodes a list element or map value, which are stored by value, not by pointer.
func (d *decoder) element(sh *model.Shape, ev reflect.Value, key string) error {
	switch sh.Type {
	case "structure":
		return d.structure(sh, ev, key+".")
	case "list", "map":
		return d.member(&model.Member{Shape: sh}, ev, key)
	}
	raw, _ := d.get(key)
	val, err := scalar(sh, raw, key)
	if err != nil {
		return err
	}
	ev.Set(val.Convert(ev.Type()))
	return nil
}

// indexes returns the sorted distinct N of "base N ..." keys.
func (d *decoder) indexes(base string) []int {
	seen := map[int]bool{}
	for k := range d.params {
		if !strings.HasPrefix(k, base) {
			continue
		}
		rest := k[len(base):]
		if dot := strings.IndexByte(rest, '.'); dot >= 0 {
			rest = rest[:dot]
		}
		// Only canonical decimal indexes count: "01" or "+2" would name keys that are never read
		// back (the element is looked up as base+Itoa(n)) and yield phantom empty elements.
		if n, err := strconv.Atoi(rest); err == nil && n > 0 && strconv.Itoa(n) == rest {
			seen[n] = true
		}
	}
	out := make([]int, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Ints(out)
	return out
}

// scalar parses one form value per its shape type.
func scalar(sh *model.Shape, raw, key string) (reflect.Value, error) {
	bad := func(what string) error {
		return awserr.New("MalformedInput", 400, true, "Invalid %s value '%s' for parameter %s", what, raw, key)
	}
	switch sh.Type {
	case "integer":
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 32)
		if err != nil {
			return reflect.Value{}, bad("integer")
		}
		return reflect.ValueOf(int32(n)), nil
	case "long":
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return reflect.Value{}, bad("long")
		}
		return reflect.ValueOf(n), nil
	case "double", "float":
		n, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return reflect.Value{}, bad("double")
		}
		return reflect.ValueOf(n), nil
	case "boolean":
		switch strings.ToLower(strings.TrimSpace(raw)) {
		case "true":
			return reflect.ValueOf(true), nil
		case "false":
			return reflect.ValueOf(false), nil
		}
		return reflect.Value{}, bad("boolean")
	case "timestamp":
		t, err := parseTime(raw)
		if err != nil {
			return reflect.Value{}, bad("timestamp")
		}
		return reflect.ValueOf(t), nil
	case "blob":
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return reflect.Value{}, bad("blob")
		}
		return reflect.ValueOf(b), nil
	}
	return reflect.ValueOf(raw), nil
}

func parseTime(raw string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, raw); err == nil {
			return t.UTC(), nil
		}
	}
	if n, err := strconv.ParseFloat(raw, 64); err == nil {
		return time.Unix(int64(n), 0).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("bad time %q", raw)
}
