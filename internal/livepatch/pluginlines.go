package livepatch

import (
	"bytes"
	"path/filepath"
)

// A native patch's plugin has the lines of its file as it was saved when
// the patch was made (its //line directives, change.Checked.Src). A later
// save that moves the function without changing it keeps the patch, and
// its plugin, while the file's lines move: positions in the plugin's code
// are mapped to the file as last seen, and back, as the compiled file's
// are (positions.go), with the plugin's text in the compiled text's place.

// pluginPositions returns the positions of the file of p, a live patch,
// with the text cur (nil: as last seen) against the text its plugin was
// built from: nil (no translation) when the file reads as it did then, or
// p is not native. The caller holds mu.
func (st *session) pluginPositions(p *Patch, cur []byte) *filePositions {
	if p == nil || p.Tier != TierNative || p.checked == nil {
		return nil
	}
	if cur == nil {
		cur = st.seen[filepath.Clean(p.checked.File)]
	}
	if cur == nil || bytes.Equal(cur, p.checked.Src) {
		return nil
	}
	if p.moved != nil && bytes.Equal(p.moved.current, cur) {
		return p.moved
	}
	p.moved = &filePositions{current: cur, lines: newLineMap(p.checked.Src, cur)}
	return p.moved
}

// pluginToCurrent returns the line of the file as last seen that line n
// of p's plugin code is. The caller holds mu.
func (st *session) pluginToCurrent(p *Patch, n int) int {
	return st.pluginPositions(p, nil).currentLine(n)
}

// currentToPlugin returns the line of p's plugin code that line n of the
// file with the text cur (nil: as last seen) is, 0 when the plugin has no
// such line (it changed since the patch was made, and its change is not
// live). The caller holds mu.
func (st *session) currentToPlugin(p *Patch, cur []byte, n int) int {
	return st.pluginPositions(p, cur).lineMap().compiled(n)
}

// movedLine returns the line of file as last seen that line n of its text
// was is, for a breakpoint at a line the compiled file does not have (in
// a changed line of a patched or refused function): it follows the text.
// The caller holds mu.
func (st *session) movedLine(file string, was []byte, n int) int {
	cur := st.seen[filepath.Clean(file)]
	if was == nil || cur == nil || bytes.Equal(was, cur) {
		return n
	}
	return (&filePositions{lines: newLineMap(was, cur)}).currentLine(n)
}

// frameLine returns the line of file as last seen of a frame at line of
// it in function fn (as the binary names it): a plugin's line when fn is
// a live patch's native code or a literal of it, else a compiled line.
// The caller holds mu.
func (st *session) frameLine(fn, file string, line int) int {
	outer := outerFunc(fn) // nativebps.go
	for _, p := range st.live {
		if p.nativeFunc != "" && (p.nativeFunc == fn || p.nativeFunc == outer) {
			return st.pluginToCurrent(p, line)
		}
	}
	return st.currentLine(file, line)
}
