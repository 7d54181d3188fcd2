package repatch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/change"
	"github.com/livepatch/livepatch/internal/patcher"
)

// Options configures Run.
type Options struct {
	// Dir is the directory the go commands run in; empty means the
	// current directory.
	Dir string
	// Packages are the package patterns to test; empty means ".".
	Packages []string
	// All replaces every patchable function of the packages under test.
	All bool
	// Functions, when All is false, names the functions to replace: keys
	// ("example.com/m/pkg.(*T).M") or names within their package
	// ("(*T).M", "F"). With neither, the tests run in the patchable build
	// with nothing replaced.
	Functions []string
	// TestFlags are go test flags (-run, -short, -count, -timeout, -tags
	// ...) for both runs.
	TestFlags []string
	// Env is added to the environment of the go commands and the test
	// binaries.
	Env []string
	// Tier is the tier the replaced functions run in: TierInterpreted
	// (or empty), or TierNative, where each function the native tier
	// takes is compiled into a plugin that the test binary loads before
	// its tests run, and the others run interpreted.
	Tier string
	// Log receives the log of Run and of the patchable builder; nil
	// discards it.
	Log *slog.Logger
	// Progress, when not nil, receives a line per step.
	Progress io.Writer
}

// listedPackage is what Run needs of `go list`.
type listedPackage struct {
	ImportPath   string
	Dir          string
	TestGoFiles  []string
	XTestGoFiles []string
}

// Run tests opts.Packages natively with `go test -json` and then, package
// by package, with every patchable function replaced by its interpreted
// self (see the package comment), and reports both. An error means that
// nothing could be compared (the packages do not list, the native run
// could not start); a package that cannot be run repatched has its
// PackageReport.Error set instead.
func Run(ctx context.Context, opts Options) (*Report, error) {
	opts, err := withDefaults(opts)
	if err != nil {
		return nil, fmt.Errorf("repatch: %w", err)
	}
	binArgs, buildFlags, err := splitTestFlags(opts.TestFlags)
	if err != nil {
		return nil, fmt.Errorf("repatch: %w", err)
	}
	rep, paths, err := testedPackages(ctx, opts, buildFlags)
	if err != nil {
		return nil, fmt.Errorf("repatch: %w", err)
	}
	rep.Tier = opts.Tier
	if len(paths) == 0 {
		return rep, nil
	}

	progress(opts, "go test %s (native)", strings.Join(paths, " "))
	native, err := runNative(ctx, opts, paths)
	if err != nil {
		return nil, fmt.Errorf("repatch: %w", err)
	}
	tmp, err := os.MkdirTemp("", "livepatch-repatch-")
	if err != nil {
		return nil, fmt.Errorf("repatch: %w", err)
	}
	defer os.RemoveAll(tmp)
	for i, pr := range rep.Packages {
		if r := native[pr.Path]; r != nil {
			pr.Native = *r
		}
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("repatch: %w", err)
		}
		bin := filepath.Join(tmp, fmt.Sprintf("pkg%d.test", i))
		runRepatched(ctx, opts, pr, bin, binArgs, buildFlags)
	}
	return rep, nil
}

// withDefaults returns opts with its empty Log, Dir and Packages set to
// their defaults.
func withDefaults(opts Options) (Options, error) {
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	if opts.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return opts, err
		}
		opts.Dir = wd
	}
	if len(opts.Packages) == 0 {
		opts.Packages = []string{"."}
	}
	switch opts.Tier {
	case "":
		opts.Tier = TierInterpreted
	case TierInterpreted, TierNative:
	default:
		return opts, fmt.Errorf("tier %q: want %s or %s", opts.Tier, TierInterpreted, TierNative)
	}
	return opts, nil
}

// testedPackages lists opts.Packages and returns a report with an entry
// for each package that has test files, and their import paths.
func testedPackages(ctx context.Context, opts Options, buildFlags []string) (*Report, []string, error) {
	pkgs, err := listPackages(ctx, opts, buildFlags)
	if err != nil {
		return nil, nil, err
	}
	rep := &Report{}
	var paths []string
	for _, p := range pkgs {
		if len(p.TestGoFiles)+len(p.XTestGoFiles) == 0 {
			opts.Log.Debug("no test files", "package", opts.Packages)
			continue
		}
		rep.Packages = append(rep.Packages, &PackageReport{Path: p.ImportPath, Dir: p.Dir})
		paths = append(paths, p.ImportPath)
	}
	return rep, paths, nil
}

// runRepatched builds pr's test binary patchably at bin, runs its tests
// with the patch set replaced and records the outcome in pr: the results
// and regressions, or the error that stopped it.
func runRepatched(ctx context.Context, opts Options, pr *PackageReport, bin string, binArgs, buildFlags []string) {
	progress(opts, "%s: building the test binary patchably", pr.Path)
	res, err := patcher.Build(ctx, patcher.Options{
		Dir: opts.Dir, Packages: []string{pr.Path}, Output: bin, Test: true, HoldInTestMain: true,
		BuildFlags: buildFlags, Env: opts.Env, Log: opts.Log.With("component", "patcher"),
	})
	if err != nil {
		pr.Error = err.Error()
		return
	}
	ck := change.NewChecker(opts.Log.With("component", "prompt"))
	ck.UseBuild(res)
	set, refused, checked := patchSet(ctx, ck, res.Manifest, pr.Path, opts.All, opts.Functions)
	pr.Refused = refused
	nr := startNative(ctx, opts, pr, res, set, checked) // native.go
	defer nr.close()
	seen := &faults{}
	for run := 1; ; run++ {
		progress(opts, "%s: running the tests with %d functions replaced", pr.Path, len(set))
		r := heldRun{
			bin: res.Output, dir: pr.Dir, pkg: pr.Path, env: opts.Env,
			args: append([]string{"-test.paniconexit0"}, binArgs...), patches: set, log: opts.Log, faults: seen,
		}
		nr.prepare(&r)
		results, replaced, agentRefused, err := runHeld(ctx, r)
		pr.Replaced = replaced
		nr.record(pr)
		if err != nil {
			pr.Refused = append(pr.Refused, agentRefused...)
			pr.Error = err.Error()
			return
		}
		// A function in which the interpreter failed stays compiled, and
		// the tests are judged again without it.
		var faulted []Refusal
		set, faulted = seen.take(set, pr.Path)
		pr.Refused = append(pr.Refused, faulted...)
		if len(faulted) == 0 || run == maxFaultRuns {
			pr.Refused = append(pr.Refused, agentRefused...)
			pr.Replaced = without(replaced, faulted)
			nr.record(pr)
			if diedEarly(pr.Native, results, nil) {
				progress(opts, "%s: the test binary died while tests ran (%s): running the unfinished ones again without the one that died", pr.Path, deathText(results))
				r.faults, r.patches = nil, set
				results = finishDied(ctx, r, pr, results)
			}
			pr.Repatched = results
			pr.Regressions = regressions(pr.Native, pr.Repatched, pr.Slow, pr.Limits)
			if len(pr.Regressions) > 0 {
				progress(opts, "%s: %d tests pass natively and fail repatched: running them again without patches", pr.Path, len(pr.Regressions))
				pr.Regressions, pr.BuildDifferences = buildDifferences(ctx, r, pr.Regressions) // builddiff.go
			}
			return
		}
		progress(opts, "%s: the interpreter failed in %d functions at run time: running the tests again with them compiled", pr.Path, len(faulted))
	}
}

// without returns keys less those of refused.
func without(keys []string, refused []Refusal) []string {
	drop := map[string]bool{}
	for _, r := range refused {
		drop[r.Key] = true
	}
	var out []string
	for _, k := range keys {
		if !drop[k] {
			out = append(out, k)
		}
	}
	return out
}

// progress writes one line to opts.Progress.
func progress(opts Options, format string, args ...any) {
	if opts.Progress != nil {
		fmt.Fprintf(opts.Progress, "livepatch test: "+format+"\n", args...)
	}
}

// listPackages lists opts.Packages with go list.
func listPackages(ctx context.Context, opts Options, buildFlags []string) ([]listedPackage, error) {
	args := append([]string{"list", "-json=ImportPath,Dir,TestGoFiles,XTestGoFiles"}, buildFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, opts.Packages...)...)
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), opts.Env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, nil
}

// runNative runs `go test -json` on paths and returns each package's results.
func runNative(ctx context.Context, opts Options, paths []string) (map[string]*Results, error) {
	args := []string{"test", "-json"}
	if !hasFlag(opts.TestFlags, "count") {
		args = append(args, "-count=1") // run, not a cached replay
	}
	args = append(args, opts.TestFlags...)
	cmd := exec.CommandContext(ctx, "go", append(args, paths...)...)
	cmd.Dir = opts.Dir
	cmd.Env = append(os.Environ(), opts.Env...)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("go test: %w", err)
	}
	res, rerr := readEvents(out, "")
	werr := cmd.Wait()
	if rerr != nil {
		return nil, fmt.Errorf("go test: %w", rerr)
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return nil, fmt.Errorf("go test: %w", werr)
	}
	if len(res) == 0 && werr != nil {
		return nil, fmt.Errorf("go test: %w: %s", werr, strings.TrimSpace(stderr.String()))
	}
	return res, nil
}

// hasFlag reports whether flags set the go test flag called name, in
// either of its forms (-count, -test.count).
func hasFlag(flags []string, name string) bool {
	for _, f := range flags {
		n, _, _ := flagName(f)
		if strings.HasPrefix(f, "-") && n == name {
			return true
		}
	}
	return false
}
