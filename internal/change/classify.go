package change

import (
	"fmt"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
)

// Live is what classification needs to know of a live patch.
type Live struct {
	Prompt bool   // made at the prompt (else by a save)
	Text   string // the declaration it was made from
}

// plan is what one save changes, once classified.
type plan struct {
	apply    []*FuncDecl // bodies to make live
	helpers  []*FuncDecl // new functions, compiled with every applied body
	revert   []string    // keys edited back to their compiled form
	refusals Diagnostics // why the change needs a restart
	notes    Diagnostics // what the user should know of an applicable change
}

// classify compares a saved file (cur) with its compiled form (old) and
// with what the watcher saw before (prev, possibly nil), given the live
// patches. Anything that cannot be applied live becomes a refusal; then
// nothing of the save may be applied.
//
// Each part decides one thing: whether the file may change at all (cgo,
// here), its types (classifytypes.go), its variables (classifyvars.go),
// each function (classifyfuncs.go), the functions whose signature changed
// (resigned.go), and what a change of the file's new declarations
// compiles again (classifyfuncs.go).
//
// A function whose signature changed can still be applied when it is not a
// method and every compiled use of it is in a function of this file that
// the change patches (or that a save made live): callers reports those
// users, and whether every use is such a function. Then the function
// becomes a helper of the patched callers.
func classify(prog *Build, file string, old, cur, prev *FileDecls, live map[string]Live, callers func(key string) ([]string, bool)) plan {
	c := &classifier{prog: prog, file: file, old: old, cur: cur, prev: prev, live: live, callers: callers}
	if cur.cgo && string(cur.src) != string(old.src) {
		c.refuse(cur.file.Package, "", "file uses cgo")
		return c.pl
	}
	c.typeDecls()
	c.varDecls()
	resigned := c.funcs()
	c.resigned(resigned)
	c.helpersChanged()
	for _, key := range old.order {
		if cur.Funcs[key] == nil {
			c.refuse(cur.file.Name.Pos(), key, "%s removed", old.Funcs[key].Name)
		}
	}
	return c.pl
}

// classifier holds what classify compares and the plan it makes.
type classifier struct {
	prog           *Build
	file           string
	old, cur, prev *FileDecls
	live           map[string]Live
	callers        func(key string) ([]string, bool)
	pl             plan
}

// refuse adds a refusal at pos of the saved file, in function key ("" for
// none).
func (c *classifier) refuse(pos token.Pos, key, format string, args ...any) {
	c.pl.refusals = append(c.pl.refusals, c.diagnostic(pos, key, RefusedRestart, fmt.Sprintf(format, args...)))
}

// diagnostic returns a diagnostic at pos of the saved file.
func (c *classifier) diagnostic(pos token.Pos, key string, kind Kind, msg string) Diagnostic {
	p := c.cur.fset.Position(pos)
	return Diagnostic{Pos: token.Position{Filename: filepath.Base(c.file), Line: p.Line, Column: p.Column}, Func: key, Kind: kind, Msg: msg}
}

// added returns the text of the declarations of fd that old does not have:
// new functions, methods and types, in source order.
func (fd *FileDecls) added(old *FileDecls) string {
	var b strings.Builder
	for _, key := range fd.order {
		if old.Funcs[key] == nil {
			b.WriteString(fd.Funcs[key].Text)
		}
	}
	for _, name := range sortedKeys(fd.types) {
		if ts := fd.types[name]; old.types[name] == nil {
			b.WriteString(fd.slice(ts.Pos(), ts.End()))
		}
	}
	return b.String()
}

// squeeze collapses runs of white space, so that reindenting is no
func squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sortStrings(keys)
	return keys
}

func sortStrings(s []string) { sort.Strings(s) }
