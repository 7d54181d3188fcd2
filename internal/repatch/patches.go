package repatch

import (
	"context"
	"errors"
	"path/filepath"
	"sort"
	"strings"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// patchSet rewrites every patchable function of package pkg (all, or
// those named by functions) from its own source, file by file,
// as a save of the unchanged file would, and returns the patches, the
// functions left out, and the checked form of each patch's function, by
// key, for the native tier (none for a generic function).
func patchSet(ctx context.Context, ck *change.Checker, m *patcher.Manifest, pkg string, all bool, functions []string) ([]wire.Patch, []Refusal, map[string]*change.Checked) {
	var refused []Refusal
	byFile := map[string][]patcher.Function{}
	for _, f := range m.Functions {
		switch {
		case f.Package != pkg:
		case !all && !wanted(f, functions):
			refused = append(refused, Refusal{Key: f.Key, Stage: StageFilter, Group: "not asked for"})
		case !f.Patchable:
			refused = append(refused, Refusal{Key: f.Key, Stage: StageBuild, Group: buildGroup(f.Reason), Message: f.Reason})
		default:
			byFile[f.File] = append(byFile[f.File], f)
		}
	}
	files := make([]string, 0, len(byFile))
	for f := range byFile {
		files = append(files, f)
	}
	sort.Strings(files)
	var set []wire.Patch
	checked := map[string]*change.Checked{}
	for _, file := range files {
		ps, rs := filePatches(ctx, ck, file, byFile[file], checked)
		set = append(set, ps...)
		refused = append(refused, rs...)
	}
	return set, refused, checked
}

// filePatches rewrites fns, functions of file, from the file's text as
// built, as a save does the functions it applies: the check and rewriting
// of change.Checker.RewriteChange, and each patch made by
// change.Change.AgentPatch at the line of the function's declaration in
// the build's index of the file (change.Build.CompiledDecls). When the
// set does not rewrite, the functions that the messages point into are
// refused and the rest tried again, so that one refusal does not take the
// others with it. The checked form of each function patched goes into
// checked.
func filePatches(ctx context.Context, ck *change.Checker, file string, fns []patcher.Function, checked map[string]*change.Checked) ([]wire.Patch, []Refusal) {
	b := ck.Build()
	src, ok := b.Compiled(file)
	decls := b.CompiledDecls(file)
	if !ok || decls == nil {
		return nil, refuseAll(fns, StageRewrite, "rewrite: "+filepath.Base(file)+" is not among the compiled files")
	}
	keys := make([]string, len(fns))
	for i, f := range fns {
		keys[i] = f.Key
	}
	ch, err := ck.RewriteChange(ctx, file, src, keys, nil)
	if err == nil {
		ps := make([]wire.Patch, len(fns))
		for i, f := range fns {
			ps[i] = ch.AgentPatch(f.Key, file, declLine(decls, f))
			if r := ch.Funcs[f.Key]; r != nil && r.Checked != nil {
				checked[f.Key] = r.Checked
			}
		}
		return ps, nil
	}
	var ds diag.Diagnostics
	if !errors.As(err, &ds) {
		return nil, refuseAll(fns, StageRewrite, err.Error())
	}
	// Drop the functions the diagnostics point into and try the rest; a
	// diagnostic that points into none refuses them all.
	var rest []patcher.Function
	var rs []Refusal
	for _, f := range fns {
		if in := diagnosticsIn(ds, decls, f); len(in) > 0 {
			rs = append(rs, Refusal{Key: f.Key, Stage: StageRewrite, Group: diagnosticGroup(in[0]), Message: in.Error()})
		} else {
			rest = append(rest, f)
		}
	}
	if len(rs) == 0 {
		rs = make([]Refusal, len(fns))
		for i, f := range fns {
			rs[i] = Refusal{Key: f.Key, Stage: StageRewrite, Group: diagnosticGroup(ds[0]), Message: ds.Error()}
		}
		return nil, rs
	}
	ps, more := filePatches(ctx, ck, file, rest, checked)
	return ps, append(rs, more...)
}

// declLine returns the line of the declaration of f in the file's
// declarations as built; the manifest's line (of its body) when they lack
// it.
func declLine(decls *classify.FileDecls, f patcher.Function) int {
	if d := decls.Funcs[f.Key]; d != nil {
		return d.Line
	}
	return f.Line
}

// diagnosticsIn returns the diagnostics of ds whose line falls in
// function f, which starts on its declaration's line and ends before the
// next function of the file.
func diagnosticsIn(ds diag.Diagnostics, decls *classify.FileDecls, f patcher.Function) diag.Diagnostics {
	from := declLine(decls, f)
	to := int(^uint(0) >> 1)
	for _, d := range decls.Funcs {
		if d.Line > from && d.Line < to {
			to = d.Line
		}
	}
	var out diag.Diagnostics
	for _, d := range ds {
		if d.Pos.Filename != "" && d.Pos.Line >= from && d.Pos.Line < to {
			out = append(out, d)
		}
	}
	return out
}

// refuseAll refuses every one of fns at stage with msg.
func refuseAll(fns []patcher.Function, stage, msg string) []Refusal {
	rs := make([]Refusal, len(fns))
	for i, f := range fns {
		rs[i] = Refusal{Key: f.Key, Stage: stage, Group: summary(msg), Message: msg}
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
