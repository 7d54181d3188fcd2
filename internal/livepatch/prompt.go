package livepatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/token"
	"path/filepath"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/prompt"
	"github.com/livepatch/livepatch/target/agent"
)

// Jobs of livepatch's own in a session's agent queue (saves are "save of
// FILE").
const (
	JobRedefinition = "prompt redefinition"
	JobRevert       = "revert"
)

// CommandPrefix starts the prompt's livepatch commands (:patches,
// :revert NAME, :revert all); it cannot start valid Go.
const CommandPrefix = ":"

// evaluate is the prompt's interceptor (see Register): it answers the
// prompt inputs that declare functions of the program and livepatch's
// commands, and leaves everything else to the Go prompt.
func (m *Manager) evaluate(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (body any, handled bool, err error) {
	var args struct {
		Expression string `json:"expression"`
		Context    string `json:"context"`
	}
	_ = json.Unmarshal(raw, &args)
	text := strings.TrimSpace(args.Expression)
	if !prompt.ConsoleContext(args.Context) {
		return nil, false, nil
	}
	if strings.HasPrefix(text, CommandPrefix) {
		out, err := m.command(ctx, s, strings.TrimSpace(text[len(CommandPrefix):]))
		if err != nil {
			return nil, true, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: err.Error(), ShowUser: true}
		}
		return map[string]any{"result": out, "variablesReference": 0}, true, nil
	}
	decls, fset, src, ok := parseInputDecls(text)
	if !ok {
		return nil, false, nil
	}
	in := &redefinition{prog: m.program(), fset: fset, src: src, decls: decls}
	if !in.matchTargets() {
		return nil, false, nil // declarations for the REPL
	}
	body, err = m.redefine(ctx, s, in)
	return body, true, err
}

// redefinition is a prompt input that declares functions, some of which
// name functions of the program.
type redefinition struct {
	prog    *program
	fset    *token.FileSet
	src     string // the parsed text: the input after a package clause
	decls   []*ast.FuncDecl
	targets []string // by declaration: the program function it replaces, or ""
}

// matchTargets finds the program function each declaration names and
// reports whether any does.
func (r *redefinition) matchTargets() bool {
	r.targets = make([]string, len(r.decls))
	matched := false
	for i, d := range r.decls {
		fn := newFuncDecl(r.fset, []byte(r.src), "", d)
		r.targets[i] = programFunc(r.prog, fn.name)
		matched = matched || r.targets[i] != ""
	}
	return matched
}

// redefine applies a redefinition as a patch, in the session's agent
// queue, and reports what it patched.
func (m *Manager) redefine(ctx context.Context, s *dapproxy.Session, r *redefinition) (any, error) {
	edits, err := r.fileEdits()
	if err != nil {
		return nil, err
	}
	st := m.session(ctx, s)
	var ps []pendingPatch
	var newMethods []string // what the input adds to compiled types, for the report
	for _, e := range edits {
		eps, added, err := m.rewriteEdit(ctx, r, e)
		if err != nil {
			return nil, err
		}
		ps = append(ps, eps...)
		newMethods = append(newMethods, added...)
	}
	// In the redefinition's turn, the saves that came before it go first.
	leave, err := st.q.Enter(ctx, JobRedefinition)
	if err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: "nothing applied: " + err.Error(), ShowUser: true}
	}
	st.applyPending(ctx)
	err = st.apply(ctx, ps)
	leave()
	if err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: "nothing applied: " + err.Error(), ShowUser: true}
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, fmt.Sprintf("patched %s (%s)", p.Name, position(p.File, p.Line)))
	}
	lines = append(lines, newMethods...)
	// The response is the report: an output event too would show it twice.
	return map[string]any{"result": strings.Join(lines, "\n"), "variablesReference": 0}, nil
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
// file of the first one. Each file is checked with its package, as a save
// is.
func (r *redefinition) fileEdits() ([]*fileEdit, error) {
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
		f := r.prog.funcs[r.targets[i]]
		compiled := compiledDecl(r.prog, f.File, f.Key)
		newFn := newFuncDecl(r.fset, []byte(r.src), f.Package, d)
		if reason := promptRefusal(f.Patchable, f.Reason, compiled, newFn); reason != "" {
			return nil, promptError(r.fset, d.Pos(), reason)
		}
		if compiled == nil {
			return nil, promptError(r.fset, d.Pos(), fmt.Sprintf("%s: its source is not among the compiled files", d.Name.Name))
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

// rewriteEdit splices an edit into its compiled file, has the prompt
// check and rewrite the file, and returns the patches of the edit's
// replacements with a line for each method the edit adds to a compiled
// type.
func (m *Manager) rewriteEdit(ctx context.Context, r *redefinition, e *fileEdit) ([]pendingPatch, []string, error) {
	prog := r.prog
	text, where := spliceDecls(prog.compiled[e.file], prog.compiledDecls(e.file), e.repl, e.added)
	var apply, helpers []string
	for _, in := range e.repl {
		apply = append(apply, in.key)
	}
	pkg, _ := prog.packageOf(e.file)
	for _, in := range e.added {
		if in.decl.Recv == nil {
			helpers = append(helpers, newFuncDecl(r.fset, []byte(r.src), pkg, in.decl).key)
		}
	}
	ch, err := m.changes.RewriteInput(ctx, e.file, text, apply, helpers)
	if err != nil {
		var ds change.Diagnostics
		if errors.As(err, &ds) {
			return nil, nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: inputPositions(ds, filepath.Base(e.file), where).Error(), ShowUser: true}
		}
		return nil, nil, &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: err.Error(), ShowUser: true}
	}
	var newMethods []string
	for _, name := range ch.NewMethods {
		newMethods = append(newMethods, fmt.Sprintf("added method %s for patched code", name))
	}
	if len(ch.Consts) > 0 {
		return nil, nil, promptError(r.fset, r.decls[0].Pos(), "declare constants in the file: a prompt input cannot change one")
	}
	var ps []pendingPatch
	for _, in := range e.repl {
		f := prog.funcs[in.key]
		rep := ch.Funcs[in.key]
		p := Patch{Name: prog.display(f.Key), Key: f.Key, Origin: OriginPrompt, File: f.File, Line: in.target.line, source: in.src}
		ps = append(ps, pendingPatch{Patch: p, patch: agent.Patch{Ref: agent.Ref{Key: f.Key}, Source: rep.Source,
			Imports: ch.ImportsOf(f.Key), File: filepath.Base(f.File), Line: in.target.line, Helpers: ch.Helpers}})
	}
	return ps, newMethods, nil
}

// inputDecl is one function declaration of a prompt input.
type inputDecl struct {
	decl   *ast.FuncDecl
	src    string    // its text
	line   int       // the input's line it starts on
	key    string    // the program function it replaces; "" for a new one
	target *funcDecl // that function's compiled declaration
}

// lineMap places a declaration of an input in a spliced file: lines
// from..to of the file are lines of the input starting at line.
type lineMap struct{ from, to, line int }

// spliceDecls returns src, a compiled file whose declarations are fd, with
// the declarations of repl in place of their targets and those of added
// after the end, and where each input declaration went.
func spliceDecls(src []byte, fd *fileDecls, repl, added []inputDecl) ([]byte, []lineMap) {
	type cut struct {
		from, to int
		in       inputDecl
	}
	var cuts []cut
	for _, in := range repl {
		d := in.target.decl
		cuts = append(cuts, cut{fd.fset.Position(d.Pos()).Offset, fd.fset.Position(d.End()).Offset, in})
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
func inputPositions(ds change.Diagnostics, file string, where []lineMap) change.Diagnostics {
	out := make(change.Diagnostics, len(ds))
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
func programFunc(prog *program, name string) string {
	var found []string
	for key, f := range prog.funcs {
		if key == f.Package+"."+name {
			found = append(found, key)
		}
	}
	if len(found) == 1 {
		return found[0]
	}
	sort.Strings(found)
	for _, k := range found {
		if prog.pkgNames[prog.funcs[k].Package] == "main" {
			return k
		}
	}
	if len(found) > 0 {
		return found[0]
	}
	return ""
}

// compiledDecl returns the declaration of key in the compiled source of
// file, or nil.
func compiledDecl(prog *program, file, key string) *funcDecl {
	fd := prog.compiledDecls(file)
	if fd == nil {
		return nil
	}
	return fd.funcs[key]
}

// promptRefusal says why a prompt declaration cannot replace a compiled
// function, or returns "".
func promptRefusal(patchable bool, why string, compiled, fn *funcDecl) string {
	switch {
	case fn.generic:
		return fmt.Sprintf("%s is generic: generic functions cannot be patched yet", fn.name)
	case !patchable:
		return fmt.Sprintf("%s cannot be patched (%s): restart to apply", fn.name, why)
	case compiled != nil && compiled.sig != fn.sig:
		return fmt.Sprintf("signature of %s changed (%s, compiled: %s): restart to apply", fn.name, fn.sig, compiled.sig)
	}
	return ""
}

func promptError(fset *token.FileSet, pos token.Pos, msg string) error {
	p := fset.Position(pos)
	return &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: fmt.Sprintf("%d:%d: %s", p.Line-1, p.Column, msg), ShowUser: true}
}
