package rewrite

import (
	"go/ast"
	"go/token"
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

// typeNameAt writes t as the rewriting names it at pos: a named type of
// the input's package whose name a local declaration shadows there (a
// loop variable arg of type arg, as expr-lang/expr's parser has) is
// qualified by an import of the package of its own, lpSelf_<pkg>.arg;
// the package's own names come into the patch through a dot import,
// which the local name hides (yaegi v0.16.1 then converted with the
// variable: "reflect: NumIn of non-func type").
func (r *rewriter) typeNameAt(t types.Type, pos token.Pos) string {
	text := types.TypeString(t, r.qualifier)
	named, ok := types.Unalias(t).(*types.Named)
	if !ok || named.TypeArgs().Len() > 0 || r.in.Pkg == nil || !pos.IsValid() {
		return text
	}
	obj := named.Obj()
	if obj.Pkg() == nil || obj.Pkg().Path() != r.in.Pkg.Path() {
		return text
	}
	inner := r.in.Pkg.Scope().Innermost(pos)
	if inner == nil {
		return text
	}
	if _, found := inner.LookupParent(obj.Name(), pos); found == nil || found.Parent() == found.Pkg().Scope() {
		return text // not shadowed
	}
	alias := "lpSelf_" + obj.Pkg().Name()
	r.imports[r.in.Spec(obj.Pkg().Path(), alias)] = true
	return alias + "." + obj.Name()
}
