package change

import (
	"context"
	"errors"
	"fmt"
	"go/scanner"
	"go/token"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
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
	Live map[string]classify.Live
	// Vars are the package variables saves made live, by "path.name".
	Vars map[string]LiveVar
	// Native is what the native tier can take of the save.
	Native NativeMode
}

// Plan is a save classified, checked and rewritten: what goes live, what
// goes back to its compiled form, and what the user should know.
type Plan struct {
	Apply  []Patched
	Revert []string // keys edited back to their compiled form
	Notes  diag.Diagnostics
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
	// NativeOnly says why the interpreter cannot take the change, which
	// the native tier can: its functions go live natively only, after
	// their build ("" when they go live interpreted first).
	NativeOnly string
}

// PlanSave classifies a save against the latest build and the live
// patches, checks it with the rest of its package and rewrites what goes
// live. A save that does not parse, does not type-check or is refused is
// a Diagnostics, each at its file:line:col; nothing of it may be applied.
// Compiled functions that a file of the save declares unchanged but that
// use a declaration the save changes are patched as they are
// (unchangedUsers), as a rebuild compiles them anew.
func (k *Checker) PlanSave(ctx context.Context, sv Save) (*Plan, error) {
	b := k.Build()
	start := time.Now()
	files := make([]string, 0, len(sv.Files))
	for f := range sv.Files {
		files = append(files, f)
	}
	sort.Strings(files)
	var fcs []classify.FileChange
	for _, file := range files {
		fc, err := b.fileChange(file, sv)
		if err != nil {
			return nil, err
		}
		fcs = append(fcs, fc)
	}
	pl := classify.Files(b, fcs, sv.Live, func(key string) ([]string, bool) { return b.callers(ctx, key) })
	fixed := append(pl.Refusals, b.embedChanges(filepath.Dir(sv.File))...)
	var before diag.Diagnostics // the refusals that the functions taken in last answer
	for round := 0; ; round++ {
		refusals := append(slices.Clip(fixed), b.fieldUsers(ctx, fcs, pl, sv.Live)...)
		if len(refusals) == 0 {
			out, checkRefusals, err := b.checkPlan(ctx, sv, fcs, pl, start)
			if err != nil && before != nil {
				return nil, before // those functions do not compile as they are: the refusals say more
			}
			if err != nil || len(checkRefusals) == 0 {
				return out, err
			}
			refusals = checkRefusals
		}
		more, notes := b.unchangedUsers(refusals, fcs, pl, sv.Live) // repatch.go
		if len(more) == 0 || round == maxRepatchRounds {
			return nil, refusals
		}
		pl.Apply, pl.Notes, before = append(pl.Apply, more...), append(pl.Notes, notes...), refusals
		pl.Revert = slices.DeleteFunc(slices.Clone(pl.Revert), func(key string) bool {
			return slices.ContainsFunc(more, func(fn *classify.FuncDecl) bool { return fn.Key == key })
		})
	}
}

// checkPlan checks and rewrites pl, the classified files fcs of sv, and
// returns the plan, or the refusals of what the check finds (variables,
// types, interfaces, constants that compiled code uses), or an error (the
// change does not type-check).
func (b *Build) checkPlan(ctx context.Context, sv Save, fcs []classify.FileChange, pl classify.Plan, start time.Time) (*Plan, diag.Diagnostics, error) {
	out := &Plan{Revert: pl.Revert, Classified: time.Since(start)}
	prog, err := b.Program(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("rewrite: no type information for this build: %w", err)
	}
	send, judge := splitVars(pl.Vars, sv.Vars)
	ch, err := prog.rewriteFiles(sv.Files, declKeys(pl.Apply), declKeys(pl.Helpers), send, sv.Native)
	if err != nil {
		return nil, nil, b.crossPackage(err, sv.Files) // crosspkg.go
	}
	out.Checked = time.Since(start) - out.Classified
	out.NativeOnly = ch.NativeOnly
	varNotes, refusals := prog.judgeVars(ch, judge, sv.Vars)
	patched := patchedSet(fcs, pl, sv.Live)
	removedNotes, removedRefusals := b.removedVars(ctx, pl.Vars, patched)
	varNotes, refusals = append(varNotes, removedNotes...), append(refusals, removedRefusals...)
	retypedNotes, retypedRefusals := b.retypedVars(ctx, prog, ch, pl.Vars, send, patched) // planvars.go
	varNotes, refusals = append(varNotes, retypedNotes...), append(refusals, retypedRefusals...)
	typeNotes, typeRefusals := b.removedTypes(ctx, ch, pl, patched) // removedtypes.go
	varNotes, refusals = append(varNotes, typeNotes...), append(refusals, typeRefusals...)
	refusals = append(refusals, b.interfaceChanges(ctx, prog, ch, pl, patched)...) // interfaces.go
	if refusals = append(refusals, b.constReaders(ctx, fcs, pl, ch.Consts, sv.Live)...); len(refusals) > 0 {
		return nil, refusals, nil
	}
	for _, fn := range pl.Apply {
		out.Apply = append(out.Apply, Patched{Key: fn.Key, Name: b.Display(fn.Key), File: fn.File, Line: fn.Line, Text: fn.Text,
			Patch: ch.AgentPatch(fn.Key, fn.File, fn.Line), Checked: ch.Funcs[fn.Key].Checked})
	}
	for _, h := range pl.Helpers {
		if _, compiled := b.funcs[h.Key]; !compiled {
			out.New = append(out.New, h.Name)
		}
	}
	out.New = append(out.New, send...)
	out.Notes = append(pl.Notes, varNotes...)
	prog.useSideFields(ch.pkgPath, ch.side) // sidefields.go: for the prompt
	if len(out.Apply) > 0 {
		out.NewMethods = ch.NewMethods
		out.Vars = newVars(ch, pl.Vars, send)
	}
	return out, nil, nil
}

// fileChange returns one file of a save with its declarations as built
// (none for a file new since the build), now, and as last planned.
func (b *Build) fileChange(file string, sv Save) (classify.FileChange, error) {
	pkg, _ := b.PackageOf(file)
	old := b.CompiledDecls(file)
	if old == nil {
		if _, built := b.compiled[file]; built {
			return classify.FileChange{}, fmt.Errorf("plan: %s is not a compiled file of this build", filepath.Base(file))
		}
		old = classify.EmptyDecls(pkg)
	}
	cur, err := classify.ParseFileDecls(pkg, file, sv.Files[file])
	if err != nil {
		return classify.FileChange{}, syntaxDiagnostics(err)
	}
	fc := classify.FileChange{File: file, Old: old, Cur: cur}
	if p, ok := sv.Prev[file]; ok {
		if compiled, _ := b.Compiled(file); string(p) == string(compiled) {
			fc.Prev = old
		} else {
			fc.Prev, _ = classify.ParseFileDecls(pkg, file, p)
		}
	}
	return fc, nil
}

// syntaxDiagnostics turns a parser's error into at most 10 diagnostics,
// each at the file's base name.
func syntaxDiagnostics(err error) error {
	var list scanner.ErrorList
	if !errors.As(err, &list) {
		return err
	}
	var ds diag.Diagnostics
	for i, e := range list {
		if i == 10 {
			break
		}
		ds = append(ds, diag.Diagnostic{Pos: token.Position{Filename: filepath.Base(e.Pos.Filename), Line: e.Pos.Line, Column: e.Pos.Column}, Kind: diag.Syntax, Msg: e.Msg})
	}
	return ds
}

// settledConsts reports whether every constant of consts is declared as
// in the live state of its file (FileChange.Prev): the same text, which
// names no iota (whose value moves with its place).
func settledConsts(fcs []classify.FileChange, consts []string) bool {
	for _, name := range consts {
		found := false
		for _, fc := range fcs {
			cur, ok := fc.Cur.Values[name]
			if !ok {
				continue
			}
			found = true
			if fc.Prev == nil {
				return false
			}
			prev, had := fc.Prev.Values[name]
			if !had || cur.Text == "" || strings.Contains(cur.Text, "iota") || classify.Squeeze(prev.Text) != classify.Squeeze(cur.Text) {
				return false
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// declKeys returns the keys of decls.
func declKeys(decls []*classify.FuncDecl) []string {
	keys := make([]string, len(decls))
	for i, d := range decls {
		keys[i] = d.Key
	}
	return keys
}

// constReaders refuses the constants of a save whose value changed (new
// ones included) that compiled code reads: compiled code has the old value
// folded in. A reader is fine when the save patches it (the patch uses the
// new value), when its compiled body no longer runs (patchedSet), or when
// a save made it live and no constant's declaration changed since the
// live state of its file (settledConsts): the save that changed them had
// every reader patched. fcs are the files of the save.
func (b *Build) constReaders(ctx context.Context, fcs []classify.FileChange, pl classify.Plan, consts []string, live map[string]classify.Live) diag.Diagnostics {
	if !settledConsts(fcs, consts) {
		live = nil
	}
	patched := patchedSet(fcs, pl, live)
	curs := make([]*classify.FileDecls, len(fcs))
	for i, fc := range fcs {
		curs[i] = fc.Cur
	}
	var refusals diag.Diagnostics
	for _, name := range consts {
		var cur *classify.FileDecls
		for _, c := range curs {
			if _, ok := c.Values[name]; ok {
				cur = c
			}
		}
		if cur == nil {
			continue
		}
		uses, elsewhere, ok := b.users(ctx, cur.PkgPath, name)
		if !ok {
			continue // a new constant: only the change can read it
		}
		unpatched, keys := b.unpatchedUsers(uses, patched)
		p := cur.Fset.Position(cur.Values[name].Pos)
		at := token.Position{Filename: filepath.Base(p.Filename), Line: p.Line, Column: p.Column}
		switch {
		case elsewhere:
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedRestart,
				Msg: fmt.Sprintf("constant %s changed and a declaration outside any function uses it", name)})
		case len(unpatched) > 0:
			refusals = append(refusals, diag.Diagnostic{Pos: at, Kind: diag.RefusedUnpatched, Edits: b.funcsPackage(keys), Unpatched: strings.Join(keys, " "),
				Msg: fmt.Sprintf("constant %s changed and compiled code reads it (%s)", name, strings.Join(unpatched, ", "))})
		}
	}
	return refusals
}
