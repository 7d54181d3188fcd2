package classify

import (
	"fmt"
	"go/token"
	"maps"
	"path/filepath"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
)

// Build is what classification reads of the build as compiled
// (change.Build): its functions, the declarations of its files, and how
// the user names a function.
type Build interface {
	Func(key string) (patcher.Function, bool)
	CompiledDecls(file string) *FileDecls
	PackageDecls(dir string) map[string]*FileDecls
	Display(key string) string
	// SameType reports whether type expression old, written in file
	// oldFile as built, and now, written in cur, the saved text of file,
	// denote identical types of the build (`interface{}` and `any` do);
	// false when it cannot tell.
	SameType(oldFile, old, file string, cur *FileDecls, now string) bool
}

// Live is what classification needs to know of a live patch.
type Live struct {
	Prompt bool   // made at the prompt (else by a save)
	Text   string // the declaration it was made from
}

// Plan is what one save changes, once classified.
type Plan struct {
	Apply    []*FuncDecl      // bodies to make live
	Helpers  []*FuncDecl      // new functions, compiled with every applied body
	Revert   []string         // keys edited back to their compiled form
	Vars     []VarChange      // variables declared anew or changed (classifyvars.go)
	Refusals diag.Diagnostics // why the change needs a restart
	Notes    diag.Diagnostics // what the user should know of an applicable change
	// RemovedFields are the struct fields the change removes, which go
	// live when no unpatched compiled code uses them (change.Build.fieldUsers).
	RemovedFields []RemovedField
	// Interfaces are the compiled interface types whose declaration
	// changed; RemovedTypes the compiled types no file declares any more.
	// Package change decides both once the package is checked.
	Interfaces, RemovedTypes []TypeRef
}

// TypeRef is a type Type of package Pkg, as a change declares it at Pos.
type TypeRef struct {
	Pkg, Type string
	Pos       token.Position
}

// RemovedField is a field that a change removes from struct type Type of
// package Pkg, declared at Pos.
type RemovedField struct {
	Pkg, Type, Name string
	Pos             token.Position
}

// add adds the decisions of another file's plan to pl.
func (pl *Plan) add(o Plan) {
	pl.Apply = append(pl.Apply, o.Apply...)
	pl.Helpers = append(pl.Helpers, o.Helpers...)
	pl.Revert = append(pl.Revert, o.Revert...)
	pl.Vars = append(pl.Vars, o.Vars...)
	pl.Refusals = append(pl.Refusals, o.Refusals...)
	pl.Notes = append(pl.Notes, o.Notes...)
	pl.RemovedFields = append(pl.RemovedFields, o.RemovedFields...)
	pl.Interfaces = append(pl.Interfaces, o.Interfaces...)
	pl.RemovedTypes = append(pl.RemovedTypes, o.RemovedTypes...)
}

// classify compares a saved file (cur) with its compiled form (old) and
// with what the watcher saw before (prev, possibly nil), given the live
// patches. Anything that cannot be applied live becomes a refusal; then
// nothing of the save may be applied. It is Files for one file.
func classify(b Build, file string, old, cur, prev *FileDecls, live map[string]Live, callers func(key string) ([]string, bool)) Plan {
	return Files(b, []FileChange{{file, old, cur, prev}}, live, callers)
}

// FileChange is one file of a change: its declarations as built (Old),
// now (Cur), and as last planned (Prev, possibly nil).
type FileChange struct {
	File           string
	Old, Cur, Prev *FileDecls
}

// Files classifies the files of one package that a save changes,
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
func Files(b Build, fcs []FileChange, live map[string]Live, callers func(key string) ([]string, bool)) Plan {
	var cs []*classifier
	resigned := map[*classifier][]*FuncDecl{}
	for _, fc := range fcs {
		c := &classifier{prog: b, file: fc.File, old: fc.Old, cur: fc.Cur, prev: fc.Prev, live: live, callers: callers}
		cs = append(cs, c)
		if fc.Cur.cgo && string(fc.Cur.Src) != string(fc.Old.Src) {
			c.refuse(fc.Cur.Syntax.Package, "", "file uses cgo")
			continue
		}
		c.typeDecls()
		c.varDecls()
		resigned[c] = c.funcs()
	}
	patched := map[string]bool{}
	for _, c := range cs {
		for _, fn := range c.pl.Apply {
			patched[fn.Key] = true
		}
		// A function whose signature changed is not a compiled caller
		// to patch: it becomes a helper itself, or the change is
		// refused (resigned.go).
		for _, fn := range resigned[c] {
			patched[fn.Key] = true
		}
	}
	declaredIn := func(key string) (*classifier, *FuncDecl) {
		for _, c := range cs {
			if fn := c.cur.Funcs[key]; fn != nil {
				return c, fn
			}
		}
		return nil, nil
	}
	// A function the change removes (from its file, or with its file) is
	// no compiled caller either: its compiled body no longer runs once no
	// compiled code calls it, which funcs checks of the removal itself.
	for _, c := range cs {
		for key := range c.old.Funcs {
			if _, fn := declaredIn(key); fn == nil {
				patched[key] = true
			}
		}
	}
	helpersChanged := false
	declared := map[string]bool{}
	declaredVars := packageVars(b, fcs)
	for _, c := range cs {
		c.removedVars(declaredVars)
		c.resigned(resigned[c], patched, declaredIn)
		// An interface changed: the live patches are checked again, for
		// package change to judge what they do with it.
		helpersChanged = helpersChanged || c.helpersChanged() || len(c.pl.Interfaces) > 0
		for key := range c.cur.Funcs {
			declared[key] = true
		}
	}
	// A removed function may be used by functions that earlier saves made
	// live and this change keeps so.
	inUse := maps.Clone(patched)
	reverted := map[string]bool{}
	for _, c := range cs {
		for _, key := range c.pl.Revert {
			reverted[key] = true
		}
	}
	for key := range live {
		inUse[key] = !reverted[key]
	}
	var pl Plan
	for _, c := range cs {
		if helpersChanged {
			c.requeue()
		}
		c.removed(declared, inUse)
		pl.add(c.pl)
	}
	return pl
}

// classifier holds what classify compares in one file and the plan it
// makes for it.
type classifier struct {
	prog           Build
	file           string
	old, cur, prev *FileDecls
	live           map[string]Live
	callers        func(key string) ([]string, bool)
	pl             Plan
}

// refuse adds a refusal at pos of the saved file, in function key ("" for
// none).
func (c *classifier) refuse(pos token.Pos, key, format string, args ...any) {
	c.pl.Refusals = append(c.pl.Refusals, c.diagnostic(pos, key, diag.RefusedRestart, fmt.Sprintf(format, args...)))
}

// sameType reports whether type expression old of the file as built and
// now of the saved file are one type: the same text, or identical types
// of the build (Build.SameType).
func (c *classifier) sameType(old, now string) bool {
	return old == now || c.prog.SameType(c.file, old, c.file, c.cur, now)
}

// diagnostic returns a diagnostic at pos of the saved file.
func (c *classifier) diagnostic(pos token.Pos, key string, kind diag.Kind, msg string) diag.Diagnostic {
	p := c.cur.Fset.Position(pos)
	return diag.Diagnostic{Pos: token.Position{Filename: filepath.Base(c.file), Line: p.Line, Column: p.Column}, Func: key, Kind: kind, Msg: msg}
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

// Squeeze collapses runs of white space, so that reindenting is no change.
func Squeeze(s string) string { return strings.Join(strings.Fields(s), " ") }

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
