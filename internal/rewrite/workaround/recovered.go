package workaround

import (
	"go/ast"
	"go/types"
)

// unwrapRecover writes a call of recover as its value unwrapped by the
// agent, lp_go.Recovered(recover()). yaegi v0.16.1 panics with a
// reflect.Value holding the value given to an interpreted panic, and its
// recover gives that wrapper: r.(error) is false for an error the
// function panicked with, and r == v false for the value itself
// (expr-lang/expr's (*VM).Run wraps the error it recovers, and lost it:
// errors.Unwrap gave nil). A panic of compiled code is recovered as its
// value, which Recovered gives unchanged. recover is still called by the
// deferred function itself, as it must be to stop the panic.
func (w *Rewriting) unwrapRecover(n *ast.CallExpr) {
	id, ok := ast.Unparen(n.Fun).(*ast.Ident)
	if !ok || len(n.Args) != 0 {
		return
	}
	if b, ok := w.info.Uses[id].(*types.Builtin); !ok || b.Name() != "recover" {
		return
	}
	w.usedGo = true
	w.h.Add(n, func() string { return GoPackage + "." + GoRecovered + "(" + w.h.Render(n) + ")" })
}
