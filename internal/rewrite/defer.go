package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
	"strconv"
	"strings"
)

// This file rewrites defer statements, which yaegi v0.16.1 runs otherwise
// than Go in four ways:
//
//   - it evaluates a deferred call's operands when the call runs, not at
//     the defer statement: it keeps the frame slots of the function value,
//     the receiver and the arguments, so that `for _, s := range xs {
//     defer fmt.Println(s) }` prints the last s every time, and
//     `defer func() { use(i) }()` in a loop sees the last iteration's i;
//   - a closure that a function makes cannot run while that function's
//     deferred calls run (the closure locks the frame it was made in when
//     it returns, which the deferred calls hold): `f := func() {};
//     defer f()` never returns;
//   - a deferred call with a spread argument, defer f(xs...), passes xs
//     as one argument, and panics;
//   - it has no range over functions, whose lowering runs the loop's body
//     in a closure (rangefunc.go): a defer there would run when the
//     closure returns, not when the function does.
//
// So a defer statement evaluates its operands into fresh variables first,
// on its line: `defer f(x, s)` becomes `{ lpA0 := x; lpA1 := s; defer
// f(lpA0, lpA1) }` (constants stay as they are), `defer r.Close()`
// becomes `{ lpR := r; defer lpR.Close() }` (*r when the method wants a
// value; a pointer method of an addressable receiver, mu.Unlock(), keeps
// its receiver, whose address does not change). A deferred function
// literal stays in the statement, so that recover works in it; in a loop,
// the variables of the iteration it uses become its parameters, `defer
// func(i int) { use(i) }(i)`, since the closure is made late. In a
// function that defers, a function literal evaluated as a value (an
// argument of a deferred call, `cleanup := func() {...}`) is made in a
// function of its own that returns it (wrapClosures). A call with a spread
// argument is deferred as a closure, made the same way, that makes it.
//
// A function whose range-over-function bodies defer keeps a list of its
// deferred calls, run in reverse by a defer at its start, and every defer
// of it (in those bodies or not, so that they run in Go's order) appends
// to the list: `lpDefers = append(lpDefers, func() func() { lpA0 := x;
// return func() { f(lpA0) } }())`, the closure made in a function of its
// own. Recover does not work in a function the list calls, so a function
// literal deferred there that calls recover is refused.

// lowerControl rewrites the defer statements and labels of the input;
// visit calls it for every node.
func (r *rewriter) lowerControl(n ast.Node) {
	switch n := n.(type) {
	case *ast.DeferStmt:
		r.lowerDefer(n)
	case *ast.LabeledStmt:
		r.add(n.Label, func() string { return labelName(n.Label.Name) })
	case *ast.BranchStmt:
		if n.Label != nil {
			r.add(n.Label, func() string { return labelName(n.Label.Name) })
		}
	}
}

// labelName is the name a label of the input gets in the interpreter.
// yaegi v0.16.1 keeps labels among the other symbols of a scope, and a
// label named like a variable or parameter in scope (rows: with a
// parameter rows) fails to compile ("label rows not defined"); labels
// get a prefix no other name has.
func labelName(name string) string { return "lpLbl_" + name }

// lowerDefer rewrites d as this file's comment says.
func (r *rewriter) lowerDefer(d *ast.DeferStmt) {
	path := r.pathTo(d)
	f := r.funcAround(path)
	if r.firstDefer(f) == d {
		r.wrapClosures(f)
	}
	if !r.collectsDefers(f) {
		r.deferNow(d, path, f)
		return
	}
	if f.body == nil {
		r.fail(d.Pos(), "a defer inside a range over a function, outside a function")
		return
	}
	if lit, ok := unparen(d.Call.Fun).(*ast.FuncLit); ok && r.callsRecover(lit.Body) || r.isBuiltin(d.Call.Fun, "recover") {
		r.fail(d.Pos(), "a deferred function that recovers, in a function that defers inside a range over a function: the interpreter runs such deferred calls from a list, where recover does not stop a panic")
		return
	}
	if r.firstDefer(f) == d {
		r.add(span{f.body.Lbrace, f.body.Lbrace + 1}, func() string {
			return "{ var lpDefers []func(); defer func() { for lpI := len(lpDefers) - 1; lpI >= 0; lpI-- { lpDefers[lpI]() } }();"
		})
	}
	r.add(d, func() string {
		evals, call := r.deferredCall(d.Call, true, nil)
		return "lpDefers = append(lpDefers, func() func() { " + strings.Join(append(evals, ""), "; ") +
			"return func() { " + call + " } }())"
	})
}

// collectsDefers reports whether f defers inside the body of a range over
// a function.
func (r *rewriter) collectsDefers(f *rfFunc) bool {
	found := false
	for _, s := range f.roots {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				found = found || f.around(n.Pos()) != nil
			}
			return !found
		})
	}
	return found
}

// firstDefer returns f's first defer statement.
func (r *rewriter) firstDefer(f *rfFunc) *ast.DeferStmt {
	var first *ast.DeferStmt
	for _, s := range f.roots {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				if first == nil {
					first = n
				}
			}
			return first == nil
		})
	}
	return first
}

// callsRecover reports whether body calls recover itself (not in a
// function literal of its own).
func (r *rewriter) callsRecover(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = found || r.isBuiltin(n.Fun, "recover")
		}
		return !found
	})
	return found
}

// isBuiltin reports whether e names the builtin function name.
func (r *rewriter) isBuiltin(e ast.Expr, name string) bool {
	id, ok := unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := r.in.Info.Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}

// deferNow rewrites d, a defer of a function that does not keep a list,
// to evaluate its operands at once; a deferred function literal in a loop
// takes the iteration's variables it uses as parameters.
func (r *rewriter) deferNow(d *ast.DeferStmt, path []ast.Node, f *rfFunc) {
	if r.isBuiltin(d.Call.Fun, "clear") {
		return // lowerBuiltin writes the call as a function literal's
	}
	lit, isLit := unparen(d.Call.Fun).(*ast.FuncLit)
	var passed []*ast.Ident // a use of each variable passed, in order
	if isLit {
		var ok bool
		if passed, ok = r.iterationVars(lit, path); !ok {
			return
		}
	}
	if len(passed) == 0 && !r.hasOperands(d.Call) && !d.Call.Ellipsis.IsValid() {
		return
	}
	if len(passed) > 0 {
		// The literal's parameters, before its own (which may end with
		// a variadic one).
		open := lit.Type.Params.Opening
		r.add(span{open, open + 1}, func() string {
			var ps []string
			for _, id := range passed {
				t, err := r.typeString(r.in.Info.Uses[id].Type())
				if err != nil {
					r.fail(id.Pos(), "a function literal deferred in a loop: "+err.Error())
				}
				ps = append(ps, r.renderNode(id)+" "+t)
			}
			s := "(" + strings.Join(ps, ", ")
			if lit.Type.Params.NumFields() > 0 {
				s += ", "
			}
			return s
		})
	}
	r.add(d, func() string {
		evals, call := r.deferredCall(d.Call, false, passed)
		if d.Call.Ellipsis.IsValid() {
			// yaegi v0.16.1 calls a deferred f(xs...) with xs as one
			// argument ("reflect: cannot use []int as type int in
			// Call"): the call is made by a closure, made apart.
			evals = append(evals, "lpD := func() func() { return func() { "+call+" } }()")
			call = "lpD()"
		}
		return "{ " + strings.Join(append(evals, ""), "; ") + "defer " + call + " }"
	})
}

// hasOperands reports whether the call has an operand that deferredCall
// evaluates into a variable: a receiver, a function value or an argument
// that is not a constant.
func (r *rewriter) hasOperands(call *ast.CallExpr) bool {
	if r.fixedFunc(call.Fun) == "" && !r.inPlace(call.Fun) {
		return true
	}
	for _, a := range call.Args {
		if tv := r.in.Info.Types[a]; tv.Value == nil && !tv.IsNil() {
			return true
		}
	}
	return false
}

// fixedFunc returns "fixed" when fun, the function of a deferred call,
// needs no evaluation (a builtin, a function of a package, a method
// expression, a function literal), "" otherwise.
func (r *rewriter) fixedFunc(fun ast.Expr) string {
	fun = unparen(fun)
	if ix, ok := fun.(*ast.IndexExpr); ok {
		fun = ix.X
	}
	if ix, ok := fun.(*ast.IndexListExpr); ok {
		fun = ix.X
	}
	var id *ast.Ident
	switch x := fun.(type) {
	case *ast.FuncLit:
		return "fixed"
	case *ast.Ident:
		id = x
	case *ast.SelectorExpr:
		if sel := r.in.Info.Selections[x]; sel != nil {
			if sel.Kind() == types.MethodExpr {
				return "fixed"
			}
			return ""
		}
		id = x.Sel
	default:
		return ""
	}
	switch obj := r.in.Info.Uses[id].(type) {
	case *types.Builtin:
		return "fixed"
	case *types.Func:
		if sig, ok := obj.Type().(*types.Signature); ok && sig.Recv() == nil {
			return "fixed"
		}
	}
	return ""
}

// deferredCall writes the statements that evaluate the operands of call
// (the function, receiver and arguments of a deferred call) and the call
// of what they evaluated. In a list (inList) the statements run in a
// function of their own, so a function literal is evaluated like any
// value; otherwise a deferred function literal stays in the call, its
// first arguments the variables passed.
func (r *rewriter) deferredCall(call *ast.CallExpr, inList bool, passed []*ast.Ident) (evals []string, text string) {
	fun := unparen(call.Fun)
	var fn string
	_, isLit := fun.(*ast.FuncLit)
	switch {
	case isLit && inList:
		evals = append(evals, "lpF := "+r.renderNode(fun))
		fn = "lpF"
	case r.fixedFunc(fun) != "" || r.inPlace(fun):
		fn = r.renderNode(fun)
	default:
		fn = r.receiverCall(fun, &evals)
	}
	var args []string
	for _, id := range passed {
		args = append(args, r.renderNode(id))
	}
	sig, _ := r.in.Info.Types[call.Fun].Type.(*types.Signature)
	if len(call.Args) == 1 {
		if tup, ok := r.in.Info.Types[call.Args[0]].Type.(*types.Tuple); ok {
			var names []string
			for i := 0; i < tup.Len(); i++ {
				names = append(names, "lpA"+strconv.Itoa(i))
			}
			evals = append(evals, strings.Join(names, ", ")+" := "+r.renderNode(call.Args[0]))
			return evals, fn + "(" + strings.Join(append(args, names...), ", ") + ")"
		}
	}
	for i, a := range call.Args {
		tv := r.in.Info.Types[a]
		if tv.Value != nil || tv.IsNil() {
			args = append(args, r.renderNode(a))
			continue
		}
		name := "lpA" + strconv.Itoa(i)
		value := r.renderNode(a)
		if lit, ok := unparen(a).(*ast.FuncLit); ok && !inList {
			value = "func() " + r.renderNode(lit.Type) + " { return " + value + " }()"
		} else if b, ok := tv.Type.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 && sig != nil {
			if pt := paramType(sig, i, call.Ellipsis.IsValid()); pt != nil && !types.IsInterface(pt) {
				if s, err := r.typeString(pt); err == nil {
					value = s + "(" + value + ")"
				}
			}
		}
		evals = append(evals, name+" := "+value)
		args = append(args, name)
	}
	text = fn + "(" + strings.Join(args, ", ")
	if call.Ellipsis.IsValid() {
		text += "..."
	}
	return evals, text + ")"
}

// paramType returns the type of the parameter of sig that argument i
// goes to, or nil.
func paramType(sig *types.Signature, i int, ellipsis bool) types.Type {
	n := sig.Params().Len()
	switch {
	case sig.Variadic() && i >= n-1 && !ellipsis:
		if s, ok := sig.Params().At(n - 1).Type().(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	case i < n:
		return sig.Params().At(i).Type()
	}
	return nil
}

// method returns the selection of a call's function that is a method of
// a receiver the call can go through (not one reached through an
// accessor), or nil, and whether the method wants a pointer the receiver
// is not.
func (r *rewriter) method(fun ast.Expr) (x *ast.SelectorExpr, sel *types.Selection, addr bool) {
	x, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return nil, nil, false
	}
	sel = r.in.Info.Selections[x]
	if sel == nil || sel.Kind() != types.MethodVal || r.methodAccessor(sel) != "" {
		return nil, nil, false
	}
	wantPtr := false
	if rt := sel.Obj().(*types.Func).Type().(*types.Signature).Recv(); rt != nil {
		_, wantPtr = types.Unalias(rt.Type()).(*types.Pointer)
	}
	_, isPtr := types.Unalias(sel.Recv()).(*types.Pointer)
	return x, sel, wantPtr && !isPtr && !types.IsInterface(sel.Recv())
}

// inPlace reports whether fun is a method with a pointer receiver called
// on an addressable value, mu.Unlock(): the call takes the address of the
// same variable whenever it runs, so the receiver stays in the call (the
// rewriting may have written it as an expression & does not apply to).
func (r *rewriter) inPlace(fun ast.Expr) bool {
	_, _, addr := r.method(unparen(fun))
	return addr
}

// receiverCall writes the evaluation of a deferred call's function that is
// a value (lpF := f) or a method of a receiver (lpR := r, or *r when the
// method wants a value; a call through the receiver works where a method
// value of a compiled type does not, see the agent's bintypes.go), and
// returns what the call calls.
func (r *rewriter) receiverCall(fun ast.Expr, evals *[]string) string {
	if x, sel, _ := r.method(fun); x != nil {
		recv := r.renderNode(x.X)
		wantPtr := false
		if rt := sel.Obj().(*types.Func).Type().(*types.Signature).Recv(); rt != nil {
			_, wantPtr = types.Unalias(rt.Type()).(*types.Pointer)
		}
		if _, isPtr := types.Unalias(sel.Recv()).(*types.Pointer); isPtr && !wantPtr {
			recv = "*" + recv
		}
		*evals = append(*evals, "lpR := "+recv)
		return "lpR." + x.Sel.Name
	}
	*evals = append(*evals, "lpF := "+r.renderNode(fun))
	return "lpF"
}

// iterationVars returns, for a function literal deferred in a loop, a use
// of each variable of an iteration that it uses (declared in the
// outermost loop around the defer, in the same function, and not in the
// literal). ok is false when the literal cannot take them as parameters:
// when it assigns one, or one is a loop's variable that yaegi shares
// across iterations (one the loop's body assigns).
func (r *rewriter) iterationVars(lit *ast.FuncLit, path []ast.Node) (uses []*ast.Ident, ok bool) {
	var loop ast.Node
	for i := len(path) - 1; i >= 0; i-- {
		if _, isLit := path[i].(*ast.FuncLit); isLit {
			break
		}
		switch path[i].(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			loop = path[i]
		}
	}
	if loop == nil {
		return nil, true
	}
	seen := map[types.Object]bool{}
	ok = true
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		id, isIdent := n.(*ast.Ident)
		if !isIdent || !ok {
			return ok
		}
		v, isVar := r.in.Info.Uses[id].(*types.Var)
		if !isVar || v.IsField() || seen[v] || v.Pos() < loop.Pos() || v.Pos() >= loop.End() ||
			v.Pos() >= lit.Pos() && v.Pos() < lit.End() {
			return true
		}
		seen[v] = true
		switch {
		case r.assigns(lit.Body, v):
			r.fail(id.Pos(), "a function literal deferred in a loop that assigns "+v.Name()+", a variable of the iteration: the interpreter makes the closure when the deferred call runs, so it would get the variable as a parameter")
			ok = false
		case !r.freshPerIteration(v, loop):
			r.fail(id.Pos(), "a function literal deferred in a loop that uses "+v.Name()+", a loop variable the body assigns: the interpreter would give every deferred call the last iteration's")
			ok = false
		default:
			uses = append(uses, id)
		}
		return true
	})
	return uses, ok
}

// freshPerIteration reports whether v, declared in loop (or in a loop in
// it), is a new variable in yaegi at each iteration: one the body declares,
// or a loop variable that the lowering copies per iteration (lowerFor,
// lowerRange) or declares in the body (a range over an integer).
func (r *rewriter) freshPerIteration(v *types.Var, loop ast.Node) bool {
	fresh := true
	ast.Inspect(loop, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ForStmt:
			init, isDefine := n.Init.(*ast.AssignStmt)
			if !isDefine || init.Tok != token.DEFINE {
				return true
			}
			header := false
			for _, l := range init.Lhs {
				if id, isIdent := l.(*ast.Ident); isIdent && r.in.Info.Defs[id] == v {
					header = true
				}
			}
			if header {
				for _, l := range init.Lhs {
					if id, isIdent := l.(*ast.Ident); isIdent {
						if w, isVar := r.in.Info.Defs[id].(*types.Var); isVar && r.assigns(n.Body, w) {
							fresh = false
						}
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok != token.DEFINE {
				return true
			}
			if bt, isBasic := r.in.Info.Types[n.X].Type.Underlying().(*types.Basic); isBasic && bt.Info()&types.IsInteger != 0 {
				return true
			}
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, isIdent := e.(*ast.Ident); isIdent && r.in.Info.Defs[id] == v && r.assigns(n.Body, v) {
					fresh = false
				}
			}
		case *ast.TypeSwitchStmt:
			if as, isAssign := n.Assign.(*ast.AssignStmt); isAssign && len(as.Lhs) == 1 && as.Lhs[0].Pos() == v.Pos() {
				fresh = false // a clause's variable, which yaegi may keep in one slot
			}
		}
		return fresh
	})
	return fresh
}

// wrapClosures makes the function literals that f, a function that
// defers, evaluates as values in a function of their own: `cleanup :=
// func() { ... }` becomes `cleanup := func() func() { return func() { ...
// } }()`. A closure that yaegi v0.16.1 makes locks the frame it was made in
// when it returns, and the frame of a function is locked while its
// deferred calls run: `cleanup := func() {}; defer cleanup()` would never
// return. A literal that is called where it is (deferred, started as a
// goroutine or called at once), or made in the body of a range over a
// function (a frame of its own), stays as it is, and so do the deferred
// calls' arguments, which deferredCall makes the same way.
func (r *rewriter) wrapClosures(f *rfFunc) {
	called := map[*ast.FuncLit]bool{}
	for _, s := range f.roots {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				if !called[n] && f.around(n.Pos()) == nil {
					r.add(n, func() string {
						return "func() " + r.renderNode(n.Type) + " { return " + r.renderNode(n) + " }()"
					})
				}
				return false
			case *ast.CallExpr:
				if lit, ok := unparen(n.Fun).(*ast.FuncLit); ok {
					called[lit] = true
				}
			case *ast.DeferStmt:
				for _, a := range n.Call.Args {
					if lit, ok := unparen(a).(*ast.FuncLit); ok {
						called[lit] = true
					}
				}
			}
			return true
		})
	}
}
