package rewrite

import (
	"go/ast"
	"go/token"
	"go/types"
)

// statements rewrites node n of the input where yaegi would run it
// wrongly and the rewriting needs the rewriter's own lookups or
// candidates; visit calls it for every node, after package workaround
// has rewritten the other statements yaegi runs wrongly.
func (r *rewriter) statements(n ast.Node) {
	switch n := n.(type) {
	case *ast.RangeStmt:
		r.lowerRangeAssign(n) // loops.go
	case *ast.LabeledStmt:
		if sel, ok := n.Stmt.(*ast.SelectStmt); ok {
			r.hoistSelect(sel, n) // selects.go
		}
	case *ast.SelectStmt:
		r.hoistSelect(n, nil)
	case *ast.CallExpr:
		r.appendValues(n) // builtins.go
	case *ast.SelectorExpr:
		r.liveVar(n)
	case *ast.UnaryExpr:
		if x, ok := ast.Unparen(n.X).(*ast.SelectorExpr); ok && n.Op == token.AND && r.compiledVar(x) {
			r.add(n, func() string { return "&" + x.X.(*ast.Ident).Name + "." + x.Sel.Name })
		}
	}
}

// liveVar writes a variable of a compiled package that the interpreter
// reaches through its symbol, pkg.V, as (*&pkg.V). yaegi v0.16.1 takes
// such a symbol for a constant wherever it computes with it (an operand,
// an element, a value assigned, an argument of a compiled function): it
// reads the variable once, when it compiles the function, so that the
// function never sees the variable change (flag.NameOf(flag.CommandLine)
// keeps the FlagSet of patch time after flag.CommandLine = NewFlagSet()).
// The variable's address is constant; the dereference reads it when it
// runs. &pkg.V stays as it is (the address itself).
func (r *rewriter) liveVar(n *ast.SelectorExpr) {
	if !r.compiledVar(n) {
		return
	}
	q, name := n.X.(*ast.Ident).Name, n.Sel.Name
	r.add(n, func() string { return "(*&" + q + "." + name + ")" })
}

// compiledVar reports whether n is a package-level variable of an imported
// package that the interpreter reaches through its symbol (the rewriting
// writes those of the user's packages through their lpAddr_ pointers).
func (r *rewriter) compiledVar(n *ast.SelectorExpr) bool {
	id, ok := n.X.(*ast.Ident)
	if !ok {
		return false
	}
	if _, isPkg := r.in.Info.Uses[id].(*types.PkgName); !isPkg {
		return false
	}
	v, ok := r.in.Info.Uses[n.Sel].(*types.Var)
	return ok && v.Pkg() != nil && v.Parent() == v.Pkg().Scope() && !(r.in.LoadedFile && r.isUser(v.Pkg()))
}
