package workaround

import (
	"fmt"
	"go/ast"
	"go/types"
	"strconv"
	"strings"
)

// This file starts the goroutines of a saved function under the agent's
// recover (target/agent/goroutine.go): an interpreter fault in a goroutine
// has no caller to go to and would end the program. A go statement
// without arguments, go f(), is written go lp_go.Start(KEY, f), and one
// with arguments, go f(a, b),
//
//	go lp_go.Start(KEY, func(lpGf F, lpGa0 A, lpGa1 B) func() { return func() { lpGf(lpGa0, lpGa1) } }(f, a, b))
//
// on its own line: the function value and the arguments are evaluated in
// order where the go statement evaluates them, each argument as its
// parameter's type (an untyped constant or nil takes it as the call
// would), and the closure that makes the call holds them in the frame of
// the call on the spot. A literal as f is written as closures.go writes
// it. In a loop's body, where a go statement's operands read a slot of the
// loop's frame that the next iteration writes, both forms gave goroutines
// another iteration's variables (Workers summing 1..10 got 80 to 100,
// yaegi v0.16.1); there the second form is used, f included, and its
// closure is kept in a variable of a block before the goroutine starts, as
// closures.go does for a literal:
//
//	{ lpG := func(lpGf F, lpGa0 A) func() { return func() { lpGf(lpGa0) } }(f, a); go lp_go.Start(KEY, lpG) }
//
// so each goroutine holds its own iteration's function and arguments
// (fixture lang.Workers, lang.FanOut). A go statement this cannot write (a
// builtin, a generic function instantiated by inference, an argument list
// of one multi-valued call, a type the package's scope cannot name) stays
// as it is (in a loop, as closures.go writes it).

// startGuarded writes go statement n, not in a loop's body (loopClosures
// guards those), as above, when the input is a saved function (w.goKey)
// and it can.
func (w *Rewriting) startGuarded(n *ast.GoStmt) {
	if w.goKey == "" || w.inLoop[n] {
		return
	}
	w.guard(n, false)
}

// guard writes go statement n as the file's comment says, in a loop's
// body (inLoop) as a block, and reports whether it could.
func (w *Rewriting) guard(n *ast.GoStmt, inLoop bool) bool {
	call := n.Call
	fun := ast.Unparen(call.Fun)
	if tv, ok := w.info.Types[fun]; !ok || tv.IsType() || tv.IsBuiltin() {
		return false
	}
	if id := identOf(fun); id != nil {
		if _, generic := w.info.Instances[id]; generic {
			return false
		}
	}
	sig, ok := w.info.TypeOf(fun).Underlying().(*types.Signature)
	if !ok || len(call.Args) == 1 && isTuple(w.info.TypeOf(call.Args[0])) {
		return false
	}
	direct := len(call.Args) == 0 && sig.Results().Len() == 0 && !inLoop
	funType, ok := w.signatureText(sig)
	if !ok {
		return false
	}
	params := []string{"lpGf " + funType}
	args := make([]string, len(call.Args))
	for i := range call.Args {
		t := paramType(sig, i, call.Ellipsis.IsValid())
		if t == nil || !Nameable(t, w.pkg) {
			return false
		}
		args[i] = fmt.Sprintf("lpGa%d", i)
		params = append(params, args[i]+" "+w.h.TypeText(t))
	}
	lit, isLit := fun.(*ast.FuncLit)
	if isLit {
		if w.wrapped == nil {
			w.wrapped = map[*ast.FuncLit]bool{}
		}
		w.wrapped[lit] = true
	}
	w.usedGo = true
	dots := ""
	if call.Ellipsis.IsValid() {
		dots = "..."
	}
	start := fmt.Sprintf("go %s.%s(%s, ", GoPackage, GoStart, strconv.Quote(w.goKey))
	head := start + fmt.Sprintf("func(%s) func() { return func() { lpGf(%s%s) } }(", strings.Join(params, ", "), strings.Join(args, ", "), dots)
	if direct {
		head = fmt.Sprintf("go %s.%s(%s, (", GoPackage, GoStart, strconv.Quote(w.goKey))
	}
	w.h.Add(n, func() string {
		vals := []string{w.h.Render(call.Fun)}
		if isLit {
			vals[0] = "func() " + funType + " { return " + w.h.Render(lit) + " }()"
		}
		for _, a := range call.Args {
			vals = append(vals, w.h.Render(a))
		}
		if inLoop {
			return "{ lpG := " + strings.TrimPrefix(head, start) + strings.Join(vals, ", ") + "); " + start + "lpG) }"
		}
		return head + strings.Join(vals, ", ") + "))"
	})
	return true
}

// identOf returns the name a function expression ends in, or nil.
func identOf(e ast.Expr) *ast.Ident {
	switch e := e.(type) {
	case *ast.Ident:
		return e
	case *ast.SelectorExpr:
		return e.Sel
	}
	return nil
}

// The agent's package and functions that start a guarded goroutine and
// unwrap a recovered value (target/agent/goroutine.go's GoPackage, GoStart
// and GoRecovered, which this package cannot import).
const (
	GoPackage   = "lp_go"
	GoStart     = "Start"
	GoRecovered = "Recovered"
)

// UsedGo reports whether the rewriting called the agent's package (a
// goroutine started, a recovered value unwrapped), which the input must
// then import.
func (w *Rewriting) UsedGo() bool { return w.usedGo }

// paramType returns the type that argument i of a call of sig takes
// (spread: the call ends in ...), or nil.
func paramType(sig *types.Signature, i int, spread bool) types.Type {
	n := sig.Params().Len()
	if sig.Variadic() && i >= n-1 {
		last := sig.Params().At(n - 1).Type()
		if spread {
			return last
		}
		if s, ok := last.(*types.Slice); ok {
			return s.Elem()
		}
		return nil
	}
	if i >= n {
		return nil
	}
	return sig.Params().At(i).Type()
}

func isTuple(t types.Type) bool {
	_, ok := t.(*types.Tuple)
	return ok
}
