package integration

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/livepatch/livepatch/internal/cli"
	"github.com/livepatch/livepatch/internal/dapproxy"
	"github.com/livepatch/livepatch/internal/prompt"
	"github.com/livepatch/livepatch/internal/terminal"
	"github.com/livepatch/livepatch/internal/testenv"
)

// startTerminal runs the terminal client on the prompt fixture through a
// proxy configured as livepatch's (patchable builds and the Go prompt). The
// test types into w and reads out; done receives what the terminal returned.
// Closing w at the end must stop both.
func startTerminal(t *testing.T) (ctx context.Context, w *os.File, out *testenv.Output, done chan error) {
	t.Helper()
	pr := prompt.New(prompt.Options{Log: testenv.Logger(t, "prompt")})
	px := dapproxy.New(dapproxy.Config{
		Builder:      cli.PatchBuilder{Log: testenv.Logger(t, "patcher"), Built: pr.UseBuild},
		Log:          testenv.Logger(t, "dapproxy"),
		Capabilities: pr.Capabilities(),
	})
	pr.Register(px)
	return runTerminal(t, px, map[string]any{"mode": "debug", "program": fixture(t, "prompt")})
}

// runTerminal runs the terminal client through px with the launch
// arguments launch, as startTerminal does.
func runTerminal(t *testing.T, px *dapproxy.Proxy, launch map[string]any) (ctx context.Context, w *os.File, out *testenv.Output, done chan error) {
	t.Helper()
	ctx = testenv.Context(t)
	clientSide, proxySide := net.Pipe()
	served := make(chan error, 1)
	go func() { served <- px.Serve(ctx, proxySide) }()

	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	out = testenv.NewOutput()
	done = make(chan error, 1)
	go func() {
		defer r.Close()
		done <- terminal.Run(ctx, terminal.Config{
			Conn: clientSide, Launch: launch,
			Stdin: r, Stdout: out, Stderr: out, HistoryFile: "-", Interrupt: make(chan struct{}),
		})
	}()
	t.Cleanup(func() {
		w.Close()
		for _, ch := range []chan error{done, served} {
			select {
			case <-ch:
			case <-ctx.Done():
				t.Error("the terminal or the proxy did not stop at the end of the input")
			}
		}
		if t.Failed() {
			all, _ := out.Since(0)
			t.Logf("terminal output:\n%s", all)
		}
	})
	return ctx, w, out, done
}

// TestPromptTerminal drives the Go prompt through the terminal client, as
// `livepatch debug` runs it: inputs in the top frame and, after `frame 1`,
// in the caller's frame, errors, and the writes seen after continue.
func TestPromptTerminal(t *testing.T) {
	ctx, w, out, done := startTerminal(t)
	tl := &termLog{t: t, ctx: ctx, w: w, out: out}
	wait, do := tl.wait, tl.do
	wait("Type 'help' for list of commands.")
	main := filepath.Join(fixture(t, "prompt"), "main.go")
	line := lineOf(t, main, "// stop here")
	do(fmt.Sprintf("break main.go:%d", line), "Breakpoint 1 set")
	do("continue", "main.work()")
	do("x", "3\n")
	do("c.Inc() + x", "4\n")
	do("x = 40", "")
	do("divmod(x, 3)", "13, 1\n")
	do("loud := shout(cfg.Name)", "")
	do("loud + loud", `"CFG!CFG!"`)
	do("x +\n)", "2:1: expected operand") // "x +" alone asks for a continuation line
	do("nosuch()", "1:1: undefined: nosuch")
	do("frame 1", "main.main()")
	do("outer", "7\n")
	do("outer = x + 2", "")
	do("y", "undefined: y")
	start := time.Now()
	do("continue", "after x=40", "main outer=5 r=40", "exited") // main's x is 3
	if d := time.Since(start); d > time.Minute {
		t.Errorf("continue took %v", d)
	}
	if _, err := fmt.Fprintln(w, "exit"); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		done <- err
		if err != nil {
			t.Errorf("terminal: %v", err)
		}
	case <-ctx.Done():
		t.Fatal("the terminal did not return after exit")
	}
}

// termLog drives a terminal session of a test: it types commands and
// reads the output from where the last wait left it.
type termLog struct {
	t    *testing.T
	ctx  context.Context
	w    io.Writer
	out  *testenv.Output
	mark int
}

// wait waits for wants, in order, in the output since the last wait,
// ending at the prompt, and returns that output.
func (l *termLog) wait(want ...string) string {
	l.t.Helper()
	return l.waitFor(true, want...)
}

// waitFor is wait; with prompt false the output need not end at the
// prompt (a report printed while the program runs).
func (l *termLog) waitFor(prompt bool, want ...string) string {
	l.t.Helper()
	for {
		text, changed := l.out.Since(l.mark)
		if testenv.ContainsInOrder(text, want) && (!prompt || strings.HasSuffix(text, terminal.Prompt)) {
			l.mark += len(text)
			return text
		}
		select {
		case <-changed:
		case <-l.ctx.Done():
			l.t.Fatalf("timed out waiting for %q; output:\n%s", want, text)
		}
	}
}

// do types cmd and waits for wants as wait does.
func (l *termLog) do(cmd string, want ...string) string {
	l.t.Helper()
	if _, err := fmt.Fprintln(l.w, cmd); err != nil {
		l.t.Fatal(err)
	}
	return l.wait(want...)
}
