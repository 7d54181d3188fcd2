package patcher

import (
	"context"
	"crypto/sha256"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/usermod"
)

// defaultStd is the set of standard-library packages whose symbols the
// interpreter always gets, linked or not.
var defaultStd = []string{
	"bytes", "errors", "fmt", "io", "maps", "math", "os", "slices", "sort",
	"strconv", "strings", "sync", "time",
	"reflect", // prompt's rewriting reaches unexported fields of unnamed struct types through it
}

// loaded is the result of loading the packages of one build.
type loaded struct {
	fset  *token.FileSet
	roots []*packages.Package // the packages named on the command line
	// user holds the user packages (non-test variants) in the import graph of
	// the roots, sorted by import path.
	user []*packages.Package
	// parsed holds the SHA-256 of every user file as the load read it.
	parsed map[string][32]byte
	// std holds the importable standard-library packages that the user's
	// packages (and, in a test build, their test files) import directly,
	// plus defaultStd, sorted by import path.
	std []*packages.Package
	// tests holds, in a test build, the test variants of the roots: the
	// package under test with its test files and its external test
	// package (testmain.go).
	tests []*packages.Package
}

// loadMode is what the builder needs from go/packages.
const loadMode = packages.NeedName | packages.NeedFiles | packages.NeedCompiledGoFiles |
	packages.NeedImports | packages.NeedDeps | packages.NeedTypes | packages.NeedSyntax |
	packages.NeedTypesInfo | packages.NeedModule

// load loads and type-checks the packages named by opts once. Function
// bodies are parsed only for user files; other packages are type-checked
// from their declarations.
func load(ctx context.Context, opts *Options, mods *usermod.Modules, env []string) (*loaded, error) {
	fset := token.NewFileSet()
	parsed := map[string][32]byte{}
	cfg := &packages.Config{
		Context:    ctx,
		Mode:       loadMode,
		Dir:        opts.Dir,
		Env:        env,
		BuildFlags: opts.BuildFlags,
		Tests:      opts.Test,
		Fset:       fset,
		ParseFile:  parseFile(mods, parsed),
	}
	pkgs, err := packages.Load(cfg, patterns(opts)...)
	if err != nil {
		return nil, fmt.Errorf("load packages: %w", err)
	}
	l := &loaded{fset: fset, parsed: parsed}
	c := &collector{
		l:       l,
		mods:    mods,
		seen:    map[string]*packages.Package{},
		stdSeen: map[string]*packages.Package{},
		linked:  map[string]*packages.Package{},
	}
	for _, p := range pkgs {
		c.visit(p)
	}
	// Roots: the plain variants of the packages matched by the patterns.
	for _, p := range pkgs {
		if !isTestVariant(p) {
			l.roots = append(l.roots, p)
		} else if forTest(p) != "" {
			l.tests = append(l.tests, p)
		}
	}
	if err := c.addDefaultStd(cfg); err != nil {
		return nil, err
	}
	for _, p := range c.stdSeen {
		l.std = append(l.std, p)
	}
	sort.Slice(l.user, func(i, j int) bool { return l.user[i].PkgPath < l.user[j].PkgPath })
	sort.Slice(l.std, func(i, j int) bool { return l.std[i].PkgPath < l.std[j].PkgPath })
	return l, nil
}

// parseFile returns the loader's parse hook: user files are parsed whole,
// with comments, and their SHA-256 recorded in parsed; other files without
// function bodies.
func parseFile(mods *usermod.Modules, parsed map[string][32]byte) func(*token.FileSet, string, []byte) (*ast.File, error) {
	var mu sync.Mutex // guards parsed; ParseFile runs concurrently
	return func(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
		if mods.IsUserFile(filename) {
			sum := sha256.Sum256(src)
			mu.Lock()
			parsed[filename] = sum
			mu.Unlock()
			return parser.ParseFile(fset, filename, src, parser.AllErrors|parser.ParseComments)
		}
		f, err := parser.ParseFile(fset, filename, src, parser.SkipObjectResolution)
		if f != nil {
			for _, d := range f.Decls {
				if fd, ok := d.(*ast.FuncDecl); ok {
					fd.Body = nil
				}
			}
		}
		return f, err
	}
}

// collector walks the import graph of the loaded packages for load.
type collector struct {
	l    *loaded
	mods *usermod.Modules
	seen map[string]*packages.Package // by ID
	// stdSeen holds the std packages the user's code imports directly:
	// generating the symbols of every linked std package keeps all their
	// exported code alive in the binary (about +19 MB for Delve's cmd/dlv
	// against +8 MB). A prompt's import of another linked std package is
	// then not available.
	stdSeen map[string]*packages.Package
	linked  map[string]*packages.Package // every importable std package linked
}

// visit records p, when it is the user's, and the std and dependency
// packages it imports, then visits its imports.
func (c *collector) visit(p *packages.Package) {
	if _, ok := c.seen[p.ID]; ok {
		return
	}
	c.seen[p.ID] = p
	if isImportableStd(p) {
		c.linked[p.PkgPath] = p
	}
	switch {
	case isTestVariant(p):
		// Test variants and generated test mains: their non-test files
		// are instrumented through the plain variant; their test
		// files' imports count as the user's.
		if !strings.HasSuffix(p.PkgPath, ".test") && len(p.GoFiles) > 0 && c.mods.IsUserFile(p.GoFiles[0]) {
			c.addStdImports(p)
		}
	case c.mods.IsUserPackage(p):
		c.l.user = append(c.l.user, p)
		c.addStdImports(p)
	}
	for _, path := range sortedKeys(p.Imports) {
		c.visit(p.Imports[path])
	}
}

// addStdImports records the std and dependency packages p imports.
func (c *collector) addStdImports(p *packages.Package) {
	for _, imp := range p.Imports {
		if isImportableStd(imp) || c.mods.IsImportableDep(imp) {
			c.stdSeen[imp.PkgPath] = imp
		}
	}
}

// addDefaultStd adds the packages of defaultStd to stdSeen: linked ones as
// loaded, the others loaded with cfg, without tests.
func (c *collector) addDefaultStd(cfg *packages.Config) error {
	var missing []string
	for _, s := range defaultStd {
		switch {
		case c.stdSeen[s] != nil:
		case c.linked[s] != nil:
			c.stdSeen[s] = c.linked[s]
		default:
			missing = append(missing, s)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	cfg.Tests = false
	cfg.Mode = packages.NeedName | packages.NeedImports | packages.NeedDeps | packages.NeedTypes | packages.NeedSyntax
	more, err := packages.Load(cfg, missing...)
	if err != nil {
		return fmt.Errorf("load packages: %w", err)
	}
	for _, p := range more {
		if isImportableStd(p) && c.stdSeen[p.PkgPath] == nil {
			c.stdSeen[p.PkgPath] = p
		}
	}
	return nil
}

// userDirs returns the directories of the user's packages, sorted.
func (l *loaded) userDirs(mods *usermod.Modules) []string {
	seen := map[string]bool{}
	for _, p := range l.user {
		for _, files := range [][]string{p.GoFiles, p.CompiledGoFiles, p.IgnoredFiles} {
			for _, f := range files {
				if strings.HasSuffix(f, ".go") && mods.IsUserFile(f) {
					seen[filepath.Dir(f)] = true
				}
			}
		}
	}
	return sortedKeys(seen)
}

// goFiles returns the Go files the build compiles of the user packages.
func (l *loaded) goFiles() []string {
	var files []string
	for _, p := range l.user {
		files = append(files, p.GoFiles...)
	}
	sort.Strings(files)
	return files
}

// isTestVariant reports whether p is a test variant of a package, an
// external test package or a generated test main.
func isTestVariant(p *packages.Package) bool {
	return p.ForTest != "" || strings.HasSuffix(p.PkgPath, ".test") || strings.Contains(p.ID, " [")
}

// forTest returns the import path of the package whose test binary test
// variant p is part of, from its ID ("p [p.test]", "p_test [p.test]");
// "" for a package of no test binary or its generated test main.
func forTest(p *packages.Package) string {
	_, rest, ok := strings.Cut(p.ID, " [")
	if !ok {
		return ""
	}
	return strings.TrimSuffix(strings.TrimSuffix(rest, "]"), ".test")
}

// patterns returns the package patterns of a build, "." by default.
func patterns(opts *Options) []string {
	if len(opts.Packages) == 0 {
		return []string{"."}
	}
	return opts.Packages
}

// isImportableStd reports whether p is a standard-library package that user
// code may import and whose symbols can be generated.
func isImportableStd(p *packages.Package) bool {
	if p.Module != nil || p.Types == nil || p.PkgPath == "" {
		return false
	}
	path := p.PkgPath
	if first, _, _ := strings.Cut(path, "/"); strings.Contains(first, ".") {
		return false
	}
	switch path {
	case "unsafe", "C", "runtime/cgo", "builtin", "main":
		return false
	}
	for _, elem := range strings.Split(path, "/") {
		if elem == "internal" || elem == "vendor" || elem == "testdata" {
			return false
		}
	}
	return true
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
