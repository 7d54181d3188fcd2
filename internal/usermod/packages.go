package usermod

import (
	"strings"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/target"
)

// IsUserPackage reports whether p belongs to a user module and can be
// instrumented: its files are in the main module or a workspace module, and
// it is not the agent (or anything under it) when the user module is
// livepatch itself.
func (m *Modules) IsUserPackage(p *packages.Package) bool {
	if len(p.GoFiles) == 0 {
		return false
	}
	if p.Module == nil {
		// Files named on the command line form package
		// command-line-arguments, which has no module.
		if p.PkgPath != "command-line-arguments" {
			return false
		}
		for _, f := range p.GoFiles {
			if !m.IsUserFile(f) {
				return false
			}
		}
		return true
	}
	if !p.Module.Main {
		return false
	}
	if p.PkgPath == target.AgentImportPath || strings.HasPrefix(p.PkgPath, target.AgentImportPath+"/") {
		return false
	}
	return m.IsUserFile(p.GoFiles[0])
}

// IsImportableDep reports whether p is a package of a module the user's
// code depends on (not one of the user's own) whose exported symbols the
// root package can register: not internal to its module, not a command.
// The user's code imports it directly, so patched code may use it; its
// symbols go into the same file as the standard library's.
func (m *Modules) IsImportableDep(p *packages.Package) bool {
	if p.Module == nil || p.Types == nil || p.Name == "main" || len(p.GoFiles) == 0 || m.IsUserPackage(p) {
		return false
	}
	for _, elem := range strings.Split(p.PkgPath, "/") {
		if elem == "internal" || elem == "vendor" {
			return false
		}
	}
	return true
}
