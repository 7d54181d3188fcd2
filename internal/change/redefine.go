package change

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// Patched is one function that a change makes live, ready for the agent.
type Patched struct {
	Key  string // the agent's key
	Name string // as users see it (Build.Display)
	File string // the file that declares it
	Line int    // the line of its declaration in File
	// Text is the declaration as the user wrote it.
	Text  string
	Patch wire.Patch
	// Checked is the declaration as checked, for the native tier (nil
	// when the change cannot give it).
	Checked *Checked
}

// Redefinition is a prompt input made of function declarations, some of
// which name functions of the program: those replace them, the others are
// new declarations for the patched code.
type Redefinition struct {
	b       *Build
	fset    *token.FileSet
	src     string // the parsed text: the input after a package clause
	decls   []*ast.FuncDecl
	targets []string // by declaration: the program function it replaces, or ""
}

// ParseRedefinition parses a prompt input as a redefinition of functions
// of the build; ok is false when it is anything else (not only function
// declarations, or none that names a function of the program).
func (b *Build) ParseRedefinition(text string) (r *Redefinition, ok bool) {
	src := "package p\n" + text
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.SkipObjectResolution)
	if err != nil || len(f.Decls) == 0 || len(f.Imports) > 0 {
		return nil, false
	}
	r = &Redefinition{b: b, fset: fset, src: src}
	for _, d := range f.Decls {
		fd, isFunc := d.(*ast.FuncDecl)
		if !isFunc || fd.Body == nil {
			return nil, false
		}
		r.decls = append(r.decls, fd)
	}
	matched := false
	for _, d := range r.decls {
		fn := classify.NewFuncDecl(fset, []byte(src), "", d)
		target := programFunc(b, fn.Name)
		r.targets = append(r.targets, target)
		matched = matched || target != ""
	}
	return r, matched
}

// Redefine checks and rewrites a redefinition, each compiled file it edits
// with its package, as a save is, and returns the functions it replaces
// and a line for each method it adds to a compiled type. An input that
// does not compile or is refused is a Diagnostics at line:col of the
// input.
func (k *Checker) Redefine(ctx context.Context, r *Redefinition) ([]Patched, []string, error) {
	edits, err := r.fileEdits()
	if err != nil {
		return nil, nil, err
	}
	var ps []Patched
	var newMethods []string
	for _, e := range edits {
		eps, added, err := k.rewriteEdit(ctx, r, e)
		if err != nil {
			return nil, nil, err
		}
		ps = append(ps, eps...)
		newMethods = append(newMethods, added...)
	}
	return ps, newMethods, nil
}

// fileEdit is the part of a redefinition that edits one compiled file.
type fileEdit struct {
	file  string
	repl  []inputDecl // replacements, by target
	added []inputDecl // new declarations
}

// fileEdits turns a redefinition into edits of the compiled files: each
// declaration that names a program function replaces it in its file, and
// the others (new functions and methods, for the patched code) join the
// file of the first one.
func (r *Redefinition) fileEdits() ([]*fileEdit, error) {
	var edits []*fileEdit
	byFile := map[string]*fileEdit{}
	var added []inputDecl
	for i, d := range r.decls {
		from, to := r.fset.Position(d.Pos()).Offset, r.fset.Position(d.End()).Offset
		in := inputDecl{decl: d, src: r.src[from:to], line: r.fset.Position(d.Pos()).Line - 1}
		if r.targets[i] == "" {
			added = append(added, in)
			continue
		}
		f := r.b.funcs[r.targets[i]]
		compiled := compiledDecl(r.b, f.File, f.Key)
		newFn := classify.NewFuncDecl(r.fset, []byte(r.src), f.Package, d)
		if kind, reason := promptRefusal(f.Patchable, f.Reason, compiled, newFn); reason != "" {
			return nil, r.refusal(d.Pos(), kind, reason)
		}
		if compiled == nil {
			return nil, r.refusal(d.Pos(), diag.Type, fmt.Sprintf("%s: its source is not among the compiled files", d.Name.Name))
		}
		in.key, in.target = f.Key, compiled
		e := byFile[f.File]
		if e == nil {
			e = &fileEdit{file: f.File}
			byFile[f.File] = e
			edits = append(edits, e)
		}
		e.repl = append(e.repl, in)
	}
	edits[0].added = added
	return edits, nil
}

// rewriteEdit splices an edit into its compiled file, checks and rewrites
// the file, and returns the patches of the edit's replacements with a line
// for each method the edit adds to a compiled type.
func (k *Checker) rewriteEdit(ctx context.Context, r *Redefinition, e *fileEdit) ([]Patched, []string, error) {
	b := r.b
	text, where := spliceDecls(b.compiled[e.file], b.CompiledDecls(e.file), e.repl, e.added)
	var apply, helpers []string
	for _, in := range e.repl {
		apply = append(apply, in.key)
	}
	pkg, _ := b.PackageOf(e.file)
	for _, in := range e.added {
		if in.decl.Recv == nil {
			helpers = append(helpers, classify.NewFuncDecl(r.fset, []byte(r.src), pkg, in.decl).Key)
		}
	}
	ch, err := k.RewriteInput(ctx, e.file, text, apply, helpers)
	if err != nil {
		var ds diag.Diagnostics
		if errors.As(err, &ds) {
			return nil, nil, inputPositions(ds, filepath.Base(e.file), where)
		}
		return nil, nil, err
	}
	var newMethods []string
	for _, name := range ch.NewMethods {
		newMethods = append(newMethods, fmt.Sprintf("added method %s for patched code", name))
	}
	if len(ch.Consts) > 0 {
		return nil, nil, r.refusal(r.decls[0].Pos(), diag.Type, "declare constants in the file: a prompt input cannot change one")
	}
	var ps []Patched
	for _, in := range e.repl {
		f := b.funcs[in.key]
		ps = append(ps, Patched{Key: f.Key, Name: b.Display(f.Key), File: f.File, Line: in.target.Line, Text: in.src,
			Patch: ch.AgentPatch(f.Key, f.File, in.target.Line), Checked: ch.Funcs[f.Key].Checked})
	}
	return ps, newMethods, nil
}

// inputDecl is one function declaration of a prompt input.
type inputDecl struct {
	decl   *ast.FuncDecl
	src    string             // its text
	line   int                // the input's line it starts on
	key    string             // the program function it replaces; "" for a new one
	target *classify.FuncDecl // that function's compiled declaration
}

// lineMap places a declaration of an input in a spliced file: lines
// from..to of the file are lines of the input starting at line.
type lineMap struct{ from, to, line int }

// spliceDecls returns src, a compiled file whose declarations are fd, with
// the declarations of repl in place of their targets and those of added
// after the end, and where each input declaration went.
func spliceDecls(src []byte, fd *classify.FileDecls, repl, added []inputDecl) ([]byte, []lineMap) {
	type cut struct {
		from, to int
		in       inputDecl
	}
	var cuts []cut
	for _, in := range repl {
		d := in.target.Decl
		cuts = append(cuts, cut{fd.Fset.Position(d.Pos()).Offset, fd.Fset.Position(d.End()).Offset, in})
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].from < cuts[j].from })
	var b strings.Builder
	var where []lineMap
	put := func(in inputDecl) {
		from := strings.Count(b.String(), "\n") + 1
		b.WriteString(in.src)
		where = append(where, lineMap{from: from, to: from + strings.Count(in.src, "\n"), line: in.line})
	}
	at := 0
	for _, c := range cuts {
		b.Write(src[at:c.from])
		put(c.in)
		at = c.to
	}
	b.Write(src[at:])
	for _, in := range added {
		b.WriteString("\n\n")
		put(in)
	}
	b.WriteString("\n")
	return []byte(b.String()), where
}

// inputPositions places the diagnostics about a spliced file that fall in
// the input's declarations at their line:col of the input.
func inputPositions(ds diag.Diagnostics, file string, where []lineMap) diag.Diagnostics {
	out := make(diag.Diagnostics, len(ds))
	for i, d := range ds {
		out[i] = d
		if d.Pos.Filename != file || d.Pos.Line == 0 {
			continue
		}
		for _, w := range where {
			if w.from <= d.Pos.Line && d.Pos.Line <= w.to {
				out[i].Pos = token.Position{Line: d.Pos.Line - w.from + w.line, Column: d.Pos.Column}
			}
		}
	}
	return out
}

// programFunc returns the key of the one function of the program named
// name (F, T.M or (*T).M), preferring the main package when several
// packages have one.
func programFunc(b *Build, name string) string {
	var found []string
	for key, f := range b.funcs {
		if key == f.Package+"."+name {
			found = append(found, key)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	sort.Strings(found)
	for _, k := range found {
		if b.pkgNames[b.funcs[k].Package] == "main" {
			return k
		}
	}
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

// CompiledFunc returns the declaration of key as built, or nil.
func (b *Build) CompiledFunc(key string) *classify.FuncDecl {
	return compiledDecl(b, b.funcs[key].File, key)
}

// compiledDecl returns the declaration of key in the compiled source of
// file, or nil.
func compiledDecl(b *Build, file, key string) *classify.FuncDecl {
	fd := b.CompiledDecls(file)
	if fd == nil {
		return nil
	}
	return fd.Funcs[key]
}

// promptRefusal says why a prompt declaration cannot replace a compiled
// function, or returns "".
func promptRefusal(patchable bool, why string, compiled, fn *classify.FuncDecl) (diag.Kind, string) {
	switch {
	case fn.Generic && !patchable:
		return diag.RefusedInterpreter, fmt.Sprintf("%s is generic and cannot be patched (%s)", fn.Name, why)
	case fn.Generic && compiled != nil && !fn.SameSignature(compiled):
		return diag.RefusedRestart, fmt.Sprintf("signature of generic function %s changed (%s, compiled: %s)", fn.Name, fn.Sig, compiled.Sig)
	case !patchable:
		return diag.RefusedRestart, fmt.Sprintf("%s cannot be patched (%s)", fn.Name, why)
	case compiled != nil && !fn.SameSignature(compiled):
		return diag.RefusedRestart, fmt.Sprintf("signature of %s changed (%s, compiled: %s)", fn.Name, fn.Sig, compiled.Sig)
	}
	return 0, ""
}

// refusal is a diagnostic at pos of the input.
func (r *Redefinition) refusal(pos token.Pos, kind diag.Kind, msg string) diag.Diagnostics {
	p := r.fset.Position(pos)
	return diag.Diagnostics{{Pos: token.Position{Line: p.Line - 1, Column: p.Column}, Kind: kind, Msg: msg}}
}
