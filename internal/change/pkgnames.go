package change

import (
	"fmt"
	"go/build"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/change/diag"
)

// Packages by name: a prompt input that names a package it does not
// import has it imported, as goimports would, when interpreted code can
// use it: a user package or one whose symbols the build gives the agent
// (patcher.Result.AgentPackages). Another package, linked into the
// program or only in the standard library, is refused in one line that
// says which package, why and what to do, instead of the interpreter's
// own message.

// packageNames is what a build knows of package names.
type packageNames struct {
	agent  map[string]bool // the paths the agent carries
	own    map[string]bool // the paths the user's packages import
	linked map[string]bool // every path linked into the program
}

// newPackageNames indexes the packages of a build for the prompt: user
// are the user's packages as loaded, agent the packages the agent
// carries, which p.pkgs gets too (a default one may not be linked).
func newPackageNames(p *Program, user, agent []*packages.Package) packageNames {
	n := packageNames{agent: map[string]bool{}, own: map[string]bool{}, linked: map[string]bool{}}
	for path := range p.pkgs {
		n.linked[path] = true
	}
	for _, lp := range user {
		for path := range lp.Imports {
			n.own[path] = true
		}
	}
	for _, lp := range agent {
		n.agent[lp.PkgPath] = true
		if lp.Types != nil && p.pkgs[lp.PkgPath] == nil {
			p.pkgs[lp.PkgPath] = lp.Types
		}
	}
	return n
}

// Available reports whether interpreted code can import path: a user
// package or one whose symbols the agent carries.
func (p *Program) Available(path string) bool { return p.user[path] || p.names.agent[path] }

// Unavailable returns, for a package interpreted code cannot import, one
// line saying which, why and what to do; "" when it can.
func (p *Program) Unavailable(path string) string {
	switch {
	case p.Available(path):
		return ""
	case p.names.linked[path]:
		return fmt.Sprintf("package %s is linked into this program only as a dependency, and the prompt reaches only the packages the program's own code imports: import %q in one of its files and restart to use it here", path, path)
	}
	return fmt.Sprintf("package %s is not linked into this program: import %q in one of its files and restart to use it here", path, path)
}

// importFor returns the import path an undefined name of an input means,
// as goimports would: among the packages of that name (but internal and
// vendored ones), those the user's packages import first, then those the
// agent carries, then the others linked; the shortest path wins a tie.
// It returns "" when no package of the build has that name.
func (p *Program) importFor(name string) string {
	var best string
	rank := func(path string) int {
		switch {
		case p.names.own[path] || p.user[path]:
			return 0
		case p.names.agent[path]:
			return 1
		}
		return 2
	}
	for path, pkg := range p.pkgs {
		if pkg.Name() != name || strings.Contains(path, "internal") || strings.Contains(path, "vendor/") {
			continue
		}
		if best == "" || rank(path) < rank(best) ||
			rank(path) == rank(best) && (len(path) < len(best) || len(path) == len(best) && path < best) {
			best = path
		}
	}
	return best
}

// UnavailablePackages returns ds with each "undefined: NAME" that names a
// package interpreted code cannot import, linked or in the standard
// library, replaced by the line that says why (Unavailable).
func (p *Program) UnavailablePackages(ds diag.Diagnostics) diag.Diagnostics {
	out := slices.Clone(ds)
	for i, d := range out {
		if d.Undefined == "" {
			continue
		}
		path := p.importFor(d.Undefined)
		if path == "" {
			path = stdPackage(d.Undefined)
		}
		if path == "" || p.Available(path) {
			continue
		}
		out[i].Msg = d.Undefined + ": " + p.Unavailable(path)
		out[i].Undefined = ""
	}
	return out
}

// stdPackage returns the import path of the standard library's package
// called name (the shortest when several are), or "". The library's
// directories are read once per process, on first use.
func stdPackage(name string) string {
	stdNames.once.Do(func() { stdNames.paths = readStdNames(filepath.Join(build.Default.GOROOT, "src")) })
	return stdNames.paths[name]
}

var stdNames struct {
	once  sync.Once
	paths map[string]string // name -> shortest import path
}

// readStdNames maps each package name of the standard library under src
// to its shortest import path. A package's name is its directory's (the
// one before a major version suffix); commands, internal, vendored and
// test data directories are left out.
func readStdNames(src string) map[string]string {
	paths := map[string]string{}
	_ = filepath.WalkDir(src, func(path string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(src, path)
		rel = filepath.ToSlash(rel)
		base := d.Name()
		if rel == "cmd" || base == "internal" || base == "vendor" || base == "testdata" || strings.HasPrefix(base, ".") {
			return filepath.SkipDir
		}
		if rel == "." {
			return nil
		}
		name := base
		if len(base) > 1 && base[0] == 'v' && strings.Trim(base[1:], "0123456789") == "" {
			name = filepath.Base(filepath.Dir(path))
		}
		if old, ok := paths[name]; !ok || len(rel) < len(old) {
			paths[name] = rel
		}
		return nil
	})
	return paths
}
