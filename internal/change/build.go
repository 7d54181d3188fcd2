package change

import (
	"context"
	"fmt"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/patcher"
)

// Build is the snapshot of one patchable build: its functions, the
// sources it was built from, their declarations, and its type information
// (Program, loaded on first use). It is made once per build, by
// Checker.UseBuild right after the go command, so that the sources read
// from disk are those of the binary. It is read-only once made, but for
// its caches; its methods are safe for concurrent use.
type Build struct {
	res      *patcher.Result
	funcs    map[string]patcher.Function // by key
	pkgNames map[string]string           // import path -> package name
	dirPkgs  map[string]string           // package directory -> import path
	compiled map[string][]byte           // non-test .go files of those directories, as built
	embeds   map[string]embedded         // the files their //go:embed directives name, as built (embed.go)

	mu     sync.Mutex
	parsed map[string]*classify.FileDecls // compiled files, parsed on first use

	loadMu sync.Mutex // serializes loading prog
	prog   *Program   // the type information, once loaded

	startupMu sync.Mutex
	startup   *startupIndex // what StartupOnly reads, made on first use (startup.go)
}

// newBuild indexes a build's manifest and reads the sources of its
// package directories, which are the compiled ones right after the build.
func newBuild(res *patcher.Result) *Build {
	b := &Build{res: res, parsed: map[string]*classify.FileDecls{}, funcs: map[string]patcher.Function{}, pkgNames: map[string]string{},
		dirPkgs: map[string]string{}, compiled: map[string][]byte{}}
	if res == nil || res.Manifest == nil {
		return b
	}
	for _, f := range res.Manifest.Functions {
		b.funcs[f.Key] = f
		if f.File != "" {
			b.dirPkgs[filepath.Dir(f.File)] = f.Package
		}
	}
	for dir := range b.dirPkgs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			name := e.Name()
			if e.IsDir() || !isSourceFile(name) {
				continue
			}
			path := filepath.Join(dir, name)
			src, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			b.compiled[path] = src
			if f, err := parser.ParseFile(token.NewFileSet(), path, src, parser.PackageClauseOnly); err == nil {
				b.pkgNames[b.dirPkgs[dir]] = f.Name.Name
			}
		}
	}
	b.embeds = readEmbeds(b.compiled)
	return b
}

// isSourceFile reports whether a file name is that of a non-test Go file.
func isSourceFile(name string) bool {
	return strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go")
}

// Program returns the type information of the build, loaded on first use,
// or nil when there is none; it may wait for a background load.
func (b *Build) Program(ctx context.Context) (*Program, error) {
	b.loadMu.Lock()
	defer b.loadMu.Unlock()
	if b.prog != nil {
		return b.prog, nil
	}
	if b.res == nil {
		return nil, fmt.Errorf("no build")
	}
	prog, err := newProgram(ctx, b.res)
	if err != nil {
		return nil, err
	}
	b.prog = prog
	return prog, nil
}

// Func returns the manifest's function of key.
func (b *Build) Func(key string) (patcher.Function, bool) {
	f, ok := b.funcs[key]
	return f, ok
}

// Dirs returns the directories of the build's user packages.
func (b *Build) Dirs() []string { return slices.Sorted(maps.Keys(b.dirPkgs)) }

// Compiled returns the text of file as built, and whether the build's
// package directories held it.
func (b *Build) Compiled(file string) ([]byte, bool) {
	src, ok := b.compiled[file]
	return src, ok
}

// CompiledFiles returns the non-test Go files of the build's package
// directories, with their text as built. The map must not be modified.
func (b *Build) CompiledFiles() map[string][]byte { return b.compiled }

// CompiledDecls returns the declarations of file as built, parsed once;
// nil when the build has no such file or it does not parse. The result
// must not be modified.
func (b *Build) CompiledDecls(file string) *classify.FileDecls {
	b.mu.Lock()
	defer b.mu.Unlock()
	if fd, ok := b.parsed[file]; ok {
		return fd
	}
	src, ok := b.compiled[file]
	pkg, inBuild := b.PackageOf(file)
	var fd *classify.FileDecls
	if ok && inBuild {
		fd, _ = classify.ParseFileDecls(pkg, file, src)
	}
	b.parsed[file] = fd
	return fd
}

// PackageDecls returns the declarations of the compiled files of the
// package in directory dir. The result must not be modified.
func (b *Build) PackageDecls(dir string) map[string]*classify.FileDecls {
	out := map[string]*classify.FileDecls{}
	for file := range b.compiled {
		if filepath.Dir(file) == dir {
			if fd := b.CompiledDecls(file); fd != nil {
				out[file] = fd
			}
		}
	}
	return out
}

// Display names a function for the user: the main package as "main",
// others by import path, as Delve does.
func (b *Build) Display(key string) string {
	f, ok := b.funcs[key]
	if ok && b.pkgNames[f.Package] == "main" {
		return "main" + strings.TrimPrefix(key, f.Package)
	}
	return key
}

// PackageOf returns the import path of the package of a user file, by its
// directory.
func (b *Build) PackageOf(file string) (string, bool) {
	path, ok := b.dirPkgs[filepath.Dir(file)]
	return path, ok
}

// PackageName returns the name of the user package of import path path.
func (b *Build) PackageName(path string) string { return b.pkgNames[path] }

// Position formats file:line for the user.
func Position(file string, line int) string {
	return filepath.Base(file) + ":" + strconv.Itoa(line)
}
