package lower

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
//     closure returns, not when the function does;
//   - when a deferred call panics, it runs none of the function's other
//     deferred calls (a deferred recover among them included).
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
// A function that may have more than one deferred call (two defer
// statements, or one in a loop), or whose range-over-function bodies
// defer, keeps a list of its deferred calls, and every defer of it (so
// that they run in Go's order) appends to the list: `lpDefers =
// append(lpDefers, func() func(func() any) { lpA0 := x; return
// func(lpRecover func() any) { f(lpA0) } }())`, the closure made in a
// function of its own. A defer at the function's start takes the
// function's panic (recover), runs the list in reverse, each call in a
// frame of its own whose panic replaces the one in flight, as Go's does,
// and panics with the panic in flight at the end, if any (listRunner).
// A deferred function literal that calls recover calls lpRecover
// instead, which takes the panic in flight as Go's recover would.

// Control rewrites the defer statements and labels of the input; the
// rewriter calls it for every node it visits.
func (l *Lowering) Control(n ast.Node) {
	switch n := n.(type) {
	case *ast.DeferStmt:
		l.lowerDefer(n)
	case *ast.LabeledStmt:
		l.h.Add(n.Label, func() string { return labelName(n.Label.Name) })
	case *ast.BranchStmt:
		if n.Label != nil {
			l.h.Add(n.Label, func() string { return labelName(n.Label.Name) })
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
func (l *Lowering) lowerDefer(d *ast.DeferStmt) {
	path := l.pathTo(d)
	f := l.funcAround(path)
	if l.firstDefer(f) == d {
		l.wrapClosures(f)
	}
	if !l.collectsDefers(f) {
		l.deferNow(d, path, f)
		return
	}
	if f.body == nil {
		l.h.Fail(d.Pos(), "", "a defer inside a range over a function, outside a function")
		return
	}
	if l.firstDefer(f) == d {
		l.h.Add(span{f.body.Lbrace, f.body.Lbrace + 1}, func() string { return "{ " + listRunner })
	}
	if l.isBuiltin(d.Call.Fun, "recover") {
		// Not called by a deferred function itself: recovers nothing.
		l.h.Add(d, func() string { return "lpDefers = append(lpDefers, func(func() any) {})" })
		return
	}
	recovers := false
	if lit, ok := ast.Unparen(d.Call.Fun).(*ast.FuncLit); ok {
		// Made at the defer statement, in its iteration: only the checks.
		if _, ok := l.iterationVars(lit, path); !ok {
			return
		}
		recovers = l.callsRecover(lit.Body)
		l.recoverCalls(lit.Body)
	}
	l.h.Add(d, func() string {
		evals, call := l.deferredCall(d.Call, true, nil)
		if recovers && len(evals) > 0 && strings.HasPrefix(evals[0], "lpF := ") {
			// The literal calls lpRecover: made where it is in scope.
			call = evals[0] + "; " + call
			evals = evals[1:]
		}
		return "lpDefers = append(lpDefers, func() func(func() any) { " + strings.Join(append(evals, ""), "; ") +
			"return func(lpRecover func() any) { _ = lpRecover; " + call + " } }())"
	})
}

// listRunner starts a function that keeps a list of its deferred calls:
// the list, and the defer that runs it as Go runs deferred calls. lpP is
// the panic in flight (lpPanicking says there is one: a nil panic value
// is *runtime.PanicNilError, but a re-panic of nil is not); lpRecover
// takes it. yaegi v0.16.1's recover gives an interpreted panic's value
// in a reflect.Value, as the function's own recover would.
const listRunner = "var lpDefers []func(func() any); defer func() { lpP := recover(); lpPanicking := lpP != nil; " +
	"lpRecover := func() any { if !lpPanicking { return nil }; lpPanicking = false; lpR := lpP; lpP = nil; return lpR }; " +
	"for lpI := len(lpDefers) - 1; lpI >= 0; lpI-- { func() { defer func() { if lpQ := recover(); lpQ != nil { lpP = lpQ; lpPanicking = true } }(); lpDefers[lpI](lpRecover) }() }; " +
	"if lpPanicking { panic(lpP) } }();"

// recoverCalls writes the calls of recover in body, a deferred function
// literal's (not in function literals of its own), as calls of the list's
// lpRecover.
func (l *Lowering) recoverCalls(body ast.Node) {
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			if l.isBuiltin(n.Fun, "recover") {
				l.h.Add(n.Fun, func() string { return "lpRecover" })
			}
		}
		return true
	})
}

// collectsDefers reports whether f keeps a list of its deferred calls: it
// defers inside the body of a range over a function, or it may have more
// than one deferred call (two defer statements, or one in a loop).
func (l *Lowering) collectsDefers(f *rfFunc) bool {
	found, defers := false, 0
	for _, s := range f.roots {
		var stack []ast.Node
		ast.Inspect(s, func(n ast.Node) bool {
			if n == nil {
				stack = stack[:len(stack)-1]
				return true
			}
			switch n := n.(type) {
			case *ast.FuncLit:
				return false
			case *ast.DeferStmt:
				defers++
				found = found || f.around(n.Pos()) != nil || inLoop(stack)
			}
			stack = append(stack, n)
			return true
		})
	}
	return found || defers > 1
}

// inLoop reports whether a statement under stack, the path to it, is in a
// loop's body.
func inLoop(stack []ast.Node) bool {
	for _, n := range stack {
		switch n.(type) {
		case *ast.ForStmt, *ast.RangeStmt:
			return true
		}
	}
	return false
}

// firstDefer returns f's first defer statement.
func (l *Lowering) firstDefer(f *rfFunc) *ast.DeferStmt {
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
func (l *Lowering) callsRecover(body ast.Node) bool {
	found := false
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.CallExpr:
			found = found || l.isBuiltin(n.Fun, "recover")
		}
		return !found
	})
	return found
}

// isBuiltin reports whether e names the builtin function name.
func (l *Lowering) isBuiltin(e ast.Expr, name string) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	if !ok {
		return false
	}
	b, ok := l.info.Uses[id].(*types.Builtin)
	return ok && b.Name() == name
}

// deferNow rewrites d, a defer of a function that does not keep a list,
// to evaluate its operands at once; a deferred function literal in a loop
// takes the iteration's variables it uses as parameters.
func (l *Lowering) deferNow(d *ast.DeferStmt, path []ast.Node, f *rfFunc) {
	if l.isBuiltin(d.Call.Fun, "clear") {
		return // package rewrite's lowerBuiltin writes the call as a function literal's
	}
	lit, isLit := ast.Unparen(d.Call.Fun).(*ast.FuncLit)
	var passed []*ast.Ident // a use of each variable passed, in order
	if isLit {
		var ok bool
		if passed, ok = l.iterationVars(lit, path); !ok {
			return
		}
	}
	if len(passed) == 0 && !l.hasOperands(d.Call) && !d.Call.Ellipsis.IsValid() {
		return
	}
	if len(passed) > 0 {
		// The literal's parameters, before its own (which may end with
		// a variadic one).
		open := lit.Type.Params.Opening
		l.h.Add(span{open, open + 1}, func() string {
			var ps []string
			for _, id := range passed {
				t, err := l.h.TypeString(l.info.Uses[id].Type())
				if err != nil {
					l.h.Fail(id.Pos(), ReasonDeferInLoop, "a function literal deferred in a loop: "+err.Error())
				}
				ps = append(ps, l.h.Render(id)+" "+t)
			}
			s := "(" + strings.Join(ps, ", ")
			if lit.Type.Params.NumFields() > 0 {
				s += ", "
			}
			return s
		})
	}
	l.h.Add(d, func() string {
		evals, call := l.deferredCall(d.Call, false, passed)
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
func (l *Lowering) hasOperands(call *ast.CallExpr) bool {
	if l.fixedFunc(call.Fun) == "" && !l.inPlace(call.Fun) {
		return true
	}
	for _, a := range call.Args {
		if tv := l.info.Types[a]; tv.Value == nil && !tv.IsNil() {
			return true
		}
	}
	return false
}

// fixedFunc returns "fixed" when fun, the function of a deferred call,
// needs no evaluation (a builtin, a function of a package, a method
// expression, a function literal), "" otherwise.
func (l *Lowering) fixedFunc(fun ast.Expr) string {
	fun = ast.Unparen(fun)
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
		if sel := l.info.Selections[x]; sel != nil {
			if sel.Kind() == types.MethodExpr {
				return "fixed"
			}
			return ""
		}
		id = x.Sel
	default:
		return ""
	}
	switch obj := l.info.Uses[id].(type) {
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
func (l *Lowering) deferredCall(call *ast.CallExpr, inList bool, passed []*ast.Ident) (evals []string, text string) {
	fun := ast.Unparen(call.Fun)
	var fn string
	_, isLit := fun.(*ast.FuncLit)
	switch {
	case isLit && inList:
		evals = append(evals, "lpF := "+l.h.Render(fun))
		fn = "lpF"
	case l.fixedFunc(fun) != "" || l.inPlace(fun):
		fn = l.h.Render(fun)
	default:
		fn = l.receiverCall(fun, &evals)
	}
	var args []string
	for _, id := range passed {
		args = append(args, l.h.Render(id))
	}
	sig, _ := l.info.Types[call.Fun].Type.(*types.Signature)
	if len(call.Args) == 1 {
		if tup, ok := l.info.Types[call.Args[0]].Type.(*types.Tuple); ok {
			var names []string
			for i := 0; i < tup.Len(); i++ {
				names = append(names, "lpA"+strconv.Itoa(i))
			}
			evals = append(evals, strings.Join(names, ", ")+" := "+l.h.Render(call.Args[0]))
			return evals, fn + "(" + strings.Join(append(args, names...), ", ") + ")"
		}
	}
	for i, a := range call.Args {
		tv := l.info.Types[a]
		if tv.Value != nil || tv.IsNil() {
			args = append(args, l.h.Render(a))
			continue
		}
		name := "lpA" + strconv.Itoa(i)
		value := l.h.Render(a)
		if lit, ok := ast.Unparen(a).(*ast.FuncLit); ok && !inList {
			value = "func() " + l.h.Render(lit.Type) + " { return " + value + " }()"
		} else if b, ok := tv.Type.(*types.Basic); ok && b.Info()&types.IsUntyped != 0 && sig != nil {
			if pt := paramType(sig, i, call.Ellipsis.IsValid()); pt != nil && !types.IsInterface(pt) {
				if s, err := l.h.TypeString(pt); err == nil {
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
func (l *Lowering) method(fun ast.Expr) (x *ast.SelectorExpr, sel *types.Selection, addr bool) {
	x, ok := fun.(*ast.SelectorExpr)
	if !ok {
		return nil, nil, false
	}
	sel = l.info.Selections[x]
	if sel == nil || sel.Kind() != types.MethodVal || l.h.MethodAccessor(sel) != "" {
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
func (l *Lowering) inPlace(fun ast.Expr) bool {
	_, _, addr := l.method(ast.Unparen(fun))
	return addr
}

// receiverCall writes the evaluation of a deferred call's function that is
// a value (lpF := f) or a method of a receiver (lpR := r, or *r when the
// method wants a value; a call through the receiver works where a method
// value of a compiled type does not, see the agent's package bintypes), and
// returns what the call calls.
func (l *Lowering) receiverCall(fun ast.Expr, evals *[]string) string {
	if x, sel, _ := l.method(fun); x != nil {
		recv := l.h.Render(x.X)
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
	*evals = append(*evals, "lpF := "+l.h.Render(fun))
	return "lpF"
}

// iterationVars returns, for a function literal deferred in a loop, a use
// of each variable of an iteration that it uses (declared in the
// outermost loop around the defer, in the same function, and not in the
// literal). ok is false when the literal cannot take them as parameters:
// when it assigns one, or one is a loop's variable that yaegi shares
// across iterations (one the loop's body assigns).
func (l *Lowering) iterationVars(lit *ast.FuncLit, path []ast.Node) (uses []*ast.Ident, ok bool) {
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
		v, isVar := l.info.Uses[id].(*types.Var)
		if !isVar || v.IsField() || seen[v] || v.Pos() < loop.Pos() || v.Pos() >= loop.End() ||
			v.Pos() >= lit.Pos() && v.Pos() < lit.End() {
			return true
		}
		seen[v] = true
		switch {
		case l.h.Assigns(lit.Body, v):
			l.h.Fail(id.Pos(), ReasonDeferInLoop, "a function literal deferred in a loop that assigns "+v.Name()+", a variable of the iteration: the interpreter makes the closure when the deferred call runs, so it would get the variable as a parameter")
			ok = false
		case !l.freshPerIteration(v, loop):
			l.h.Fail(id.Pos(), ReasonDeferInLoop, "a function literal deferred in a loop that uses "+v.Name()+", a loop variable the body assigns: the interpreter would give every deferred call the last iteration's")
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
// or a loop variable that package rewrite copies per iteration (lowerFor,
// lowerRange) or declares in the body (a range over an integer).
func (l *Lowering) freshPerIteration(v *types.Var, loop ast.Node) bool {
	fresh := true
	ast.Inspect(loop, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.ForStmt:
			init, isDefine := n.Init.(*ast.AssignStmt)
			if !isDefine || init.Tok != token.DEFINE {
				return true
			}
			header := false
			for _, e := range init.Lhs {
				if id, isIdent := e.(*ast.Ident); isIdent && l.info.Defs[id] == v {
					header = true
				}
			}
			if header {
				for _, e := range init.Lhs {
					if id, isIdent := e.(*ast.Ident); isIdent {
						if w, isVar := l.info.Defs[id].(*types.Var); isVar && l.h.Assigns(n.Body, w) {
							fresh = false
						}
					}
				}
			}
		case *ast.RangeStmt:
			if n.Tok != token.DEFINE {
				return true
			}
			if bt, isBasic := l.info.Types[n.X].Type.Underlying().(*types.Basic); isBasic && bt.Info()&types.IsInteger != 0 {
				return true
			}
			for _, e := range []ast.Expr{n.Key, n.Value} {
				if id, isIdent := e.(*ast.Ident); isIdent && l.info.Defs[id] == v && l.h.Assigns(n.Body, v) {
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
func (l *Lowering) wrapClosures(f *rfFunc) {
	called := map[*ast.FuncLit]bool{}
	for _, s := range f.roots {
		ast.Inspect(s, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.FuncLit:
				if !called[n] && f.around(n.Pos()) == nil {
					l.h.Add(n, func() string {
						return "func() " + l.h.Render(n.Type) + " { return " + l.h.Render(n) + " }()"
					})
				}
				return false
			case *ast.CallExpr:
				if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
					called[lit] = true
				}
			case *ast.DeferStmt:
				for _, a := range n.Call.Args {
					if lit, ok := ast.Unparen(a).(*ast.FuncLit); ok {
						called[lit] = true
					}
				}
			}
			return true
		})
	}
}
