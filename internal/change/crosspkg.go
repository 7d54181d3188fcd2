package change

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// crossPackage adds to the diagnostics of a save that does not
// type-check (err) a refusal for each name of another user package that
// the save uses, that the build lacks and that the package declares on
// disk (`undefined: sub.Opts` while sub's files declare Opts), and for each
// method or field of a type of another user package that the save selects,
// that the build's type lacks and that the package declares on disk
// (`c.Twice undefined (type sub.Counter has no field or method Twice)`):
// the change spans packages, and a change is planned one package at a
// time (each package's patches are interpreted apart, and one package's
// patches do not see what another's declare), so saving the other package
// does not make it go live. files are the save's files, by path.
func (b *Build) crossPackage(err error, files map[string][]byte) error {
	var ds diag.Diagnostics
	if !errors.As(err, &ds) {
		return err
	}
	var out diag.Diagnostics
	for _, d := range ds {
		out = append(out, d)
		if d.Kind != diag.Type {
			continue
		}
		if what, pkgName := b.declaredElsewhere(d, files); what != "" {
			out = append(out, diag.Diagnostic{Pos: d.Pos, Kind: diag.RefusedRestart,
				Msg: fmt.Sprintf("%s is declared by package %s on disk, not in the build: a change is planned one package at a time", what, pkgName)})
		}
	}
	return out
}

// missingMemberRE matches go/types's error for a selection of a member
// that a named type lacks, the type qualified by its package's name or by
// its quoted import path: `x.M undefined (type *"example.com/p/sub".T has
// no field or method M`.
var missingMemberRE = regexp.MustCompile(`undefined \(type \*?(?:"([^"]+)"|(\w+))\.(\w+) has no field or method (\w+)`)

// declaredElsewhere returns what the type error d of a save (files, by
// path) misses that another user package declares on disk, as
// pkg.Name or pkg.Type.Member, with that package's name; "" for none.
func (b *Build) declaredElsewhere(d diag.Diagnostic, files map[string][]byte) (what, pkgName string) {
	if pkgName, name, ok := strings.Cut(d.Undefined, "."); ok {
		if dir := b.importedDir(files, d.Pos.Filename, pkgName); dir != "" && declaredIn(dir, name) {
			return d.Undefined, pkgName
		}
		return "", ""
	}
	m := missingMemberRE.FindStringSubmatch(d.Msg)
	if m == nil {
		return "", ""
	}
	path, pkgName, typ, member := m[1], m[2], m[3], m[4]
	dir := ""
	if path != "" {
		pkgName = b.PackageName(path)
		for dr, p := range b.dirPkgs {
			if p == path {
				dir = dr
			}
		}
	} else {
		dir = b.importedDir(files, d.Pos.Filename, pkgName)
	}
	if dir == "" || !memberDeclaredIn(dir, typ, member) {
		return "", ""
	}
	return pkgName + "." + typ + "." + member, pkgName
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
	return anyDecl(dir, func(d ast.Decl) bool { return declares(d, name) })
}

// memberDeclaredIn reports whether the Go files of dir, as on disk,
// declare a method member of type typ, or a field member of typ's struct.
func memberDeclaredIn(dir, typ, member string) bool {
	return anyDecl(dir, func(d ast.Decl) bool {
		switch d := d.(type) {
		case *ast.FuncDecl:
			return d.Recv != nil && len(d.Recv.List) == 1 && d.Name.Name == member && recvTypeName(d.Recv.List[0].Type) == typ
		case *ast.GenDecl:
			for _, s := range d.Specs {
				if ts, ok := s.(*ast.TypeSpec); ok && ts.Name.Name == typ {
					return hasField(ts.Type, member)
				}
			}
		}
		return false
	})
}

// recvTypeName returns the name of the type of a receiver, T for T, *T,
// T[P] and *T[P].
func recvTypeName(x ast.Expr) string {
	if s, ok := x.(*ast.StarExpr); ok {
		x = s.X
	}
	switch t := x.(type) {
	case *ast.IndexExpr:
		x = t.X
	case *ast.IndexListExpr:
		x = t.X
	}
	id, _ := x.(*ast.Ident)
	if id == nil {
		return ""
	}
	return id.Name
}

// hasField reports whether t, a type expression, is a struct type with a
// field named name (an embedded field named by its type).
func hasField(t ast.Expr, name string) bool {
	st, ok := t.(*ast.StructType)
	if !ok {
		return false
	}
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 && recvTypeName(embeddedType(f.Type)) == name {
			return true
		}
		for _, n := range f.Names {
			if n.Name == name {
				return true
			}
		}
	}
	return false
}

// embeddedType returns the type name of an embedded field's type
// expression, its package dropped (pkg.T gives T).
func embeddedType(x ast.Expr) ast.Expr {
	if s, ok := x.(*ast.StarExpr); ok {
		x = s.X
	}
	if se, ok := x.(*ast.SelectorExpr); ok {
		return se.Sel
	}
	return x
}

// anyDecl reports whether a top-level declaration of a Go file of dir, as
// on disk, satisfies match.
func anyDecl(dir string, match func(ast.Decl) bool) bool {
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
			if match(d) {
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
