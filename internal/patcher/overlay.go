package patcher

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"go/types"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/usermod"
)

// generate instruments the user packages and writes the overlay files into
// buildDir. It returns the overlay's replacements (original path -> copy).
// holdTests adds the TestMain that holds a test binary (testmain.go).
func generate(l *loaded, mods *usermod.Modules, buildDir string, log *slog.Logger, holdTests bool) (map[string]string, *Result, error) {
	g := &generator{l: l, mods: mods, log: log, ov: map[string]string{}, res: &Result{Manifest: &Manifest{}}, roots: map[string]bool{}, holdTests: holdTests}
	for _, r := range l.roots {
		g.roots[r.PkgPath] = true
	}
	for _, p := range l.std {
		g.std = append(g.std, p.Types)
	}
	g.only = usedOfDeps(l)
	for _, p := range l.user {
		if len(p.Errors) > 0 || p.Types == nil || p.TypesInfo == nil {
			log.Debug("not instrumenting package with errors", "package", p.PkgPath)
			continue
		}
		clash := packageClash(p.Types)
		if clash != "" {
			log.Warn("not instrumenting package", "package", p.PkgPath, "reason", clash)
		}
		pkgDir := filepath.Dir(p.GoFiles[0])
		outDir := filepath.Join(buildDir, "overlay", overlayDirName(p.PkgPath))
		if err := g.instrumentPackage(p, outDir); err != nil {
			return nil, nil, err
		}
		if clash != "" {
			// The generated files would clash too; the functions are listed
			// as not patchable, and the interpreter does not see the package.
			continue
		}
		if err := g.addGenerated(p, pkgDir, outDir); err != nil {
			return nil, nil, err
		}
	}
	if holdTests {
		if err := testMainFiles(l.tests, buildDir, g.ov); err != nil {
			return nil, nil, err
		}
	}
	g.res.Manifest.Count = g.next
	return g.ov, g.res, nil
}

// generator holds what generate builds up across the user packages.
type generator struct {
	l    *loaded
	mods *usermod.Modules
	log  *slog.Logger
	ov   map[string]string // the overlay's replacements
	res  *Result
	next int // the next function's dispatch index

	roots map[string]bool                    // the root packages' paths
	std   []*types.Package                   // the std and dependency packages the roots register
	only  map[*types.Package]map[string]bool // see usedOfDeps

	holdTests bool // add the TestMain that holds a test binary (testmain.go)
}

// instrumentPackage writes the instrumented copies of p's user files into
// outDir and lists its functions; those of files the compiler gets only
// after cgo processing, as not patchable.
func (g *generator) instrumentPackage(p *packages.Package, outDir string) error {
	seen := map[string]bool{}
	for _, f := range p.Syntax {
		filename := g.l.fset.File(f.Pos()).Name()
		seen[filename] = true
		if !g.mods.IsUserFile(filename) || strings.HasSuffix(filename, "_test.go") {
			continue
		}
		src, err := os.ReadFile(filename)
		if err != nil {
			return fmt.Errorf("instrument: %w", err)
		}
		out, funcs := instrumentFile(g.l.fset, p.Types, p.TypesInfo, f, src, filename, &g.next)
		g.res.add(funcs, g.log)
		if out == nil {
			continue
		}
		copyPath := filepath.Join(outDir, filepath.Base(filename))
		if corruptForTest != nil {
			out = corruptForTest(filename, out)
		}
		if err := usermod.WriteIfChanged(copyPath, out); err != nil {
			return fmt.Errorf("instrument: %w", err)
		}
		g.ov[filename] = copyPath
	}
	for _, filename := range p.GoFiles {
		if seen[filename] || strings.HasSuffix(filename, "_test.go") {
			continue
		}
		funcs, err := listFuncs(p.PkgPath, filename, "cgo file")
		if err != nil {
			return fmt.Errorf("instrument: %w", err)
		}
		g.res.add(funcs, g.log)
	}
	return nil
}

// addGenerated adds p's generated files to the overlay: its symbol table,
// its interface wrappers and, for a root package, the tables of the std
// and dependency packages.
func (g *generator) addGenerated(p *packages.Package, pkgDir, outDir string) error {
	isRoot := g.roots[p.PkgPath]
	start := ""
	switch {
	case isRoot && g.holdTests:
		start = "StartTest" // the generated TestMain holds (testmain.go)
	case isRoot:
		start = "Start"
	}
	syms := packageSymbols(p.Types, p.TypesInfo, start, func(name, why string) {
		g.log.Debug("symbol left out", "package", p.PkgPath, "name", name, "reason", why)
	})
	if err := addFile(g.ov, pkgDir, outDir, symbolsFileName, syms); err != nil {
		return err
	}
	if err := addInterfaceWrappers(g.ov, pkgDir, outDir, p, isRoot, g.l, g.only, g.log); err != nil { // ifacewrap.go, package wrappers
		return err
	}
	exports := nativeExports(p.Types, func(name, why string) {
		g.log.Debug("native export left out", "package", p.PkgPath, "name", name, "reason", why)
	})
	if err := addFile(g.ov, pkgDir, outDir, NativeFileName, exports); err != nil {
		return err
	}
	if isRoot {
		return addFile(g.ov, pkgDir, outDir, stdSymbolsFileName, stdSymbols(p.Types, g.std, g.only))
	}
	return nil
}

// corruptForTest, when set by a test, rewrites each generated file (named
// by its path in the user's tree) before it is written, to exercise
// repairOverlay with real compiler messages.
var corruptForTest func(path string, data []byte) []byte

// add records the manifest entries of one file's functions.
func (res *Result) add(funcs []Function, log *slog.Logger) {
	for _, fn := range funcs {
		res.Manifest.Functions = append(res.Manifest.Functions, fn)
		if !fn.Patchable {
			res.Skipped = append(res.Skipped, Skip{Key: fn.Key, File: fn.File, Line: fn.Line, Reason: fn.Reason})
			log.Debug("not patchable", "func", fn.Key, "pos", fmt.Sprintf("%s:%d", fn.File, fn.Line), "reason", fn.Reason)
		}
	}
}

// listFuncs parses filename and lists its functions as not patchable for
// reason.
func listFuncs(pkgPath, filename, reason string) ([]Function, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, filename, nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	var funcs []Function
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok {
			line := fset.PositionFor(fd.Pos(), false).Line
			funcs = append(funcs, Function{Index: -1, Key: funcKey(pkgPath, fd), Package: pkgPath, File: filename, Line: line, Reason: reason})
		}
	}
	return funcs, nil
}

// addFile writes a generated file into outDir and maps it into pkgDir. The
// file is gofmt-formatted when it parses; it is written as is otherwise, so
// that the compiler reports the problem.
func addFile(ov map[string]string, pkgDir, outDir, name string, data []byte) error {
	if formatted, err := format.Source(data); err == nil {
		data = formatted
	}
	if corruptForTest != nil {
		data = corruptForTest(filepath.Join(pkgDir, name), data)
	}
	copyPath := filepath.Join(outDir, name)
	if err := usermod.WriteIfChanged(copyPath, data); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	ov[filepath.Join(pkgDir, name)] = copyPath
	return nil
}

// overlayDirName turns an import path into one directory name.
func overlayDirName(pkgPath string) string {
	r := strings.NewReplacer("/", "_", "\\", "_", ":", "_", ".", "_")
	sum := sha256.Sum256([]byte(pkgPath))
	return r.Replace(pkgPath) + "-" + hex.EncodeToString(sum[:4])
}

// buildDirFor returns the stable build directory of a build: the same
// module root and options give the same directory, so unchanged inputs give
// byte-identical overlays and hit the build cache.
func buildDirFor(mods *usermod.Modules, opts *Options) (string, error) {
	cache, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	h := sha256.New()
	fmt.Fprintf(h, "%q %q %q %q %t %q", mods.Roots, mods.GoWork, opts.Dir, opts.Packages, opts.Test, opts.BuildFlags)
	for _, e := range opts.Env {
		// Only what can change the generated files or the build: other
		// variables (a launch's secrets, say) must not multiply directories.
		if k, _, _ := strings.Cut(e, "="); strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "CC" || k == "CXX" {
			fmt.Fprintf(h, " %q", e)
		}
	}
	name := filepath.Base(mods.Roots[0]) + "-" + hex.EncodeToString(h.Sum(nil)[:8])
	d := filepath.Join(cache, "livepatch", "build", name)
	if err := os.MkdirAll(d, 0o755); err != nil {
		return "", err
	}
	return d, nil
}

// usedOfDeps returns, for each package of a module the user's code depends
// on among l.std, the package-level names that the user's packages use.
// Their symbols tables hold those only: the code they refer to is linked
// already, while a table of every exported name would link the whole
// package (for Delve's cmd/dlv, cobra, starlark and the others: 7 MB).
// Patched code may use what its package already uses from a dependency.
func usedOfDeps(l *loaded) map[*types.Package]map[string]bool {
	deps := map[*types.Package]map[string]bool{}
	for _, p := range l.std {
		if p.Module != nil {
			deps[p.Types] = map[string]bool{}
		}
	}
	if len(deps) == 0 {
		return deps
	}
	for _, u := range l.user {
		if u.TypesInfo == nil {
			continue
		}
		for _, obj := range u.TypesInfo.Uses {
			if pkg := obj.Pkg(); pkg != nil && deps[pkg] != nil && obj.Exported() && obj.Parent() == pkg.Scope() {
				deps[pkg][obj.Name()] = true
			}
		}
	}
	return deps
}
