package protocol

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// Violation is one model constraint that an input breaks, phrased as AWS phrases it.
type Violation struct {
	Path  string // camelCase member path: userName, tags.1.member.key
	Value string // as AWS shows it: 'bob', '[a, b]', null; empty for a sensitive member (not shown)
	Text  string // "Member must have length less than or equal to 64"
}

// Validate checks v (a pointer to a generated struct) against its shape's constraints and returns
// the violations, members in name order. As AWS does, every broken constraint of a member is
// reported (a string both too long and off-pattern gives two), a missing required member is
// "Value null ... Member must not be null", list and map elements are reported once for the whole
// list or map ("Member must satisfy constraint: [...]"), and the members of structures inside
// lists are reached as tags.1.member.key.
func Validate(sh *model.Shape, v any) []Violation { return ValidateWith(sh, v, nil) }

// ValidateWith is Validate with a service's corrections to its model (nil: none).
func ValidateWith(sh *model.Shape, v any, c *Constraints) []Violation {
	val := validator{c: c}
	val.value(sh, reflect.ValueOf(v), "", "")
	return val.out
}

// validator walks one input; key is the Smithy member id of the value ("" at the top).
type validator struct {
	c   *Constraints
	out []Violation
}

// RedactedValidationMessage is IAM's form of the message: since 2025 IAM leaves the offending
// value and the enum's value set out ("1 validation error detected: Value at 'status' failed to
// satisfy constraint: Member must satisfy enum value set", recorded against IAM in
// conformance/errors/localstack-aws-recorded-errors.json); STS and Lambda still show both.
// A missing member keeps "Value null", for which no IAM recording says otherwise.
func RedactedValidationMessage(vs []Violation) string {
	red := make([]Violation, len(vs))
	for i, v := range vs {
		red[i] = v
		if v.Value != "null" {
			red[i].Value = ""
		}
		if k := strings.Index(v.Text, "Member must satisfy enum value set: ["); k >= 0 && !strings.HasPrefix(v.Text, "Member must satisfy constraint") {
			red[i].Text = v.Text[:k] + "Member must satisfy enum value set"
		}
	}
	return ValidationMessage(red)
}

// ValidationMessage renders violations in AWS's "N validation error(s) detected: ..." form.
func ValidationMessage(vs []Violation) string {
	parts := make([]string, len(vs))
	for i, v := range vs {
		if v.Value == "" { // sensitive: AWS leaves the value out ("Value at 'password' ...")
			parts[i] = fmt.Sprintf("Value at '%s' failed to satisfy constraint: %s", v.Path, v.Text)
			continue
		}
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

func (val *validator) value(sh *model.Shape, v reflect.Value, path, key string) {
	out := &val.out
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return
		}
		v = v.Elem()
	}
	add := func(text string) {
		shown := "'" + show(sh, v) + "'"
		if sh.Sensitive {
			shown = ""
		}
		*out = append(*out, Violation{Path: path, Value: shown, Text: text})
	}
	switch sh.Type {
	case "structure":
		if v.Kind() != reflect.Struct {
			return
		}
		for _, m := range sh.Members {
			f := m.Field(v)
			if !f.IsValid() {
				continue
			}
			if isEmpty(f) && !sh.Required[m.Name] {
				continue // absent and optional: nothing to check, no path to build
			}
			p := lowerFirst(m.Name)
			if path != "" {
				p = path + "." + p
			}
			msh, mkey, checked := val.c.member(sh, m)
			if !checked {
				continue
			}
			if sh.Required[m.Name] && isEmpty(f) {
				*out = append(*out, Violation{Path: p, Value: "null", Text: "Member must not be null"})
				continue
			}
			val.value(msh, f, p, mkey)
		}
	case "list":
		if v.Kind() != reflect.Slice || v.IsNil() { // nil: absent, not an empty list
			return
		}
		for _, text := range lengthTexts(sh, v.Len()) {
			add(text)
		}
		elem := val.c.scalar(sh.Member.Shape)
		if elem.Type == "structure" {
			for i := 0; i < v.Len(); i++ {
				val.value(elem, v.Index(i), fmt.Sprintf("%s.%d.member", path, i+1), "")
			}
			return
		}
		if enum, ok := val.c.listEnum(key); ok {
			for i := 0; i < v.Len(); i++ {
				if s, isString := v.Index(i).Interface().(string); isString && !contains(enum, s) {
					add("Member must satisfy enum value set: [" + strings.Join(enum, ", ") + "]")
					break
				}
			}
			return
		}
		for i := 0; i < v.Len(); i++ {
			if len(scalarTexts(elem, v.Index(i))) > 0 {
				add("Member must satisfy constraint: [" + strings.Join(constraintTexts(elem, true), ", ") + "]")
				break
			}
		}
	case "map":
		if v.Kind() != reflect.Map || v.IsNil() {
			return
		}
		for _, text := range lengthTexts(sh, v.Len()) {
			add(text)
		}
		keys := sortedKeys(v)
		keyShape, valueShape := val.c.scalar(sh.Key.Shape), val.c.scalar(sh.Value.Shape)
		for _, k := range keys {
			if len(scalarTexts(keyShape, k)) > 0 {
				add("Map keys must satisfy constraint: [" + strings.Join(constraintTexts(keyShape, false), ", ") + "]")
				break
			}
		}
		if valueShape.Type == "structure" || valueShape.Type == "list" || valueShape.Type == "map" {
			return
		}
		for _, k := range keys {
			if len(scalarTexts(valueShape, v.MapIndex(k))) > 0 {
				add("Map value must satisfy constraint: [" + strings.Join(constraintTexts(valueShape, true), ", ") + "]")
				break
			}
		}
	default:
		for _, text := range scalarTexts(sh, v) {
			add(text)
		}
	}
}

// scalarTexts are the constraints a scalar breaks, in the order AWS lists them: pattern, then
// length, then enum; for numbers the range.
func scalarTexts(sh *model.Shape, v reflect.Value) []string {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	var texts []string
	switch sh.Type {
	case "string":
		if v.Kind() != reflect.String {
			return nil
		}
		s := v.String()
		if !sh.MatchPattern(s) {
			texts = append(texts, "Member must satisfy regular expression pattern: "+sh.Pattern)
		}
		texts = append(texts, lengthTexts(sh, javaLength(s))...)
		if len(sh.Enum) > 0 && !contains(sh.Enum, s) {
			texts = append(texts, enumText(sh))
		}
	case "integer", "long":
		if !v.CanInt() {
			return nil
		}
		n := float64(v.Int())
		if sh.Max != nil && n > *sh.Max {
			texts = append(texts, "Member must have value less than or equal to "+bound(sh, *sh.Max))
		}
		if sh.Min != nil && n < *sh.Min {
			texts = append(texts, "Member must have value greater than or equal to "+bound(sh, *sh.Min))
		}
	case "double", "float":
		if !v.CanFloat() {
			return nil
		}
		n := v.Float()
		if sh.Max != nil && (n > *sh.Max || math.IsNaN(n)) {
			texts = append(texts, "Member must have value less than or equal to "+bound(sh, *sh.Max))
		}
		if sh.Min != nil && (n < *sh.Min || math.IsNaN(n)) {
			texts = append(texts, "Member must have value greater than or equal to "+bound(sh, *sh.Min))
		}
	case "blob":
		if v.Kind() == reflect.Slice && !v.IsNil() {
			texts = append(texts, lengthTexts(sh, v.Len())...)
		}
	}
	return texts
}

// constraintTexts lists every constraint of an element shape, as AWS does when an element of a
// list or map breaks one: "[Member must have length less than or equal to 6, Member must have
// length greater than or equal to 0, Member must satisfy regular expression pattern: .*, Member
// must not be null]".
func constraintTexts(sh *model.Shape, notNull bool) []string {
	var texts []string
	switch sh.Type {
	case "string", "blob", "list", "map":
		if sh.Max != nil {
			texts = append(texts, "Member must have length less than or equal to "+bound(sh, *sh.Max))
		}
		if sh.Min != nil {
			texts = append(texts, "Member must have length greater than or equal to "+bound(sh, *sh.Min))
		}
		if sh.Pattern != "" {
			texts = append(texts, "Member must satisfy regular expression pattern: "+sh.Pattern)
		}
		if len(sh.Enum) > 0 {
			texts = append(texts, enumText(sh))
		}
	default:
		if sh.Max != nil {
			texts = append(texts, "Member must have value less than or equal to "+bound(sh, *sh.Max))
		}
		if sh.Min != nil {
			texts = append(texts, "Member must have value greater than or equal to "+bound(sh, *sh.Min))
		}
	}
	if notNull {
		texts = append(texts, "Member must not be null")
	}
	return texts
}

func lengthTexts(sh *model.Shape, n int) []string {
	if sh.Max != nil && float64(n) > *sh.Max {
		return []string{"Member must have length less than or equal to " + bound(sh, *sh.Max)}
	}
	if sh.Min != nil && float64(n) < *sh.Min {
		return []string{"Member must have length greater than or equal to " + bound(sh, *sh.Min)}
	}
	return nil
}

func enumText(sh *model.Shape) string {
	return "Member must satisfy enum value set: [" + strings.Join(sh.Enum, ", ") + "]"
}

// bound prints a constraint limit as AWS's Java does: 64 for lengths and integers, 1.0 for doubles.
func bound(sh *model.Shape, f float64) string {
	if sh.Type == "double" || sh.Type == "float" {
		return javaDouble(f)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// javaLength is a string's length as AWS counts it against min and max: in code points, so a
// supplementary character such as an emoji counts once (not as Java's two UTF-16 units).
func javaLength(s string) int { return utf8.RuneCountInString(s) }

// show renders a value as AWS's messages do (Java's toString): strings bare, lists "[a, b]",
// maps "{k=v}", doubles "1.0".
func show(sh *model.Shape, v reflect.Value) string {
	if v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		if v.IsNil() {
			return "null"
		}
		v = v.Elem()
	}
	switch sh.Type {
	case "list":
		if v.Kind() != reflect.Slice {
			break
		}
		parts := make([]string, v.Len())
		for i := range parts {
			parts[i] = show(sh.Member.Shape, v.Index(i))
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case "map":
		if v.Kind() != reflect.Map {
			break
		}
		var parts []string
		for _, k := range sortedKeys(v) {
			parts = append(parts, k.String()+"="+show(sh.Value.Shape, v.MapIndex(k)))
		}
		return "{" + strings.Join(parts, ", ") + "}"
	case "double", "float":
		if v.CanFloat() {
			return javaDouble(v.Float())
		}
	case "timestamp":
		if t, ok := v.Interface().(time.Time); ok {
			return t.UTC().Format(time.RFC3339)
		}
	case "structure":
		return sh.Name
	}
	return fmt.Sprint(v.Interface())
}

// javaDouble formats f as Java's Double.toString: 1.0, 0.5, 1.0E7, 1.0E-4.
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	if a := math.Abs(f); a == 0 || (a >= 1e-3 && a < 1e7) {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'E', -1, 64) // 1E+07, 1.5E-04
	mant, exp, _ := strings.Cut(s, "E")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
}

func sortedKeys(v reflect.Value) []reflect.Value {
	keys := v.MapKeys()
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	return keys
}

func isEmpty(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface, reflect.Slice, reflect.Map:
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
