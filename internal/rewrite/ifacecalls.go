package rewrite

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"
)

// A method that a change adds to a compiled interface type, called
// through a value of it (x.m with x of interface type I), has no entry in
// the method tables of the compiled values that I holds, and the
// interpreter, which reaches I as built, has no such method to call. The
// rewriting writes the method value as a dispatch on the value's dynamic
// type instead:
//
//	func(lpX I) func(n int) { switch lpV := any(lpX).(type) { case *T: return lpNew_T_m(lpV) }; return any(lpX).(interface{ m(n int) }).m }(x)
//
// a case for each compiled type of the package that has m once the change
// is live (through the method the change adds to it, lpNew_T_m, or its
// compiled one), and an assertion for the others: the types the change
// declares, which the interpreter builds with their methods. A compiled
// type of another package, or one that lacks m, cannot hold m: the change
// is refused before (change.interfaceChanges, lackers).

// gainedMethod reports whether sel, a method value, selects a method that
// the change adds to a compiled interface type of its package.
func (r *rewriter) gainedMethod(sel *types.Selection) bool {
	return r.in.Change != nil && GainedMethod(sel, r.in.Change.Pkg, r.in.Change.Compiled)
}

// GainedMethod reports whether sel, a method value, selects a method that
// a change adds to an interface type of its package pkg that compiled, the
// package as built, declares without it.
func GainedMethod(sel *types.Selection, pkg, compiled *types.Package) bool {
	named, ok := types.Unalias(sel.Recv()).(*types.Named)
	if !ok || named.Obj().Pkg() != pkg || !types.IsInterface(named) || compiled == nil {
		return false
	}
	tn, ok := compiled.Scope().Lookup(named.Obj().Name()).(*types.TypeName)
	if !ok {
		return false
	}
	iface, ok := tn.Type().Underlying().(*types.Interface)
	if !ok {
		return false
	}
	for i := range iface.NumMethods() {
		if iface.Method(i).Name() == sel.Obj().Name() {
			return false
		}
	}
	return true
}

// MethodHolder is a compiled type of the changed package, or a pointer to
// one (Ptr), whose method set has a method of the name and signature of a
// method a compiled interface type gains.
type MethodHolder struct {
	Type   types.Type // Named, or a pointer to it
	Named  *types.Named
	Ptr    bool
	Method *types.Func // its method of that name
}

// MethodHolders returns the holders of m, a method a compiled interface
// type of pkg gains: the types a value of the interface may hold whose
// method m's dispatch (both tiers') calls, in the order of pkg's scope;
// compiled reports whether the build has a type of the name. Interfaces,
// aliases and generic types are left out.
func MethodHolders(pkg *types.Package, compiled func(name string) bool, m *types.Func) []MethodHolder {
	sig := m.Type().(*types.Signature)
	var out []MethodHolder
	for _, name := range pkg.Scope().Names() {
		tn, ok := pkg.Scope().Lookup(name).(*types.TypeName)
		if !ok || tn.IsAlias() || types.IsInterface(tn.Type()) || !compiled(name) {
			continue
		}
		named, ok := tn.Type().(*types.Named)
		if !ok || named.TypeParams().Len() > 0 {
			continue
		}
		for _, ptr := range []bool{false, true} {
			var t types.Type = named
			if ptr {
				t = types.NewPointer(named)
			}
			obj, _, _ := types.LookupFieldOrMethod(t, false, m.Pkg(), m.Name())
			fn, ok := obj.(*types.Func)
			if !ok || !types.Identical(fn.Type().(*types.Signature).Params(), sig.Params()) || !types.Identical(fn.Type().(*types.Signature).Results(), sig.Results()) {
				continue
			}
			out = append(out, MethodHolder{Type: t, Named: named, Ptr: ptr, Method: fn})
		}
	}
	return out
}

// ifaceDispatch writes the method value n (x.m), of a method that the
// change adds to x's interface type, as a dispatch on x's dynamic type.
func (r *rewriter) ifaceDispatch(n *ast.SelectorExpr, sel *types.Selection) string {
	m := sel.Obj().(*types.Func)
	sig := m.Type().(*types.Signature)
	fnType := r.typeText(types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic()))
	var b strings.Builder
	fmt.Fprintf(&b, "func(lpX %s) %s { switch lpV := interface{}(lpX).(type) {", r.typeText(sel.Recv()), fnType)
	for _, h := range MethodHolders(r.in.Change.Pkg, r.in.Change.CompiledType, m) {
		if value := r.dynamicMethod(h.Method, h.Named, h.Ptr); value != "" {
			fmt.Fprintf(&b, " case %s: return %s;", r.typeText(h.Type), value)
		}
	}
	sigText := strings.TrimPrefix(fnType, "func")
	fmt.Fprintf(&b, " }; return interface{}(lpX).(interface{ %s%s }).%s }(%s)", m.Name(), sigText, m.Name(), r.renderNode(n.X))
	return b.String()
}

// dynamicMethod writes the method value of fn, a method of the compiled
// type named, from lpV, a value of named or of a pointer to it (ptr);
// "" when the interpreter's assertion reaches it itself (an exported
// compiled method). A method promoted through an embedded field is left
// to the assertion too, as is one the interpreter cannot reach: the
// change is refused then.
func (r *rewriter) dynamicMethod(fn *types.Func, named *types.Named, ptr bool) string {
	if RecvNamed(fn) != named {
		return ""
	}
	_, wantPtr := types.Unalias(fn.Type().(*types.Signature).Recv().Type()).(*types.Pointer)
	recv := "lpV"
	if ptr && !wantPtr {
		recv = "*lpV"
	}
	switch {
	case r.in.Change.NewMethods[fn]:
		return NewMethodPrefix + named.Obj().Name() + "_" + fn.Name() + "(" + recv + ")"
	case !fn.Exported():
		r.fail(fn.Pos(), fmt.Sprintf("method %s, which the change adds to an interface, is an unexported compiled method of %s: the interpreter cannot reach it through the interface", fn.Name(), named.Obj().Name()))
	}
	return ""
}
