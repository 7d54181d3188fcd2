// Command bench measures livepatch against plain Delve and prints a table:
// the latency the DAP proxy adds to requests (issue 2), and for the
// patchable builder (issue 3) the warm start to the first breakpoint, the
// cold build time and binary size on a small and a large program, and the
// cost of an unpatched dispatch prologue per call; the round trip of an
// evaluate at the Go prompt, on Delve's path and through the agent; and for
// live patching (issue 5) the time from saving a file to the change being
// live, running and paused, against the same edit applied by rebuilding
// and relaunching, and the cost per call of a patched function.
//
// Run it from the repository root (`make bench` does):
//
//	go run ./integration/bench                 # everything, as a table
//	go run ./integration/bench -only=proxy     # one or more parts
//	go run ./integration/bench -md             # markdown, for docs/BENCHMARKS.md
//	go run ./integration/bench -json           # machine-readable
//
// Parts: proxy, start, build (cold builds), size, prologue, prompt, save
// (save to live and the restart way), patchcall (patched call cost).
// Programs for start, build, size and save: counter (examples/counter) and
// dlv (Delve's cmd/dlv, copied from the module cache into a temporary
// module); save edits copies only. Progress goes to stderr, the report to
// stdout. The go commands run with GOPROXY=off unless GOPROXY is set:
// everything comes from the module cache.
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
)

// logFunc reports progress.
type logFunc func(format string, args ...any)

var parts = []string{"proxy", "start", "build", "size", "prologue", "prompt", "save", "patchcall"}

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

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("only", strings.Join(parts, ","), "comma-separated `parts` to run: "+strings.Join(parts, ", "))
	programs := fs.String("programs", "counter,dlv", "comma-separated `programs` for start, build, size and save: counter, dlv")
	n := fs.Int("n", 300, "timed round trips per request type and server (proxy), and per input (prompt)")
	warmup := fs.Int("warmup", 30, "untimed round trips before them (proxy, prompt)")
	starts := fs.Int("starts", 5, "timed warm starts per program and debugger (start)")
	cold := fs.Int("cold", 3, "cold builds per program and builder (build)")
	prologueRuns := fs.Int("prologue-runs", 6, "runs of the prologue benchmarks per build (prologue, patchcall)")
	benchtime := fs.String("benchtime", "300ms", "-test.benchtime of the prologue benchmarks (prologue, patchcall)")
	saves := fs.Int("saves", 40, "timed saves per program, target state and quiet period (save)")
	saveWarmup := fs.Int("save-warmup", 3, "untimed saves before them (save)")
	restarts := fs.Int("restarts", 5, "timed restarts per program, the restart way (save)")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	asMD := fs.Bool("md", false, "print the report as markdown")
	quiet := fs.Bool("q", false, "no progress on stderr")
	timeout := fs.Duration("timeout", 30*time.Minute, "give up after `d`")
	render := fs.String("render", "", "run nothing: print the report saved with -json in `file` (as text, or with -md)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " "))
	}
	if *render != "" {
		rep, err := readReport(*render)
		if err != nil {
			return err
		}
		return rep.write(stdout, *asJSON, *asMD)
	}
	selected := map[string]bool{}
	for p := range strings.SplitSeq(*only, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !slices.Contains(parts, p) {
			return fmt.Errorf("unknown part %q (parts: %s)", p, strings.Join(parts, ", "))
		}
		selected[p] = true
	}
	logf := func(format string, args ...any) {
		if !*quiet {
			fmt.Fprintf(stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
		}
	}

	ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, *timeout)
	defer cancelTimeout()

	if _, ok := os.LookupEnv("GOPROXY"); !ok {
		os.Setenv("GOPROXY", "off")
	}
	root, err := repoRoot(ctx)
	if err != nil {
		return err
	}
	goVersion, _ := exec.CommandContext(ctx, "go", "env", "GOVERSION").Output()
	rep := &Report{
		Date:      time.Now().UTC().Format("2006-01-02 15:04 MST"),
		Command:   strings.TrimSpace("go run ./integration/bench " + strings.Join(args, " ")),
		GoVersion: strings.TrimSpace(string(goVersion)),
		Platform:  runtime.GOOS + "/" + runtime.GOARCH,
		CPUs:      runtime.NumCPU(),
		LoadStart: loadAverage(),
	}
	fail := func(err error) {
		logf("FAILED: %v", err)
		rep.Errors = append(rep.Errors, err.Error())
	}

	if selected["proxy"] {
		rows, err := benchLatency(ctx, latencyOptions{root: root, n: *n, warmup: *warmup}, logf)
		if err != nil {
			fail(err)
		}
		rep.Latency = rows
	}

	if selected["start"] || selected["build"] || selected["size"] {
		var progs []*program
		for name := range strings.SplitSeq(*programs, ",") {
			var p *program
			var err error
			switch strings.TrimSpace(name) {
			case "counter":
				p, err = counterProgram(ctx, root)
			case "dlv":
				logf("copying delve's module from the module cache")
				p, err = delveProgram(ctx, os.TempDir())
				if p != nil {
					defer os.RemoveAll(p.modDir)
				}
			case "":
				continue
			default:
				err = fmt.Errorf("unknown program %q (programs: counter, dlv)", name)
			}
			if err != nil {
				fail(err)
				continue
			}
			progs = append(progs, p)
			rep.Programs = append(rep.Programs, p.info())
		}
		for _, p := range progs {
			if selected["start"] {
				row, err := benchStart(ctx, p, *starts, logf)
				if err != nil {
					fail(err)
				} else {
					rep.Start = append(rep.Start, row)
				}
			}
			if selected["size"] {
				row, warm, err := benchSize(ctx, p, logf)
				if err != nil {
					fail(err)
				} else {
					rep.Size = append(rep.Size, row)
					rep.WarmBuild = append(rep.WarmBuild, warm)
				}
			}
			if selected["build"] {
				row, err := benchColdBuild(ctx, p, *cold, logf)
				if err != nil {
					fail(err)
				} else {
					rep.Build = append(rep.Build, row)
				}
			}
		}
	}

	if selected["prologue"] {
		rows, err := benchPrologue(ctx, root, *prologueRuns, *benchtime, logf)
		if err != nil {
			fail(err)
		}
		rep.Prologue = rows
	}

	if selected["prompt"] {
		rows, err := benchPrompt(ctx, promptOptions{root: root, n: *n, warmup: *warmup}, logf)
		if err != nil {
			fail(err)
		}
		rep.Prompt = rows
	}

	if selected["save"] {
		for name := range strings.SplitSeq(*programs, ",") {
			var p *saveProgram
			var err error
			switch strings.TrimSpace(name) {
			case "counter":
				p, err = counterSaveProgram(ctx, root, os.TempDir())
			case "dlv":
				logf("save: copying delve's module from the module cache")
				p, err = delveSaveProgram(ctx, os.TempDir())
			case "":
				continue
			default:
				err = fmt.Errorf("unknown program %q (programs: counter, dlv)", name)
			}
			if err != nil {
				fail(err)
				continue
			}
			rep.SavePrograms = append(rep.SavePrograms, p.info())
			rows, restart, err := benchSave(ctx, p, saveOptions{saves: *saves, warmup: *saveWarmup, restarts: *restarts}, logf)
			p.cleanup()
			rep.Save = append(rep.Save, rows...)
			if err != nil {
				fail(err)
				continue
			}
			rep.Restart = append(rep.Restart, restart)
		}
	}

	if selected["patchcall"] {
		rows, err := benchPatchCall(ctx, root, *prologueRuns, *benchtime, logf)
		if err != nil {
			fail(err)
		}
		rep.PatchCall = rows
	}

	rep.LoadEnd = loadAverage()
	if err := rep.write(stdout, *asJSON, *asMD); err != nil {
		return err
	}
	if len(rep.Errors) > 0 {
		return errors.New("some parts failed")
	}
	return nil
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
