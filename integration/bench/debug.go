package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/integration/bench/internal/benchkit"
	"github.com/livepatch/livepatch/integration/bench/internal/session"
)

// debugOptions configures the debug part.
type debugOptions struct {
	saves, steps int // timed saves, and timed nexts per kind of code
}

// DebugRow is the debug part's result (issue 15): the time from a save
// that moves a breakpoint's line to the breakpoint event that says so, and
// the time of one next in compiled code (before any patch, and while a
// native patch is live) and in a native patch's code.
type DebugRow struct {
	Saves             int     `json:"saves"`
	ReverifyMedianMs  float64 `json:"saveToReverifiedMedianMs"`
	ReverifyP95Ms     float64 `json:"saveToReverifiedP95Ms"`
	Steps             int     `json:"steps"`
	CompiledNextMs    float64 `json:"compiledNextMedianMs"`
	CompiledNextP95Ms float64 `json:"compiledNextP95Ms"`
	LiveNextMs        float64 `json:"compiledNextNativeLiveMedianMs"`
	NativeNextMs      float64 `json:"nativeNextMedianMs"`
	NativeNextP95Ms   float64 `json:"nativeNextP95Ms"`
	// The cost of a call of geom.(*Point).Move with no breakpoint set in
	// patched code: compiled, and native after its save went native.
	// Medians and minimums (the least disturbed by other load).
	Calls             int     `json:"callMeasurements"`
	CompiledCallNs    float64 `json:"compiledNsPerCall"`
	CompiledCallMinNs float64 `json:"compiledNsPerCallMin"`
	PatchedCallNs     float64 `json:"nativeNsPerCallNoBreakpoint"`
	PatchedCallMinNs  float64 `json:"nativeNsPerCallNoBreakpointMin"`
}

// debugCalls is how many of the fixture's measurements of a call's cost
// (200 ms or more each) the debug part takes per kind of code.
const debugCalls = 10

// debugTimeout bounds each wait of the debug part.
const debugTimeout = time.Minute

// benchDebug measures, in one session of the nativecall fixture under
// the proxy of `livepatch dap`: saves of main.go that add or remove a
// comment line above rssKB, each timed from the write to the breakpoint
// event that moves the (never stopping) breakpoint in rssKB; nexts from a
// line of rssKB that calls nothing, compiled code; then, after an edit of
// geom.(*Point).Move that went native, nexts in compiled code again and
// from the first line of Move's new body to its second, in the plugin.
func benchDebug(ctx context.Context, root string, o debugOptions, logf logFunc) (row DebugRow, err error) {
	p, err := nativeCallProgram(ctx, root, os.TempDir())
	if err != nil {
		return row, err
	}
	defer p.cleanup()
	main := filepath.Join(p.modDir, "main.go")
	orig, err := os.ReadFile(main)
	if err != nil {
		return row, err
	}
	defer os.WriteFile(main, orig, 0o644)
	row = DebugRow{Saves: o.saves, Steps: o.steps, Calls: debugCalls}
	err = nativeSession(ctx, p, false, func(s *session.Session) error {
		logf("debug: %d measurements of a compiled call", debugCalls)
		m, err := measurements(s, debugCalls) // native.go
		if err != nil {
			return err
		}
		row.CompiledCallNs, row.CompiledCallMinNs = median(m.ns), slices.Min(m.ns)
		logf("debug: %d saves to re-verified breakpoints", o.saves)
		d, err := reverifyTimes(s, main, orig, o.saves)
		if err != nil {
			return err
		}
		row.ReverifyMedianMs, row.ReverifyP95Ms = median(d), quantile(d, 0.95)
		logf("debug: %d nexts in compiled code", o.steps)
		rss := lineIn(orig, "if err != nil {") // no call: as the native line

		d, err = nextTimes(s, main, rss, o.steps)
		if err != nil {
			return err
		}
		row.CompiledNextMs, row.CompiledNextP95Ms = median(d), quantile(d, 0.95)
		logf("debug: a save of geom.(*Point).Move to native, then %d nexts in compiled and native code", o.steps)
		return nativeNexts(s, p, main, rss, o.steps, &row)
	})
	return row, err
}

// nativeNexts saves Move with two lines in its body, waits for it to go
// native, and times nexts in compiled code and in the plugin's code.
func nativeNexts(s *session.Session, p *saveProgram, main string, rss, n int, row *DebugRow) error {
	two := strings.Replace(string(p.edit.orig), "func (p *Point) Move(dx int) { p.X += dx }", "func (p *Point) Move(dx int) {\n\td := dx\n\tp.X += d\n}", 1)
	if err := os.WriteFile(p.edit.file, []byte(two), 0o644); err != nil {
		return err
	}
	if err := waitConsole(s, "native: "+p.edit.funcName); err != nil {
		return err
	}
	m, err := measurements(s, row.Calls) // no breakpoint in patched code: no gate
	if err != nil {
		return err
	}
	row.PatchedCallNs, row.PatchedCallMinNs = median(m.ns), slices.Min(m.ns)
	d, err := nextTimes(s, main, rss, n)
	if err != nil {
		return err
	}
	row.LiveNextMs = median(d)
	if d, err = nextTimes(s, p.edit.file, lineIn([]byte(two), "d := dx"), n); err != nil {
		return err
	}
	row.NativeNextMs, row.NativeNextP95Ms = median(d), quantile(d, 0.95)
	return nil
}

// lineIn returns the line of text that holds s, 0 for none.
func lineIn(text []byte, s string) int {
	for i, l := range strings.Split(string(text), "\n") {
		if strings.Contains(l, s) {
			return i + 1
		}
	}
	return 0
}

// reverifyTimes sets a breakpoint that never stops in rssKB and saves
// main.go n times, with and without a comment line above rssKB in turn,
// each timed from the write to the breakpoint event at the moved line.
func reverifyTimes(s *session.Session, main string, orig []byte, n int) ([]float64, error) {
	line := lineIn(orig, "b, err := os.ReadFile")
	with := strings.Replace(string(orig), "func rssKB() int {", "// rssKB is timed.\nfunc rssKB() int {", 1)
	if _, err := setBreakpoint(s, main, line, "false"); err != nil {
		return nil, err
	}
	var out []float64
	for i := range n {
		text, want := with, line+1
		if i%2 == 1 {
			text, want = string(orig), line
		}
		start := time.Now()
		if err := os.WriteFile(main, []byte(text), 0o644); err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(s.Ctx, debugTimeout)
		_, err := s.Client.WaitEventFunc(ctx, func(m dap.EventMessage) bool {
			b, ok := m.(*dap.BreakpointEvent)
			return ok && b.Body.Breakpoint.Line == want
		})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("save %d: waiting for the breakpoint at line %d: %w", i+1, want, err)
		}
		out = append(out, ms(time.Since(start)))
	}
	if err := os.WriteFile(main, orig, 0o644); err != nil {
		return nil, err
	}
	_, err := setBreakpoint(s, main, 0, "")
	return out, err
}

// setBreakpoint sets the breakpoints of file to one at line with cond, or
// to none for line 0.
func setBreakpoint(s *session.Session, file string, line int, cond string) ([]dap.Breakpoint, error) {
	bps := []dap.SourceBreakpoint{}
	if line > 0 {
		bps = append(bps, dap.SourceBreakpoint{Line: line, Condition: cond})
	}
	r, err := s.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
		Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: file}, Breakpoints: bps}})
	if err != nil {
		return nil, err
	}
	got := r.(*dap.SetBreakpointsResponse).Body.Breakpoints
	if len(got) > 0 && !got[0].Verified {
		return nil, fmt.Errorf("breakpoint at %s:%d: %s", filepath.Base(file), line, got[0].Message)
	}
	return got, nil
}

// nextTimes sets a breakpoint at line of file and n times continues to
// it and times one next from it, from the request to the stop. It clears
// the breakpoint and lets the program run.
func nextTimes(s *session.Session, file string, line, n int) ([]float64, error) {
	if _, err := setBreakpoint(s, file, line, ""); err != nil {
		return nil, err
	}
	var out []float64
	// Delve halts a running program to set breakpoints; when a goroutine
	// is at the new breakpoint as it resumes (a hot line), Delve reports
	// the stop as a pause.
	thread, err := waitStop(s, "breakpoint", "pause")
	for i := 0; err == nil && i < n; i++ {
		start := time.Now()
		if _, err = s.Call(&dap.NextRequest{Request: dap.Request{Command: "next"}, Arguments: dap.NextArguments{ThreadId: thread}}); err != nil {
			break
		}
		if thread, err = waitStop(s, "step"); err != nil {
			break
		}
		out = append(out, ms(time.Since(start)))
		if _, err = s.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}}); err == nil {
			thread, err = waitStop(s, "breakpoint")
		}
	}
	if err != nil {
		return nil, err
	}
	if _, err := setBreakpoint(s, file, 0, ""); err != nil {
		return nil, err
	}
	_, err = s.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
	return out, err
}

// waitStop waits for a stop with one of reasons and returns its thread.
func waitStop(s *session.Session, reasons ...string) (int, error) {
	ctx, cancel := context.WithTimeout(s.Ctx, debugTimeout)
	defer cancel()
	ev, err := s.Client.WaitEvent(ctx, "stopped")
	if err != nil {
		return 0, fmt.Errorf("waiting for a %s stop: %w", reasons[0], err)
	}
	if st := ev.(*dap.StoppedEvent); !slices.Contains(reasons, st.Body.Reason) {
		return 0, fmt.Errorf("stopped by %q, want %q", st.Body.Reason, reasons)
	}
	return ev.(*dap.StoppedEvent).Body.ThreadId, nil
}

// waitConsole waits for a console line that holds want; a line that says
// a patch stays interpreted fails it.
func waitConsole(s *session.Session, want string) error {
	ctx, cancel := context.WithTimeout(s.Ctx, nativeSaveTimeout)
	defer cancel()
	var failed string
	_, err := s.Client.WaitEventFunc(ctx, func(m dap.EventMessage) bool {
		o, ok := m.(*dap.OutputEvent)
		if !ok || o.Body.Category != "console" {
			return false
		}
		if strings.Contains(o.Body.Output, "stays interpreted") {
			failed = o.Body.Output
		}
		return failed != "" || strings.Contains(o.Body.Output, want)
	})
	if err == nil && failed != "" {
		err = errors.New(strings.TrimSpace(failed))
	}
	return err
}

// debugTables is the debug part's section.
func (r *Report) debugTables() []benchkit.Table {
	d := r.Debug
	if d == nil {
		return nil
	}
	return []benchkit.Table{{
		Title: "The debugger follows the edits (issue 15): save to re-verified breakpoints, and one next, ms",
		Header: []string{"saves", "save to re-verified, median", "p95", "nexts", "next, compiled", "p95",
			"next, compiled, a native patch live", "next, native", "p95", "native / compiled"},
		Notes: []string{"integration/bench/testdata/nativecall under the proxy of livepatch dap (quiet period 1 ms). " +
			"Save to re-verified: main.go saved with and without a comment line above rssKB, in turn, from the write to the " +
			"breakpoint event that moves a breakpoint in rssKB (condition false: it never stops). next: from the request to the " +
			"stopped event, from `if err != nil {` in rssKB (compiled; before any patch, then while a native patch is live), " +
			"and from `d := dx`, the first line of a two-line body of geom.(*Point).Move saved and gone native (in the plugin); " +
			"neither line calls anything; medians."},
		Rows: [][]string{{fmt.Sprint(d.Saves), benchkit.F1(d.ReverifyMedianMs), benchkit.F1(d.ReverifyP95Ms),
			fmt.Sprint(d.Steps), benchkit.F1(d.CompiledNextMs), benchkit.F1(d.CompiledNextP95Ms), benchkit.F1(d.LiveNextMs),
			benchkit.F1(d.NativeNextMs), benchkit.F1(d.NativeNextP95Ms), fmt.Sprintf("%.1fx", ratio(d.NativeNextMs, d.CompiledNextMs))}},
	}, {
		Title:  "The debugger follows the edits (issue 15): a patched call with no breakpoint set, ns",
		Header: []string{"measurements", "compiled, median", "min", "native, no breakpoint in patched code, median", "min", "native / compiled, min"},
		Notes: []string{"The same session: the fixture's own measurements of a call of geom.(*Point).Move (200 ms or more each; " +
			"the one that may straddle a change dropped; medians, and minimums, which other load on the machine disturbs least), " +
			"compiled before any save, and native after the save of its two-line body went native, with no breakpoint set in " +
			"patched code (the agent's dispatch table holds the patch, no gate)."},
		Rows: [][]string{{fmt.Sprint(d.Calls), f2(d.CompiledCallNs), f2(d.CompiledCallMinNs), f2(d.PatchedCallNs), f2(d.PatchedCallMinNs),
			fmt.Sprintf("%.1fx", ratio(d.PatchedCallMinNs, d.CompiledCallMinNs))}},
	}}
}
