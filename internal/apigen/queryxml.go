package main

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/iamlocal/iamlocal/protocol/model"
)

// speaksQuery is a service with a Query face (IAM, STS, CloudWatch), whose results
// protocol/awsquery writes as XML.
func speaksQuery(svc *model.Service) bool {
	return svc.Protocol == "query" || slices.Contains(svc.Protocols, "query")
}

// outputStructures are the structure shapes reachable from the operations' outputs, by name.
func outputStructures(svc *model.Service) []*model.Shape {
	seen := map[string]*model.Shape{}
	var walk func(sh *model.Shape)
	walk = func(sh *model.Shape) {
		switch sh.Type {
		case "structure":
			if seen[sh.Name] != nil {
				return
			}
			seen[sh.Name] = sh
			for _, m := range sh.Members {
				walk(m.Shape)
			}
		case "list":
			walk(sh.Member.Shape)
		case "map":
			walk(sh.Value.Shape)
		}
	}
	for _, op := range svc.Operations {
		if op.Output != nil {
			walk(op.Output)
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

// queryXML renders an AppendQueryXML method for every output structure: what
// protocol/awsquery's reflective encoder writes for the same value (encode.go), branch for
// branch, without reflection.
func (g *gen) queryXML(pkg string) string {
	var b strings.Builder
	b.WriteString(header)
	fmt.Fprintf(&b, "package %s\n\nimport \"github.com/iamlocal/iamlocal/protocol/awsquery\"\n\n", pkg)
	b.WriteString("// AppendQueryXML methods write an output structure's members as a Query result, as\n")
	b.WriteString("// protocol/awsquery's reflective encoder does, without reflection.\n\n")
	for _, sh := range outputStructures(g.svc) {
		typ := g.names[sh.Name]
		fmt.Fprintf(&b, "func (v *%s) AppendQueryXML(w *awsquery.XMLWriter, depth int) {\n", typ)
		x := &xmlEmitter{b: &b}
		for _, m := range sh.Members {
			x.member(m, "v."+m.GoName)
		}
		b.WriteString("}\n\n")
	}
	return b.String()
}

// xmlEmitter writes the statements of one method; vars numbers the loop variables of nested
// lists and maps so they do not shadow one another.
type xmlEmitter struct {
	b    *strings.Builder
	vars int
}

func depthExpr(d int) string {
	if d == 0 {
		return "depth"
	}
	return fmt.Sprintf("depth+%d", d)
}

func (x *xmlEmitter) line(format string, args ...any) {
	fmt.Fprintf(x.b, "\t"+format+"\n", args...)
}

// member writes a structure member held at expr (a pointer, slice or map; nil is absent),
// as encoder.member does.
func (x *xmlEmitter) member(m *model.Member, expr string) {
	sh := m.Shape
	name := m.WireName()
	x.line("if %s != nil {", expr)
	switch sh.Type {
	case "structure":
		x.structure(expr, name, 0)
	case "list":
		if m.Flattened {
			x.listElements(sh, expr, name, 0)
		} else {
			x.list(sh, expr, name, 0)
		}
	case "map":
		x.mapEntries(sh, expr, name, 0)
	case "blob":
		x.scalar(sh, expr, name, 0)
	default:
		x.scalar(sh, "*"+expr, name, 0)
	}
	x.line("}")
}

// element writes a list element or map value held by value at expr (addressable), as
// encoder.element does: a nested list or map is never flattened, and nil writes as empty.
func (x *xmlEmitter) element(sh *model.Shape, expr, name string, d int) {
	switch sh.Type {
	case "structure":
		x.structure(expr, name, d)
	case "list":
		x.list(sh, expr, name, d)
	case "map":
		x.mapEntries(sh, expr, name, d)
	default:
		x.scalar(sh, expr, name, d)
	}
}

func (x *xmlEmitter) structure(expr, name string, d int) {
	x.line("w.Open(%s, %q)", depthExpr(d), name)
	x.line("%s.AppendQueryXML(w, %s)", expr, depthExpr(d+1))
	x.line("w.Close(%s, %q)", depthExpr(d), name)
}

// list writes a wrapped list: <name/> when empty, else its elements as member (or the list
// member's LocationName).
func (x *xmlEmitter) list(sh *model.Shape, expr, name string, d int) {
	elem := "member"
	if sh.Member.LocationName != "" {
		elem = sh.Member.LocationName
	}
	x.line("if len(%s) == 0 {", expr)
	x.line("w.Empty(%s, %q)", depthExpr(d), name)
	x.line("} else {")
	x.line("w.Open(%s, %q)", depthExpr(d), name)
	x.listElements(sh, expr, elem, d+1)
	x.line("w.Close(%s, %q)", depthExpr(d), name)
	x.line("}")
}

// listElements writes each element of the list at expr as name at depth d.
func (x *xmlEmitter) listElements(sh *model.Shape, expr, name string, d int) {
	x.vars++
	i := fmt.Sprintf("i%d", x.vars)
	x.line("for %s := range %s {", i, expr)
	x.element(sh.Member.Shape, expr+"["+i+"]", name, d)
	x.line("}")
}

// mapEntries writes a map as entry/key/value, keys sorted; a nil map inside a list or map
// writes as an empty one, as the reflective encoder's does.
func (x *xmlEmitter) mapEntries(sh *model.Shape, expr, name string, d int) {
	x.vars++
	k, e := fmt.Sprintf("k%d", x.vars), fmt.Sprintf("e%d", x.vars)
	x.line("w.Open(%s, %q)", depthExpr(d), name)
	x.line("for _, %s := range awsquery.SortedKeys(%s) {", k, expr)
	x.line("w.Open(%s, \"entry\")", depthExpr(d+1))
	x.line("w.String(%s, \"key\", %s)", depthExpr(d+2), k)
	x.line("%s := %s[%s]", e, expr, k)
	x.element(sh.Value.Shape, e, "value", d+2)
	x.line("w.Close(%s, \"entry\")", depthExpr(d+1))
	x.line("}")
	x.line("w.Close(%s, %q)", depthExpr(d), name)
}

// scalar writes the scalar value expr (not a pointer); a shape type the models do not use
// is a Go string (goType), written as one.
func (x *xmlEmitter) scalar(sh *model.Shape, expr, name string, d int) {
	dep := depthExpr(d)
	switch sh.Type {
	case "integer", "long":
		x.line("w.Int(%s, %q, int64(%s))", dep, name, expr)
	case "double":
		x.line("w.Float(%s, %q, %s, 64)", dep, name, expr)
	case "float":
		x.line("w.Float(%s, %q, float64(%s), 32)", dep, name, expr)
	case "boolean":
		x.line("w.Bool(%s, %q, %s)", dep, name, expr)
	case "timestamp":
		x.line("w.Time(%s, %q, %s)", dep, name, expr)
	case "blob":
		x.line("w.Blob(%s, %q, %s)", dep, name, expr)
	default:
		x.line("w.String(%s, %q, %s)", dep, name, expr)
	}
}
