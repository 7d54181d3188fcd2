package change

import (
	"context"
	"go/ast"
	"go/parser"
	"go/types"
	"strconv"

	"github.com/livepatch/livepatch/internal/change/classify"
)

// SameType reports whether type expression old, written in file oldFile
// as built, and now, written in the saved text cur of file, denote
// identical types: both are evaluated in the scope of the files as built
// (file's, for now: its imports must name the same packages in cur), so
// that `interface{}` and `any`, or two spellings of one type, are one
// type. It is false when either does not evaluate there (a type the
// change declares, an import it adds), or the build has no type
// information: then the texts decide.
func (b *Build) SameType(oldFile, old, file string, cur *classify.FileDecls, now string) bool {
	prog, err := b.Program(context.Background())
	if err != nil || prog == nil {
		return false
	}
	was, ok := prog.evalType(oldFile, old, nil)
	if !ok {
		return false
	}
	is, ok := prog.evalType(file, now, cur)
	return ok && types.Identical(was, is)
}

// evalType evaluates the type expression expr in the file scope of file
// as built. With cur, the saved text of that file, each package expr
// names must be imported by cur as by the file as built.
func (p *Program) evalType(file, expr string, cur *classify.FileDecls) (types.Type, bool) {
	r, ok := p.file(file)
	if !ok || r.pkg.Types == nil {
		return nil, false
	}
	if cur != nil && !p.sameImports(r.pkg.TypesInfo, r.file, expr, cur) {
		return nil, false
	}
	tv, err := types.Eval(p.fset, r.pkg.Types, r.file.Name.Pos(), expr)
	if err != nil || !tv.IsType() {
		return nil, false
	}
	return tv.Type, true
}

// sameImports reports whether every package that expr selects from is
// imported, under the same name, by the saved file cur as by the file f
// as built.
func (p *Program) sameImports(info *types.Info, f *ast.File, expr string, cur *classify.FileDecls) bool {
	e, err := parser.ParseExpr(expr)
	if err != nil {
		return false
	}
	built := map[string]string{} // name -> path, as built
	for _, is := range f.Imports {
		if pn, ok := info.Implicits[is].(*types.PkgName); ok {
			built[pn.Name()] = pn.Imported().Path()
		} else if is.Name != nil {
			if pn, ok := info.Defs[is.Name].(*types.PkgName); ok {
				built[pn.Name()] = pn.Imported().Path()
			}
		}
	}
	same := true
	ast.Inspect(e, func(n ast.Node) bool {
		sel, ok := n.(*ast.SelectorExpr)
		if !ok {
			return same
		}
		id, ok := sel.X.(*ast.Ident)
		if !ok {
			return same
		}
		path, imported := built[id.Name]
		same = same && imported && p.importsAs(cur.Syntax, path, id.Name)
		return same
	})
	return same
}

// importsAs reports whether f imports path under name: by that name, or
// without one when the package's name is name.
func (p *Program) importsAs(f *ast.File, path, name string) bool {
	for _, is := range f.Imports {
		if q, err := strconv.Unquote(is.Path.Value); err != nil || q != path {
			continue
		}
		if is.Name != nil {
			return is.Name.Name == name
		}
		return p.pkgs[path] != nil && p.pkgs[path].Name() == name
	}
	return false
}

// identicalAcross reports whether x and y, of two type checks of one
// package (the build's and a change's), are identical types, as
// types.Identical says of types of one check: a named type of the one is
// identical to the named type of the same package and name of the
// other. The packages both checks import are shared.
func identicalAcross(x, y types.Type) bool {
	x, y = types.Unalias(x), types.Unalias(y)
	if types.Identical(x, y) {
		return true
	}
	switch x := x.(type) {
	case *types.Basic:
		y, ok := y.(*types.Basic)
		return ok && x.Kind() == y.Kind()
	case *types.Pointer:
		y, ok := y.(*types.Pointer)
		return ok && identicalAcross(x.Elem(), y.Elem())
	case *types.Slice:
		y, ok := y.(*types.Slice)
		return ok && identicalAcross(x.Elem(), y.Elem())
	case *types.Array:
		y, ok := y.(*types.Array)
		return ok && x.Len() == y.Len() && identicalAcross(x.Elem(), y.Elem())
	case *types.Map:
		y, ok := y.(*types.Map)
		return ok && identicalAcross(x.Key(), y.Key()) && identicalAcross(x.Elem(), y.Elem())
	case *types.Chan:
		y, ok := y.(*types.Chan)
		return ok && x.Dir() == y.Dir() && identicalAcross(x.Elem(), y.Elem())
	case *types.Struct:
		y, ok := y.(*types.Struct)
		return ok && sameFields(x, y)
	case *types.Signature:
		y, ok := y.(*types.Signature)
		return ok && sameSignature(x, y)
	case *types.Interface:
		y, ok := y.(*types.Interface)
		return ok && x.IsMethodSet() && y.IsMethodSet() && sameMethods(x, y)
	case *types.Named:
		y, ok := y.(*types.Named)
		return ok && sameNamed(x, y)
	}
	return false
}

// sameFields reports whether structs x and y have identical fields.
func sameFields(x, y *types.Struct) bool {
	if x.NumFields() != y.NumFields() {
		return false
	}
	for i := range x.NumFields() {
		fx, fy := x.Field(i), y.Field(i)
		if fx.Name() != fy.Name() || fx.Embedded() != fy.Embedded() || x.Tag(i) != y.Tag(i) ||
			!fx.Exported() && pkgPath(fx.Pkg()) != pkgPath(fy.Pkg()) || !identicalAcross(fx.Type(), fy.Type()) {
			return false
		}
	}
	return true
}

// sameSignature reports whether x and y, not generic, have identical
// parameters and results (receivers aside).
func sameSignature(x, y *types.Signature) bool {
	if x.TypeParams().Len() > 0 || y.TypeParams().Len() > 0 || x.Variadic() != y.Variadic() {
		return false
	}
	return sameTuple(x.Params(), y.Params()) && sameTuple(x.Results(), y.Results())
}

// sameTuple reports whether x and y have identical types, in order.
func sameTuple(x, y *types.Tuple) bool {
	if x.Len() != y.Len() {
		return false
	}
	for i := range x.Len() {
		if !identicalAcross(x.At(i).Type(), y.At(i).Type()) {
			return false
		}
	}
	return true
}

// sameMethods reports whether interfaces x and y have the same methods,
// with identical signatures.
func sameMethods(x, y *types.Interface) bool {
	if x.NumMethods() != y.NumMethods() {
		return false
	}
	for i := range x.NumMethods() {
		mx, my := x.Method(i), y.Method(i)
		if mx.Name() != my.Name() || !mx.Exported() && pkgPath(mx.Pkg()) != pkgPath(my.Pkg()) ||
			!sameSignature(mx.Type().(*types.Signature), my.Type().(*types.Signature)) {
			return false
		}
	}
	return true
}

// sameNamed reports whether x and y are the same named type of the same
// package, with identical type arguments.
func sameNamed(x, y *types.Named) bool {
	if x.Obj().Name() != y.Obj().Name() || pkgPath(x.Obj().Pkg()) != pkgPath(y.Obj().Pkg()) || !packageLevel(x.Obj()) || !packageLevel(y.Obj()) {
		return false // a local type is its check's own
	}
	xa, ya := x.TypeArgs(), y.TypeArgs()
	if xa.Len() != ya.Len() {
		return false
	}
	for i := range xa.Len() {
		if !identicalAcross(xa.At(i), ya.At(i)) {
			return false
		}
	}
	return true
}

// packageLevel reports whether obj is declared at its package's level.
func packageLevel(obj types.Object) bool {
	return obj.Pkg() != nil && obj.Parent() == obj.Pkg().Scope()
}

// pkgPath returns the path of pkg, "" for none.
func pkgPath(pkg *types.Package) string {
	if pkg == nil {
		return ""
	}
	return pkg.Path()
}
