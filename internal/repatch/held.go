package repatch

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/livepatch/livepatch/internal/agentclient"
	"github.com/livepatch/livepatch/target/agent/hostlink"
)

// heldProcs are the processes of one held run: the test binary and the
// `go tool test2json` its output goes through. Fields are set as each
// step succeeds; stop undoes what was set.
type heldProcs struct {
	pkg    string
	pr     *os.File // the read end of the binary's output
	cmd    *exec.Cmd
	waited bool // cmd has been waited for
	conv   *exec.Cmd
	convIn io.WriteCloser
	events chan readResult // test2json's events, once read
	held   chan struct{}   // closed when the agent holds the binary
	copied chan error      // the end of the copy of the binary's output
}

// readResult is what readEvents returned.
type readResult struct {
	res map[string]*Results
	err error
}

// startBinary starts the test binary held by its agent, which listens on
// ep, with its output, one stream, going to h.pr.
func (h *heldProcs) startBinary(ctx context.Context, r heldRun, ep *agentclient.Endpoint) error {
	args := append([]string{"-test.v=test2json"}, r.args...)
	if !hasFlag(r.args, "timeout") {
		args = append(args, "-test.timeout="+defaultTestTimeout)
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return err
	}
	h.pr = pr
	cmd := exec.CommandContext(ctx, r.bin, args...)
	cmd.Dir = r.dir
	cmd.Env = append(append(append(os.Environ(), r.env...), ep.Env()...), hostlink.EnvHold+"="+holdLimit.String())
	cmd.Stdout, cmd.Stderr = pw, pw // as go test does: one stream
	cmd.WaitDelay = 5 * time.Second
	err = cmd.Start()
	pw.Close()
	if err != nil {
		return fmt.Errorf("start test binary: %w", err)
	}
	h.cmd = cmd
	return nil
}

// startTest2json starts `go tool test2json` and reads its events into
// h.events.
func (h *heldProcs) startTest2json(ctx context.Context, r heldRun) error {
	conv := exec.CommandContext(ctx, "go", "tool", "test2json", "-t", "-p", r.pkg) // -t: times, for each test's
	conv.Dir = r.dir
	conv.Env = append(os.Environ(), r.env...)
	conv.WaitDelay = 5 * time.Second
	convIn, err := conv.StdinPipe()
	if err != nil {
		return err
	}
	convOut, err := conv.StdoutPipe()
	if err != nil {
		return err
	}
	var convErr strings.Builder
	conv.Stderr = &convErr
	if err := conv.Start(); err != nil {
		return fmt.Errorf("go tool test2json: %w", err)
	}
	h.conv, h.convIn = conv, convIn
	h.events = make(chan readResult, 1)
	go func() {
		m, err := readEvents(convOut, r.pkg)
		io.Copy(io.Discard, convOut)
		h.events <- readResult{m, err}
	}()
	return nil
}

// copyOutput copies the binary's output to test2json, minus the agent's
// holding line, which says when to dial: it closes h.held on that line.
func (h *heldProcs) copyOutput() {
	h.held = make(chan struct{})
	h.copied = make(chan error, 1)
	go func() {
		br := bufio.NewReader(h.pr)
		seen := false
		for {
			line, err := br.ReadString('\n')
			if !seen && strings.HasPrefix(line, hostlink.HoldingLine) {
				seen = true
				close(h.held)
				continue
			}
			if len(line) > 0 {
				if _, werr := io.WriteString(h.convIn, line); werr != nil {
					h.copied <- werr
					return
				}
			}
			if err != nil {
				if errors.Is(err, io.EOF) {
					err = nil
				}
				h.copied <- err
				return
			}
		}
	}()
}

// awaitHold waits until the agent holds the binary; if the binary ends
// first, the error carries what it printed.
func (h *heldProcs) awaitHold(ctx context.Context) error {
	// Locals: the agent refuses a select case receiving from a field
	// ("receive from non-chan type"), and livepatch test repatches this.
	held, copied := h.held, h.copied
	select {
	case <-held:
		return nil
	case err := <-copied:
		werr := h.cmd.Wait()
		h.waited = true
		h.convIn.Close()
		ev := <-h.events
		out := ""
		if p := ev.res[h.pkg]; p != nil {
			out = p.Output
		}
		return fmt.Errorf("the test binary ended before its agent held it (%v): %s", errors.Join(err, werr), out)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// collect waits for the released binary to end and returns the results
// of its tests.
func (h *heldProcs) collect() (res Results, err error) {
	cerr := <-h.copied
	werr := h.cmd.Wait()
	h.waited = true
	h.convIn.Close()
	ev := <-h.events
	if cerr != nil || ev.err != nil {
		return res, fmt.Errorf("read the test output: %w", errors.Join(cerr, ev.err))
	}
	var ee *exec.ExitError
	if werr != nil && !errors.As(werr, &ee) {
		return res, fmt.Errorf("test binary: %w", werr)
	}
	if p := ev.res[h.pkg]; p != nil {
		res = *p
	}
	if werr != nil && res.Failed == 0 && res.Output == "" {
		res.Output = fmt.Sprintf("test binary: %v", werr)
	}
	return res, nil
}

// stop ends what h started: it closes test2json's input and waits for
// it, kills the binary if it has not been waited for, and closes the
// read end of its output.
func (h *heldProcs) stop() {
	if h.conv != nil {
		h.convIn.Close()
		h.conv.Wait()
	}
	if h.cmd != nil && !h.waited {
		h.cmd.Process.Kill()
		h.cmd.Wait()
	}
	if h.pr != nil {
		h.pr.Close()
	}
}
