package livepatch

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/livepatch/livepatch/internal/patcher"
)

// program is what livepatch knows of one patchable build: its functions and
// the sources it was built from. It is read-only once made, but for the
// cache of parsed compiled files; its methods are safe for concurrent use.
type program struct {
	mu     sync.Mutex
	parsed map[string]*fileDecls // compiled files, parsed on first use

	res      *patcher.Result
	funcs    map[string]patcher.Function // by key
	pkgNames map[string]string           // import path -> package name
	dirPkgs  map[string]string           // package directory -> import path
	compiled map[string][]byte           // non-test .go files of those directories, as built
}

// newProgram indexes a build's manifest and reads the sources of its
// package directories, which are the compiled ones right after the build.
func newProgram(res *patcher.Result) *program {
	p := &program{res: res, parsed: map[string]*fileDecls{}, funcs: map[string]patcher.Function{}, pkgNames: map[string]string{},
		dirPkgs: map[string]string{}, compiled: map[string][]byte{}}
	if res == nil || res.Manifest == nil {
		return p
	}
	for _, f := range res.Manifest.Functions {
		p.funcs[f.Key] = f
		if f.File != "" {
			p.dirPkgs[filepath.Dir(f.File)] = f.Package
		}
	}
	for dir := range p.dirPkgs {
		ents, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, e := range ents {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			path := filepath.Join(dir, name)
			b, err := os.ReadFile(path)
			if err != nil {
				continue
			}
			p.compiled[path] = b
			if f, err := parser.ParseFile(token.NewFileSet(), path, b, parser.PackageClauseOnly); err == nil {
				p.pkgNames[p.dirPkgs[dir]] = f.Name.Name
			}
		}
	}
	return p
}

// compiledDecls returns the declarations of file as built, parsed once;
// nil when the build has no such file or it does not parse. The result
// must not be modified.
func (p *program) compiledDecls(file string) *fileDecls {
	p.mu.Lock()
	defer p.mu.Unlock()
	if fd, ok := p.parsed[file]; ok {
		return fd
	}
	src, ok := p.compiled[file]
	pkg, inBuild := p.packageOf(file)
	var fd *fileDecls
	if ok && inBuild {
		fd, _ = parseFileDecls(pkg, file, src)
	}
	p.parsed[file] = fd
	return fd
}

// display names a function for the user: the main package as "main",
// others by import path, as Delve does.
func (p *program) display(key string) string {
	f, ok := p.funcs[key]
	if ok && p.pkgNames[f.Package] == "main" {
		return "main" + strings.TrimPrefix(key, f.Package)
	}
	return key
}

// packageOf returns the import path of the package of a user file.
func (p *program) packageOf(file string) (string, bool) {
	path, ok := p.dirPkgs[filepath.Dir(file)]
	return path, ok
}

// position formats file:line for the user.
func position(file string, line int) string {
	return filepath.Base(file) + ":" + itoa(line)
}
