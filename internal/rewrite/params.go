package rewrite

import (
	"go/ast"
	"go/types"
)

// renameShadowingParams renames the parameters and results of a function
// (a declaration being rewritten, or a function literal in it) that are
// named like a type its signature uses (`func f(token []string, sep
// token)`, as x/mod's parseLineBlock has): yaegi v0.16.1 resolves the later
// parameter's type to the earlier parameter, while Go resolves a
// signature's types outside its parameters' scope. The parameter and every
// use of it become lpP_<name>; callers pass arguments by position, so
// nothing outside the function sees the new name.
func (r *rewriter) renameShadowingParams(n ast.Node) {
	var ft *ast.FuncType
	switch n := n.(type) {
	case *ast.FuncDecl:
		ft = n.Type
	case *ast.FuncLit:
		ft = n.Type
	default:
		return
	}
	typeNames := map[string]bool{} // names of the types the signature uses
	ast.Inspect(ft, func(m ast.Node) bool {
		if id, ok := m.(*ast.Ident); ok {
			if _, isType := r.in.Info.Uses[id].(*types.TypeName); isType {
				typeNames[id.Name] = true
			}
		}
		return true
	})
	renamed := map[types.Object]string{}
	for _, l := range []*ast.FieldList{ft.Params, ft.Results} {
		if l == nil {
			continue
		}
		for _, f := range l.List {
			for _, name := range f.Names {
				if obj := r.in.Info.Defs[name]; obj != nil && typeNames[name.Name] {
					renamed[obj] = "lpP_" + name.Name
				}
			}
		}
	}
	if len(renamed) == 0 {
		return
	}
	ast.Inspect(n, func(m ast.Node) bool {
		id, ok := m.(*ast.Ident)
		if !ok {
			return true
		}
		obj := r.in.Info.Defs[id]
		if obj == nil {
			obj = r.in.Info.Uses[id]
		}
		if to, ok := renamed[obj]; ok {
			r.add(id, func() string { return to })
		}
		return true
	})
}
