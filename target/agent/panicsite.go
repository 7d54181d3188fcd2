package agent

import (
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/livepatch/livepatch/target/agent/wire"
)

// yaegi writes a line to its stderr for every interpreted frame a panic
// passes through, "POS: panic: PKG.FUNC(...)", where PKG is the scratch
// package a patch was compiled in and POS a position in the generated
// source (runCfg in yaegi's run.go). panicSites turns those lines into the
// user's terms: the patched function's name as the program knows it and
// its declaration's position in the patch's saved file, marked as such
// (wire.InterpretedAtDecl). POS is no help: runCfg's deferred report
// reads the loop's node through a variable that the loop shadows, so it
// is always the function's first node, whichever line panicked; the
// interpreter keeps no other record of the line that runs.
var panicSites = struct {
	mu    sync.Mutex
	funcs map[string]*preparedPatch // "lp_patch_N.LpFnK" -> the patch compiled there
	pkgs  map[string]string         // "lp_patch_N" -> the patched package's name
}{funcs: map[string]*preparedPatch{}, pkgs: map[string]string{}}

// addPanicSite records that pp was compiled as fn in scratch package pkg.
func addPanicSite(pkg, fn string, pp *preparedPatch) {
	pkgPath, _ := packageOf(pp.e.key)
	panicSites.mu.Lock()
	defer panicSites.mu.Unlock()
	panicSites.funcs[pkg+"."+fn] = pp
	if pkgPath != "" {
		panicSites.pkgs[pkg] = displayPackage(pkgPath)
	}
}

// displayPackage is how Go's tracebacks name a package's functions: main
// for package main, the import path otherwise.
func displayPackage(pkgPath string) string {
	if registeredName(pkgPath) == "main" {
		return "main"
	}
	return pkgPath
}

// displayKey is a function key as Go's tracebacks name it.
func displayKey(key string) string {
	if pkgPath, ok := packageOf(key); ok {
		return displayPackage(pkgPath) + key[len(pkgPath):]
	}
	return key
}

var panicLineRE = regexp.MustCompile(`^(.*): panic: (lp_patch_\d+)\.(\S+)\(\.\.\.\)$`)

// userPanicLine rewrites one line of yaegi's panic report, or returns it
// as is.
func userPanicLine(line string) string {
	m := panicLineRE.FindStringSubmatch(line)
	if m == nil {
		return line
	}
	pos, pkg, fn := m[1], m[2], m[3]
	panicSites.mu.Lock()
	pp := panicSites.funcs[pkg+"."+fn]
	display := panicSites.pkgs[pkg]
	panicSites.mu.Unlock()
	if pp == nil {
		if display == "" {
			return pos + ": panic: " + fn + "(...)"
		}
		return pos + ": panic: " + display + "." + fn + "(...)" // a helper the change declared
	}
	if pp.p.File != "" && pp.p.Line > 0 {
		// yaegi's position is always the function's first node's, not the
		// line that ran: say the function's.
		return fmt.Sprintf("%s:%d: panic: %s(...) %s", pp.p.File, pp.p.Line, displayKey(pp.e.key), wire.InterpretedAtDecl)
	}
	e := interpreterError(wire.ErrPanic, pos+": x")
	mapColumn(e, pp.p.Source, pp.edits, 1, pp.fs.bodyLine+1, 0)
	e.Place(1, pp.p.File, pp.p.Line)
	return strings.TrimSuffix(e.Error(), ": x") + ": panic: " + displayKey(pp.e.key) + "(...)"
}

// userPanicText rewrites every line of text with userPanicLine.
func userPanicText(text string) string {
	if !strings.Contains(text, ": panic: lp_patch_") {
		return text
	}
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		nl := strings.HasSuffix(l, "\n")
		l = userPanicLine(strings.TrimSuffix(l, "\n"))
		if nl {
			l += "\n"
		}
		lines[i] = l
	}
	return strings.Join(lines, "")
}
