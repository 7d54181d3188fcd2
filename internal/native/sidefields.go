package native

import (
	"go/ast"
	"go/types"

	"github.com/livepatch/livepatch/internal/rewrite"
)

// A field a change adds to a compiled struct type lives outside the
// compiled layout, in the agent's side table (target/agent/side), keyed by
// the value's address, as the interpreter keeps it (internal/rewrite,
// sidefields.go, whose rules the change passed): the plugin reaches it as
// the interpreted patch does, with the same key, so both see one field:
//
//	(*lp_side.Field(p, "f T", func() interface{} { return new(T) }).(*T))
//
// A field whose type is a type the change declares anew over a basic type
// (type Mode string) is kept as that basic type by both tiers and reached
// through a pointer conversion (rewrite.SideStorage):
//
//	(*(*Mode)(lp_side.Field(p, "f example.com/m.Mode; Mode string", func() interface{} { return new(string) }).(*string)))
//
// A field of a type made of such types ([]Mode) is kept as the type the
// interpreter's values of it have at run time ([]string) and reached
// through an unsafe.Pointer conversion (rewrite.SideStorage). A field
// whose type names any other type the change declares anew is not
// covered: the plugin's type is not the interpreter's.

// sideField rewrites se, a selection of a field that the change adds to a
// compiled type, reached through a pointer (ptr) or not; it reports
// whether se is one.
func (w *funcWriter) sideField(se *ast.SelectorExpr, f *types.Var, tname string, ptr bool) bool {
	if w.c.Compiled.Scope().Lookup(tname) == nil || w.compiledMember(tname, f) {
		return false
	}
	prefix, suffix, ok := w.sideAccess(f)
	if !ok {
		return true
	}
	if !ptr {
		if !rewrite.AddressKept(w.c.Info, se.X, w.node) {
			w.fail(notCovered("field %s that the change adds to %s is read from a value not reached through a pointer", f.Name(), tname))
			return true
		}
		prefix, suffix = prefix+"&(", ")"+suffix
	}
	w.handled[se.Sel] = true
	w.insert(se.X.Pos(), prefix)
	w.edits = append(w.edits, edit{w.off(se.X.End()), w.off(se.End()), suffix})
	return true
}

// sideAccess returns the text around the address of a value that
// reaches f, a field the change adds, in the side table: a pointer to its
// storage, dereferenced; false (and a failure) when the plugin cannot
// reach it (sideType).
func (w *funcWriter) sideAccess(f *types.Var) (prefix, suffix string, ok bool) {
	typ, ok := w.sideType(f)
	if !ok {
		return "", "", false
	}
	key := rewrite.SideKey(f.Name(), f.Type(), w.newType)
	st, ok := rewrite.SideStorage(f.Type(), w.newType)
	if b, basic := st.(*types.Basic); ok && basic {
		return "(*(*" + typ + ")(lp_side.Field(", ", " + key + ", func() interface{} { return new(" + b.Name() + ") }).(*" + b.Name() + ")))", true
	}
	if ok {
		s, err := w.typeText(st)
		if err != nil {
			w.fail(err)
			return "", "", false
		}
		w.imports["lp_unsafe"] = "unsafe"
		return "(*(*" + typ + ")(lp_unsafe.Pointer(lp_side.Field(", ", " + key + ", func() interface{} { return new(" + s + ") }).(*" + s + "))))", true
	}
	return "(*lp_side.Field(", ", " + key + ", func() interface{} { return new(" + typ + ") }).(*" + typ + "))", true
}

// newType reports whether t is a type the change declares anew at package
// level, not generic, by the interpreter's rule (rewrite.DeclaredAnew), so
// that both tiers key a field alike (rewrite.SideKey).
func (w *funcWriter) newType(t *types.Named) bool {
	return rewrite.DeclaredAnew(t, w.c.Pkg, w.c.Compiled)
}

// sideType returns how the plugin writes the type of f, a field the
// change adds, importing the side table; false (and a failure) when the
// type names one the change declares anew, other than a type over a basic
// type (rewrite.SideStorage).
func (w *funcWriter) sideType(f *types.Var) (string, bool) {
	if _, ok := rewrite.SideStorage(f.Type(), w.newType); ok {
		typ, err := w.typeText(f.Type()) // newvars.go: the plugin's own declaration
		if err != nil {
			w.fail(err)
			return "", false
		}
		w.imports["lp_side"] = sidePath
		return typ, true
	}
	for _, m := range selfRE.FindAllStringSubmatch(types.TypeString(f.Type(), func(p *types.Package) string {
		if p == w.c.Pkg {
			return "\x00"
		}
		return p.Path()
	}), -1) {
		if w.c.Compiled.Scope().Lookup(m[1]) == nil {
			w.fail(notCovered("field %s that the change adds has type %s, which the change declares anew", f.Name(), m[1]))
			return "", false
		}
	}
	typ, err := w.typeText(f.Type()) // newvars.go
	if err != nil {
		w.fail(err)
		return "", false
	}
	w.imports["lp_side"] = sidePath
	return typ, true
}

// recvNamed returns the named type of sel's receiver, and whether the
// receiver is a pointer to it; nil when it is not a named type.
func recvNamed(sel *types.Selection) (*types.Named, bool) {
	recv, ptr := sel.Recv(), false
	if p, ok := recv.Underlying().(*types.Pointer); ok {
		recv, ptr = p.Elem(), true
	}
	named, _ := types.Unalias(recv).(*types.Named)
	return named, ptr
}

// unnamedStruct returns the struct type without a name that t is or
// points to.
func unnamedStruct(t types.Type) (*types.Struct, bool) {
	if p, ok := types.Unalias(t).(*types.Pointer); ok {
		t = p.Elem()
	}
	st, ok := types.Unalias(t).(*types.Struct)
	return st, ok
}
