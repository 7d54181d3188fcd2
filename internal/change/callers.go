package change

import (
	"context"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change/classify"
	"golang.org/x/tools/go/packages"
)

// use is one function declaration of the user's packages that refers to a
// package-level object.
type use struct {
	key  string // the function's key
	file string // the file that declares it
}

// users returns the function declarations of the user's packages, as
// built, that refer to the package-level object name of package pkgPath
// (call it, take its value, read it), and whether some reference is outside
// any function declaration (in a variable's initializer, a type, another
// constant). ok is false when the build has no such object or no type
// information. It reads the build's type information, loaded once.
func (p *Build) users(ctx context.Context, pkgPath, name string) (uses []use, elsewhere, ok bool) {
	if p.res == nil {
		return nil, false, false
	}
	fset, pkgs, err := p.res.TypeInfo(ctx)
	if err != nil || fset == nil {
		return nil, false, false
	}
	var target types.Object
	for _, lp := range pkgs {
		if lp.PkgPath == pkgPath && lp.Types != nil {
			target = lookup(lp.Types, name)
		}
	}
	if target == nil {
		return nil, false, false
	}
	uses, elsewhere = refs(fset, pkgs, func(info *types.Info, n ast.Node) bool {
		id, isID := n.(*ast.Ident)
		return isID && info.Uses[id] == target
	})
	return uses, elsewhere, true
}

// refs returns the function declarations of pkgs that hold a node that
// match accepts, sorted by key, and whether such a node is outside any
// function declaration.
func refs(fset *token.FileSet, pkgs []*packages.Package, match func(*types.Info, ast.Node) bool) (uses []use, elsewhere bool) {
	seen := map[string]bool{}
	for _, lp := range pkgs {
		if lp.TypesInfo == nil {
			continue
		}
		for _, syn := range lp.Syntax {
			file := filepath.Clean(fset.File(syn.Pos()).Name())
			for _, d := range syn.Decls {
				refers := false
				ast.Inspect(d, func(n ast.Node) bool {
					refers = refers || match(lp.TypesInfo, n)
					return !refers
				})
				if !refers {
					continue
				}
				fd, isFunc := d.(*ast.FuncDecl)
				if !isFunc {
					elsewhere = true
					continue
				}
				k := classify.NewFuncDecl(fset, nil, lp.PkgPath, fd).Key
				if !seen[k] {
					seen[k] = true
					uses = append(uses, use{key: k, file: file})
				}
			}
		}
	}
	sort.Slice(uses, func(i, j int) bool { return uses[i].key < uses[j].key })
	return uses, elsewhere
}

// lookup returns the package-level object of pkg called name, or the
// method name (T.M or (*T).M) of a type of pkg; nil when there is none.
func lookup(pkg *types.Package, name string) types.Object {
	recv, method, isMethod := strings.Cut(name, ".")
	if !isMethod {
		return pkg.Scope().Lookup(name)
	}
	tn, ok := pkg.Scope().Lookup(strings.TrimSuffix(strings.TrimPrefix(recv, "(*"), ")")).(*types.TypeName)
	if !ok {
		return nil
	}
	obj, _, _ := types.LookupFieldOrMethod(tn.Type(), true, pkg, method)
	if fn, ok := obj.(*types.Func); ok {
		return fn
	}
	return nil
}

// callers returns the keys of the functions of the user's packages that
// use the package-level function or the method key, and whether every
// use is inside a function declaration; ok is false too when the build
// has no such function or no type information.
func (p *Build) callers(ctx context.Context, key string) (keys []string, ok bool) {
	f, found := p.funcs[key]
	if !found {
		return nil, false
	}
	uses, elsewhere, found := p.users(ctx, f.Package, key[len(f.Package)+1:])
	if !found {
		return nil, false
	}
	for _, u := range uses {
		keys = append(keys, u.key)
	}
	return keys, !elsewhere
}

// unpatchedUsers returns the uses that patched (the functions whose
// compiled body no longer runs) leaves out: their names for the user,
// and their keys.
func (p *Build) unpatchedUsers(uses []use, patched map[string]bool) (names, keys []string) {
	for _, u := range uses {
		if !patched[u.key] {
			names = append(names, p.Display(u.key))
			keys = append(keys, u.key)
		}
	}
	return names, keys
}

// funcsPackage returns the import path of the package of every function
// of keys, when they are of one package; else "".
func (p *Build) funcsPackage(keys []string) string {
	pkg := ""
	for i, k := range keys {
		f, ok := p.funcs[k]
		if !ok || i > 0 && f.Package != pkg {
			return ""
		}
		pkg = f.Package
	}
	return pkg
}
