// Command bench measures livepatch against plain Delve and prints a table:
// the latency the DAP proxy adds to requests (issue 2), and for the
// patchable builder (issue 3) the warm start to the first breakpoint, the
// cold build time and binary size on a small and a large program, and the
// cost of an unpatched dispatch prologue per call; the round trip of an
// evaluate at the Go prompt, on Delve's path and through the agent; and for
// live patching (issue 5) the time from saving a file to the change being
// live, running and paused, against the same edit applied by rebuilding
// and relaunching, and the cost per call of a patched function; and, when
// asked for (issue 13), the share of real changes that go live: the
// published versions of two servers replayed as saves into their running
// programs.
//
// Run it from the repository root (`make bench` does):
//
//	go run ./integration/bench                 # everything, as a table
//	go run ./integration/bench -only=proxy     # one or more parts
//	go run ./integration/bench -md             # markdown, for docs/BENCHMARKS.md
//	go run ./integration/bench -json           # machine-readable
//	go run ./integration/bench -only=replay    # the replay, which everything leaves out
//
// Parts: proxy, start, build (cold builds), size, prologue, prompt, save
// (save to live and the restart way), patchcall (patched call cost),
// native (a patched call compiled, interpreted and native, save to native
// and the plugins' memory, on integration/bench/testdata/nativecall), debug
// (save to re-verified breakpoints, next in compiled and native code, a
// patched call with no breakpoint set, on the same fixture); and
// replay, run only when -only names it (`make bench-replay`): for each pair
// of consecutive versions of the replay modules, the older runs under
// livepatch dap and the newer's changed files are saved into it one at a
// time; the console's lines say what applied and why the rest did not, and
// the patched program is probed against a fresh build. The replay lives in
// package integration/bench/replay; the DAP session the parts share is in
// internal/session, the report's table and the go command helpers in
// internal/benchkit.
// Programs for start, build, size and save: counter (examples/counter) and
// dlv (Delve's cmd/dlv, copied from the module cache into a temporary
// module); save edits copies only. Progress goes to stderr, the report to
// stdout. The go commands run with GOPROXY=off unless GOPROXY is set:
// everything comes from the module cache, except the replay's downloads of
// the modules it replays, which use GOPROXY as set or the go command's
// default (a version already in the module cache is not fetched again).
//
// It measures; it asserts nothing. Targets are shown next to the results.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/livepatch/livepatch/integration/bench/replay"
)

// logFunc reports progress.
type logFunc func(format string, args ...any)

// parts are what a run without -only runs; extraParts are run only when
// -only names them, for they take longer.
var (
	parts      = []string{"proxy", "start", "build", "size", "prologue", "prompt", "save", "patchcall", "native", "debug"}
	extraParts = []string{"replay"}
)

func main() {
	// Only the report goes to stdout: Delve's server prints its listening
	// message there, and the debuggees inherit it.
	stdout := os.Stdout
	os.Stdout = os.Stderr
	if err := run(os.Args[1:], stdout, os.Stderr); err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

// options are the command's flags.
type options struct {
	debugSaves, debugSteps                           int
	only, programs, modules, from, benchtime, render string
	n, warmup, starts, cold, prologueRuns            int
	saves, saveWarmup, restarts, pairs               int
	nativeSaves, nativeSamples, nativeBurst          int
	settle, timeout                                  time.Duration
	asJSON, asMD, quiet                              bool
}

// parseFlags parses the command line.
func parseFlags(args []string, stderr io.Writer) (*options, error) {
	var o options
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.only, "only", strings.Join(parts, ","), "comma-separated `parts` to run: "+strings.Join(append(parts, extraParts...), ", ")+
		" (replay only when named)")
	fs.StringVar(&o.programs, "programs", "counter,dlv", "comma-separated `programs` for start, build, size and save: counter, dlv")
	fs.IntVar(&o.n, "n", 300, "timed round trips per request type and server (proxy), and per input (prompt)")
	fs.IntVar(&o.warmup, "warmup", 30, "untimed round trips before them (proxy, prompt)")
	fs.IntVar(&o.starts, "starts", 5, "timed warm starts per program and debugger (start)")
	fs.IntVar(&o.cold, "cold", 3, "cold builds per program and builder (build)")
	fs.IntVar(&o.prologueRuns, "prologue-runs", 6, "runs of the prologue benchmarks per build (prologue, patchcall)")
	fs.StringVar(&o.benchtime, "benchtime", "300ms", "-test.benchtime of the prologue benchmarks (prologue, patchcall)")
	fs.IntVar(&o.saves, "saves", 40, "timed saves per program, target state and quiet period (save)")
	fs.IntVar(&o.saveWarmup, "save-warmup", 3, "untimed saves before them (save)")
	fs.IntVar(&o.restarts, "restarts", 5, "timed restarts per program, the restart way (save)")
	fs.IntVar(&o.nativeSaves, "native-saves", 10, "timed saves to native, each a plugin the program keeps (native)")
	fs.IntVar(&o.nativeSamples, "native-samples", 5, "measurements of 200 ms or more per tier (native)")
	fs.IntVar(&o.nativeBurst, "native-burst", 200, "saves at editing speed after the timed ones, then the memory (native)")
	fs.StringVar(&o.modules, "modules", strings.Join(replay.Names(), ","), "comma-separated `modules` to replay: "+strings.Join(replay.Names(), ", ")+" (replay)")
	fs.StringVar(&o.from, "from", "", "comma-separated `versions`: replay only the pairs that start at one of them, e.g. v0.18.1 (replay)")
	fs.IntVar(&o.pairs, "pairs", 0, "replay at most `n` version pairs per module, 0 for all (replay)")
	fs.DurationVar(&o.settle, "settle", 3*time.Second, "how long a replayed save the console says nothing of is waited for (replay)")
	fs.BoolVar(&o.asJSON, "json", false, "print the report as JSON")
	fs.BoolVar(&o.asMD, "md", false, "print the report as markdown")
	fs.BoolVar(&o.quiet, "q", false, "no progress on stderr")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Minute, "give up after `d`")
	fs.IntVar(&o.debugSaves, "debug-saves", 20, "timed saves to re-verified breakpoints (debug)")
	fs.IntVar(&o.debugSteps, "debug-steps", 20, "timed nexts per kind of code (debug)")
	fs.StringVar(&o.render, "render", "", "run nothing: print the report saved with -json in `file` (as text, or with -md)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	return &o, nil
}

// selectParts returns the parts named in only, a comma-separated list.
func selectParts(only string) (map[string]bool, error) {
	selected := map[string]bool{}
	for p := range strings.SplitSeq(only, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !slices.Contains(parts, p) && !slices.Contains(extraParts, p) {
			return nil, fmt.Errorf("unknown part %q (parts: %s)", p, strings.Join(append(parts, extraParts...), ", "))
		}
		selected[p] = true
	}
	return selected, nil
}

func run(args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if o.render != "" {
		rep, err := readReport(o.render)
		if err != nil {
			return err
		}
		return rep.write(stdout, o.asJSON, o.asMD)
	}
	selected, err := selectParts(o.only)
	if err != nil {
		return err
	}
	logf := func(format string, args ...any) {
		if !o.quiet {
			fmt.Fprintf(stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
		}
	}
	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, o.timeout)
	defer cancelTimeout()

	// The user's GOPROXY, for the replay's downloads; the other parts
	// take everything from the module cache.
	userProxy := os.Getenv("GOPROXY")
	if _, ok := os.LookupEnv("GOPROXY"); !ok {
		os.Setenv("GOPROXY", "off")
	}
	root, err := repoRoot(ctx)
	if err != nil {
		return err
	}
	b := &bench{ctx: ctx, o: o, root: root, logf: logf, proxy: userProxy, rep: newReport(ctx, args)}
	b.runParts(selected)
	b.rep.LoadEnd = loadAverage()
	if err := b.rep.write(stdout, o.asJSON, o.asMD); err != nil {
		return err
	}
	if len(b.rep.Errors) > 0 {
		return errors.New("some parts failed")
	}
	return nil
}

// newReport starts the report of a run with the command line args.
func newReport(ctx context.Context, args []string) *Report {
	goVersion, _ := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	return &Report{
		Date:      time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Command:   strings.TrimSpace("go run ./integration/bench " + strings.Join(args, " ")),
		GoVersion: strings.TrimSpace(string(goVersion)),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:      runtime.NumCPU(),
		LoadStart: loadAverage(),
	}
}

// repoRoot returns the directory of the livepatch module, which the
// benchmark's fixtures are relative to.
func repoRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("run the benchmarks from inside the livepatch module")
	}
	root := filepath.Dir(gomod)
	if _, err := os.Stat(filepath.Join(root, "integration", "testdata", "hello")); err != nil {
		return "", fmt.Errorf("not the livepatch module: %s", root)
	}
	return root, nil
}

// loadAverage returns the 1, 5 and 15 minute load averages of the machine,
// or "" where /proc/loadavg does not exist.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], " ")
}
