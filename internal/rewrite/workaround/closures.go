package workaround

import (
	"go/ast"
	"go/types"
	"strings"
)

// This file gives each function literal evaluated in a loop a frame of its
// own. yaegi v0.16.1 stores a literal's closure in a slot of the frame
// that evaluates it, and every call of that closure, when it returns,
// writes back into the slot the value the slot held when the closure was
// made. In a loop the frame evaluates the literal again while the closures
// of earlier iterations run on other goroutines, so the slot can hold an
// earlier iteration's closure (or a nil function) by the time the loop
// reads it: goroutines started in a loop run another iteration's body
// (sync.WaitGroup workers summing 1..10 got 52) or panic with "call of nil
// function". A literal handed straight to a compiled function is worse:
// yaegi wraps it over the live frame, so it sees the loop's variables as
// they are when it runs, not as its iteration left them (closures given to
// wg.Go summed 100 for 1..10).
//
// The literal is written as the result of a call made on the spot,
// func() T { return lit }(): the closure is made in the frame of that
// call, which nothing else writes, and the loop reads it from the call's
// result, which is synchronous. A go statement calling a literal becomes
// a block that keeps the closure in a variable of its own first,
// { lpG := func() T { return lit }(); go lpG(args) }, because yaegi reads
// the function of a go statement's call after the goroutine has started.
// (In a saved function, a go statement in a loop is guarded instead, in a
// block of the same kind: goroutines.go.)
// Literals called on the spot (lit(args), defer lit(args)) run at once in
// the loop's goroutine and are left alone.

// loopClosures wraps the function literals evaluated in loop's body, a for
// or range statement's, in the body's own frame (not those inside other
// literals, whose frames are their calls').
func (w *Rewriting) loopClosures(body *ast.BlockStmt) {
	if w.wrapped == nil {
		w.wrapped = map[*ast.FuncLit]bool{}
	}
	var visit func(n ast.Node) bool
	visit = func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			if w.inLoop == nil {
				w.inLoop = map[*ast.GoStmt]bool{}
			}
			if w.inLoop[n] {
				return false // an inner loop's
			}
			w.inLoop[n] = true
			guarded := w.goKey != "" && w.guard(n, true) // goroutines.go
			if lit, ok := ast.Unparen(n.Call.Fun).(*ast.FuncLit); ok {
				if !guarded {
					w.startClosure(n, lit)
				}
				for _, a := range n.Call.Args {
					ast.Inspect(a, visit)
				}
				return false
			}
		case *ast.CallExpr:
			if lit, ok := ast.Unparen(n.Fun).(*ast.FuncLit); ok {
				w.wrapped[lit] = true // called at once
				for _, a := range n.Args {
					ast.Inspect(a, visit)
				}
				return false
			}
		case *ast.FuncLit:
			if !w.wrapped[n] {
				w.wrapped[n] = true
				if t, ok := w.funcType(n); ok {
					w.h.Add(n, func() string { return "func() " + t + " { return " + w.h.Render(n) + " }()" })
				}
			}
			return false
		}
		return true
	}
	ast.Inspect(body, visit)
}

// startClosure writes go statement n, whose function is literal lit, as a
// block that makes the closure before the goroutine starts.
func (w *Rewriting) startClosure(n *ast.GoStmt, lit *ast.FuncLit) {
	if w.wrapped[lit] {
		return
	}
	w.wrapped[lit] = true
	t, ok := w.funcType(lit)
	if !ok {
		return
	}
	call := n.Call
	w.h.Add(n, func() string {
		args := make([]string, len(call.Args))
		for i, a := range call.Args {
			args[i] = w.h.Render(a)
		}
		dots := ""
		if call.Ellipsis.IsValid() {
			dots = "..."
		}
		return "{ lpG := func() " + t + " { return " + w.h.Render(lit) + " }(); go lpG(" + strings.Join(args, ", ") + dots + ") }"
	})
}

// funcType writes the type of literal lit without parameter names (which
// could shadow the names of types in it), or reports that it cannot be
// written in the package's scope.
func (w *Rewriting) funcType(lit *ast.FuncLit) (string, bool) {
	sig, ok := w.info.TypeOf(lit).(*types.Signature)
	if !ok {
		return "", false
	}
	return w.signatureText(sig)
}

// signatureText writes sig as a func type without parameter names, or
// reports that it cannot be written in the package's scope.
func (w *Rewriting) signatureText(sig *types.Signature) (string, bool) {
	if !Nameable(sig, w.pkg) {
		return "", false
	}
	list := func(t *types.Tuple, variadic bool) string {
		s := make([]string, t.Len())
		for i := range s {
			vt := t.At(i).Type()
			if variadic && i == t.Len()-1 {
				s[i] = "..." + w.h.TypeText(vt.(*types.Slice).Elem())
				continue
			}
			s[i] = w.h.TypeText(vt)
		}
		return strings.Join(s, ", ")
	}
	text := "func(" + list(sig.Params(), sig.Variadic()) + ")"
	switch sig.Results().Len() {
	case 0:
	case 1:
		text += " " + list(sig.Results(), false)
	default:
		text += " (" + list(sig.Results(), false) + ")"
	}
	return text, true
}
