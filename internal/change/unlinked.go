package change

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/rewrite"
	"github.com/livepatch/livepatch/target/agent/side"
)

// Packages the program does not link. The interpreter cannot import them
// (the agent has no symbols of them), but a native patch can: a plugin
// links what it imports. When the native tier can take a save
// (Save.Native), its files are checked with such packages loaded from
// source, and the change goes live natively only (Change.NativeOnly).

// NativeMode is what the native tier can take of a save.
type NativeMode struct {
	// On says that a plugin can build a change that the interpreter
	// cannot take.
	On bool
	// Off says why it cannot, when !On; a refusal that the tier would
	// lift says it ("" says nothing).
	Off string
}

// unlinkedCache holds the packages loaded from source, by import path.
type unlinkedCache struct {
	mu   sync.Mutex
	pkgs map[string]*types.Package
}

// importer returns the importer of a saved change of the package pkgPath
// in directory dir. The packages patched code can import (Available: the
// agent carries them) import as linked. One it cannot, linked only as a
// dependency or not linked at all, goes to the native tier when it can
// take the change (a package not linked is loaded from source and
// recorded in used); otherwise it is refused through refused, with why the
// interpreter cannot reach it and why the native tier does not take it.
func (p *Program) importer(pkgPath, dir string, nat NativeMode, used map[string]bool, refused func(path, why string)) types.Importer {
	all := p.Importer()
	return importerFunc(func(path string) (*types.Package, error) {
		if p.Available(path) || p.names.own[path] {
			return all.Import(path)
		}
		linked := p.pkgs[path]
		if nat.On {
			if linked != nil {
				return linked, nil // native only: nativeOnly finds it unavailable
			}
			ip, err := p.loadUnlinked(path, dir)
			if err != nil {
				return nil, fmt.Errorf("package %s is not linked into this program, and loading it for a native patch failed: %w", path, err)
			}
			used[path] = true
			return ip, nil
		}
		why := fmt.Sprintf("package %s is not linked into this program", path)
		if linked != nil {
			why = fmt.Sprintf("package %s is linked into this program only as a dependency, and patched code reaches only the packages the program's own code imports as built", path)
		}
		if nat.Off != "" {
			why += ": " + nat.Off
		}
		refused(path, why)
		return nil, errors.New(why)
	})
}

// loadUnlinked type-checks the package path, as found from dir, from its
// source without function bodies; what it imports comes from the program
// or, when not linked either, from source too. It is loaded once per
// build.
func (p *Program) loadUnlinked(path, dir string) (*types.Package, error) {
	p.unlinked.mu.Lock()
	defer p.unlinked.mu.Unlock()
	return p.loadUnlinkedLocked(path, dir, map[string]bool{})
}

func (p *Program) loadUnlinkedLocked(path, dir string, loading map[string]bool) (*types.Package, error) {
	if ip := p.pkgs[path]; ip != nil {
		return ip, nil
	}
	if ip := p.unlinked.pkgs[path]; ip != nil {
		return ip, nil
	}
	if loading[path] {
		return nil, fmt.Errorf("import cycle through %s", path)
	}
	loading[path] = true
	bp, err := build.Default.Import(path, dir, 0)
	if err != nil {
		return nil, err
	}
	if len(bp.CgoFiles) > 0 {
		return nil, fmt.Errorf("package %s uses cgo", path)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, name := range bp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(bp.Dir, name), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	var first error
	conf := types.Config{
		IgnoreFuncBodies: true,
		FakeImportC:      true,
		Importer: importerFunc(func(dep string) (*types.Package, error) {
			return p.loadUnlinkedLocked(dep, bp.Dir, loading)
		}),
		Error: func(err error) {
			if first == nil {
				first = err
			}
		},
	}
	ip, _ := conf.Check(path, fset, files, nil)
	if first != nil {
		return nil, first
	}
	if p.unlinked.pkgs == nil {
		p.unlinked.pkgs = map[string]*types.Package{}
	}
	p.unlinked.pkgs[path] = ip
	return ip, nil
}

// nativeOnly returns why the interpreter cannot take a change that the
// native tier can: the packages it imports that the program does not
// link (unlinked), or that the agent does not carry; "" when it can.
func (p *Program) nativeOnly(ch *Change, unlinked map[string]bool) string {
	paths := map[string]bool{}
	specs := append([]string(nil), ch.Imports...)
	for _, r := range ch.Funcs {
		specs = append(specs, r.Imports...)
	}
	for _, spec := range specs {
		path := spec
		if i := strings.LastIndexByte(spec, ' '); i >= 0 {
			path = spec[i+1:]
		}
		if u, err := strconv.Unquote(path); err == nil {
			path = u
		}
		if path == side.Package {
			continue // the agent's side table, which it gives the interpreter
		}
		if unlinked[path] || !p.Available(path) {
			paths[path] = true
		}
	}
	if len(paths) == 0 {
		return ""
	}
	list := make([]string, 0, len(paths))
	for path := range paths {
		list = append(list, path)
	}
	sort.Strings(list)
	var whys []string
	for _, path := range list {
		if p.pkgs[path] == nil || unlinked[path] {
			whys = append(whys, path+", which the program does not link")
		} else {
			whys = append(whys, path+", which the program links only as a dependency")
		}
	}
	return "it imports " + strings.Join(whys, "; and ")
}

// nativeInstead reports whether the native tier takes d, a declaration of
// the change that the rewriting for the interpreter refused with err (a
// construct the interpreter lacks or runs otherwise than Go, but a field
// added to a compiled type, which the native tier cannot reach either):
// then the change goes native only, and a function asked for gets a
// replacement without interpreted source.
func (s *savedChange) nativeInstead(err error, sf *savedFile, d ast.Decl, key string) bool {
	var ds diag.Diagnostics
	if !s.nat.On || !errors.As(err, &ds) || len(ds) == 0 {
		return false
	}
	for _, d := range ds {
		if d.Kind != diag.RefusedInterpreter || d.Reason == rewrite.ReasonSideField {
			return false
		}
	}
	if s.refused == "" {
		s.refused = ds[0].String()
	}
	if fd, ok := d.(*ast.FuncDecl); ok && s.want[key] {
		// A marker, not source: the agent records it as the native
		// patch's source, and nothing interprets it.
		text := sf.src[sf.tok.Offset(fd.Pos()):sf.tok.Offset(fd.End())]
		s.ch.Funcs[key] = &Replacement{Source: "// native only\n" + string(text), Checked: s.checkedFunc(sf, fd)}
	}
	return true
}
