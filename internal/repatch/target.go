package repatch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"sort"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/target/agent"
)

// holdLimit is how long a test binary waits, held, for the patches.
const holdLimit = 10 * time.Minute

// defaultTestTimeout is go test's default -timeout.
const defaultTestTimeout = "10m0s"

// heldRun is one run of a patchable test binary.
type heldRun struct {
	bin, dir, pkg string
	env           []string
	args          []string // test binary flags
	patches       []agent.Patch
	log           *slog.Logger
}

// runHeld starts the test binary held, applies the patches over its
// agent's socket (dropping the functions the agent refuses until the rest
// applies), releases it and returns the results of its tests, read from
// its -test.v=test2json output through `go tool test2json`, with the keys
// of the functions that ran interpreted and the refused ones.
func runHeld(ctx context.Context, r heldRun) (res Results, replaced []string, refused []Refusal, err error) {
	ep, err := agentclient.NewEndpoint()
	if err != nil {
		return res, nil, nil, err
	}
	defer ep.Remove()
	args := append([]string{"-test.v=test2json"}, r.args...)
	if !hasFlag(r.args, "test.timeout") {
		args = append(args, "-test.timeout="+defaultTestTimeout)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return res, nil, nil, err
	}
	defer pr.Close()
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir = r.dir
	cmd.Env = append(append(append(os.Environ(), r.env...), ep.Env()...), agent.EnvHold+"="+holdLimit.String())
	cmd.Stdout, cmd.Stderr = pw, pw // as go test does: one stream
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return res, nil, nil, fmt.Errorf("start test binary: %w", err)
	}
	waited := false
	defer func() {
		if !waited {
			cmd.Process.Kill()
			cmd.Wait()
		}
	}()

	conv := exec.CommandContext(ctx, "go", "tool", "test2json", "-p", r.pkg)
	conv.Dir = r.dir
	conv.Env = append(os.Environ(), r.env...)
	conv.WaitDelay = 5 * time.Second
	convIn, err := conv.StdinPipe()
	if err != nil {
		return res, nil, nil, err
	}
	convOut, err := conv.StdoutPipe()
	if err != nil {
		return res, nil, nil, err
	}
	var convErr strings.Builder
	conv.Stderr = &convErr
	if err := conv.Start(); err != nil {
		return res, nil, nil, fmt.Errorf("go tool test2json: %w", err)
	}
	defer func() {
		convIn.Close()
		conv.Wait()
	}()
	type readResult struct {
		res map[string]*Results
		err error
	}
	events := make(chan readResult, 1)
	go func() {
		m, err := readEvents(convOut, r.pkg)
		io.Copy(io.Discard, convOut)
		events <- readResult{m, err}
	}()

	// Copy the binary's output to test2json, minus the agent's holding
	// line, which says when to dial.
	held := make(chan struct{})
	copied := make(chan error, 1)
	go func() {
		br := bufio.NewReader(pr)
		seen := false
		for {
			line, err := br.ReadString('\n')
			if !seen && strings.HasPrefix(line, agent.HoldingLine) {
				seen = true
				close(held)
				continue
			}
			if len(line) > 0 {
				if _, werr := io.WriteString(convIn, line); werr != nil {
					copied <- werr
					return
				}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				copied <- err
				return
			}
		}
	}()

	select {
	case <-held:
	case err := <-copied:
		werr := cmd.Wait()
		waited = true
		convIn.Close()
		ev := <-events
		out := ""
		if p := ev.res[r.pkg]; p != nil {
			out = p.Output
		}
		return res, nil, nil, fmt.Errorf("the test binary ended before its agent held it (%v): %s", errors.Join(err, werr), out)
	case <-ctx.Done():
		return res, nil, nil, ctx.Err()
	}

	// Compiling every function of a package can take the agent longer than
	// the client's default deadline for one request on a loaded machine;
	// the binary waits for as long as it is held.
	pctx, cancel := context.WithTimeout(ctx, holdLimit)
	defer cancel()
	c, err := ep.Dial(pctx)
	if err != nil {
		return res, nil, nil, err
	}
	replaced, refused, aerr := applyAll(pctx, c, r.patches, r.log)
	if aerr == nil {
		aerr = c.Release(pctx)
	}
	c.Close()
	if aerr != nil {
		return res, replaced, refused, fmt.Errorf("patch the test binary: %w", aerr)
	}

	cerr := <-copied
	werr := cmd.Wait()
	waited = true
	convIn.Close()
	ev := <-events
	if cerr != nil || ev.err != nil {
		return res, replaced, refused, fmt.Errorf("read the test output: %w", errors.Join(cerr, ev.err))
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return res, replaced, refused, fmt.Errorf("test binary: %w", werr)
	}
	if p := ev.res[r.pkg]; p != nil {
		res = *p
	}
	if werr != nil && res.Failed == 0 && res.Output == "" {
		res.Output = fmt.Sprintf("test binary: %v", werr)
	}
	return res, replaced, refused, nil
}

// applyAll applies patches as one set; while the agent refuses some of
// them, it drops those and applies the rest. It returns the keys applied,
// sorted, and the refusals.
func applyAll(ctx context.Context, c *agentclient.SocketClient, patches []agent.Patch, log *slog.Logger) ([]string, []Refusal, error) {
	var refused []Refusal
	for len(patches) > 0 {
		start := time.Now()
		err := c.Apply(ctx, patches)
		log.Debug("apply", "patches", len(patches), "took", time.Since(start), "err", err != nil)
		if err == nil {
			break
		}
		var ae *agentclient.AgentError
		if !errors.As(err, &ae) || len(ae.Failures) == 0 {
			return nil, refused, err
		}
		bad := map[string]string{}
		for _, f := range ae.Failures {
			bad[f.Key] = f.Message
		}
		var rest []agent.Patch
		for _, p := range patches {
			if msg, ok := bad[p.Key]; ok {
				refused = append(refused, Refusal{Key: p.Key, Stage: StageAgent, Group: group(msg), Message: msg})
			} else {
				rest = append(rest, p)
			}
		}
		if len(rest) == len(patches) {
			return nil, refused, err // refusals of functions not in the set
		}
		patches = rest
	}
	keys := make([]string, len(patches))
	for i, p := range patches {
		keys[i] = p.Key
	}
	sort.Strings(keys)
	return keys, refused, nil
}
