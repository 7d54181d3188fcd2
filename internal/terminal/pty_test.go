package terminal_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"
	"github.com/go-delve/delve/service"
	"github.com/go-delve/delve/service/dap"
	"github.com/go-delve/delve/service/debugger"

	"github.com/livepatch/livepatch/internal/terminal"
)

// childEnv makes the test binary run terminal.Run on its own standard
// input and output (a pseudo-terminal) instead of the tests; its value is
// the launch program, and the count is in childCountEnv.
const (
	childEnv      = "LIVEPATCH_TERMINAL_TEST_CHILD"
	childCountEnv = "LIVEPATCH_TERMINAL_TEST_COUNT"
)

// runChild runs the terminal debugger on the fixture, as `livepatch debug`
// would, against Delve's DAP server in process.
func runChild() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	srv := dap.NewServer(&service.Config{
		Listener:       l,
		DisconnectChan: make(chan struct{}),
		Debugger:       debugger.Config{Backend: "default"},
	})
	srv.Run()
	defer srv.Stop()
	conn, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	err = terminal.Run(context.Background(), terminal.Config{
		Conn:   conn,
		Launch: map[string]any{"mode": "exec", "program": os.Getenv(childEnv), "args": []string{os.Getenv(childCountEnv)}},
		Stdin:  os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr,
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "terminal:", err)
		return 1
	}
	return 0
}

// screen collects what a pseudo-terminal shows, without escape sequences
// and carriage returns, and lets tests wait for text.
type screen struct {
	mu      sync.Mutex
	raw     bytes.Buffer
	changed chan struct{}
}

var escapes = regexp.MustCompile("\x1b\\[[0-9;?]*[A-Za-z]|\r")

func (s *screen) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.raw.Write(p)
	close(s.changed)
	s.changed = make(chan struct{})
	return len(p), nil
}

func (s *screen) text() (string, <-chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return escapes.ReplaceAllString(s.raw.String(), ""), s.changed
}

// ptySession is a program running on a pseudo-terminal.
type ptySession struct {
	t    *testing.T
	ctx  context.Context
	tty  *os.File
	scr  *screen
	mark int
	cmd  *exec.Cmd
	// closed is closed when the terminal has no writer left: the program
	// ended.
	closed <-chan struct{}
}

// startPTY starts cmd on a new pseudo-terminal; it is killed when the test
// ends.
func startPTY(t *testing.T, budget time.Duration, cmd *exec.Cmd) *ptySession {
	t.Helper()
	ctx := testContext(t, budget)
	cmd.WaitDelay = 5 * time.Second
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 40, Cols: 160})
	if err != nil {
		t.Fatal(err)
	}
	copied := make(chan struct{})
	p := &ptySession{t: t, ctx: ctx, tty: tty, scr: &screen{changed: make(chan struct{})}, cmd: cmd, closed: copied}
	go func() {
		io.Copy(p.scr, tty)
		close(copied)
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		tty.Close()
		<-copied
		if t.Failed() {
			text, _ := p.scr.text()
			t.Logf("screen:\n%s", text)
		}
	})
	return p
}

// wait waits until the screen shows the strings of want in order, after
// what earlier waits consumed.
func (p *ptySession) wait(want ...string) {
	p.t.Helper()
	for {
		text, changed := p.scr.text()
		rest := text[min(p.mark, len(text)):]
		if containsInOrder(rest, want) {
			// Consume up to the end of the last wanted string.
			end := 0
			for _, w := range want {
				end += strings.Index(rest[end:], w) + len(w)
			}
			p.mark += end
			return
		}
		select {
		case <-changed:
		case <-p.closed:
			if text, _ := p.scr.text(); len(text) == len(rest)+min(p.mark, len(text)) {
				p.t.Fatalf("program ended while waiting for %q; screen after mark:\n%s", want, rest)
			}
		case <-p.ctx.Done():
			p.t.Fatalf("timed out waiting for %q; screen after mark:\n%s", want, rest)
		}
	}
}

// typ types keys.
func (p *ptySession) typ(keys string) {
	p.t.Helper()
	if _, err := p.tty.WriteString(keys); err != nil {
		p.t.Fatal(err)
	}
}

// waitExit waits for the program to end and checks its status.
func (p *ptySession) waitExit() {
	p.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- p.cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			p.t.Errorf("program ended with %v", err)
		}
	case <-p.ctx.Done():
		p.t.Fatal("program did not end")
	}
}

// TestTerminalOnPTY drives terminal.Run on a real pseudo-terminal: line
// editing (liner), tab completion, Ctrl-C at the prompt, at a
// continuation line and while the program runs, Ctrl-D, and the history
// file.
func TestTerminalOnPTY(t *testing.T) {
	home := t.TempDir()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+counterBin, childCountEnv+"=0", "HOME="+home, "TERM=xterm")
	p := startPTY(t, time.Minute, cmd)
	p.wait("Type 'help' for list of commands.", terminal.Prompt)

	// Tab completes a command name; the line is then edited: Ctrl-A moves
	// to its start, Ctrl-K kills it.
	p.typ("clearal\t")
	p.wait("clearall ")
	p.typ("\x01\x0b")
	p.typ("b main.go:15\r")
	p.wait("Breakpoint 1 set at ./testdata/counter/main.go:15", terminal.Prompt)
	p.typ("c\r")
	p.wait("> main.(*Counter).Inc() ./testdata/counter/main.go:15 (hits goroutine(1):1 total:1)", "=>  15:", terminal.Prompt)

	// Ctrl-C at the prompt drops the half-typed line.
	p.typ("print garbage")
	// Wait for liner's echo: until liner reads keys the terminal is in
	// signal mode, where Ctrl-C would raise SIGINT and flush the typed keys.
	p.wait("print garbage")
	p.typ("\x03")
	p.wait("^C", terminal.Prompt)
	p.typ("p c.n + 10\r")
	p.wait("10\n", terminal.Prompt)

	// Go left open continues on the next line; Ctrl-C there drops the
	// whole input.
	p.typ("c.n +\r")
	p.wait(terminal.ContinuationPrompt)
	// liner prints the prompt before it takes the terminal out of signal
	// mode: wait for the echo of a key, which liner itself writes, so the
	// Ctrl-C reaches liner rather than the kernel.
	p.typ("1")
	p.wait("1")
	p.typ("\x03")
	p.wait("^C", terminal.Prompt)
	p.typ("c.n +\r")
	p.wait(terminal.ContinuationPrompt)
	p.typ("20 + 1\r")
	p.wait("20 + 1", "21\n", terminal.Prompt)

	// Ctrl-C while the program runs pauses it.
	p.typ("clear 1\r")
	p.wait("Breakpoint 1 cleared", terminal.Prompt)
	p.typ("c\r")
	p.wait("count 3\n")
	p.typ("\x03")
	p.wait("received SIGINT, stopping process", "> ", terminal.Prompt)

	// Ctrl-D quits and saves the history.
	p.typ("\x04")
	p.waitExit()
	hist, err := os.ReadFile(filepath.Join(home, ".livepatch_history"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(hist), "p c.n + 10\n") || strings.Contains(string(hist), "garbage") {
		t.Errorf("history file:\n%s\nwant the commands run, without the aborted line", hist)
	}
}

// TestLivepatchDebugOnPTY runs the real `livepatch debug` binary on a
// pseudo-terminal with the script break, continue, print, exit.
func TestLivepatchDebugOnPTY(t *testing.T) {
	if testing.Short() {
		t.Skip("builds cmd/livepatch: slow in -short mode")
	}
	if _, err := os.Stat("../../cmd/livepatch"); err != nil {
		t.Skip("cmd/livepatch does not exist yet")
	}
	bin := filepath.Join(t.TempDir(), "livepatch")
	build := exec.Command("go", "build", "-o", bin, "github.com/livepatch/livepatch/cmd/livepatch")
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cmd/livepatch does not build yet: %v\n%s", err, out)
	}
	dir, err := filepath.Abs("testdata/counter")
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "debug")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "HOME="+t.TempDir(), "TERM=xterm")
	// The first build of a patchable binary compiles yaegi: give it time.
	p := startPTY(t, 4*time.Minute, cmd)
	p.wait(terminal.Prompt)
	p.typ("break main.go:15\r")
	p.wait("Breakpoint 1 set at ./main.go:15", terminal.Prompt)
	p.typ("continue\r")
	p.wait("> main.(*Counter).Inc() ./main.go:15 (hits goroutine(1):1 total:1)", terminal.Prompt)
	p.typ("print c.n\r")
	p.wait("0\n", terminal.Prompt)
	p.typ("exit\r")
	p.waitExit()
}
