package patcher

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// BuildError is returned when the user's program does not build. Output is
// what the go command printed, unchanged: the compiler's messages with the
// user's file paths.
type BuildError struct {
	Output string
	// Hint, when not empty, explains what to do (for example for a missing
	// go.sum entry).
	Hint string
}

// Error returns the go command's output, followed by the hint.
func (e *BuildError) Error() string {
	msg := strings.TrimRight(e.Output, "\n")
	if e.Hint != "" {
		msg += "\n" + e.Hint
	}
	return msg
}

// brokenPackages returns the user packages that did not load or type-check.
func brokenPackages(l *loaded) []string {
	var broken []string
	for _, p := range l.user {
		if len(p.Errors) > 0 {
			broken = append(broken, p.PkgPath)
		}
	}
	for _, p := range l.roots {
		if len(p.Errors) > 0 && !slices.Contains(broken, p.PkgPath) {
			broken = append(broken, p.PkgPath)
		}
	}
	return broken
}

// plainBuild runs the user's build without instrumentation, writing nothing
// the user keeps, and returns a *BuildError with the go command's output
// when it fails.
func plainBuild(ctx context.Context, opts *Options, env []string) error {
	tmp, err := os.MkdirTemp("", "livepatch-plain-")
	if err != nil {
		return fmt.Errorf("plain build: %w", err)
	}
	defer os.RemoveAll(tmp)
	args := []string{"build", "-o", filepath.Join(tmp, "out")}
	if opts.Test {
		args = []string{"test", "-c", "-vet=off", "-o", filepath.Join(tmp, "out")}
	}
	args = append(args, opts.BuildFlags...)
	args = append(args, "-gcflags=all="+debugGcflags)
	args = append(args, patterns(opts)...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = opts.Dir
	cmd.Env = env
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("plain build: %w", ctx.Err())
		}
		return &BuildError{Output: out.String(), Hint: hintFor(out.String(), opts.Dir)}
	}
	return nil
}

// hintFor explains well-known go command failures.
func hintFor(output, dir string) string {
	if strings.Contains(output, "missing go.sum entry") {
		return fmt.Sprintf("livepatch: go.sum lacks entries the build needs; run `go mod tidy` (or the `go get` command above) in %s, then build again", dir)
	}
	return ""
}
