package lint

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/iamlocal/iamlocal/internal/awsdata"
)

// The catalog stays live for the process: its bulk must hold no pointers, or the collector
// traces every record of it again on each cycle. One string (the texts) is the exception.
func TestCatalogBulkHoldsNoPointers(t *testing.T) {
	t.Parallel()
	typ := reflect.TypeFor[catalog]()
	for i := range typ.NumField() {
		f := typ.Field(i)
		switch {
		case f.Type.Kind() == reflect.String && f.Name == "texts":
		case f.Type.Kind() == reflect.Slice:
			if !pointerFree(f.Type.Elem()) {
				t.Errorf("catalog.%s: elements of %s hold pointers", f.Name, f.Type.Elem())
			}
		case !pointerFree(f.Type):
			t.Errorf("catalog.%s: %s holds pointers", f.Name, f.Type)
		}
	}
}

func TestPointerFree(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		typ  reflect.Type
		want bool
	}{
		{reflect.TypeFor[resourceRec](), true},
		{reflect.TypeFor[[2]span](), true},
		{reflect.TypeFor[string](), false},
		{reflect.TypeFor[struct{ a, b []uint32 }](), false},
		{reflect.TypeFor[[2]*int](), false},
		{reflect.TypeFor[map[int]int](), false},
		{reflect.TypeFor[any](), false},
	} {
		if got := pointerFree(tc.typ); got != tc.want {
			t.Errorf("pointerFree(%s) = %v", tc.typ, got)
		}
	}
}

// pointerFree reports a type whose values hold no pointers: the collector does not scan them.
func pointerFree(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return true
	case reflect.Array:
		return pointerFree(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if !pointerFree(t.Field(i).Type) {
				return false
			}
		}
		return true
	}
	return false
}

// referenceDoc is all-services.json read plainly, to check the catalog against.
func referenceDoc(t *testing.T) map[string]referenceService {
	t.Helper()
	var doc map[string]referenceService
	if err := json.Unmarshal(awsdata.AllServices(), &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// Every action of the reference is found by its name in any case, with its resource types
// in order and its keys and those of its resource types; each service lists its actions in
// canonical order.
func TestCatalogLookupsAgreeWithReference(t *testing.T) {
	t.Parallel()
	c, doc := services(), referenceDoc(t)
	if len(c.services) != len(doc) {
		t.Fatalf("%d services, the reference has %d", len(c.services), len(doc))
	}
	for prefix, svc := range doc {
		t.Run(prefix, func(t *testing.T) {
			t.Parallel()
			s, ok := c.service(strings.ToUpper(prefix))
			if !ok || s.prefix() != prefix || s.condensed() != condense(svc.Name) {
				t.Fatalf("service(%q) = %v, %v", strings.ToUpper(prefix), ok, s)
			}
			for _, k := range svc.ConditionKeys {
				if !s.acceptsKey(strings.ToUpper(k)) {
					t.Errorf("%s does not accept its key %s", prefix, k)
				}
			}
			var names, listed []string
			for name := range svc.Actions {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, a := range s.actionRecs() {
				listed = append(listed, c.text(a.name))
			}
			for i := range names {
				names[i] = prefix + ":" + names[i]
			}
			if !slices.Equal(listed, names) {
				t.Errorf("actions of %s are not the reference's, sorted", prefix)
			}
			for name, ref := range svc.Actions {
				checkAction(t, c, prefix, name, svc, ref.Resources, ref.ConditionKeys)
			}
		})
	}
}

func checkAction(t *testing.T, c *catalog, prefix, name string, svc referenceService, resources [][]any, keys []string) {
	t.Helper()
	full := prefix + ":" + name
	for _, spelling := range []string{full, strings.ToLower(full), strings.ToUpper(full)} {
		if a, ok := c.action(spelling); !ok || a.name() != full {
			t.Errorf("action(%q) = %v, %v; want %s", spelling, ok, a.rec, full)
		}
	}
	a, _ := c.action(full)
	type resource struct {
		typ, arn string
		required bool
	}
	var got, want []resource
	for _, r := range a.resourceRecs() {
		got = append(got, resource{c.text(r.typ), c.text(r.arn), r.required})
	}
	wantKeys := slices.Clone(keys)
	for _, r := range resources {
		typ, _ := r[0].(string)
		required, _ := r[1].(bool)
		rt := svc.ResourceTypes[typ]
		want = append(want, resource{typ, rt.ARN, required})
		wantKeys = append(wantKeys, rt.ConditionKeys...)
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s: resources %v, want %v", full, got, want)
	}
	var gotKeys []string
	for _, k := range c.keyLists[a.rec.keys.lo:a.rec.keys.hi] {
		gotKeys = append(gotKeys, c.text(c.keys[k].text))
	}
	slices.Sort(gotKeys)
	slices.Sort(wantKeys)
	if !slices.Equal(gotKeys, slices.Compact(wantKeys)) {
		t.Errorf("%s: keys %v, want %v", full, gotKeys, wantKeys)
	}
}

func TestCatalogUnknownNames(t *testing.T) {
	t.Parallel()
	for _, full := range []string{"iam", "iam:", ":GetUser", "iam:GetUsers", "nosuch:GetUser", "iam:GetUser:x", ""} {
		if a, ok := services().action(full); ok {
			t.Errorf("action(%q) = %s", full, a.name())
		}
	}
	for _, prefix := range []string{"", "ia", "iamx", "zzzz", "a"} {
		if s, ok := services().service(prefix); ok {
			t.Errorf("service(%q) = %s", prefix, s.prefix())
		}
	}
}

// Wildcard actions list what a plain walk of the reference, by prefix then name, finds.
func TestCatalogMatchingOrder(t *testing.T) {
	t.Parallel()
	doc := referenceDoc(t)
	prefixes := make([]string, 0, len(doc))
	for p := range doc {
		prefixes = append(prefixes, p)
	}
	sort.Strings(prefixes)
	walk := func(pattern string) []string {
		p, n, _ := strings.Cut(strings.ToLower(pattern), ":")
		var out []string
		for _, prefix := range prefixes {
			if !globMatch(p, prefix) {
				continue
			}
			var names []string
			for name := range doc[prefix].Actions {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if globMatch(n, strings.ToLower(name)) {
					out = append(out, prefix+":"+name)
				}
			}
		}
		return out
	}
	for _, pattern := range []string{"lambda:Get*", "*:List*", "S3:*object", "i?m:*User*", "ec2:*", "*:*Tag?", "nosuch:*", "iam:NoSuch*"} {
		t.Run(pattern, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, a := range services().matching(pattern) {
				got = append(got, a.name())
			}
			if want := walk(pattern); !slices.Equal(got, want) {
				t.Errorf("matching(%q): %d actions, the reference walk %d", pattern, len(got), len(want))
			}
		})
	}
}

func TestCatalogGlobalKeys(t *testing.T) {
	t.Parallel()
	var global struct {
		GlobalConditionKeys []struct{ Key string } `json:"globalConditionKeys"`
	}
	if err := json.Unmarshal(awsdata.GlobalConditionKeys(), &global); err != nil {
		t.Fatal(err)
	}
	for _, k := range global.GlobalConditionKeys {
		if !services().isGlobalKey(strings.ToLower(k.Key)) {
			t.Errorf("isGlobalKey(%q) is false", strings.ToLower(k.Key))
		}
	}
	for _, tc := range []struct {
		key  string
		want bool
	}{
		{"aws:ResourceTag/team", true},
		{"AWS:PrincipalTag/Team", true},
		{"aws:RequestedRegion", true},
		{"aws:NoSuchKey", false},
		{"s3:prefix", false},
	} {
		if got := services().isGlobalKey(tc.key); got != tc.want {
			t.Errorf("isGlobalKey(%q) = %v", tc.key, got)
		}
	}
}
