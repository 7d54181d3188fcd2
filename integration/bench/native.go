package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/go-delve/delve/service/debugger"
	"github.com/google/go-dap"

	"github.com/livepatch/livepatch/integration/bench/internal/benchkit"
	"github.com/livepatch/livepatch/integration/bench/internal/session"
	"github.com/livepatch/livepatch/internal/cli"
)

// nativeOptions configures the native part.
type nativeOptions struct {
	saves   int // timed saves to native
	samples int // measurements per tier
}

// NativeRow is the native part's result: the cost of a call of a trivial
// method of a non-main package, compiled, interpreted and native, the
// time from a save to its native switch, and the resident memory the
// plugins add.
type NativeRow struct {
	Samples           int       `json:"samples"`
	CompiledNs        float64   `json:"compiledNsPerCall"`
	InterpretedNs     float64   `json:"interpretedNsPerCall"`
	InterpretedAllocs float64   `json:"interpretedAllocsPerCall"`
	NativeNs          float64   `json:"nativeNsPerCall"`
	NativeAllocs      float64   `json:"nativeAllocsPerCall"`
	Saves             int       `json:"saves"`
	FirstMs           float64   `json:"firstSaveToNativeMs"` // the session's first, untimed
	MedianMs          float64   `json:"saveToNativeMedianMs"`
	P95Ms             float64   `json:"saveToNativeP95Ms"`
	SamplesMs         []float64 `json:"saveToNativeMs"`
	RSSBeforeKB       int       `json:"rssBeforeKB"`
	RSSAfterKB        int       `json:"rssAfterKB"` // after FirstMs's save and the timed ones
}

// nativeSaveTimeout bounds the wait for one save's native switch.
const nativeSaveTimeout = 2 * time.Minute

// nativeCallProgram copies integration/bench/testdata/nativecall into a
// directory of its own under tmp and prepares the edit of
// geom.(*Point).Move.
func nativeCallProgram(ctx context.Context, root, tmp string) (*saveProgram, error) {
	dst, err := os.MkdirTemp(tmp, "livepatch-bench-native-")
	if err != nil {
		return nil, fmt.Errorf("native: %w", err)
	}
	cleanup := func() { os.RemoveAll(dst) }
	if err := os.CopyFS(dst, os.DirFS(filepath.Join(root, "integration", "bench", "testdata", "nativecall"))); err != nil {
		cleanup()
		return nil, fmt.Errorf("native: %w", err)
	}
	p := &program{name: "nativecall", source: "integration/bench/testdata/nativecall (copied)", modDir: dst, pkgDir: dst,
		breakFile: filepath.Join(dst, "main.go"), breakText: "p := &geom.Point{}"}
	if err := p.resolve(ctx); err != nil {
		cleanup()
		return nil, err
	}
	e, err := newSaveEdit(filepath.Join(dst, "geom", "geom.go"), "example.com/nativecall/geom.(*Point).Move",
		"func (p *Point) Move(dx int) { p.X += dx }", "func (p *Point) Move(dx int) { p.X += dx; _ = %d }")
	if err != nil {
		cleanup()
		return nil, err
	}
	return &saveProgram{program: p, edit: e, cleanup: cleanup}, nil
}

// benchNative measures, in one run, a call of the fixture's trivial
// method compiled (patchable, unpatched), interpreted (a session with the
// native tier off) and native, and the time from each save to the
// console's "native:" line, with the program's resident memory before and
// after the plugins.
func benchNative(ctx context.Context, root string, o nativeOptions, logf logFunc) (row NativeRow, err error) {
	p, err := nativeCallProgram(ctx, root, os.TempDir())
	if err != nil {
		return row, err
	}
	defer p.cleanup()
	row = NativeRow{Samples: o.samples, Saves: o.saves}
	logf("native: interpreted tier (native off): %d measurements", o.samples)
	err = nativeSession(ctx, p, true, func(s *session.Session) error {
		if _, err := saveOnce(s, p.edit, 1); err != nil {
			return err
		}
		m, err := measurements(s, o.samples)
		row.InterpretedNs, row.InterpretedAllocs = median(m.ns), median(m.allocs)
		return err
	})
	if err != nil {
		return row, fmt.Errorf("native: interpreted: %w", err)
	}
	logf("native: compiled, then %d+1 saves to native, then native: %d measurements each", o.saves, o.samples)
	err = nativeSession(ctx, p, false, func(s *session.Session) error {
		m, err := measurements(s, o.samples)
		if err != nil {
			return err
		}
		row.CompiledNs, row.RSSBeforeKB = median(m.ns), m.rss
		for i := 0; i <= o.saves; i++ {
			d, err := saveToNative(s, p.edit, 2+i)
			if err != nil {
				return fmt.Errorf("save %d: %w", i+1, err)
			}
			if i == 0 {
				row.FirstMs = ms(d)
				continue
			}
			row.SamplesMs = append(row.SamplesMs, ms(d))
			logf("native: save %d/%d: native after %.0f ms", i, o.saves, ms(d))
		}
		if m, err = measurements(s, o.samples); err != nil {
			return err
		}
		row.NativeNs, row.NativeAllocs, row.RSSAfterKB = median(m.ns), median(m.allocs), m.rss
		return nil
	})
	if err != nil {
		return row, fmt.Errorf("native: %w", err)
	}
	row.MedianMs, row.P95Ms = median(row.SamplesMs), quantile(row.SamplesMs, 0.95)
	return row, nil
}

// nativeSession launches p under the proxy of `livepatch dap` (the native
// tier off when noNative), lets it run, and calls f.
func nativeSession(ctx context.Context, p *saveProgram, noNative bool, f func(*session.Session) error) (err error) {
	if err := p.edit.restore(); err != nil {
		return err
	}
	out, cleanup, err := session.TempOutput(p.name)
	if err != nil {
		return err
	}
	defer cleanup()
	px := cli.NewProxy(cli.ProxyConfig{Debugger: debugger.Config{Foreground: true, CheckGoVersion: true}, Quiet: minQuiet, NoNative: noNative})
	s, err := session.ConnectProxy(ctx, px, keepOutput)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := s.Close(); cerr != nil && err == nil {
			err = cerr
		}
	}()
	spec := p.launchSpec(out)
	spec.RemoteOutput = true
	if err := runLoaded(s, spec); err != nil {
		return session.WithConsole(s, err)
	}
	if err := f(s); err != nil {
		return session.WithConsole(s, err)
	}
	return nil
}

// runLoaded runs the program to its breakpoint, has the Go prompt
// evaluate there (which waits for the build's type information: loading
// it in the background while the program runs can lose the go command's
// exit status to Delve, see pauseForBuild in internal/dapproxy), clears
// the breakpoint and lets the program run.
func runLoaded(s *session.Session, spec session.LaunchSpec) error {
	thread, err := s.RunToBreakpoint(spec)
	if err != nil {
		return err
	}
	if r, err := s.Client.CallRaw(s.Ctx, "evaluate", map[string]any{"expression": "1 + 1", "context": "repl"}); err != nil || !r.Success {
		return fmt.Errorf("evaluate at the breakpoint: %v %s", err, r.Raw)
	}
	if _, err := s.Call(&dap.SetBreakpointsRequest{Request: dap.Request{Command: "setBreakpoints"},
		Arguments: dap.SetBreakpointsArguments{Source: dap.Source{Path: spec.File}, Breakpoints: []dap.SourceBreakpoint{}}}); err != nil {
		return err
	}
	_, err = s.Call(&dap.ContinueRequest{Request: dap.Request{Command: "continue"}, Arguments: dap.ContinueArguments{ThreadId: thread}})
	return err
}

// keepOutput queues the control events, every output event and the
// breakpoint events (the debug part's).
func keepOutput(e dap.EventMessage) bool {
	switch e.(type) {
	case *dap.OutputEvent, *dap.BreakpointEvent:
		return true
	}
	return session.KeepControlEvents(e)
}

// saveToNative writes edit number i of e and returns the time until the
// console says that it is native.
func saveToNative(s *session.Session, e *saveEdit, i int) (time.Duration, error) {
	start := time.Now()
	if _, err := saveOnce(s, e, i); err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(s.Ctx, nativeSaveTimeout)
	defer cancel()
	want := "native: " + e.funcName
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
	if err != nil {
		return 0, fmt.Errorf("waiting for %q: %w", want, err)
	}
	if failed != "" {
		return 0, fmt.Errorf("%s", strings.TrimSpace(failed))
	}
	return time.Since(start), nil
}

// nativeSamples are measurements of the fixture, and the last one's
// resident memory.
type nativeSamples struct {
	ns, allocs []float64
	rss        int
}

var percallRE = regexp.MustCompile(`percall ([0-9.]+) allocs ([0-9.]+) rss ([0-9]+)`)

// measurements drops the program's measurements so far and the next one
// (it may have started before what changed), and returns the n after it.
func measurements(s *session.Session, n int) (nativeSamples, error) {
	var out nativeSamples
	isStdout := func(m dap.EventMessage) bool {
		o, ok := m.(*dap.OutputEvent)
		return ok && o.Body.Category == "stdout"
	}
	for {
		if _, ok := s.Client.PollEvent(isStdout); !ok {
			break
		}
	}
	ctx, cancel := context.WithTimeout(s.Ctx, time.Minute)
	defer cancel()
	var buf strings.Builder
	skipped := false
	for len(out.ns) < n {
		ev, err := s.Client.WaitEventFunc(ctx, isStdout)
		if err != nil {
			return out, fmt.Errorf("waiting for the program's measurements: %w", err)
		}
		buf.WriteString(ev.(*dap.OutputEvent).Body.Output)
		text := buf.String()
		cut := strings.LastIndexByte(text, '\n')
		if cut < 0 {
			continue
		}
		buf.Reset()
		buf.WriteString(text[cut+1:])
		for _, m := range percallRE.FindAllStringSubmatch(text[:cut], -1) {
			if !skipped {
				skipped = true
				continue
			}
			ns, _ := strconv.ParseFloat(m[1], 64)
			allocs, _ := strconv.ParseFloat(m[2], 64)
			out.rss, _ = strconv.Atoi(m[3])
			out.ns, out.allocs = append(out.ns, ns), append(out.allocs, allocs)
		}
	}
	return out, nil
}

// nativeTables is the native part's section.
func (r *Report) nativeTables() []benchkit.Table {
	n := r.Native
	if n == nil {
		return nil
	}
	perPlugin := 0.0
	if plugins := n.Saves + 1; plugins > 0 {
		perPlugin = float64(n.RSSAfterKB-n.RSSBeforeKB) / 1024 / float64(plugins)
	}
	return []benchkit.Table{{
		Title: "Native tier (issue 14): a patched trivial method, per call, and save to native",
		Header: []string{"compiled, ns", "interpreted, ns", "allocs", "native, ns", "allocs", "native / compiled", "target <= 2x",
			"saves", "first save to native, ms", "median, ms", "p95, ms", "target median <= 1000", "RSS before / after, MB", "per plugin, MB"},
		Notes: []string{"integration/bench/testdata/nativecall: geom.(*Point).Move (`p.X += dx`), called in a loop by the program itself " +
			"(one measurement per 200 ms or more; the one that may straddle a switch is dropped; medians). Launched through the proxy of " +
			"livepatch dap (quiet period 1 ms). compiled: the patchable build, unpatched; interpreted: a session with the native tier off, " +
			"after a save; native: after the last save's switch. Save to native: from writing geom.go (`_ = N` added) to the console's " +
			"\"native:\" line, each save a new plugin the process keeps; the first save of the session is reported apart. " +
			"RSS: the program's VmRSS before the first save and after the last."},
		Rows: [][]string{{f2(n.CompiledNs), benchkit.F1(n.InterpretedNs), f2(n.InterpretedAllocs), f2(n.NativeNs), f2(n.NativeAllocs),
			fmt.Sprintf("%.1fx", ratio(n.NativeNs, n.CompiledNs)), benchkit.Verdict(n.NativeNs <= 2*n.CompiledNs),
			fmt.Sprint(n.Saves), benchkit.F1(n.FirstMs), benchkit.F1(n.MedianMs), benchkit.F1(n.P95Ms), benchkit.Verdict(n.MedianMs <= 1000),
			fmt.Sprintf("%.0f / %.0f", float64(n.RSSBeforeKB)/1024, float64(n.RSSAfterKB)/1024), fmt.Sprintf("%.1f", perPlugin)}},
	}}
}
