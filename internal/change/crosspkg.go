package change

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// crossPackage adds to the diagnostics of a save that does not
// type-check (err) a refusal for each name of another user package that
// the save uses, that the build lacks and that the package declares on
// disk (`undefined: sub.Opts` while sub's files declare Opts): the change
// spans packages, and a change is planned one package at a time (each
// package's patches are interpreted apart, and one package's patches do
// not see what another's declare), so saving the other package does not
// make it go live. files are the save's files, by path.
func (b *Build) crossPackage(err error, files map[string][]byte) error {
	var ds diag.Diagnostics
	if !errors.As(err, &ds) {
		return err
	}
	var out diag.Diagnostics
	for _, d := range ds {
		out = append(out, d)
		pkgName, name, ok := strings.Cut(d.Undefined, ".")
		if d.Kind != diag.Type || !ok {
			continue
		}
		dir := b.importedDir(files, d.Pos.Filename, pkgName)
		if dir == "" || !declaredIn(dir, name) {
			continue
		}
		out = append(out, diag.Diagnostic{Pos: d.Pos, Kind: diag.RefusedRestart,
			Msg: fmt.Sprintf("%s is declared by package %s on disk, not in the build: a change is planned one package at a time", d.Undefined, pkgName)})
	}
	return out
}

// importedDir returns the directory of the user package that the saved
// file of base name base imports as pkgName, "" for none.
func (b *Build) importedDir(files map[string][]byte, base, pkgName string) string {
	for path, src := range files {
		if filepath.Base(path) != base {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.ImportsOnly)
		if err != nil {
			return ""
		}
		for _, is := range f.Imports {
			ip, _ := strconv.Unquote(is.Path.Value)
			name := b.PackageName(ip)
			if is.Name != nil {
				name = is.Name.Name
			}
			if name != pkgName {
				continue
			}
			for dir, p := range b.dirPkgs {
				if p == ip {
					return dir
				}
			}
		}
	}
	return ""
}

// declaredIn reports whether a Go file of dir, as on disk, declares name
// at its package level.
func declaredIn(dir, name string) bool {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if e.IsDir() || !isSourceFile(e.Name()) {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			if declares(d, name) {
				return true
			}
		}
	}
	return false
}

// declares reports whether top-level declaration d declares name.
func declares(d ast.Decl, name string) bool {
	switch d := d.(type) {
	case *ast.FuncDecl:
		return d.Recv == nil && d.Name.Name == name
	case *ast.GenDecl:
		for _, s := range d.Specs {
			switch s := s.(type) {
			case *ast.TypeSpec:
				if s.Name.Name == name {
					return true
				}
			case *ast.ValueSpec:
				for _, n := range s.Names {
					if n.Name == name {
						return true
					}
				}
			}
		}
	}
	return false
}
