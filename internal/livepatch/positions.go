package livepatch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/livepatch/livepatch/internal/change/classify"
)

// filePositions is what a file changed since the build needs to translate
// positions: the map between its compiled and current lines, and its
// current declarations, to find the function a line is in.
type filePositions struct {
	current []byte
	lines   *lineMap
	decls   *classify.FileDecls // nil when the current text does not parse
}

// positionsOf returns the positions of file as last seen, or nil when the
// file is as the build compiled it (or not the program's): its positions
// need no translation. The caller holds mu.
func (st *session) positionsOf(file string) *filePositions {
	return st.positionsIn(file, nil)
}

// positionsIn returns the positions of file with the text cur (nil: as
// last seen), as positionsOf does. The caller holds mu.
func (st *session) positionsIn(file string, cur []byte) *filePositions {
	if _, err := st.syncProcess(); err != nil {
		return nil
	}
	file = filepath.Clean(file)
	seenSrc, seen := st.seen[file]
	if cur == nil {
		cur = seenSrc
	}
	b := st.m.changes.Build()
	compiled, built := b.Compiled(file)
	if !seen || !built || bytes.Equal(cur, compiled) {
		return nil
	}
	if fp := st.positions[file]; fp != nil && bytes.Equal(fp.current, cur) {
		return fp
	}
	fp := &filePositions{current: cur, lines: newLineMap(compiled, cur)}
	if pkg, ok := b.PackageOf(file); ok {
		fp.decls, _ = classify.ParseFileDecls(pkg, file, cur)
	}
	if st.positions == nil {
		st.positions = map[string]*filePositions{}
	}
	st.positions[file] = fp
	return fp
}

// currentLine returns the line of the current text of file that compiled
// line n of it is (currentLine of its positions). The caller holds mu.
func (st *session) currentLine(file string, n int) int {
	return st.positionsOf(file).currentLine(n)
}

// currentLine returns the line of the current text that compiled line n
// is. A compiled line that was changed since maps into the changed lines
// that replace it, at its place among them.
func (fp *filePositions) currentLine(n int) int {
	if fp == nil || n < 1 {
		return n
	}
	if c := fp.lines.current(n); c > 0 {
		return c
	}
	// The nearest unchanged lines before and after n bound the edit.
	before, beforeCur := 0, 0
	for i := n - 1; i > 0; i-- {
		if c := fp.lines.current(i); c > 0 {
			before, beforeCur = i, c
			break
		}
	}
	limit := 0
	for i := n + 1; i < len(fp.lines.toCurrent); i++ {
		if c := fp.lines.current(i); c > 0 {
			limit = c - 1
			break
		}
	}
	c := beforeCur + (n - before)
	if limit > 0 && c > limit {
		c = max(limit, beforeCur+1)
	}
	return c
}

// lineMap returns the map of the file's lines, nil (the identity) when
// the file is as built.
func (fp *filePositions) lineMap() *lineMap {
	if fp == nil {
		return nil
	}
	return fp.lines
}

// funcAt returns the function of the current text of file whose
// declaration spans line n, or nil. The caller holds mu.
func (fp *filePositions) funcAt(n int) *classify.FuncDecl {
	if fp == nil || fp.decls == nil {
		return nil
	}
	for _, fn := range fp.decls.Funcs {
		if fp.decls.Fset.Position(fn.Decl.Pos()).Line <= n && n <= fp.decls.Fset.Position(fn.Decl.End()).Line {
			return fn
		}
	}
	return nil
}

// funcIn returns the function of the current text of file, whose
// positions are fp, that spans line n, or nil. The caller holds mu.
func (st *session) funcIn(fp *filePositions, file string, n int) *classify.FuncDecl {
	fn := fp.funcAt(n)
	if fn == nil && fp == nil && len(st.live) > 0 {
		if fd := st.m.changes.Build().CompiledDecls(filepath.Clean(file)); fd != nil {
			fn = (&filePositions{decls: fd}).funcAt(n)
		}
	}
	return fn
}

// placement is where a breakpoint at a line of the current text goes.
type placement struct {
	compiled int    // the compiled line Delve sets it at; 0 when not there
	patch    *Patch // the live patch whose function the line is in, if any
	asBuilt  int    // in patch: the compiled line the line is, if it is unchanged
	reason   string // why it is not set, when it is not
}

// place returns where a breakpoint at line n of file, whose positions are
// fp, goes: at its compiled line when the line is as built outside patched
// functions; in the patch when it is in a patched function; nowhere, with
// the reason, when the line was changed and its change is not live. The
// caller holds mu.
func (st *session) place(fp *filePositions, file string, n int) placement {
	fn := st.funcIn(fp, file, n)
	if fn != nil {
		if p := st.live[fn.Key]; p != nil {
			return placement{patch: p, asBuilt: fp.lineMap().compiled(n)}
		}
	}
	if fp == nil {
		return placement{compiled: n}
	}
	if c := fp.lines.compiled(n); c > 0 {
		return placement{compiled: c}
	}
	pos := fmt.Sprintf("%s:%d", filepath.Base(file), n)
	if fn != nil {
		return placement{reason: fmt.Sprintf("%s: %s changed since the build and its change is not live (the console says why): the running code is the compiled one, which has no such line; restart to debug the new code", pos, st.m.changes.Build().Display(fn.Key))}
	}
	return placement{reason: fmt.Sprintf("%s: this line changed since the build and is not in the running program; restart to debug the new code", pos)}
}

// frameToCurrent gives a stack frame of Delve's (as decoded from its
// stackTrace response) its line in the file as last saved.
func (st *session) frameToCurrent(f map[string]any) {
	src, _ := f["source"].(map[string]any)
	path, _ := src["path"].(string)
	n, ok := f["line"].(json.Number)
	if path == "" || !ok {
		return
	}
	line, err := n.Int64()
	if err != nil {
		return
	}
	st.mu.Lock()
	cur := st.currentLine(path, int(line))
	st.mu.Unlock()
	if cur != int(line) {
		f["line"] = json.Number(strconv.Itoa(cur))
	}
}
