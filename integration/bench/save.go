package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/integration/bench/internal/session"
	"github.com/livepatch/livepatch/internal/cli"
	"github.com/livepatch/livepatch/internal/livepatch"
)

// saveOptions configures the save-to-live benchmark.
type saveOptions struct {
	saves    int // timed saves per target state and quiet period
	warmup   int // untimed saves before them
	restarts int // timed restarts of the restart way
}

// minQuiet is the shortest quiet period the watcher takes (0 means the
// default): the sessions run with it show what the default adds.
const minQuiet = time.Millisecond

// saveTimeout bounds the wait for the console's report of one save.
const saveTimeout = 30 * time.Second

// saveEdit is the change the save part makes to a program: one function's
// body, rewritten with a fresh number at every save, so that every save,
// and every rebuild of the restart way, is a change that neither
// livepatch nor the go command's cache has seen.
type saveEdit struct {
	file     string // absolute path of the edited file
	orig     []byte // its original content
	funcName string // the function as the console names it
	decl     string // the function's declaration as it is in orig
	body     string // the declaration with one %d, the number of the edit
	line     int    // line of the declaration, as the console reports it
}

// newSaveEdit reads file and prepares the edit of the declaration decl in
// it, which must occur exactly once; body is decl with one %d.
func newSaveEdit(file, funcName, decl, body string) (*saveEdit, error) {
	orig, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("save: %w", err)
	}
	e := &saveEdit{file: file, orig: orig, funcName: funcName, decl: decl, body: body}
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("save: %w", err)
	}
	e.line = 1 + bytes.Count(orig[:bytes.Index(orig, []byte(decl))], []byte("\n"))
	return e, nil
}

// check reports whether the edit applies to the original content and
// keeps the file's line count, so that no other function moves.
func (e *saveEdit) check() error {
	if n := bytes.Count(e.orig, []byte(e.decl)); n != 1 {
		return fmt.Errorf("%s: the declaration of %s occurs %d times, want once", filepath.Base(e.file), e.funcName, n)
	}
	if strings.Count(e.body, "%d") != 1 {
		return fmt.Errorf("the edit of %s has no single %%d", e.funcName)
	}
	if strings.Count(e.body, "\n") != strings.Count(e.decl, "\n") {
		return fmt.Errorf("the edit of %s changes the number of lines", e.funcName)
	}
	return nil
}

// content returns the file with edit number i applied.
func (e *saveEdit) content(i int) []byte {
	return bytes.Replace(e.orig, []byte(e.decl), fmt.Appendf(nil, e.body, i), 1)
}

// patched is the console line that reports the edit live.
func (e *saveEdit) patched() string {
	return fmt.Sprintf("patched %s (%s:%d)", e.funcName, filepath.Base(e.file), e.line)
}

// restore writes the original content back.
func (e *saveEdit) restore() error {
	return os.WriteFile(e.file, e.orig, 0o644)
}

// saveProgram is a program of the save part: a copy that may be edited,
// the edit, and where it stops.
type saveProgram struct {
	*program
	edit    *saveEdit
	editDoc string // the edit, for the report
	// verify, when not nil, checks in the running program that edit
	// number n is what runs.
	verify  func(s *session.Session, n int) error
	cleanup func()
}

// counterSaveProgram copies examples/counter's non-test files into a
// module of their own under tmp (the repository's files are never edited)
// and edits Counter.step, which the ticker loop calls every second.
func counterSaveProgram(ctx context.Context, root, tmp string) (*saveProgram, error) {
	src := filepath.Join(root, "examples", "counter")
	dst := filepath.Join(tmp, "livepatch-bench-save-counter")
	if err := os.RemoveAll(dst); err != nil {
		return nil, fmt.Errorf("save: %w", err)
	}
	cleanup := func() { os.RemoveAll(dst) }
	if err := copyGoFiles(src, dst); err != nil {
		cleanup()
		return nil, fmt.Errorf("save: copying the counter: %w", err)
	}
	goLine, err := goDirective(filepath.Join(root, "go.mod"))
	if err != nil {
		cleanup()
		return nil, fmt.Errorf("save: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dst, "go.mod"), []byte("module example.com/counter\n\n"+goLine+"\n"), 0o644); err != nil {
		cleanup()
		return nil, fmt.Errorf("save: %w", err)
	}
	p := &program{
		name: "counter", source: "examples/counter (copied)", modDir: dst, pkgDir: dst,
		breakFile: filepath.Join(dst, "main.go"), breakText: "addr := flag.String(",
		args: []string{"-addr", "127.0.0.1:0"},
	}
	if err := p.resolve(ctx); err != nil {
		cleanup()
		return nil, err
	}
	e, err := newSaveEdit(filepath.Join(dst, "counter.go"), "main.(*Counter).step",
		"func (c *Counter) step() int {\n\treturn 1\n}", "func (c *Counter) step() int {\n\treturn %d\n}")
	if err != nil {
		cleanup()
		return nil, err
	}
	return &saveProgram{program: p, edit: e, editDoc: "`return 1` → `return N` in main.(*Counter).step (counter.go)",
		verify: verifyCounterStep, cleanup: cleanup}, nil
}

// delveSaveProgram copies Delve's module as the start part does, runs
// cmd/dlv as `dlv dap --listen 127.0.0.1:0` (which waits for a client, so
// the program keeps running) and edits cleanExeName in service/dap's
// server.go (4,808 lines), the package that command serves with.
func delveSaveProgram(ctx context.Context, tmp string) (*saveProgram, error) {
	p, err := delveProgram(ctx, tmp)
	if p != nil && err != nil {
		os.RemoveAll(p.modDir)
	}
	if err != nil {
		return nil, err
	}
	cleanup := func() { os.RemoveAll(p.modDir) }
	p.args = []string{"dap", "--listen", "127.0.0.1:0"}
	e, err := newSaveEdit(filepath.Join(p.modDir, "service", "dap", "server.go"), "github.com/go-delve/delve/service/dap.cleanExeName",
		"func cleanExeName(name string) string {\n\tif runtime.GOOS == \"windows\" && filepath.Ext(name) != \".exe\" {\n\t\treturn name + \".exe\"\n\t}\n\treturn name\n}",
		"func cleanExeName(name string) string {\n\tif runtime.GOOS == \"windows\" && filepath.Ext(name) != \".exe\" {\n\t\treturn name + \".exe\"\n\t}\n\t_ = %d; return name\n}")
	if err != nil {
		cleanup()
		return nil, err
	}
	return &saveProgram{program: p, edit: e, editDoc: "`return name` → `_ = N; return name` in service/dap.cleanExeName (server.go)", cleanup: cleanup}, nil
}

// benchSave measures, on p, the time from writing an edited function to
// its file until the console reports it patched, with the program paused
// at its breakpoint and running, under the default quiet period and the
// shortest one; then the same edit applied the restart way: Delve's DAP
// server rebuilding and relaunching the program (launch mode debug) up to
// the same breakpoint.
func benchSave(ctx context.Context, p *saveProgram, o saveOptions, logf logFunc) (rows []SaveRow, restart RestartRow, err error) {
	defer func() {
		if rerr := p.edit.restore(); rerr != nil && err == nil {
			err = fmt.Errorf("save: %s: %w", p.name, rerr)
		}
	}()
	next := 2 // the number of the next edit; 1 is the compiled body of counter
	byKey := map[[2]string]SaveRow{}
	for _, quiet := range []time.Duration{livepatch.DefaultQuiet, minQuiet} {
		logf("save: %s: livepatch session, quiet period %v, %d+%d saves paused and running", p.name, quiet, o.warmup, o.saves)
		paused, running, err := saveSession(ctx, p, quiet, o, &next, logf)
		if err != nil {
			return nil, restart, fmt.Errorf("save: %s, quiet %v: %w", p.name, quiet, err)
		}
		for _, r := range []SaveRow{
			saveRow(p, "running", quiet, running, 30, 100),
			saveRow(p, "paused", quiet, paused, 60, 0),
		} {
			byKey[[2]string{r.State, fmt.Sprint(quiet)}] = r
			rows = append(rows, r)
			logf("save: %s %s, quiet %v: median %.1f ms, p95 %.1f ms", p.name, r.State, quiet, r.MedianMs, r.P95Ms)
		}
	}

	logf("save: %s: livepatch run's session (no debugger), quiet period %v, %d+%d saves", p.name, livepatch.DefaultQuiet, o.warmup, o.saves)
	free, err := freeSession(ctx, p, o, &next)
	if err != nil {
		return nil, restart, fmt.Errorf("save: %s, no debugger: %w", p.name, err)
	}
	r := saveRow(p, stateFree, livepatch.DefaultQuiet, free, 30, 100)
	rows = append(rows, r)
	logf("save: %s %s: median %.1f ms, p95 %.1f ms", p.name, r.State, r.MedianMs, r.P95Ms)

	logf("save: %s: the restart way, 1+%d runs", p.name, o.restarts)
	restart = RestartRow{Program: p.name, Runs: o.restarts}
	for i := 0; i <= o.restarts; i++ {
		d, err := restartOnce(ctx, p, next)
		next++
		if err != nil {
			return nil, restart, fmt.Errorf("save: %s, the restart way: %w", p.name, err)
		}
		if i == 0 {
			logf("save: %s: restart (untimed): %.2fs", p.name, seconds(d))
			continue
		}
		logf("save: %s: restart %d/%d: %.2fs", p.name, i, o.restarts, seconds(d))
		restart.S = append(restart.S, seconds(d))
	}
	restart.MedianS = median(restart.S)
	def := fmt.Sprint(livepatch.DefaultQuiet)
	restart.RunningMs = byKey[[2]string{"running", def}].MedianMs
	restart.PausedMs = byKey[[2]string{"paused", def}].MedianMs
	restart.RatioRunning = ratio(restart.MedianS*1000, restart.RunningMs)
	restart.RatioPaused = ratio(restart.MedianS*1000, restart.PausedMs)
	restart.FreeMs = r.MedianMs
	restart.RatioFree = ratio(restart.MedianS*1000, restart.FreeMs)
	short := fmt.Sprint(minQuiet)
	restart.QuietRunningMs = restart.RunningMs - byKey[[2]string{"running", short}].MedianMs
	restart.QuietPausedMs = restart.PausedMs - byKey[[2]string{"paused", short}].MedianMs
	return rows, restart, nil
}

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// saveRow summarizes the samples of one target state and quiet period.
func saveRow(p *saveProgram, state string, quiet time.Duration, samples []float64, targetMedian, targetP95 float64) SaveRow {
	return SaveRow{
		Program: p.name, State: state, QuietMs: ms(quiet), N: len(samples),
		MedianMs: median(samples), P95Ms: quantile(samples, 0.95),
		TargetMedianMs: targetMedian, TargetP95Ms: targetP95, SamplesMs: samples,
	}
}

// saveSession launches p patchably through the proxy of `livepatch dap`
// with the watcher's quiet period set to quiet, stops at p's breakpoint
// and times saves there, then clears the breakpoint, continues and times
// saves while the program runs. *next numbers the edits.
func saveSession(ctx context.Context, p *saveProgram, quiet time.Duration, o saveOptions, next *int, logf logFunc) (paused, running []float64, err error) {
	if err := p.edit.restore(); err != nil {
		return nil, nil, err
	}
	out, cleanup, err := session.TempOutput(p.name)
	if err != nil {
		return nil, nil, err
	}
	defer cleanup()
	px := cli.NewProxy(cli.ProxyConfig{
		Debugger: debugger.Config{Foreground: true, CheckGoVersion: true},
		Quiet:    quiet,
	})
	s, err := session.ConnectProxy(ctx, px, session.KeepSaveEvents)
	if err != nil {
		return nil, nil, err
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	spec := p.launchSpec(out)
	spec.RemoteOutput = true
	thread, err := s.RunToBreakpoint(spec)
	if err != nil {
		return nil, nil, session.WithConsole(s, err)
	}
	series := func(state string) ([]float64, error) {
		var samples []float64
		for i := 0; i < o.warmup+o.saves; i++ {
			d, err := saveOnce(s, p.edit, *next)
			*next++
			if err != nil {
				return nil, fmt.Errorf("%s save %d: %w", state, i+1, err)
			}
			if i >= o.warmup {
				samples = append(samples, ms(d))
			}
		}
		return samples, nil
	}
	if paused, err = series("paused"); err != nil {
		return nil, nil, err
	}
	if _, err := s.Call(&dap.SetBreakpointsRequest{
		Request:   dap.Request{Command: "setBreakpoints"},
		Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: p.breakFile}, Breakpoints: []dap.SourceBreakpoint{}},
	}); err != nil {
		return nil, nil, err
	}
	if _, err := s.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"},
		Arguments: dap.ContinueArguments{ThreadId: thread}}); err != nil {
		return nil, nil, err
	}
	if running, err = series("running"); err != nil {
		return nil, nil, err
	}
	if p.verify != nil {
		if err := p.verify(s, *next-1); err != nil {
			return nil, nil, fmt.Errorf("after the saves: %w", err)
		}
	}
	if _, ok := s.Client.PollEvent(func(e dap.EventMessage) bool { return e.GetEvent().Event == "terminated" }); ok {
		return nil, nil, errors.New("the program ended while the saves ran")
	}
	return paused, running, nil
}

// saveFailures are what livepatch writes to the console when a save did
// not apply.
var saveFailures = []string{"nothing of this save was applied", "restart to apply", "revert failed", "not watching your files"}

// saveOnce writes edit number i of e to its file in s and returns the time
// until the console reports the function patched.
func saveOnce(s *session.Session, e *saveEdit, i int) (time.Duration, error) {
	for { // reports of earlier saves, if any
		if _, ok := s.Client.PollEvent(session.IsConsole); !ok {
			break
		}
	}
	want := e.patched()
	content := e.content(i)
	ctx, cancel := context.WithTimeout(s.Ctx, saveTimeout)
	defer cancel()
	start := time.Now()
	if err := os.WriteFile(e.file, content, 0o644); err != nil {
		return 0, err
	}
	var failed string
	_, err := s.Client.WaitEventFunc(ctx, func(m dap.EventMessage) bool {
		o, ok := m.(*dap.OutputEvent)
		if !ok || o.Body.Category != "console" {
			return false
		}
		if strings.Contains(o.Body.Output, want) {
			return true
		}
		if slices.ContainsFunc(saveFailures, func(f string) bool { return strings.Contains(o.Body.Output, f) }) {
			failed = o.Body.Output
			return true
		}
		return false
	})
	took := time.Since(start)
	if err != nil {
		return 0, fmt.Errorf("waiting for %q: %w", want, err)
	}
	if failed != "" {
		return 0, errors.New(strings.TrimSpace(failed))
	}
	return took, nil
}

// restartOnce applies edit number i the restart way and times it: from
// the write of the file until Delve's DAP server, launching in mode debug
// (go build -gcflags='all=-N -l' of the edited program, then a fresh
// process), stops at p's breakpoint. The session ends untimed.
func restartOnce(ctx context.Context, p *saveProgram, i int) (d time.Duration, err error) {
	out, cleanup, err := session.TempOutput(p.name)
	if err != nil {
		return 0, err
	}
	defer cleanup()
	spec := p.launchSpec(out)
	spec.RemoteOutput = true
	content := p.edit.content(i)
	start := time.Now()
	if err := os.WriteFile(p.edit.file, content, 0o644); err != nil {
		return 0, err
	}
	s, err := session.Start(ctx, session.Direct, nil, nil)
	if err != nil {
		return 0, err
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	if _, err := s.RunToBreakpoint(spec); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// tickWait bounds the wait for the counter's ticker lines (one a second).
const tickWait = 10 * time.Second

// verifyCounterStep checks that the running counter adds n at every tick,
// as edit number n of Counter.step says: it reads the ticker's lines
// (output events, the program's stdout) until two consecutive ones differ
// by n, and gives up after four lines or tickWait.
func verifyCounterStep(s *session.Session, n int) error {
	lines := make(chan string, 16)
	s.Client.OnEvent(func(e dap.EventMessage) {
		if o, ok := e.(*dap.OutputEvent); ok && o.Body.Category == "stdout" {
			select {
			case lines <- o.Body.Output:
			default:
			}
		}
	})
	timer := time.NewTimer(tickWait)
	defer timer.Stop()
	var counts []int
	for len(counts) < 4 {
		select {
		case out := <-lines:
			counts = append(counts, tickCounts(out)...)
			if stepsBy(counts, n) {
				return nil
			}
		case <-timer.C:
			return fmt.Errorf("the counter's ticks did not step by %d within %v: counts %v", n, tickWait, counts)
		case <-s.Ctx.Done():
			return s.Ctx.Err()
		}
	}
	return fmt.Errorf("the counter's ticks do not step by %d: counts %v", n, counts)
}

// tickRE matches the count in a ticker line of the counter:
// "15:04:05 tick 3: count=7 callers=0".
var tickRE = regexp.MustCompile(`tick \d+: count=(\d+) `)

// tickCounts returns the counts of the ticker lines in out.
func tickCounts(out string) []int {
	var counts []int
	for _, m := range tickRE.FindAllStringSubmatch(out, -1) {
		if c, err := strconv.Atoi(m[1]); err == nil {
			counts = append(counts, c)
		}
	}
	return counts
}

// stepsBy reports whether two consecutive counts differ by n.
func stepsBy(counts []int, n int) bool {
	for i := 1; i < len(counts); i++ {
		if counts[i]-counts[i-1] == n {
			return true
		}
	}
	return false
}

// copyGoFiles copies the non-test .go files of the directory src into a
// new directory dst.
func copyGoFiles(src, dst string) error {
	ents, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return err
	}
	for _, e := range ents {
		name := e.Name()
		if !e.Type().IsRegular() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dst, name), b, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// goDirective returns the go line of the go.mod file at path, e.g.
// "go 1.26.8".
func goDirective(path string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for l := range strings.SplitSeq(string(b), "\n") {
		if f := strings.Fields(l); len(f) == 2 && f[0] == "go" {
			return "go " + f[1], nil
		}
	}
	return "", fmt.Errorf("%s has no go directive", path)
}

// info describes p and its edit for the report.
func (p *saveProgram) info() SaveProgramInfo {
	i := p.program.info()
	return SaveProgramInfo{Name: i.Name, Source: i.Source, Lines: i.Lines, Packages: i.Packages,
		Edit: p.editDoc, Breakpoint: i.Breakpoint, ProgramArgs: i.ProgramArgs}
}
