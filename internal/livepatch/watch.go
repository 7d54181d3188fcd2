package livepatch

import (
	"context"
	"errors"
	"fmt"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/target/agent"
)

// startWatch watches the directories of the user's packages until ctx
// ends. The caller holds st.mu.
func (st *session) startWatch(ctx context.Context) error {
	prog := st.m.program()
	if len(prog.dirPkgs) == 0 {
		return errors.New("the build lists no package directories")
	}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return fmt.Errorf("watch: %w", err)
	}
	for dir := range prog.dirPkgs {
		if err := w.Add(dir); err != nil {
			w.Close()
			return fmt.Errorf("watch %s: %w", dir, err)
		}
	}
	for f, b := range prog.compiled {
		st.seen[f] = b
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
				!strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
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
			st.save(ctx, name)
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
	prog := st.m.program()
	pkg, ok := prog.packageOf(file)
	if !ok {
		return nil
	}
	src, err := os.ReadFile(file)
	if err != nil {
		st.removed(ctx, prog, file, err)
		return nil
	}
	sv := st.planSave(ctx, prog, pkg, file, src)
	if sv == nil {
		return nil
	}
	defer func() {
		st.m.log.Debug("save", "file", file, "apply", len(sv.pl.apply), "revert", len(sv.pl.revert), "refused", len(sv.pl.refusals),
			"classify", sv.classified.Sub(sv.start), "check", sv.checked.Sub(sv.classified), "total", time.Since(sv.start))
	}()
	return st.applyPlanned(ctx, sv)
}

// plannedSave is a save classified against the build and the live
// patches, to be checked and applied.
type plannedSave struct {
	prog        *program
	file        string
	src         []byte
	cur         *fileDecls // the saved file's declarations
	pl          plan
	revertNames []string // of the patches pl reverts
	unsee       func()   // puts back what was seen before this save
	// When classifying started and ended, and when the check ended.
	start, classified, checked time.Time
}

// planSave records src as the last seen content of file and classifies
// what changed since the previous one. It returns nil when there is
// nothing to apply, having reported why when the user should know.
func (st *session) planSave(ctx context.Context, prog *program, pkg, file string, src []byte) *plannedSave {
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, err := st.syncProcess(); err != nil {
		return nil // no program yet
	}
	if len(src) == 0 {
		return nil // truncated by an editor that writes next: its write is another event
	}
	prevSrc, hadPrev := st.seen[file]
	if hadPrev && string(prevSrc) == string(src) {
		return nil
	}
	prevParsed, hadParsed := st.parsed[file]
	unsee := func() {
		st.mu.Lock()
		defer st.mu.Unlock()
		if hadPrev {
			st.seen[file] = prevSrc
		} else {
			delete(st.seen, file)
		}
		if hadParsed {
			st.parsed[file] = prevParsed
		} else {
			delete(st.parsed, file)
		}
	}
	st.seen[file] = src
	if _, built := prog.compiled[file]; built && !st.m.changes.Compiled(ctx, file) {
		if !hadPrev || string(prevSrc) == string(prog.compiled[file]) {
			st.report(fmt.Sprintf("%s: not part of this build (its build constraints leave it out): nothing applied", filepath.Base(file)))
		}
		return nil
	}
	old := prog.compiledDecls(file)
	if old == nil {
		if _, built := prog.compiled[file]; !built && !hadPrev {
			st.report(newFileMessage(prog, pkg, file, src))
		}
		return nil
	}
	var prev *fileDecls
	if hadPrev {
		prev = st.parsed[file]
		if prev == nil && string(prevSrc) == string(prog.compiled[file]) {
			prev = old
		}
		if prev == nil {
			prev, _ = parseFileDecls(pkg, file, prevSrc)
		}
	}
	cur, err := parseFileDecls(pkg, file, src)
	delete(st.parsed, file)
	if err != nil {
		st.report(fmt.Sprintf("%s: nothing applied", relMessage(err.Error())))
		return nil
	}
	st.parsed[file] = cur
	sv := &plannedSave{prog: prog, file: file, src: src, cur: cur, unsee: unsee, start: time.Now()}
	sv.pl = classify(prog, file, old, cur, prev, st.live, func(key string) ([]string, bool) {
		return prog.callers(ctx, key, file)
	})
	for _, k := range sv.pl.revert {
		sv.revertNames = append(sv.revertNames, st.live[k].Name)
	}
	sv.classified = time.Now()
	return sv
}

// applyPlanned checks and rewrites a planned save, applies its patches,
// reverts what it reverts, and reports the outcome, as applySave says.
func (st *session) applyPlanned(ctx context.Context, sv *plannedSave) error {
	prog, file, pl := sv.prog, sv.file, sv.pl
	if len(pl.refusals) > 0 {
		st.report(append(pl.refusals.Strings(), "livepatch: nothing of this save was applied")...)
		return nil
	}
	ch, err := st.m.changes.RewriteChange(ctx, file, sv.src, declKeys(pl.apply), declKeys(pl.helpers))
	if err != nil {
		var ds change.Diagnostics
		if errors.As(err, &ds) {
			st.report(append(ds.Strings(), "livepatch: nothing of this save was applied")...)
		} else {
			st.report(fmt.Sprintf("livepatch: %v; nothing of this save was applied", err))
		}
		return nil
	}
	sv.checked = time.Now()
	if refusals := constReaders(ctx, prog, file, sv.cur, pl, ch.Consts); len(refusals) > 0 {
		st.report(append(refusals.Strings(), "livepatch: nothing of this save was applied")...)
		return nil
	}
	var ps []pendingPatch
	for _, fn := range pl.apply {
		rep := ch.Funcs[fn.key]
		p := Patch{Name: prog.display(fn.key), Key: fn.key, Origin: OriginSave, File: file, Line: fn.line, source: fn.text}
		ps = append(ps, pendingPatch{Patch: p, patch: agent.Patch{Ref: agent.Ref{Key: fn.key}, Source: rep.Source,
			Imports: ch.ImportsOf(fn.key), File: filepath.Base(file), Line: fn.line, Helpers: ch.Helpers}})
	}
	if err := st.apply(ctx, ps); err != nil {
		if isUnreachable(err) {
			sv.unsee()
			return err
		}
		st.report(err.Error(), "livepatch: nothing of this save was applied")
		return nil
	}
	if err := st.revert(ctx, pl.revert); err != nil {
		if isUnreachable(err) {
			// What applied stays; the next try applies it again
			// (the same patches) and then reverts.
			sv.unsee()
			return err
		}
		st.report("livepatch: revert failed: " + err.Error())
		return nil
	}
	var lines []string
	for _, p := range ps {
		lines = append(lines, fmt.Sprintf("patched %s (%s)", p.Name, position(p.File, p.Line)))
	}
	if len(ps) > 0 {
		lines = append(lines, pl.notes.Strings()...)
		for _, m := range ch.NewMethods {
			lines = append(lines, fmt.Sprintf("added method %s for patched code", m))
		}
	}
	for _, n := range sv.revertNames {
		lines = append(lines, "reverted "+n)
	}
	if len(lines) > 0 {
		st.report(lines...)
	}
	return nil
}

// report shows lines in the client's console.
func (st *session) report(lines ...string) {
	st.s.Output("console", strings.Join(lines, "\n")+"\n")
}

// declKeys returns the keys of decls.
func declKeys(decls []*funcDecl) []string {
	keys := make([]string, len(decls))
	for i, d := range decls {
		keys[i] = d.key
	}
	return keys
}

// constReaders refuses the constants of a save whose value changed (new
// ones included) that compiled code reads: compiled code has the old value
// folded in. A reader is fine when the save patches it (the patch uses the
// new value).
func constReaders(ctx context.Context, prog *program, file string, cur *fileDecls, pl plan, consts []string) change.Diagnostics {
	patched := map[string]bool{}
	for _, fn := range pl.apply {
		patched[fn.key] = true
	}
	var refusals change.Diagnostics
	for _, name := range consts {
		uses, elsewhere, ok := prog.users(ctx, cur.pkgPath, name)
		if !ok {
			continue // a new constant: only the change can read it
		}
		var unpatched []string
		for _, u := range uses {
			if !patched[u.key] {
				unpatched = append(unpatched, prog.display(u.key))
			}
		}
		p := cur.fset.Position(cur.values[name].pos)
		at := token.Position{Filename: filepath.Base(file), Line: p.Line, Column: p.Column}
		switch {
		case elsewhere:
			refusals = append(refusals, change.Diagnostic{Pos: at, Kind: change.RefusedRestart,
				Msg: fmt.Sprintf("constant %s changed and a declaration outside any function uses it", name)})
		case len(unpatched) > 0:
			refusals = append(refusals, change.Diagnostic{Pos: at, Kind: change.RefusedUnpatched,
				Msg: fmt.Sprintf("constant %s changed and compiled code reads it (%s)", name, strings.Join(unpatched, ", "))})
		}
	}
	return refusals
}

// relMessage shortens an absolute path at the start of a parser message.
func relMessage(msg string) string {
	if i := strings.Index(msg, ".go:"); i > 0 && filepath.IsAbs(msg[:i+3]) {
		return filepath.Base(msg[:i+3]) + msg[i+3:]
	}
	return msg
}

// removed reports, once, that a file of the program is gone (err says
// how): what it declared stays in the program, compiled or patched, until
// a restart.
func (st *session) removed(ctx context.Context, prog *program, file string, err error) {
	base := filepath.Base(file)
	if !errors.Is(err, fs.ErrNotExist) {
		st.s.Output("console", fmt.Sprintf("livepatch: %s: %v: nothing applied\n", base, err))
		return
	}
	st.mu.Lock()
	_, seen := st.seen[file]
	delete(st.seen, file)
	delete(st.parsed, file)
	st.mu.Unlock()
	_, built := prog.compiled[file]
	switch {
	case !seen:
	case built && st.m.changes.Compiled(ctx, file):
		st.s.Output("console", base+": removed: what it declares stays in the running program until a restart; nothing applied\n")
	default:
		st.s.Output("console", base+": removed: it was not part of this build; nothing to apply\n")
	}
}

// newFileMessage says why a file new since the build is not applied,
// naming the package its package clause declares.
func newFileMessage(prog *program, pkg, file string, src []byte) string {
	base := filepath.Base(file)
	f, err := parser.ParseFile(token.NewFileSet(), file, src, parser.PackageClauseOnly)
	if err != nil {
		return fmt.Sprintf("%s: nothing applied", relMessage(err.Error()))
	}
	name, dirName := f.Name.Name, prog.pkgNames[pkg]
	if dirName != "" && name != dirName {
		return fmt.Sprintf("%s: new file of package %s in the directory of package %s: a directory holds one package, so the next build fails; nothing applied", base, name, dirName)
	}
	return fmt.Sprintf("%s: new file of package %s: restart to apply", base, name)
}
