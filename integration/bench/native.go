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
	burst   int // saves at editing speed after the timed ones
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
	// BurstSaves more saves followed one another as each went live
	// interpreted; RSSAfterBurstKB is the memory after them, and
	// BurstTier the tier of the last one's patch once quiet.
	BurstSaves      int    `json:"burstSaves"`
	RSSAfterBurstKB int    `json:"rssAfterBurstKB"`
	BurstTier       string `json:"burstTier"`
	// Programs: save to native on the example (a change of package main)
	// and on Delve (73k lines).
	Programs []SaveToNative `json:"programs,omitempty"`
}

// SaveToNative is the time from saves to their native switch in one
// session: the first apart (it builds what later ones reuse), then the
// timed ones.
type SaveToNative struct {
	Program   string    `json:"program"`
	Edit      string    `json:"edit"`
	FirstMs   float64   `json:"firstMs"`
	MedianMs  float64   `json:"medianMs"`
	P95Ms     float64   `json:"p95Ms"`
	SamplesMs []float64 `json:"samplesMs"`
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
		return nativeBurst(s, p.edit, 3+o.saves, o, &row, logf)
	})
	if err != nil {
		return row, fmt.Errorf("native: %w", err)
	}
	row.MedianMs, row.P95Ms = median(row.SamplesMs), quantile(row.SamplesMs, 0.95)
	for _, mk := range []func() (*saveProgram, error){
		func() (*saveProgram, error) { return counterSaveProgram(ctx, root, os.TempDir()) },
		func() (*saveProgram, error) { return delveSaveProgram(ctx, os.TempDir()) },
	} {
		p, err := mk()
		if err != nil {
			return row, err
		}
		r, err := saveToNativeRun(ctx, p, o, logf)
		p.cleanup()
		if err != nil {
			return row, err
		}
		row.Programs = append(row.Programs, *r)
	}
	return row, nil
}

// saveToNativeRun measures save to native on p: the first save, then
// o.saves timed ones.
func saveToNativeRun(ctx context.Context, p *saveProgram, o nativeOptions, logf logFunc) (*SaveToNative, error) {
	out := &SaveToNative{Program: p.source, Edit: p.editDoc}
	logf("native: %d+1 saves to native on %s", o.saves, p.name)
	err := nativeSession(ctx, p, false, func(s *session.Session) error {
		for i := 0; i <= o.saves; i++ {
			d, err := saveToNative(s, p.edit, 2+i)
			if err != nil {
				return fmt.Errorf("save %d: %w", i+1, err)
			}
			if i == 0 {
				out.FirstMs = ms(d)
				continue
			}
			out.SamplesMs = append(out.SamplesMs, ms(d))
			logf("native: %s: save %d/%d: native after %.0f ms", p.name, i, o.saves, ms(d))
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("native: %s: %w", p.name, err)
	}
	out.MedianMs, out.P95Ms = median(out.SamplesMs), quantile(out.SamplesMs, 0.95)
	return out, nil
}

// nativeBurst saves o.burst edits one after the other, each as soon as
// the one before went live interpreted (a build in flight is superseded
// by the next save of its function, and at most maxPlugins plugins load),
// then waits until no build runs and records the memory and the last
// patch's tier.
func nativeBurst(s *session.Session, e *saveEdit, first int, o nativeOptions, row *NativeRow, logf logFunc) error {
	if o.burst <= 0 {
		return nil
	}
	logf("native: %d saves at editing speed", o.burst)
	for i := range o.burst {
		if _, err := saveOnce(s, e, first+i); err != nil {
			return fmt.Errorf("burst save %d: %w", i+1, err)
		}
	}
	row.BurstSaves = o.burst
	// The builds of the saves before the last were superseded, or done
	// and said before it: the next word is the last one's.
	ctx, cancel := context.WithTimeout(s.Ctx, nativeSaveTimeout)
	defer cancel()
	want := "native: " + e.funcName
	if _, err := s.Client.WaitEventFunc(ctx, func(m dap.EventMessage) bool {
		o, ok := m.(*dap.OutputEvent)
		return ok && o.Body.Category == "console" && (strings.Contains(o.Body.Output, want) || strings.Contains(o.Body.Output, "until a restart"))
	}); err != nil {
		return fmt.Errorf("burst: waiting for the last save's native build: %w", err)
	}
	r, err := s.Client.CallRaw(ctx, "livepatch/patches", nil)
	if err != nil {
		return fmt.Errorf("burst: livepatch/patches: %w", err)
	}
	if tier := regexp.MustCompile(`"tier":"([^"]*)"`).FindSubmatch(r.Body); tier != nil {
		row.BurstTier = string(tier[1])
	}
	m, err := measurements(s, 1)
	row.RSSAfterBurstKB = m.rss
	return err
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
	if err := waitConsole(s, "native: "+e.funcName); err != nil { // debug.go
		return 0, fmt.Errorf("waiting for the native switch of %s: %w", e.funcName, err)
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
	tables := []benchkit.Table{{
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
	if n.BurstSaves > 0 {
		tables = append(tables, benchkit.Table{
			Title:  "Native tier (issue 14): memory after many saves",
			Header: []string{"timed saves, then saves at editing speed", "RSS before the first save, MB", "after the timed saves, MB", "after all, MB", "the last patch's tier"},
			Notes: []string{"The nativecall session above, after its native measurements: each further save written as soon as the one before " +
				"went live interpreted (a save supersedes its function's build in flight; a process loads at most 32 plugins, then changes stay " +
				"interpreted until a restart); then, once the last build is done or refused, the program's VmRSS."},
			Rows: [][]string{{fmt.Sprintf("%d + %d", n.Saves+1, n.BurstSaves), fmt.Sprintf("%.0f", float64(n.RSSBeforeKB)/1024),
				fmt.Sprintf("%.0f", float64(n.RSSAfterKB)/1024), fmt.Sprintf("%.0f", float64(n.RSSAfterBurstKB)/1024), n.BurstTier}},
		})
	}
	if len(n.Programs) > 0 {
		t := benchkit.Table{
			Title:  "Native tier (issue 14): save to native on the example (package main) and on Delve",
			Header: []string{"program", "edit", "saves", "first save to native, ms", "median, ms", "p95, ms", "target median"},
			Notes: []string{"A session of livepatch dap's proxy with the native tier on per program; each save from the write to the console's \"native:\" line. " +
				"The first save of a session is reported apart (for package main it also compiles main for plugins, once per session). " +
				"Targets: a median of at most 1 s on the example, 3 s on the 73k-line program."},
		}
		for i, m := range n.Programs {
			limit := 1000.0
			if i > 0 {
				limit = 3000
			}
			t.Rows = append(t.Rows, []string{m.Program, m.Edit, fmt.Sprint(len(m.SamplesMs)), benchkit.F1(m.FirstMs), benchkit.F1(m.MedianMs), benchkit.F1(m.P95Ms),
				fmt.Sprintf("<= %.0f ms: %s", limit, benchkit.Verdict(m.MedianMs <= limit))})
		}
		tables = append(tables, t)
	}
	return tables
}
