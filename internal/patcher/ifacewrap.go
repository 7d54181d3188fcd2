package patcher

import (
	"go/types"
	"log/slog"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/patcher/wrappers"
)

// addInterfaceWrappers adds the wrappers file of user package p (in
// pkgDir; generated files go to outDir; package wrappers) to the overlay,
// when it has wrappers: its own interfaces', and for a root package those
// of the interfaces of l.std that the tables reach (only is what the
// tables of dependencies hold, as for stdSymbols). It is a file of its own
// so that a wrapper the compiler rejected costs only that file:
// repairOverlay drops it, and the interfaces get the agent's stand-ins.
func addInterfaceWrappers(ov map[string]string, pkgDir, outDir string, p *packages.Package, root bool, l *loaded, only map[*types.Package]map[string]bool, log *slog.Logger) error {
	skipped := func(name, why string) {
		log.Debug("interface wrapper left out", "package", p.PkgPath, "name", name, "reason", why)
	}
	var user, regs []*types.Package
	if root {
		for _, u := range l.user {
			if u.Types != nil {
				user = append(user, u.Types)
			}
		}
		for _, s := range l.std {
			regs = append(regs, s.Types)
		}
	}
	data := wrappers.File(generatedHeader, p.Types, root, user, regs, only, skipped)
	if data == nil {
		return nil
	}
	return addFile(ov, pkgDir, outDir, wrappers.FileName, data)
}
