package native

import (
	"go/ast"
	"go/types"

	"github.com/livepatch/livepatch/internal/patcher"
)

// Embedded fields. A type the change declares anew that embeds an
// unexported type of the package, type w struct{ counter }, is declared
// in the plugin as embedding the type's native alias, lp_p.LpNT_counter,
// so its embedded field is named after the alias there: a selection or a
// literal's key that names the field is written with that name
// (pluginFieldName). And a field that is unexported, promoted from an
// embedded field (w.n, a selection whose path has several steps), is
// written as the explicit path, each unexported field of a compiled type
// on it through its accessor:
//
//	w.n  becomes  (*lp_p.LpNField_counter_n(&(w.LpNT_counter)))

// pluginFieldName returns the name of f, a field of a type the change
// declares anew, in the plugin's declaration of that type.
func (w *funcWriter) pluginFieldName(f *types.Var) string {
	if !f.Embedded() {
		return f.Name()
	}
	t := f.Type()
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	named, ok := types.Unalias(t).(*types.Named)
	if ok && named.Obj().Pkg() == w.c.Pkg && !named.Obj().Exported() && !w.nd.declared(named) {
		return patcher.NativeTypePrefix + named.Obj().Name()
	}
	return f.Name()
}

// promoted rewrites se, a selection of an unexported field promoted
// through embedded fields (sel's path has several steps), as the explicit
// path; a promoted method, or a field of a value without an address, is
// not covered.
func (w *funcWriter) promoted(se *ast.SelectorExpr, sel *types.Selection) {
	name := sel.Obj().Name()
	if sel.Kind() != types.FieldVal {
		w.fail(notCovered("method %s is reached through an embedded field", name))
		return
	}
	cur := sel.Recv()
	_, ptr := cur.Underlying().(*types.Pointer)
	if !ptr && !w.c.Info.Types[se.X].Addressable() {
		w.fail(notCovered("%s is reached through an embedded field of a value without an address", name))
		return
	}
	var prefix, suffix string
	for _, i := range sel.Index() {
		t := cur
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		named, _ := types.Unalias(t).(*types.Named)
		if !ok || named == nil {
			w.fail(notCovered("%s is reached through an embedded field of a type without a name", name))
			return
		}
		f := st.Field(i)
		switch tname := named.Obj().Name(); {
		case w.nd.declared(named):
			suffix += "." + w.pluginFieldName(f)
		case f.Exported():
			suffix += "." + f.Name()
		case named.Obj().Pkg() == w.c.Pkg && w.compiledMember(tname, f):
			w.imports[pkgName] = importPath(w.c)
			acc := "(*" + pkgName + "." + patcher.NativeFieldPrefix + tname + "_" + f.Name() + "("
			if ptr {
				prefix, suffix = acc+prefix, suffix+"))"
			} else {
				prefix, suffix = acc+"&("+prefix, suffix+")))"
			}
		default:
			w.fail(notCovered("%s is reached through an embedded field, and %s.%s is not in the compiled package", name, tname, f.Name()))
			return
		}
		cur = f.Type()
		_, ptr = cur.Underlying().(*types.Pointer)
	}
	w.handled[se.Sel] = true
	w.insert(se.X.Pos(), prefix)
	w.edits = append(w.edits, edit{w.off(se.X.End()), w.off(se.End()), suffix})
}
