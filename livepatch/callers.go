package livepatch

import (
	"context"
	"go/ast"
	"go/types"
	"path/filepath"
	"sort"
)

// callers returns the keys of the functions of the user's packages that
// use the package-level function key (call it or take its value), and
// whether every use is inside a function declaration of file. It reads
// the build's type information, loaded once.
func (p *program) callers(ctx context.Context, key, file string) (keys []string, ok bool) {
	if p.res == nil {
		return nil, false
	}
	f, found := p.funcs[key]
	if !found {
		return nil, false
	}
	fset, pkgs, err := p.res.TypeInfo(ctx)
	if err != nil || fset == nil {
		return nil, false
	}
	var target types.Object
	for _, lp := range pkgs {
		if lp.PkgPath == f.Package && lp.Types != nil {
			target = lp.Types.Scope().Lookup(key[len(f.Package)+1:])
		}
	}
	if _, isFunc := target.(*types.Func); !isFunc {
		return nil, false
	}
	ok = true
	seen := map[string]bool{}
	for _, lp := range pkgs {
		if lp.TypesInfo == nil {
			continue
		}
		for _, syn := range lp.Syntax {
			name := fset.File(syn.Pos()).Name()
			for _, d := range syn.Decls {
				fd, isFunc := d.(*ast.FuncDecl)
				uses := false
				ast.Inspect(d, func(n ast.Node) bool {
					if id, isID := n.(*ast.Ident); isID && lp.TypesInfo.Uses[id] == target {
						uses = true
					}
					return !uses
				})
				if !uses {
					continue
				}
				if !isFunc || filepath.Clean(name) != filepath.Clean(file) {
					ok = false
					continue
				}
				k := newFuncDecl(fset, nil, lp.PkgPath, fd).key
				if !seen[k] {
					seen[k] = true
					keys = append(keys, k)
				}
			}
		}
	}
	sort.Strings(keys)
	return keys, ok
}
