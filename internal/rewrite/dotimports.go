package rewrite

import (
	"go/ast"
	"go/types"

	"github.com/livepatch/livepatch/internal/patcher"
)

// dotImported rewrites n, an unqualified name of a package-level object of
// another package (one the input's file imports with a dot import,
// import . "path"), as a name qualified by an import of that package of
// its own, lpDot_<name>.Name, and reports whether it did. The agent
// imports the patch's own package with a dot, and the rewriting's imports
// by name: without the file's dot import the name was undefined, which
// yaegi v0.16.1 reports as "constant definition loop" (expr-lang/expr's
// checker and types packages import checker/nature with a dot). The
// alias cannot clash with a name of the function. A variable of a user
// package is read through its address, as a qualified one is
// (visitSelector).
func (r *rewriter) dotImported(n *ast.Ident, obj types.Object) bool {
	p := obj.Pkg()
	if p == nil || r.in.Pkg == nil || p.Path() == r.in.Pkg.Path() || obj.Parent() != p.Scope() {
		return false
	}
	if r.in.Change != nil && r.in.Change.Pkg != nil && p.Path() == r.in.Change.Pkg.Path() {
		return false
	}
	alias := "lpDot_" + p.Name()
	r.imports[r.in.Spec(p.Path(), alias)] = true
	name := n.Name
	if v, ok := obj.(*types.Var); ok && r.in.LoadedFile && r.isUser(v.Pkg()) {
		r.add(n, func() string { return "(*" + alias + "." + patcher.VarAddrPrefix + name + ")" })
		return true
	}
	r.add(n, func() string { return alias + "." + name })
	return true
}

// dotImportedSignature rewrites the names a dot import brings in in the
// signature of decl (its receiver, parameters and results), which the
// visit of its body does not reach.
func (r *rewriter) dotImportedSignature(decl *ast.FuncDecl) {
	parts := []ast.Node{decl.Type}
	if decl.Recv != nil {
		parts = append(parts, decl.Recv)
	}
	for _, part := range parts {
		ast.Inspect(part, func(n ast.Node) bool {
			if _, ok := n.(*ast.SelectorExpr); ok {
				return false // a qualified name: its package is imported by name
			}
			if id, ok := n.(*ast.Ident); ok {
				if obj := r.in.Info.Uses[id]; obj != nil {
					r.dotImported(id, obj)
				}
			}
			return true
		})
	}
}
