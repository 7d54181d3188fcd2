package livepatch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/dapproxy"
	"github.com/livepatch/livepatch/interp/agent"
	"github.com/livepatch/livepatch/prompt"
)

// CommandPrefix starts the prompt's livepatch commands (:patches,
// :revert NAME, :revert all); it cannot start valid Go.
const CommandPrefix = ":"

// evaluate intercepts prompt inputs that declare functions of the program
// and livepatch's commands; everything else goes to the Go prompt.
func (m *Manager) evaluate(ctx context.Context, s *dapproxy.Session, raw json.RawMessage) (any, error) {
	var args struct {
		Expression string `json:"expression"`
		Context    string `json:"context"`
	}
	_ = json.Unmarshal(raw, &args)
	text := strings.TrimSpace(args.Expression)
	if args.Context != "repl" {
		return m.opts.Prompt.Evaluate(ctx, s, raw)
	}
	if strings.HasPrefix(text, CommandPrefix) {
		out, err := m.command(ctx, s, strings.TrimSpace(text[len(CommandPrefix):]))
		if err != nil {
			return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: err.Error(), ShowUser: true}
		}
		return map[string]any{"result": out, "variablesReference": 0}, nil
	}
	decls, fset, src, ok := parseInputDecls(text)
	if !ok {
		return m.opts.Prompt.Evaluate(ctx, s, raw)
	}
	prog := m.program()
	targets := make([]string, len(decls))
	matched := 0
	for i, d := range decls {
		fn := newFuncDecl(fset, []byte(src), "", d)
		targets[i] = programFunc(prog, fn.name)
		if targets[i] != "" {
			matched++
		}
	}
	if matched == 0 {
		return m.opts.Prompt.Evaluate(ctx, s, raw) // declarations for the REPL
	}
	if matched < len(decls) {
		for i, d := range decls {
			if targets[i] == "" {
				return nil, promptError(fset, d.Pos(), fmt.Sprintf("%s is not a function of the program: declare new functions in an input of their own", d.Name.Name))
			}
		}
	}
	st := m.session(ctx, s)
	var ps []pendingPatch
	for i, d := range decls {
		f := prog.funcs[targets[i]]
		off := fset.Position(d.Pos()).Offset
		declSrc := src[off:fset.Position(d.End()).Offset]
		compiled := compiledDecl(prog, f.File, f.Key)
		newFn := newFuncDecl(fset, []byte(src), f.Package, d)
		if reason := promptRefusal(f.Patchable, f.Reason, compiled, newFn); reason != "" {
			return nil, promptError(fset, d.Pos(), reason)
		}
		rep, err := m.opts.Prompt.RewriteFunc(ctx, f.File, declSrc)
		if err != nil {
			var ie *prompt.InputError
			if errors.As(err, &ie) {
				// Positions are in the declaration; make them the input's.
				line := fset.Position(d.Pos()).Line - 1
				return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: shiftLines(ie.Msgs, line-1, ""), ShowUser: true}
			}
			return nil, &dapproxy.Error{ID: dapproxy.ErrPromptFailed, Summary: err.Error(), ShowUser: true}
		}
		p := Patch{Name: prog.display(f.Key), Key: f.Key, Origin: OriginPrompt, File: f.File, Line: f.Line, source: declSrc}
		if compiled != nil {
			p.Line = compiled.line
		}
		ps = append(ps, pendingPatch{Patch: p, patch: agent.Patch{Ref: agent.Ref{Key: f.Key}, Source: rep.Source, Imports: rep.Imports}})
	}
	st.mu.Lock()
	err := st.apply(ctx, ps)
	st.mu.Unlock()
	if err != nil {
		return nil, &dapproxy.Error{ID: dapproxy.ErrPromptInput, Summary: "nothing applied: " + err.Error(), ShowUser: true}
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, fmt.Sprintf("patched %s (%s)", p.Name, position(p.File, p.Line)))
	}
	// The response is the report: an output event too would show it twice.
	return map[string]any{"result": strings.Join(lines, "\n"), "variablesReference": 0}, nil
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
	src, ok := prog.compiled[file]
	if !ok {
		return nil
	}
	pkg, _ := prog.packageOf(file)
	fd, err := parseFileDecls(pkg, file, src)
	if err != nil {
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

// shiftLines moves "line:col: msg" messages down by delta lines and prefixes
// them with file (when not empty).
func shiftLines(msgs []string, delta int, file string) string {
	out := make([]string, len(msgs))
	for i, m := range msgs {
		var line, col int
		var rest string
		if n, _ := fmt.Sscanf(m, "%d:%d:", &line, &col); n == 2 {
			_, rest, _ = strings.Cut(m, ": ")
			m = fmt.Sprintf("%d:%d: %s", line+delta, col, rest)
			if file != "" {
				m = file + ":" + m
			}
		}
		out[i] = m
	}
	return strings.Join(out, "\n")
}
