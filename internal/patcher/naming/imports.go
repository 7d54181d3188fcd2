package naming

import (
	"bytes"
	"fmt"
	"go/types"
	"sort"
	"strconv"
)

// Imports names the imports of one generated file with private names.
type Imports struct {
	self  *types.Package    // the package the file belongs to
	names map[string]string // import path -> local name
	order []string
}

// NewImports returns the imports of a file of package self, none yet.
func NewImports(self *types.Package) *Imports {
	return &Imports{self: self, names: map[string]string{}}
}

// Add imports path under name unless it is imported already, and returns
// the local name.
func (s *Imports) Add(path, name string) string {
	if n, ok := s.names[path]; ok {
		return n
	}
	s.names[path] = name
	s.order = append(s.order, path)
	return name
}

// Name returns the local name of path, if it is imported.
func (s *Imports) Name(path string) (string, bool) {
	n, ok := s.names[path]
	return n, ok
}

// Len returns the number of imports.
func (s *Imports) Len() int { return len(s.order) }

// Qualifier is a types.Qualifier that imports what it qualifies.
func (s *Imports) Qualifier(p *types.Package) string {
	if p == s.self {
		return ""
	}
	return s.Add(p.Path(), fmt.Sprintf("lp_i%d", len(s.order)))
}

// Write writes the import declaration.
func (s *Imports) Write(b *bytes.Buffer) {
	paths := append([]string(nil), s.order...)
	sort.Strings(paths)
	b.WriteString("import (\n")
	for _, p := range paths {
		fmt.Fprintf(b, "\t%s %s\n", s.names[p], strconv.Quote(p))
	}
	b.WriteString(")\n\n")
}

// Nameable reports whether t can be written in a file of package self: no
// unexported named type of another package and no type parameter occurs in it.
func Nameable(t types.Type, self *types.Package) bool {
	return NameableWith(t, self, nil)
}

// NameableWith is Nameable in the scope of a generic declaration whose
// type parameters are tparams: those are nameable there.
func NameableWith(t types.Type, self *types.Package, tparams *types.TypeParamList) bool {
	ok := true
	WalkTypes(t, func(t types.Type) bool {
		switch x := t.(type) {
		case *types.Named:
			obj := x.Obj()
			if obj.Pkg() != nil && obj.Pkg() != self && !obj.Exported() {
				ok = false
			}
			if obj.Parent() != nil && obj.Pkg() != nil && obj.Parent() != obj.Pkg().Scope() {
				ok = false // a local type
			}
		case *types.Alias:
			if obj := x.Obj(); obj.Pkg() != nil && obj.Pkg() != self && !obj.Exported() {
				ok = false
			}
		case *types.TypeParam:
			if x.Index() >= tparams.Len() || tparams.At(x.Index()) != x {
				ok = false
			}
		case *types.Struct:
			for i := 0; i < x.NumFields(); i++ {
				if f := x.Field(i); !f.Exported() && f.Pkg() != self {
					ok = false
				}
			}
		case *types.Interface:
			for i := 0; i < x.NumExplicitMethods(); i++ {
				if m := x.ExplicitMethod(i); !m.Exported() && m.Pkg() != self {
					ok = false
				}
			}
		}
		return ok
	})
	return ok
}
