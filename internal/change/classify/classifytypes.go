package classify

import (
	"go/ast"
	"go/token"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// typeDecls refuses every type declaration of the saved file that changed or
// went away, except the struct field changes that can go live (structChange);
// a new type is declared with the change, for patched code.
func (c *classifier) typeDecls() {
	for _, name := range sortedKeys(c.cur.types) {
		c.typeChange(name)
	}
	for _, name := range sortedKeys(c.old.types) {
		if c.cur.types[name] == nil {
			// Package change decides, from the type's compiled users
			// (Build.removedTypes).
			c.pl.RemovedTypes = append(c.pl.RemovedTypes, c.typeAt(name, c.cur.Syntax.Name.Pos()))
		}
	}
}

// typeChange refuses a changed type declaration, unless it is a struct type
// whose changes structChange takes.
func (c *classifier) typeChange(name string) {
	cur, old := c.cur, c.old
	ts, os := cur.types[name], old.types[name]
	if os == nil {
		return // a new type: declared with the change, for patched code
	}
	if Squeeze(cur.slice(ts.Pos(), ts.End())) == Squeeze(old.slice(os.Pos(), os.End())) {
		return
	}
	st, ok1 := ts.Type.(*ast.StructType)
	ost, ok2 := os.Type.(*ast.StructType)
	sameKind := ts.Assign.IsValid() == os.Assign.IsValid() && typeParams(cur, ts) == typeParams(old, os)
	if sameKind && ts.TypeParams == nil && c.sameType(old.slice(os.Type.Pos(), os.Type.End()), cur.slice(ts.Type.Pos(), ts.Type.End())) {
		return // written otherwise, the same type
	}
	_, iface := ts.Type.(*ast.InterfaceType)
	_, oiface := os.Type.(*ast.InterfaceType)
	if sameKind && iface && oiface && ts.TypeParams == nil && !ts.Assign.IsValid() {
		// Its method set changed: package change decides once the
		// package is checked (Build.interfaceChanges).
		c.pl.Interfaces = append(c.pl.Interfaces, c.typeAt(name, ts.Pos()))
		return
	}
	if !ok1 || !ok2 || !sameKind {
		c.refuse(ts.Pos(), "", "type %s changed", name)
		return
	}
	c.structChange(name, ts.TypeParams != nil, structFields(cur, st), structFields(old, ost), ts.Pos())
}

// structChange decides the field changes of struct type name (generic or
// not), from its fields as built (of) to its fields now (nf). Fields added
// go live: they live outside the compiled layout, in the agent's side
// table, and the rewriting reaches them there (internal/rewrite,
// sidefields.go); not an embedded field (its fields and methods would be
// promoted, which compiled code cannot see), not a field with a tag (the
// compiled code that reads T by reflection, encoding/json and the like,
// would not see it), not a field of a generic type. Fields removed go live
// when no unpatched compiled code uses them, which the plan checks once it
// knows what it patches (change.Build.fieldUsers): the compiled layout keeps them.
// Fields moved among the compiled fields go live with a note (reordered). A
// field retyped or retagged is refused.
func (c *classifier) structChange(name string, generic bool, nf, of []field, pos token.Pos) {
	oldByName := map[string]field{}
	for _, f := range of {
		oldByName[f.name] = f
	}
	newByName := map[string]field{}
	var kept []field
	for _, f := range nf {
		newByName[f.name] = f
		o, ok := oldByName[f.name]
		if ok {
			kept = append(kept, f)
		}
		switch {
		case ok && !c.sameType(o.typ, f.typ):
			c.refuse(f.pos, "", "type of field %s of %s changed", f.name, name)
		case ok && o.tag != f.tag:
			c.refuse(f.pos, "", "tag of field %s of %s changed", f.name, name)
		case ok:
		case f.embedded:
			c.refuse(f.pos, "", "embedded field %s added to %s: its fields and methods would be promoted, which compiled code cannot see", f.name, name)
		case f.tag != "":
			c.refuse(f.pos, "", "field %s added to %s has a tag: compiled code that reads %s by reflection (encoding/json and the like) would not see it", f.name, name, name)
		case generic:
			c.refuse(f.pos, "", "field %s added to generic type %s", f.name, name)
		}
	}
	i := 0
	for _, o := range of {
		if _, ok := newByName[o.name]; !ok {
			if o.embedded {
				c.refuse(pos, "", "embedded field %s removed from %s: the methods it promotes to %s would go", o.name, name, name)
				continue
			}
			c.pl.RemovedFields = append(c.pl.RemovedFields, RemovedField{Pkg: c.cur.PkgPath, Type: name, Name: o.name, Pos: c.diagnostic(pos, "", diag.RefusedUnpatched, "").Pos})
			continue
		}
		if i < len(kept) && kept[i].name != o.name {
			c.reordered(name, kept[i].pos, nf)
			return
		}
		i++
	}
}

// reordered decides a change that moves compiled fields of struct type
// name among themselves (first at pos; nf are its fields now). Values keep
// the compiled layout, and code names fields, not places: patched code
// reads and writes them by name, and the rewriting gives keys to its
// unkeyed literals of the type (rewrite.FieldsReordered), so the change
// goes live with a note of what still sees the compiled order. A type with
// a tagged field is refused: tags are read by reflection (encoding/json
// and the like), whose output shows the order.
func (c *classifier) reordered(name string, pos token.Pos, nf []field) {
	for _, f := range nf {
		if f.tag != "" {
			c.refuse(pos, "", "fields of %s reordered, and its tagged fields are read by reflection (encoding/json and the like), which would see the compiled order", name)
			return
		}
	}
	c.pl.Notes = append(c.pl.Notes, c.diagnostic(pos, "", diag.Note,
		"fields of "+name+" reordered: its values keep the compiled order, which only reflection (fmt's %v, encoding/json) and unsafe see, until a restart"))
}

// typeParams returns the type parameters of ts as written.
func typeParams(fd *FileDecls, ts *ast.TypeSpec) string {
	if ts.TypeParams == nil {
		return ""
	}
	return Squeeze(fd.slice(ts.TypeParams.Pos(), ts.TypeParams.End()))
}

// field is a field of a struct type as written: an embedded field is
// named by its type, without a pointer or a package.
type field struct {
	name, typ, tag string
	embedded       bool
	pos            token.Pos
}

// structFields returns the fields of s, a struct type of fd.
func structFields(fd *FileDecls, s *ast.StructType) []field {
	var out []field
	for _, f := range s.Fields.List {
		typ := Squeeze(fd.slice(f.Type.Pos(), f.Type.End()))
		tag := ""
		if f.Tag != nil {
			tag = f.Tag.Value
		}
		if len(f.Names) == 0 {
			name := strings.TrimPrefix(typ, "*")
			if i := strings.LastIndex(name, "."); i >= 0 {
				name = name[i+1:]
			}
			if i := strings.Index(name, "["); i >= 0 {
				name = name[:i]
			}
			out = append(out, field{name, typ, tag, true, f.Pos()})
		}
		for _, n := range f.Names {
			out = append(out, field{n.Name, typ, tag, false, n.Pos()})
		}
	}
	return out
}

// typeAt returns type name of the saved file's package, at pos.
func (c *classifier) typeAt(name string, pos token.Pos) TypeRef {
	return TypeRef{Pkg: c.cur.PkgPath, Type: name, Pos: c.diagnostic(pos, "", diag.RefusedRestart, "").Pos}
}
