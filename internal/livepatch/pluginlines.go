package livepatch

import (
	"bytes"
	"path/filepath"
	"strings"
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
// plugin code of a live patch (pluginPatch), else a compiled line. The
// caller holds mu.
func (st *session) frameLine(fn, file string, line int) int {
	if p := st.pluginPatch(fn, file); p != nil {
		return st.pluginToCurrent(p, line)
	}
	return st.currentLine(file, line)
}

// pluginPatch returns the live native patch whose plugin holds fn, a
// function as the binary names it, with its code in file, or nil: fn is
// the patch's function, a function literal of it, or a function that its
// save declared anew, which the plugin compiled in the same package (its
// lines are the saved file's as the patch's are). The caller holds mu.
func (st *session) pluginPatch(fn, file string) *Patch {
	outer, pkg := outerFunc(fn), funcPackage(fn) // nativebps.go
	var same *Patch
	for _, p := range st.live {
		switch {
		case p.nativeFunc == "":
		case p.nativeFunc == fn || p.nativeFunc == outer:
			return p
		case same == nil && pkg != "" && funcPackage(p.nativeFunc) == pkg && p.checked != nil && filepath.Clean(p.checked.File) == filepath.Clean(file):
			same = p
		}
	}
	return same
}

// funcPackage returns the package path of fn, a function as the binary
// names it ("example.com/lib.(*T).M[...]": "example.com/lib"), or "".
func funcPackage(fn string) string {
	head := fn
	if i := strings.IndexAny(head, "(["); i >= 0 {
		head = head[:i] // type arguments and receivers may hold paths
	}
	pkgEnd := strings.LastIndex(head, "/") + 1
	i := strings.Index(fn[pkgEnd:], ".")
	if i < 0 {
		return ""
	}
	return fn[:pkgEnd+i]
}

// pluginFuncName returns the name that fn, plugin code of p that is not
// its function (a function its save declared anew), has in the program:
// in the patched package, named as p is (main.f, example.com/lib.f).
func pluginFuncName(p *Patch, fn string) string {
	pkg, plugin := funcPackage(p.Name), funcPackage(fn)
	if pkg == "" || plugin == "" {
		return fn
	}
	return pkg + fn[len(plugin):]
}

// pluginFrameName is pluginFuncName as Delve shortens names (lib.f).
func pluginFrameName(p *Patch, fn string) string {
	name := pluginFuncName(p, fn)
	return name[strings.LastIndex(funcPackage(name), "/")+1:]
}
