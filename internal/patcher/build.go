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
	"strings"
	"time"

	"golang.org/x/tools/go/packages"
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

	typeInfo *typeInfo // the background load when Reused
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
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Dir == "" {
		wd, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		opts.Dir = wd
	}
	dir, err := filepath.Abs(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	opts.Dir = dir
	env := append(os.Environ(), opts.Env...)
	progress := func(format string, args ...any) {
		if opts.Progress != nil {
			fmt.Fprintf(opts.Progress, format+"\n", args...)
		}
	}

	mods, err := findModules(ctx, opts.Dir, env)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	buildDir, err := buildDirFor(mods, &opts)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	log.Debug("build directory", "dir", buildDir)
	if err := markUsed(buildDir, time.Now()); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	for _, d := range pruneBuildDirs(filepath.Dir(buildDir), buildDir, keepBuildDirs, recentBuildUse, time.Now()) {
		log.Debug("removed an unused build directory", "dir", d)
	}

	start := time.Now()
	progress("loading packages")
	st := readState(buildDir)
	if st != nil {
		fp, err := fingerprint(mods, &opts, env, st.Dirs, nil)
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		log.Debug("fingerprinted the inputs", "took", time.Since(start), "reusable", fp == st.Fingerprint)
		if fp != st.Fingerprint {
			st = nil
		}
	}
	if st != nil {
		output := st.Output
		if opts.Output != "" {
			output = absOutput(&opts)
		}
		progress("instrumenting: nothing changed since the last build, reusing its overlay")
		progress("building %s", output)
		err := reuse(ctx, st, &opts, env, output)
		if err == nil {
			log.Debug("reused the previous build", "took", time.Since(start))
			return &Result{
				Output:   output,
				Manifest: st.Manifest,
				Skipped:  st.Skipped,
				Reused:   true,
				typeInfo: loadTypeInfo(ctx, opts, mods, env),
			}, nil
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("build: %w", ctx.Err())
		}
		log.Debug("reusing the previous build failed; building from scratch", "err", err)
		progress("loading packages")
	}
	if err := removeState(buildDir); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	l, err := load(ctx, &opts, mods, env)
	if err != nil {
		// The go command's own report is the clearer one when it fails too.
		if perr := plainBuild(ctx, &opts, env); perr != nil {
			return nil, perr
		}
		return nil, fmt.Errorf("build: %w", err)
	}
	log.Debug("loaded packages", "user", len(l.user), "std", len(l.std), "took", time.Since(start))
	if len(l.roots) == 0 {
		return nil, fmt.Errorf("build: no packages match %s", strings.Join(patterns(&opts), " "))
	}
	if broken := brokenPackages(l); len(broken) > 0 {
		// Let the go command report the errors exactly as it does for the
		// user; if it builds after all, go on without the broken packages.
		progress("checking the plain build")
		if err := plainBuild(ctx, &opts, env); err != nil {
			return nil, err
		}
		log.Warn("packages with load errors build fine; not instrumenting them", "packages", broken)
	}
	output, err := outputPath(&opts, l)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}

	fp, err := fingerprint(mods, &opts, env, l.userDirs(mods), l.parsed)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}

	progress("instrumenting %d packages", len(l.user))
	ov, res, err := generate(l, mods, buildDir, log)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	agentDir := ""
	if !mods.self {
		if agentDir, err = agentModuleDir(); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
	}
	pl, err := mods.plumb(buildDir, agentDir)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	overlayPath := filepath.Join(buildDir, "overlay.json")
	binPath := stableOutput(buildDir, output)
	args := []string{"build"}
	if opts.Test {
		args = []string{"test", "-c", "-vet=off"}
	}
	args = append(args, "-o", binPath, "-overlay", overlayPath)
	args = append(args, pl.flags...)
	args = append(args, opts.BuildFlags...)
	args = append(args, "-gcflags=all="+debugGcflags)
	args = append(args, pl.lateFlags...)
	args = append(args, patterns(&opts)...)
	for attempt := 0; ; attempt++ {
		ovJSON, err := json.MarshalIndent(struct{ Replace map[string]string }{ov}, "", "\t")
		if err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		if err := writeIfChanged(overlayPath, ovJSON); err != nil {
			return nil, fmt.Errorf("build: %w", err)
		}
		progress("building %s", output)
		log.Debug("go", "args", args)
		start = time.Now()
		var out bytes.Buffer
		err = runGo(ctx, opts.Dir, args, append(env, pl.env...), &out, opts.Progress)
		if err == nil {
			log.Debug("built", "took", time.Since(start))
			if _, err := os.Stat(binPath); err != nil {
				return nil, fmt.Errorf("build: go %s wrote no binary: %s", args[0], strings.TrimSpace(out.String()))
			}
			break
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("build: %w", ctx.Err())
		}
		// Report the user's own errors when the plain program does not
		// build either; otherwise the instrumentation is at fault: leave
		// out what the compiler rejected and try again.
		if attempt == 0 {
			if perr := plainBuild(ctx, &opts, env); perr != nil {
				return nil, perr
			}
		}
		repaired := false
		if attempt < maxRepairs {
			if repaired, err = repairOverlay(out.String(), opts.Dir, ov, res, log); err != nil {
				return nil, fmt.Errorf("build: %w", err)
			}
		}
		if !repaired {
			return nil, fmt.Errorf("build: instrumented build failed (the plain build works; build directory %s):\n%s", buildDir, out.String())
		}
	}

	res.Manifest.Module = mods.mainPath
	if m := l.roots[0].Module; m != nil {
		res.Manifest.Module = m.Path
	}
	if err := install(binPath, output, res.Manifest); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	st = &buildState{Fingerprint: fp, Args: args, Env: pl.env, Output: output, Dirs: l.userDirs(mods), Manifest: res.Manifest, Skipped: res.Skipped}
	if err := writeState(buildDir, st); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res.Output = output
	res.Fset, res.Packages = l.fset, l.user
	return res, nil
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
		w = io.MultiWriter(out, progress)
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
