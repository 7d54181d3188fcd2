package change

import (
	"sort"

	"golang.org/x/tools/go/packages"
)

// UserPackageSyntax returns the user package of import path path as
// built (syntax, types and type information), or nil.
func (p *Program) UserPackageSyntax(path string) *packages.Package {
	for _, r := range p.files {
		if r.pkg.PkgPath == path {
			return r.pkg
		}
	}
	return nil
}

// UserPackages returns the import paths of the user's packages that have
// files in the build, sorted.
func (p *Program) UserPackages() []string {
	seen := map[string]bool{}
	var out []string
	for _, r := range p.files {
		if !seen[r.pkg.PkgPath] {
			seen[r.pkg.PkgPath] = true
			out = append(out, r.pkg.PkgPath)
		}
	}
	sort.Strings(out)
	return out
}

// MainPackage returns the import path of the program's main package: the
// user package named main (the first by path when a test build has
// several), or the first user package when none is.
func (p *Program) MainPackage() string {
	paths := p.UserPackages()
	for _, path := range paths {
		if ip := p.pkgs[path]; ip != nil && ip.Name() == "main" {
			return path
		}
	}
	if len(paths) > 0 {
		return paths[0]
	}
	return ""
}
