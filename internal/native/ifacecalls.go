package native

import (
	"fmt"
	"go/ast"
	"go/types"
	"strings"

	"github.com/livepatch/livepatch/internal/rewrite"
)

// ifaceMethod rewrites x.m, a method value or call of m, a method that the
// change adds to x's compiled interface type, into a dispatch on x's
// dynamic type, as the interpreter's patch does (rewrite/ifacecalls.go):
//
//	func(lpX I) func(n int) { switch lpV := lpX.(type) { case *T: return func(lpA0 int) { LpNewM_T_m(lpV, lpA0) } }; return lpX.(interface{ m(n int) }).m }(x)
//
// a case for each compiled type of the package to which the change adds
// m (the plugin declares it as a function of its receiver), and an
// assertion for the rest: compiled types whose method was there.
func (w *funcWriter) ifaceMethod(se *ast.SelectorExpr, sel *types.Selection) {
	m := sel.Obj().(*types.Func)
	sig := m.Type().(*types.Signature)
	fnType, err := w.typeText(types.NewSignatureType(nil, nil, nil, sig.Params(), sig.Results(), sig.Variadic()))
	if err != nil {
		w.fail(err)
		return
	}
	iface, err := w.typeText(sel.Recv())
	if err != nil {
		w.fail(err)
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "func(lpX %s) %s { switch lpV := lpX.(type) {", iface, fnType)
	compiled := func(name string) bool { return w.c.Compiled.Scope().Lookup(name) != nil }
	for _, h := range rewrite.MethodHolders(w.c.Pkg, compiled, m) {
		if w.nd.newMethod(h.Method) == nil {
			if !h.Method.Exported() {
				// The plugin's assertion names its own unexported m.
				w.fail(notCovered("it calls %s through interface %s, which the change gives it, and compiled %s has it unexported", m.Name(), types.TypeString(sel.Recv(), types.RelativeTo(w.c.Pkg)), h.Named.Obj().Name()))
				return
			}
			continue // compiled as it is: the assertion finds it
		}
		c, err := w.dispatchCase(h.Type, h.Method, h.Ptr, sig)
		if err != nil {
			w.fail(err)
			return
		}
		b.WriteString(c)
	}
	fmt.Fprintf(&b, " }; return lpX.(interface{ %s%s }).%s }(", m.Name(), strings.TrimPrefix(fnType, "func"), m.Name())
	w.handled[se.Sel] = true
	w.insert(se.X.Pos(), b.String())
	w.edits = append(w.edits, edit{w.off(se.X.End()), w.off(se.End()), ")"})
}

// dispatchCase writes the case of ifaceMethod for t, a compiled type or a
// pointer to one (ptr), to which the change adds fn: a function of fn's
// parameters (sig's) that calls the plugin's function for fn.
func (w *funcWriter) dispatchCase(t types.Type, fn *types.Func, ptr bool, sig *types.Signature) (string, error) {
	tt, err := w.typeText(t)
	if err != nil {
		return "", err
	}
	_, wantPtr := types.Unalias(fn.Type().(*types.Signature).Recv().Type()).(*types.Pointer)
	recv := "lpV"
	if ptr && !wantPtr {
		recv = "*lpV"
	}
	var params, args []string
	for i := range sig.Params().Len() {
		pt := sig.Params().At(i).Type()
		name := fmt.Sprintf("lpA%d", i)
		if sig.Variadic() && i == sig.Params().Len()-1 {
			s, err := w.typeText(pt.(*types.Slice).Elem())
			if err != nil {
				return "", err
			}
			params, args = append(params, name+" ..."+s), append(args, name+"...")
			continue
		}
		s, err := w.typeText(pt)
		if err != nil {
			return "", err
		}
		params, args = append(params, name+" "+s), append(args, name)
	}
	results, err := w.typeText(sig.Results())
	if err != nil {
		return "", err
	}
	ret := ""
	if sig.Results().Len() > 0 {
		ret = "return "
	}
	w.nd.add(fn)
	call := newMethodName(w.nd.newMethod(fn), fn) + "(" + strings.Join(append([]string{recv}, args...), ", ") + ")"
	return fmt.Sprintf(" case %s: return func(%s) %s { %s%s };", tt, strings.Join(params, ", "), results, ret, call), nil
}
