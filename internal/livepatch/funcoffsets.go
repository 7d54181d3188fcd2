package livepatch

import (
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/internal/change/classify"
)

// A function breakpoint with a line offset ("main.(*Counter).Tick:2",
// which Delve sets at the function's first line plus 2) means the line
// of the function as the user sees it, in the file as last saved. Delve
// counts from the compiled function's first line, so the offset is
// translated: in a native patch, into the plugin's function, whose lines
// are the saved file's when the patch was made; in a compiled function of
// a file changed since the build (moved, or changed by a save that was
// refused), through the map of its lines; where the running code has no
// such line (an interpreted patch, a changed line that is not live) the
// breakpoint is unverified with the reason, as a source breakpoint there
// is.

// funcPlace is where one of the client's function breakpoints goes.
type funcPlace struct {
	fb     dap.FunctionBreakpoint // as Delve gets it
	patch  *Patch                 // the live patch whose function it names, if any
	reason string                 // why Delve does not get it, when it does not
}

// placeFunc returns where the client's function breakpoint b goes: the
// name of a function whose patch is native becomes the plugin's function,
// a line offset is counted in the file as last seen. The caller holds mu.
func (st *session) placeFunc(b dap.FunctionBreakpoint) funcPlace {
	fn, off := splitOffset(b.Name) // funcbps.go
	p := st.patchNamed(fn)
	if off == 0 { // the function's entry, past its prologue
		if p != nil && p.Tier == TierNative && p.nativeFunc != "" {
			b.Name = p.nativeFunc
		}
		return funcPlace{fb: b, patch: p}
	}
	if p != nil {
		return st.placePatchedFunc(b, p, off)
	}
	return st.placeChangedFunc(b, fn, off)
}

// placePatchedFunc places b, a function breakpoint at line offset off of
// the function of live patch p. The caller holds mu.
func (st *session) placePatchedFunc(b dap.FunctionBreakpoint, p *Patch, off int) funcPlace {
	decl := st.currentDecl(p.File, p.Key)
	if decl == nil {
		return funcPlace{fb: b, patch: p}
	}
	at := decl.Line + off
	if p.Tier != TierNative || p.nativeFunc == "" {
		return funcPlace{patch: p, reason: st.patchedReason(p.File, at, p)}
	}
	in := st.currentToPlugin(p, nil, at) // pluginlines.go
	if in == 0 {
		return funcPlace{patch: p, reason: changedSincePatch(p.File, at, p)}
	}
	// Delve counts from the plugin function's first line, the saved
	// declaration's (its //line directive), as for a source breakpoint
	// in it (nativebps.go).
	b.Name = p.nativeFunc + ":" + strconv.Itoa(in-p.Line)
	return funcPlace{fb: b, patch: p}
}

// placeChangedFunc places b, a function breakpoint at line offset off of
// the function fn, which no live patch runs: as written when its file is
// as built, else at the compiled line that the line off lines below its
// current declaration is. The caller holds mu.
func (st *session) placeChangedFunc(b dap.FunctionBreakpoint, fn string, off int) funcPlace {
	fp, file, cur := st.changedFuncNamed(fn)
	if cur == nil {
		return funcPlace{fb: b}
	}
	compiled := st.m.changes.Build().CompiledDecls(file)
	was := compiled.Funcs[cur.Key]
	if was == nil { // not in the build: Delve has no such function
		return funcPlace{fb: b}
	}
	at := cur.Line + off
	pl := st.place(fp, file, at)
	switch {
	case pl.reason != "":
		return funcPlace{reason: pl.reason}
	case pl.compiled <= was.Line:
		return funcPlace{reason: fmt.Sprintf("%s:%d: line %d of %s is not in the running program", filepath.Base(file), at, off, fn)}
	}
	b.Name = fn + ":" + strconv.Itoa(pl.compiled-was.Line)
	return funcPlace{fb: b}
}

// currentDecl returns the declaration of the function key in the current
// text of file, or nil. The caller holds mu.
func (st *session) currentDecl(file, key string) *classify.FuncDecl {
	fd := st.m.changes.Build().CompiledDecls(filepath.Clean(file))
	if fp := st.positionsOf(file); fp != nil {
		fd = fp.decls
	}
	if fd == nil {
		return nil
	}
	return fd.Funcs[key]
}

// changedFuncNamed returns the positions and the path of the file changed
// since the build whose current text declares the function name names,
// and its declaration there; nil when no changed file declares it. The
// caller holds mu.
func (st *session) changedFuncNamed(name string) (*filePositions, string, *classify.FuncDecl) {
	b := st.m.changes.Build()
	for file := range st.seen {
		fp := st.positionsOf(file)
		if fp == nil || fp.decls == nil {
			continue
		}
		for key, fn := range fp.decls.Funcs {
			if namesFunc(name, key, b.Display(key)) {
				return fp, file, fn
			}
		}
	}
	return nil, "", nil
}
