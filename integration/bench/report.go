package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/livepatch/livepatch/integration/bench/internal/benchkit"
	"github.com/livepatch/livepatch/integration/bench/replay"
)

// Report is the result of one benchmark run; encoded as JSON with -json.
type Report struct {
	Date      string         `json:"date"`
	Command   string         `json:"command"`
	GoVersion string         `json:"goVersion"`
	Platform  string         `json:"platform"` // GOOS/GOARCH
	CPUs      int            `json:"cpus"`
	LoadStart string         `json:"loadStart,omitempty"` // /proc/loadavg when the run began
	LoadEnd   string         `json:"loadEnd,omitempty"`   // and when it ended
	Latency   []LatencyRow   `json:"latency,omitempty"`
	Start     []StartRow     `json:"start,omitempty"`
	Build     []BuildRow     `json:"coldBuild,omitempty"`
	Size      []SizeRow      `json:"size,omitempty"`
	WarmBuild []WarmBuildRow `json:"warmBuild,omitempty"`
	Prologue  []PrologueRow  `json:"prologue,omitempty"`
	Prompt    []PromptRow    `json:"prompt,omitempty"`
	Programs  []ProgramInfo  `json:"programs,omitempty"`
	// SavePrograms, Save and Restart are the save part's: the programs and
	// their edits, save to live, and the same edits the restart way.
	SavePrograms []SaveProgramInfo `json:"savePrograms,omitempty"`
	Save         []SaveRow         `json:"save,omitempty"`
	Restart      []RestartRow      `json:"restart,omitempty"`
	PatchCall    []PatchCallRow    `json:"patchCall,omitempty"`
	Native       *NativeRow        `json:"native,omitempty"`
	Debug        *DebugRow         `json:"debug,omitempty"`
	// ReplayModules and Replay are the replay part's: the modules whose
	// published versions it replays, and each pair of versions.
	ReplayModules []replay.ModuleInfo `json:"replayModules,omitempty"`
	Replay        []replay.Step       `json:"replay,omitempty"`
	Errors        []string            `json:"errors,omitempty"` // parts that failed, and why
}

// LatencyRow is the round-trip time of one request type, directly against
// Delve's DAP server and through the proxy.
type LatencyRow struct {
	Request        string  `json:"request"`
	N              int     `json:"n"`
	DirectMedianMs float64 `json:"directMedianMs"`
	DirectP95Ms    float64 `json:"directP95Ms"`
	ProxyMedianMs  float64 `json:"proxyMedianMs"`
	ProxyP95Ms     float64 `json:"proxyP95Ms"`
	AddedMedianMs  float64 `json:"addedMedianMs"` // proxy median - session.Direct median
	TargetMs       float64 `json:"targetMs"`
}

// StartRow is the warm time from a client's initialize to the stop at the
// first breakpoint, for `dlv debug` and `livepatch debug`.
type StartRow struct {
	Program      string    `json:"program"`
	Runs         int       `json:"runs"`
	PlainMedianS float64   `json:"plainMedianS"`
	PatchMedianS float64   `json:"patchMedianS"`
	Ratio        float64   `json:"ratio"` // patch median / plain median
	TargetRatio  float64   `json:"targetRatio"`
	PlainS       []float64 `json:"plainS"`
	PatchS       []float64 `json:"patchS"`
}

// BuildRow is the cold build time (empty GOCACHE) of a program, plain and
// patchable.
type BuildRow struct {
	Program  string    `json:"program"`
	Runs     int       `json:"runs"`
	PlainS   float64   `json:"plainMedianS"`
	PatchS   float64   `json:"patchMedianS"`
	Ratio    float64   `json:"ratio"`
	PlainAll []float64 `json:"plainS"`
	PatchAll []float64 `json:"patchS"`
}

// SizeRow is the size of a program's debug binary, plain and patchable.
type SizeRow struct {
	Program     string  `json:"program"`
	PlainBytes  int64   `json:"plainBytes"`
	PatchBytes  int64   `json:"patchBytes"`
	AddedMB     float64 `json:"addedMB"` // (patch - plain) / 2^20
	Ratio       float64 `json:"ratio"`
	TargetMB    float64 `json:"targetMB"`
	Patchable   int     `json:"patchableFuncs"`
	Unpatchable int     `json:"unpatchableFuncs"`
}

// WarmBuildRow is the time of a build with warm caches (nothing changed
// since the last build), plain and patchable, and the patchable build's
// phases: loading and type-checking the packages, writing the overlay, and
// the go command.
type WarmBuildRow struct {
	Program     string  `json:"program"`
	PlainS      float64 `json:"plainS"`
	PatchS      float64 `json:"patchS"`
	Ratio       float64 `json:"ratio"`
	LoadS       float64 `json:"loadS"`
	InstrumentS float64 `json:"instrumentS"`
	GoBuildS    float64 `json:"goBuildS"`
}

// PrologueRow is the time per call of one benchmark of the prologue
// fixture, compiled plainly and patchably (both -N -l), nothing patched.
type PrologueRow struct {
	Benchmark   string  `json:"benchmark"`
	Runs        int     `json:"runs"`
	PlainNs     float64 `json:"plainNsPerCall"`
	PatchNs     float64 `json:"patchNsPerCall"`
	AddedNs     float64 `json:"addedNs"`
	PlainAllocs float64 `json:"plainAllocsPerCall"`
	PatchAllocs float64 `json:"patchAllocsPerCall"`
	TargetNs    float64 `json:"targetNs"`
}

// PromptRow is the round-trip time of an evaluate request in the repl
// context at a breakpoint, through the proxy with the Go prompt, for one
// input and the path the prompt sends it on (Delve or the agent).
type PromptRow struct {
	Input    string  `json:"input"`
	Path     string  `json:"path"`
	N        int     `json:"n"`
	FirstMs  float64 `json:"firstMs"` // the first evaluate of the session, untimed in the median
	MedianMs float64 `json:"medianMs"`
	P95Ms    float64 `json:"p95Ms"`
	TargetMs float64 `json:"targetMs"` // for the median
}

// SaveRow is the time from writing an edited function body to its file
// until the console reports the function patched, for one program, state
// of the program (running, or paused at a breakpoint) and quiet period of
// the file watcher.
type SaveRow struct {
	Program        string    `json:"program"`
	State          string    `json:"state"` // "running" or "paused"
	QuietMs        float64   `json:"quietMs"`
	N              int       `json:"n"`
	MedianMs       float64   `json:"medianMs"`
	P95Ms          float64   `json:"p95Ms"`
	TargetMedianMs float64   `json:"targetMedianMs"`
	TargetP95Ms    float64   `json:"targetP95Ms,omitempty"` // 0: no target
	SamplesMs      []float64 `json:"samplesMs"`
}

// met reports whether the row meets its targets.
func (r SaveRow) met() bool {
	return r.MedianMs <= r.TargetMedianMs && (r.TargetP95Ms == 0 || r.P95Ms <= r.TargetP95Ms)
}

// RestartRow is the same edit as the save rows' applied the restart way:
// the time from the write until Delve's DAP server, launching in mode
// debug, stops at the breakpoint; and how it compares with save to live
// under the default quiet period.
type RestartRow struct {
	Program        string    `json:"program"`
	Runs           int       `json:"runs"`
	MedianS        float64   `json:"medianS"`
	S              []float64 `json:"s"`
	RunningMs      float64   `json:"runningMedianMs"` // save to live, running, default quiet period
	PausedMs       float64   `json:"pausedMedianMs"`  // save to live, paused, default quiet period
	RatioRunning   float64   `json:"ratioRunning"`    // restart median / RunningMs
	RatioPaused    float64   `json:"ratioPaused"`     // restart median / PausedMs
	QuietRunningMs float64   `json:"quietRunningMs"`  // median with the default quiet period - with the shortest
	QuietPausedMs  float64   `json:"quietPausedMs"`
	FreeMs         float64   `json:"freeMedianMs,omitempty"` // save to live under `livepatch run` (no debugger), default quiet period
	RatioFree      float64   `json:"ratioFree,omitempty"`    // restart median / FreeMs
}

// SaveProgramInfo describes a program of the save part and its edit.
type SaveProgramInfo struct {
	Name        string `json:"name"`
	Source      string `json:"source"`
	Lines       int    `json:"lines"`
	Packages    int    `json:"packages"`
	Edit        string `json:"edit"`
	Breakpoint  string `json:"breakpoint"`
	ProgramArgs string `json:"args"`
}

// PatchCallRow is the time per call of one benchmark of the prologue
// fixture: compiled plainly, patchably with nothing patched, and patchably
// with the function replaced by an interpreted one with the same body.
type PatchCallRow struct {
	Benchmark     string  `json:"benchmark"`
	Runs          int     `json:"runs"`
	PlainNs       float64 `json:"plainNsPerCall"`
	UnpatchedNs   float64 `json:"unpatchedNsPerCall"`
	PatchedNs     float64 `json:"patchedNsPerCall"`
	AddedNs       float64 `json:"addedNs"` // patched - plain
	PatchedAllocs float64 `json:"patchedAllocsPerCall"`
	TargetNs      float64 `json:"targetNs"`
}

// ProgramInfo describes a program the start, build and size parts use.
type ProgramInfo struct {
	Name        string `json:"name"`
	Source      string `json:"source"`
	Lines       int    `json:"lines"` // lines of its own module's non-test Go files that it links
	Packages    int    `json:"packages"`
	Breakpoint  string `json:"breakpoint"`
	ProgramArgs string `json:"args"`
}

func f2(x float64) string { return fmt.Sprintf("%.2f", x) }
func f3(x float64) string { return fmt.Sprintf("%.3f", x) }

// tables turns the report into its sections, in a fixed order.
func (r *Report) tables() []benchkit.Table {
	var ts []benchkit.Table
	ts = append(ts, r.latencyTables()...)
	ts = append(ts, r.buildTables()...)
	ts = append(ts, r.callTables()...)
	ts = append(ts, r.saveTables()...)
	ts = append(ts, r.nativeTables()...) // native.go
	ts = append(ts, r.debugTables()...)  // debug.go
	ts = append(ts, replay.Tables(r.ReplayModules, r.Replay)...)
	return ts
}

// latencyTables is the proxy part's section.
func (r *Report) latencyTables() []benchkit.Table {
	var ts []benchkit.Table
	if len(r.Latency) > 0 {
		t := benchkit.Table{
			Title:  "Proxy latency (issue 2): round trip while stopped at a breakpoint, ms",
			Header: []string{"request", "n", "delve median", "delve p95", "proxy median", "proxy p95", "added median", "target <= 0.1"},
			Notes: []string{"Both servers run in this process and are reached over TCP loopback by the same client; " +
				"only the proxy differs. Requests alternate between the two sessions."},
		}
		for _, l := range r.Latency {
			t.Rows = append(t.Rows, []string{l.Request, fmt.Sprint(l.N), f3(l.DirectMedianMs), f3(l.DirectP95Ms),
				f3(l.ProxyMedianMs), f3(l.ProxyP95Ms), f3(l.AddedMedianMs), benchkit.Verdict(l.AddedMedianMs <= l.TargetMs)})
		}
		ts = append(ts, t)
	}
	return ts
}

// buildTables are the sections of the start, build and size parts.
func (r *Report) buildTables() []benchkit.Table {
	var ts []benchkit.Table
	if len(r.Programs) > 0 {
		t := benchkit.Table{Title: "Programs", Header: []string{"program", "source", "packages", "lines", "breakpoint", "args"}}
		for _, p := range r.Programs {
			t.Rows = append(t.Rows, []string{p.Name, p.Source, fmt.Sprint(p.Packages), fmt.Sprint(p.Lines), p.Breakpoint, p.ProgramArgs})
		}
		t.Notes = []string{"lines: non-test Go files of the program's own module that it links (what the patcher instruments)."}
		ts = append(ts, t)
	}
	if len(r.Start) > 0 {
		t := benchkit.Table{
			Title:  "Warm start to the first breakpoint (issue 3), s",
			Header: []string{"program", "runs", "dlv debug", "livepatch debug", "ratio", "target <= 1.5x"},
			Notes: []string{"From initialize to the stopped event: build (warm GOCACHE), launch, breakpoint, run to it. " +
				"dlv debug = Delve's DAP server, launch mode debug (go build -gcflags='all=-N -l'); " +
				"livepatch debug = the proxy with the patchable builder (patcher.Build). Medians, runs alternate."},
		}
		for _, s := range r.Start {
			t.Rows = append(t.Rows, []string{s.Program, fmt.Sprint(s.Runs), f2(s.PlainMedianS), f2(s.PatchMedianS),
				f2(s.Ratio) + "x", benchkit.Verdict(s.Ratio <= s.TargetRatio)})
		}
		ts = append(ts, t)
	}
	if len(r.Build) > 0 {
		t := benchkit.Table{
			Title:  "Cold build (issue 3), s",
			Header: []string{"program", "runs", "plain debug build", "patchable build", "ratio"},
			Notes: []string{"GOCACHE and the patcher's cache directory (XDG_CACHE_HOME) fresh and empty for every build; " +
				"the module cache is warm. Plain: go build -gcflags='all=-N -l'. Patchable: patcher.Build."},
		}
		for _, b := range r.Build {
			t.Rows = append(t.Rows, []string{b.Program, fmt.Sprint(b.Runs), f2(b.PlainS), f2(b.PatchS), f2(b.Ratio) + "x"})
		}
		ts = append(ts, t)
	}
	if len(r.Size) > 0 {
		t := benchkit.Table{
			Title:  "Binary size (issue 3)",
			Header: []string{"program", "plain debug, MB", "patchable, MB", "added, MB", "ratio", "target <= +12 MB", "patchable funcs", "not patchable"},
			Notes:  []string{"MB = 2^20 bytes. Both built with -gcflags='all=-N -l'."},
		}
		for _, s := range r.Size {
			t.Rows = append(t.Rows, []string{s.Program, f2(float64(s.PlainBytes) / (1 << 20)), f2(float64(s.PatchBytes) / (1 << 20)),
				f2(s.AddedMB), f2(s.Ratio) + "x", benchkit.Verdict(s.AddedMB <= s.TargetMB), fmt.Sprint(s.Patchable), fmt.Sprint(s.Unpatchable)})
		}
		ts = append(ts, t)
	}
	if len(r.WarmBuild) > 0 {
		t := benchkit.Table{
			Title:  "Warm rebuild, nothing changed (issue 3), s",
			Header: []string{"program", "plain debug build", "patchable build", "ratio", "load+type-check", "instrument", "go build"},
			Notes: []string{"One build of each, after an untimed one, both to a path with no binary, so both link " +
				"(as for dlv debug, which removes its binary after a session). The last three columns split the " +
				"patchable build at the phase lines patcher.Build writes to its Progress writer."},
		}
		for _, b := range r.WarmBuild {
			t.Rows = append(t.Rows, []string{b.Program, f2(b.PlainS), f2(b.PatchS), f2(b.Ratio) + "x",
				f2(b.LoadS), f2(b.InstrumentS), f2(b.GoBuildS)})
		}
		ts = append(ts, t)
	}
	return ts
}

// callTables are the sections of the prologue and prompt parts.
func (r *Report) callTables() []benchkit.Table {
	var ts []benchkit.Table
	if len(r.Prologue) > 0 {
		t := benchkit.Table{
			Title:  "Unpatched prologue cost per call (issue 3), ns",
			Header: []string{"benchmark", "runs", "plain", "patchable", "added", "target <= 2", "allocs plain", "allocs patchable"},
			Notes: []string{"go test -bench of integration/bench/testdata/prologue, compiled plainly (go test -c -gcflags='all=-N -l') " +
				"and patchably (patcher.Build with Test), nothing patched; medians over alternating runs."},
		}
		for _, p := range r.Prologue {
			t.Rows = append(t.Rows, []string{p.Benchmark, fmt.Sprint(p.Runs), f2(p.PlainNs), f2(p.PatchNs), f2(p.AddedNs),
				benchkit.Verdict(p.AddedNs <= p.TargetNs), f2(p.PlainAllocs), f2(p.PatchAllocs)})
		}
		ts = append(ts, t)
	}
	if len(r.Prompt) > 0 {
		t := benchkit.Table{
			Title:  "Go prompt: evaluate round trip while stopped at a breakpoint, ms",
			Header: []string{"input", "path", "n", "first", "median", "p95", "target median", "met"},
			Notes: []string{"integration/testdata/prompt stopped in work(), through the proxy set up as livepatch debug sets it up " +
				"(the Go prompt registered, the patchable build); TCP loopback, context repl. The inputs alternate; " +
				"first is the first evaluate of each in the session, before the warm-up."},
		}
		for _, p := range r.Prompt {
			t.Rows = append(t.Rows, []string{p.Input, p.Path, fmt.Sprint(p.N), f3(p.FirstMs), f3(p.MedianMs), f3(p.P95Ms),
				"<= " + fmt.Sprint(p.TargetMs), benchkit.Verdict(p.MedianMs <= p.TargetMs)})
		}
		ts = append(ts, t)
	}
	return ts
}

// saveTables are the sections of the save and patchcall parts.
func (r *Report) saveTables() []benchkit.Table {
	var ts []benchkit.Table
	if len(r.SavePrograms) > 0 {
		t := benchkit.Table{Title: "Save to live: programs and edits (issue 5)",
			Header: []string{"program", "source", "packages", "lines", "edit", "breakpoint", "args"},
			Notes: []string{"Copies: the benchmark edits them, never the repository. " +
				"N is a new number at every save and every restart, so that each is a change nobody has seen (nor the go command's cache)."}}
		for _, p := range r.SavePrograms {
			t.Rows = append(t.Rows, []string{p.Name, p.Source, fmt.Sprint(p.Packages), fmt.Sprint(p.Lines), p.Edit, p.Breakpoint, p.ProgramArgs})
		}
		ts = append(ts, t)
	}
	if len(r.Save) > 0 {
		t := benchkit.Table{
			Title:  "Save to live (issue 5): from writing the file to the console's \"patched\" line, ms",
			Header: []string{"program", "target", "quiet period", "n", "median", "p95", "target median", "target p95", "met"},
			Notes: []string{"Through the proxy of livepatch dap (cli.NewProxy) with the file watcher on, over TCP loopback. " +
				"The file is rewritten in place; the time runs from before the write until the client has the output event " +
				"\"patched NAME (file:line)\". paused: stopped at the breakpoint (patches by call injection); running: after " +
				"continue (patches over the agent's socket); running, no debugger: launched as `livepatch run` does (noDebug), " +
				"patches over the agent's socket. The longer quiet period is livepatch.DefaultQuiet, what users get; " +
				"1 ms, the shortest, shows the work after it."},
		}
		for _, s := range r.Save {
			p95 := "-"
			if s.TargetP95Ms > 0 {
				p95 = "<= " + fmt.Sprint(s.TargetP95Ms)
			}
			t.Rows = append(t.Rows, []string{s.Program, s.State, fmt.Sprint(s.QuietMs) + " ms", fmt.Sprint(s.N), benchkit.F1(s.MedianMs), benchkit.F1(s.P95Ms),
				"<= " + fmt.Sprint(s.TargetMedianMs), p95, benchkit.Verdict(s.met())})
		}
		ts = append(ts, t)
	}
	if len(r.Restart) > 0 {
		t := benchkit.Table{
			Title: "Save to live against the restart way (issue 5)",
			Header: []string{"program", "restarts", "restart, s", "save running, ms", "ratio", "save paused, ms", "ratio",
				"save, no debugger (livepatch run), ms", "ratio", "quiet period's share running / paused, ms"},
			Notes: []string{"Restart: the same edit, then Delve's DAP server launching in mode debug (go build -gcflags='all=-N -l' " +
				"of the edited program, a new process) up to the same breakpoint; from the write to the stopped event, median. " +
				"Save: the medians above with the default quiet period. Ratio: restart / save. " +
				"The quiet period's share: the median with the default quiet period less the median with 1 ms."},
		}
		for _, x := range r.Restart {
			t.Rows = append(t.Rows, []string{x.Program, fmt.Sprint(x.Runs), f2(x.MedianS), benchkit.F1(x.RunningMs), fmt.Sprintf("%.0fx", x.RatioRunning),
				benchkit.F1(x.PausedMs), fmt.Sprintf("%.0fx", x.RatioPaused), benchkit.F1(x.FreeMs), fmt.Sprintf("%.0fx", x.RatioFree),
				benchkit.F1(x.QuietRunningMs) + " / " + benchkit.F1(x.QuietPausedMs)})
		}
		ts = append(ts, t)
	}
	if len(r.PatchCall) > 0 {
		t := benchkit.Table{
			Title:  "Patched call cost (issue 5), ns per call",
			Header: []string{"benchmark", "runs", "plain", "patchable, unpatched", "patched", "added by the patch", "target <= 2000", "allocs patched"},
			Notes: []string{"go test -bench of integration/bench/testdata/prologue: plain = go test -c -gcflags='all=-N -l'; " +
				"patchable = patcher.Build with Test; patched = the same binary with every benchmarked function replaced, " +
				"before the benchmarks start, by an interpreted function with the same body (agent socket, as a save while running). " +
				"Added = patched - plain. Medians over runs in rotating order."},
		}
		for _, p := range r.PatchCall {
			t.Rows = append(t.Rows, []string{p.Benchmark, fmt.Sprint(p.Runs), f2(p.PlainNs), f2(p.UnpatchedNs), benchkit.F1(p.PatchedNs), benchkit.F1(p.AddedNs),
				benchkit.Verdict(p.AddedNs <= p.TargetNs), f2(p.PatchedAllocs)})
		}
		ts = append(ts, t)
	}
	return ts
}

// writeText writes the report as aligned plain-text tables.
func (r *Report) writeText(w io.Writer) error {
	fmt.Fprintf(w, "livepatch benchmarks, %s, %s, %d CPUs, %s\n", r.Date, r.Platform, r.CPUs, r.GoVersion)
	if r.LoadStart != "" {
		fmt.Fprintf(w, "load average (1, 5, 15 min): %s at the start, %s at the end\n", r.LoadStart, r.LoadEnd)
	}
	for _, t := range r.tables() {
		fmt.Fprintf(w, "\n%s\n", t.Title)
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, strings.Join(t.Header, "\t")+"\t")
		for _, row := range t.Rows {
			fmt.Fprintln(tw, strings.Join(row, "\t")+"\t")
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		for _, n := range t.Notes {
			fmt.Fprintf(w, "  %s\n", n)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "\nFAILED: %s\n", e)
	}
	return nil
}

// writeMarkdown writes the report as markdown tables, for docs/BENCHMARKS.md.
func (r *Report) writeMarkdown(w io.Writer) error {
	fmt.Fprintf(w, "Run on %s, %s, %d CPUs, %s, with `%s`.\n", r.Date, r.Platform, r.CPUs, r.GoVersion, r.Command)
	if r.LoadStart != "" {
		fmt.Fprintf(w, "Load average (1, 5, 15 min): %s at the start, %s at the end.\n", r.LoadStart, r.LoadEnd)
	}
	for _, t := range r.tables() {
		fmt.Fprintf(w, "\n### %s\n\n", t.Title)
		fmt.Fprintf(w, "| %s |\n", strings.Join(t.Header, " | "))
		seps := make([]string, len(t.Header))
		for i := range seps {
			seps[i] = "---"
			if i > 0 && len(t.Rows) > 0 && numeric(t.Rows[0][i]) {
				seps[i] = "---:"
			}
		}
		fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
		for _, row := range t.Rows {
			fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
		}
		for _, n := range t.Notes {
			fmt.Fprintf(w, "\n%s\n", n)
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(w, "\n**Failed:** %s\n", e)
	}
	return nil
}

// write writes the report as JSON, markdown or text.
func (r *Report) write(w io.Writer, asJSON, asMD bool) error {
	switch {
	case asJSON:
		return r.writeJSON(w)
	case asMD:
		return r.writeMarkdown(w)
	}
	return r.writeText(w)
}

// readReport reads a report saved with -json.
func readReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("read report %s: %w", path, err)
	}
	return &r, nil
}

// numeric reports whether a cell holds a number (possibly with a unit
// suffix such as "x"), to be right-aligned.
func numeric(cell string) bool {
	_, err := strconv.ParseFloat(strings.TrimSuffix(cell, "x"), 64)
	return err == nil
}

// writeJSON writes the report as indented JSON.
func (r *Report) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
