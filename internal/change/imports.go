package change

import (
	"go/ast"
	"slices"
	"strconv"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// ImportSpec is one import: Name is empty when the package's own name is
// used.
type ImportSpec struct{ Name, Path string }

// String writes the spec as Go source.
func (s ImportSpec) String() string {
	if s.Name == "" {
		return strconv.Quote(s.Path)
	}
	return s.Name + " " + strconv.Quote(s.Path)
}

// SpecOf returns the spec of an import declaration's spec.
func SpecOf(is *ast.ImportSpec) ImportSpec {
	s := ImportSpec{Path: unquote(is.Path.Value)}
	if is.Name != nil {
		s.Name = is.Name.Name
	}
	return s
}

// FileImports returns the import specs of f, as written, but its blank
// and dot imports.
func FileImports(f *ast.File) []ImportSpec {
	var out []ImportSpec
	for _, is := range f.Imports {
		s := SpecOf(is)
		if s.Name == "_" || s.Name == "." {
			continue
		}
		out = append(out, s)
	}
	return out
}

// unquote returns the value of a Go string literal, or s.
func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

// spec returns the import spec binding name to path, without the name
// when it is the package's own.
func (p *Program) spec(path, name string) string {
	if ip := p.pkgs[path]; ip != nil && ip.Name() == name {
		return ImportSpec{Path: path}.String()
	}
	return ImportSpec{Name: name, Path: path}.String()
}

// MissingImports returns, once each, the import paths of the packages
// that the undefined names of type errors mean, as goimports would
// (importFor), when interpreted code can import them (Available). The Go
// prompt and Checker.RewriteInput import them for an input that names
// them without importing them.
func (p *Program) MissingImports(ds diag.Diagnostics) []string {
	var paths []string
	for _, d := range ds {
		if d.Undefined == "" {
			continue
		}
		if path := p.importFor(d.Undefined); path != "" && p.Available(path) && !slices.Contains(paths, path) {
			paths = append(paths, path)
		}
	}
	return paths
}
