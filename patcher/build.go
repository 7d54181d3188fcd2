package patcher

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
}

// Build builds a patchable debug binary of opts.Packages and writes its
// manifest next to it. The user's files are not modified. On failure
// nothing is written at opts.Output (a previous binary there stays); a
// program that does not compile yields a *BuildError holding the
// compiler's messages. Build may be called concurrently for different
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

	start := time.Now()
	progress("loading packages")
	l, err := load(ctx, &opts, mods, env)
	if err != nil {
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
	modFlags, modEnv, err := mods.plumb(buildDir, agentDir)
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	overlayPath := filepath.Join(buildDir, "overlay.json")
	tmpDir, err := os.MkdirTemp(filepath.Dir(output), ".livepatch-build-")
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	defer os.RemoveAll(tmpDir)
	tmpOut := filepath.Join(tmpDir, filepath.Base(output))
	args := []string{"build"}
	if opts.Test {
		args = []string{"test", "-c", "-vet=off"}
	}
	args = append(args, "-o", tmpOut, "-overlay", overlayPath)
	args = append(args, modFlags...)
	args = append(args, opts.BuildFlags...)
	args = append(args, "-gcflags=all=-N -l")
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
		cmd := exec.CommandContext(ctx, "go", args...)
		cmd.Dir = opts.Dir
		cmd.Env = append(env, modEnv...)
		cmd.WaitDelay = 5 * time.Second
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = &out
		if opts.Progress != nil {
			cmd.Stderr = io.MultiWriter(&out, opts.Progress)
		}
		err = cmd.Run()
		if err == nil {
			log.Debug("built", "took", time.Since(start))
			if _, err := os.Stat(tmpOut); err != nil {
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
			if repaired, err = repairOverlay(out.String(), ov, res, log); err != nil {
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
	mjson, err := json.MarshalIndent(res.Manifest, "", "\t")
	if err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if err := os.WriteFile(filepath.Join(tmpDir, "manifest"), mjson, 0o644); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if err := os.Rename(tmpOut, output); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	if err := os.Rename(filepath.Join(tmpDir, "manifest"), output+ManifestSuffix); err != nil {
		return nil, fmt.Errorf("build: %w", err)
	}
	res.Output = output
	return res, nil
}

// outputPath returns the binary's path: opts.Output made absolute, or what
// the go command would choose.
func outputPath(opts *Options, l *loaded) (string, error) {
	if opts.Output != "" {
		if filepath.IsAbs(opts.Output) {
			return opts.Output, nil
		}
		return filepath.Join(opts.Dir, opts.Output), nil
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
