package rewrite

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"go/types"
	"strings"

	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent"
	"github.com/livepatch/livepatch/target/agent/side"
)

// This file writes the field selections that the interpreter cannot make
// itself, on the same lines.
//
// yaegi reaches a field of a compiled struct value through reflect, and
// reflect marks the value of an unexported field read-only: the
// interpreter can read its bits (x.n + 1 works) but not call a method on
// it, pass it to a function, assign it or store it ("reflect.Value.Call
// using value obtained using unexported field", "reflect.Value.Set ...").
// An unexported field of a compiled named type is reached through the
// builder's accessor lpField_T_f, compiled code that returns the field's
// address (walk). A struct type without a name has no accessor: a package
// variable var table []struct{ r *strings.Replacer }, a field of such a
// type, a frame local of a test table. Its unexported fields are reached
// through reflect itself, from interpreted code (reflectRun): the field's
// address, taken with Value.UnsafePointer (which reflect allows on a
// read-only value) and made again with reflect.NewAt, is a pointer of the
// field's type that reflect does not mark; it is the same memory, so
// reads, writes, calls and taking the address behave as in compiled code.
//
// yaegi also refuses to take the address of a dereferenced call,
// &(*lpField_T_f(&x)) ("cannot take address of *T [kind: callExpr]"), which
// &x.f, a method with a pointer receiver called on x.f, and a field of an
// unexported field (x.f.g) would write: the pointer itself is written
// instead (addressOf).

// reflectPkg is the name the rewriting imports package reflect under.
const reflectPkg = "lp_reflect"

// reflectField reports whether field f of struct type t (not a pointer) is
// reached through reflect: an unexported field of a struct type without a
// name, declared in a user package.
func (r *rewriter) reflectField(t types.Type, f *types.Var) bool {
	_, named := types.Unalias(t).(*types.Named)
	return !named && !f.Exported() && f.Name() != "_" && r.isUser(f.Pkg())
}

// fieldPath writes a field selection with every unexported field reached
// through its generated accessor, (*lpField_T_f(&x)), or through reflect.
func (r *rewriter) fieldPath(n *ast.SelectorExpr, sel *types.Selection) string {
	cur, _ := r.walkSelection(n.X, sel.Recv(), sel.Index())
	return cur
}

// walkSelection writes the selection of the fields idx (embedded ones on
// the way to a promoted field or method) from x, an expression of type t,
// and returns it with its type.
//
// A field selection in x (x.a for x.a.b) joins the walk, so that the
// fields reached through reflect are selected from x in one go: the value
// of x.a may have a type that interpreted code cannot name.
func (r *rewriter) walkSelection(x ast.Expr, t types.Type, idx []int) (string, types.Type) {
	for {
		sx, ok := ast.Unparen(x).(*ast.SelectorExpr)
		if !ok {
			break
		}
		sel := r.in.Info.Selections[sx]
		if sel == nil || sel.Kind() != types.FieldVal {
			break
		}
		idx = append(append([]int(nil), sel.Index()...), idx...)
		x, t = sx.X, sel.Recv()
	}
	tv, ok := r.in.Info.Types[x]
	return r.walk(r.renderNode(x), ok && tv.Addressable(), r.pointerReached(x), t, idx, x.End())
}

// walkFields is walkSelection from cur, an addressable expression or a
// pointer.
func (r *rewriter) walkFields(cur string, t types.Type, idx []int) (string, types.Type) {
	_, ptr := types.Unalias(t).(*types.Pointer)
	return r.walk(cur, true, ptr, t, idx, token.NoPos)
}

// walk writes the selection of the fields idx from cur, an expression of
// type t that is addressable or not, and reached through a pointer or not
// (pointerReached), and returns it with its type. A field that a change
// adds to a compiled type is reached in the agent's side table (sideStep).
// A field
// reached through reflect whose value interpreted code cannot hold (its
// type is a struct without a name that has unexported fields, or is made
// of one) fails the rewriting at pos: yaegi would panic at run time on
// anything but reading its bits.
func (r *rewriter) walk(cur string, addressable, reached bool, t types.Type, idx []int, pos token.Pos) (string, types.Type) {
	for i := 0; i < len(idx); i++ {
		ptr := false
		if p, ok := types.Unalias(t).(*types.Pointer); ok {
			t, ptr = p.Elem(), true
		}
		reached = reached || ptr
		st := t.Underlying().(*types.Struct)
		f := st.Field(idx[i])
		if r.sideField(t, f) {
			cur, t, addressable, reached = r.sideStep(cur, ptr, reached, t, f, pos), f.Type(), true, true
			continue
		}
		if r.reflectField(t, f) {
			if n, expr, end := r.reflectRun(cur, ptr, addressable, t, idx[i:]); n > 0 {
				cur, t, addressable = expr, end, true
				i += n - 1
				continue
			}
			r.fail(pos, fmt.Sprintf("field %s of a struct type without a name has type %s, which the interpreter cannot hold as compiled code does (a struct type without a name with unexported fields)",
				f.Name(), types.TypeString(f.Type(), types.RelativeTo(r.in.Pkg))))
		}
		if named, _ := types.Unalias(t).(*types.Named); r.fieldAccessor(t, f) {
			q := r.accessorQualifier(named)
			arg := cur
			switch {
			case ptr:
			case addressable:
				arg = addressOf(cur)
			default:
				// A value without an address (a call's result): the
				// accessor reads the field of a copy, as Go reads it.
				tn := r.typeText(t)
				arg = "func(lpC " + tn + ") *" + tn + " { return &lpC }(" + cur + ")"
			}
			cur = "(*" + q + patcher.FieldAccessorPrefix + r.accessorBase(named) + "_" + f.Name() + "(" + arg + "))"
			addressable = true
		} else {
			cur = cur + "." + f.Name()
			addressable = addressable || ptr
		}
		t = f.Type()
	}
	return cur, t
}

// reflectRun writes, from cur (an expression of struct type t, or a
// pointer to it when ptr), the selection of the leading fields of idx that
// go through reflect: the first one, which reflectField accepts, and the
// ones after it up to a field whose type the interpreted code can name as
// compiled code does (assertable; a struct without a name and with
// unexported fields has another type in the interpreter) and that is not
// such a field itself. It returns how many fields it selects (0 when the
// last one's type cannot be named: the selection is left to the
// interpreter), the expression, (*T)(the field's address), and T.
//
// A value that is not addressable (a call's result, a map element) is
// copied first; reading its field is all Go allows.
func (r *rewriter) reflectRun(cur string, ptr, addressable bool, t types.Type, idx []int) (int, string, types.Type) {
	path := ""
	n := 0
	for n < len(idx) {
		if n > 0 {
			if p, ok := types.Unalias(t).(*types.Pointer); ok {
				t = p.Elem()
				path += ".Elem()"
			}
		}
		f := t.Underlying().(*types.Struct).Field(idx[n])
		path += fmt.Sprintf(".Field(%d)", idx[n])
		t = f.Type()
		n++
		if !r.assertable(t) {
			continue
		}
		if n == len(idx) {
			break
		}
		next := t
		if p, ok := types.Unalias(next).(*types.Pointer); ok {
			next = p.Elem()
		}
		st, ok := next.Underlying().(*types.Struct)
		if !ok || !r.reflectField(next, st.Field(idx[n])) {
			break
		}
	}
	if !r.assertable(t) {
		return 0, "", nil
	}
	var base string
	switch {
	case ptr:
		base = reflectPkg + ".ValueOf(" + cur + ").Elem()"
	case addressable:
		base = reflectPkg + ".ValueOf(" + addressOf(cur) + ").Elem()"
	default:
		base = reflectPkg + ".ValueOf(" + cur + ")"
	}
	r.imports[reflectPkg+` "reflect"`] = true
	pt := "*" + r.typeText(t)
	v := reflectPkg + ".Value"
	expr := "(*func(lpV " + v + ") " + pt + " { " +
		"if !lpV.CanAddr() { lpC := " + reflectPkg + ".New(lpV.Type()).Elem(); lpC.Set(lpV); lpV = lpC }; " +
		"lpV = lpV" + path + "; " +
		"return " + reflectPkg + ".NewAt(lpV.Type(), lpV.Addr().UnsafePointer()).Interface().(" + pt + ") }(" + base + "))"
	return n, expr, t
}

// assertable reports whether interpreted code can name t, in the input's
// scope, as the type that compiled code gives it, so that a type assertion
// to *t of a pointer made by reflect succeeds: basic types, compiled named
// types, and types made of them. Not: a struct without a name that has
// unexported or embedded fields (yaegi builds its own struct type, fields
// renamed), an interface without a name that has methods (yaegi's own
// wrapper type), a type declared in a function, by a saved change, or
// generic.
func (r *rewriter) assertable(t types.Type) bool {
	switch t := types.Unalias(t).(type) {
	case *types.Basic:
		return t.Kind() != types.UnsafePointer && t.Info()&types.IsUntyped == 0
	case *types.Named:
		o := t.Obj()
		if o.Pkg() == nil {
			return true // error
		}
		if o.Parent() != o.Pkg().Scope() || t.TypeArgs().Len() > 0 || !o.Exported() && o.Pkg().Path() != r.in.Pkg.Path() {
			return false
		}
		return !r.isUser(o.Pkg()) || r.compiled(t)
	case *types.Pointer:
		return r.assertable(t.Elem())
	case *types.Slice:
		return r.assertable(t.Elem())
	case *types.Array:
		return r.assertable(t.Elem())
	case *types.Chan:
		return r.assertable(t.Elem())
	case *types.Map:
		return r.assertable(t.Key()) && r.assertable(t.Elem())
	case *types.Signature:
		for _, tu := range []*types.Tuple{t.Params(), t.Results()} {
			for i := 0; i < tu.Len(); i++ {
				if !r.assertable(tu.At(i).Type()) {
					return false
				}
			}
		}
		return t.TypeParams().Len() == 0
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			if f := t.Field(i); !f.Exported() || f.Embedded() || !r.assertable(f.Type()) {
				return false
			}
		}
		return true
	case *types.Interface:
		return t.NumMethods() == 0 && t.IsMethodSet()
	}
	return false
}

// lowerFieldAddr writes &x.f, for a selection that the rewriting writes as
// a dereference, as the pointer itself: yaegi cannot take the address of a
// dereferenced call.
func (r *rewriter) lowerFieldAddr(n *ast.UnaryExpr) {
	if n.Op != token.AND {
		return
	}
	x, ok := ast.Unparen(n.X).(*ast.SelectorExpr)
	if !ok {
		return
	}
	sel := r.in.Info.Selections[x]
	if sel == nil || sel.Kind() != types.FieldVal || !r.needsAccessor(sel) {
		return
	}
	r.add(n, func() string { return addressOf(r.fieldPath(x, sel)) })
}

// addressOf writes the address of expr: for (*p), with p a pointer the
// rewriting writes (generatedPointer, never nil), p itself, else &expr.
func addressOf(expr string) string {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return "&" + expr
	}
	if p, ok := e.(*ast.ParenExpr); ok {
		if s, ok := p.X.(*ast.StarExpr); ok && generatedPointer(s.X) {
			// ParseExpr positions count from 1.
			return expr[s.X.Pos()-1 : s.X.End()-1]
		}
	}
	return "&" + expr
}

// generatedPointer reports whether e is a pointer the rewriting writes:
// the address of a package variable, lpAddr_v (qualified or not), or of a
// frame local, lp_frame.x, or a call that gives a field's address, of an
// accessor lpField_T_f(...) (qualified or not) or of reflectRun's function
// literal; or such a pointer converted, (*T)(p).
func generatedPointer(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return strings.HasPrefix(e.Name, patcher.VarAddrPrefix)
	case *ast.SelectorExpr:
		id, ok := e.X.(*ast.Ident)
		return ok && (id.Name == agent.FramePackage || strings.HasPrefix(e.Sel.Name, patcher.VarAddrPrefix))
	}
	if ta, ok := e.(*ast.TypeAssertExpr); ok { // sidefields.go: lp_side.Field(...).(*T)
		call, ok := ta.X.(*ast.CallExpr)
		if !ok {
			return false
		}
		sel, ok := call.Fun.(*ast.SelectorExpr)
		if !ok {
			return false
		}
		id, ok := sel.X.(*ast.Ident)
		return ok && id.Name == side.Package
	}
	call, ok := e.(*ast.CallExpr)
	if !ok {
		return false
	}
	if pt, ok := call.Fun.(*ast.ParenExpr); ok && len(call.Args) == 1 { // sidefields.go: (*T)(lp_side.Field(...).(*string))
		_, isPtr := pt.X.(*ast.StarExpr)
		return isPtr && generatedPointer(call.Args[0])
	}
	switch f := call.Fun.(type) {
	case *ast.Ident:
		return strings.HasPrefix(f.Name, patcher.FieldAccessorPrefix)
	case *ast.SelectorExpr:
		return strings.HasPrefix(f.Sel.Name, patcher.FieldAccessorPrefix)
	case *ast.FuncLit:
		ps := f.Type.Params.List
		return len(ps) == 1 && len(ps[0].Names) == 1 && ps[0].Names[0].Name == "lpV"
	}
	return false
}

// convertFuncStores writes a conversion around a call whose result, of a
// func type, n stores in a field reached through an accessor:
// p.im = p.modes.top() becomes *lpField_T_im(p) = (mode)(...). yaegi
// v0.16.1 stores a compiled call's func result through that dereference
// as nil (x/net/html's resetInsertionMode lost its insertion mode); a
// converted value, or one held in a variable first, is stored.
func (r *rewriter) convertFuncStores(n *ast.AssignStmt) {
	if n.Tok != token.ASSIGN || len(n.Lhs) != len(n.Rhs) {
		return
	}
	for i, lhs := range n.Lhs {
		sel, ok := ast.Unparen(lhs).(*ast.SelectorExpr)
		if !ok {
			continue
		}
		s := r.in.Info.Selections[sel]
		call, isCall := ast.Unparen(n.Rhs[i]).(*ast.CallExpr)
		if s == nil || s.Kind() != types.FieldVal || !r.needsAccessor(s) || !isCall {
			continue
		}
		if tv, ok := r.in.Info.Types[call.Fun]; ok && (tv.IsType() || tv.IsBuiltin()) {
			continue // a conversion already, or a builtin
		}
		t := r.in.Info.TypeOf(call)
		if _, isFunc := t.Underlying().(*types.Signature); !isFunc {
			continue
		}
		rhs := n.Rhs[i]
		r.add(rhs, func() string { return "(" + r.typeText(t) + ")(" + r.renderNode(rhs) + ")" })
	}
}
