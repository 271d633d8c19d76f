package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// An accessor kind is how a top-level input member is read without knowing the input's type:
// what the authorizer needs (names, ARNs, lists of them, numbers, tags). Other members
// (structures, timestamps, blobs, booleans, floats) have no accessor.
type accessorKind int

const (
	noAccessor accessorKind = iota
	stringAccessor
	listAccessor // []string
	intAccessor  // (int64, set)
	mapAccessor  // map[string]string: a string map, or a list of Key/Value structures (tags)
)

var accessorTypes = map[accessorKind]string{stringAccessor: "string", listAccessor: "[]string",
	intAccessor: "(int64, bool)", mapAccessor: "map[string]string"}

// accessorSuffix tells apart members of one name that are read as different kinds in
// different models (Tags is a map in Lambda, Key/Value structures in IAM, keys in Logs).
var accessorSuffix = map[accessorKind]string{stringAccessor: "String", listAccessor: "List", intAccessor: "Int", mapAccessor: "Map"}

func kindOf(sh *model.Shape) accessorKind {
	switch sh.Type {
	case "string":
		return stringAccessor
	case "integer", "long":
		return intAccessor
	case "list":
		if sh.Member.Shape.Type == "string" {
			return listAccessor
		}
		if isKeyValue(sh.Member.Shape) {
			return mapAccessor
		}
	case "map":
		if sh.Key.Shape.Type == "string" && sh.Value.Shape.Type == "string" {
			return mapAccessor
		}
	}
	return noAccessor
}

// isKeyValue is a tag-like structure: string members Key and Value.
func isKeyValue(sh *model.Shape) bool {
	k, v := sh.MemberNamed("Key"), sh.MemberNamed("Value")
	return sh.Type == "structure" && k != nil && v != nil && k.Shape.Type == "string" && v.Shape.Type == "string"
}

// inputShapes are the operations' input structures, each once, by name.
func inputShapes(svc *model.Service) []*model.Shape {
	seen := map[string]*model.Shape{}
	for _, op := range svc.Operations {
		if op.Input != nil {
			seen[op.Input.Name] = op.Input
		}
	}
	names := make([]string, 0, len(seen))
	for n := range seen {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*model.Shape, len(names))
	for i, n := range names {
		out[i] = seen[n]
	}
	return out
}

// getters renders a GetX method for every readable top-level member of every input structure.
func (g *gen) getters(pkg string) (string, error) {
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "package %s\n\n", pkg)
	b.WriteString("// Accessors of the operation inputs' top-level members, which package members reads by name\n")
	b.WriteString("// without knowing an input's type. A nil input or an absent member reads as the zero value.\n\n")
	for _, sh := range inputShapes(g.svc) {
		typ := g.names[sh.Name]
		for _, m := range sh.Members {
			k := kindOf(m.Shape)
			if k == noAccessor {
				continue
			}
			if sh.MemberNamed("Get"+m.GoName) != nil {
				return "", fmt.Errorf("%s: member Get%s would collide with the accessor of %s", sh.Name, m.GoName, m.GoName)
			}
			fmt.Fprintf(&b, "func (in *%s) Get%s() %s {\n", typ, m.GoName, accessorTypes[k])
			switch k {
			case stringAccessor:
				fmt.Fprintf(&b, "\tif in == nil || in.%[1]s == nil {\n\t\treturn \"\"\n\t}\n\treturn string(*in.%[1]s)\n", m.GoName)
			case intAccessor:
				fmt.Fprintf(&b, "\tif in == nil || in.%[1]s == nil {\n\t\treturn 0, false\n\t}\n\treturn int64(*in.%[1]s), true\n", m.GoName)
			case listAccessor:
				fmt.Fprintf(&b, "\tif in == nil {\n\t\treturn nil\n\t}\n\treturn in.%s\n", m.GoName)
			case mapAccessor:
				if m.Shape.Type == "map" {
					fmt.Fprintf(&b, "\tif in == nil {\n\t\treturn nil\n\t}\n\treturn in.%s\n", m.GoName)
				} else {
					fmt.Fprintf(&b, "\tif in == nil || in.%[1]s == nil {\n\t\treturn nil\n\t}\n\tm := make(map[string]string, len(in.%[1]s))\n"+
						"\tfor _, kv := range in.%[1]s {\n\t\tm[protocol.Val(kv.Key)] = protocol.Val(kv.Value)\n\t}\n\treturn m\n", m.GoName)
				}
			}
			b.WriteString("}\n\n")
		}
	}
	src := b.String()
	if strings.Contains(src, "protocol.Val") {
		src = strings.Replace(src, "package "+pkg+"\n\n", "package "+pkg+"\n\nimport \"github.com/iamlocal/iamlocal/protocol\"\n\n", 1)
	}
	return src, nil
}

// Members renders package members: one function per top-level input member name across the
// services, reading it from any operation input that has it. Callers (the authorizer) name
// members by these functions, so a misspelt member is a compile error, not a silent "".
func Members(svcs []*model.Service) []byte {
	kinds := map[string]map[accessorKind]bool{}
	for _, svc := range svcs {
		for _, sh := range inputShapes(svc) {
			for _, m := range sh.Members {
				if k := kindOf(m.Shape); k != noAccessor {
					if kinds[m.GoName] == nil {
						kinds[m.GoName] = map[accessorKind]bool{}
					}
					kinds[m.GoName][k] = true
				}
			}
		}
	}
	names := make([]string, 0, len(kinds))
	for n := range kinds {
		names = append(names, n)
	}
	sort.Strings(names)
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("// Package members reads the top-level members of any generated operation input by name,\n")
	b.WriteString("// through the inputs' generated accessors: a function per member name of the IAM, STS, Lambda,\n")
	b.WriteString("// CloudWatch Logs and CloudWatch models. An input without the member reads as the zero value.\n")
	b.WriteString("// A name read as different kinds in different models has one function per kind, suffixed.\n")
	b.WriteString("package members\n\n")
	for _, n := range names {
		for _, k := range []accessorKind{stringAccessor, listAccessor, intAccessor, mapAccessor} {
			if !kinds[n][k] {
				continue
			}
			fn := n
			if len(kinds[n]) > 1 {
				fn += accessorSuffix[k]
			}
			typ := accessorTypes[k]
			fmt.Fprintf(&b, "// %s reads the %s member of an operation input.\n", fn, n)
			if k == intAccessor {
				fmt.Fprintf(&b, "func %s(in any) (int64, bool) {\n\tif g, ok := in.(interface{ Get%s() (int64, bool) }); ok {\n\t\treturn g.Get%[2]s()\n\t}\n\treturn 0, false\n}\n\n", fn, n)
				continue
			}
			zero := map[accessorKind]string{stringAccessor: `""`, listAccessor: "nil", mapAccessor: "nil"}[k]
			fmt.Fprintf(&b, "func %s(in any) %s {\n\tif g, ok := in.(interface{ Get%s() %s }); ok {\n\t\treturn g.Get%[3]s()\n\t}\n\treturn %[5]s\n}\n\n", fn, typ, n, typ, zero)
		}
	}
	return []byte(b.String())
}
