package rewrite

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/target/agent/side"
)

// Fields a saved change adds to a compiled struct type (side fields) live
// outside the compiled layout, which compiled code keeps: in the agent's
// side table (package target/agent/side), keyed by the address of the value and
// freed with it. A selection x.f of such a field becomes
//
//	(*lp_side.Field(&x, "f T", func() any { return new(T) }).(*T))
//
// a pointer to the field's storage, so that x.f = v, x.f++, &x.f and x.f.g
// work (sideStep). The table is keyed by address, so a value must keep
// its address for its side fields to be right: the rewriting takes a
// selection only through a pointer (p.f, (*p).f, x.p.f), from a package
// variable's v.f or a function's own variable's (AddressKept), and
// refuses the patched code that copies a value of such
// a type or assigns one whole (sideCopies): the copy would not take the
// side fields, where a rebuild would. A composite literal &T{f: v} sets the
// compiled fields and then the side fields (composite.go). Compiled code
// never sees the side fields: a copy it makes starts with zero values.

// sideField reports whether f, a field of struct type t (not a pointer),
// is one the change adds to a compiled type of its package.
func (r *rewriter) sideField(t types.Type, f *types.Var) bool {
	old := r.compiledStruct(t)
	if old == nil {
		return false
	}
	for i := 0; i < old.NumFields(); i++ {
		if old.Field(i).Name() == f.Name() {
			return false
		}
	}
	return true
}

// hasSideFields reports whether t is a compiled type of the change's
// package to which the change adds fields.
func (r *rewriter) hasSideFields(t types.Type) bool {
	st, ok := t.Underlying().(*types.Struct)
	if !ok || r.compiledStruct(t) == nil {
		return false
	}
	for i := 0; i < st.NumFields(); i++ {
		if r.sideField(t, st.Field(i)) {
			return true
		}
	}
	return false
}

// compiledStruct returns the struct type as built of t, a named type of
// the change's package that the build compiled, or nil.
func (r *rewriter) compiledStruct(t types.Type) *types.Struct {
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || r.in.Change == nil || named.Obj().Pkg() != r.in.Change.Pkg || r.in.Change.Compiled == nil {
		return nil
	}
	tn, ok := r.in.Change.Compiled.Scope().Lookup(named.Obj().Name()).(*types.TypeName)
	if !ok {
		return nil
	}
	st, _ := tn.Type().Underlying().(*types.Struct)
	return st
}

// sideStep writes the side field f of cur, a value of struct type t or a
// pointer to it (ptr), reached through a pointer or not. A value not
// reached through a pointer fails the rewriting at pos.
func (r *rewriter) sideStep(cur string, ptr, reached bool, t types.Type, f *types.Var, pos token.Pos) string {
	tn := types.TypeString(t, types.RelativeTo(r.in.Pkg))
	if !reached {
		r.refuse(pos, ReasonSideField, fmt.Sprintf("field %s that the change adds to %s is read from a value not reached through a pointer: it lives outside the compiled %s, keyed by the value's address, which a copy does not keep (use a *%s, or restart to apply)", f.Name(), tn, tn, tn))
		return cur
	}
	if !r.sideStorable(f.Type()) {
		r.refuse(pos, ReasonSideField, fmt.Sprintf("field %s that the change adds to %s has type %s, which the agent cannot keep for it (a type the interpreter builds itself, or a generic one)", f.Name(), tn, types.TypeString(f.Type(), types.RelativeTo(r.in.Pkg))))
		return cur
	}
	return r.sideAccess(cur, ptr, f.Name(), f.Type())
}

// sideAccess writes the access to the side field name of type ft of cur,
// a pointer (ptr) or an addressable value.
func (r *rewriter) sideAccess(cur string, ptr bool, name string, ft types.Type) string {
	addr := cur
	if !ptr {
		addr = addressOf(cur)
	}
	text := r.typeText(ft)
	key := SideKey(name, ft, r.newType)
	r.imports[strconv.Quote(side.Package)] = true
	st, ok := SideStorage(ft, r.newType)
	if b, basic := st.(*types.Basic); ok && basic {
		return "(*(*" + text + ")(" + side.Package + "." + side.FieldName + "(" + addr + ", " + key + ", func() any { return new(" + b.Name() + ") }).(*" + b.Name() + ")))"
	}
	return "(*" + side.Package + "." + side.FieldName + "(" + addr + ", " + key + ", func() any { return new(" + text + ") }).(*" + text + "))"
}

// pointerReached reports whether x, the operand of a field selection in
// the input, keeps its address for as long as its value lives
// (AddressKept).
func (r *rewriter) pointerReached(x ast.Expr) bool {
	within := make([]ast.Node, len(r.in.Stmts))
	for i, s := range r.in.Stmts {
		within[i] = s
	}
	return AddressKept(r.in.Info, x, within...)
}

// AddressKept reports whether x, the operand of a selection of a field
// that a change adds to a compiled struct type, in the code within, keeps
// its address for as long as its value lives, so that the side table can
// key the value's added fields by it: x is reached through a pointer, is a
// package variable, or is a variable of a function (a parameter, a
// result, a local), but one a three-clause for statement declares, which
// each iteration copies. A function's variable holds no copy of a value
// whose added fields were set: patched code makes none (sideCopies
// refuses them), and a copy that compiled code made, or a literal that
// sets no added field, starts with them zero, as a rebuild's copy of a
// value compiled code made would. The native tier keys added fields by the
// same rule.
func AddressKept(info *types.Info, x ast.Expr, within ...ast.Node) bool {
	switch x := ast.Unparen(x).(type) {
	case *ast.StarExpr:
		return true
	case *ast.Ident:
		v, ok := info.Uses[x].(*types.Var)
		if !ok || v.Pkg() == nil || v.IsField() {
			return false
		}
		return v.Parent() == v.Pkg().Scope() || (v.Parent() != nil && !forClauseVar(v, within))
	case *ast.SelectorExpr:
		if id, ok := x.X.(*ast.Ident); ok {
			if _, isPkg := info.Uses[id].(*types.PkgName); isPkg {
				_, isVar := info.Uses[x.Sel].(*types.Var)
				return isVar
			}
		}
	}
	return false
}

// forClauseVar reports whether v is declared in the init statement of a
// three-clause for statement of the code within.
func forClauseVar(v *types.Var, within []ast.Node) bool {
	found := false
	for _, n := range within {
		ast.Inspect(n, func(n ast.Node) bool {
			if fs, ok := n.(*ast.ForStmt); ok && fs.Init != nil && fs.Init.Pos() <= v.Pos() && v.Pos() < fs.Init.End() {
				found = true
			}
			return !found
		})
	}
	return found
}

// sideCopies refuses the copies of values of the types to which the change
// adds fields: an expression of such a type that is neither the operand of
// a field selection, of a method with a pointer receiver or of &, nor a
// composite literal that sets no side field (whose side fields are all
// zero); and a range over such values.
func (r *rewriter) sideCopies() {
	if r.in.Change == nil {
		return
	}
	var stack []ast.Node
	for _, s := range r.in.Stmts {
		ast.Inspect(s, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			if e, ok := n.(ast.Expr); ok && len(stack) > 0 {
				r.sideCopy(e, stack)
			}
			if rs, ok := n.(*ast.RangeStmt); ok && rs.Value != nil {
				if tv, ok := r.in.Info.Types[rs.X]; ok && r.hasSideFields(rangeElem(tv.Type)) {
					r.refuseCopy(rs.Value, rangeElem(tv.Type))
				}
			}
			stack = append(stack, n)
			return true
		})
	}
}

// sideCopy refuses e when it copies a value with side fields; stack holds
// the nodes around it, innermost last.
func (r *rewriter) sideCopy(e ast.Expr, stack []ast.Node) {
	tv, ok := r.in.Info.Types[e]
	if !ok || !tv.IsValue() || !r.hasSideFields(tv.Type) {
		return
	}
	if lit, ok := ast.Unparen(e).(*ast.CompositeLit); ok && !r.setsSideField(lit, tv.Type) {
		return
	}
	i := len(stack) - 1
	for i > 0 {
		if _, paren := stack[i].(*ast.ParenExpr); !paren {
			break
		}
		i--
	}
	switch p := stack[i].(type) {
	case *ast.ParenExpr:
		return
	case *ast.UnaryExpr:
		if p.Op == token.AND {
			return
		}
	case *ast.SelectorExpr:
		sel := r.in.Info.Selections[p]
		if sel != nil && sel.Kind() == types.FieldVal {
			return
		}
		if sel != nil && sel.Kind() == types.MethodVal {
			if _, ptrRecv := sel.Obj().Type().(*types.Signature).Recv().Type().(*types.Pointer); ptrRecv {
				return
			}
		}
	}
	r.refuseCopy(e, tv.Type)
}

// refuseCopy refuses the copy of a value of t at e.
func (r *rewriter) refuseCopy(e ast.Expr, t types.Type) {
	tn := types.TypeString(t, types.RelativeTo(r.in.Pkg))
	r.refuse(e.Pos(), ReasonSideField, fmt.Sprintf("a value of %s is copied or assigned whole here, and the fields the change adds to %s live outside its compiled layout, keyed by the value's address: the copy would not take them (use a *%s, or restart to apply)", tn, tn, tn))
}

// setsSideField reports whether composite literal lit of type t sets a
// side field.
func (r *rewriter) setsSideField(lit *ast.CompositeLit, t types.Type) bool {
	st := t.Underlying().(*types.Struct)
	for i, e := range lit.Elts {
		idx := i
		if kv, ok := e.(*ast.KeyValueExpr); ok {
			key, _ := kv.Key.(*ast.Ident)
			idx = -1
			for j := 0; key != nil && j < st.NumFields(); j++ {
				if st.Field(j).Name() == key.Name {
					idx = j
				}
			}
		}
		if idx >= 0 && idx < st.NumFields() && r.sideField(t, st.Field(idx)) {
			return true
		}
	}
	return false
}

// rangeElem returns the type of the values a range over t gives, or t.
func rangeElem(t types.Type) types.Type {
	switch u := t.Underlying().(type) {
	case *types.Slice:
		return u.Elem()
	case *types.Array:
		return u.Elem()
	case *types.Pointer:
		if a, ok := u.Elem().Underlying().(*types.Array); ok {
			return a.Elem()
		}
	case *types.Map:
		return u.Elem()
	case *types.Chan:
		return u.Elem()
	}
	return t
}

// promptSide writes x.f, a selection that the check left unchecked, as an
// access to the side table when f is a field that a live change added to
// the type of x (Input.Side), and reports whether it is one. The prompt
// reads a value where it is, so x needs only an address: a pointer, or an
// addressable value (a frame local on a goroutine's stack makes the
// agent's side table panic with its reason).
func (r *rewriter) promptSide(n *ast.SelectorExpr) bool {
	tv, ok := r.in.Info.Types[n.X]
	if r.in.Side == nil || !ok || tv.Type == nil {
		return false
	}
	ft, ok := r.in.Side(tv.Type, n.Sel.Name)
	if !ok {
		return false
	}
	t := tv.Type
	_, ptr := types.Unalias(t).(*types.Pointer)
	if !ptr && !tv.Addressable() {
		r.refuse(n.Sel.Pos(), ReasonSideField, fmt.Sprintf("field %s that a live change adds to %s is read from a value without an address: it lives outside the compiled %s, keyed by the value's address", n.Sel.Name, types.TypeString(t, types.RelativeTo(r.in.Pkg)), types.TypeString(t, types.RelativeTo(r.in.Pkg))))
		return true
	}
	if !r.assertable(ft) {
		r.refuse(n.Sel.Pos(), ReasonSideField, fmt.Sprintf("field %s that a live change adds has type %s, which the prompt cannot name", n.Sel.Name, types.TypeString(ft, types.RelativeTo(r.in.Pkg))))
		return true
	}
	r.add(n, func() string { return r.sideAccess(r.renderNode(n.X), ptr, n.Sel.Name, ft) })
	return true
}

// sideStorable reports whether the agent can keep a side field of type t
// for patched code: a type that interpreted code names as compiled code
// does (assertable), a type the change declares anew (yaegi builds the
// same reflect type for the same declaration, save after save), or a type
// made of those.
func (r *rewriter) sideStorable(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		if r.newType(t) {
			return true
		}
	case *types.Pointer:
		return r.sideStorable(t.Elem())
	case *types.Slice:
		return r.sideStorable(t.Elem())
	case *types.Array:
		return r.sideStorable(t.Elem())
	case *types.Map:
		return r.sideStorable(t.Key()) && r.sideStorable(t.Elem())
	case *types.Chan:
		return r.sideStorable(t.Elem())
	}
	return r.assertable(t)
}

// newType reports whether t is a type the change declares anew, at
// package level, not generic.
func (r *rewriter) newType(t *types.Named) bool {
	return r.in.Change != nil && DeclaredAnew(t, r.in.Change.Pkg, r.in.Change.Compiled)
}

// DeclaredAnew reports whether t is a type that a change of package pkg
// (as the change declares it) declares anew at package level, not
// generic: compiled, the package as built, has no type of its name. Both
// tiers key side fields by it (SideKey).
func DeclaredAnew(t *types.Named, pkg, compiled *types.Package) bool {
	o := t.Obj()
	if o.Pkg() != pkg || o.Parent() != o.Pkg().Scope() || t.TypeParams().Len() > 0 {
		return false
	}
	_, ok := compiled.Scope().Lookup(o.Name()).(*types.TypeName)
	return !ok
}

// SideKey returns the side table's key of the field name of type ft that
// a change adds, quoted: its name and type, and the underlying types of
// the types the change declares anew (isNew) that ft is made of, so that
// a later save that changes one of them keys the field anew (its values
// start from zero) rather than hand patched code a value of the old
// layout. Both tiers key a field with it, so that they share its value.
func SideKey(name string, ft types.Type, isNew func(*types.Named) bool) string {
	var b strings.Builder
	b.WriteString(name + " " + types.TypeString(ft, nil))
	seen := map[*types.Named]bool{}
	var walk func(t types.Type)
	walk = func(t types.Type) {
		switch t := types.Unalias(t).(type) {
		case *types.Named:
			if seen[t] || !isNew(t) {
				return
			}
			seen[t] = true
			b.WriteString("; " + t.Obj().Name() + " " + types.TypeString(t.Underlying(), nil))
			walk(t.Underlying())
		case *types.Pointer:
			walk(t.Elem())
		case *types.Slice:
			walk(t.Elem())
		case *types.Array:
			walk(t.Elem())
		case *types.Map:
			walk(t.Key())
			walk(t.Elem())
		case *types.Chan:
			walk(t.Elem())
		case *types.Struct:
			for i := 0; i < t.NumFields(); i++ {
				walk(t.Field(i).Type())
			}
		}
	}
	walk(ft)
	return strconv.Quote(b.String())
}

// VarKey returns the key of v, a package variable a change declares
// anew, in the agent's table of them (side.Var): its package, its name and
// its type. Plugins declare it there (internal/native, newvars.go), and
// the agent shares the interpreter's storage of it there (wire.Var.Keys).
func VarKey(v *types.Var) string {
	return v.Pkg().Path() + "." + v.Name() + " " + types.TypeString(v.Type(), nil)
}

// SideStorage returns the type both tiers keep a field of type ft in, when
// ft is made of types the change declares anew over basic types (Mode,
// []Mode, map[string]*Mode; isNew) and of no other type it declares: ft
// with each of them replaced by its basic type, the type the
// interpreter's values of ft have at run time (it builds no named types).
// The interpreter's Mode and a plugin's are two types, so a field of type
// Mode is reached through a pointer conversion, *Mode from *string, which
// Go allows between pointers to types of one underlying type; the plugin
// reaches the others through an unsafe.Pointer conversion, *[]Mode from
// *[]string: the two have one layout.
func SideStorage(ft types.Type, isNew func(*types.Named) bool) (types.Type, bool) {
	changed, ok := false, true
	var walk func(t types.Type) types.Type
	walk = func(t types.Type) types.Type {
		switch t := types.Unalias(t).(type) {
		case *types.Named:
			if !isNew(t) {
				return t
			}
			b, basic := t.Underlying().(*types.Basic)
			ok = ok && basic
			changed = true
			return b
		case *types.Pointer:
			return types.NewPointer(walk(t.Elem()))
		case *types.Slice:
			return types.NewSlice(walk(t.Elem()))
		case *types.Array:
			return types.NewArray(walk(t.Elem()), t.Len())
		case *types.Map:
			return types.NewMap(walk(t.Key()), walk(t.Elem()))
		case *types.Chan:
			return types.NewChan(t.Dir(), walk(t.Elem()))
		}
		return t
	}
	st := walk(ft)
	return st, ok && changed
}
