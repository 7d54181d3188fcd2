package change

import (
	"context"
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"path/filepath"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/patcher"
)

// Program is the type information of one patchable build, indexed once
// per build (Checker.Program). It is read-only once made, but for a cache of bodiless
// copies of its files, and safe for concurrent use.
type Program struct {
	fset  *token.FileSet
	pkgs  map[string]*types.Package // every loaded package by import path
	user  map[string]bool           // instrumented packages: lpAddr_ and lpField_ symbols exist
	names packageNames              // which package a name means at the prompt (pkgnames.go)
	files map[string]fileRef        // user files by absolute path

	declMu sync.Mutex
	decls  map[*ast.File]*ast.File // user files without function bodies, made on first use

	instances instanceCache // instantiation symbols by package (generic.go)
	unlinked  unlinkedCache // packages not linked, loaded from source for the native tier (unlinked.go)

	liveMu   sync.Mutex
	liveVars map[string]*types.Var // package variables saves made live, by "path.name" (planvars.go)
	side     sideRecord            // the fields live changes add to compiled types (sidefields.go)
}

// fileRef is one file of a user package.
type fileRef struct {
	pkg  *packages.Package
	file *ast.File
	tok  *token.File
}

// newProgram indexes the packages of a build. It waits for them when the
// build loads them in the background.
func newProgram(ctx context.Context, res *patcher.Result) (*Program, error) {
	fset, pkgs, err := res.TypeInfo(ctx)
	if err != nil {
		return nil, fmt.Errorf("prompt: %w", err)
	}
	if fset == nil {
		return nil, fmt.Errorf("prompt: build has no type information")
	}
	p := &Program{fset: fset, pkgs: map[string]*types.Package{}, user: map[string]bool{}, files: map[string]fileRef{}}
	var visit func(lp *packages.Package)
	seen := map[*packages.Package]bool{}
	visit = func(lp *packages.Package) {
		if seen[lp] {
			return
		}
		seen[lp] = true
		if lp.Types != nil && p.pkgs[lp.PkgPath] == nil {
			p.pkgs[lp.PkgPath] = lp.Types
		}
		for _, imp := range lp.Imports {
			visit(imp)
		}
	}
	for _, lp := range pkgs {
		if lp.Types == nil || lp.TypesInfo == nil {
			continue
		}
		p.user[lp.PkgPath] = true
		p.pkgs[lp.PkgPath] = lp.Types
		for _, f := range lp.Syntax {
			tok := fset.File(f.Pos())
			if tok == nil {
				continue
			}
			name := tok.Name()
			if abs, err := filepath.Abs(name); err == nil {
				name = abs
			}
			p.files[name] = fileRef{pkg: lp, file: f, tok: tok}
		}
	}
	for _, lp := range pkgs {
		visit(lp)
	}
	agent, err := res.AgentPackages(ctx)
	if err != nil {
		return nil, fmt.Errorf("prompt: %w", err)
	}
	p.names = newPackageNames(p, pkgs, agent)
	return p, nil
}

// file returns the user file at path.
func (p *Program) file(path string) (fileRef, bool) {
	if r, ok := p.files[path]; ok {
		return r, true
	}
	if abs, err := filepath.Abs(path); err == nil {
		if r, ok := p.files[filepath.Clean(abs)]; ok {
			return r, true
		}
	}
	return fileRef{}, false
}

// Fset returns the file set of the build's syntax.
func (p *Program) Fset() *token.FileSet { return p.fset }

// Package returns the loaded package of import path path, or nil.
func (p *Program) Package(path string) *types.Package { return p.pkgs[path] }

// UserPackage reports whether path is a package of the user's, one the
// build instruments.
func (p *Program) UserPackage(path string) bool { return p.user[path] }

// UserFile returns the package and the syntax of the user file at path,
// as built.
func (p *Program) UserFile(path string) (*packages.Package, *ast.File, bool) {
	r, ok := p.file(path)
	return r.pkg, r.file, ok
}

// Importer returns an importer of the packages linked into the program.
func (p *Program) Importer() types.Importer {
	return importerFunc(func(path string) (*types.Package, error) {
		if ip := p.pkgs[path]; ip != nil {
			return ip, nil
		}
		return nil, fmt.Errorf("package %s is not linked into this program", path)
	})
}

// importerFunc is a types.Importer.
type importerFunc func(path string) (*types.Package, error)

func (f importerFunc) Import(path string) (*types.Package, error) { return f(path) }
