package repatch

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent"
)

// patchSet rewrites every patchable function of package pkg (all, or
// those named by functions) from its own source, file by file,
// as a save of the unchanged file would, and returns the patches and the
// functions left out.
func patchSet(ctx context.Context, ck *change.Checker, m *patcher.Manifest, pkg string, all bool, functions []string) ([]agent.Patch, []Refusal) {
	var refused []Refusal
	byFile := map[string][]patcher.Function{}
	for _, f := range m.Functions {
		switch {
		case f.Package != pkg:
		case !all && !wanted(f, functions):
			refused = append(refused, Refusal{Key: f.Key, Stage: StageFilter, Group: "not asked for"})
		case !f.Patchable:
			refused = append(refused, Refusal{Key: f.Key, Stage: StageBuild, Group: group(f.Reason), Message: f.Reason})
		default:
			byFile[f.File] = append(byFile[f.File], f)
		}
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var set []agent.Patch
	for _, file := range files {
		ps, rs := filePatches(ctx, ck, file, byFile[file])
		set = append(set, ps...)
		refused = append(refused, rs...)
	}
	return set, refused
}

// filePatches rewrites fns, functions of file, from the file's text on
// disk. When the set does not rewrite, the functions that the messages
// point into are refused and the rest tried again, so that one refusal
// does not take the others with it.
func filePatches(ctx context.Context, ck *change.Checker, file string, fns []patcher.Function) ([]agent.Patch, []Refusal) {
	src, err := os.ReadFile(file)
	if err != nil {
		return nil, refuseAll(fns, StageRewrite, err.Error())
	}
	starts := declStarts(file, src)
	keys := make([]string, len(fns))
	for i, f := range fns {
		keys[i] = f.Key
	}
	ch, err := ck.RewriteChange(ctx, file, src, keys, nil)
	if err == nil {
		return patchesOf(ch, file, fns, starts), nil
	}
	// Drop the functions the messages point into and try the rest; a
	// message that points into none refuses them all.
	msg := rewriteMessage(err)
	var rest []patcher.Function
	var rs []Refusal
	for _, f := range fns {
		if m := messagesIn(msg, f, starts); m != "" {
			rs = append(rs, refuseAll([]patcher.Function{f}, StageRewrite, m)...)
		} else {
			rest = append(rest, f)
		}
	}
	if len(rs) == 0 {
		return nil, refuseAll(fns, StageRewrite, msg)
	}
	ps, more := filePatches(ctx, ck, file, rest)
	return ps, append(rs, more...)
}

// messagesIn returns the lines of msg (file:line:col: text) whose line
// falls in function f, which starts on line starts[f.Line] and ends before
// the next function of the file.
func messagesIn(msg string, f patcher.Function, starts map[int]int) string {
	from := starts[f.Line]
	if from == 0 {
		from = f.Line
	}
	to := int(^uint(0) >> 1)
	for _, start := range starts {
		if start > from && start < to {
			to = start
		}
	}
	var out []string
	for _, line := range strings.Split(msg, "\n") {
		parts := strings.SplitN(line, ":", 4)
		if len(parts) < 4 {
			continue
		}
		n, err := strconv.Atoi(parts[1])
		if err == nil && n >= from && n < to {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// patchesOf turns the rewritten functions of ch into agent patches, as a
// save does.
func patchesOf(ch *change.Change, file string, fns []patcher.Function, starts map[int]int) []agent.Patch {
	var ps []agent.Patch
	for _, f := range fns {
		rep := ch.Funcs[f.Key]
		line := starts[f.Line]
		if line == 0 {
			line = f.Line
		}
		ps = append(ps, agent.Patch{Ref: agent.Ref{Key: f.Key}, Source: rep.Source,
			Imports: ch.ImportsOf(f.Key), File: filepath.Base(file), Line: line, Helpers: ch.Helpers})
	}
	return ps
}

// declStarts maps the line of each function's opening brace (the
// manifest's line) to the line its declaration starts on.
func declStarts(file string, src []byte) map[int]int {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, file, src, parser.SkipObjectResolution)
	if err != nil {
		return nil
	}
	out := map[int]int{}
	for _, d := range f.Decls {
		if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
			out[fset.Position(fd.Body.Lbrace).Line] = fset.Position(fd.Pos()).Line
		}
	}
	return out
}

// rewriteMessage returns the messages of a rewrite error.
func rewriteMessage(err error) string {
	var ie *change.InputError
	if errors.As(err, &ie) {
		return strings.Join(ie.Msgs, "\n")
	}
	return err.Error()
}

// refuseAll refuses every one of fns at stage with msg.
func refuseAll(fns []patcher.Function, stage, msg string) []Refusal {
	rs := make([]Refusal, len(fns))
	for i, f := range fns {
		rs[i] = Refusal{Key: f.Key, Stage: stage, Group: group(msg), Message: msg}
	}
	return rs
}

// wanted reports whether f is among functions: by key, or by its name
// within its package.
func wanted(f patcher.Function, functions []string) bool {
	local := strings.TrimPrefix(f.Key, f.Package+".")
	for _, name := range functions {
		if name == f.Key || name == local {
			return true
		}
	}
	return false
}
