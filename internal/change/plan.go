package change

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Save is a save to plan: the saved file with the files of its package
// that go with it, against the live patches.
type Save struct {
	// File is the saved file.
	File string
	// Files are the texts of the files of the change, File's included.
	Files map[string][]byte
	// Prev are the texts of those files as last planned, when there were.
	Prev map[string][]byte
	// Live are the live patches, by key.
	Live map[string]Live
	// Vars are the package variables saves made live, by "path.name".
	Vars map[string]LiveVar
}

// Plan is a save classified, checked and rewritten: what goes live, what
// goes back to its compiled form, and what the user should know.
type Plan struct {
	Apply  []Patched
	Revert []string // keys edited back to their compiled form
	Notes  Diagnostics
	// NewMethods lists the methods the change adds to compiled types, as
	// T.m or (*T).m.
	NewMethods []string
	// New names the functions (F, T.M or (*T).M) and the package
	// variables the change declares anew: they go live with the applied
	// functions that use them.
	New []string
	// Vars are the package variables the change declares anew: they go
	// live with the applied functions (their Patch.Vars).
	Vars []NewVar
	// Classified and Checked are how long classifying and checking took.
	Classified, Checked time.Duration
}

// PlanSave classifies a save against the latest build and the live
// patches, checks it with the rest of its package and rewrites what goes
// live. A save that does not parse, does not type-check or is refused is
// a Diagnostics, each at its file:line:col; nothing of it may be applied.
func (k *Checker) PlanSave(ctx context.Context, sv Save) (*Plan, error) {
	b := k.Build()
	start := time.Now()
	files := make([]string, 0, len(sv.Files))
	for f := range sv.Files {
		files = append(files, f)
	}
	sort.Strings(files)
	var fcs []fileChange
	var curs []*FileDecls
	for _, file := range files {
		fc, err := b.fileChange(file, sv)
		if err != nil {
			return nil, err
		}
		fcs = append(fcs, fc)
		curs = append(curs, fc.cur)
	}
	pl := classifyFiles(b, fcs, sv.Live, func(key string) ([]string, bool) { return b.callers(ctx, key) })
	pl.refusals = append(pl.refusals, b.embedChanges(filepath.Dir(sv.File))...)
	pl.refusals = append(pl.refusals, b.fieldUsers(ctx, fcs, pl, sv.Live)...)
	if len(pl.refusals) > 0 {
		return nil, pl.refusals
	}
	out := &Plan{Revert: pl.revert, Classified: time.Since(start)}
	prog, err := b.Program(ctx)
	if err != nil {
		return nil, fmt.Errorf("rewrite: no type information for this build: %w", err)
	}
	send, judge := splitVars(pl.vars, sv.Vars)
	ch, err := prog.rewriteFiles(sv.Files, declKeys(pl.apply), declKeys(pl.helpers), send)
	if err != nil {
		return nil, err
	}
	out.Checked = time.Since(start) - out.Classified
	varNotes, refusals := prog.judgeVars(ch, judge, sv.Vars)
	removedNotes, removedRefusals := b.removedVars(ctx, pl.vars, pl)
	varNotes, refusals = append(varNotes, removedNotes...), append(refusals, removedRefusals...)
	if refusals = append(refusals, b.constReaders(ctx, curs, pl, ch.Consts)...); len(refusals) > 0 {
		return nil, refusals
	}
	for _, fn := range pl.apply {
		out.Apply = append(out.Apply, Patched{Key: fn.Key, Name: b.Display(fn.Key), File: fn.file, Line: fn.Line, Text: fn.Text,
			Patch: ch.AgentPatch(fn.Key, fn.file, fn.Line)})
	}
	for _, h := range pl.helpers {
		if _, compiled := b.funcs[h.Key]; !compiled {
			out.New = append(out.New, h.Name)
		}
	}
	out.New = append(out.New, send...)
	out.Notes = append(pl.notes, varNotes...)
	prog.useSideFields(ch.pkgPath, ch.side) // sidefields.go: for the prompt
	if len(out.Apply) > 0 {
		out.NewMethods = ch.NewMethods
		out.Vars = newVars(ch, pl.vars, send)
	}
	return out, nil
}

// fileChange returns one file of a save with its declarations as built
// (none for a file new since the build), now, and as last planned.
func (b *Build) fileChange(file string, sv Save) (fileChange, error) {
	pkg, _ := b.PackageOf(file)
	old := b.CompiledDecls(file)
	if old == nil {
		if _, built := b.compiled[file]; built {
			return fileChange{}, fmt.Errorf("plan: %s is not a compiled file of this build", filepath.Base(file))
		}
		old = emptyDecls(pkg)
	}
	cur, err := ParseFileDecls(pkg, file, sv.Files[file])
	if err != nil {
		return fileChange{}, syntaxDiagnostics(err)
	}
	fc := fileChange{file: file, old: old, cur: cur}
	if p, ok := sv.Prev[file]; ok {
		if compiled, _ := b.Compiled(file); string(p) == string(compiled) {
			fc.prev = old
		} else {
			fc.prev, _ = ParseFileDecls(pkg, file, p)
		}
	}
	return fc, nil
}

// add adds the decisions of another file's plan to pl.
func (pl *plan) add(o plan) {
	pl.apply = append(pl.apply, o.apply...)
	pl.helpers = append(pl.helpers, o.helpers...)
	pl.revert = append(pl.revert, o.revert...)
	pl.vars = append(pl.vars, o.vars...)
	pl.refusals = append(pl.refusals, o.refusals...)
	pl.notes = append(pl.notes, o.notes...)
	pl.removedFields = append(pl.removedFields, o.removedFields...)
}

// syntaxDiagnostics turns a parser's error into at most 10 diagnostics,
// each at the file's base name.
func syntaxDiagnostics(err error) error {
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	var ds Diagnostics
	for i, e := range list {
		if i == 10 {
			break
		}
		ds = append(ds, Diagnostic{Pos: token.Position{Filename: filepath.Base(e.Pos.Filename), Line: e.Pos.Line, Column: e.Pos.Column}, Kind: Syntax, Msg: e.Msg})
	}
	return ds
}

// declKeys returns the keys of decls.
func declKeys(decls []*FuncDecl) []string {
	keys := make([]string, len(decls))
	for i, d := range decls {
		keys[i] = d.Key
	}
	return keys
}

// constReaders refuses the constants of a save whose value changed (new
// ones included) that compiled code reads: compiled code has the old value
// folded in. A reader is fine when the save patches it (the patch uses the
// new value). curs are the declarations of the save's files.
func (b *Build) constReaders(ctx context.Context, curs []*FileDecls, pl plan, consts []string) Diagnostics {
	patched := map[string]bool{}
	for _, fn := range pl.apply {
		patched[fn.Key] = true
	}
	var refusals Diagnostics
	for _, name := range consts {
		var cur *FileDecls
		for _, c := range curs {
			if _, ok := c.values[name]; ok {
				cur = c
			}
		}
		if cur == nil {
			continue
		}
		uses, elsewhere, ok := b.users(ctx, cur.pkgPath, name)
		if !ok {
			continue // a new constant: only the change can read it
		}
		var unpatched []string
		for _, u := range uses {
			if !patched[u.key] {
				unpatched = append(unpatched, b.Display(u.key))
			}
		}
		p := cur.fset.Position(cur.values[name].pos)
		at := token.Position{Filename: filepath.Base(p.Filename), Line: p.Line, Column: p.Column}
		switch {
		case elsewhere:
			refusals = append(refusals, Diagnostic{Pos: at, Kind: RefusedRestart,
				Msg: fmt.Sprintf("constant %s changed and a declaration outside any function uses it", name)})
		case len(unpatched) > 0:
			refusals = append(refusals, Diagnostic{Pos: at, Kind: RefusedUnpatched,
				Msg: fmt.Sprintf("constant %s changed and compiled code reads it (%s)", name, strings.Join(unpatched, ", "))})
		}
	}
	return refusals
}
