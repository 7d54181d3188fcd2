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
	vars     []varChange // variables declared anew or changed (classifyvars.go)
	refusals Diagnostics // why the change needs a restart
	notes    Diagnostics // what the user should know of an applicable change
	// removedFields are the struct fields the change removes, which go
	// live when no unpatched compiled code uses them (fieldUsers).
	removedFields []removedField
}

// classify compares a saved file (cur) with its compiled form (old) and
// with what the watcher saw before (prev, possibly nil), given the live
// patches. Anything that cannot be applied live becomes a refusal; then
// nothing of the save may be applied. It is classifyFiles for one file.
func classify(b *Build, file string, old, cur, prev *FileDecls, live map[string]Live, callers func(key string) ([]string, bool)) plan {
	return classifyFiles(b, []fileChange{{file, old, cur, prev}}, live, callers)
}

// fileChange is one file of a change: its declarations as built (old),
// now (cur), and as last planned (prev, possibly nil).
type fileChange struct {
	file           string
	old, cur, prev *FileDecls
}

// classifyFiles classifies the files of one package that a save changes,
// together, given the live patches.
//
// Each part decides one thing: whether a file may change at all (cgo,
// here), its types (classifytypes.go), its variables (classifyvars.go),
// each function (classifyfuncs.go), the functions whose signature changed
// (resigned.go), and what a change of the new declarations compiles again
// (classifyfuncs.go).
//
// A function whose signature changed can still be applied when it is not a
// method and every compiled use of it is in a function that the change
// patches (or that a save made live), in whichever file of the package:
// callers reports those users, and whether every use is in a function.
// Then the function becomes a helper of the patched callers.
func classifyFiles(b *Build, fcs []fileChange, live map[string]Live, callers func(key string) ([]string, bool)) plan {
	var cs []*classifier
	resigned := map[*classifier][]*FuncDecl{}
	for _, fc := range fcs {
		c := &classifier{prog: b, file: fc.file, old: fc.old, cur: fc.cur, prev: fc.prev, live: live, callers: callers}
		cs = append(cs, c)
		if fc.cur.cgo && string(fc.cur.src) != string(fc.old.src) {
			c.refuse(fc.cur.file.Package, "", "file uses cgo")
			continue
		}
		c.typeDecls()
		c.varDecls()
		resigned[c] = c.funcs()
	}
	patched := map[string]bool{}
	for _, c := range cs {
		for _, fn := range c.pl.apply {
			patched[fn.Key] = true
		}
	}
	helpersChanged := false
	declared := map[string]bool{}
	declaredVars := packageVars(b, fcs)
	for _, c := range cs {
		c.removedVars(declaredVars)
		c.resigned(resigned[c], patched)
		helpersChanged = helpersChanged || c.helpersChanged()
		for key := range c.cur.Funcs {
			declared[key] = true
		}
	}
	var pl plan
	for _, c := range cs {
		if helpersChanged {
			c.requeue()
		}
		c.removed(declared, patched)
		pl.add(c.pl)
	}
	return pl
}

// classifier holds what classify compares in one file and the plan it
// makes for it.
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
