package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/patcher"
)

// plainBuild builds p as `dlv debug` does, into output.
func plainBuild(ctx context.Context, p *program, output string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", output, "-gcflags", "all=-N -l", p.pkgDir)
	cmd.Dir = p.modDir
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s: %w\n%s", p.name, err, strings.TrimSpace(out.String()))
	}
	return nil
}

// patchBuild builds p as `livepatch debug` does, into output; progress
// may be nil.
func patchBuild(ctx context.Context, p *program, output string, progress io.Writer) (*patcher.Result, error) {
	res, err := patcher.Build(ctx, patcher.Options{Dir: p.modDir, Packages: []string{p.pkgDir}, Output: output, Progress: progress})
	if err != nil {
		return nil, fmt.Errorf("patchable build of %s: %w", p.name, err)
	}
	return res, nil
}

// withColdCaches runs f with GOCACHE and XDG_CACHE_HOME (where the
// patcher keeps its build directories) set to new empty directories, in
// this process's environment, and restores them after. No other part may
// run while f does.
func withColdCaches(f func() error) error {
	dir, err := os.MkdirTemp("", "livepatch-bench-cold-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	for _, v := range []string{"GOCACHE", "XDG_CACHE_HOME"} {
		old, had := os.LookupEnv(v)
		if err := os.Setenv(v, filepath.Join(dir, v)); err != nil {
			return err
		}
		defer func() {
			if had {
				os.Setenv(v, old)
			} else {
				os.Unsetenv(v)
			}
		}()
	}
	return f()
}

// benchColdBuild times builds of p with empty caches, plainly and
// patchably, alternating, runs times each.
func benchColdBuild(ctx context.Context, p *program, runs int, logf logFunc) (BuildRow, error) {
	row := BuildRow{Program: p.name, Runs: runs}
	tmp, err := os.MkdirTemp("", "livepatch-bench-build-")
	if err != nil {
		return row, err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, p.name)
	for i := 0; i < runs; i++ {
		for _, patchable := range []bool{i%2 == 1, i%2 == 0} {
			var took time.Duration
			err := withColdCaches(func() error {
				start := time.Now()
				var err error
				if patchable {
					_, err = patchBuild(ctx, p, out, nil)
				} else {
					err = plainBuild(ctx, p, out)
				}
				took = time.Since(start)
				return err
			})
			if err != nil {
				return row, fmt.Errorf("cold build: %w", err)
			}
			kind := "plain"
			if patchable {
				kind = "patchable"
				row.PatchAll = append(row.PatchAll, seconds(took))
			} else {
				row.PlainAll = append(row.PlainAll, seconds(took))
			}
			logf("cold build: %s: run %d/%d %s: %.1fs", p.name, i+1, runs, kind, seconds(took))
		}
	}
	row.PlainS, row.PatchS = median(row.PlainAll), median(row.PatchAll)
	row.Ratio = row.PatchS / row.PlainS
	return row, nil
}

// benchSize builds p plainly and patchably with warm caches (after one
// untimed build of each) and compares the binaries' sizes and the build
// times, with the patchable build's phases. Both builds link: neither
// finds an up-to-date binary at its output path.
func benchSize(ctx context.Context, p *program, logf logFunc) (SizeRow, WarmBuildRow, error) {
	row := SizeRow{Program: p.name, TargetMB: 12}
	warm := WarmBuildRow{Program: p.name}
	tmp, err := os.MkdirTemp("", "livepatch-bench-size-")
	if err != nil {
		return row, warm, err
	}
	defer os.RemoveAll(tmp)
	plainOut, patchOut := filepath.Join(tmp, "plain"), filepath.Join(tmp, "patchable")
	logf("size: building %s plainly and patchably, twice", p.name)
	var res *patcher.Result
	var clock *phaseClock
	for i := 0; i < 2; i++ {
		// Without a binary at the output path the go command links anew,
		// as for `dlv debug`, which removes its binary after the session;
		// patcher.Build always links into a new temporary directory.
		for _, f := range []string{plainOut, patchOut} {
			if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return row, warm, fmt.Errorf("size: %w", err)
			}
		}
		start := time.Now()
		if err := plainBuild(ctx, p, plainOut); err != nil {
			return row, warm, fmt.Errorf("size: %w", err)
		}
		warm.PlainS = seconds(time.Since(start))
		clock = newPhaseClock()
		if res, err = patchBuild(ctx, p, patchOut, clock); err != nil {
			return row, warm, fmt.Errorf("size: %w", err)
		}
		end := time.Now()
		warm.PatchS = seconds(end.Sub(clock.start))
		load, instrument, build := clock.durations(end)
		warm.LoadS, warm.InstrumentS, warm.GoBuildS = seconds(load), seconds(instrument), seconds(build)
	}
	warm.Ratio = warm.PatchS / warm.PlainS
	for _, f := range res.Manifest.Functions {
		if f.Patchable {
			row.Patchable++
		} else {
			row.Unpatchable++
		}
	}
	for _, x := range []struct {
		path string
		n    *int64
	}{{plainOut, &row.PlainBytes}, {res.Output, &row.PatchBytes}} {
		st, err := os.Stat(x.path)
		if err != nil {
			return row, warm, fmt.Errorf("size: %w", err)
		}
		*x.n = st.Size()
	}
	row.AddedMB = float64(row.PatchBytes-row.PlainBytes) / (1 << 20)
	row.Ratio = float64(row.PatchBytes) / float64(row.PlainBytes)
	return row, warm, nil
}
