package patcher

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/token"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/tools/go/packages"

	"github.com/livepatch/livepatch/internal/usermod"
)

// Options configures Build.
type Options struct {
	// Dir is the directory the build runs in, as for `go build`; empty means
	// the current directory.
	Dir string
	// Packages are the package patterns to build; empty means ".".
	Packages []string
	// Output is the path of the binary. Empty means what `go build` (or
	// `go test -c`) would choose: the package's base name, or name.test,
	// in Dir.
	Output string
	// Test builds a test binary, as `go test -c`.
	Test bool
	// HoldInTestMain, with Test, adds a TestMain to the package's tests
	// that waits for the host's patches when the binary is started held
	// (hostlink.EnvHold), after every package's init, and then runs the
	// user's TestMain (renamed UserTestMain) or the tests (testmain.go).
	// livepatch test sets it; a debug session's test binary keeps the
	// user's TestMain as written.
	HoldInTestMain bool
	// BuildFlags are passed to go list and go build, before the debug flags
	// `-gcflags=all=-N -l`, which Build always adds last.
	BuildFlags []string
	// Env is added to the process environment for every go command (for
	// example GOOS, GOARCH, CGO_ENABLED, GOFLAGS).
	Env []string
	// Log receives the builder's log, including each skipped function at
	// debug level. Nil discards it.
	Log *slog.Logger
	// Progress, when not nil, receives one line per build phase and what
	// the go command prints while it builds.
	Progress io.Writer
}

// Result is a successful patchable build.
type Result struct {
	// Output is the path of the binary; the manifest is Output+ManifestSuffix.
	Output string
	// Manifest lists every function of the user's packages.
	Manifest *Manifest
	// Skipped lists the functions that carry no prologue, and why.
	Skipped []Skip
	// Reused reports that no input had changed since the last build of the
	// same module and options: Build skipped loading and instrumenting,
	// ran the go command on the previous overlay, and took Manifest and
	// Skipped from that build.
	Reused bool
	// Fset holds the positions of Packages; nil when Reused (use TypeInfo).
	Fset *token.FileSet
	// Packages are the user's packages as loaded and type-checked once for
	// this build (syntax with function bodies, types and type information),
	// sorted by import path; nil when Reused. They must not be modified;
	// the Go prompt reads them to check inputs without loading packages
	// again. TypeInfo returns them after either kind of build.
	Packages []*packages.Package
	// Native reproduces this build's packages for a plugin build (the
	// native tier); nil for a test binary, whose packages under test hold
	// their test files, which a plugin cannot share.
	Native *NativeBuild

	typeInfo *typeInfo           // the background load when Reused
	agentStd []*packages.Package // see AgentPackages
}

// Build builds a patchable debug binary of opts.Packages and writes its
// manifest next to it. The user's files are not modified. On failure
// nothing is written at opts.Output (a previous binary there stays); a
// program that does not compile yields a *BuildError holding the
// compiler's messages. When no input changed since the last successful
// build of the same module and options (see Result.Reused), Build only
// runs the go command again on the previous overlay, which finds the
// binary in the build directory up to date, and falls back to a full
// build when that fails. Build may be called concurrently for different
// modules; concurrent builds of the same module and options share a build
// directory and must be serialized by the caller.
func Build(ctx context.Context, opts Options) (*Result, error) {
	b, err := newBuild(ctx, opts)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	b.progress("loading packages")
	if res, err := b.reusePrevious(ctx); res != nil || err != nil {
		return res, err
	}
	return b.fresh(ctx)
}

// build is one call of Build: its options, made absolute, and what it
// found before loading anything.
type build struct {
	opts     Options
	log      *slog.Logger
	env      []string // the go commands' environment
	mods     *usermod.Modules
	buildDir string
	start    time.Time // of the phase being timed, for the log
}

// newBuild resolves opts.Dir, finds the modules and claims the build
// directory, pruning the ones long unused.
func newBuild(ctx context.Context, opts Options) (*build, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, err
		}
		opts.Dir = wd
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, err
	}
	opts.Dir = dir
	env := append(os.Environ(), opts.Env...)

	mods, err := usermod.Find(ctx, opts.Dir, env)
	if err != nil {
		return nil, err
	}
	buildDir, err := buildDirFor(mods, &opts)
	if err != nil {
		return nil, err
	}
	log.Debug("build directory", "dir", buildDir)
	if err := markUsed(buildDir, time.Now()); err != nil {
		return nil, err
	}
	for _, d := range pruneBuildDirs(filepath.Dir(buildDir), buildDir, keepBuildDirs, recentBuildUse, time.Now()) {
		log.Debug("removed an unused build directory", "dir", d)
	}
	return &build{opts: opts, log: log, env: env, mods: mods, buildDir: buildDir, start: time.Now()}, nil
}

// progress writes one line to opts.Progress, if any.
func (b *build) progress(format string, args ...any) {
	if b.opts.Progress != nil {
		fmt.Fprintf(b.opts.Progress, format+"\n", args...)
	}
}

// reusePrevious returns the result of running the go command on the
// previous overlay when no input changed since the last build, and nil
// with a nil error when a fresh build is needed.
func (b *build) reusePrevious(ctx context.Context) (*Result, error) {
	st := readState(b.buildDir)
	if st == nil {
		return nil, nil
	}
	fp, err := fingerprint(b.mods, &b.opts, b.env, st.Dirs, nil)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	b.log.Debug("fingerprinted the inputs", "took", time.Since(b.start), "reusable", fp == st.Fingerprint)
	if fp != st.Fingerprint {
		return nil, nil
	}
	output := st.Output
	if b.opts.Output != "" {
		output = absOutput(&b.opts)
	}
	b.progress("instrumenting: nothing changed since the last build, reusing its overlay")
	b.progress("building %s", output)
	err = reuse(ctx, st, &b.opts, b.env, output)
	if err == nil {
		b.log.Debug("reused the previous build", "took", time.Since(b.start))
		return &Result{
			Output:   output,
			Manifest: st.Manifest,
			Skipped:  st.Skipped,
			Native:   st.Native,
			Reused:   true,
			typeInfo: loadTypeInfo(ctx, b.opts, b.mods, b.env),
		}, nil
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("build: %w", ctx.Err())
	}
	b.log.Debug("reusing the previous build failed; building from scratch", "err", err)
	b.progress("loading packages")
	return nil, nil
}

// fresh loads and instruments the packages, builds the binary, installs
// it with its manifest and records the build for reuse.
func (b *build) fresh(ctx context.Context) (*Result, error) {
	if err := removeState(b.buildDir); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	l, err := b.load(ctx)
	if err != nil {
		return nil, err
	}
	output, err := outputPath(&b.opts, l)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}

	fp, err := fingerprint(b.mods, &b.opts, b.env, l.userDirs(b.mods), l.parsed)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}

	b.progress("instrumenting %d packages", len(l.user))
	ov, res, err := generate(l, b.mods, b.buildDir, b.log, b.opts.Test && b.opts.HoldInTestMain)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	agentDir := ""
	if !b.mods.Self {
		if agentDir, err = usermod.AgentModuleDir(); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	pl, err := b.mods.Plumb(b.buildDir, agentDir, debugGcflags)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	overlayPath := filepath.Join(b.buildDir, "overlay.json")
	binPath := stableOutput(b.buildDir, output)
	args := append(b.goArgs(pl, binPath, overlayPath), addedFiles(l, ov, &b.opts)...)
	if err := b.compile(ctx, args, append(b.env, pl.Env...), ov, res, overlayPath, binPath, output); err != nil {
		return nil, err
	}

	res.Manifest.Module = b.mods.MainPath
	if m := l.roots[0].Module; m != nil {
		res.Manifest.Module = m.Path
	}
	if err := install(binPath, output, res.Manifest); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if res.Native, err = b.native(pl, overlayPath, l.goFiles(), ov, testedPackage(l.tests, ov)); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	st := &buildState{Fingerprint: fp, Args: args, Env: pl.Env, Output: output, Dirs: l.userDirs(b.mods), Manifest: res.Manifest, Skipped: res.Skipped, Native: res.Native}
	if err := writeState(b.buildDir, st); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res.Output = output
	res.Fset, res.Packages, res.agentStd = l.fset, l.user, l.std
	return res, nil
}

// load loads the packages to instrument. When loading fails, or some
// packages have errors, the go command's plain build decides: its report
// is the error when it fails too, and the broken packages are left
// uninstrumented when it builds.
func (b *build) load(ctx context.Context) (*loaded, error) {
	l, err := load(ctx, &b.opts, b.mods, b.env)
	if err != nil {
		// The go command's own report is the clearer one when it fails too.
		if perr := plainBuild(ctx, &b.opts, b.env); perr != nil {
			return nil, perr
		}
		return nil, fmt.Errorf("build: %w", err)
	}
	b.log.Debug("loaded packages", "user", len(l.user), "std", len(l.std), "took", time.Since(b.start))
	if len(l.roots) == 0 {
		return nil, fmt.Errorf("build: no packages match %s", strings.Join(patterns(&b.opts), " "))
	}
	if broken := brokenPackages(l); len(broken) > 0 {
		// Let the go command report the errors exactly as it does for the
		// user; if it builds after all, go on without the broken packages.
		b.progress("checking the plain build")
		if err := plainBuild(ctx, &b.opts, b.env); err != nil {
			return nil, err
		}
		b.log.Warn("packages with load errors build fine; not instrumenting them", "packages", broken)
	}
	return l, nil
}

// goArgs returns the arguments of the instrumented build's go command.
func (b *build) goArgs(pl *usermod.Plumbing, binPath, overlayPath string) []string {
	args := []string{"build"}
	if b.opts.Test {
		args = []string{"test", "-c", "-vet=off"}
	}
	args = append(args, "-o", binPath, "-overlay", overlayPath)
	args = append(args, pl.Flags...)
	args = append(args, b.opts.BuildFlags...)
	args = append(args, "-gcflags=all="+debugGcflags)
	args = append(args, pl.LateFlags...)
	return append(args, patterns(&b.opts)...)
}

// native returns what a plugin build needs to reproduce this build's
// packages. files are the Go files of the user packages, ov the overlay
// as built; tested, in a test build, the package under test with its
// test files (nativetest.go).
func (b *build) native(pl *usermod.Plumbing, overlayPath string, files []string, ov map[string]string, tested *TestedPackage) (*NativeBuild, error) {
	pinned, err := pinFiles(filepath.Join(b.buildDir, "native-pinned"), files, ov)
	if err != nil {
		return nil, err
	}
	flags := append(append([]string(nil), pl.Flags...), b.opts.BuildFlags...)
	flags = append(append(flags, "-gcflags=all="+debugGcflags), pl.LateFlags...)
	// Only what can change the build: a launch's whole environment (its
	// secrets too) must not land in the build directory's state.
	var env []string
	for _, e := range append(append([]string(nil), b.opts.Env...), pl.Env...) {
		if k, _, _ := strings.Cut(e, "="); strings.HasPrefix(k, "GO") || strings.HasPrefix(k, "CGO_") || k == "CC" || k == "CXX" {
			env = append(env, e)
		}
	}
	return &NativeBuild{Dir: b.opts.Dir, Flags: flags, Env: env, Overlay: overlayPath, BuildDir: b.buildDir, Files: files, Pinned: pinned, Tested: tested}, nil
}

// addedFiles returns the files that the overlay ov adds to a root package
// made of files named on the command line (command-line-arguments), which
// the go command builds from those files alone: the generated files (the
// symbol tables, which start the agent, and the interface wrappers) must be
// named too, relative to opts.Dir as the named files are (the go command
// wants them all in one directory as written). For roots named as packages
// it returns nothing.
func addedFiles(l *loaded, ov map[string]string, opts *Options) []string {
	var added []string
	for _, r := range l.roots {
		if r.PkgPath != "command-line-arguments" || len(r.GoFiles) == 0 {
			continue
		}
		dir := filepath.Dir(r.GoFiles[0])
		named := map[string]bool{}
		for _, f := range r.GoFiles {
			named[f] = true
		}
		for f := range ov {
			if filepath.Dir(f) != dir || named[f] || !strings.HasSuffix(f, ".go") {
				continue
			}
			if ps := patterns(opts); !filepath.IsAbs(ps[0]) {
				base := opts.Dir
				if base == "" {
					base, _ = os.Getwd()
				}
				if rel, err := filepath.Rel(base, f); err == nil {
					f = rel
				}
			}
			added = append(added, f)
		}
	}
	sort.Strings(added)
	return added
}

// compile writes the overlay ov and runs the go command with args until
// it builds binPath. When it fails, the plain program's build decides
// whose fault it is: the user's errors are reported as the go command
// gives them; otherwise what the compiler rejected in the instrumentation
// is left out of ov and res, up to maxRepairs times.
func (b *build) compile(ctx context.Context, args, env []string, ov map[string]string, res *Result, overlayPath, binPath, output string) error {
	for attempt := 0; ; attempt++ {
		ovJSON, err := json.MarshalIndent(struct{ Replace map[string]string }{ov}, "", "\t")
		if err != nil {
			return fmt.Errorf("build: %w", err)
		}
		if err := usermod.WriteIfChanged(overlayPath, ovJSON); err != nil {
			return fmt.Errorf("build: %w", err)
		}
		b.progress("building %s", output)
		b.log.Debug("go", "args", args)
		b.start = time.Now()
		var out bytes.Buffer
		err = runGo(ctx, b.opts.Dir, args, env, &out, b.opts.Progress)
		if err == nil {
			b.log.Debug("built", "took", time.Since(b.start))
			if _, err := os.Stat(binPath); err != nil {
				return fmt.Errorf("build: go %s wrote no binary: %s", args[0], strings.TrimSpace(out.String()))
			}
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("build: %w", ctx.Err())
		}
		// Report the user's own errors when the plain program does not
		// build either; otherwise the instrumentation is at fault: leave
		// out what the compiler rejected and try again.
		if attempt == 0 {
			if perr := plainBuild(ctx, &b.opts, b.env); perr != nil {
				return perr
			}
		}
		repaired := false
		if attempt < maxRepairs {
			if repaired, err = repairOverlay(out.String(), b.opts.Dir, ov, res, b.log); err != nil {
				return fmt.Errorf("build: %w", err)
			}
		}
		if !repaired {
			return fmt.Errorf("build: instrumented build failed (the plain build works; build directory %s):\n%s", b.buildDir, out.String())
		}
	}
}

// runGo runs the go command with args in dir and env, its output going to
// out and its standard error also to progress when that is not nil.
func runGo(ctx context.Context, dir string, args, env []string, out *bytes.Buffer, progress io.Writer) error {
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	// One writer for both streams, so that exec copies them from one pipe
	// with one goroutine: two would write out at the same time.
	var w io.Writer = out
	if progress != nil {
		sw := &syncWriter{w: progress}
		w = io.MultiWriter(out, sw)
		defer remind(sw, slowBuildEvery)() // slowbuild.go
	}
	cmd.Stdout, cmd.Stderr = w, w
	return cmd.Run()
}

// absOutput returns opts.Output, which must be set, made absolute.
func absOutput(opts *Options) string {
	if filepath.IsAbs(opts.Output) {
		return opts.Output
	}
	return filepath.Join(opts.Dir, opts.Output)
}

// outputPath returns the binary's path: opts.Output made absolute, or what
// the go command would choose.
func outputPath(opts *Options, l *loaded) (string, error) {
	if opts.Output != "" {
		return absOutput(opts), nil
	}
	if len(l.roots) != 1 {
		return "", errors.New("several packages: Output must be set")
	}
	r := l.roots[0]
	if opts.Test {
		return filepath.Join(opts.Dir, r.Name+".test"), nil
	}
	if r.Name != "main" {
		return "", fmt.Errorf("%s is not a main package", r.PkgPath)
	}
	base := filepath.Base(r.PkgPath)
	if r.PkgPath == "command-line-arguments" && len(r.GoFiles) > 0 {
		base = strings.TrimSuffix(filepath.Base(r.GoFiles[0]), ".go")
	}
	if strings.HasPrefix(base, "v") && len(r.PkgPath) > len(base) {
		if _, err := fmt.Sscanf(base[1:], "%d", new(int)); err == nil {
			base = filepath.Base(filepath.Dir(r.PkgPath))
		}
	}
	return filepath.Join(opts.Dir, base), nil
}

// debugGcflags are the compiler flags of every debug build.
const debugGcflags = "-N -l"
