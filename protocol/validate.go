package protocol

import (
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// Violation is one model constraint that an input breaks, phrased as AWS phrases it.
type Violation struct {
	Path  string // camelCase member path: userName, tags.1.member.key
	Value string
	Text  string // "Member must have length less than or equal to 64"
}

// Validate checks v (a pointer to a generated struct) against its shape's constraints and returns
// the violations in AWS's order (members sorted by name). Missing required members come first, as
// AWS reports them, with a null value.
func Validate(sh *model.Shape, v any) []Violation {
	var out []Violation
	validateValue(sh, reflect.ValueOf(v), "", &out)
	return out
}

// ValidationMessage renders violations in AWS's "N validation error(s) detected: ..." form.
func ValidationMessage(vs []Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		parts[i] = fmt.Sprintf("Value %s at '%s' failed to satisfy constraint: %s", v.Value, v.Path, v.Text)
	}
	noun := "errors"
	if len(vs) == 1 {
		noun = "error"
	}
	return fmt.Sprintf("%d validation %s detected: %s", len(vs), noun, strings.Join(parts, "; "))
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

func validateValue(sh *model.Shape, v reflect.Value, path string, out *[]Violation) {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	switch sh.Type {
	case "structure":
		for _, m := range sh.Members {
			f := v.FieldByName(m.GoName)
			if !f.IsValid() {
				continue
			}
			p := lowerFirst(m.Name)
			if path != "" {
				p = path + "." + p
			}
			if sh.Required[m.Name] && isEmpty(f) {
				*out = append(*out, Violation{Path: p, Value: "null", Text: "Member must not be null"})
				continue
			}
			validateValue(m.Shape, f, p, out)
		}
	case "list":
		if v.Kind() != reflect.Slice {
			return
		}
		checkLength(sh, v.Len(), fmt.Sprintf("'%v'", v.Interface()), path, "length", out)
		for i := 0; i < v.Len(); i++ {
			validateValue(sh.Member.Shape, v.Index(i), fmt.Sprintf("%s.%d.member", path, i+1), out)
		}
	case "map":
		if v.Kind() != reflect.Map {
			return
		}
		checkLength(sh, v.Len(), fmt.Sprintf("'%v'", v.Interface()), path, "length", out)
	case "string":
		s := v.String()
		quoted := "'" + s + "'"
		if sh.Sensitive {
			quoted = "'******'"
		}
		if checkLength(sh, utf8.RuneCountInString(s), quoted, path, "length", out) {
			return
		}
		if len(sh.Enum) > 0 && !contains(sh.Enum, s) {
			*out = append(*out, Violation{Path: path, Value: quoted,
				Text: "Member must satisfy enum value set: [" + strings.Join(sh.Enum, ", ") + "]"})
			return
		}
		if !sh.MatchPattern(s) {
			*out = append(*out, Violation{Path: path, Value: quoted,
				Text: "Member must satisfy regular expression pattern: " + sh.Pattern})
		}
	case "integer", "long":
		n := v.Int()
		if sh.Min != nil && float64(n) < *sh.Min {
			*out = append(*out, Violation{Path: path, Value: fmt.Sprintf("'%d'", n), Text: fmt.Sprintf("Member must have value greater than or equal to %v", *sh.Min)})
		} else if sh.Max != nil && float64(n) > *sh.Max {
			*out = append(*out, Violation{Path: path, Value: fmt.Sprintf("'%d'", n), Text: fmt.Sprintf("Member must have value less than or equal to %v", *sh.Max)})
		}
	}
}

// checkLength appends a length violation and reports whether it did.
func checkLength(sh *model.Shape, n int, shown, path, what string, out *[]Violation) bool {
	if sh.Min != nil && float64(n) < *sh.Min {
		*out = append(*out, Violation{Path: path, Value: shown, Text: fmt.Sprintf("Member must have %s greater than or equal to %v", what, *sh.Min)})
		return true
	}
	if sh.Max != nil && float64(n) > *sh.Max {
		*out = append(*out, Violation{Path: path, Value: shown, Text: fmt.Sprintf("Member must have %s less than or equal to %v", what, *sh.Max)})
		return true
	}
	return false
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		return v.IsNil()
	case reflect.Slice, reflect.Map:
		return v.IsNil()
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
