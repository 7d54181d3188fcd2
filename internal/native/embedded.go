package native

import (
	"go/ast"
	"go/types"
	"runtime"
	"strconv"

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

// promoted rewrites se, a selection of an unexported field or method
// promoted through embedded fields (sel's path has several steps), as the
// explicit path, a method through its accessor at the path's end; a
// method expression, or a selection of a value without an address, is
// not covered.
func (w *funcWriter) promoted(se *ast.SelectorExpr, sel *types.Selection) {
	name := sel.Obj().Name()
	path := sel.Index()
	switch sel.Kind() {
	case types.MethodVal:
		path = path[:len(path)-1] // the last step is the method's
	case types.MethodExpr:
		w.fail(notCovered("method expression of %s, reached through an embedded field", name))
		return
	}
	cur := sel.Recv()
	_, ptr := cur.Underlying().(*types.Pointer)
	if !ptr && !w.c.Info.Types[se.X].Addressable() {
		w.fail(notCovered("%s is reached through an embedded field of a value without an address", name))
		return
	}
	var prefix, suffix string
	for _, i := range path {
		t := cur
		if p, ok := t.Underlying().(*types.Pointer); ok {
			t = p.Elem()
		}
		st, ok := t.Underlying().(*types.Struct)
		named, _ := types.Unalias(t).(*types.Named)
		if !ok {
			w.fail(notCovered("%s is reached through an embedded field of a type without a name", name))
			return
		}
		f := st.Field(i)
		if named == nil { // a struct type written in place, as a field's type
			if f.Exported() || w.writtenHere(st) {
				suffix += "." + f.Name()
			} else if p, s, err := w.unnamedField(st, i, ptr); err == nil {
				prefix, suffix = p+prefix, suffix+s
			} else {
				w.fail(err)
				return
			}
			cur = f.Type()
			_, ptr = cur.Underlying().(*types.Pointer)
			continue
		}
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
	if m, ok := sel.Obj().(*types.Func); ok {
		p, s, ok := w.promotedMethod(m, cur, ptr)
		if !ok {
			return
		}
		prefix, suffix = p+prefix, suffix+s
	}
	w.handled[se.Sel] = true
	w.insert(se.X.Pos(), prefix)
	w.edits = append(w.edits, edit{w.off(se.X.End()), w.off(se.End()), suffix})
}

// promotedMethod returns the text around the explicit path to the
// embedded value of type cur (a pointer, when ptr) that selects its
// method m: as written on a type the plugin declares, else through m's
// native accessor, which gives the method value.
func (w *funcWriter) promotedMethod(m *types.Func, cur types.Type, ptr bool) (prefix, suffix string, ok bool) {
	if w.nd.declared(cur) {
		return "", "." + m.Name(), true
	}
	t := cur
	if p, isPtr := t.Underlying().(*types.Pointer); isPtr {
		t = p.Elem()
	}
	named, _ := types.Unalias(t).(*types.Named)
	if named == nil || named.Obj().Pkg() != w.c.Pkg || types.IsInterface(named) || !w.compiledMember(named.Obj().Name(), m) {
		w.fail(notCovered("method %s is reached through an embedded field, and is not a method of the compiled package", m.Name()))
		return "", "", false
	}
	w.imports[pkgName] = importPath(w.c)
	prefix, suffix = pkgName+"."+patcher.NativeMethodPrefix+named.Obj().Name()+"_"+m.Name()+"(", ")"
	_, ptrMethod := m.Signature().Recv().Type().(*types.Pointer)
	switch {
	case ptrMethod && !ptr:
		prefix, suffix = prefix+"&(", ")"+suffix
	case !ptrMethod && ptr:
		prefix, suffix = prefix+"*(", ")"+suffix
	}
	return prefix, suffix, true
}

// unnamedField returns the text around an expression x of an unnamed
// struct type st (a pointer to one, when ptr) that reads its field i, an
// unexported one: the plugin's package cannot name that field, so it is
// read at its offset in the gc compiler's layout, which go/types' sizes
// for gc give: (*(*F)(unsafe.Add(unsafe.Pointer(&(x)), OFFSET))). A field
// whose type is itself a struct type written in place with unexported
// fields is not covered: the plugin's text of that type would be a type
// of the plugin's package, not the program's.
func (w *funcWriter) unnamedField(st *types.Struct, i int, ptr bool) (prefix, suffix string, err error) {
	f := st.Field(i)
	if hasUnnamedStruct(f.Type()) {
		return "", "", notCovered("%s is a field of a struct type without a name, and has one as its type", f.Name())
	}
	typ, err := w.typeText(f.Type()) // newvars.go
	if err != nil {
		return "", "", err
	}
	fields := make([]*types.Var, st.NumFields())
	for j := range fields {
		fields[j] = st.Field(j)
	}
	off := gcSizes.Offsetsof(fields)[i]
	w.imports["unsafe"] = "unsafe"
	prefix, suffix = "(*(*"+typ+")(unsafe.Add(unsafe.Pointer(", "), "+strconv.FormatInt(off, 10)+")))"
	if !ptr {
		prefix, suffix = prefix+"&(", ")"+suffix
	}
	return prefix, suffix, nil
}

// writtenHere reports whether st, a struct type without a name, is
// written in the declaration being written: the plugin's copy declares
// it, with fields of the plugin's package.
func (w *funcWriter) writtenHere(st *types.Struct) bool {
	if st.NumFields() == 0 {
		return true
	}
	p := st.Field(0).Pos()
	return w.c.Fset.File(p) == w.tok && p >= w.node.Pos() && p < w.node.End()
}

// gcSizes is the layout of the gc compiler for the architecture livepatch
// runs on, which builds the program and its plugins.
var gcSizes = types.SizesFor("gc", runtime.GOARCH)

// hasUnnamedStruct reports whether t is, or is made of, a struct type
// without a name that has unexported fields.
func hasUnnamedStruct(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Struct:
		for i := range t.NumFields() {
			if !t.Field(i).Exported() || hasUnnamedStruct(t.Field(i).Type()) {
				return true
			}
		}
	case *types.Pointer:
		return hasUnnamedStruct(t.Elem())
	case *types.Slice:
		return hasUnnamedStruct(t.Elem())
	case *types.Array:
		return hasUnnamedStruct(t.Elem())
	case *types.Map:
		return hasUnnamedStruct(t.Key()) || hasUnnamedStruct(t.Elem())
	case *types.Chan:
		return hasUnnamedStruct(t.Elem())
	}
	return false
}
