package naming

import (
	"go/types"
	"strings"
)

// Importable reports whether every package that t names can be
// imported by package self: none is internal to a tree self is outside of,
// vendored, or a main package.
func Importable(t types.Type, self *types.Package) bool {
	ok := true
	WalkTypes(t, func(t types.Type) bool {
		if x, isNamed := t.(*types.Named); isNamed {
			if p := x.Obj().Pkg(); p != nil && p != self && !ImportableFrom(p, self.Path()) {
				ok = false
			}
		}
		return ok
	})
	return ok
}

// ImportableFrom reports whether a file of the package at path from may
// import p.
func ImportableFrom(p *types.Package, from string) bool {
	path := p.Path()
	if p.Name() == "main" || path == "main" {
		return false
	}
	elems := strings.Split(path, "/")
	for i, e := range elems {
		switch e {
		case "vendor":
			return false
		case "internal":
			parent := strings.Join(elems[:i], "/")
			if parent != "" && from != parent && !strings.HasPrefix(from, parent+"/") {
				return false
			}
			if parent == "" {
				return false // the standard library's, which user packages cannot import
			}
		}
	}
	return true
}

// GenericType reports whether the type name declares a generic type or
// alias.
func GenericType(tn *types.TypeName) bool {
	switch t := tn.Type().(type) {
	case *types.Named:
		return t.TypeParams().Len() > 0
	case *types.Alias:
		return t.TypeParams().Len() > 0
	}
	return false
}

// ConstraintType reports whether the type name declares an interface that
// can only be used as a type constraint.
func ConstraintType(tn *types.TypeName) bool {
	it, ok := tn.Type().Underlying().(*types.Interface)
	return ok && !it.IsMethodSet()
}
