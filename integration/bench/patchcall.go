package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/internal/patcher"
	"github.com/livepatch/livepatch/target/agent/wire"
)

// The prologue fixture's handshake (see its prologue_test.go): with
// handshakeEnv=1 the test binary prints waitingLine once its agent
// listens and runs nothing until it reads a line on stdin.
const (
	handshakeEnv = "PROLOGUE_HANDSHAKE"
	waitingLine  = "prologue: waiting"
)

// runLimit bounds one run of a benchmark binary, handshake included.
const runLimit = 5 * time.Minute

// replacements are the interpreted replacements of the prologue fixture's
// functions, each with the body of the compiled one, by the end of the
// function's key.
var replacements = []struct{ suffix, source string }{
	{".nop", "func nop() {}"},
	{".add", "func add(a, b int) int { return a + b }"},
	{".(*Point).Move", "func (p *Point) Move(dx int) { p.X += dx }"},
	{".Point.Sum", "func (p Point) Sum() int { return p.X + p.Y }"},
	{".touch", "func touch(p *int) { *p++ }"},
}

// callBuild is one of the three ways the patch call part runs the
// prologue fixture's benchmarks.
type callBuild int

const (
	callPlain     callBuild = iota // go test -c -gcflags='all=-N -l'
	callUnpatched                  // patcher.Build, nothing patched
	callPatched                    // patcher.Build, every function patched through the agent
)

// benchPatchCall builds the prologue fixture plainly and patchably and
// runs its benchmarks runs times in three ways, in rotating order: the
// plain binary, the patchable one with nothing patched, and the patchable
// one with every benchmarked function replaced, before the benchmarks
// start, by an interpreted function with the same body, applied over the
// agent's socket as livepatch applies a save while the program runs.
func benchPatchCall(ctx context.Context, root string, runs int, benchtime string, logf logFunc) ([]PatchCallRow, error) {
	dir := prologueDir(root)
	tmp, err := os.MkdirTemp("", "livepatch-bench-patchcall-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	logf("patchcall: building the prologue fixture plainly and patchably")
	plain, patchable, res, err := buildPrologue(ctx, dir, tmp)
	if err != nil {
		return nil, fmt.Errorf("patchcall: %w", err)
	}
	patches, err := prologuePatches(res.Manifest)
	if err != nil {
		return nil, fmt.Errorf("patchcall: %w", err)
	}

	type sample struct{ ns, allocs []float64 }
	results := [3]map[string]*sample{{}, {}, {}}
	var names []string
	for i := 0; i < runs; i++ {
		for k := range 3 {
			b := callBuild((i + k) % 3)
			bin, ps := patchable, []wire.Patch(nil)
			switch b {
			case callPlain:
				bin = plain
			case callPatched:
				ps = patches
			}
			out, err := runPrologue(ctx, dir, bin, benchtime, ps)
			if err != nil {
				return nil, fmt.Errorf("patchcall: %s: %w", b, err)
			}
			got, err := parseBench(out)
			if err != nil {
				return nil, fmt.Errorf("patchcall: %s: %w", b, err)
			}
			for _, l := range got {
				s := results[b][l.name]
				if s == nil {
					s = &sample{}
					results[b][l.name] = s
					names = appendNew(names, l.name)
				}
				s.ns = append(s.ns, l.ns)
				s.allocs = append(s.allocs, l.allocs)
			}
		}
		logf("patchcall: run %d/%d done", i+1, runs)
	}
	var rows []PatchCallRow
	for _, name := range names {
		p, u, q := results[callPlain][name], results[callUnpatched][name], results[callPatched][name]
		if p == nil || u == nil || q == nil {
			return nil, fmt.Errorf("patchcall: benchmark %s did not run in every build", name)
		}
		rows = append(rows, PatchCallRow{
			Benchmark: name, Runs: runs,
			PlainNs: median(p.ns), UnpatchedNs: median(u.ns), PatchedNs: median(q.ns),
			AddedNs:       median(q.ns) - median(p.ns),
			PatchedAllocs: median(q.allocs), TargetNs: 2000,
		})
	}
	return rows, nil
}

// String names the build for messages.
func (b callBuild) String() string {
	switch b {
	case callPlain:
		return "plain"
	case callUnpatched:
		return "patchable, unpatched"
	case callPatched:
		return "patchable, patched"
	}
	return fmt.Sprintf("callBuild(%d)", int(b))
}

// prologuePatches returns the replacements keyed as the manifest of the
// fixture's patchable build names the functions; each must be patchable.
func prologuePatches(m *patcher.Manifest) ([]wire.Patch, error) {
	var ps []wire.Patch
	for _, r := range replacements {
		var key string
		for _, f := range m.Functions {
			if strings.HasSuffix(f.Key, r.suffix) && f.Patchable {
				key = f.Key
				break
			}
		}
		if key == "" {
			return nil, fmt.Errorf("no patchable function *%s in the fixture's manifest", r.suffix)
		}
		ps = append(ps, wire.Patch{Ref: wire.Ref{Key: key}, Source: r.source})
	}
	return ps, nil
}

// runPrologue runs the fixture's benchmarks in the test binary bin through
// the handshake: it starts bin with an agent socket endpoint, waits for
// the waiting line, applies patches over the socket when there are any and
// checks with the agent that they are live, then lets the benchmarks run
// and returns their output.
func runPrologue(ctx context.Context, dir, bin, benchtime string, patches []wire.Patch) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, runLimit)
	defer cancel()
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		return nil, err
	}
	defer ep.Remove()
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^$", "-test.bench", ".", "-test.benchmem",
		"-test.benchtime", benchtime, "-test.count", "1")
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), handshakeEnv+"=1"), ep.Env()...)
	cmd.WaitDelay = 5 * time.Second
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()
	fail := func(err error) ([]byte, error) {
		cmd.Process.Kill()
		cmd.Wait()
		waited = true
		if s := bytes.TrimSpace(stderr.Bytes()); len(s) > 0 {
			return nil, fmt.Errorf("%w\n%s", err, s)
		}
		return nil, err
	}
	// The read ends when the line comes, or when the context's end kills
	// the process and its stdout closes.
	r := bufio.NewReader(stdout)
	line, err := r.ReadString('\n')
	if err != nil {
		return fail(fmt.Errorf("waiting for %q: %w", waitingLine, err))
	}
	if strings.TrimSpace(line) != waitingLine {
		return fail(fmt.Errorf("got %q, want %q", strings.TrimSpace(line), waitingLine))
	}
	if len(patches) > 0 {
		if err := applyAndCheck(ctx, ep, patches); err != nil {
			return fail(err)
		}
	}
	if _, err := io.WriteString(stdin, "go\n"); err != nil {
		return fail(fmt.Errorf("handshake: %w", err))
	}
	stdin.Close()
	out, err := io.ReadAll(r)
	if err != nil {
		return fail(err)
	}
	err = cmd.Wait()
	waited = true
	if err != nil {
		return nil, fmt.Errorf("%s: %w\n%s%s", filepath.Base(bin), err, out, stderr.Bytes())
	}
	return out, nil
}

// applyAndCheck applies patches as one set over the agent's socket, then
// asks the agent which functions are patched and checks that every one
// of the set is.
func applyAndCheck(ctx context.Context, ep *agentclient.Endpoint, patches []wire.Patch) error {
	c, err := ep.Dial(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Apply(ctx, patches); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	live, _, err := c.Status(ctx)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	return checkPatched(patches, live)
}

// checkPatched reports an error naming the patches that live lacks.
func checkPatched(patches []wire.Patch, live []wire.PatchedFunc) error {
	have := map[string]bool{}
	for _, f := range live {
		have[f.Key] = true
	}
	var missing []string
	for _, p := range patches {
		if !have[p.Key] {
			missing = append(missing, p.Key)
		}
	}
	if len(missing) > 0 {
		return errors.New("the agent does not report patched: " + strings.Join(missing, ", "))
	}
	return nil
}
