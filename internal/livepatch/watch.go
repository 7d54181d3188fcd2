package livepatch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/change/classify"
	"github.com/livepatch/livepatch/internal/change/diag"
)

// startWatch watches the directories of the user's packages until ctx
// ends. The caller holds st.mu.
func (st *session) startWatch(ctx context.Context) error {
	b := st.m.changes.Build()
	if len(b.Dirs()) == 0 {
		return errors.New("the build lists no package directories")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	for _, dir := range b.Dirs() {
		if err := w.Add(dir); err != nil {
			w.Close()
			return fmt.Errorf("watch %s: %w", dir, err)
		}
	}
	for _, dir := range b.EmbedDirs() {
		if !slices.Contains(b.Dirs(), dir) {
			if err := w.Add(dir); err != nil {
				st.m.log.Warn("not watching embedded files", "dir", dir, "err", err)
			}
		}
	}
	for f, src := range b.CompiledFiles() {
		st.seen[f] = src
	}
	go st.watchLoop(ctx, w)
	return nil
}

// watchLoop turns file events into saves: a .go file is read once it has
// had no event for the quiet period.
func (st *session) watchLoop(ctx context.Context, w *fsnotify.Watcher) {
	defer w.Close()
	quiet := st.m.opts.Quiet
	timers := map[string]*time.Timer{}
	fire := make(chan string)
	defer func() {
		for _, t := range timers {
			t.Stop()
		}
	}()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			name := filepath.Clean(ev.Name)
			// Remove and Rename count too: a file gone for good is
			// reported, and an editor that saves by renaming the old file
			// away and writing a new one gives a Create within the quiet
			// period, which reads the new file.
			if !ev.Has(fsnotify.Write) && !ev.Has(fsnotify.Create) && !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) ||
				!(strings.HasSuffix(name, ".go") && !strings.HasSuffix(name, "_test.go") || st.m.changes.Build().Embeds(name)) {
				continue
			}
			if t := timers[name]; t != nil && t.Reset(quiet) {
				continue
			}
			timers[name] = time.AfterFunc(quiet, func() {
				select {
				case fire <- name:
				case <-ctx.Done():
				}
			})
		case name := <-fire:
			delete(timers, name)
			if st.m.changes.Build().Embeds(name) {
				st.embedSaved(name)
			} else {
				st.save(ctx, name)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			st.m.log.Warn("file watcher", "err", err)
		}
	}
}

// applySave applies what file changed since it was last seen, and reports
// it in the console. It returns an *unreachableError, and leaves the file
// unseen so that the next try plans it again, when the agent could not be
// reached; every other outcome (applied, refused, nothing to do) is final
// and returns nil. The caller has the turn and does not hold mu.
func (st *session) applySave(ctx context.Context, file string) error {
	b := st.m.changes.Build()
	if _, ok := b.PackageOf(file); !ok {
		return nil
	}
	src, err := os.ReadFile(file)
	gone := err != nil
	if gone {
		if src = st.goneText(ctx, b, file, err); src == nil { // gone.go
			st.removed(ctx, b, file, err)
			return nil
		}
	}
	sv, unsee := st.planSave(ctx, b, file, src)
	if sv == nil {
		return nil
	}
	t0 := time.Now()
	pl, err := st.m.changes.PlanSave(ctx, *sv)
	if err != nil {
		var ds diag.Diagnostics
		if errors.As(err, &ds) {
			st.report(refusedLines(b, file, ds)...)
			if compiles(ds) {
				st.restartFor(ctx, file)
			}
		} else {
			st.report(fmt.Sprintf("livepatch: %v; nothing of this save was applied", err))
		}
		return nil
	}
	defer func() {
		st.m.log.Debug("save", "file", file, "apply", len(pl.Apply), "revert", len(pl.Revert),
			"classify", pl.Classified, "check", pl.Checked, "total", time.Since(t0))
	}()
	if gone && len(pl.Apply) == 0 && len(pl.Revert) == 0 && len(pl.Notes) == 0 {
		st.report(filepath.Base(file) + ": removed: nothing of what it declared is in use; nothing to apply")
	}
	return st.applyPlanned(ctx, file, pl, unsee)
}

// planSave records src as the last seen content of file and returns the
// save to plan, with what puts back what was seen before it. It returns
// nil when there is nothing to plan, having reported why when the user
// should know.
func (st *session) planSave(ctx context.Context, b *change.Build, file string, src []byte) (*change.Save, func()) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.syncProcess(); err != nil {
		return nil, nil // no program yet
	}
	if len(src) == 0 {
		return nil, nil // truncated by an editor that writes next: its write is another event
	}
	prevSrc, hadPrev := st.seen[file]
	if hadPrev && string(prevSrc) == string(src) {
		return nil, nil
	}
	unsee := func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if hadPrev {
			st.seen[file] = prevSrc
		} else {
			delete(st.seen, file)
		}
	}
	st.seen[file] = src
	compiled, built := b.Compiled(file)
	if built && !st.m.changes.Compiled(ctx, file) {
		if !hadPrev || string(prevSrc) == string(compiled) {
			st.report(fmt.Sprintf("%s: not part of this build (its build constraints leave it out): nothing applied", filepath.Base(file)))
		}
		return nil, nil
	}
	if !built {
		if d, ok := b.NewFile(file, src); !ok {
			if !hadPrev {
				st.report(d.String() + ": nothing applied")
			}
			return nil, nil
		}
	} else if b.CompiledDecls(file) == nil {
		return nil, nil
	}
	sv := &change.Save{File: file, Files: map[string][]byte{file: src}, Prev: map[string][]byte{}, Live: st.liveState(), Vars: maps.Clone(st.vars), Native: st.nativeMode()}
	if hadPrev {
		sv.Prev[file] = prevSrc
	}
	restore := st.addPackageFiles(ctx, b, sv)
	return sv, func() {
		unsee()
		restore()
	}
}

// addPackageFiles adds to sv the other files of its package that differ
// from their compiled text (the package on disk is the change), records
// them as seen, and returns what puts back what was seen before. The
// caller holds mu.
func (st *session) addPackageFiles(ctx context.Context, b *change.Build, sv *change.Save) (restore func()) {
	before := map[string][]byte{}
	for other, src := range st.packageFiles(ctx, b, sv.File) {
		prev, had := st.seen[other]
		if had {
			sv.Prev[other] = prev
		}
		before[other] = prev
		sv.Files[other] = src
		st.seen[other] = src
	}
	return func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		for f, src := range before {
			if src == nil {
				delete(st.seen, f)
			} else {
				st.seen[f] = src
			}
		}
	}
}

// packageFiles returns the other files of the package of file whose text
// on disk differs from the compiled one: files the build compiled (a gone
// one as a file that declares nothing: gone.go), and files new since the
// build that join the package (change.Build.NewFile).
// The caller holds mu.
func (st *session) packageFiles(ctx context.Context, b *change.Build, file string) map[string][]byte {
	out := map[string][]byte{}
	dir := filepath.Dir(file)
	ents, err := os.ReadDir(dir)
	if err != nil {
		return out
	}
	for _, e := range ents {
		other := filepath.Join(dir, e.Name())
		if other == file || e.IsDir() || !strings.HasSuffix(other, ".go") || strings.HasSuffix(other, "_test.go") {
			continue
		}
		compiled, built := b.Compiled(other)
		if built && !st.m.changes.Compiled(ctx, other) {
			continue // left out by its build constraints
		}
		src, err := os.ReadFile(other)
		if err != nil || len(src) == 0 || built && string(src) == string(compiled) {
			continue // gone (reported when its event comes), being written, or as built
		}
		if _, joins := b.NewFile(other, src); !built && !joins {
			continue
		}
		out[other] = src
	}
	maps.Copy(out, st.goneFiles(ctx, b, dir, file)) // gone.go
	return out
}

// liveState returns the live patches as classification sees them. The
// caller holds mu.
func (st *session) liveState() map[string]classify.Live {
	live := make(map[string]classify.Live, len(st.live))
	for k, p := range st.live {
		live[k] = classify.Live{Prompt: p.Origin == OriginPrompt, Text: p.source}
	}
	return live
}

// applyPlanned applies a planned save's patches, reverts what it reverts,
// and reports the outcome, as applySave says.
func (st *session) applyPlanned(ctx context.Context, file string, pl *change.Plan, unsee func()) error {
	ps := make([]pendingPatch, len(pl.Apply))
	for i, fn := range pl.Apply {
		ps[i] = pendingPatch{Patch: Patch{Name: fn.Name, Key: fn.Key, Origin: OriginSave, File: fn.File, Line: fn.Line, source: fn.Text}, patch: fn.Patch, checked: fn.Checked}
	}
	if pl.NativeOnly != "" && len(ps) > 0 {
		return st.applyNativeOnly(ctx, pl, ps, unsee) // nativeonly.go
	}
	if err := st.apply(ctx, ps); err != nil {
		if isUnreachable(err) {
			unsee()
			return err
		}
		if why := st.interpreterCannot(err, ps); why != "" { // nativeonly.go
			pl.NativeOnly = why
			return st.applyNativeOnly(ctx, pl, ps, unsee)
		}
		st.report(err.Error(), "livepatch: nothing of this save was applied")
		if !final(err) {
			st.restartFor(ctx, file)
		}
		return nil
	}
	st.mu.Lock()
	var revertNames []string
	for _, k := range pl.Revert {
		if lp := st.live[k]; lp != nil {
			revertNames = append(revertNames, lp.Name)
		}
	}
	st.mu.Unlock()
	if err := st.revert(ctx, pl.Revert); err != nil {
		if isUnreachable(err) {
			// What applied stays; the next try applies it again
			// (the same patches) and then reverts.
			unsee()
			return err
		}
		st.report("livepatch: revert failed: " + err.Error())
		st.built(ps) // no native build follows
		st.syncGatesLater()
		return nil
	}
	st.varsLive(ctx, pl.Vars) // newvars.go
	var lines []string
	for _, p := range ps {
		lines = append(lines, fmt.Sprintf("patched %s (%s)", p.Name, change.Position(p.File, p.Line)))
	}
	for _, v := range pl.Vars {
		lines = append(lines, fmt.Sprintf("added variable %s for patched code, initialized", v.Name))
	}
	lines = append(lines, pl.Notes.Strings()...)
	for _, m := range pl.NewMethods {
		lines = append(lines, fmt.Sprintf("added method %s for patched code", m))
	}
	for _, n := range revertNames {
		lines = append(lines, "reverted "+n)
	}
	if len(lines) == 0 && len(pl.New) > 0 {
		lines = append(lines, fmt.Sprintf("livepatch: %s: nothing to patch yet: what it declares anew (%s) goes live with the code that uses it",
			filepath.Base(file), strings.Join(pl.New, ", ")))
	}
	// In the same report, so that it is said once, where the user reads
	// what was patched.
	lines = append(lines, st.callNotes(ctx, ps)...)
	if len(lines) > 0 {
		st.report(lines...)
	}
	st.goNative(ctx, ps) // native.go
	return nil
}

// refusedLines returns what the console shows of a save that cannot go
// live: its diagnostics, then that nothing was applied and, when the
// package does not compile and nothing of it is refused, what the save
// waits for: the package to type-check, and the other files of the errors
// to be saved; when all it needs is that compiled functions of its
// package be edited too, that it waits for them.
func refusedLines(b *change.Build, file string, ds diag.Diagnostics) []string {
	pkg, _ := b.PackageOf(file)
	refused, edits := false, len(ds) > 0 && pkg != ""
	var others []string
	for _, d := range ds {
		refused = refused || d.Kind == diag.RefusedRestart || d.Kind == diag.RefusedUnpatched
		edits = edits && d.Kind == diag.RefusedUnpatched && d.Edits == pkg
		if d.Kind != diag.Syntax && d.Kind != diag.Type {
			continue
		}
		if d.Pos.Filename != "" && d.Pos.Filename != filepath.Base(file) && !slices.Contains(others, d.Pos.Filename) {
			others = append(others, d.Pos.Filename)
		}
	}
	last := "livepatch: nothing of this save was applied"
	switch {
	case edits:
		// Every save plans the package's changed files together: the
		// save of those functions takes this one with it.
		last += fmt.Sprintf(": it waits for those functions, and goes live when package %s changes them too", b.PackageName(pkg))
	case refused: // type-checking is not all it needs
	case len(others) > 0:
		last += fmt.Sprintf(": it waits for %s, and goes live when package %s type-checks", strings.Join(others, ", "), b.PackageName(pkg))
	case !compiles(ds):
		last += fmt.Sprintf(": it goes live when package %s type-checks", b.PackageName(pkg))
	}
	return append(ds.Strings(), last)
}

// compiles reports whether ds, a save's refusal, holds no syntax or type
// error: the package compiles, and a restart would apply the save.
func compiles(ds diag.Diagnostics) bool {
	for _, d := range ds {
		if d.Kind == diag.Syntax || d.Kind == diag.Type {
			return false
		}
	}
	return true
}

// restartFor rebuilds and restarts the program for a save of file that
// cannot go live, when the manager is told to (Options.Restart), and says
// so. The session's program must run without a debugger
// (dapproxy.Session.Restart); the restart's process starts afresh, with
// no live patches (syncProcess). The caller has the turn.
func (st *session) restartFor(ctx context.Context, file string) {
	if !st.m.opts.Restart {
		return
	}
	st.report(fmt.Sprintf("livepatch: rebuilding and restarting the program to apply %s", filepath.Base(file)))
	if err := st.s.Restart(ctx); err != nil {
		st.report(fmt.Sprintf("livepatch: %v: the program runs on as it was", err))
		return
	}
	st.report("livepatch: restarted the program with " + filepath.Base(file) + " as saved")
}

// report shows lines in the client's console.
func (st *session) report(lines ...string) {
	st.s.Output("console", strings.Join(lines, "\n")+"\n")
}

// removed reports, once, that a file of the program is gone (err says
// how): what it declared stays in the program, compiled or patched, until
// a restart.
func (st *session) removed(ctx context.Context, b *change.Build, file string, err error) {
	base := filepath.Base(file)
	if !errors.Is(err, fs.ErrNotExist) {
		st.s.Output("console", fmt.Sprintf("livepatch: %s: %v: nothing applied\n", base, err))
		return
	}
	st.mu.Lock()
	_, seen := st.seen[file]
	delete(st.seen, file)
	st.mu.Unlock()
	_, built := b.Compiled(file)
	switch {
	case !seen:
	case built && st.m.changes.Compiled(ctx, file):
		st.s.Output("console", base+": removed: what it declares stays in the running program until a restart; nothing applied\n")
	default:
		st.s.Output("console", base+": removed: it was not part of this build; nothing to apply\n")
	}
}
