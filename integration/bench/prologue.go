package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/patcher"
)

// benchPrologue builds the prologue fixture's test binary plainly and
// patchably (both -N -l, nothing patched), runs its benchmarks runs times
// each, alternating between the binaries, and compares median ns per call.
func benchPrologue(ctx context.Context, root string, runs int, benchtime string, logf logFunc) ([]PrologueRow, error) {
	dir := prologueDir(root)
	tmp, err := os.MkdirTemp("", "livepatch-bench-prologue-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	logf("prologue: building the fixture plainly and patchably")
	plain, patched, _, err := buildPrologue(ctx, dir, tmp)
	if err != nil {
		return nil, fmt.Errorf("prologue: %w", err)
	}

	type sample struct{ ns, allocs []float64 }
	results := map[bool]map[string]*sample{false: {}, true: {}}
	var names []string
	for i := 0; i < runs; i++ {
		for _, patchable := range []bool{i%2 == 1, i%2 == 0} {
			bin := plain
			if patchable {
				bin = patched
			}
			cmd := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.bench", ".", "-test.benchmem",
				"-test.benchtime", benchtime, "-test.count", "1")
			cmd.Dir = dir
			cmd.WaitDelay = 5 * time.Second
			out, err := cmd.CombinedOutput()
			if err != nil {
				return nil, fmt.Errorf("prologue: %s: %w\n%s", filepath.Base(bin), err, out)
			}
			got, err := parseBench(out)
			if err != nil {
				return nil, fmt.Errorf("prologue: %s: %w", filepath.Base(bin), err)
			}
			for _, b := range got {
				s := results[patchable][b.name]
				if s == nil {
					s = &sample{}
					results[patchable][b.name] = s
					names = appendNew(names, b.name)
				}
				s.ns = append(s.ns, b.ns)
				s.allocs = append(s.allocs, b.allocs)
			}
		}
		logf("prologue: run %d/%d done", i+1, runs)
	}
	var rows []PrologueRow
	for _, name := range names {
		p, q := results[false][name], results[true][name]
		if p == nil || q == nil {
			return nil, fmt.Errorf("prologue: benchmark %s ran in one build only", name)
		}
		rows = append(rows, PrologueRow{
			Benchmark: name, Runs: runs,
			PlainNs: median(p.ns), PatchNs: median(q.ns), AddedNs: median(q.ns) - median(p.ns),
			PlainAllocs: median(p.allocs), PatchAllocs: median(q.allocs), TargetNs: 2,
		})
	}
	return rows, nil
}

// prologueDir is the directory of the prologue fixture.
func prologueDir(root string) string {
	return filepath.Join(root, "integration", "bench", "testdata", "prologue")
}

// buildPrologue builds the test binary of the prologue fixture in dir
// into tmp, plainly (go test -c -gcflags='all=-N -l') and patchably
// (patcher.Build with Test), and returns both paths and the patchable
// build's result.
func buildPrologue(ctx context.Context, dir, tmp string) (plain, patched string, res *patcher.Result, err error) {
	plain, patched = filepath.Join(tmp, "plain.test"), filepath.Join(tmp, "patchable.test")
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-vet=off", "-o", plain, "-gcflags", "all=-N -l", ".")
	cmd.Dir = dir
	cmd.WaitDelay = 5 * time.Second
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", "", nil, fmt.Errorf("go test -c: %w\n%s", err, out)
	}
	res, err = patcher.Build(ctx, patcher.Options{Dir: dir, Packages: []string{"."}, Test: true, Output: patched})
	if err != nil {
		return "", "", nil, fmt.Errorf("patchable build: %w", err)
	}
	instrumented := 0
	for _, f := range res.Manifest.Functions {
		if f.Patchable {
			instrumented++
		}
	}
	if instrumented == 0 {
		return "", "", nil, fmt.Errorf("the patchable build instrumented no function")
	}
	return plain, patched, res, nil
}

func appendNew(xs []string, x string) []string {
	for _, y := range xs {
		if y == x {
			return xs
		}
	}
	return append(xs, x)
}

// benchLine is one result line of `go test -bench -benchmem`.
type benchLine struct {
	name       string
	ns, allocs float64
}

// parseBench reads the results of a test binary run with -test.bench and
// -test.benchmem.
func parseBench(out []byte) ([]benchLine, error) {
	var lines []benchLine
	for l := range strings.SplitSeq(string(out), "\n") {
		f := strings.Fields(l)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		b := benchLine{name: strings.TrimPrefix(f[0], "Benchmark")}
		if i := strings.LastIndexByte(b.name, '-'); i > 0 {
			b.name = b.name[:i]
		}
		for i := 2; i+1 < len(f); i++ {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ns/op":
				b.ns = v
			case "allocs/op":
				b.allocs = v
			}
		}
		lines = append(lines, b)
	}
	if len(lines) == 0 {
		return nil, fmt.Errorf("no benchmark results in:\n%s", bytes.TrimSpace(out))
	}
	return lines, nil
}
